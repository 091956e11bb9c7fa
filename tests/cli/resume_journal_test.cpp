// `restore4k raster --resume` with a tile journal it must not trust: the
// journal lists the tiles a resumed run never computes again, so a damaged
// one, or one that belongs to another output, would leave those tiles empty
// in a result that claims to be complete. The result must still equal an
// uninterrupted run, byte for byte.
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "tests/support/command_runner.hpp"
#include "tests/support/raster_fixtures.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/file_bytes.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::TempDir;
using r4k::testing::read_bytes;
using r4k::testing::write_bytes;



fs::path journal_of(const fs::path& output) {
  return output.parent_path() / ("." + output.filename().string() + ".r4k-journal");
}

// Where the finished tiles' pixels wait for the final file.
fs::path intermediate_of(const fs::path& output) {
  return output.parent_path() / ("." + output.filename().string() + ".r4k-partial.raw");
}

// The journal has at least one tile record (line 4 on).
bool records_a_tile(const std::string& journal) {
  std::size_t at = 0;
  for (int line = 0; line < 3; ++line) {
    at = journal.find('\n', at);
    if (at == std::string::npos) return false;
    ++at;
  }
  return at < journal.size();
}

int tiles_in(const std::string& output) {
  std::smatch match;
  if (!std::regex_search(output, match, std::regex(R"(\((\d+) tiles in)"))) return -1;
  return std::stoi(match[1]);
}

class ResumeJournal : public ::testing::Test {
 protected:
  void SetUp() override {
    r4k::testing::TestRaster spec;
    spec.width = 1024;
    spec.height = 960;
    spec.block = 32;
    r4k::testing::write_test_raster(spec, dir_ / "in.tif");
    // Seconds of work, so that the interrupt at the first progress report (after
    // a second) lands mid-run: with 32 features the whole run took 1.4 s on 2
    // cores once tile buffers were recycled, and the tiles in flight finished it.
    r4k::testing::SrvggSpec model;
    model.scale = 2;
    model.features = 64;
    model.convs = 6;
    r4k::testing::write_srvgg(model, dir_ / "m.onnx");
  }

  std::vector<std::string> arguments(const fs::path& output) const {
    return {"raster", (dir_ / "in.tif").string(), output.string(), "--resume", "--model", (dir_ / "m.onnx").string(),
            "--tile", "64", "--compress", "deflate", "--progress", "json",
            // One thread: seconds of work on a machine with many cores too.
            "--threads", "1"};
  }

  Outcome run(const fs::path& output) const { return r4k::testing::run_command(R4K_EXECUTABLE, arguments(output)); }

  // Stopped with Ctrl-C at its first progress report: the finished tiles are
  // on record and the journal stays next to the output.
  void interrupt(const fs::path& output) const {
    bool interrupted = false;
    const Outcome outcome = r4k::testing::run_and_signal(R4K_EXECUTABLE, arguments(output), "\"event\":\"progress\"",
                                                         SIGINT, interrupted);
    ASSERT_TRUE(interrupted) << outcome.output;
    ASSERT_EQ(outcome.exit_code, 130) << outcome.output;
    ASSERT_TRUE(fs::exists(journal_of(output))) << outcome.output;
    ASSERT_FALSE(fs::exists(output)) << outcome.output;
  }

  TempDir dir_;
};

TEST_F(ResumeJournal, ADamagedOrForeignJournalIsRedoneAndTheResultIsExact) {
  const Outcome reference = run(dir_ / "ref.tif");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const int total = tiles_in(reference.output);
  ASSERT_GT(total, 100) << reference.output;
  const std::string expected = read_bytes(dir_ / "ref.tif");

  const fs::path damaged = dir_ / "damaged.tif";
  ASSERT_NO_FATAL_FAILURE(interrupt(damaged));
  const std::string journal = read_bytes(journal_of(damaged));
  // Line 4 is the first tile record, in every format the journal has had:
  // its tile number now names the last tile, which this run never reached.
  std::size_t record = 0;
  for (int line = 0; line < 3; ++line) record = journal.find('\n', record) + 1;
  ASSERT_GT(record, 0u);
  ASSERT_LT(record, journal.size()) << "the interrupted run recorded no tile:\n" << journal;
  const std::size_t digits = journal.find_first_not_of("0123456789", record);
  ASSERT_GT(digits, record) << journal;
  std::string edited = journal;
  edited.replace(record, digits - record, std::to_string(total - 1));
  write_bytes(journal_of(damaged), edited);
  const Outcome after_damage = run(damaged);
  ASSERT_EQ(after_damage.exit_code, 0) << after_damage.output;
  EXPECT_EQ(tiles_in(after_damage.output), total) << "a damaged journal is not trusted for any tile: "
                                                   << after_damage.output;
  EXPECT_TRUE(read_bytes(damaged) == expected) << "the output after a damaged journal differs from the reference";
  EXPECT_FALSE(fs::exists(journal_of(damaged)));

  // The same job's journal, undamaged, but moved here from another output:
  // the tiles it lists are in that output's intermediate file, not here.
  const fs::path moved = dir_ / "moved.tif";
  write_bytes(journal_of(moved), journal);
  const Outcome after_move = run(moved);
  ASSERT_EQ(after_move.exit_code, 0) << after_move.output;
  EXPECT_EQ(tiles_in(after_move.output), total) << after_move.output;
  EXPECT_TRUE(read_bytes(moved) == expected) << "the output after another output's journal differs from the reference";
  EXPECT_FALSE(fs::exists(journal_of(moved)));
}

// The journal is sound but the intermediate file that holds the tiles it
// lists is gone, or cut short (a copy that stopped, a full disk, a clean-up):
// those tiles would come out empty, so the journal is not trusted either,
// every tile is made again and the run says so.
TEST_F(ResumeJournal, AJournalWhoseIntermediateFileIsGoneOrShortIsRedone) {
  const Outcome reference = run(dir_ / "ref.tif");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const int total = tiles_in(reference.output);
  ASSERT_GT(total, 100) << reference.output;
  const std::string expected = read_bytes(dir_ / "ref.tif");

  for (const bool removed : {true, false}) {
    SCOPED_TRACE(removed ? "intermediate removed" : "intermediate cut short");
    const fs::path output = dir_ / (removed ? "removed.tif" : "short.tif");
    ASSERT_NO_FATAL_FAILURE(interrupt(output));
    ASSERT_TRUE(records_a_tile(read_bytes(journal_of(output)))) << "the interrupted run recorded no tile";
    const fs::path intermediate = intermediate_of(output);
    ASSERT_TRUE(fs::exists(intermediate));
    if (removed) {
      fs::remove(intermediate);
    } else {
      // Less than one output row: the rows of every tile but the first are lost.
      fs::resize_file(intermediate, 1000);
    }
    const Outcome resumed = run(output);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_EQ(tiles_in(resumed.output), total) << "the journal's tiles are not in the intermediate file: "
                                               << resumed.output;
    EXPECT_NE(resumed.output.find("Not resuming raster"), std::string::npos) << resumed.output;
    EXPECT_NE(resumed.output.find(intermediate.filename().string()), std::string::npos) << resumed.output;
    EXPECT_TRUE(read_bytes(output) == expected) << "the resumed output differs from the reference";
    EXPECT_FALSE(fs::exists(journal_of(output)));
    EXPECT_FALSE(fs::exists(intermediate));
  }
}

}  // namespace
