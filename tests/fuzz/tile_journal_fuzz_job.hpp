// The job the tile journal fuzzer reads journals for, and its seeds are
// written for: one place, so that the seeds check out in the fuzzer (and the
// fuzzer starts from journals it trusts).
#pragma once

#include <string_view>

namespace r4k::fuzz {

constexpr std::string_view kJournalName = ".scene_x4.tif.r4k-journal";
constexpr std::string_view kJournalFingerprint =
    "source=/data/scene.tif (1048576 bytes, modified 1700000000000000000); bands=1,2,3; model-bands=0,1,2; "
    "nearest-bands=; range=0,4095; core=256x256; halo=10; tiles=64; model=builtin:clean-x4";
constexpr int kJournalTileCount = 64;

}  // namespace r4k::fuzz
