#include "pipeline/elements.hpp"

#include <mutex>

#include "pipeline/gstr4kcolorconvert.h"
#include "pipeline/gstr4kdeflicker.h"
#include "pipeline/gstr4kdenoise.h"
#include "pipeline/gstr4kdustbust.h"
#include "pipeline/gstr4kfit.h"
#include "pipeline/gstr4kframerange.h"
#include "pipeline/gstr4kframetimes.h"
#include "pipeline/gstr4kpacketsrc.h"
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
         GST_ELEMENT_REGISTER(r4kdustbust, plugin) && GST_ELEMENT_REGISTER(r4kdenoise, plugin) && GST_ELEMENT_REGISTER(r4kframerange, plugin) &&
         GST_ELEMENT_REGISTER(r4kframetimes, plugin) &&
         GST_ELEMENT_REGISTER(r4kpacketsrc, plugin);
}

void register_static_plugin() {
  // Always the elements compiled into this program, even when the registry
  // already knows a restore4k plugin file (GST_PLUGIN_PATH pointing at a build
  // tree, the system plugin folder holding another version): registering a
  // name the registry has gives its factory this program's type, so no
  // libgstrestore4k.so is loaded into the process. An installed program thus
  // runs exactly the code of the plugin installed with it (both are built from
  // r4k_elements), never another build's, and one copy of the libraries'
  // state (models, engines, logging) serves the workflows and the elements.
  static std::once_flag once;
  std::call_once(once, [] {
    gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR, "restore4k",
                               "restore4k: neural super-resolution (built in)", register_elements, "0.1.0", "LGPL",
                               "restore4k", "restore4k", "Unknown package origin");
  });
}

}  // namespace r4k::pipeline
