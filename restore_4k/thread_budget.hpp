// How a video job shares the machine's cores between the engine and the
// encoder (the clean-up stages each run in one streaming thread of their own).
// Measured on 2 cores (docs/BENCHMARKS.md, issue 19): the film-4k job with the
// engine on both cores ran at 2.28 frames/s, with the engine on one at 1.31 —
// on few cores the encoder's one thread is best interleaved with the engine
// by the system rather than given a core of its own. On 8 cores and more a
// single encoder thread (FFV1: 0.2 CPU-s per 3840x2160 frame) would hold the
// job below the engine's rate: the encoder gets a quarter of the cores (at
// most 8) and the engine the rest. Encoder threads do not change what is
// encoded (FFV1 and ProRes thread over slices whose number the picture size
// decides), so segments encoded on different machines still join.
#pragma once

namespace r4k::restore {

struct ThreadBudget {
  int engine = 1;
  int encoder = 1;
};

// `engine_threads`: the job's engine.threads (0 = automatic; a number given
// is kept as it is).
ThreadBudget thread_budget(int cores, int engine_threads);

}  // namespace r4k::restore
