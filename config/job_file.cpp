#include "config/job_file.hpp"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/presets.hpp"
#include "config/settings.hpp"

namespace r4k::config {
namespace {

using settings::Setting;
using settings::Type;

constexpr std::size_t kMaxFileBytes = 1 << 20;  // a job is a few lines; anything huge is not a job
constexpr int kMaxDepth = 8;

// Edit distance with adjacent transpositions counted as one edit ("tiel" is
// one typo away from "tile").
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string parent_of(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}

std::string last_part(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

// Names allowed directly under `section` ("" = the top level).
std::vector<std::string> names_under(const std::string& section) {
  std::set<std::string> names;
  for (const Setting& key : settings::all()) {
    if (section.empty() || key.key.rfind(section + ".", 0) == 0) {
      const std::string rest = section.empty() ? key.key : key.key.substr(section.size() + 1);
      names.insert(rest.substr(0, rest.find('.')));
    }
  }
  return {names.begin(), names.end()};
}

bool applies(const Setting& key, const std::string& kind) {
  return key.kinds.empty() || kind.empty() ||
         std::find(key.kinds.begin(), key.kinds.end(), kind) != key.kinds.end();
}

std::string node_text(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

// Where `text` stops being UTF-8 (std::string::npos when it is all UTF-8):
// overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
std::size_t invalid_utf8_at(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // the range of the second byte
    if (lead < 0x80) {
      length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return i;
    }
    i += length;
  }
  return std::string::npos;
}

// Where a value came from: a job file, a preset, or --set.
struct Place {
  std::filesystem::path file;
  YAML::Mark mark = YAML::Mark::null_mark();
};

class Checker {
 public:
  Checker(std::filesystem::path file, bool check_files) : file_(std::move(file)), check_files_(check_files) {}

  void report(const YAML::Mark& mark, const std::string& key, const std::string& message) {
    report_at(Place{file_, mark}, key, message);
  }

  void report_at(const Place& place, const std::string& key, const std::string& message) {
    Diagnostic d;
    d.file = place.file;
    d.line = place.mark.is_null() ? 0 : place.mark.line + 1;
    d.column = place.mark.is_null() ? 0 : place.mark.column + 1;
    d.key = key;
    d.message = message;
    diagnostics_.push_back(d);
  }

  // The preset `extends` names, read before the keys that override it.
  void load_preset(const YAML::Node& extends, std::vector<std::string>& chain) {
    const std::string preset = extends.Scalar();
    const auto& presets = builtin_presets();
    const auto found = presets.find(preset);
    if (found == presets.end()) {
      std::vector<std::string> names;
      for (const auto& [known, text_of] : presets) names.push_back(known);
      std::string message = "no preset '" + preset + "'";
      const std::string close = closest_match(preset, names);
      message += close.empty() ? " (presets: " + join(names) + ")" : ": did you mean '" + close + "'?";
      report(extends.Mark(), "extends", message);
      extends_failed_ = true;
      return;
    }
    if (std::find(chain.begin(), chain.end(), preset) != chain.end() || chain.size() >= 4) {
      report(extends.Mark(), "extends", "presets extend each other in a loop (" + join(chain) + ", " + preset + ")");
      extends_failed_ = true;
      return;
    }
    const std::filesystem::path here = file_;
    const auto kind = values_.find("kind");
    const std::string kind_before = kind == values_.end() ? "" : kind->second;
    const auto values_before = values_;
    const auto places_before = places_;
    chain.push_back(preset);
    load_document(found->second, "preset " + preset, chain);
    file_ = here;
    const std::string kind_after = values_.count("kind") != 0 ? values_["kind"] : "";
    if (!kind_before.empty() && kind_after != kind_before) {
      report(extends.Mark(), "extends",
             "preset '" + preset + "' is for " + kind_after + " jobs; this is a " + kind_before + " job");
      // One mistake, said once: none of the preset's keys is taken.
      values_ = values_before;
      places_ = places_before;
      extends_failed_ = true;
    }
  }

  // Parses one document (a job or a preset it extends, which is read
  // first), and checks its keys; later documents override earlier ones.
  void load_document(const std::string& text, const std::filesystem::path& name, std::vector<std::string>& chain) {
    file_ = name;
    if (text.size() > kMaxFileBytes) {
      report(YAML::Mark::null_mark(), "",
             "is " + std::to_string(text.size() / 1024) + " KiB: a job file is a few lines of YAML (at most " +
                 std::to_string(kMaxFileBytes / 1024) + " KiB); is this the right file?");
      return;
    }
    if (!tabs_checked(text)) return;
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& error) {
      report(error.mark, "", "not valid YAML: " + error.msg);
      return;
    }
    if (!root.IsMap()) {
      report(root.Mark(), "", "expected a mapping of job settings (kind:, input:, output:, ...), found " +
                                  node_text(root));
      return;
    }
    if (!root_set_) {
      root_place_ = Place{name, root.Mark()};
      root_set_ = true;
    }
    try {
      if (const YAML::Node extends = root["extends"]; extends && extends.IsScalar()) {
        load_preset(extends, chain);
        file_ = name;
      }
      seen_.clear();
      walk(root, "", 0);
    } catch (const YAML::Exception& error) {
      report(error.mark, "", "cannot read: " + error.msg);
    }
  }

  // A value set outside the file: `--set key=value`, or a command-line
  // option (`--tile 256`), named in diagnostics as the user typed it.
  void apply_override(const Override& override) {
    file_ = override.origin;
    if (override.key == "extends" && override.origin.rfind("--set", 0) == 0) {
      report(YAML::Mark::null_mark(), override.key, "a preset is chosen in the job file, not with --set");
      return;
    }
    if (override.key == "extends") {
      std::vector<std::string> chain;
      YAML::Node preset(override.value);
      load_preset(preset, chain);
      return;
    }
    if (override.key.empty()) {
      report(YAML::Mark::null_mark(), "", "expected key.path=value");
      return;
    }
    const Setting* key = settings::find(override.key);
    if (key == nullptr) {
      std::vector<std::string> paths;
      for (const Setting& spec : settings::all()) paths.push_back(spec.key);
      const std::string close = closest_match(override.key, paths);
      report(YAML::Mark::null_mark(), override.key,
             "unknown key" + (close.empty() ? std::string(" (restore4k jobs-reference lists them)")
                                            : ": did you mean '" + close + "'?"));
      return;
    }
    check_value(*key, YAML::Node(override.value));
  }

  // YAML indents with spaces only; yaml-cpp's word for a tab there is
  // "illegal map value", which does not say what to change.
  bool tabs_checked(const std::string& text) {
    int line = 0;
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      for (std::size_t i = start; i < end && (text[i] == ' ' || text[i] == '\t'); ++i) {
        if (text[i] == '\t') {
          YAML::Mark mark;
          mark.line = line;
          mark.column = static_cast<int>(i - start);
          report(mark, "", "a tab in the indentation: YAML indents with spaces only");
          return false;
        }
      }
      start = end + 1;
      ++line;
    }
    return true;
  }

  static std::string join(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
  }

  void walk(const YAML::Node& map, const std::string& section, int depth) {
    if (depth > kMaxDepth) {
      report(map.Mark(), section, "nested too deeply");
      return;
    }
    for (const auto& entry : map) {
      const YAML::Node& name = entry.first;
      const YAML::Node& value = entry.second;
      if (!name.IsScalar()) {
        report(name.Mark(), section, "keys must be plain names, found " + node_text(name));
        continue;
      }
      const std::string path = section.empty() ? name.Scalar() : section + "." + name.Scalar();
      if (path == "extends") {
        if (!value.IsScalar()) report(value.Mark(), path, "expected a preset name, found " + node_text(value));
        continue;
      }
      if (seen_.count(path) != 0) {
        report(name.Mark(), path, "given twice");
        continue;
      }
      seen_.insert(path);
      if (settings::is_section(path)) {
        if (!value.IsMap()) {
          report(value.Mark(), path, "expected a mapping of settings, found " + node_text(value));
          continue;
        }
        walk(value, path, depth + 1);
        continue;
      }
      const Setting* key = settings::find(path);
      if (key == nullptr) {
        std::string message = "unknown key '" + name.Scalar() + "'";
        const std::string close = closest_match(name.Scalar(), names_under(section));
        if (!close.empty()) {
          message += ": did you mean '" + close + "'?";
        } else {
          message += section.empty() ? " at the top level" : " in '" + section + "'";
        }
        report(name.Mark(), path, message);
        continue;
      }
      check_value(*key, value);
    }
  }

  void check_value(const Setting& key, const YAML::Node& value) {
    const std::string expected = "expected " + settings::describe(key);
    if (key.type == Type::list && value.IsSequence()) {
      places_[key.key] = Place{file_, value.Mark()};
      std::string joined;
      if (value.size() == 0) report(value.Mark(), key.key, expected + ", found an empty list");
      for (const YAML::Node& item : value) {
        if (!item.IsScalar() || item.Scalar().empty() || item.Scalar().find('\n') != std::string::npos) {
          report(item.Mark(), key.key, expected + ", found " + node_text(item) + " in the list");
          continue;
        }
        if (!utf8_checked(key, item)) continue;
        if (const settings::Checked checked = settings::check(key, item.Scalar()); !checked.ok) {
          report(item.Mark(), key.key, checked.message + " in the list");
          continue;
        }
        joined += (joined.empty() ? "" : "\n") + item.Scalar();
      }
      // Even with bad items (reported above): the key is there, not missing.
      values_[key.key] = joined;
      return;
    }
    if (!value.IsScalar()) {
      report(value.Mark(), key.key, expected + ", found " + node_text(value));
      return;
    }
    places_[key.key] = Place{file_, value.Mark()};
    if (!utf8_checked(key, value)) return;
    const settings::Checked checked = settings::check(key, value.Scalar());
    if (!checked.ok) {
      std::string message = checked.message;
      if (key.type == Type::choice) {
        const std::string close = closest_match(value.Scalar(), key.choices);
        if (!close.empty()) message += ": did you mean '" + close + "'?";
      }
      report(value.Mark(), key.key, message);
      return;
    }
    values_[key.key] = checked.value;
  }

  // YAML holds Unicode text only. yaml-cpp passes other bytes through, but
  // its emitter cannot write them back (they become U+FFFD), so the job's
  // record (to_yaml) would name another file than the one this job reads.
  bool utf8_checked(const Setting& key, const YAML::Node& value) {
    const std::string& text = value.Scalar();
    const std::size_t bad = invalid_utf8_at(text);
    if (bad == std::string::npos) return true;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
    // What comes before it (valid UTF-8, at most about 40 bytes of it) says where it is.
    std::size_t from = bad > 40 ? bad - 40 : 0;
    while (from < bad && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) ++from;
    report(value.Mark(), key.key,
           "expected UTF-8 text, found the byte " + std::string(byte) + " after '" + (from > 0 ? "..." : "") +
               text.substr(from, bad - from) + "': a job is YAML, which holds Unicode text only");
    return false;
  }

  std::filesystem::path file_;
  bool check_files_;
  std::vector<Diagnostic> diagnostics_;
  std::set<std::string> seen_;
  std::map<std::string, std::string> values_;
  std::map<std::string, Place> places_;
  Place root_place_;
  bool root_set_ = false;
  bool extends_failed_ = false;  // then missing keys are the preset's, not mistakes of their own
};

// GDAL's virtual paths and subdataset names (/vsizip/..., GTIFF_DIR:2:f.tif)
// are not files: they are neither resolved against the job's folder nor
// checked here (the raster reader opens them, and names them if it cannot).
bool is_dataset_name(const std::string& value) {
  return value.rfind("/vsi", 0) == 0 || value.find(':') < value.find('/');
}

std::filesystem::path relative_to(const std::filesystem::path& job, const std::string& value) {
  const std::filesystem::path path(value);
  if (path.is_absolute() || job.parent_path().empty()) return path;
  return job.parent_path() / path;
}

// What can be known of the job's files before any work: the input and model
// exist, the output is not the input, the output's folder exists and can be
// written (a batch's folder is made when missing: a note, not a mistake).
void check_paths(const JobFile& job, const std::filesystem::path& name, Checker& checker,
                 std::vector<Diagnostic>& notes) {
  namespace fs = std::filesystem;
  const auto place = [&](const std::string& key) { return checker.places_[key]; };
  const auto path_of = [&](const std::string& key) { return relative_to(name, job.get(key)); };
  std::error_code ec;
  const std::string input = job.get("input");
  if (!input.empty() && !is_dataset_name(input) && !fs::exists(path_of("input"), ec)) {
    checker.report_at(place("input"), "input", "file '" + path_of("input").string() + "' does not exist");
  }
  if (!job.get("model").empty() && job.get("model").rfind("builtin:", 0) != 0 && !fs::exists(path_of("model"), ec)) {
    checker.report_at(place("model"), "model", "file '" + path_of("model").string() + "' does not exist");
  }
  if (job.get("output").empty()) return;
  // A file output's name, its sameness with the input and its folder's
  // permissions are the writers' checks (encode/output_file), which validate
  // runs through restore_4k's check_job; here only what has a place to name.
  const fs::path output = path_of("output");
  // The folder the output goes in (a batch: the folder itself, or its first
  // existing parent when it is made).
  fs::path folder = job.kind == "batch" ? output : output.parent_path();
  if (folder.empty()) folder = ".";
  if (job.kind == "batch" && !fs::is_directory(folder, ec)) {
    if (fs::exists(folder, ec)) {
      checker.report_at(place("output"), "output", "'" + folder.string() + "' is a file, not a folder");
      return;
    }
    fs::path parent = folder;
    while (!parent.empty() && !fs::exists(parent, ec)) parent = parent.parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
      checker.report_at(place("output"), "output",
                        "folder '" + folder.string() + "' cannot be made: '" + parent.string() + "' is a file");
      return;
    }
    Diagnostic note;
    note.file = place("output").file;
    note.key = "output";
    note.message = "folder '" + folder.string() + "' does not exist yet: the batch makes it";
    notes.push_back(note);
    folder = parent.empty() ? fs::path(".") : parent;
  } else if (!fs::is_directory(folder, ec)) {
    checker.report_at(place("output"), "output", "folder '" + folder.string() + "' does not exist");
    return;
  }
  if (job.kind == "batch") {
    if (::access(folder.c_str(), W_OK) != 0) {
      checker.report_at(place("output"), "output", "folder '" + folder.string() + "' cannot be written (permissions)");
    }
    for (const std::string& item : job.get_list("batch.inputs")) {
      const std::string pattern = relative_to(name, item).string();
      // POSIX glob reads ** as *: a pattern that walks folders is expanded
      // (and an empty one reported) by the batch's own manifest.
      if (pattern.find("**") != std::string::npos) continue;
      glob_t matches{};
      const int status = ::glob(pattern.c_str(), 0, nullptr, &matches);
      globfree(&matches);
      if (status != 0) {
        checker.report_at(place("batch.inputs"), "batch.inputs", "no files match '" + pattern + "'");
      }
    }
  }
}

}  // namespace

std::string Diagnostic::to_string() const {
  std::ostringstream out;
  out << file.string();
  if (line > 0) out << ":" << line << ":" << column;
  out << ": ";
  // A command's positional argument is named by its key already ("input: ...").
  if (!key.empty() && key != file.string()) out << key << ": ";
  out << message;
  return out.str();
}

const std::string& JobFile::get(const std::string& key) const {
  static const std::string empty;
  const auto found = values.find(key);
  return found == values.end() ? empty : found->second;
}

int JobFile::get_int(const std::string& key) const { return std::stoi(get(key)); }

bool JobFile::get_bool(const std::string& key) const { return get(key) == "true"; }

std::vector<std::string> JobFile::get_list(const std::string& key) const {
  std::vector<std::string> items;
  const auto found = values.find(key);
  if (found == values.end() || found->second.empty()) return items;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = found->second.find('\n', start);
    items.push_back(found->second.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return items;
}

std::string JobFile::resolve_path(const std::string& value) const {
  if (value.empty() || value.rfind("builtin:", 0) == 0 || is_dataset_name(value)) return value;
  return relative_to(path, value).string();
}

std::string JobFile::to_yaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::string open_section;
  for (const Setting& key : settings::all()) {
    const auto found = values.find(key.key);
    if (found == values.end()) continue;
    const std::string section = parent_of(key.key);
    if (section != open_section) {
      if (!open_section.empty()) out << YAML::EndMap;
      if (!section.empty()) out << YAML::Key << section << YAML::Value << YAML::BeginMap;
      open_section = section;
    }
    out << YAML::Key << last_part(key.key) << YAML::Value;
    if (key.type == Type::list) {
      // A few items on one line; more (a record's algorithms) one a line.
      const std::vector<std::string> items = get_list(key.key);
      if (items.size() <= 4) out << YAML::Flow;
      out << items;
    } else {
      out << found->second;
    }
  }
  if (!open_section.empty()) out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.size() > 64) return "";  // no key is that long: not a typo
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // A typo: at most a third of the word changed (and never more than 3 edits).
  const std::size_t allowed = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 3));
  return best_distance <= allowed ? best : std::string();
}

Override parse_set_option(const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) return Override{"", assignment, "--set " + assignment};
  return Override{assignment.substr(0, equals), assignment.substr(equals + 1), "--set " + assignment};
}

LoadResult load_job_text(const std::string& text, const std::filesystem::path& name, bool check_files,
                         const std::vector<Override>& overrides) {
  LoadResult result;
  Checker checker(name, check_files);
  std::vector<std::string> chain;
  checker.load_document(text, name, chain);
  if (!checker.root_set_) {  // not a mapping at all: nothing more to say
    result.diagnostics = checker.diagnostics_;
    return result;
  }
  for (const auto& assignment : overrides) checker.apply_override(assignment);
  JobFile job;
  job.path = name;
  const auto kind = checker.values_.find("kind");
  job.kind = kind != checker.values_.end() ? kind->second : "";
  // A batch's item settings are those of its items' kind only.
  const auto item = checker.values_.find("batch.item");
  const std::string batch_item = item != checker.values_.end() ? item->second : "raster";
  const std::string other_items = batch_item == "video" ? "raster." : "video.";
  for (const Setting& key : settings::all()) {
    const bool given = checker.values_.count(key.key) != 0;
    if (job.kind == "batch" && key.key.rfind(other_items, 0) == 0) {
      if (given) {
        checker.report_at(checker.places_[key.key], key.key,
                          "applies to batches of " + std::string(batch_item == "video" ? "rasters" : "videos") +
                              " only; this batch's items are " + batch_item + "s (batch.item)");
      }
      continue;
    }
    if (!applies(key, job.kind)) {
      if (given) {
        std::string kinds;
        for (const auto& k : key.kinds) kinds += (kinds.empty() ? "" : " and ") + k;
        checker.report_at(checker.places_[key.key], key.key,
                       "applies to " + kinds + " jobs only; this is a " + job.kind + " job");
      }
      continue;
    }
    if (given) {
      job.values[key.key] = checker.values_[key.key];
      job.explicit_keys[key.key] = true;
    } else if (key.required && !checker.extends_failed_ && (!job.kind.empty() || key.key == "kind")) {
      // Only when the kind is known (or missing itself): otherwise "kind" is the mistake.
      if (key.key == "kind" && checker.seen_.count("kind") != 0) continue;  // given but invalid: reported
      if (checker.places_.count(key.key) != 0) continue;                     // the same
      checker.report_at(checker.root_place_, key.key, "missing: " + key.doc);
    } else if (!key.default_value.empty()) {
      job.values[key.key] = key.default_value;
    }
  }

  if (check_files && !job.kind.empty()) check_paths(job, name, checker, result.notes);

  result.diagnostics = checker.diagnostics_;
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  if (result.diagnostics.empty()) result.job = std::move(job);
  return result;
}

LoadResult load_job(const std::filesystem::path& path, bool check_files, const std::vector<Override>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    Diagnostic d;
    d.file = path;
    d.message = "cannot read the job file (missing or not readable)";
    result.diagnostics.push_back(d);
    return result;
  }
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  if (!ec && bytes > kMaxFileBytes) {
    LoadResult result;
    Diagnostic d;
    d.file = path;
    d.message = "is " + std::to_string(bytes / 1024) + " KiB: a job file is a few lines of YAML (at most " +
                std::to_string(kMaxFileBytes / 1024) + " KiB); is this the right file?";
    result.diagnostics.push_back(d);
    return result;
  }
  std::string text;
  text.resize(kMaxFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return load_job_text(text, path, check_files, overrides);
}

}  // namespace r4k::config
