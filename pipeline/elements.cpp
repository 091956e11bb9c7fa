#include "pipeline/elements.hpp"

#include "pipeline/gstr4kcolorconvert.h"
#include "pipeline/gstr4kdeflicker.h"
#include "pipeline/gstr4kdenoise.h"
#include "pipeline/gstr4kdustbust.h"
#include "pipeline/gstr4kfit.h"
#include "pipeline/gstr4kmuxsink.h"
#include "pipeline/gstr4krastersink.h"
#include "pipeline/gstr4krestore.h"
#include "pipeline/gstr4krastersrc.h"
#include "pipeline/gstr4ksuperres.h"
#include "pipeline/gstr4kwiden.h"

namespace r4k::pipeline {

gboolean register_elements(GstPlugin* plugin) {
  return GST_ELEMENT_REGISTER(r4ksuperres, plugin) && GST_ELEMENT_REGISTER(r4krastersrc, plugin) &&
         GST_ELEMENT_REGISTER(r4krastersink, plugin) && GST_ELEMENT_REGISTER(r4kfit, plugin) && GST_ELEMENT_REGISTER(r4kcolorconvert, plugin) && GST_ELEMENT_REGISTER(r4kmuxsink, plugin) && GST_ELEMENT_REGISTER(r4kwiden, plugin) &&
         GST_ELEMENT_REGISTER(r4kdeflicker, plugin) &&
         GST_ELEMENT_REGISTER(r4krestore, plugin) &&
         GST_ELEMENT_REGISTER(r4kdustbust, plugin) && GST_ELEMENT_REGISTER(r4kdenoise, plugin);
}

void register_static_plugin() {
  GstElementFactory* existing = gst_element_factory_find("r4ksuperres");
  if (existing != nullptr) {
    gst_object_unref(existing);
    return;
  }
  gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR, "restore4k",
                             "restore4k: neural super-resolution (built in)", register_elements, "0.1.0", "unknown",
                             "restore4k", "restore4k", "https://restore4k.invalid");
}

}  // namespace r4k::pipeline
