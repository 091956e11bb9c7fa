// The settings of restore4k, each defined once: its job-file key, type,
// default, range or choices, unit, one line of documentation, the job kinds
// and commands that have it, its command-line option and the element
// properties that carry it. From this one table come the job schema and its
// diagnostics (config/job_file), the command-line options of every command
// (apps/), the elements' GParamSpecs and GEnum types (pipeline/
// setting_param_specs) and docs/jobs.md (`restore4k jobs-reference`).
//
// Library r4k_settings: no YAML, no GLib, so that the GStreamer plugin can
// use it without depending on the job-file loader.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace r4k::settings {

// text: a string (optionally matching a pattern); size: WIDTHxHEIGHT, each
// side within [min, max]; colour: 0xRRGGBB; list: one string or a YAML
// sequence of them (stored joined by newlines).
enum class Type { text, integer, number, boolean, choice, size, colour, path, list };

// How a command-line option sets the value.
enum class Flag {
  none,       // --tile 256
  sets_true,  // --deflicker
  sets_false  // --no-audio
};

// An element property that carries the setting. A size setting maps onto two
// properties (width, height). An element may start from another default
// than a job does (r4ksuperres is a generic upscaler: bicubic x4 unless told);
// that default lives here too, with the reason.
struct Property {
  std::string element;  // "r4ksuperres"
  std::string name;     // "tile-size"; a size: "width"
  std::string second;   // a size: "height"
  std::optional<std::string> element_default;
  // An element that allows 0 as "unset" (r4krestore width/height = no fit).
  bool zero_unsets = false;
};

struct Setting {
  std::string key;  // "engine.tile"
  Type type = Type::text;
  std::string default_value;  // as text; "" with required = false: unset
  std::optional<double> min;  // integer, number, size (each side)
  std::optional<double> max;
  std::vector<std::string> choices;                         // choice
  std::vector<std::pair<std::string, std::string>> words;  // other spellings of a value: {"auto", "-1"}
  std::string pattern;      // text: an ECMAScript regex the whole value must match ("" = any)
  std::string pattern_doc;  // what the pattern means: "band numbers such as 4,3,2"
  std::string unit;         // "px", "frames", ... ("" = none)
  bool required = false;
  std::vector<std::string> kinds;  // job kinds the key applies to; empty: all
  std::string doc;
  // Command line: CLI11 names ("-t,--tile"); "" = job files only (the key is
  // set another way: a positional argument, the command itself).
  std::string option;
  Flag flag = Flag::none;
  std::vector<std::string> commands;  // the commands that have the option
  std::vector<Property> properties;
};

// Every setting, in documentation order.
const std::vector<Setting>& all();

// The setting with job key `key`, or nullptr.
const Setting* find(const std::string& key);

// The setting an element property carries, or nullptr.
const Setting* find_property(const std::string& element, const std::string& property);
// That setting's record of the property (nullptr when none).
const Property* property_of(const Setting& setting, const std::string& element);

// True when `key` is a section ("engine") that holds keys.
bool is_section(const std::string& key);

// "an integer from 0 to 16384", "one of gtiff, cog", ...
std::string describe(const Setting& setting);

// A value given as text, checked once: `value` is the canonical text
// ("auto" -> "-1", "yes" -> "true", "#ff0000" -> "0xff0000") when ok,
// `message` says what was expected and what was found otherwise.
struct Checked {
  bool ok = false;
  std::string value;
  std::string message;  // "expected an integer from 0 to 16384, found -5 (out of range)"
};
Checked check(const Setting& setting, const std::string& text);

// Enums that mirror a choice setting list their values in the order of its
// choices: these map between the two (`choice_index` is empty for a text
// that is not a choice).
std::optional<int> choice_index(const std::string& key, const std::string& text);
const std::string& choice_name(const std::string& key, int index);

// Typed readers of a canonical value (one that `check` accepted).
long long as_integer(const std::string& value);
double as_number(const std::string& value);
bool as_boolean(const std::string& value);
std::pair<int, int> as_size(const std::string& value);  // "" -> {0, 0}
unsigned as_colour(const std::string& value);
// engine.algorithms: LAYER@SHAPE=ALGORITHM items separated by newlines (a
// job's list) or ';' (an element property) as LAYER@SHAPE -> ALGORITHM.
// Throws std::invalid_argument whose what() is the first item not of that form.
std::map<std::string, std::string> as_algorithms(const std::string& value);
// The map as such items, joined by `separator` ('\n' for a job, ';' for an element).
std::string algorithms_text(const std::map<std::string, std::string>& algorithms, char separator);

// The presets of presets/*.yaml (compiled in at build time), as flat
// key/value pairs in file order: what `extends: NAME` and
// `r4krestore preset=NAME` start from.
struct PresetValue {
  std::string key;  // "video.fit"
  std::string value;
};
struct Preset {
  std::string name;  // "film-4k"
  std::vector<PresetValue> values;
  // The value of `key`, or nullptr.
  const std::string* find(const std::string& key) const;
};
const std::vector<Preset>& presets();
const Preset* find_preset(const std::string& name);

// The reference documentation (Markdown) of the job keys: docs/jobs.md.
std::string jobs_reference_markdown();

}  // namespace r4k::settings
