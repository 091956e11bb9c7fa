#include "pipeline/model_checksum.hpp"

#include <glib.h>

#include <fstream>
#include <memory>
#include <vector>

#include "infer/model_spec.hpp"
#include "preprocess/error.hpp"

namespace r4k::pipeline {

std::string model_sha256(const std::string& spec) {
  const infer::ModelSource source = infer::resolve_model(spec);
  if (source.filter) return "";
  std::ifstream in(source.path, std::ios::binary);
  if (!in) throw InputError("cannot read model file '" + source.path.string() + "'");
  std::unique_ptr<GChecksum, decltype(&g_checksum_free)> checksum(g_checksum_new(G_CHECKSUM_SHA256), g_checksum_free);
  std::vector<char> chunk(1 << 16);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.gcount() > 0) {
      g_checksum_update(checksum.get(), reinterpret_cast<const guchar*>(chunk.data()),
                        static_cast<gssize>(in.gcount()));
    }
  }
  return g_checksum_get_string(checksum.get());
}

}  // namespace r4k::pipeline
