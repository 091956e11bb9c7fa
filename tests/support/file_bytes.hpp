// Whole files as bytes, for tests that make, damage or compare files.
#pragma once

#include <filesystem>
#include <string>

namespace r4k::testing {

// The file's bytes ("" when it cannot be read).
std::string read_bytes(const std::filesystem::path& path);

// Writes `bytes` to `path` (binary, replacing it). Throws std::runtime_error on failure.
void write_bytes(const std::filesystem::path& path, const std::string& bytes);

}  // namespace r4k::testing
