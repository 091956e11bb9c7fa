#include "pipeline/element_settings.hpp"

namespace r4k::pipeline {

bool is_one_of(const std::string& value, std::initializer_list<const char*> choices) {
  for (const char* choice : choices) {
    if (value == choice) return true;
  }
  return false;
}

std::string one_of(std::initializer_list<const char*> choices) {
  std::string text;
  std::size_t i = 0;
  for (const char* choice : choices) {
    if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
    text += choice;
    ++i;
  }
  return text;
}

void refuse_property(GstElement* element, const char* property, const std::string& value,
                     const std::string& expected, const std::string& detail) {
  refuse_settings(element, "Invalid value '" + value + "' for property " + property + ": expected " + expected + ".",
                  detail);
}

void refuse_settings(GstElement* element, const std::string& message, const std::string& detail) {
  // What GST_ELEMENT_ERROR expands to; the element takes both strings.
  gst_element_message_full(element, GST_MESSAGE_ERROR, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
                           g_strdup(message.c_str()), detail.empty() ? nullptr : g_strdup(detail.c_str()), __FILE__,
                           GST_FUNCTION, __LINE__);
}

}  // namespace r4k::pipeline
