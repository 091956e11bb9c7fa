// The restore4k GStreamer plugin: its elements, for gst-launch-1.0 users
// (GST_PLUGIN_PATH=build/pipeline) and for the restore4k program, which
// registers the same elements statically.
#include <gst/gst.h>

#include "pipeline/elements.hpp"

#ifndef PACKAGE
#define PACKAGE "restore4k"
#endif

static gboolean plugin_init(GstPlugin* plugin) { return r4k::pipeline::register_elements(plugin); }

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, restore4k,
                  "restore4k: neural super-resolution for film restoration and remote sensing", plugin_init, "0.1.0",
                  "unknown", "restore4k", "https://restore4k.invalid")
