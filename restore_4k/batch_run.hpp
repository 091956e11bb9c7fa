// The batch workflow behind `restore4k batch 'GLOB' OUTDIR` and batch job
// files: every file of this shard of the manifest is upscaled as `restore4k
// raster` (or, for batches of videos, `restore4k video`) would, `jobs` files
// at a time. Outputs that exist are skipped, interrupted raster outputs
// resume from their journals (an interrupted video is discarded and done
// again), one bad file does not stop the others, and a JSON report says what
// happened to each file.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <optional>

#include "restore_4k/batch_manifest.hpp"
#include "restore_4k/raster_upscale.hpp"
#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {

struct BatchJob {
  std::vector<std::string> inputs;  // globs or files; the manifest is their union
  std::filesystem::path output_folder;
  RasterJob item;  // settings for every file (input and output are set per file)
  // Set: the inputs are videos, each restored with these settings (into
  // OUTDIR/NAME with the encoder's container extension); `item` is unused.
  std::optional<VideoJob> video;
  Shard shard;
  int jobs = 1;    // files processed at once; inference threads are shared out
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* abort = nullptr;  // stop at once (a second Ctrl-C)
  // Files finished (done, skipped or failed), files in the shard, seconds.
  std::function<void(std::uint64_t, std::int64_t, double)> progress;
};

struct BatchItemResult {
  BatchItem item;
  // done, damaged (done from damaged input: the output holds all it could
  // give), skipped (output already there), failed, interrupted, not started
  std::string status;
  double seconds = 0.0;
  std::uint64_t tiles = 0;
  std::string error;
  std::vector<std::string> damage;  // what was damaged, for status "damaged"
};

struct BatchResult {
  Shard shard;
  int manifest_size = 0;
  std::vector<BatchItemResult> items;
  int failed = 0;
  int damaged = 0;
  bool interrupted = false;
  std::filesystem::path report;
  long peak_memory_kib = 0;
};

// restore4k-batch-report.json, or restore4k-batch-report.shard-I-of-N.json.
std::filesystem::path batch_report_path(const std::filesystem::path& folder, const Shard& shard);

// Throws InputError before any work for a missing or read-only output
// folder or a pattern that matches nothing; item failures are in the result.
BatchResult run_batch(const BatchJob& job);

// This shard's items of the job's manifest.
std::vector<BatchItem> batch_items(const BatchJob& job);

std::string batch_report_json(const BatchResult& result);

}  // namespace r4k::restore
