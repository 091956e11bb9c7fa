// Element properties made from the settings table (config/settings): the
// GParamSpec of a property that carries a setting has the setting's type,
// range, default and documentation; a choice is a GEnum (so gst-inspect-1.0
// lists its values and gst-launch-1.0 refuses others by name). An element
// declares which of its properties carry settings in the table, never their
// ranges or choices.
#pragma once

#include <string>

#include <glib-object.h>

#include "config/settings.hpp"

namespace r4k::pipeline {

// The GEnum type of a choice setting ("GstR4kEngineBackend": one value per
// choice, nick = the choice).
GType setting_enum_type(const settings::Setting& setting);

// The spec of `element`'s property `name` (a size setting's width or height)
// from the setting that carries it; throws r4k::Error when the table has no
// such property (a programming error, found by the element tests).
GParamSpec* setting_param_spec(const std::string& element, const std::string& name, GParamFlags flags);

// Installs that spec as property `id` of `klass`.
void install_setting_property(GObjectClass* klass, guint id, const std::string& element, const std::string& name,
                              GParamFlags flags);

// A choice property's value as the setting's text, and back.
std::string choice_text(const GValue* value, const settings::Setting& setting);
void set_choice(GValue* value, const settings::Setting& setting, const std::string& text);

// The default of `element`'s property for `setting`, as the setting's
// canonical text (the element's own default where the table gives one).
std::string element_default(const settings::Setting& setting, const std::string& element);

}  // namespace r4k::pipeline
