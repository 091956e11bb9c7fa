#include "pipeline/setting_param_specs.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "core/error.hpp"

namespace r4k::pipeline {
namespace {

// "engine.fit_mode" -> "GstR4kEngineFitMode"
std::string type_name(const std::string& key) {
  std::string name = "GstR4k";
  bool upper = true;
  for (const char c : key) {
    if (c == '.' || c == '_') {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return name;
}

// "tile-size" -> "Tile size"
std::string nick_of(const std::string& property) {
  std::string nick = property;
  std::replace(nick.begin(), nick.end(), '-', ' ');
  if (!nick.empty()) nick[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(nick[0])));
  return nick;
}

// Param specs keep their strings by pointer (G_PARAM_STATIC_STRINGS): the
// texts live as long as the program.
const char* kept(const std::string& text) {
  static std::mutex mutex;
  static std::map<std::string, std::string>* texts = new std::map<std::string, std::string>();
  const std::lock_guard<std::mutex> lock(mutex);
  return texts->emplace(text, text).first->second.c_str();
}

int choice_index(const settings::Setting& setting, const std::string& text) {
  const auto found = std::find(setting.choices.begin(), setting.choices.end(), text);
  if (found == setting.choices.end()) throw Error(setting.key + ": '" + text + "' is not one of its choices");
  return static_cast<int>(found - setting.choices.begin());
}

}  // namespace

GType setting_enum_type(const settings::Setting& setting) {
  static std::mutex mutex;
  static std::map<std::string, GType> types;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto found = types.find(setting.key);
  if (found != types.end()) return found->second;
  // GLib keeps the value array for the life of the type: allocated once, never freed.
  auto* values = new GEnumValue[setting.choices.size() + 1]{};
  for (std::size_t i = 0; i < setting.choices.size(); ++i) {
    values[i].value = static_cast<gint>(i);
    values[i].value_name = kept(setting.choices[i]);
    values[i].value_nick = kept(setting.choices[i]);
  }
  const GType type = g_enum_register_static(kept(type_name(setting.key)), values);
  types.emplace(setting.key, type);
  return type;
}

std::string element_default(const settings::Setting& setting, const std::string& element) {
  const settings::Property* property = settings::property_of(setting, element);
  if (property != nullptr && property->element_default) return *property->element_default;
  return setting.default_value;
}

GParamSpec* setting_param_spec(const std::string& element, const std::string& name, GParamFlags flags) {
  const settings::Setting* setting = settings::find_property(element, name);
  if (setting == nullptr) throw Error(element + " " + name + ": no setting in config/settings.cpp carries it");
  const settings::Property& property = *settings::property_of(*setting, element);
  const std::string def = element_default(*setting, element);
  const char* pname = kept(name);
  const char* nick = kept(nick_of(name));
  const char* blurb = kept(setting->doc + " (job key " + setting->key + ")");
  switch (setting->type) {
    case settings::Type::boolean:
      return g_param_spec_boolean(pname, nick, blurb, settings::as_boolean(def), flags);
    case settings::Type::integer:
      return g_param_spec_int(pname, nick, blurb, static_cast<gint>(*setting->min), static_cast<gint>(*setting->max),
                              static_cast<gint>(settings::as_integer(def)), flags);
    case settings::Type::number:
      return g_param_spec_double(pname, nick, blurb, *setting->min, *setting->max, settings::as_number(def), flags);
    case settings::Type::choice:
      return g_param_spec_enum(pname, nick, blurb, setting_enum_type(*setting), choice_index(*setting, def), flags);
    case settings::Type::colour:
      return g_param_spec_uint(pname, nick, blurb, 0, 0xffffff, settings::as_colour(def), flags);
    case settings::Type::size: {
      const auto [width, height] = settings::as_size(def);
      const bool first = name == property.name;
      const guint minimum = property.zero_unsets ? 0 : static_cast<guint>(*setting->min);
      return g_param_spec_uint(pname, nick, blurb, minimum, static_cast<guint>(*setting->max),
                               static_cast<guint>(first ? width : height), flags);
    }
    case settings::Type::text:
    case settings::Type::path:
    case settings::Type::list:
      return g_param_spec_string(pname, nick, blurb, def.empty() ? nullptr : kept(def), flags);
  }
  throw Error(element + " " + name + ": a setting type without a property type");
}

void install_setting_property(GObjectClass* klass, guint id, const std::string& element, const std::string& name,
                              GParamFlags flags) {
  g_object_class_install_property(klass, id, setting_param_spec(element, name, flags));
}

std::string choice_text(const GValue* value, const settings::Setting& setting) {
  const gint index = g_value_get_enum(value);
  if (index < 0 || static_cast<std::size_t>(index) >= setting.choices.size()) return setting.default_value;
  return setting.choices[static_cast<std::size_t>(index)];
}

void set_choice(GValue* value, const settings::Setting& setting, const std::string& text) {
  g_value_set_enum(value, choice_index(setting, text));
}

}  // namespace r4k::pipeline
