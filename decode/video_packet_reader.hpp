// Reads the encoded pictures of a video file one packet at a time, in file
// order, as they are stored (no decoding): the join reads film segments so.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace r4k::decode {

class VideoPacketReader {
 public:
  // Opens the file's first video stream. Throws InputError naming the file.
  explicit VideoPacketReader(const std::filesystem::path& path);
  ~VideoPacketReader();
  VideoPacketReader(const VideoPacketReader&) = delete;
  VideoPacketReader& operator=(const VideoPacketReader&) = delete;

  // The next picture's bytes; nullopt at the end. Throws InputError when the
  // file cannot be read further.
  std::optional<std::vector<std::uint8_t>> next();

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace r4k::decode
