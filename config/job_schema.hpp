// The job-file schema: every key a `restore4k run` job may hold, with its
// type, default, range or choices, and one line of documentation. Keys are
// dotted paths ("engine.tile"); a job is a YAML mapping nested the same way.
// docs/jobs.md is generated from this table (`restore4k jobs-reference`)
// and a test keeps the two equal.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace r4k::config {

// list: one string, or a YAML sequence of them (stored joined by newlines).
enum class ValueType { string, integer, number, boolean, choice, path, list };

struct KeySpec {
  std::string path;           // "engine.tile"
  ValueType type = ValueType::string;
  std::string default_value;  // as YAML text; "" with required = false: unset
  std::optional<double> min;  // integer, number
  std::optional<double> max;
  std::vector<std::string> choices;  // choice
  std::string pattern;      // strings: an ECMAScript regex the whole value must match ("" = any)
  std::string pattern_doc;  // what the pattern means, for messages: "WIDTHxHEIGHT such as 3840x2160"
  bool required = false;
  std::vector<std::string> kinds;  // job kinds the key applies to; empty: all
  std::string doc;
};

// Every key, in documentation order.
const std::vector<KeySpec>& job_keys();

// The key at `path`, or nullptr.
const KeySpec* find_key(const std::string& path);

// True when `path` is a section ("engine") that holds keys.
bool is_section(const std::string& path);

// "an integer from 8 to 16384", "one of gtiff, cog", ...
std::string describe_type(const KeySpec& key);

// The reference documentation (Markdown) of the schema.
std::string jobs_reference_markdown();

}  // namespace r4k::config
