#include "pipeline/pipeline_runner.hpp"
#include "pipeline/stage_threads.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include "pipeline/elements.hpp"
#include "pipeline/input_damage.hpp"
#include "pipeline/stream_cut.hpp"
#include "core/error.hpp"

namespace r4k::pipeline {
namespace {

// How long an interrupted pipeline may take to drain the frames in flight.
constexpr std::chrono::seconds kDrainTimeout{120};

struct GstObjectUnref {
  void operator()(gpointer object) const { gst_object_unref(object); }
};
struct GstMessageUnref {
  void operator()(GstMessage* message) const { gst_message_unref(message); }
};
using ElementPtr = std::unique_ptr<GstElement, GstObjectUnref>;
using BusPtr = std::unique_ptr<GstBus, GstObjectUnref>;
using PadPtr = std::unique_ptr<GstPad, GstObjectUnref>;
using MessagePtr = std::unique_ptr<GstMessage, GstMessageUnref>;

// Errors the user can fix by changing the input or the options.
bool caused_by_input(const GError* error) {
  if (error->domain == GST_RESOURCE_ERROR) {
    return error->code == GST_RESOURCE_ERROR_NOT_FOUND || error->code == GST_RESOURCE_ERROR_OPEN_READ ||
           error->code == GST_RESOURCE_ERROR_OPEN_WRITE || error->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE ||
           error->code == GST_RESOURCE_ERROR_SETTINGS;
  }
  if (error->domain == GST_STREAM_ERROR) {
    return error->code == GST_STREAM_ERROR_FORMAT || error->code == GST_STREAM_ERROR_DECODE ||
           error->code == GST_STREAM_ERROR_DEMUX || error->code == GST_STREAM_ERROR_TYPE_NOT_FOUND ||
           error->code == GST_STREAM_ERROR_WRONG_TYPE || error->code == GST_STREAM_ERROR_CODEC_NOT_FOUND;
  }
  // Our elements refuse property values as LIBRARY/SETTINGS (pipeline/element_settings.hpp).
  if (error->domain == GST_LIBRARY_ERROR) return error->code == GST_LIBRARY_ERROR_SETTINGS;
  return error->domain == GST_CORE_ERROR && error->code == GST_CORE_ERROR_NEGOTIATION;
}

std::string debug_detail(const gchar* debug) { return debug != nullptr ? without_source_location(debug) : ""; }

[[noreturn]] void throw_message(GstMessage* message) {
  GError* error = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &error, &debug);
  std::string text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " + error->message;
  if (const std::string detail = debug_detail(debug); !detail.empty()) text += " (" + detail + ")";
  const bool input = caused_by_input(error);
  g_error_free(error);
  g_free(debug);
  if (input) throw InputError(text);
  throw Error(text);
}

GstPadProbeReturn count_buffer(GstPad*, GstPadProbeInfo*, gpointer counter) {
  static_cast<std::atomic<std::uint64_t>*>(counter)->fetch_add(1, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

}  // namespace

std::string without_source_location(const std::string& debug) {
  // gst_element_message_full_with_details writes "%s(%d): %s (): %s": file,
  // line, function and the element's path, then ":\n" and the element's own
  // text when it gave one.
  const auto newline = debug.find('\n');
  const std::string first = debug.substr(0, newline);
  if (newline != std::string::npos && (first.empty() || first.back() != ':')) return debug;
  // The "(LINE): " after the file name (which may hold parentheses itself).
  for (auto open = first.find('('); open != std::string::npos && open > 0; open = first.find('(', open + 1)) {
    std::size_t end = open + 1;
    while (end < first.size() && first[end] >= '0' && first[end] <= '9') ++end;
    if (end == open + 1 || first.compare(end, 3, "): ") != 0) continue;
    if (first.find(" (): ", end + 3) == std::string::npos) return debug;
    return newline == std::string::npos ? std::string() : debug.substr(newline + 1);
  }
  return debug;
}

void initialise_gstreamer() {
  static std::once_flag once;
  std::call_once(once, [] {
    gst_init(nullptr, nullptr);
    register_static_plugin();
  });
}

std::string gst_launch_line(const PipelineArguments& arguments) {
  std::string line = "gst-launch-1.0 -e";
  for (const auto& argument : arguments) {
    const bool plain = argument.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,:/!@%") ==
                       std::string::npos;
    line += " ";
    if (plain && !argument.empty()) {
      line += argument;
      continue;
    }
    line += "'";
    for (char c : argument) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += "'";
  }
  return line;
}

PipelineResult run_pipeline(const PipelineArguments& arguments, const PipelineRunOptions& options) {
  initialise_gstreamer();
  std::vector<const gchar*> argv;
  for (const auto& argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  GError* parse_error = nullptr;
  ElementPtr pipeline(gst_parse_launchv(argv.data(), &parse_error));
  if (pipeline) gst_object_ref_sink(pipeline.get());  // take the floating reference
  if (parse_error != nullptr) {
    const std::string message = parse_error->message;
    g_error_free(parse_error);
    throw InputError("invalid pipeline: " + message);
  }
  BusPtr bus(gst_element_get_bus(pipeline.get()));

  // Destroyed after the pipeline has stopped (declared before it is stopped).
  std::optional<StreamCut> cut;
  if (!options.cut_video.empty()) cut.emplace(pipeline.get(), options.cut_video, options.cut_others);

  // Tear the pipeline down on every exit path.
  struct StopOnExit {
    GstElement* pipeline;
    ~StopOnExit() { gst_element_set_state(pipeline, GST_STATE_NULL); }
  } stop_on_exit{pipeline.get()};

  // Bins such as r4krestore make their children on the way to READY.
  if (gst_element_set_state(pipeline.get(), GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
    MessagePtr message(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
    if (message) throw_message(message.get());
    throw Error("the pipeline failed to start");
  }

  std::atomic<std::uint64_t> frames{0};
  if (!options.count_element.empty()) {
    ElementPtr counted(gst_bin_get_by_name(GST_BIN(pipeline.get()), options.count_element.c_str()));
    if (!counted) throw Error("pipeline has no element named '" + options.count_element + "'");
    PadPtr pad(gst_element_get_static_pad(counted.get(), "src"));
    gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &frames, nullptr);
  }

  ElementPtr total_element;
  std::string total_name;
  if (const auto dot = options.total_property.find('.'); dot != std::string::npos) {
    total_element.reset(gst_bin_get_by_name(GST_BIN(pipeline.get()), options.total_property.substr(0, dot).c_str()));
    total_name = options.total_property.substr(dot + 1);
    if (!total_element || g_object_class_find_property(G_OBJECT_GET_CLASS(total_element.get()), total_name.c_str()) ==
                              nullptr) {
      throw Error("pipeline has no property '" + options.total_property + "'");
    }
  }
  const auto read_total = [&]() -> std::int64_t {
    if (!total_element) return 0;
    gint total = 0;
    g_object_get(total_element.get(), total_name.c_str(), &total, nullptr);
    return total;
  };

  PipelineResult result;
  ElementPtr damage_element;
  std::string damage_name;
  if (const auto dot = options.damage_property.find('.'); dot != std::string::npos) {
    damage_element.reset(gst_bin_get_by_name(GST_BIN(pipeline.get()), options.damage_property.substr(0, dot).c_str()));
    damage_name = options.damage_property.substr(dot + 1);
  }
  const auto note_damage = [&](const std::string& text) {
    result.damage.push_back(text);
    if (damage_element) g_object_set(damage_element.get(), damage_name.c_str(), text.c_str(), nullptr);
  };
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    MessagePtr message(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
    if (message) throw_message(message.get());
    throw Error("the pipeline failed to start");
  }

  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  bool eos_sent = false;
  auto eos_sent_at = start;
  while (true) {
    MessagePtr message(gst_bus_timed_pop_filtered(
        bus.get(), 100 * GST_MSECOND,
        static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_WARNING | GST_MESSAGE_INFO |
                                    GST_MESSAGE_ELEMENT)));
    const auto now = std::chrono::steady_clock::now();
    if (message) {
      const GstMessageType type = GST_MESSAGE_TYPE(message.get());
      if (type == GST_MESSAGE_ERROR) throw_message(message.get());
      if (type == GST_MESSAGE_EOS) break;
      if (type == GST_MESSAGE_ELEMENT) {
        if (const auto damage = input_damage_of(message.get())) {
          spdlog::warn("damaged input: {}", *damage);
          // The element that reported it knows already.
          result.damage.push_back(*damage);
        }
      } else {
        GError* problem = nullptr;
        gchar* debug = nullptr;
        if (type == GST_MESSAGE_INFO) {
          gst_message_parse_info(message.get(), &problem, &debug);
        } else {
          gst_message_parse_warning(message.get(), &problem, &debug);
        }
        const std::string detail = type == GST_MESSAGE_WARNING ? debug_detail(debug) : std::string();
        const std::string text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message.get()))) + ": " +
                                 problem->message + (detail.empty() ? std::string() : " (" + detail + ")");
        // A stream that could not be linked stalls the muxer for ever: fatal.
        const bool fatal = type == GST_MESSAGE_WARNING && problem->domain == GST_PARSE_ERROR;
        // Data a decoder or demuxer could not read is damaged input.
        const bool damaged = type == GST_MESSAGE_WARNING && problem->domain == GST_STREAM_ERROR &&
                             (problem->code == GST_STREAM_ERROR_DECODE || problem->code == GST_STREAM_ERROR_DEMUX);
        g_error_free(problem);
        g_free(debug);
        if (fatal) throw Error(text);
        if (type == GST_MESSAGE_INFO) {
          spdlog::info("{}", text);
        } else {
          spdlog::warn("{}", text);
          if (damaged) note_damage(text);
        }
      }
    }
    if (options.abort != nullptr && options.abort->load()) {
      spdlog::warn("interrupted again: stopping at once");
      throw Interrupted();
    }
    if (!eos_sent && options.interrupt != nullptr && options.interrupt->load()) {
      spdlog::warn("interrupted: finishing the output file with the frames in flight (Ctrl-C again to stop at once)");
      if (const auto dot = options.interrupt_flag.find('.'); dot != std::string::npos) {
        ElementPtr flagged(gst_bin_get_by_name(GST_BIN(pipeline.get()), options.interrupt_flag.substr(0, dot).c_str()));
        if (flagged) g_object_set(flagged.get(), options.interrupt_flag.substr(dot + 1).c_str(), TRUE, nullptr);
      }
      if (cut) {
        cut->cut();
      } else {
        gst_element_send_event(pipeline.get(), gst_event_new_eos());
      }
      eos_sent = true;
      eos_sent_at = now;
      result.interrupted = true;
    }
    if (eos_sent && now - eos_sent_at > kDrainTimeout) {
      throw Error("the pipeline did not finish within " + std::to_string(kDrainTimeout.count()) +
                  " s of the interrupt; the output is incomplete");
    }
    if (options.progress && now - last_progress >= std::chrono::seconds(1)) {
      options.progress({frames.load(), std::chrono::duration<double>(now - start).count(), read_total()});
      last_progress = now;
    }
  }
  result.frames = frames.load();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const std::string& name : options.read_after) {
    const auto dot = name.find('.');
    if (dot == std::string::npos) continue;
    ElementPtr element(gst_bin_get_by_name(GST_BIN(pipeline.get()), name.substr(0, dot).c_str()));
    const std::string property = name.substr(dot + 1);
    if (!element) continue;
    GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(element.get()), property.c_str());
    if (spec == nullptr || spec->value_type != G_TYPE_STRING) continue;
    gchar* value = nullptr;
    g_object_get(element.get(), property.c_str(), &value, nullptr);
    result.properties[name] = value != nullptr ? value : "";
    g_free(value);
  }
  if (options.map_stage_threads) result.stage_threads = stage_threads(pipeline.get());
  return result;
}

}  // namespace r4k::pipeline
