// The SHA-256 of a model's file, for the provenance written into outputs
// (container tags, raster metadata, job records, batch stamps): which exact
// weights made a picture. Classical filters (builtin:bicubic-x4, ...) have no
// file. The digest is computed here (FIPS 180-4) so that model provenance
// needs no GLib or crypto library beside the models.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace r4k::infer {

// SHA-256 fed in pieces.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(const std::string& text) { update(text.data(), text.size()); }
  std::string hex();  // lower-case; ends the digest

 private:
  void block(const std::uint8_t* data);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes
};

// Lower-case hex SHA-256 of the file `spec` resolves to (a path, or
// builtin:NAME of a shipped model); "" for classical filters. Throws
// InputError when the spec does not resolve or the file cannot be read.
std::string model_sha256(const std::string& spec);

}  // namespace r4k::infer
