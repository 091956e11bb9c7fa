// --calibrate-on-input (engine.calibrate_on_input): a video or raster job's
// fp32 model quantized to int8 on the job's own input before any work. The
// job then runs that model: its `model` names the file (beside the output as
// OUTPUT.int8.onnx; a film plan: in the plan folder) and calibrate_on_input
// is off, so that the job record or plan — which carry the model's path and
// SHA-256 — run the same model again (a resume, a shard, a segment).
#pragma once

#include <filesystem>

#include "config/job_file.hpp"

namespace r4k::restore {

// Where the job's calibrated model goes.
std::filesystem::path calibrated_model_path(const config::JobFile& job);

// True when the job calibrates its model on its input.
bool calibrates_on_input(const config::JobFile& job);

// The job as check_job checks it before the calibration: precision int8
// asked for (InputError naming the keys otherwise), the fp32 model checked
// as it is (precision fp32).
config::JobFile before_input_calibration(const config::JobFile& job);

// `job` unchanged unless it calibrates on its input; then the model made
// (or, for a raster resume, the one its first run made) and the job pointing
// at it. Throws InputError naming the model or input at fault.
config::JobFile with_input_calibrated_model(const config::JobFile& job);

}  // namespace r4k::restore
