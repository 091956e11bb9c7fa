// The settings table walked: for every setting, its command-line option
// exists on every command the table names (or the setting is one of the few
// set another way), its job key loads, every element property it names
// exists with the table's type, range, default and choices (a GEnum), and
// a value out of range is refused by the CLI, the job loader and the element
// alike, the CLI and the loader naming the allowed range.
#include <gtest/gtest.h>
#include <gst/gst.h>

#include <set>

#include "config/job_file.hpp"
#include "config/settings.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "pipeline/setting_param_specs.hpp"
#include "tests/support/command_runner.hpp"

namespace {

using r4k::settings::Setting;
using r4k::settings::Type;

struct ElementObject {
  GstElement* element = nullptr;
  explicit ElementObject(const std::string& name) : element(gst_element_factory_make(name.c_str(), nullptr)) {}
  ~ElementObject() {
    if (element != nullptr) gst_object_unref(element);
  }
};

std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// A job kind the setting applies to, for loading it in a job.
std::string kind_for(const Setting& s) {
  if (s.kinds.empty()) return "raster";
  return s.kinds.front();
}

std::string job_text(const std::string& kind) {
  if (kind == "batch") return "kind: batch\noutput: out\nbatch:\n  inputs: \"*.tif\"\n";
  return "kind: " + kind + "\ninput: in\noutput: out.x\n";
}

// A value the setting must refuse ("" when every text is valid).
std::string bad_value(const Setting& s) {
  switch (s.type) {
    case Type::integer:
    case Type::number:
      return number(*s.max + 1);
    case Type::choice:
      return "bogus";
    case Type::size:
      return number(*s.max + 2) + "x100";
    case Type::colour:
      return "0x12345";
    case Type::boolean:
      return "maybe";
    default:
      return s.pattern.empty() ? "" : "{not this}";
  }
}

// The first long name ("--colour" of "--colour,--color"): the one CLI11 names.
std::string long_name(const std::string& option) {
  const auto at = option.find("--");
  return option.substr(at, option.find(',', at) - at);
}

TEST(SettingsTable, EverySettingIsTheSameInTheCliTheJobFileAndTheElements) {
  r4k::pipeline::initialise_gstreamer();
  std::map<std::string, std::string> help;
  for (const char* command : {"image", "video", "raster", "batch"}) {
    const auto run = r4k::testing::run_command(R4K_EXECUTABLE, {command, "--help"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    help[command] = run.output;
  }
  std::set<std::string> file_only;
  int properties = 0;
  for (const Setting& s : r4k::settings::all()) {
    SCOPED_TRACE(s.key);
    // The command line.
    if (s.option.empty()) {
      file_only.insert(s.key);
    } else {
      ASSERT_FALSE(s.commands.empty());
      for (const std::string& command : s.commands) {
        EXPECT_NE(help[command].find(long_name(s.option)), std::string::npos) << command << " --help lacks " << s.option;
      }
    }
    // The job file: the default loads, a bad value is refused naming the range.
    const std::string kind = kind_for(s);
    if (!s.default_value.empty() && s.key != "kind") {
      const auto loaded = r4k::config::load_job_text(job_text(kind), "j.yaml", false,
                                                     {{s.key, s.default_value, "--set " + s.key}});
      EXPECT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics.front().to_string());
    }
    const std::string bad = bad_value(s);
    if (!bad.empty() && s.key != "kind") {
      const auto loaded = r4k::config::load_job_text(job_text(kind), "j.yaml", false, {{s.key, bad, "--set"}});
      ASSERT_FALSE(loaded.ok());
      const std::string message = loaded.diagnostics.front().to_string();
      EXPECT_NE(message.find(s.key + ": expected " + r4k::settings::describe(s)), std::string::npos) << message;
      if (!s.option.empty() && s.flag == r4k::settings::Flag::none) {
        const std::string command = s.commands.front();
        const auto run = r4k::testing::run_command(
            R4K_EXECUTABLE, {command, "in", "out", long_name(s.option), bad});
        EXPECT_EQ(run.exit_code, 2) << run.output;
        EXPECT_NE(run.output.find(long_name(s.option) + ": expected " + r4k::settings::describe(s)),
                  std::string::npos)
            << run.output;
      }
    }
    // The elements.
    for (const r4k::settings::Property& p : s.properties) {
      SCOPED_TRACE(p.element + " " + p.name);
      ElementObject object(p.element);
      ASSERT_NE(object.element, nullptr) << p.element;
      for (const std::string& name : {p.name, p.second}) {
        if (name.empty()) continue;
        ++properties;
        GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(object.element), name.c_str());
        ASSERT_NE(spec, nullptr) << p.element << " has no property " << name;
        const std::string def = r4k::pipeline::element_default(s, p.element);
        EXPECT_NE(spec->flags & G_PARAM_STATIC_STRINGS, 0u);
        switch (s.type) {
          case Type::integer: {
            ASSERT_TRUE(G_IS_PARAM_SPEC_INT(spec));
            const auto* i = G_PARAM_SPEC_INT(spec);
            EXPECT_EQ(i->minimum, *s.min);
            EXPECT_EQ(i->maximum, *s.max);
            EXPECT_EQ(i->default_value, r4k::settings::as_integer(def));
            // GLib refuses a value outside the range: the default stays.
            g_object_set(object.element, name.c_str(), static_cast<gint>(*s.max + 1), nullptr);
            gint now = 0;
            g_object_get(object.element, name.c_str(), &now, nullptr);
            EXPECT_EQ(now, i->default_value);
            break;
          }
          case Type::number: {
            ASSERT_TRUE(G_IS_PARAM_SPEC_DOUBLE(spec));
            const auto* d = G_PARAM_SPEC_DOUBLE(spec);
            EXPECT_EQ(d->minimum, *s.min);
            EXPECT_EQ(d->maximum, *s.max);
            EXPECT_EQ(d->default_value, r4k::settings::as_number(def));
            break;
          }
          case Type::boolean:
            ASSERT_TRUE(G_IS_PARAM_SPEC_BOOLEAN(spec));
            EXPECT_EQ(G_PARAM_SPEC_BOOLEAN(spec)->default_value != 0, r4k::settings::as_boolean(def));
            break;
          case Type::choice: {
            ASSERT_TRUE(G_IS_PARAM_SPEC_ENUM(spec)) << "a choice is a GEnum, so gst-inspect-1.0 lists its values";
            GEnumClass* values = G_PARAM_SPEC_ENUM(spec)->enum_class;
            ASSERT_EQ(values->n_values, s.choices.size());
            for (std::size_t k = 0; k < s.choices.size(); ++k) {
              EXPECT_STREQ(values->values[k].value_nick, s.choices[k].c_str());
            }
            EXPECT_STREQ(g_enum_get_value(values, G_PARAM_SPEC_ENUM(spec)->default_value)->value_nick, def.c_str());
            break;
          }
          case Type::colour:
            ASSERT_TRUE(G_IS_PARAM_SPEC_UINT(spec));
            EXPECT_EQ(G_PARAM_SPEC_UINT(spec)->maximum, 0xffffffu);
            EXPECT_EQ(G_PARAM_SPEC_UINT(spec)->default_value, r4k::settings::as_colour(def));
            break;
          case Type::size:
            ASSERT_TRUE(G_IS_PARAM_SPEC_UINT(spec));
            EXPECT_EQ(G_PARAM_SPEC_UINT(spec)->maximum, *s.max);
            EXPECT_EQ(G_PARAM_SPEC_UINT(spec)->minimum, p.zero_unsets ? 0u : static_cast<guint>(*s.min));
            break;
          default:
            ASSERT_TRUE(G_IS_PARAM_SPEC_STRING(spec));
            EXPECT_STREQ(G_PARAM_SPEC_STRING(spec)->default_value, def.empty() ? nullptr : def.c_str());
            break;
        }
      }
    }
  }
  // The settings set another way than an option: the command itself, its
  // positional arguments; and the algorithms a job record pins (what its run chose).
  EXPECT_EQ(file_only, (std::set<std::string>{"kind", "input", "output", "batch.inputs", "engine.algorithms"}));
  EXPECT_GE(properties, 30);
}

// The presets' one home is presets/*.yaml: the elements' table and the job
// loader read the same files (no second definition to keep equal).
TEST(SettingsTable, EveryPresetValueIsASettingsValue) {
  ASSERT_FALSE(r4k::settings::presets().empty());
  for (const auto& preset : r4k::settings::presets()) {
    for (const auto& value : preset.values) {
      SCOPED_TRACE(preset.name + " " + value.key);
      const Setting* s = r4k::settings::find(value.key);
      ASSERT_NE(s, nullptr);
      EXPECT_TRUE(r4k::settings::check(*s, value.value).ok) << value.value;
    }
  }
}

}  // namespace
