/**
 * SECTION:element-r4krestore
 * @title: r4krestore
 *
 * Restores film to 4K in one element: a bin chaining
 * deinterlace (interlaced input only) → r4kdeflicker → r4kdustbust →
 * r4kdenoise → r4ksuperres → r4kfit → colour conversion to BT.709 (or
 * BT.2020), with a queue after each heavy stage so that the stages run in
 * parallel on their own threads. Stages that are switched off are left out
 * of the chain. `preset` sets every stage's settings at once (film-4k,
 * film-preview); properties set after it override it. The chain is built
 * when the element leaves the NULL state, and again on the way to PAUSED
 * when properties changed in READY.
 *
 * Settings it cannot work with are refused with an element error naming the
 * properties: an unknown `preset`, `fit-mode` or `colorimetry` when the
 * chain is built, `width` without `height` (a fit needs both, or neither),
 * and, when the caps arrive, a fit smaller than the input (restoration fits
 * into a larger frame).
 *
 * The inner r4ksuperres is named "superres" (gst_bin_get_by_name finds it).
 * `algorithms` (AutoTune's pins) goes to it as it is; read, it is the inner
 * r4ksuperres' `algorithms`: the pins and the choices its engine made.
 *
 * `keep-first` and `keep-count` restore one segment of a film: the frames
 * before and after them pass the temporal stages (their context) but are
 * not upscaled nor output (an r4kframerange in front of the upscaler).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=reel.mkv ! matroskademux ! avdec_ffv1 ! \
 *     videoconvert ! video/x-raw,format=I420 ! r4krestore preset=film-4k ! \
 *     videoconvert ! avenc_ffv1 ! matroskamux ! filesink location=reel-4k.mkv
 * ]|
 */
#include "pipeline/gstr4krestore.h"

#include <gst/video/video.h>

#include <cstdio>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "pipeline/queue_limits.hpp"
#include "pipeline/element_settings.hpp"
#include "pipeline/setting_param_specs.hpp"
#include "infer/model_checksum.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_restore_debug);
#define GST_CAT_DEFAULT gst_r4k_restore_debug

namespace {

constexpr const char* kElement = "r4krestore";

// The bin's settings, typed. Each carries a setting of the table
// (config/settings.cpp): its range, choices, default and documentation come
// from there, as do the presets (presets/*.yaml, compiled in).
struct RestoreSettings {
  std::string preset = "none";
  bool deinterlace = false;
  bool deflicker = false;
  int deflicker_radius = 0;
  bool dust = false;
  bool scratches = false;
  double denoise = 0.0;
  std::string model;
  std::string backend;
  int tile_size = 0;
  int halo = 0;
  int threads = 0;
  bool autotune = true;
  std::string precision;
  std::string algorithms;  // r4ksuperres' pins, as given
  int batch = 0;
  guint width = 0;
  guint height = 0;
  std::string fit_mode;
  guint pad_color = 0;
  std::string colorimetry;
  bool monochrome = false;
  // A film segment: only these frames reach the upscaler; the others feed
  // the temporal stages only (not part of the provenance: a segment's
  // frames are the whole film's).
  gint64 keep_first = 0;
  gint64 keep_count = -1;

  bool operator==(const RestoreSettings&) const = default;
};

// Sets the field that carries `key` from its canonical text; false when the
// bin has no property for the key (a preset's encoder, say: not a stage).
bool assign(RestoreSettings& s, const std::string& key, const std::string& text) {
  using namespace r4k::settings;
  if (key == "video.deinterlace") s.deinterlace = as_boolean(text);
  else if (key == "video.deflicker") s.deflicker = as_boolean(text);
  else if (key == "video.deflicker_radius") s.deflicker_radius = static_cast<int>(as_integer(text));
  else if (key == "video.dust") s.dust = as_boolean(text);
  else if (key == "video.scratches") s.scratches = as_boolean(text);
  else if (key == "video.denoise") s.denoise = as_number(text);
  else if (key == "model") s.model = text;
  else if (key == "engine.backend") s.backend = text;
  else if (key == "engine.tile") s.tile_size = static_cast<int>(as_integer(text));
  else if (key == "engine.halo") s.halo = static_cast<int>(as_integer(text));
  else if (key == "engine.threads") s.threads = static_cast<int>(as_integer(text));
  else if (key == "engine.autotune") s.autotune = as_boolean(text);
  else if (key == "engine.precision") s.precision = text;
  else if (key == "engine.algorithms") s.algorithms = text;
  else if (key == "engine.batch") s.batch = static_cast<int>(as_integer(text));
  else if (key == "video.fit") std::tie(s.width, s.height) = std::pair<guint, guint>(as_size(text).first, as_size(text).second);
  else if (key == "video.fit_mode") s.fit_mode = text;
  else if (key == "video.pad_color") s.pad_color = as_colour(text);
  else if (key == "video.colour") s.colorimetry = text;
  else if (key == "video.monochrome") s.monochrome = as_boolean(text);
  else return false;
  return true;
}

// Every property at the table's default for this element.
RestoreSettings table_defaults() {
  RestoreSettings s;
  for (const r4k::settings::Setting& setting : r4k::settings::all()) {
    if (r4k::settings::property_of(setting, kElement) == nullptr) continue;
    const std::string text = r4k::pipeline::element_default(setting, kElement);
    if (!text.empty()) assign(s, setting.key, text);
  }
  return s;
}

// The presets r4krestore offers: "none" and the video presets of the table.
const r4k::settings::Setting& preset_choices() {
  static const r4k::settings::Setting setting = [] {
    r4k::settings::Setting s;
    s.key = "r4krestore.preset";
    s.type = r4k::settings::Type::choice;
    s.choices = {"none"};
    for (const auto& preset : r4k::settings::presets()) {
      const std::string* kind = preset.find("kind");
      if (kind != nullptr && *kind == "video") s.choices.push_back(preset.name);
    }
    s.default_value = "none";
    return s;
  }();
  return setting;
}

// The table's defaults, then the preset's values (canonical: checked by the
// same table), so that properties set after the preset override it.
RestoreSettings with_preset(const std::string& name) {
  RestoreSettings s = table_defaults();
  s.preset = name;
  if (const auto* preset = r4k::settings::find_preset(name)) {
    for (const auto& value : preset->values) {
      const auto* setting = r4k::settings::find(value.key);
      if (setting == nullptr) continue;
      const auto checked = r4k::settings::check(*setting, value.value);
      if (checked.ok) assign(s, value.key, checked.value);
    }
  }
  return s;
}

// The C++ state behind the instance's one pointer.
struct RestoreImpl {
  RestoreSettings settings = table_defaults();  // under the object lock
  std::optional<RestoreSettings> built;  // what the chain was made from; under the object lock
};

}  // namespace

enum {
  PROP_0,
  PROP_PRESET,
  PROP_DEINTERLACE,
  PROP_DEFLICKER,
  PROP_DEFLICKER_RADIUS,
  PROP_DUST,
  PROP_SCRATCHES,
  PROP_DENOISE,
  PROP_MODEL,
  PROP_BACKEND,
  PROP_TILE_SIZE,
  PROP_HALO,
  PROP_THREADS,
  PROP_AUTOTUNE,
  PROP_PRECISION,
  PROP_ALGORITHMS,
  PROP_BATCH,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FIT_MODE,
  PROP_PAD_COLOR,
  PROP_COLORIMETRY,
  PROP_MONOCHROME,
  PROP_KEEP_FIRST,
  PROP_KEEP_COUNT
};

struct _GstR4kRestore {
  GstBin parent;
  GstPad* sinkpad;
  GstPad* srcpad;
  RestoreImpl* impl;
};

G_DEFINE_TYPE(GstR4kRestore, gst_r4k_restore, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE(r4krestore, "r4krestore", GST_RANK_NONE, GST_TYPE_R4K_RESTORE);

// What made the picture, for the container's tags: the stages and their
// settings, the model and its SHA-256.
static std::string provenance(const RestoreSettings& s, const std::string& sha) {
  // Only characters GStreamer never escapes when serialising a string
  // (letters, digits and _-+/:.): matroskamux writes tags serialised.
  char text[1024];
  std::snprintf(text, sizeof text,
                "restore4k:r4krestore/preset:%s/deinterlace:%s/deflicker:%s-radius-%d/dust:%s/scratches:%s/"
                "denoise:%g/model:%s/model-sha256:%s/fit:%ux%u-%s/monochrome:%s/colour:%s",
                s.preset.c_str(), s.deinterlace ? "auto" : "off", s.deflicker ? "on" : "off", s.deflicker_radius,
                s.dust ? "on" : "off", s.scratches ? "on" : "off", s.denoise, s.model.c_str(),
                sha.empty() ? "none-classical-filter" : sha.c_str(), s.width, s.height, s.fit_mode.c_str(),
                s.monochrome ? "on" : "off", s.colorimetry.c_str());
  return text;
}

// Sends the provenance tags downstream before the first picture (encoders
// and muxers write them into the file: Matroska stream tags COMMENT, ...).
struct ProvenanceTags {
  std::string text;       // provenance(), without the input's colour
  bool converts = false;  // the chain converts colour: say from what
  GstPad* input = nullptr;  // the bin's sink pad (its caps say the input's colour)
  ~ProvenanceTags() {
    if (input != nullptr) gst_object_unref(input);
  }
};

// The colour the caps of `pad` say, in provenance characters:
// "range-tv-matrix-bt601-transfer-bt601-primaries-bt470bg".
static std::string colour_of(GstPad* pad) {
  GstCaps* caps = gst_pad_get_current_caps(pad);
  GstVideoInfo info;
  const bool known = caps != nullptr && gst_video_info_from_caps(&info, caps);
  if (caps != nullptr) gst_caps_unref(caps);
  if (!known) return "unknown";
  const GstVideoColorimetry& c = info.colorimetry;
  const auto pick = [](int value, std::initializer_list<std::pair<int, const char*>> names) {
    for (const auto& [code, name] : names) {
      if (value == code) return std::string(name);
    }
    return std::string("unknown");
  };
  return "range-" + pick(c.range, {{GST_VIDEO_COLOR_RANGE_0_255, "pc"}, {GST_VIDEO_COLOR_RANGE_16_235, "tv"}}) +
         "-matrix-" +
         pick(c.matrix, {{GST_VIDEO_COLOR_MATRIX_RGB, "rgb"}, {GST_VIDEO_COLOR_MATRIX_FCC, "fcc"},
                         {GST_VIDEO_COLOR_MATRIX_BT709, "bt709"}, {GST_VIDEO_COLOR_MATRIX_BT601, "bt601"},
                         {GST_VIDEO_COLOR_MATRIX_SMPTE240M, "smpte240m"}, {GST_VIDEO_COLOR_MATRIX_BT2020, "bt2020"}}) +
         "-transfer-" +
         pick(c.transfer, {{GST_VIDEO_TRANSFER_GAMMA10, "linear"}, {GST_VIDEO_TRANSFER_GAMMA22, "gamma22"},
                           {GST_VIDEO_TRANSFER_BT709, "bt709"}, {GST_VIDEO_TRANSFER_SMPTE240M, "smpte240m"},
                           {GST_VIDEO_TRANSFER_SRGB, "srgb"}, {GST_VIDEO_TRANSFER_GAMMA28, "gamma28"},
                           {GST_VIDEO_TRANSFER_BT2020_12, "bt2020-12"}, {GST_VIDEO_TRANSFER_BT2020_10, "bt2020-10"},
                           {GST_VIDEO_TRANSFER_SMPTE2084, "smpte2084"}, {GST_VIDEO_TRANSFER_ARIB_STD_B67, "hlg"},
                           {GST_VIDEO_TRANSFER_BT601, "bt601"}}) +
         "-primaries-" +
         pick(c.primaries, {{GST_VIDEO_COLOR_PRIMARIES_BT709, "bt709"}, {GST_VIDEO_COLOR_PRIMARIES_BT470M, "bt470m"},
                            {GST_VIDEO_COLOR_PRIMARIES_BT470BG, "bt470bg"},
                            {GST_VIDEO_COLOR_PRIMARIES_SMPTE170M, "smpte170m"},
                            {GST_VIDEO_COLOR_PRIMARIES_SMPTE240M, "smpte240m"}, {GST_VIDEO_COLOR_PRIMARIES_FILM, "film"},
                            {GST_VIDEO_COLOR_PRIMARIES_BT2020, "bt2020"}});
}

static GstPadProbeReturn push_tags(GstPad* pad, GstPadProbeInfo*, gpointer data) {
  auto* provenance = static_cast<ProvenanceTags*>(data);
  const std::string text =
      provenance->text + (provenance->converts ? "-from-" + colour_of(provenance->input) : std::string());
  GstTagList* tags =
      gst_tag_list_new(GST_TAG_APPLICATION_NAME, "restore4k 0.1.0", GST_TAG_COMMENT, text.c_str(), nullptr);
  gst_tag_list_set_scope(tags, GST_TAG_SCOPE_GLOBAL);
  gst_pad_push_event(pad, gst_event_new_tag(tags));
  return GST_PAD_PROBE_REMOVE;
}

static GstElement* make(const char* factory, const char* name) {
  GstElement* element = gst_element_factory_make(factory, name);
  if (element == nullptr) GST_ERROR("element %s is not available", factory);
  return element;
}

static GstElement* make_queue(const std::string& name) {
  GstElement* queue = make("queue", name.c_str());
  if (queue != nullptr) {
    g_object_set(queue, "max-size-buffers", r4k::pipeline::kQueueBuffers, "max-size-bytes", r4k::pipeline::kQueueBytes,
                 "max-size-time", guint64{0}, nullptr);
  }
  return queue;
}

// Settings no chain can be built from, refused with an element error that
// names the properties.
static bool settings_are_valid(GstR4kRestore* self, const RestoreSettings& s) {
  auto* element = GST_ELEMENT(self);
  if ((s.width == 0) != (s.height == 0)) {
    r4k::pipeline::refuse_settings(element, "A fit needs both width and height, or neither (0 = no fit): got width=" +
                                                std::to_string(s.width) + " and height=" + std::to_string(s.height) +
                                                ".");
    return false;
  }
  return true;
}

// Builds the chain for the current settings (the bin's children are replaced).
static gboolean build_chain(GstR4kRestore* self) {
  GST_OBJECT_LOCK(self);
  const RestoreSettings s = self->impl->settings;
  GST_OBJECT_UNLOCK(self);

  if (!settings_are_valid(self, s)) return FALSE;
  // Leave nothing of an earlier chain.
  for (;;) {
    GST_OBJECT_LOCK(self);
    GList* children = GST_BIN_CHILDREN(self);
    GstElement* child = children != nullptr ? GST_ELEMENT(gst_object_ref(children->data)) : nullptr;
    GST_OBJECT_UNLOCK(self);
    if (child == nullptr) break;
    gst_element_set_state(child, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(self), child);
    gst_object_unref(child);
  }

  std::vector<GstElement*> chain;
  bool ok = true;
  const auto add = [&](GstElement* element) {
    if (element == nullptr) {
      ok = false;
      return;
    }
    chain.push_back(element);
  };
  if (s.deinterlace) {
    GstElement* deinterlace = make("deinterlace", "deinterlace");
    // One frame per frame (not per field): the frame count and rate stay.
    if (deinterlace != nullptr) gst_util_set_object_arg(G_OBJECT(deinterlace), "fields", "top");
    add(deinterlace);
  }
  if (s.deflicker) {
    GstElement* deflicker = make("r4kdeflicker", "deflicker");
    if (deflicker != nullptr) g_object_set(deflicker, "radius", s.deflicker_radius, nullptr);  // gint
    add(deflicker);
    add(make_queue("deflicker_queue"));
  }
  if (s.dust || s.scratches) {
    GstElement* dust = make("r4kdustbust", "dustbust");
    if (dust != nullptr) {
      g_object_set(dust, "dust", s.dust ? TRUE : FALSE, "scratches", s.scratches ? TRUE : FALSE, nullptr);
    }
    add(dust);
    add(make_queue("dustbust_queue"));
  }
  if (s.denoise > 0.0) {
    GstElement* denoise = make("r4kdenoise", "denoise");
    if (denoise != nullptr) g_object_set(denoise, "strength", s.denoise, nullptr);
    add(denoise);
    add(make_queue("denoise_queue"));
  }
  if (s.keep_first > 0 || s.keep_count >= 0) {
    GstElement* keep = make("r4kframerange", "keep");
    if (keep != nullptr) {
      g_object_set(keep, "first", s.keep_first, "count", s.keep_count, "end-stream", TRUE, nullptr);
    }
    add(keep);
  }
  GstElement* superres = make("r4ksuperres", "superres");
  if (superres != nullptr) {
    g_object_set(superres, "model", s.model.c_str(), "tile-size", s.tile_size, "halo", s.halo, "threads", s.threads,
                 "autotune", s.autotune ? TRUE : FALSE, "algorithms", s.algorithms.c_str(), "batch", s.batch, "monochrome", s.monochrome ? TRUE : FALSE, nullptr);
    gst_util_set_object_arg(G_OBJECT(superres), "backend", s.backend.c_str());
    gst_util_set_object_arg(G_OBJECT(superres), "precision", s.precision.c_str());
  }
  add(superres);
  add(make_queue("superres_queue"));
  if (s.width > 0 && s.height > 0) {
    GstElement* fit = make("r4kfit", "fit");
    if (fit != nullptr) {
      g_object_set(fit, "width", s.width, "height", s.height, "pad-color", s.pad_color, nullptr);
      gst_util_set_object_arg(G_OBJECT(fit), "mode", s.fit_mode.c_str());
    }
    add(fit);
    add(make_queue("fit_queue"));
  }
  if (s.colorimetry != "keep") {
    GstElement* convert = make("r4kcolorconvert", "colour_convert");
    if (convert != nullptr) gst_util_set_object_arg(G_OBJECT(convert), "target", s.colorimetry.c_str());
    add(convert);
  }
  if (!ok) {
    for (GstElement* element : chain) gst_object_unref(gst_object_ref_sink(element));
    GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN,
                      ("A stage of r4krestore is not available (deinterlace, queue or a restore4k element)."),
                      ("see the debug log of r4krestore for which"));
    return FALSE;
  }
  for (GstElement* element : chain) gst_bin_add(GST_BIN(self), element);
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (!gst_element_link(chain[i - 1], chain[i])) {
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                        ("Cannot link the restoration chain: %s ! %s.", GST_ELEMENT_NAME(chain[i - 1]),
                         GST_ELEMENT_NAME(chain[i])),
                        (nullptr));
      return FALSE;
    }
  }
  std::string sha;
  try {
    sha = r4k::infer::model_sha256(s.model);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("Cannot read the model '%s'.", s.model.c_str()),
                      ("%s", error.what()));
    return FALSE;
  }
  GstPad* first = gst_element_get_static_pad(chain.front(), "sink");
  GstPad* last = gst_element_get_static_pad(chain.back(), "src");
  auto* tags = new ProvenanceTags();
  tags->text = provenance(s, sha);
  tags->converts = s.colorimetry != "keep";
  tags->input = GST_PAD(gst_object_ref(self->sinkpad));
  gst_pad_add_probe(last, GST_PAD_PROBE_TYPE_BUFFER, push_tags, tags,
                    [](gpointer data) { delete static_cast<ProvenanceTags*>(data); });
  gst_ghost_pad_set_target(GST_GHOST_PAD(self->sinkpad), first);
  gst_ghost_pad_set_target(GST_GHOST_PAD(self->srcpad), last);
  gst_object_unref(first);
  gst_object_unref(last);
  GST_OBJECT_LOCK(self);
  self->impl->built = s;
  GST_OBJECT_UNLOCK(self);
  GST_INFO_OBJECT(self, "chain of %zu elements (preset %s)", chain.size(), s.preset.c_str());
  return TRUE;
}

static GstStateChangeReturn gst_r4k_restore_change_state(GstElement* element, GstStateChange transition) {
  auto* self = GST_R4K_RESTORE(element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !build_chain(self)) return GST_STATE_CHANGE_FAILURE;
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    // Properties changed in READY: the chain is made again.
    GST_OBJECT_LOCK(self);
    const bool changed = self->impl->built != self->impl->settings;
    GST_OBJECT_UNLOCK(self);
    if (changed && !build_chain(self)) return GST_STATE_CHANGE_FAILURE;
  }
  const GstStateChangeReturn result =
      GST_ELEMENT_CLASS(gst_r4k_restore_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    GST_OBJECT_LOCK(self);
    self->impl->built.reset();
    GST_OBJECT_UNLOCK(self);
  }
  return result;
}

// The input's caps: a fit smaller than the input is refused, as restore4k
// video refuses it (restoration fits into a larger frame).
static gboolean gst_r4k_restore_sink_event(GstPad* pad, GstObject* parent, GstEvent* event) {
  auto* self = GST_R4K_RESTORE(parent);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    const GstStructure* structure = gst_caps_get_structure(caps, 0);
    int width = 0;
    int height = 0;
    GST_OBJECT_LOCK(self);
    const guint fit_width = self->impl->built ? self->impl->built->width : 0;
    const guint fit_height = self->impl->built ? self->impl->built->height : 0;
    GST_OBJECT_UNLOCK(self);
    if (fit_width > 0 && fit_height > 0 && gst_structure_get_int(structure, "width", &width) &&
        gst_structure_get_int(structure, "height", &height) &&
        (static_cast<int>(fit_width) < width || static_cast<int>(fit_height) < height)) {
      r4k::pipeline::refuse_settings(GST_ELEMENT(self),
                                     "The fit " + std::to_string(fit_width) + "x" + std::to_string(fit_height) +
                                         " (width and height) is smaller than the input " + std::to_string(width) +
                                         "x" + std::to_string(height) +
                                         ": restoration fits into a larger frame (e.g. 3840x2160).");
      gst_event_unref(event);
      return FALSE;
    }
  }
  return gst_pad_event_default(pad, parent, event);
}

static void gst_r4k_restore_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_RESTORE(object);
  GST_OBJECT_LOCK(self);
  RestoreSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_PRESET:
      s = with_preset(r4k::pipeline::choice_text(value, preset_choices()));
      break;
    case PROP_DEINTERLACE:
      s.deinterlace = g_value_get_boolean(value);
      break;
    case PROP_DEFLICKER:
      s.deflicker = g_value_get_boolean(value);
      break;
    case PROP_DEFLICKER_RADIUS:
      s.deflicker_radius = g_value_get_int(value);
      break;
    case PROP_DUST:
      s.dust = g_value_get_boolean(value);
      break;
    case PROP_SCRATCHES:
      s.scratches = g_value_get_boolean(value);
      break;
    case PROP_DENOISE:
      s.denoise = g_value_get_double(value);
      break;
    case PROP_MODEL:
      s.model = g_value_get_string(value) != nullptr ? g_value_get_string(value) : "";
      break;
    case PROP_BACKEND:
      s.backend = r4k::pipeline::choice_text(value, *r4k::settings::find("engine.backend"));
      break;
    case PROP_TILE_SIZE:
      s.tile_size = g_value_get_int(value);
      break;
    case PROP_HALO:
      s.halo = g_value_get_int(value);
      break;
    case PROP_THREADS:
      s.threads = g_value_get_int(value);
      break;
    case PROP_AUTOTUNE:
      s.autotune = g_value_get_boolean(value) != FALSE;
      break;
    case PROP_PRECISION:
      s.precision = r4k::pipeline::choice_text(value, *r4k::settings::find("engine.precision"));
      break;
    case PROP_ALGORITHMS:
      s.algorithms = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_BATCH:
      s.batch = g_value_get_int(value);
      break;
    case PROP_WIDTH:
      s.width = g_value_get_uint(value);
      break;
    case PROP_HEIGHT:
      s.height = g_value_get_uint(value);
      break;
    case PROP_FIT_MODE:
      s.fit_mode = r4k::pipeline::choice_text(value, *r4k::settings::find("video.fit_mode"));
      break;
    case PROP_PAD_COLOR:
      s.pad_color = g_value_get_uint(value);
      break;
    case PROP_COLORIMETRY:
      s.colorimetry = r4k::pipeline::choice_text(value, *r4k::settings::find("video.colour"));
      break;
    case PROP_MONOCHROME:
      s.monochrome = g_value_get_boolean(value);
      break;
    case PROP_KEEP_FIRST:
      s.keep_first = g_value_get_int64(value);
      break;
    case PROP_KEEP_COUNT:
      s.keep_count = g_value_get_int64(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_restore_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_RESTORE(object);
  if (prop_id == PROP_ALGORITHMS) {
    // The upscaler's (outside the object lock: finding a child takes it).
    if (GstElement* superres = gst_bin_get_by_name(GST_BIN(self), "superres")) {
      g_object_get_property(G_OBJECT(superres), "algorithms", value);
      gst_object_unref(superres);
      return;
    }
    GST_OBJECT_LOCK(self);
    g_value_set_string(value, self->impl->settings.algorithms.c_str());
    GST_OBJECT_UNLOCK(self);
    return;
  }
  GST_OBJECT_LOCK(self);
  const RestoreSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_PRESET:
      r4k::pipeline::set_choice(value, preset_choices(), s.preset);
      break;
    case PROP_DEINTERLACE:
      g_value_set_boolean(value, s.deinterlace);
      break;
    case PROP_DEFLICKER:
      g_value_set_boolean(value, s.deflicker);
      break;
    case PROP_DEFLICKER_RADIUS:
      g_value_set_int(value, s.deflicker_radius);
      break;
    case PROP_DUST:
      g_value_set_boolean(value, s.dust);
      break;
    case PROP_SCRATCHES:
      g_value_set_boolean(value, s.scratches);
      break;
    case PROP_DENOISE:
      g_value_set_double(value, s.denoise);
      break;
    case PROP_MODEL:
      g_value_set_string(value, s.model.c_str());
      break;
    case PROP_BACKEND:
      r4k::pipeline::set_choice(value, *r4k::settings::find("engine.backend"), s.backend);
      break;
    case PROP_TILE_SIZE:
      g_value_set_int(value, s.tile_size);
      break;
    case PROP_HALO:
      g_value_set_int(value, s.halo);
      break;
    case PROP_THREADS:
      g_value_set_int(value, s.threads);
      break;
    case PROP_AUTOTUNE:
      g_value_set_boolean(value, s.autotune ? TRUE : FALSE);
      break;
    case PROP_PRECISION:
      r4k::pipeline::set_choice(value, *r4k::settings::find("engine.precision"), s.precision);
      break;
    case PROP_BATCH:
      g_value_set_int(value, s.batch);
      break;
    case PROP_WIDTH:
      g_value_set_uint(value, s.width);
      break;
    case PROP_HEIGHT:
      g_value_set_uint(value, s.height);
      break;
    case PROP_FIT_MODE:
      r4k::pipeline::set_choice(value, *r4k::settings::find("video.fit_mode"), s.fit_mode);
      break;
    case PROP_PAD_COLOR:
      g_value_set_uint(value, s.pad_color);
      break;
    case PROP_COLORIMETRY:
      r4k::pipeline::set_choice(value, *r4k::settings::find("video.colour"), s.colorimetry);
      break;
    case PROP_MONOCHROME:
      g_value_set_boolean(value, s.monochrome);
      break;
    case PROP_KEEP_FIRST:
      g_value_set_int64(value, s.keep_first);
      break;
    case PROP_KEEP_COUNT:
      g_value_set_int64(value, s.keep_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_restore_finalize(GObject* object) {
  delete GST_R4K_RESTORE(object)->impl;
  G_OBJECT_CLASS(gst_r4k_restore_parent_class)->finalize(object);
}

static void gst_r4k_restore_class_init(GstR4kRestoreClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->set_property = gst_r4k_restore_set_property;
  gobject_class->get_property = gst_r4k_restore_get_property;
  gobject_class->finalize = gst_r4k_restore_finalize;
  element_class->change_state = gst_r4k_restore_change_state;

  // The chain is made from them on the way to READY (and PAUSED, when they changed).
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  std::string presets;
  for (const std::string& name : preset_choices().choices) presets += (presets.empty() ? "" : ", ") + name;
  static const std::string preset_blurb = "Sets every stage at once from a preset of presets/*.yaml (" + presets +
                                          "); properties set after it override it";
  g_object_class_install_property(
      gobject_class, PROP_PRESET,
      g_param_spec_enum("preset", "Preset", preset_blurb.c_str(), r4k::pipeline::setting_enum_type(preset_choices()),
                        0, flags));
  // Every other property carries a setting of the table, under the name users type.
  for (const auto& [id, name] : {std::pair<guint, const char*>{PROP_DEINTERLACE, "deinterlace"},
                                 {PROP_DEFLICKER, "deflicker"},
                                 {PROP_DEFLICKER_RADIUS, "deflicker-radius"},
                                 {PROP_DUST, "dust"},
                                 {PROP_SCRATCHES, "scratches"},
                                 {PROP_DENOISE, "denoise"},
                                 {PROP_MODEL, "model"},
                                 {PROP_BACKEND, "backend"},
                                 {PROP_TILE_SIZE, "tile-size"},
                                 {PROP_HALO, "halo"},
                                 {PROP_THREADS, "threads"},
                                 {PROP_AUTOTUNE, "autotune"},
                                 {PROP_PRECISION, "precision"},
                                 {PROP_ALGORITHMS, "algorithms"},
                                 {PROP_BATCH, "batch"},
                                 {PROP_WIDTH, "width"},
                                 {PROP_HEIGHT, "height"},
                                 {PROP_FIT_MODE, "fit-mode"},
                                 {PROP_PAD_COLOR, "pad-color"},
                                 {PROP_COLORIMETRY, "colorimetry"},
                                 {PROP_MONOCHROME, "monochrome"}}) {
    r4k::pipeline::install_setting_property(gobject_class, id, kElement, name, flags);
  }
  g_object_class_install_property(
      gobject_class, PROP_KEEP_FIRST,
      g_param_spec_int64("keep-first", "Keep first",
                         "Number of the first frame that is upscaled and leaves the bin (0-based, as frames come "
                         "in); the frames before it only feed the temporal stages (a film segment's context)",
                         0, G_MAXINT64, 0, flags));
  g_object_class_install_property(
      gobject_class, PROP_KEEP_COUNT,
      g_param_spec_int64("keep-count", "Keep count",
                         "Frames from keep-first on that are upscaled (-1 = to the end); the stream ends after them",
                         -1, G_MAXINT64, -1, flags));

  gst_element_class_set_static_metadata(element_class, "Film restoration", "Filter/Effect/Video/Scaler",
                                        "Deinterlace, deflicker, dust and scratch removal, denoise, neural "
                                        "super-resolution, fit to a 4K frame and conversion to BT.709, in one bin",
                                        "restore4k engineers");
  GstCaps* caps = gst_caps_from_string("video/x-raw");
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
  GST_DEBUG_CATEGORY_INIT(gst_r4k_restore_debug, "r4krestore", 0, "restore4k film restoration bin");
}

static void gst_r4k_restore_init(GstR4kRestore* self) {
  self->impl = new RestoreImpl();
  self->sinkpad = gst_ghost_pad_new_no_target("sink", GST_PAD_SINK);
  gst_pad_set_event_function(self->sinkpad, gst_r4k_restore_sink_event);
  self->srcpad = gst_ghost_pad_new_no_target("src", GST_PAD_SRC);
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
}
