#include "restore_4k/batch_manifest.hpp"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "core/error.hpp"
#include "encode/output_file.hpp"

namespace r4k::restore {
namespace {

std::optional<long> parse_integer(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0') return std::nullopt;
  return value;
}

long require_integer(const char* name, const char* text) {
  const auto value = parse_integer(text);
  if (!value) throw InputError(std::string(name) + "='" + text + "' is not a whole number");
  return *value;
}

Shard checked(long index, long count, const std::string& source) {
  if (count < 1) throw InputError(source + ": the shard count must be at least 1, got " + std::to_string(count));
  if (index < 0 || index >= count) {
    throw InputError(source + ": shard index " + std::to_string(index) + " is outside 0.." + std::to_string(count - 1));
  }
  return Shard{static_cast<int>(index), static_cast<int>(count), source};
}

}  // namespace

std::optional<ShardIndex> index_from_environment(const std::function<const char*(const char*)>& getenv) {
  for (const char* name : {"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}) {
    if (const char* id = getenv(name); id != nullptr) {
      return ShardIndex{static_cast<int>(require_integer(name, id)), name};
    }
  }
  return std::nullopt;
}

Shard resolve_shard(const std::string& text, const std::string& option, int planned_count,
                    const std::string& count_source, const std::function<const char*(const char*)>& getenv) {
  if (!text.empty()) {
    const auto slash = text.find('/');
    const auto index = parse_integer(text.substr(0, slash).c_str());
    const auto count = slash == std::string::npos ? std::optional<long>(planned_count)
                                                  : parse_integer(text.substr(slash + 1).c_str());
    if (!index || !count) {
      throw InputError(option + " '" + text + "': expected K/N or K, e.g. 0/4 (numbered from 0)");
    }
    if (slash == std::string::npos && planned_count < 1) {
      throw InputError(option + " '" + text + "': the count is not known: give K/N, or set " + count_source);
    }
    if (slash != std::string::npos && planned_count > 0 && *count != planned_count) {
      throw InputError(option + " '" + text + "': " + count_source + " says " + std::to_string(planned_count) +
                       ", not " + std::to_string(*count));
    }
    return checked(*index, *count, option + " " + text);
  }
  const auto found = index_from_environment(getenv);
  if (!found) return Shard{};
  if (planned_count < 1) {
    throw InputError(found->source + " gives this task's index but " + count_source +
                     " is not set: the count comes from the job, never from the scheduler (a task resubmitted "
                     "alone, sbatch --array=2, sees SLURM_ARRAY_TASK_COUNT=1)");
  }
  if (found->index < 0 || found->index >= planned_count) {
    throw InputError(found->source + "=" + std::to_string(found->index) + " is outside 0.." +
                     std::to_string(planned_count - 1) + " (" + count_source + " " + std::to_string(planned_count) +
                     "): number the array from 0, e.g. sbatch --array=0-" + std::to_string(planned_count - 1));
  }
  return Shard{found->index, planned_count, found->source};
}

namespace {

bool has_wildcard(const std::string& segment) { return segment.find_first_of("*?[") != std::string::npos; }

// Whether `path` segments match `pattern` segments; "**" matches any number
// of folders that are not hidden (as a shell's globstar does).
bool match_segments(const std::vector<std::string>& pattern, std::size_t p, const std::vector<std::string>& path,
                    std::size_t q) {
  if (p == pattern.size()) return q == path.size();
  if (pattern[p] == "**") {
    for (std::size_t skip = q; skip <= path.size(); ++skip) {
      if (match_segments(pattern, p + 1, path, skip)) return true;
      if (skip < path.size() && path[skip].rfind('.', 0) == 0) break;
    }
    return false;
  }
  return q < path.size() && ::fnmatch(pattern[p].c_str(), path[q].c_str(), FNM_PERIOD) == 0 &&
         match_segments(pattern, p + 1, path, q + 1);
}

std::vector<std::string> segments_of(const std::filesystem::path& path) {
  std::vector<std::string> segments;
  for (const auto& part : path) {
    if (!part.empty() && part != "/") segments.push_back(part.string());
  }
  return segments;
}

// Patterns with "**": the folder before the first wildcard is walked whole.
std::vector<BatchInput> expand_recursive(const std::string& pattern) {
  const std::filesystem::path whole(pattern);
  std::filesystem::path base = whole.is_absolute() ? std::filesystem::path("/") : std::filesystem::path(".");
  std::vector<std::string> rest;
  bool wild = false;
  for (const std::string& segment : segments_of(whole)) {
    wild = wild || has_wildcard(segment);
    if (wild) {
      rest.push_back(segment);
    } else {
      base /= segment;
    }
  }
  std::vector<BatchInput> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(base, ec)) return files;
  const auto options = std::filesystem::directory_options::skip_permission_denied;
  for (auto it = std::filesystem::recursive_directory_iterator(base, options, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::filesystem::path relative = it->path().lexically_relative(base);
    if (match_segments(rest, 0, segments_of(relative), 0)) {
      const std::filesystem::path path = whole.is_absolute() || base != "." ? it->path() : relative;
      files.push_back(BatchInput{path.lexically_normal(), relative});
    }
  }
  return files;
}

}  // namespace

std::vector<BatchInput> expand_inputs(const std::string& pattern) {
  std::vector<BatchInput> files;
  if (pattern.find("**") != std::string::npos) {
    files = expand_recursive(pattern);
  } else {
    glob_t matches{};
    const int status = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &matches);
    if (status == 0) {
      for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
        std::error_code ec;
        const std::filesystem::path path(matches.gl_pathv[i]);
        if (std::filesystem::is_regular_file(path, ec)) files.push_back(BatchInput{path, path.filename()});
      }
    }
    globfree(&matches);
    if (status != 0 && status != GLOB_NOMATCH) throw InputError("cannot expand '" + pattern + "'");
  }
  if (files.empty()) throw InputError("no files match '" + pattern + "'");
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path.string() < b.path.string(); });
  return files;
}

std::vector<BatchInput> expand_inputs(const std::vector<std::string>& patterns) {
  if (patterns.empty()) throw InputError("no inputs given");
  std::vector<BatchInput> files;
  for (const std::string& pattern : patterns) {
    const auto matched = expand_inputs(pattern);
    files.insert(files.end(), matched.begin(), matched.end());
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.path.string() != b.path.string() ? a.path.string() < b.path.string()
                                              : a.relative.string() < b.relative.string();
  });
  // The same file through two patterns: once (the first way it was named).
  files.erase(std::unique(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path == b.path; }),
              files.end());
  return files;
}

std::vector<BatchItem> make_manifest(const std::vector<BatchInput>& inputs, const std::filesystem::path& folder,
                                     const std::string& video_extension) {
  std::vector<BatchItem> manifest;
  std::map<std::filesystem::path, std::filesystem::path> seen;
  std::error_code ec;
  const std::filesystem::path outputs = std::filesystem::weakly_canonical(folder, ec);
  for (const auto& input : inputs) {
    // What the batch wrote (inside the output folder) is never its input.
    const std::filesystem::path where = std::filesystem::weakly_canonical(input.path, ec);
    const auto end = std::mismatch(outputs.begin(), outputs.end(), where.begin(), where.end()).first;
    if (!outputs.empty() && end == outputs.end()) continue;
    const std::string extension = encode::lower_extension(input.path);
    std::filesystem::path name = input.relative;
    if (!video_extension.empty()) {
      name.replace_extension(video_extension);
    } else if (extension != ".tif" && extension != ".tiff") {
      name.replace_extension(".tif");
    }
    const std::filesystem::path output = folder / name;
    if (const auto found = seen.find(output); found != seen.end()) {
      throw InputError("inputs '" + found->second.string() + "' and '" + input.path.string() +
                       "' would both write '" + output.string() +
                       "': rename one, run them as separate batches, or match their folders with ** (dir/**/*.tif "
                       "keeps the folders under the output folder)");
    }
    seen.emplace(output, input.path);
    manifest.push_back(BatchItem{static_cast<int>(manifest.size()), input.path, output});
  }
  return manifest;
}

std::vector<BatchItem> select_shard(const std::vector<BatchItem>& manifest, const Shard& shard) {
  std::vector<BatchItem> items;
  for (const BatchItem& item : manifest) {
    if (item.position % shard.count == shard.index) items.push_back(item);
  }
  return items;
}

}  // namespace r4k::restore
