// What restore4k's elements share about their settings.
//
// Idiom (every gstr4k*.cpp): the instance struct holds one pointer to a C++
// struct (`impl`, made in init, deleted in finalize) with the property values
// (`settings`, read and written under GST_OBJECT_LOCK: set_property and
// get_property take it, every other reader copies them under it) and the
// runtime state of the streaming thread.
//
// Refusals: a value a GParamSpec can judge (a range, an enum) GLib refuses in
// g_object_set. A string value only the element can judge is kept as given
// and refused when the element starts (NULL->READY or READY->PAUSED) with an
// element error, as GStreamer's own elements do with values they judge when
// they open (filesrc's location, x264enc's option-string). The message names
// the property, the value and what is allowed, so that it reads on its own.
#pragma once

#include <gst/gst.h>

#include <initializer_list>
#include <string>

namespace r4k::pipeline {

// A string property's value ("" for NULL).
inline std::string text_of(const gchar* value) { return value != nullptr ? value : ""; }

bool is_one_of(const std::string& value, std::initializer_list<const char*> choices);
// "a, b or c"
std::string one_of(std::initializer_list<const char*> choices);

// Posts LIBRARY/SETTINGS "Invalid value 'V' for property P: expected E." (with
// `detail` as the debug text when not empty).
void refuse_property(GstElement* element, const char* property, const std::string& value,
                     const std::string& expected, const std::string& detail = "");

// Posts LIBRARY/SETTINGS with `message`, which names the properties at fault.
void refuse_settings(GstElement* element, const std::string& message, const std::string& detail = "");

}  // namespace r4k::pipeline
