#include "tests/support/launch_line.hpp"

namespace r4k::test {

LaunchOutcome run_launch_line(const std::string& launch, const std::function<void(GstElement*)>& before_stop) {
  LaunchOutcome outcome;
  GError* parse_error = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &parse_error);
  // A value a property refuses (an enum's unknown nick) is a recoverable
  // parse error: the pipeline is made without it, and the error says which.
  if (pipeline == nullptr || parse_error != nullptr) {
    outcome.error = true;
    outcome.message = parse_error != nullptr ? parse_error->message : "parse failed";
    g_clear_error(&parse_error);
    if (pipeline != nullptr) gst_object_unref(pipeline);
    return outcome;
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* message = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
                                                   static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  if (message == nullptr) {
    outcome.timed_out = true;
  } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    GError* error = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(message, &error, &debug);
    outcome.error = true;
    outcome.message = error->message;
    outcome.debug = debug != nullptr ? debug : "";
    g_clear_error(&error);
    g_free(debug);
  }
  if (message != nullptr) gst_message_unref(message);
  if (before_stop) before_stop(pipeline);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return outcome;
}

}  // namespace r4k::test
