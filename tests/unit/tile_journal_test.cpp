// The tile journal decides which tiles a resumed raster run never computes
// again, so a journal that is damaged (cut short, a flipped byte, a line that
// is not the writer's) or foreign (another job's, another output's, an older
// format's) must never be trusted for a tile it did not truly record.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "encode/tile_journal.hpp"
#include "tests/support/file_bytes.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::encode::TileJournal;
using r4k::testing::TempDir;
using r4k::testing::read_bytes;
using r4k::testing::write_bytes;



bool is_subset(const std::vector<int>& tiles, const std::set<int>& allowed) {
  return std::all_of(tiles.begin(), tiles.end(), [&](int tile) { return allowed.count(tile) != 0; });
}

constexpr int kTiles = 100;
const std::string kJob = "source=/data/scene.tif (123 bytes, modified 42); bands=1,2,3; tiles=100";

// A journal that recorded tiles 0, 3 (from damaged input), 4 and 45.
std::string recorded_journal(const fs::path& path) {
  TileJournal journal(path, kJob, kTiles, false);
  journal.record({0, 3, 4}, {3});
  journal.record({45});
  return read_bytes(path);
}

TEST(TileJournal, AGoodJournalResumesWithItsTilesAndDamageMarks) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  recorded_journal(path);
  TileJournal journal(path, kJob, kTiles, true);
  EXPECT_TRUE(journal.resumed());
  EXPECT_EQ(journal.distrusted(), "");
  EXPECT_EQ(journal.done_tiles(), (std::vector<int>{0, 3, 4, 45}));
  EXPECT_EQ(journal.damaged_tiles(), (std::vector<int>{3}));
  EXPECT_EQ(journal.done_count(), 4);
}

// Cut anywhere (a kill while appending, a disk that lost the file's tail):
// never a tile that was not recorded, now or after the resumed run appends.
TEST(TileJournal, ATruncatedJournalNeverClaimsATileItDidNotRecord) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  const std::string whole = recorded_journal(path);
  const std::set<int> recorded{0, 3, 4, 45};
  for (std::size_t length = 0; length <= whole.size(); ++length) {
    SCOPED_TRACE("cut to " + std::to_string(length) + " of " + std::to_string(whole.size()) + " bytes");
    write_bytes(path, whole.substr(0, length));
    {
      TileJournal journal(path, kJob, kTiles, true);
      EXPECT_TRUE(is_subset(journal.done_tiles(), recorded));
      // The resumed run goes on recording; its records must not run on
      // from a torn line ("4" + "8\n" is not tile 48).
      journal.record({8});
    }
    TileJournal again(path, kJob, kTiles, true);
    std::set<int> allowed = recorded;
    allowed.insert(8);
    EXPECT_TRUE(is_subset(again.done_tiles(), allowed));
    EXPECT_TRUE(again.is_done(8)) << "the record after a cut must count";
  }
}

TEST(TileJournal, ARecordCutMidLineIsRedoneAndTheOthersKept) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  {
    TileJournal journal(path, kJob, kTiles, false);
    journal.record({1, 2});
  }
  const auto before_last = fs::file_size(path);
  {
    TileJournal journal(path, kJob, kTiles, true);
    journal.record({45});
  }
  fs::resize_file(path, before_last + 1);  // "4" of tile 45's record: killed while appending
  {
    TileJournal journal(path, kJob, kTiles, true);
    EXPECT_TRUE(journal.resumed());
    EXPECT_EQ(journal.done_tiles(), (std::vector<int>{1, 2}));
    journal.record({8});
  }
  TileJournal journal(path, kJob, kTiles, true);
  EXPECT_TRUE(journal.resumed());
  EXPECT_EQ(journal.done_tiles(), (std::vector<int>{1, 2, 8}));
}

// A flipped bit in every byte of the file: either the journal is refused,
// or (the last newline flipped: a torn line) it claims only recorded tiles,
// each with its own damage mark.
TEST(TileJournal, AFlippedBitAnywhereIsNeverTrustedForATile) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  const std::string whole = recorded_journal(path);
  const std::set<int> recorded{0, 3, 4, 45};
  for (std::size_t at = 0; at < whole.size(); ++at) {
    // Bit 0 turns a digit into its neighbour ('3' into '2'); the rotating
    // bit reaches every bit position across the file without 8 runs a byte.
    for (const int bit : {0, static_cast<int>(at % 7) + 1}) {
      std::string damaged = whole;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      write_bytes(path, damaged);
      TileJournal journal(path, kJob, kTiles, true);
      const std::vector<int> done = journal.done_tiles();
      const std::vector<int> marked = journal.damaged_tiles();
      EXPECT_TRUE(is_subset(done, recorded)) << "byte " << at << " bit " << bit;
      for (int tile : done) {
        EXPECT_EQ(std::count(marked.begin(), marked.end(), tile), tile == 3 ? 1 : 0)
            << "byte " << at << " bit " << bit << ": tile " << tile << " lost or gained its damage mark";
      }
      if (journal.resumed()) {
        EXPECT_EQ(at, whole.size() - 1) << "bit " << bit << " flipped and still trusted";
      }
    }
  }
}

TEST(TileJournal, ALineTheWriterDidNotWriteIsNotTrusted) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  const std::string whole = recorded_journal(path);
  for (const std::string extra : {"5\n", "5 damaged\n", "-1\n", "\n", "+5\n", "05\n", "4294967301\n"}) {
    write_bytes(path, whole + extra);
    TileJournal journal(path, kJob, kTiles, true);
    EXPECT_FALSE(journal.resumed()) << extra;
    EXPECT_FALSE(journal.is_done(5)) << extra;
    EXPECT_EQ(journal.done_count(), 0) << extra;
  }
}

TEST(TileJournal, AForeignJournalIsNotTrusted) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  // Another job (input or settings differ), another tile count.
  recorded_journal(path);
  EXPECT_FALSE(TileJournal(path, kJob + "; halo=8", kTiles, true).resumed());
  recorded_journal(path);
  EXPECT_FALSE(TileJournal(path, kJob, kTiles + 1, true).resumed());
  recorded_journal(path);
  EXPECT_FALSE(TileJournal(path, kJob, kTiles - 1, true).resumed());
  // The journal of another output of the same job, moved or copied here:
  // its tiles are in the other output's intermediate file, not this one's.
  const fs::path other = dir / ".other.tif.r4k-journal";
  recorded_journal(other);
  fs::copy_file(other, path, fs::copy_options::overwrite_existing);
  EXPECT_FALSE(TileJournal(path, kJob, kTiles, true).resumed());
  // A journal of the first format, which had no checks to go by.
  write_bytes(path, "restore4k tile journal 1\nfingerprint " + kJob + "\ntiles 100\n0\n3 damaged\n4\n");
  EXPECT_FALSE(TileJournal(path, kJob, kTiles, true).resumed());
  // Not a journal at all.
  write_bytes(path, "GIF89a\n\x01\x02\n\n");
  EXPECT_FALSE(TileJournal(path, kJob, kTiles, true).resumed());
}

TEST(TileJournal, ADistrustedJournalSaysWhyAndIsReplacedByAFreshOne) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  std::string whole = recorded_journal(path);
  whole[whole.find("\n45 ") + 1] = '5';  // tile 45's record now reads 55
  write_bytes(path, whole);
  {
    TileJournal journal(path, kJob, kTiles, true);
    EXPECT_FALSE(journal.resumed());
    EXPECT_EQ(journal.done_count(), 0);
    EXPECT_NE(journal.distrusted().find(path.string()), std::string::npos) << journal.distrusted();
    EXPECT_NE(journal.distrusted().find("fails its check"), std::string::npos) << journal.distrusted();
    EXPECT_NE(journal.distrusted().find("every tile is made again"), std::string::npos) << journal.distrusted();
    journal.record({7});
  }
  // The fresh journal is good in its turn.
  TileJournal journal(path, kJob, kTiles, true);
  EXPECT_TRUE(journal.resumed());
  EXPECT_EQ(journal.distrusted(), "");
  EXPECT_EQ(journal.done_tiles(), (std::vector<int>{7}));
  EXPECT_EQ(TileJournal::read_fingerprint(path), kJob);
  // Not resuming is not distrust: nothing to say.
  EXPECT_EQ(TileJournal(path, kJob, kTiles, false).distrusted(), "");
  EXPECT_EQ(TileJournal(dir / ".none.r4k-journal", kJob, kTiles, true).distrusted(), "");
}

TEST(TileJournal, TilesOutsideTheCountAreNotWrittenSoTheJournalStaysGood) {
  TempDir dir;
  const fs::path path = dir / ".out.tif.r4k-journal";
  {
    TileJournal journal(path, kJob, 10, false);
    journal.record({0, 10, -1, 2});
    EXPECT_EQ(journal.done_tiles(), (std::vector<int>{0, 2}));
  }
  TileJournal journal(path, kJob, 10, true);
  EXPECT_TRUE(journal.resumed());
  EXPECT_EQ(journal.done_tiles(), (std::vector<int>{0, 2}));
}

}  // namespace
