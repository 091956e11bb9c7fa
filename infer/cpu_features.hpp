// Which vector instruction sets the engine's own kernels (Winograd, the FMA
// peak) may use, and the name AutoTune keys its choices by: what the CPU
// has, capped by oneDNN's own switch, ONEDNN_MAX_CPU_ISA (or the older
// DNNL_MAX_CPU_ISA) — e.g. AVX2 keeps every kernel, the library's and the
// engine's, off AVX-512, so a mixed cluster can run one instruction set
// everywhere, or an AVX-512 machine can measure what an AVX2 one would run.
#pragma once

#include <string>

namespace r4k::infer {

struct CpuFeatures {
  bool avx2_fma = false;  // AVX2 and FMA
  bool avx512 = false;    // AVX-512 F and VL (with AVX2 and FMA)
};

// Read once per process (the environment as it was then).
const CpuFeatures& cpu_features();

// "avx512", "avx2" or "sse": the widest of cpu_features().
std::string instruction_set_name();

// The cap a value of ONEDNN_MAX_CPU_ISA sets on `found` (names as oneDNN
// spells them, any case: SSE41, AVX, AVX2, AVX2_VNNI, AVX512_CORE..., ALL);
// an empty or unknown value caps nothing, as oneDNN ignores it.
CpuFeatures capped(CpuFeatures found, const std::string& max_isa);

}  // namespace r4k::infer
