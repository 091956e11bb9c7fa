// libFuzzer target for the raster tile journal reader. A journal decides which
// tiles a resumed run never computes again, so for any bytes the reader must
// return (never throw, crash or hang), and what it trusts must be exactly what
// the writer would have written for those records: any other byte string
// trusted is a damaged journal passed off as good. See README.md here.
#include "encode/tile_journal.hpp"
#include "tests/fuzz/tile_journal_fuzz_job.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using r4k::fuzz::kJournalName;
using r4k::fuzz::kJournalTileCount;
const std::string kFingerprint(r4k::fuzz::kJournalFingerprint);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const r4k::encode::TileJournalReading reading =
      r4k::encode::read_tile_journal(bytes, kJournalName, kFingerprint, kJournalTileCount);
  if (!reading.trusted) {
    // Refused: it must say why (the log line names the reason), and hand
    // nothing on.
    if (reading.problem.empty() || !reading.records.empty()) std::abort();
    return 0;
  }
  if (!reading.problem.empty() || reading.trusted_bytes > bytes.size()) std::abort();
  for (const r4k::encode::TileRecord& record : reading.records) {
    if (record.tile < 0 || record.tile >= kJournalTileCount) std::abort();
  }
  // Only a torn last line (no newline) may follow what is trusted.
  if (bytes.substr(reading.trusted_bytes).find('\n') != std::string_view::npos) std::abort();
  // Trusted bytes are the writer's bytes for those records, to the byte.
  const std::string written = r4k::encode::tile_journal_text(kJournalName, kFingerprint, kJournalTileCount, reading.records);
  if (bytes.substr(0, reading.trusted_bytes) != written) std::abort();
  return 0;
}
