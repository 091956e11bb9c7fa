#include "pipeline/input_damage.hpp"

namespace r4k::pipeline {
namespace {

constexpr const char* kInputDamage = "r4k-input-damage";

}  // namespace

void post_input_damage(GstElement* element, const std::string& description) {
  GstStructure* structure = gst_structure_new(kInputDamage, "description", G_TYPE_STRING, description.c_str(), nullptr);
  gst_element_post_message(element, gst_message_new_element(GST_OBJECT(element), structure));
}

std::optional<std::string> input_damage_of(GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ELEMENT) return std::nullopt;
  const GstStructure* structure = gst_message_get_structure(message);
  if (structure == nullptr || !gst_structure_has_name(structure, kInputDamage)) return std::nullopt;
  const char* description = gst_structure_get_string(structure, "description");
  return std::string(description != nullptr ? description : "");
}

}  // namespace r4k::pipeline
