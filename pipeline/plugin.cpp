// The restore4k GStreamer plugin: its elements, for gst-launch-1.0 users
// (GST_PLUGIN_PATH=build/pipeline) and for the restore4k program, which
// registers the same elements statically.
#include <gst/gst.h>

#include "pipeline/elements.hpp"

#ifndef PACKAGE
#define PACKAGE "restore4k"
#endif

static gboolean plugin_init(GstPlugin* plugin) { return r4k::pipeline::register_elements(plugin); }

// Licence: the plugin's own source is LGPL-2.1-or-later (LICENSE), which is
// what GStreamer's "LGPL" means; as gst-libav's plugin, it says so although
// Debian's FFmpeg that it links is built with GPL parts (README.md, Licence).
// Origin: the project has no public address, so the origin is the text that
// GStreamer's own builds use when none is configured (meson's package-origin
// default), rather than an address that does not exist.
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, restore4k,
                  "restore4k: neural super-resolution for film restoration and remote sensing", plugin_init, "0.1.0",
                  "LGPL", "restore4k", "Unknown package origin")
