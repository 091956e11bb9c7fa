// The SHA-256 of a model's file, for the provenance written into outputs
// (container tags, raster metadata, job records): which exact weights made
// a picture. Classical filters (builtin:bicubic-x4, ...) have no file.
#pragma once

#include <string>

namespace r4k::pipeline {

// Lower-case hex SHA-256 of the file `spec` resolves to (a path, or
// builtin:NAME of a shipped model); "" for classical filters. Throws
// InputError when the spec does not resolve or the file cannot be read.
std::string model_sha256(const std::string& spec);

}  // namespace r4k::pipeline
