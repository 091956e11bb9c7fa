#include "pipeline/stream_cut.hpp"

#include <mutex>

#include "core/error.hpp"

namespace r4k::pipeline {

// Shared by the gates of one cut.
struct CutState {
  std::atomic<bool> cutting{false};
  std::mutex mutex;
  // End of the last frame the video gate let through (stream time), and
  // whether the video gate has closed (then `end` is final).
  GstClockTime end = GST_CLOCK_TIME_NONE;
  bool video_closed = false;
};

struct StreamCut::Gate {
  GstPad* pad = nullptr;
  gulong probe = 0;
  bool video = false;
  std::shared_ptr<CutState> state;
  std::atomic<bool> closed{false};
  std::atomic<bool> sending_eos{false};
};

namespace {

// Closes the gate: EOS downstream (our own, which the probe lets through).
void close_gate(StreamCut::Gate& gate) {
  gate.closed.store(true);
  gate.sending_eos.store(true);
  if (GST_PAD_IS_SRC(gate.pad)) {
    gst_pad_push_event(gate.pad, gst_event_new_eos());
  } else {
    gst_pad_send_event(gate.pad, gst_event_new_eos());
  }
  gate.sending_eos.store(false);
}

GstPadProbeReturn on_data(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto& gate = *static_cast<StreamCut::Gate*>(data);
  CutState& state = *gate.state;
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    // After the gate closed, only the gate's own EOS goes on.
    if (!gate.closed.load() || gate.sending_eos.load()) return GST_PAD_PROBE_OK;
    return GST_PAD_PROBE_DROP;
  }
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!gate.closed.load()) {
    if (!state.cutting.load()) {
      if (gate.video && GST_BUFFER_PTS_IS_VALID(buffer)) {
        std::lock_guard<std::mutex> lock(state.mutex);
        const GstClockTime duration = GST_BUFFER_DURATION_IS_VALID(buffer) ? GST_BUFFER_DURATION(buffer) : 0;
        state.end = GST_BUFFER_PTS(buffer) + duration;
      }
      return GST_PAD_PROBE_OK;
    }
    bool close = gate.video;
    if (!gate.video) {
      std::lock_guard<std::mutex> lock(state.mutex);
      // Other streams run on to the end of the last frame.
      close = state.video_closed &&
              (state.end == GST_CLOCK_TIME_NONE || !GST_BUFFER_PTS_IS_VALID(buffer) || GST_BUFFER_PTS(buffer) >= state.end);
    }
    if (!close) return GST_PAD_PROBE_OK;
    if (gate.video) {
      std::lock_guard<std::mutex> lock(state.mutex);
      state.video_closed = true;
    }
    close_gate(gate);
  }
  gst_buffer_unref(buffer);
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_EOS;  // upstream stops
  return GST_PAD_PROBE_HANDLED;
}

}  // namespace

StreamCut::StreamCut(GstElement* pipeline, const std::string& video, const std::vector<std::string>& others) {
  auto state = std::make_shared<CutState>();
  std::vector<std::string> names{video};
  names.insert(names.end(), others.begin(), others.end());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto dot = names[i].find('.');
    const std::string element_name = names[i].substr(0, dot);
    const std::string pad_name = dot == std::string::npos ? "sink" : names[i].substr(dot + 1);
    GstElement* element = gst_bin_get_by_name(GST_BIN(pipeline), element_name.c_str());
    if (element == nullptr) throw Error("pipeline has no element named '" + element_name + "' to stop at");
    auto gate = std::make_unique<Gate>();
    gate->pad = gst_element_get_static_pad(element, pad_name.c_str());
    gst_object_unref(element);
    if (gate->pad == nullptr) throw Error("element '" + element_name + "' has no pad '" + pad_name + "' to stop at");
    gate->video = i == 0;
    gate->state = state;
    gate->probe = gst_pad_add_probe(
        gate->pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
        on_data, gate.get(), nullptr);
    gates_.push_back(std::move(gate));
  }
}

StreamCut::~StreamCut() {
  for (auto& gate : gates_) {
    gst_pad_remove_probe(gate->pad, gate->probe);
    gst_object_unref(gate->pad);
  }
}

void StreamCut::cut() {
  if (!gates_.empty()) gates_.front()->state->cutting.store(true);
}

}  // namespace r4k::pipeline
