// A film's plan for many machines: written once by `restore4k video IN DIR
// --plan N`, before any task starts, and read by every segment task and by
// the join, so that all of them compute the same thing. It holds the
// input's fingerprint and scanned frame index, the N frame ranges with the
// frames each task decodes around its own (the temporal stages' context),
// the resolved job (threads included), and the model's SHA-256.
//
// Frames are numbered as the decoder gives them, from 0. Segment k restores
// frames [start, end): only those are upscaled and written; it decodes and
// filters [decode_from, decode_to), so that every temporal stage
// (deinterlacer, deflicker window, dust and denoise neighbours) sees what it
// sees in a single-machine run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/job_file.hpp"
#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {

struct FilmSegment {
  int index = 0;
  std::int64_t start = 0;  // first frame it writes
  std::int64_t end = 0;    // one past its last (the last segment: the film's frame count)
  std::int64_t decode_from = 0;
  std::int64_t decode_to = 0;  // one past the last frame it decodes (clamped to the film)
  // Packets left out before the decoder: the last clean start at or before
  // decode_from (decode/frame_index.hpp), 0 when the input has none.
  std::int64_t skip = 0;
};

// How far the restoration's temporal stages reach, in frames, before and
// after the frame they make.
struct FrameReach {
  int before = 0;
  int after = 0;
};
FrameReach restoration_reach(const VideoJob& job, bool interlaced);

// N ranges of near-equal length over `frames` frames, starting at multiples
// of `batch` (so that engine batches fall where they fall in a whole-film
// run), with their decode windows: `reach` frames each side. Throws
// InputError when N < 1 or the frames cannot make N ranges of whole batches.
std::vector<FilmSegment> split_film(std::int64_t frames, int count, FrameReach reach, int batch);

struct FilmPlan {
  std::filesystem::path path;     // where it was read from or written to
  std::filesystem::path input;    // absolute
  std::string fingerprint;        // film_fingerprint(input)
  std::int64_t frames = 0;
  std::int64_t keyframes = 0;
  bool open_gop = false;
  // Decoding may start at some packets (clean starts, in a container whose
  // samples are frames): segments skip what lies before their window's last
  // clean start instead of decoding it (FilmSegment::skip).
  bool fast_start = false;
  std::string container;          // FFmpeg's name of the input's format
  FrameReach reach;
  std::vector<FilmSegment> segments;
  int threads = 0;                // the engine's, resolved: every task uses the same
  std::string model;
  std::string model_sha256;
  std::string encoder;            // ffv1 | prores (x264 cannot be joined losslessly)
  std::string segment_extension;  // ".mkv" | ".mov"
  std::string job_yaml;           // the resolved job (kind video), as a job file
  std::string id;                 // SHA-256 of the rest: segments name the plan they belong to
  int replaced_segments = 0;      // written: files of an earlier, other plan's segments removed from the folder
};

// The plan file in a plan folder, and the files of segment k there.
std::filesystem::path film_plan_path(const std::filesystem::path& folder);
std::filesystem::path segment_path(const FilmPlan& plan, int index);

// A fingerprint of a file that is quick on a film of many gigabytes: its
// size and the SHA-256 of 64 blocks of 64 KiB spread evenly over it (first
// and last included), "SIZE:HEX". Throws InputError naming the file.
std::string film_fingerprint(const std::filesystem::path& input);

// Makes the plan of `job` (kind video, output = the plan folder, video.plan
// = N): probes and checks the input exactly as a run would (every problem
// refused before any work), scans its frames, splits them. Throws InputError.
FilmPlan make_film_plan(const config::JobFile& job);
// Writes it atomically as YAML under film_plan_path(folder) (the folder is
// made). The segments of an earlier plan in the folder are removed unless it
// was this same plan (then its finished segments are kept).
void write_film_plan(FilmPlan& plan, const std::filesystem::path& folder);
// Reads a plan file (or the plan in a folder). Throws InputError naming the
// file and key when it is not a restore4k plan or does not parse.
FilmPlan read_film_plan(const std::filesystem::path& file_or_folder);

// The job of the plan, loaded (paths absolute, threads resolved).
config::JobFile plan_job(const FilmPlan& plan);

// Checks that the input still is the planned one and the model has the
// planned checksum; throws InputError naming what changed.
void check_plan_inputs(const FilmPlan& plan);

}  // namespace r4k::restore
