// Registering restore4k's elements, from the plugin or statically.
#pragma once

#include <gst/gst.h>

namespace r4k::pipeline {

// Adds every restore4k element to `plugin`.
gboolean register_elements(GstPlugin* plugin);

// Makes the elements compiled into this process available (the restore4k
// program and the tests), in place of any restore4k plugin file the registry
// found (GST_PLUGIN_PATH, the system plugin folder), which is then never
// loaded. Call after gst_init; later calls do nothing.
void register_static_plugin();

}  // namespace r4k::pipeline
