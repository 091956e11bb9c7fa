#include "restore_4k/film_plan.hpp"

#include "restore_4k/algorithm_record.hpp"


#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "config/settings.hpp"
#include "core/error.hpp"
#include "encode/output_file.hpp"
#include "decode/frame_index.hpp"
#include "infer/model_checksum.hpp"
#include "preprocess/cleanup_stages.hpp"
#include "preprocess/deflicker.hpp"
#include "restore_4k/job_runner.hpp"

namespace r4k::restore {
namespace {

constexpr int kPlanVersion = 1;
constexpr const char* kPlanFile = "restore4k-plan.yaml";
// GStreamer's deinterlacer reads fields of the neighbouring frames (its
// default method reads none; the history-based ones a few): a margin that
// covers every method it has.
constexpr int kDeinterlaceReach = 2;

std::string padded(int value) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d", value);
  return text;
}

std::string plan_identity(const FilmPlan& plan) {
  infer::Sha256 sha;
  sha.update(plan.fingerprint + "\n" + std::to_string(plan.frames) + "\n" + plan.model_sha256 + "\n" + plan.encoder +
             "\n" + std::to_string(plan.threads) + "\n" + (plan.fast_start ? "fast" : "full") + "\n");
  for (const FilmSegment& s : plan.segments) {
    sha.update(std::to_string(s.start) + " " + std::to_string(s.end) + " " + std::to_string(s.decode_from) + " " +
               std::to_string(s.decode_to) + " " + std::to_string(s.skip) + "\n");
  }
  sha.update(plan.job_yaml);
  return sha.hex();
}

}  // namespace

FrameReach restoration_reach(const VideoJob& job, bool interlaced) {
  // The stages as r4krestore chains them, asked how far they reach.
  std::vector<std::unique_ptr<TemporalStage>> stages;
  if (job.deflicker) {
    DeflickerSettings settings;
    settings.radius = job.deflicker_radius;
    stages.push_back(std::make_unique<DeflickerStage>(settings));
  }
  if (job.dust || job.scratches) stages.push_back(std::make_unique<DustStage>(DustSettings{}, job.dust));
  if (job.denoise > 0.0) stages.push_back(std::make_unique<DenoiseStage>(DenoiseSettings{}));
  FrameReach reach;
  if (interlaced && job.deinterlace) reach = {kDeinterlaceReach, kDeinterlaceReach};
  for (const auto& stage : stages) {
    reach.before += stage->history();
    reach.after += stage->lookahead();
  }
  return reach;
}

std::vector<FilmSegment> split_film(std::int64_t frames, int count, FrameReach reach, int batch) {
  if (count < 1) throw InputError("a plan needs at least 1 segment, not " + std::to_string(count));
  // Engine batches start at multiples of `batch` in a whole-film run: so
  // segments start there too (only a segment's own frames are upscaled).
  const std::int64_t step = std::max(1, batch);
  if (frames < count * step) {
    throw InputError("the film has " + std::to_string(frames) + " frames: it cannot be split into " +
                     std::to_string(count) + " segments" +
                     (step > 1 ? " of whole engine batches of " + std::to_string(step) : std::string()));
  }
  std::vector<FilmSegment> segments;
  const auto boundary = [&](int k) { return k == count ? frames : frames * k / count / step * step; };
  for (int k = 0; k < count; ++k) {
    FilmSegment s;
    s.index = k;
    s.start = boundary(k);
    s.end = boundary(k + 1);
    s.decode_from = std::max<std::int64_t>(0, s.start - reach.before);
    s.decode_to = std::min(frames, s.end + reach.after);
    segments.push_back(s);
  }
  return segments;
}

std::filesystem::path film_plan_path(const std::filesystem::path& folder) { return folder / kPlanFile; }

std::filesystem::path segment_path(const FilmPlan& plan, int index) {
  return plan.path.parent_path() /
         ("segment-" + padded(index) + "-of-" + padded(static_cast<int>(plan.segments.size())) +
          plan.segment_extension);
}

std::string film_fingerprint(const std::filesystem::path& input) {
  std::ifstream in(input, std::ios::binary);
  std::error_code ec;
  const auto size = std::filesystem::file_size(input, ec);
  if (!in || ec) throw InputError("input '" + input.string() + "' cannot be read");
  constexpr std::uintmax_t kBlock = 64 * 1024;
  constexpr int kBlocks = 64;
  infer::Sha256 sha;
  std::vector<char> buffer(kBlock);
  const std::uintmax_t span = size > kBlock ? size - kBlock : 0;
  for (int i = 0; i < kBlocks; ++i) {
    const std::uintmax_t offset = span * static_cast<std::uintmax_t>(i) / (kBlocks - 1);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(buffer.data(), static_cast<std::streamsize>(std::min(kBlock, size - offset)));
    sha.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    in.clear();
  }
  return std::to_string(size) + ":" + sha.hex();
}

FilmPlan make_film_plan(const config::JobFile& job) {
  VideoJob video = video_job_from(job);
  const std::filesystem::path folder = video.output;
  const int count = job.get_int("video.plan");
  if (video.encoder == VideoEncoder::x264) {
    throw InputError("video.encoder: x264 cannot be joined losslessly; a planned film is encoded with ffv1 or prores "
                     "(encode the joined film to H.264 afterwards if you need it)");
  }
  std::error_code ec;
  if (std::filesystem::exists(folder, ec) && !std::filesystem::is_directory(folder, ec)) {
    throw InputError("output '" + folder.string() + "' is a file: a plan is written into a folder (the plan and "
                     "its segments)");
  }
  FilmPlan plan;
  plan.path = film_plan_path(std::filesystem::absolute(folder).lexically_normal());
  plan.segment_extension = video_extension(video.encoder);
  // Every check a run makes, before any work: the segments are written as the run writes its file.
  // (The folder is made when the plan is written: its parent is checked until then.)
  const bool made = std::filesystem::is_directory(folder, ec);
  video.output = (made ? folder : folder.parent_path()) / ("segment-0000" + plan.segment_extension);
  const VideoPlan checked = plan_video(video, video.output);
  const decode::FrameIndex index = decode::scan_frame_index(video.input);
  plan.input = std::filesystem::absolute(video.input).lexically_normal();
  plan.fingerprint = film_fingerprint(plan.input);
  plan.frames = index.frames;
  plan.keyframes = static_cast<std::int64_t>(index.keyframes.size());
  plan.open_gop = index.open_gop;
  plan.container = checked.media.container;
  // Containers whose samples GStreamer's demuxers give as they are (one buffer a frame).
  const bool framed = plan.container == "matroska,webm" || plan.container == "mov,mp4,m4a,3gp,3g2,mj2" ||
                      plan.container == "avi" || plan.container == "mxf";
  plan.fast_start = framed && !index.clean_starts.empty();
  plan.reach = restoration_reach(video, checked.media.video.front().interlaced());
  plan.segments = split_film(plan.frames, count, plan.reach, video.batch);
  if (plan.fast_start) {
    for (FilmSegment& s : plan.segments) {
      const auto after = std::upper_bound(index.clean_starts.begin(), index.clean_starts.end(), s.decode_from);
      s.skip = after == index.clean_starts.begin() ? 0 : *(after - 1);
    }
  }
  plan.threads = video.engine.threads > 0 ? video.engine.threads
                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  plan.model = video.model;
  plan.model_sha256 = infer::model_sha256(video.model);
  plan.encoder = to_string(video.encoder);
  config::JobFile resolved = resolved_job(job);
  resolved.values["engine.threads"] = std::to_string(plan.threads);
  resolved.values["model"] = plan.model;
  plan.job_yaml = resolved.to_yaml();
  plan.id = plan_identity(plan);
  return plan;
}

int remove_other_plans_segments(const std::filesystem::path& folder, const std::string& id) {
  std::error_code ec;
  if (!std::filesystem::exists(film_plan_path(folder), ec)) return 0;
  try {
    if (read_film_plan(folder).id == id) return 0;  // the same plan again: its segments stay
  } catch (const InputError&) {
    // Not readable: whatever it made is not this plan's either.
  }
  static const std::regex segment_name(R"(segment-[0-9]{4}-of-[0-9]{4}\.(mkv|mov)(\.packets)?)");
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file(ec) && std::regex_match(entry.path().filename().string(), segment_name) &&
        std::filesystem::remove(entry.path(), ec)) {
      ++removed;
    }
  }
  // What the other plan's segments ran is not this plan's to pin.
  std::filesystem::remove(plan_algorithms_path(film_plan_path(folder)), ec);
  return removed;
}

void write_film_plan(FilmPlan& plan, const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec) && !std::filesystem::create_directory(folder, ec)) {
    throw InputError("cannot make the plan folder '" + folder.string() + "': " + ec.message());
  }
  plan.replaced_segments = remove_other_plans_segments(folder, plan.id);
  plan.path = film_plan_path(std::filesystem::absolute(folder).lexically_normal());
  YAML::Emitter out;
  out << YAML::Comment("restore4k film plan: written once before any task; every segment task and the join read it")
      << YAML::Newline;
  out << YAML::BeginMap;
  out << YAML::Key << "restore4k_plan" << YAML::Value << kPlanVersion;
  out << YAML::Key << "id" << YAML::Value << plan.id;
  out << YAML::Key << "input" << YAML::Value << plan.input.string();
  out << YAML::Key << "fingerprint" << YAML::Value << plan.fingerprint;
  out << YAML::Key << "container" << YAML::Value << plan.container;
  out << YAML::Key << "frames" << YAML::Value << plan.frames;
  out << YAML::Key << "keyframes" << YAML::Value << plan.keyframes;
  out << YAML::Key << "open_gop" << YAML::Value << plan.open_gop;
  out << YAML::Key << "fast_start" << YAML::Value << plan.fast_start;
  out << YAML::Key << "reach" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "before" << YAML::Value
      << plan.reach.before << YAML::Key << "after" << YAML::Value << plan.reach.after << YAML::EndMap;
  out << YAML::Key << "threads" << YAML::Value << plan.threads;
  out << YAML::Key << "model" << YAML::Value << plan.model;
  out << YAML::Key << "model_sha256" << YAML::Value << plan.model_sha256;
  out << YAML::Key << "encoder" << YAML::Value << plan.encoder;
  out << YAML::Key << "segment_extension" << YAML::Value << plan.segment_extension;
  out << YAML::Key << "segments" << YAML::Value << YAML::BeginSeq;
  for (const FilmSegment& s : plan.segments) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "index" << YAML::Value << s.index << YAML::Key << "start"
        << YAML::Value << s.start << YAML::Key << "end" << YAML::Value << s.end << YAML::Key << "decode_from"
        << YAML::Value << s.decode_from << YAML::Key << "decode_to" << YAML::Value << s.decode_to << YAML::Key
        << "skip" << YAML::Value << s.skip << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "job" << YAML::Value << YAML::Literal << plan.job_yaml;
  out << YAML::EndMap;
  encode::write_file_atomically(plan.path, std::string(out.c_str()) + "\n", "the plan");
}

FilmPlan read_film_plan(const std::filesystem::path& file_or_folder) {
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::is_directory(file_or_folder, ec)
                                         ? film_plan_path(file_or_folder)
                                         : file_or_folder;
  if (!std::filesystem::exists(path, ec)) {
    throw InputError("plan '" + path.string() + "' does not exist: write it first with `restore4k video INPUT " +
                     path.parent_path().string() + " --plan N`");
  }
  FilmPlan plan;
  plan.path = std::filesystem::absolute(path).lexically_normal();
  std::string key = "restore4k_plan";
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    if (!root.IsMap() || !root["restore4k_plan"]) throw InputError("plan '" + path.string() + "' is not a restore4k plan");
    if (root["restore4k_plan"].as<int>() != kPlanVersion) {
      throw InputError("plan '" + path.string() + "' is of version " + root["restore4k_plan"].as<std::string>() +
                       "; this restore4k reads version " + std::to_string(kPlanVersion));
    }
    const auto need = [&](const char* name) {
      key = name;
      const YAML::Node node = root[name];
      if (!node) throw InputError("plan '" + path.string() + "': " + name + " is missing");
      return node;
    };
    plan.id = need("id").as<std::string>();
    plan.input = need("input").as<std::string>();
    plan.fingerprint = need("fingerprint").as<std::string>();
    plan.container = need("container").as<std::string>();
    plan.frames = need("frames").as<std::int64_t>();
    plan.keyframes = need("keyframes").as<std::int64_t>();
    plan.open_gop = need("open_gop").as<bool>();
    plan.fast_start = need("fast_start").as<bool>();
    plan.reach.before = need("reach")["before"].as<int>();
    plan.reach.after = need("reach")["after"].as<int>();
    plan.threads = need("threads").as<int>();
    plan.model = need("model").as<std::string>();
    plan.model_sha256 = need("model_sha256").as<std::string>();
    plan.encoder = need("encoder").as<std::string>();
    plan.segment_extension = need("segment_extension").as<std::string>();
    for (const YAML::Node& node : need("segments")) {
      FilmSegment s;
      s.index = node["index"].as<int>();
      s.start = node["start"].as<std::int64_t>();
      s.end = node["end"].as<std::int64_t>();
      s.decode_from = node["decode_from"].as<std::int64_t>();
      s.decode_to = node["decode_to"].as<std::int64_t>();
      s.skip = node["skip"].as<std::int64_t>();
      plan.segments.push_back(s);
    }
    plan.job_yaml = need("job").as<std::string>();
  } catch (const YAML::Exception& error) {
    throw InputError("plan '" + path.string() + "': " + key + ": " + error.what());
  }
  if (plan_identity(plan) != plan.id) {
    throw InputError("plan '" + path.string() + "' was changed after it was written (its id no longer matches): "
                     "write it again with --plan");
  }
  key = "segments";
  for (std::size_t k = 0; k < plan.segments.size(); ++k) {
    const FilmSegment& s = plan.segments[k];
    const bool joined = static_cast<int>(k) == s.index && s.start < s.end && s.decode_from <= s.start &&
                        0 <= s.skip && s.skip <= s.decode_from &&
                        s.end <= s.decode_to && (k == 0 ? s.start == 0 : s.start == plan.segments[k - 1].end);
    if (!joined) throw InputError("plan '" + path.string() + "': segment " + std::to_string(k) + " is not consistent");
  }
  if (plan.segments.empty() || plan.segments.back().end != plan.frames) {
    throw InputError("plan '" + path.string() + "': the segments do not cover the film's " +
                     std::to_string(plan.frames) + " frames");
  }
  return plan;
}

config::JobFile plan_job(const FilmPlan& plan) {
  const auto loaded = config::load_job_text(plan.job_yaml, plan.path, true);
  if (!loaded.ok()) {
    const std::string first = loaded.diagnostics.empty() ? "" : loaded.diagnostics.front().to_string();
    throw InputError("plan '" + plan.path.string() + "': its job no longer loads: " + first);
  }
  return *loaded.job;
}

void check_plan_inputs(const FilmPlan& plan) {
  if (film_fingerprint(plan.input) != plan.fingerprint) {
    throw InputError("input '" + plan.input.string() + "' is not the file the plan '" + plan.path.string() +
                     "' was made for (its size or content changed): plan it again");
  }
  const std::string sha = infer::model_sha256(plan.model);
  if (sha != plan.model_sha256) {
    throw InputError("model '" + plan.model + "' has SHA-256 " + sha + ", but the plan '" + plan.path.string() +
                     "' was made with " + plan.model_sha256 + ": every task must use the same model file");
  }
}

}  // namespace r4k::restore
