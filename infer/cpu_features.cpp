#include "infer/cpu_features.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace r4k::infer {

CpuFeatures capped(CpuFeatures found, const std::string& max_isa) {
  std::string isa = max_isa;
  std::transform(isa.begin(), isa.end(), isa.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (isa == "SSE41" || isa == "AVX") {
    found.avx2_fma = false;
    found.avx512 = false;
  } else if (isa.rfind("AVX2", 0) == 0) {
    found.avx512 = false;
  }
  return found;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = [] {
    __builtin_cpu_init();
    CpuFeatures found;
    found.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    found.avx512 = found.avx2_fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    const char* onednn = std::getenv("ONEDNN_MAX_CPU_ISA");
    const char* dnnl = std::getenv("DNNL_MAX_CPU_ISA");
    const char* cap = onednn != nullptr && *onednn != '\0' ? onednn : dnnl;
    return capped(found, cap != nullptr ? cap : "");
  }();
  return features;
}

std::string instruction_set_name() {
  const CpuFeatures& features = cpu_features();
  return features.avx512 ? "avx512" : features.avx2_fma ? "avx2" : "sse";
}

}  // namespace r4k::infer
