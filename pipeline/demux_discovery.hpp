// Which GStreamer demuxer reads a file, and the name, caps and tags of each
// pad it exposes: what a gst-launch-1.0 line needs to link every stream of
// any container by name (demux.audio_0, demux.video_0_0100, demux.track_3).
//
// The demuxer is the highest-ranked one for the type GStreamer's typefinder
// gives (qtdemux, matroskademux, tsdemux, mpegpsdemux, mxfdemux, dvdemux,
// avidemux, flvdemux, ...). Its pads are found by running it into fake sinks
// until it has exposed as many video, audio and subtitle pads as FFmpeg's
// probe reported, each with its first buffer (or the file ends): demuxers
// with stable pad names give the same names, and the same first buffers, to
// every run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace r4k::pipeline {

struct DemuxPad {
  std::string name;      // the pad's name
  std::string caps;      // its caps, serialised
  std::string media;     // video, audio, subtitle or other
  std::string language;  // ISO 639 code from the stream's tags ("" = none)
  std::string title;     // from the stream's tags ("" = none)
  // Stream time (ns) of the first buffer the demuxer pushed on this pad, -1
  // when none came: with the container's own timestamp of the same packet it
  // ties GStreamer's timeline to the file's.
  long long first_time = -1;
  int first_time_index = 0;  // which buffer of the pad that was (the first with a timestamp)
};

struct DemuxDiscovery {
  std::string container;       // the typefinder's caps
  std::string demuxer;         // factory name; "" for an elementary stream (no container)
  std::vector<DemuxPad> pads;  // in the order the demuxer exposed them
};

struct ExpectedStreams {
  int video = 0;
  int audio = 0;
  int subtitle = 0;
};

// Throws InputError naming the file when GStreamer cannot type or demux it.
DemuxDiscovery discover_demux(const std::filesystem::path& file, const ExpectedStreams& expected);

// The media kind of caps: video, audio, subtitle or other.
std::string media_of_caps(const std::string& caps);

// Whether a GStreamer element factory of this name exists.
bool element_available(const std::string& name);

// The highest-ranked parser or decoder that takes `caps` ("" = none).
enum class ElementRole { parser, decoder };
std::string best_element(const std::string& caps, ElementRole role);

}  // namespace r4k::pipeline
