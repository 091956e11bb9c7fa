#include "pipeline/stage_threads.hpp"

#include <vector>

namespace r4k::pipeline {
namespace {

constexpr std::size_t kThreadNameLength = 15;  // Linux's TASK_COMM_LEN less the NUL

bool is_queue(GstElement* element) {
  GstElementFactory* factory = gst_element_get_factory(element);
  if (factory == nullptr) return false;
  const char* name = GST_OBJECT_NAME(factory);
  return g_strcmp0(name, "queue") == 0 || g_strcmp0(name, "queue2") == 0 || g_strcmp0(name, "multiqueue") == 0;
}

// The element a pad links to, through ghost pads (bins) in either direction.
GstElement* element_after(GstPad* src) {
  GstPad* peer = gst_pad_get_peer(src);
  while (peer != nullptr && GST_IS_GHOST_PAD(peer)) {
    GstPad* target = gst_ghost_pad_get_target(GST_GHOST_PAD(peer));
    gst_object_unref(peer);
    peer = target;
  }
  if (peer == nullptr) return nullptr;
  GstElement* element = gst_pad_get_parent_element(peer);
  gst_object_unref(peer);
  return element;
}

// The first source pad of an element (the video path: every element of a
// film chain has one).
GstPad* first_src_pad(GstElement* element) {
  GstPad* found = nullptr;
  GST_OBJECT_LOCK(element);
  for (GList* l = element->srcpads; l != nullptr; l = l->next) {
    found = GST_PAD(gst_object_ref(l->data));
    break;
  }
  GST_OBJECT_UNLOCK(element);
  return found;
}

// Names of the elements from `element` (included) on, to the next queue or the end.
std::string stage_from(GstElement* element) {
  std::string stage;
  for (int steps = 0; element != nullptr && steps < 64; ++steps) {
    if (is_queue(element)) {
      gst_object_unref(element);
      break;
    }
    stage += (stage.empty() ? "" : " + ") + std::string(GST_OBJECT_NAME(element));
    GstPad* src = first_src_pad(element);
    gst_object_unref(element);
    element = src != nullptr ? element_after(src) : nullptr;
    if (src != nullptr) gst_object_unref(src);
  }
  return stage;
}

void collect(GstBin* bin, std::vector<GstElement*>& elements) {
  GstIterator* it = gst_bin_iterate_recurse(bin);
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* element = GST_ELEMENT(g_value_get_object(&item));
    if (!GST_IS_BIN(element)) elements.push_back(GST_ELEMENT(gst_object_ref(element)));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}

std::string thread_name(GstElement* element, GstPad* pad) {
  return (std::string(GST_OBJECT_NAME(element)) + ":" + GST_OBJECT_NAME(pad)).substr(0, kThreadNameLength);
}

}  // namespace

std::map<std::string, std::string> stage_threads(GstElement* pipeline) {
  std::map<std::string, std::string> stages;
  std::vector<GstElement*> elements;
  if (GST_IS_BIN(pipeline)) collect(GST_BIN(pipeline), elements);
  for (GstElement* element : elements) {
    if (is_queue(element)) {
      GstPad* src = first_src_pad(element);
      if (src != nullptr) {
        GstElement* next = element_after(src);
        const std::string stage = next != nullptr ? stage_from(next) : std::string();
        if (!stage.empty()) stages[thread_name(element, src)] = stage;
        gst_object_unref(src);
      }
    } else {
      // A source's or a pulling demuxer's own task (filesrc's src, matroskademux's sink).
      GST_OBJECT_LOCK(element);
      std::vector<GstPad*> pads;
      for (GList* l = element->pads; l != nullptr; l = l->next) pads.push_back(GST_PAD(gst_object_ref(l->data)));
      GST_OBJECT_UNLOCK(element);
      for (GstPad* pad : pads) {
        if (GST_PAD_TASK(pad) != nullptr) {
          stages[thread_name(element, pad)] = stage_from(GST_ELEMENT(gst_object_ref(element)));
        }
        gst_object_unref(pad);
      }
    }
    gst_object_unref(element);
  }
  return stages;
}

}  // namespace r4k::pipeline
