#include "infer/autotune.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "infer/cpu_features.hpp"

namespace r4k::infer {

// Part of every cache key: raised whenever a candidate's kernels change
// speed (2: AVX-512 Winograd), so choices measured on older kernels are
// measured again instead of kept.
constexpr int kKernelRevision = 2;
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(colon + 1);
        name.erase(0, name.find_first_not_of(' '));
        return name;
      }
    }
  }
  return "unknown-cpu";
}

std::map<std::string, std::string> read_cache(const std::string& path) {
  std::map<std::string, std::string> entries;
  if (!std::filesystem::exists(path)) return entries;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    const YAML::Node choices = root["choices"];
    if (choices && choices.IsMap()) {
      for (const auto& item : choices) entries[item.first.as<std::string>()] = item.second.as<std::string>();
    }
  } catch (const YAML::Exception& error) {
    // A damaged cache only costs measurements: it is rebuilt.
    spdlog::warn("autotune cache '{}' is unreadable ({}); measuring again", path, error.what());
  }
  return entries;
}

double seconds_of(const std::function<void()>& run) {
  const auto start = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The candidates' best times over rounds that run each once in turn, so that
// a load that comes and goes (a shared machine) reaches them all alike.
std::vector<double> measure(const std::vector<Autotuner::Candidate>& candidates) {
  constexpr int kRounds = 3;
  for (const auto& candidate : candidates) candidate.run();  // warm: first-touch pages, caches, compiles
  std::vector<double> best(candidates.size(), 1e30);
  for (int round = 0; round < kRounds; ++round) {
    for (std::size_t i = 0; i < candidates.size(); ++i) best[i] = std::min(best[i], seconds_of(candidates[i].run));
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) best[i] *= candidates[i].weight;
  return best;
}

}  // namespace

namespace {
std::string pin_message(const std::string& entry, const std::string& algorithm, const std::vector<std::string>& offered) {
  std::string list;
  for (const std::string& name : offered) list += (list.empty() ? "" : ", ") + name;
  return "the job record pins layer " + entry + " to algorithm '" + algorithm +
         "', which this machine cannot run (it offers " + list + ")";
}
}  // namespace

PinRefused::PinRefused(std::string entry, std::string algorithm, std::vector<std::string> offered)
    : InputError(pin_message(entry, algorithm, offered)),
      entry_(std::move(entry)),
      algorithm_(std::move(algorithm)),
      offered_(std::move(offered)) {}

std::string Autotuner::default_cache_file() {
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    base = std::filesystem::path(home) / ".cache";
  } else {
    base = std::filesystem::temp_directory_path();
  }
  return (base / "restore4k" / "autotune.yaml").string();
}

Autotuner::Autotuner(AutotuneOptions options, std::string model_sha256, int threads)
    : options_(std::move(options)), model_(std::move(model_sha256)) {
  machine_ = cpu_model() + "|" + instruction_set_name() + "|threads=" + std::to_string(threads) +
             "|kernels=" + std::to_string(kKernelRevision);
  cache_file_ = options_.cache_file.empty() ? default_cache_file() : options_.cache_file;
}

std::string Autotuner::cache_key(const std::string& entry) const { return machine_ + "|" + model_ + "|" + entry; }

std::string Autotuner::choose(const std::string& layer, const std::string& shape, const std::vector<Candidate>& candidates) {
  if (candidates.empty()) throw std::logic_error("autotune: no candidates for " + layer);
  const std::string entry = layer + "@" + shape;
  const auto known = [&](const std::string& algorithm) {
    return std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) { return c.algorithm == algorithm; });
  };
  std::string chosen;
  if (const auto pinned = options_.pinned.find(entry); pinned != options_.pinned.end()) {
    if (!known(pinned->second)) {
      std::vector<std::string> offered;
      for (const Candidate& candidate : candidates) offered.push_back(candidate.algorithm);
      throw PinRefused(entry, pinned->second, offered);
    }
    chosen = pinned->second;
  } else if (options_.algorithm != "auto") {
    const auto forced = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return c.algorithm.rfind(options_.algorithm, 0) == 0;
    });
    chosen = forced != candidates.end() ? forced->algorithm : candidates.front().algorithm;
  } else if (!options_.enabled || candidates.size() == 1) {
    chosen = candidates.front().algorithm;
  } else {
    const std::string key = cache_key(entry);
    const auto cached = read_cache(cache_file_);
    if (const auto found = cached.find(key); found != cached.end() && known(found->second)) {
      chosen = found->second;
    } else {
      // The default stays unless another is at least 3 % faster: noise alone
      // does not move a choice.
      const std::vector<double> seconds = measure(candidates);
      std::size_t pick = 0;
      for (std::size_t i = 1; i < candidates.size(); ++i) {
        if (seconds[i] < seconds[pick] * (pick == 0 ? 0.97 : 1.0)) pick = i;
      }
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        spdlog::debug("autotune {}: {} {:.3f} ms{}", entry, candidates[i].algorithm, seconds[i] * 1e3, i == pick ? " (chosen)" : "");
      }
      chosen = candidates[pick].algorithm;
      store(key, chosen);
    }
  }
  std::lock_guard lock(mutex_);
  choices_[entry] = chosen;
  return chosen;
}

void Autotuner::store(const std::string& key, const std::string& algorithm) {
  // Read, merge, write under a temporary name and rename: concurrent jobs
  // never see a half-written cache (the last writer's merge wins).
  std::error_code error;
  const std::filesystem::path path(cache_file_);
  std::filesystem::create_directories(path.parent_path(), error);
  auto entries = read_cache(cache_file_);
  entries[key] = algorithm;
  YAML::Emitter out;
  out << YAML::Comment("restore4k AutoTune choices: machine|model sha256|layer@shape -> algorithm (safe to delete)");
  out << YAML::BeginMap << YAML::Key << "choices" << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : entries) out << YAML::Key << k << YAML::Value << v;
  out << YAML::EndMap << YAML::EndMap;
  static std::atomic<int> writes{0};
  const std::filesystem::path temporary =
      path.string() + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(writes++);
  {
    std::ofstream file(temporary);
    file << out.c_str() << "\n";
    if (!file) {
      spdlog::warn("autotune: cannot write the cache '{}'; choices are not kept", cache_file_);
      std::filesystem::remove(temporary, error);
      return;
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    spdlog::warn("autotune: cannot write the cache '{}': {}", cache_file_, error.message());
    std::filesystem::remove(temporary, error);
  }
}

std::map<std::string, std::string> Autotuner::choices() const {
  std::lock_guard lock(mutex_);
  return choices_;
}

}  // namespace r4k::infer
