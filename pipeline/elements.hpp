// Registering restore4k's elements, from the plugin or statically.
#pragma once

#include <gst/gst.h>

namespace r4k::pipeline {

// Adds every restore4k element to `plugin`.
gboolean register_elements(GstPlugin* plugin);

// Makes the elements available in this process without the plugin file (the
// restore4k program and the tests). Does nothing when they are already
// registered, e.g. found through GST_PLUGIN_PATH. Call after gst_init.
void register_static_plugin();

}  // namespace r4k::pipeline
