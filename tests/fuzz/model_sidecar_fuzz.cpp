// libFuzzer target for the model sidecar reader (<model>.yaml). A sidecar
// comes with a model from anywhere, so for any text the reader must return a
// sidecar whose values are in range, or throw r4k::InputError whose message
// names the file; any other exception, crash, sanitizer report or hang is a
// finding. See README.md in this folder.
#include "infer/model_sidecar.hpp"
#include "core/error.hpp"

#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

// read_sidecar reads a file (yaml-cpp's LoadFile), so each input goes
// through one: in /dev/shm when there is one, so no disk is touched.
const std::filesystem::path& sidecar_file() {
  static const std::filesystem::path path = [] {
    std::error_code ec;
    const std::filesystem::path folder =
        std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm")
                                                      : std::filesystem::temp_directory_path();
    return folder / ("r4k-sidecar-fuzz-" + std::to_string(::getpid()) + ".yaml");
  }();
  return path;
}

void write_file(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();  // the harness itself is broken: not a finding in the reader
  if (size != 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path& path = sidecar_file();
  write_file(path, data, size);
  try {
    const r4k::infer::ModelSidecar sidecar = r4k::infer::read_sidecar(path);
    // What the reader accepts, the model loader uses as it is.
    const auto finding = [](const char* what) {
      std::fprintf(stderr, "model_sidecar_fuzz: accepted %s\n", what);
      std::abort();
    };
    if (sidecar.scale && (*sidecar.scale < 1 || *sidecar.scale > 16)) finding("a scale out of 1..16");
    if (sidecar.receptive_field && (*sidecar.receptive_field < 0 || *sidecar.receptive_field > 4096)) {
      finding("a receptive field out of 0..4096");
    }
    if (sidecar.range) {
      const auto [black, white] = *sidecar.range;
      if (!std::isfinite(black) || !std::isfinite(white) || !std::isfinite(white - black) || !(white > black)) {
        finding("a range that is not finite or not increasing");
      }
    }
    r4k::infer::ModelInfo info;
    r4k::infer::apply_sidecar(sidecar, info);
  } catch (const r4k::InputError& error) {
    // The message must name the file at fault, first (file:line:column: ...).
    const std::string message = error.what();
    if (message.rfind(path.string() + ":", 0) != 0) {
      std::fprintf(stderr, "model_sidecar_fuzz: an error that does not start with the file: %s\n", message.c_str());
      std::abort();
    }
  }
  return 0;
}
