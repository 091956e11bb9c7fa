// AutoTune's choices kept with a job, so that every part of it runs the same
// algorithms: a job record's `engine.algorithms` (what its run chose; the
// record run again, resumed or as another shard pins them), and a film
// plan's algorithms file (the first segment task to finish writes what it
// ran; the tasks after it pin that). Layers and shapes nothing pins are
// measured or taken from the cache, as in any run.
#pragma once

#include <exception>
#include <filesystem>
#include <map>
#include <string>

namespace r4k::restore {

// "layer@shape" -> algorithm (infer/autotune.hpp).
using Algorithms = std::map<std::string, std::string>;

// The choices an element's `algorithms` property read back (";"-separated
// items): those of the LAYER@SHAPE=ALGORITHM form a job can pin; anything
// else the engine may report is left out of the record.
Algorithms ran_algorithms(const std::string& property_text);

// `base` with `more` added where `base` has no entry of its own.
Algorithms merged_algorithms(Algorithms base, const Algorithms& more);

// The engine.algorithms of the job record at `record` when it exists and
// was made with the model whose SHA-256 is `model_sha256` (its "# model
// sha256:" line); empty otherwise. Throws InputError naming the record and
// the item when its engine.algorithms does not parse.
Algorithms recorded_algorithms(const std::filesystem::path& record, const std::string& model_sha256);

// When `error` is the engine refusing one of `pins` (a pinned algorithm this
// machine does not offer), throws InputError that names the layer, the
// algorithm and where the pin came from (`origin`: "engine.algorithms of
// job 'x.yaml'"); otherwise returns.
void throw_if_pin_refused(const std::exception& error, const Algorithms& pins, const std::string& origin);

// The algorithms file of the plan at `plan_file` (beside it in the plan folder).
std::filesystem::path plan_algorithms_path(const std::filesystem::path& plan_file);
// What the plan's segments ran so far (empty when no segment has finished,
// or the file belongs to another plan). Throws InputError naming the file
// when it is there but damaged.
Algorithms read_plan_algorithms(const std::filesystem::path& plan_file, const std::string& plan_id);
// Adds `ran` to the plan's algorithms file (entries there already are kept:
// the first segment's choices win), atomically.
void record_plan_algorithms(const std::filesystem::path& plan_file, const std::string& plan_id, const Algorithms& ran);

}  // namespace r4k::restore
