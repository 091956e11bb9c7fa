// Loading a job file: YAML (yaml-cpp) checked against the schema, with every
// mistake reported at once as `file:line:column: key: message` — unknown keys
// with a "did you mean", wrong types, values out of range, missing required
// keys, keys that do not apply to the job's kind, missing input and model
// files. A job that loads has every key resolved (defaults filled in).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace r4k::config {

struct Diagnostic {
  std::filesystem::path file;
  int line = 0;  // 1-based; 0 = the whole file
  int column = 0;
  std::string key;  // dotted path, or "" for the file
  std::string message;
  std::string to_string() const;  // "job.yaml:3:9: engine.tile: expected ..."
};

struct JobFile {
  std::filesystem::path path;
  std::string kind;                           // video | raster | batch
  std::map<std::string, std::string> values;  // every schema key that applies, defaults filled in
  std::map<std::string, bool> explicit_keys;  // keys the file set

  const std::string& get(const std::string& key) const;
  int get_int(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  // A list key's items (a single string is a list of one).
  std::vector<std::string> get_list(const std::string& key) const;
  // A path key resolved against the job file's folder (builtin: names kept).
  std::string resolve_path(const std::string& value) const;
  // The resolved job as YAML (every key, defaults included).
  std::string to_yaml() const;
};

struct LoadResult {
  std::optional<JobFile> job;
  std::vector<Diagnostic> diagnostics;
  std::vector<Diagnostic> notes;  // not mistakes: what the run will do ("the batch makes folder 'out'")
  bool ok() const { return job.has_value() && diagnostics.empty(); }
};

// A value set outside the job file: `--set key=value`, or a command's option
// (`--tile 256`); `origin` is how diagnostics name it.
struct Override {
  std::string key;
  std::string value;
  std::string origin;
};

// "engine.tile=256" (restore4k run --set) as an override; a text without
// '=' gives an override with an empty key, which the loader reports.
Override parse_set_option(const std::string& assignment);

// Never throws for a bad file: every problem is a diagnostic. `check_files`
// also checks that the input and model exist and that the output's folder
// exists (a batch makes its folder, said as a note; it must be writable).
// `overrides` are applied after the text, in order (an override of
// `extends` loads that preset there). A job may start from a preset
// (`extends: film-4k`); its keys come first.
LoadResult load_job_text(const std::string& text, const std::filesystem::path& name, bool check_files = true,
                         const std::vector<Override>& overrides = {});
LoadResult load_job(const std::filesystem::path& path, bool check_files = true,
                    const std::vector<Override>& overrides = {});

// The candidate closest to `word` (edit distance), when close enough to be a
// likely typo; "" otherwise.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace r4k::config
