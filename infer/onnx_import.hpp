// Reading an ONNX model into the native engine's Graph. A model file is
// untrusted input: truncated or foreign bytes, negative or enormous
// dimensions, initialisers whose data does not match their dimensions,
// undefined inputs, cycles and unsupported operators are all reported as
// InputError naming the file and the node or initialiser at fault, with no
// allocation larger than the file justifies.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "infer/graph.hpp"

namespace r4k::infer {

Graph import_onnx(const std::filesystem::path& path);
Graph import_onnx_bytes(std::string_view bytes, const std::string& source_name);

}  // namespace r4k::infer
