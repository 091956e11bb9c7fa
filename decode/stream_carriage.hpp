// StreamCarriage: what happens to each stream of a video file that is not
// the picture being restored, decided before any work: copied (its packets
// unchanged), converted losslessly (PCM that the output container cannot
// hold as it is), kept as metadata (a timecode track), left out because it
// only describes the input file's own structure (DVD navigation packets), or
// refused, with the reason, so that the job stops before it starts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "decode/media_probe.hpp"

namespace r4k::decode {

enum class Carriage {
  copy,       // packets unchanged
  flac,       // PCM decoded and stored as FLAC (lossless)
  alac,       // PCM decoded and stored as ALAC (lossless)
  pcm,        // PCM decoded and stored as plain little-endian PCM
  timecode,   // a timecode track: its start timecode is written as the output's timecode
  chapters,   // QuickTime's chapter track: written as the output's chapters
  structure,  // describes the input's own layout (DVD navigation): nothing to carry
  left_out,   // the user asked for it to be left out
  refused,    // cannot be kept: the job must not run
};

struct StreamDecision {
  int index = -1;          // stream index in the input
  std::string type;        // audio, subtitle, data, attachment
  std::string codec;
  Carriage carriage = Carriage::copy;
  std::string reason;      // for conversions and refusals: why, in words
};

struct CarriageOptions {
  bool audio = true;      // false: audio streams are left out (--no-audio)
  bool subtitles = true;  // false: subtitle streams are left out (--no-subtitles)
  bool data = true;       // false: data streams are left out (--no-data)
};

// Decisions for every stream of `media` but the picture, written into
// `output` (its extension picks the container: .mkv, .mov, .mp4), in stream
// order. Whether the container takes a stream as it is, is tried: a header
// with that stream written into memory.
std::vector<StreamDecision> plan_carriage(const MediaInfo& media, const std::filesystem::path& output,
                                          const CarriageOptions& options);

// "audio stream 1 (pcm_s16le) ..." for messages.
std::string describe(const StreamDecision& decision);

}  // namespace r4k::decode
