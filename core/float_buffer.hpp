// FloatBuffer: the storage of a Tensor, a std::vector<float> in behaviour
// (resize keeps the contents and zeroes what it adds; copies copy) whose
// large blocks are recycled: a block of a megabyte or more that is released
// is kept for the next request of about its size instead of being returned
// to the system. A film chain allocates the same frame-sized buffers for
// every frame in every stage; fresh ones are mapped page by page (a page
// fault per 4 KiB, the kernel zeroing each), which cost a third of a 4K
// job's CPU time. At most kRecycledBytes are kept; the oldest go first.
#pragma once

#include <cstddef>

namespace r4k {

class FloatBuffer {
 public:
  // Blocks kept for reuse, in all (bytes).
  static constexpr std::size_t kRecycledBytes = std::size_t{512} << 20;

  FloatBuffer() = default;
  FloatBuffer(const FloatBuffer& other);
  FloatBuffer(FloatBuffer&& other) noexcept;
  FloatBuffer& operator=(const FloatBuffer& other);
  FloatBuffer& operator=(FloatBuffer&& other) noexcept;
  ~FloatBuffer();

  void resize(std::size_t size);
  // As resize, but what it adds is left as it is (for a buffer that is
  // about to be written whole: no pass over memory to zero it first).
  void resize_for_overwrite(std::size_t size);
  std::size_t size() const { return size_; }
  float* data() { return data_; }
  const float* data() const { return data_; }
  float* begin() { return data_; }
  float* end() { return data_ + size_; }

  // Bytes held for reuse now (for tests).
  static std::size_t recycled_bytes();

 private:
  void release();

  float* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace r4k
