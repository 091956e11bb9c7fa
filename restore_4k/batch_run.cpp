#include "restore_4k/batch_run.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "encode/output_file.hpp"
#include "restore_4k/result_stamp.hpp"

namespace r4k::restore {
namespace {

std::string json_string(const std::string& text) {
  std::ostringstream out;
  out << '"';
  for (const unsigned char c : text) {
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\t': out << "\\t"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out << escaped;
        } else {
          out << c;
        }
    }
  }
  out << '"';
  return out.str();
}

void write_report(const BatchResult& result) {
  encode::write_file_atomically(result.report, batch_report_json(result), "the batch report");
}

// The stamp the item's output gets (see result_stamp.hpp).
std::string expected_stamp(const pipeline::PipelineArguments& arguments) {
  const std::string prefix = "job-stamp=";
  return !arguments.empty() && arguments.back().rfind(prefix, 0) == 0 ? arguments.back().substr(prefix.size()) : "";
}

BatchItemResult process(const BatchItem& item, const BatchJob& job, int threads) {
  BatchItemResult outcome;
  outcome.item = item;
  std::optional<VideoJob> video;
  RasterJob raster = job.item;
  if (job.video) {
    video = *job.video;
    video->input = item.input;
    video->output = item.output;
    video->cancel = job.cancel;
    video->abort = job.abort;
    video->progress = nullptr;
    video->keep_interrupted = false;  // a partial film is done again, not left as if finished
    if (video->engine.threads == 0) video->engine.threads = threads;
  } else {
    raster.input = item.input;
    raster.output = item.output;
    raster.resume = true;
    raster.cancel = job.cancel;
    raster.abort = job.abort;
    raster.progress = nullptr;
    if (raster.engine.threads == 0) raster.engine.threads = threads;
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    std::error_code ec;
    if (std::filesystem::exists(item.output, ec)) {
      // Done already only if the file says it is this job's result.
      const OutputStamp found = read_output_stamp(item.output);
      const std::string expected =
          expected_stamp(video ? plan_video(*video, item.output).arguments : raster_pipeline(raster));
      if (found.readable && !found.stamp.empty() && found.stamp == expected && !found.interrupted) {
        outcome.status = found.damage.empty() ? "skipped" : "damaged";
        if (!found.damage.empty()) outcome.damage.push_back(item.output.string() + " records: " + found.damage);
        return outcome;
      }
      spdlog::info("batch: {} exists but is not this job's complete result ({}): made again", item.output.string(),
                   !found.readable       ? "it cannot be read"
                   : found.stamp.empty() ? "it carries no restore4k job stamp"
                   : found.interrupted   ? "it was interrupted part-way"
                                         : "it was made from another input or with other settings");
    }
    std::filesystem::create_directories(item.output.parent_path(), ec);
    if (video) {
      const VideoResult result = upscale_video(*video);
      outcome.damage = result.damage;
      outcome.status = result.interrupted ? "interrupted" : result.damage.empty() ? "done" : "damaged";
    } else {
      const RasterResult result = upscale_raster(raster);
      outcome.tiles = result.tiles;
      outcome.damage = result.damage;
      outcome.status = result.interrupted && !result.complete ? "interrupted"
                       : result.damage.empty()                ? "done"
                                                              : "damaged";
    }
  } catch (const Interrupted&) {
    outcome.status = "interrupted";
  } catch (const std::exception& error) {
    outcome.status = "failed";
    outcome.error = error.what();
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace

std::filesystem::path batch_report_path(const std::filesystem::path& folder, const Shard& shard) {
  if (shard.count == 1) return folder / "restore4k-batch-report.json";
  return folder / ("restore4k-batch-report.shard-" + std::to_string(shard.index) + "-of-" +
                   std::to_string(shard.count) + ".json");
}

BatchResult run_batch(const BatchJob& job) {
  std::error_code ec;
  if (!std::filesystem::is_directory(job.output_folder, ec)) {
    // A batch makes its folder (`validate` says it will); many shards may
    // start at once, so one that finds it made by another goes on.
    std::filesystem::create_directories(job.output_folder, ec);
    if (!std::filesystem::is_directory(job.output_folder)) {
      throw InputError("output folder '" + job.output_folder.string() + "' cannot be made" +
                       (ec ? ": " + ec.message() : std::string()));
    }
    spdlog::info("made the output folder {}", job.output_folder.string());
  }
  if (::access(job.output_folder.c_str(), W_OK) != 0) {
    throw InputError("output folder '" + job.output_folder.string() + "' is not writable");
  }
  if (job.jobs < 1) throw InputError("--jobs must be at least 1");
  const auto manifest = make_manifest(expand_inputs(job.inputs), job.output_folder,
                                      job.video ? video_extension(job.video->encoder) : "");
  const auto items = select_shard(manifest, job.shard);

  BatchResult result;
  result.shard = job.shard;
  result.manifest_size = static_cast<int>(manifest.size());
  result.report = batch_report_path(job.output_folder, job.shard);
  result.items.resize(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    result.items[i].item = items[i];
    result.items[i].status = "not started";
  }
  spdlog::info("batch: {} file(s) in the manifest, shard {}/{} ({}) takes {}", manifest.size(), job.shard.index,
               job.shard.count, job.shard.source, items.size());

  const int workers = std::max(1, std::min(job.jobs, static_cast<int>(items.size())));
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::max(1, cores / workers);
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::uint64_t finished = 0;
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&]() {
    while (true) {
      if (job.cancel != nullptr && job.cancel->load()) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= items.size()) return;
      spdlog::info("batch: [{}/{}] {}", i + 1, items.size(), items[i].input.string());
      BatchItemResult outcome = process(items[i], job, threads);
      std::lock_guard<std::mutex> lock(mutex);
      if (outcome.status == "failed") spdlog::error("batch: {}: {}", items[i].input.string(), outcome.error);
      if (outcome.status == "skipped") {
        spdlog::info("batch: {} is this job's result already, skipped", items[i].output.string());
      }
      if (outcome.status == "damaged") {
        spdlog::error("batch: {} is damaged ({} problem(s)); its output holds all it could give",
                      items[i].input.string(), outcome.damage.size());
      }
      result.items[i] = std::move(outcome);
      write_report(result);
      ++finished;
      if (job.progress) {
        job.progress(finished, static_cast<std::int64_t>(items.size()),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();

  for (const auto& item : result.items) {
    if (item.status == "failed") ++result.failed;
    if (item.status == "damaged") ++result.damaged;
    if (item.status == "interrupted" || item.status == "not started") result.interrupted = true;
  }
  result.peak_memory_kib = peak_resident_kib();
  write_report(result);
  return result;
}

std::vector<BatchItem> batch_items(const BatchJob& job) {
  return select_shard(make_manifest(expand_inputs(job.inputs), job.output_folder,
                                    job.video ? video_extension(job.video->encoder) : ""),
                      job.shard);
}

std::string batch_report_json(const BatchResult& result) {
  std::ostringstream out;
  int done = 0;
  int skipped = 0;
  for (const auto& item : result.items) {
    done += item.status == "done";
    skipped += item.status == "skipped";
  }
  out << "{\n  \"shard\": {\"index\": " << result.shard.index << ", \"count\": " << result.shard.count
      << ", \"source\": " << json_string(result.shard.source) << "},\n"
      << "  \"manifest_files\": " << result.manifest_size << ",\n"
      << "  \"shard_files\": " << result.items.size() << ",\n"
      << "  \"done\": " << done << ",\n  \"skipped\": " << skipped << ",\n  \"failed\": " << result.failed << ",\n"
      << "  \"damaged\": " << result.damaged << ",\n"
      << "  \"interrupted\": " << (result.interrupted ? "true" : "false") << ",\n"
      << "  \"files\": [";
  for (std::size_t i = 0; i < result.items.size(); ++i) {
    const auto& item = result.items[i];
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", item.seconds);
    out << (i ? "," : "") << "\n    {\"input\": " << json_string(item.item.input.string())
        << ", \"output\": " << json_string(item.item.output.string()) << ", \"status\": " << json_string(item.status)
        << ", \"seconds\": " << seconds << ", \"tiles\": " << item.tiles
        << ", \"error\": " << (item.error.empty() ? "null" : json_string(item.error)) << ", \"damage\": [";
    for (std::size_t k = 0; k < item.damage.size(); ++k) out << (k ? ", " : "") << json_string(item.damage[k]);
    out << "]}";
  }
  out << "\n  ]\n}\n";
  return out.str();
}

}  // namespace r4k::restore
