// The frame index of a video: what a film's plan (restore_4k/film_plan.hpp)
// records so that every task of a cluster job and the join agree on where
// each frame is. MPEG-TS
// and MPEG-PS files carry no index of their own; this scan reads every
// packet of the picture stream (no decoding) and works for any container.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace r4k::decode {

struct FrameIndex {
  int stream = -1;                  // the picture stream's index in the file
  std::int64_t frames = 0;          // non-empty packets of the picture, in file order
  std::vector<std::int64_t> keyframes;  // numbers (0-based, file order) of the packets that start a GOP
  bool open_gop = false;            // a packet after a keyframe shows before it (B-frames leading a GOP)
  // The packets where decoding may start and give the pictures a decode from
  // the start gives: packet k shown k-th (the frames are the packets one
  // frame step apart, no fields or gaps, and no picture after it is shown
  // before it: a closed GOP), a keyframe, and for H.264/HEVC an IDR picture.
  // Empty when the frames are not the packets.
  std::vector<std::int64_t> clean_starts;
  bool intra_frames = false;  // every packet is a clean start
  std::int64_t first_pts = 0;       // first packet's timestamp, in time_base
  int time_base_num = 0;
  int time_base_den = 1;
};

// Reads every packet of the file's first video stream. Throws InputError
// naming the file when it cannot be opened or holds no video.
FrameIndex scan_frame_index(const std::filesystem::path& input);

}  // namespace r4k::decode
