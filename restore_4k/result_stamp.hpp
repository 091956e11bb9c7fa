// The result stamp: what identifies the job that makes an output, written
// into the output itself (raster metadata item RESTORE4K_JOB; Matroska tag
// RESTORE4K_JOB; "/job:STAMP" in MOV/MP4's encoding-tool tag).
//
// It is a SHA-256 over the input's identity (path, size, modification time),
// every setting the pipeline runs with that decides the result (its
// gst-launch arguments, less file names, threads and queue sizes) and the
// model's weights. A batch skips an output only when the
// output carries the stamp its job would write; anything else under that name
// (a file another tool made, a damaged copy, an output of other settings) is
// made again.
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/pipeline_runner.hpp"

namespace r4k::restore {

std::string result_stamp(const std::filesystem::path& input, const pipeline::PipelineArguments& arguments,
                         const std::string& model);

// Adds job-stamp=STAMP to the pipeline's last element (its sink).
void stamp_pipeline(pipeline::PipelineArguments& arguments, const std::filesystem::path& input,
                    const std::string& model);

// What an existing output says of itself.
struct OutputStamp {
  bool readable = false;  // GDAL or FFmpeg opens it
  std::string stamp;      // "" = none (not restore4k's, or from before stamps)
  std::string damage;     // what its input lacked, as the output records it ("" = complete)
  bool interrupted = false;  // a video stopped part-way (RESTORE4K_INPUT "interrupted after ...")
};
OutputStamp read_output_stamp(const std::filesystem::path& output);

}  // namespace r4k::restore
