// The video workflow behind `restore4k video IN OUT`: probe the input, build
// one GStreamer pipeline (demux -> decode -> r4krestore -> encode -> mux,
// with queues between the heavy stages and the audio and subtitle streams
// carried over untouched), run it with progress, and finish the file even
// when interrupted.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "decode/decoder_choice.hpp"
#include "decode/media_probe.hpp"
#include "decode/stream_carriage.hpp"
#include "infer/model_loader.hpp"
#include "infer/model_spec.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "restore_4k/video_format_policy.hpp"

namespace r4k::restore {

// In the order of its setting's choices (config/settings.cpp).
enum class VideoEncoder { ffv1, prores, x264 };
VideoEncoder parse_video_encoder(const std::string& text);  // ffv1 | prores | x264
std::string to_string(VideoEncoder encoder);
// The container an encoder writes by default: ".mkv" (ffv1, x264) or ".mov" (prores).
std::string video_extension(VideoEncoder encoder);

// One segment of a film split over machines (restore_4k/film_plan.hpp): the
// frames the pipeline decodes and filters, the frames it writes, and where
// it logs their packets.
struct VideoSegment {
  std::int64_t skip_packets = 0;   // encoded pictures left out before the decoder (an intra-only input)
  std::int64_t decode_first = 0;   // counted from the first picture decoded
  std::int64_t decode_count = -1;  // -1 = to the end of the stream
  std::int64_t keep_first = 0;     // counted from decode_first
  std::int64_t keep_count = -1;    // -1 = to the end of the stream
  std::int64_t expected = 0;       // frames the segment must hold
  std::string stamp;               // names the plan and segment in the file and its log
};

struct VideoJob {
  std::filesystem::path input;
  std::filesystem::path output;
  std::string model = infer::kFilmModel;
  infer::EngineOptions engine;
  // Where engine.autotune.pinned came from, for the message when this machine
  // cannot run a pin: the job's key, or the record or plan file read.
  std::string pins_origin = "engine.algorithms";
  int tile_size = 0;
  int halo = -1;
  int batch = 1;
  VideoEncoder encoder = VideoEncoder::ffv1;
  // Fit the upscaled picture into a fixed frame (r4kfit): 0 x 0 = no fit.
  int fit_width = 0;
  int fit_height = 0;
  std::string fit_mode = "pad";     // pad | crop
  std::uint32_t pad_color = 0;      // 0xRRGGBB
  // Film restoration stages of r4krestore, in their order.
  bool deinterlace = true;  // interlaced input only; off: interlaced input is an error
  bool deflicker = false;
  int deflicker_radius = 25;
  bool dust = false;
  bool scratches = false;
  double denoise = 0.0;               // strength, 0 = off
  std::string colorimetry = "keep";   // keep | bt709 | bt2020
  bool audio = true;                  // carry the audio streams over
  bool subtitles = true;              // carry the subtitle streams over
  bool data = true;                   // false: data streams that cannot be carried are left out
  bool monochrome = false;            // a black-and-white film: every frame exactly grey
  // Interrupted after some frames: keep the finalised, playable part under
  // the output name (a user's Ctrl-C), or discard it (batches, which redo it).
  bool keep_interrupted = true;
  decode::DecoderPreference decoder = decode::DecoderPreference::automatic;
  // Set: write only this segment (the picture and its packet log, see
  // segment_log_path), for a join to make the film.
  std::optional<VideoSegment> segment;
  // Not empty: the join of a planned film: the pipeline replays these
  // segment files (in order) into the writer the whole-film run has.
  std::vector<std::filesystem::path> join_segments;
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* abort = nullptr;  // stop at once (a second Ctrl-C)
  // Frames done, frames expected (0 = unknown), seconds since start.
  std::function<void(std::uint64_t, std::int64_t, double)> progress;
};

struct VideoPlan {
  decode::MediaInfo media;
  decode::DecoderChoice decoder;
  VideoFormatPlan format;
  std::vector<decode::StreamDecision> streams;  // every stream but the picture
  std::vector<std::string> notices;             // conversions and assumptions, said before the work
  std::string assumed;                          // what the input did not say and the job assumed ("" = nothing)
  pipeline::PipelineArguments arguments;        // writing to `location`
  // arguments[encode_start, encode_end): the encoding elements, each followed
  // by "!" (the format widening, the encoder, its caps), between the queue
  // after r4krestore and r4kmuxsink (for benchmarks to run them alone).
  std::size_t encode_start = 0;
  std::size_t encode_end = 0;
  // The element whose output frames are the job's progress (r4krestore's name).
  std::string count_element;
};

// Probes the input, checks the job and builds the pipeline writing to
// `location`. Throws InputError for bad input (no video stream, output
// extension that does not fit the encoder, a stream, pixel format or tag the
// output cannot keep: every such problem at once).
VideoPlan plan_video(const VideoJob& job, const std::filesystem::path& location);

struct VideoResult {
  std::uint64_t frames = 0;
  double seconds = 0.0;
  bool interrupted = false;
  std::int64_t expected_frames = 0;
  // Damaged input (the stream ended early, undecodable data): the file holds
  // all it had to give. Empty when the input was sound.
  std::vector<std::string> damage;
  // What the engine ran, "layer@shape" -> algorithm, its pins among them
  // (for the job record and a film plan's later segments).
  std::map<std::string, std::string> algorithms;
};

// Runs the job. On success (or interrupt, after EOS finalised the file) the
// output is renamed into place; on error, or an interrupt before the first
// frame, nothing is left under its name.
VideoResult upscale_video(const VideoJob& job);

// The packet log beside a segment file (encode/packet_log.hpp).
std::filesystem::path segment_log_path(const std::filesystem::path& segment);

}  // namespace r4k::restore
