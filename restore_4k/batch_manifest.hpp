// The batch manifest: which files a batch processes, in a deterministic order,
// and which of them this shard of a cluster job takes.
//
// Shards: file k of the sorted manifest belongs to shard k mod N, so the N
// shards partition the manifest and each gets an even share. The index comes
// from --shard K/N (or K) or from the array-job environment (see
// docs/batch.md): Slurm's SLURM_ARRAY_TASK_ID, Kubernetes' JOB_COMPLETION_INDEX,
// AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX. The count always comes from the job
// (batch.shards) or the film's plan, never from the scheduler: a task
// resubmitted alone (sbatch --array=2) sees SLURM_ARRAY_TASK_COUNT=1.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace r4k::restore {

struct Shard {
  int index = 0;  // 0-based
  int count = 1;
  std::string source = "default";  // "--shard", "SLURM_ARRAY_TASK_ID", ...
};

// This task's index as the scheduler gives it (the variable's raw value).
struct ShardIndex {
  int index = 0;
  std::string source;  // the variable's name
};
std::optional<ShardIndex> index_from_environment(
    const std::function<const char*(const char*)>& getenv = [](const char* name) { return std::getenv(name); });

// The shard of this task: `text` ("K/N" or "K", from `option`; "" = none
// given) or the environment's index, with the count `planned_count` (0 =
// unknown) that `count_source` names ("batch.shards", "the plan"). Neither
// given: 0/1. Throws InputError naming the option or variable when the text
// does not parse, its N differs from the planned count, an index has no
// count, or an index is out of range.
Shard resolve_shard(
    const std::string& text, const std::string& option, int planned_count, const std::string& count_source,
    const std::function<const char*(const char*)>& getenv = [](const char* name) { return std::getenv(name); });

// One input file and where its output goes under the output folder: its
// file name, inside the folders a `**` of its pattern went through.
struct BatchInput {
  std::filesystem::path path;
  std::filesystem::path relative;  // "a.tif", or "33/UUP/a.tif" for tiles/**/*.tif
  bool operator==(const BatchInput&) const = default;
};

// The files matching `pattern` (shell glob: * ? [...] within one folder, and
// ** for any number of folders, none included), regular files only, sorted
// by path bytes. Throws InputError when nothing matches.
std::vector<BatchInput> expand_inputs(const std::string& pattern);
// The union of several patterns (globs or plain file names), sorted, each
// file once. Throws InputError naming the first pattern that matches nothing.
std::vector<BatchInput> expand_inputs(const std::vector<std::string>& patterns);

struct BatchItem {
  int position = 0;  // in the whole manifest
  std::filesystem::path input;
  std::filesystem::path output;
};

// The output of each input in `folder`: its relative path, with .tif when
// the input's extension is not .tif/.tiff (rasters), or with
// `video_extension` (videos: the encoder's container, e.g. ".mkv"). Inputs
// inside `folder` (an earlier run's outputs) are left out. Throws InputError
// when two inputs would write the same output.
std::vector<BatchItem> make_manifest(const std::vector<BatchInput>& inputs, const std::filesystem::path& folder,
                                     const std::string& video_extension = "");

// The items of `manifest` that belong to `shard`.
std::vector<BatchItem> select_shard(const std::vector<BatchItem>& manifest, const Shard& shard);

}  // namespace r4k::restore
