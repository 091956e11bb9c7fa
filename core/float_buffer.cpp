#include "core/float_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <list>
#include <mutex>
#include <new>
#include <utility>

namespace r4k {
namespace {

constexpr std::size_t kRecycleFrom = (std::size_t{1} << 20) / sizeof(float);  // a megabyte
constexpr std::size_t kPageFloats = 4096 / sizeof(float);

struct Block {
  float* data;
  std::size_t capacity;
};

class Recycler {
 public:
  // A block of at least `count` floats (uninitialised).
  Block acquire(std::size_t count) {
    if (count >= kRecycleFrom) {
      std::lock_guard lock(mutex_);
      // The smallest kept block that holds it without wasting more than an eighth.
      auto best = kept_.end();
      for (auto it = kept_.begin(); it != kept_.end(); ++it) {
        if (it->capacity >= count && it->capacity <= count + count / 8 &&
            (best == kept_.end() || it->capacity < best->capacity)) {
          best = it;
        }
      }
      if (best != kept_.end()) {
        const Block block = *best;
        bytes_ -= block.capacity * sizeof(float);
        kept_.erase(best);
        return block;
      }
      count = (count + kPageFloats - 1) / kPageFloats * kPageFloats;
    }
    return {static_cast<float*>(::operator new(count * sizeof(float), std::align_val_t{64})), count};
  }

  void release(Block block) {
    if (block.capacity >= kRecycleFrom && block.capacity * sizeof(float) <= FloatBuffer::kRecycledBytes) {
      std::lock_guard lock(mutex_);
      kept_.push_back(block);  // newest last
      bytes_ += block.capacity * sizeof(float);
      while (bytes_ > FloatBuffer::kRecycledBytes) {
        free(kept_.front());
        bytes_ -= kept_.front().capacity * sizeof(float);
        kept_.pop_front();
      }
      return;
    }
    free(block);
  }

  std::size_t bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
  }

 private:
  static void free(const Block& block) { ::operator delete(block.data, std::align_val_t{64}); }

  std::mutex mutex_;
  std::list<Block> kept_;
  std::size_t bytes_ = 0;
};

// Never destroyed: buffers of static objects may be released after main returns.
Recycler& recycler() {
  static auto* instance = new Recycler();
  return *instance;
}

}  // namespace

FloatBuffer::FloatBuffer(const FloatBuffer& other) {
  resize_for_overwrite(other.size_);
  if (size_ > 0) std::memcpy(data_, other.data_, size_ * sizeof(float));
}

FloatBuffer::FloatBuffer(FloatBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

FloatBuffer& FloatBuffer::operator=(const FloatBuffer& other) {
  if (this != &other) {
    if (other.size_ > capacity_) {
      release();
      const Block block = recycler().acquire(other.size_);
      data_ = block.data;
      capacity_ = block.capacity;
    }
    size_ = other.size_;
    if (size_ > 0) std::memcpy(data_, other.data_, size_ * sizeof(float));
  }
  return *this;
}

FloatBuffer& FloatBuffer::operator=(FloatBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

FloatBuffer::~FloatBuffer() { release(); }

void FloatBuffer::release() {
  if (data_ != nullptr) recycler().release({data_, capacity_});
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
}

void FloatBuffer::resize(std::size_t size) {
  const std::size_t kept = size_;
  resize_for_overwrite(size);
  if (size > kept) std::fill(data_ + kept, data_ + size, 0.0f);
}

void FloatBuffer::resize_for_overwrite(std::size_t size) {
  if (size > capacity_) {
    const Block block = recycler().acquire(size);
    if (size_ > 0) std::memcpy(block.data, data_, size_ * sizeof(float));
    const std::size_t kept = size_;
    release();
    data_ = block.data;
    capacity_ = block.capacity;
    size_ = kept;
  }
  size_ = size;
}

std::size_t FloatBuffer::recycled_bytes() { return recycler().bytes(); }

}  // namespace r4k
