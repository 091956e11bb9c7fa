#include "infer/model_spec.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "core/error.hpp"

#ifndef R4K_SOURCE_MODELS_DIR
#define R4K_SOURCE_MODELS_DIR ""
#endif
#ifndef R4K_INSTALL_MODELS_DIR
#define R4K_INSTALL_MODELS_DIR ""
#endif
// The installed models relative to the installed program's folder and to the
// installed plugin's folder (e.g. ../share/restore4k/models), so that an
// install into any prefix, or a relocated package, finds its own models.
#ifndef R4K_MODELS_DIR_FROM_BINDIR
#define R4K_MODELS_DIR_FROM_BINDIR ""
#endif
#ifndef R4K_MODELS_DIR_FROM_PLUGINDIR
#define R4K_MODELS_DIR_FROM_PLUGINDIR ""
#endif

namespace r4k::infer {
namespace {

constexpr const char* kBuiltinPrefix = "builtin:";

std::optional<ModelSource> classic_source(const std::string& spec, const std::string& name) {
  static const std::regex pattern("(nearest|bilinear|bicubic|lanczos)-x([0-9]+)");
  std::smatch match;
  if (!std::regex_match(name, match, pattern)) return std::nullopt;
  ModelSource source;
  source.spec = spec;
  source.format = ModelFormat::classic;
  source.filter = parse_resample_filter(match[1].str());
  source.classic_scale = std::stoi(match[2].str());
  if (source.classic_scale < 1 || source.classic_scale > 16) {
    throw InputError("model '" + spec + "': scale must be x1 to x16");
  }
  return source;
}

// The models installed beside the file that holds this code: the restore4k
// program (this library is linked into it statically) or the gstrestore4k
// plugin that gst-launch-1.0 loaded. Empty when there is none.
const char kThisBinary = 0;  // an address inside this binary, for dladdr1

std::filesystem::path models_beside_this_binary() {
  Dl_info info{};
  link_map* map = nullptr;
  if (dladdr1(&kThisBinary, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0 ||
      map == nullptr) {
    return {};
  }
  std::error_code ec;
  std::filesystem::path binary;
  std::filesystem::path relative;
  if (map->l_name == nullptr || map->l_name[0] == '\0') {
    // The main program: its link map has no name (dladdr would give argv[0]).
    binary = std::filesystem::read_symlink("/proc/self/exe", ec);
    relative = R4K_MODELS_DIR_FROM_BINDIR;
  } else {
    binary = map->l_name;
    relative = R4K_MODELS_DIR_FROM_PLUGINDIR;
  }
  if (ec || binary.empty() || relative.empty()) return {};
  const std::filesystem::path models = (binary.parent_path() / relative).lexically_normal();
  if (!std::filesystem::is_directory(models, ec)) return {};
  return models;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

std::filesystem::path builtin_models_dir() {
  if (const char* env = std::getenv("R4K_MODELS_DIR"); env != nullptr && *env != '\0') return env;
  // An installed program (or plugin) uses the models installed with it, even
  // when the source tree it was built from is still there.
  if (auto installed = models_beside_this_binary(); !installed.empty()) return installed;
  const std::filesystem::path source(R4K_SOURCE_MODELS_DIR);
  std::error_code ec;
  if (!source.empty() && std::filesystem::is_directory(source, ec)) return source;
  return std::filesystem::path(R4K_INSTALL_MODELS_DIR);
}

std::vector<std::string> builtin_model_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(builtin_models_dir(), ec)) {
    if (entry.path().extension() == ".onnx") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  for (const char* filter : {"bicubic", "lanczos", "bilinear", "nearest"}) {
    names.push_back(std::string(filter) + "-x2|x3|x4");
  }
  return names;
}

ModelSource resolve_model(const std::string& spec) {
  if (spec.empty()) throw InputError("no model given (--model)");
  if (spec.rfind(kBuiltinPrefix, 0) == 0) {
    const std::string name = spec.substr(std::char_traits<char>::length(kBuiltinPrefix));
    if (auto classic = classic_source(spec, name)) return *classic;
    const std::filesystem::path file = builtin_models_dir() / (name + ".onnx");
    std::error_code ec;
    if (name.empty() || name.find('/') != std::string::npos || !std::filesystem::is_regular_file(file, ec)) {
      throw InputError("unknown builtin model '" + spec + "' (looked in " + builtin_models_dir().string() +
                       "); available: " + joined(builtin_model_names()));
    }
    return ModelSource{spec, ModelFormat::onnx, file, std::nullopt, 0};
  }

  const std::filesystem::path path(spec);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError("model file '" + spec + "' does not exist");
  if (std::filesystem::is_directory(path, ec)) throw InputError("model path '" + spec + "' is a directory");
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".onnx") return ModelSource{spec, ModelFormat::onnx, path, std::nullopt, 0};
  if (extension == ".pb") return ModelSource{spec, ModelFormat::tensorflow, path, std::nullopt, 0};
  throw InputError("model file '" + spec + "' has an unknown format '" + extension +
                   "': expected .onnx (ONNX) or .pb (TensorFlow frozen graph)");
}

}  // namespace r4k::infer
