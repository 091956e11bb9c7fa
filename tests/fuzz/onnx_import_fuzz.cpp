// libFuzzer target for the ONNX importer. A model file is untrusted input, so
// every byte string must either import or be rejected with r4k::InputError;
// any other exception, crash, sanitizer report, hang or oversized allocation
// is a bug the fuzzer should report. See README.md in this folder.
#include "infer/onnx_import.hpp"
#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    [[maybe_unused]] const r4k::infer::Graph graph = r4k::infer::import_onnx_bytes(bytes, "fuzz-input");
  } catch (const r4k::InputError& e) {
    // Rejection is the expected outcome for most inputs, but it must say why:
    // an empty message would reach the user as a bare exit code.
    if (e.what()[0] == '\0') std::abort();
  }
  // Only InputError is caught: anything else escapes and libFuzzer reports it
  // as a crash with the input that caused it.
  return 0;
}
