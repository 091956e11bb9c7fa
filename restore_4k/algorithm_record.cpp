#include "restore_4k/algorithm_record.hpp"

#include <fstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "config/job_file.hpp"
#include "config/settings.hpp"
#include "core/error.hpp"
#include "encode/output_file.hpp"

namespace r4k::restore {

Algorithms merged_algorithms(Algorithms base, const Algorithms& more) {
  for (const auto& [entry, algorithm] : more) base.emplace(entry, algorithm);
  return base;
}

Algorithms ran_algorithms(const std::string& property_text) {
  Algorithms algorithms;
  std::size_t start = 0;
  while (start < property_text.size()) {
    std::size_t end = property_text.find(';', start);
    if (end == std::string::npos) end = property_text.size();
    try {
      algorithms.merge(settings::as_algorithms(property_text.substr(start, end - start)));
    } catch (const std::invalid_argument&) {
      // Not a pin a job file could hold: not recorded.
    }
    start = end + 1;
  }
  return algorithms;
}

Algorithms recorded_algorithms(const std::filesystem::path& record, const std::string& model_sha256) {
  std::error_code ec;
  if (model_sha256.empty() || !std::filesystem::exists(record, ec)) return {};
  std::ifstream in(record);
  std::string line;
  std::string sha;
  const std::string marker = "# model sha256: ";
  while (std::getline(in, line)) {
    if (line.rfind(marker, 0) == 0) sha = line.substr(marker.size());
    if (!line.empty() && line[0] != '#') break;
  }
  if (sha != model_sha256) return {};  // another model's record: its layers are not this model's
  const config::LoadResult loaded = config::load_job(record, false);
  if (!loaded.ok()) return {};  // not a record this program can read: nothing to pin
  try {
    return settings::as_algorithms(loaded.job->get("engine.algorithms"));
  } catch (const std::invalid_argument& item) {
    throw InputError("job record '" + record.string() + "': engine.algorithms: '" + item.what() +
                     "' is not LAYER@SHAPE=ALGORITHM");
  }
}

void throw_if_pin_refused(const std::exception& error, const Algorithms& pins, const std::string& origin) {
  const std::string text = error.what();
  for (const auto& [entry, algorithm] : pins) {
    // infer::PinRefused's message, which reaches here as text when it crossed
    // a pipeline's bus: "... pins layer LAYER@SHAPE to algorithm 'NAME', which
    // this machine cannot run (it offers ...)".
    if (text.find("layer " + entry + " to algorithm '" + algorithm + "'") == std::string::npos) continue;
    // What the engine offers instead ("it offers direct and others"), when it says.
    std::string offered;
    if (const auto at = text.find("(it offers "); at != std::string::npos) {
      offered = " (" + text.substr(at + 1, text.find(')', at) - at - 1) + ")";
    }
    throw InputError(origin + " pins layer " + entry + " to algorithm '" + algorithm +
                     "', which this machine cannot run for it" + offered +
                     ": remove that item (or engine.algorithms) to measure again");
  }
}

std::filesystem::path plan_algorithms_path(const std::filesystem::path& plan_file) {
  return plan_file.parent_path() / "restore4k-algorithms.yaml";
}

Algorithms read_plan_algorithms(const std::filesystem::path& plan_file, const std::string& plan_id) {
  const std::filesystem::path path = plan_algorithms_path(plan_file);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  Algorithms algorithms;
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    if (!root.IsMap() || !root["plan"] || root["plan"].as<std::string>() != plan_id) return {};  // another plan's
    const YAML::Node entries = root["algorithms"];
    if (entries && !entries.IsMap()) throw InputError("'" + path.string() + "': algorithms: expected a mapping of LAYER@SHAPE: ALGORITHM");
    for (const auto& entry : entries) algorithms[entry.first.as<std::string>()] = entry.second.as<std::string>();
  } catch (const YAML::Exception& error) {
    throw InputError("'" + path.string() + "' (the algorithms the plan's segments ran) cannot be read: " + error.what() +
                     "; delete it to measure again");
  }
  // What it holds goes to the engine as pins: it must have their form.
  try {
    settings::as_algorithms(settings::algorithms_text(algorithms, '\n'));
  } catch (const std::invalid_argument& item) {
    throw InputError("'" + path.string() + "': algorithms: '" + item.what() + "' is not LAYER@SHAPE=ALGORITHM");
  }
  return algorithms;
}

void record_plan_algorithms(const std::filesystem::path& plan_file, const std::string& plan_id, const Algorithms& ran) {
  if (ran.empty()) return;
  Algorithms algorithms;
  try {
    algorithms = read_plan_algorithms(plan_file, plan_id);
  } catch (const InputError&) {
    // Damaged: written again from this segment's choices.
  }
  const std::size_t before = algorithms.size();
  algorithms = merged_algorithms(std::move(algorithms), ran);
  std::error_code ec;
  if (algorithms.size() == before && std::filesystem::exists(plan_algorithms_path(plan_file), ec)) return;
  YAML::Emitter out;
  out << YAML::Comment("restore4k: the algorithms (AutoTune) the plan's segments ran; later segments run the same")
      << YAML::Newline;
  out << YAML::BeginMap << YAML::Key << "plan" << YAML::Value << plan_id;
  out << YAML::Key << "algorithms" << YAML::Value << YAML::BeginMap;
  for (const auto& [entry, algorithm] : algorithms) out << YAML::Key << entry << YAML::Value << algorithm;
  out << YAML::EndMap << YAML::EndMap;
  encode::write_file_atomically(plan_algorithms_path(plan_file), std::string(out.c_str()) + "\n",
                                "the plan's algorithms");
}

}  // namespace r4k::restore
