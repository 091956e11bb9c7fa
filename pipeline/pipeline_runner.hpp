// Running a GStreamer pipeline to the end: bus handling, frame counting for
// progress, and a clean stop on interrupt (EOS, so muxers finalise their
// files and the output stays playable).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace r4k::pipeline {

struct PipelineProgress {
  std::uint64_t frames = 0;  // buffers that left the counted element
  double seconds = 0.0;      // since PLAYING
  std::int64_t total = 0;    // from `total_property`; 0 = unknown
};

struct PipelineRunOptions {
  // Name of the element whose source pad counts frames (empty: no counting).
  std::string count_element;
  // An integer property "element.property" that tells the total (0 while
  // unknown), e.g. "src.tiles".
  std::string total_property;
  // When it becomes true, the pipeline is stopped within the frames in
  // flight and drains (the muxers finalise their files): at the `cut_video`
  // and `cut_others` pads when given (pipeline/stream_cut.hpp), else by EOS
  // from the sources.
  const std::atomic<bool>* interrupt = nullptr;
  std::string cut_video;                // "element.pad"
  std::vector<std::string> cut_others;  // "element.pad", one per other stream
  std::string interrupt_flag;           // "element.property": a boolean set to true on the interrupt
  // "element.property": a string that gets each damage report as it comes
  // (so that the file can say it was made from damaged input).
  std::string damage_property;
  // When it becomes true (a second Ctrl-C), the pipeline stops at once and
  // run_pipeline throws Interrupted: nothing is finalised.
  const std::atomic<bool>* abort = nullptr;
  // Called about once a second while running.
  std::function<void(const PipelineProgress&)> progress;
  // "element.property" string properties read when the stream has ended
  // (before the pipeline stops): what the elements say about the run, such
  // as the algorithms r4ksuperres ran (PipelineResult::properties).
  std::vector<std::string> read_after;
  // Name the stage each streaming thread ran when the stream has ended
  // (PipelineResult::stage_threads; pipeline/stage_threads.hpp), for benchmarks.
  bool map_stage_threads = false;
};

struct PipelineResult {
  bool interrupted = false;
  std::uint64_t frames = 0;
  double seconds = 0.0;
  // Damaged input the elements worked around (pipeline/input_damage.hpp) and
  // decoding or demuxing problems they warned of, in the order they came.
  std::vector<std::string> damage;
  // The `read_after` properties, by "element.property" (those the pipeline
  // lacks are left out).
  std::map<std::string, std::string> properties;
  // With map_stage_threads: thread name -> the elements it ran.
  std::map<std::string, std::string> stage_threads;
};

// Initialises GStreamer once and makes restore4k's elements available.
void initialise_gstreamer();

// A pipeline in gst-launch-1.0 syntax, one argument per element, property or
// link, exactly as gst-launch-1.0 would receive them from a shell.
using PipelineArguments = std::vector<std::string>;

// The arguments as one shell command line (`gst-launch-1.0 -e ...`), quoted
// so that it can be pasted into a shell.
std::string gst_launch_line(const PipelineArguments& arguments);

// Parses and runs the pipeline (as gst-launch-1.0 would) until EOS. Throws
// InputError for errors caused by the input or the settings (missing file,
// undecodable stream, model that cannot load, refused caps, a property value
// refused), Error for the rest, as "ELEMENT: MESSAGE (DETAIL)": the element's
// name, its message and its debug text without GStreamer's location line.
PipelineResult run_pipeline(const PipelineArguments& arguments, const PipelineRunOptions& options);

// An element message's debug text without the location GStreamer puts first
// ("../pipeline/gstr4kfit.cpp(123): gst_r4k_fit_set_info (): /GstPipeline:
// pipeline0/GstR4kFit:fit:" and a newline): what the element said, not where
// in its code. Text of another form is returned as it is.
std::string without_source_location(const std::string& debug);

}  // namespace r4k::pipeline
