// One raster over several machines: `restore4k raster IN OUT --shard K/N`
// computes the tiles t with t mod N == K into the intermediate file all
// shards share (each shard with its own journal), and `--join --shards N`
// makes the output from them: byte for byte the file a single run makes.
// Shard tasks are retried by schedulers, started with the wrong settings or
// the wrong count, and joined too early: none of it may corrupt the result.
#include <gtest/gtest.h>

#include <regex>

#include "tests/support/command_runner.hpp"
#include "tests/support/file_bytes.hpp"
#include "tests/support/raster_fixtures.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::read_bytes;
using r4k::testing::TempDir;

// The tests choose the scheduler's variables themselves: a test run inside
// an array job must not see its own index.
const std::string kNoScheduler =
    "env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT -u JOB_COMPLETION_INDEX -u AWS_BATCH_JOB_ARRAY_INDEX";

Outcome run(const std::vector<std::string>& arguments, const std::string& environment = {}) {
  return r4k::testing::run_command(R4K_EXECUTABLE, arguments,
                                   kNoScheduler + (environment.empty() ? "" : " " + environment));
}

fs::path hidden(const fs::path& output, const std::string& suffix) {
  return output.parent_path() / ("." + output.filename().string() + suffix);
}
fs::path intermediate_of(const fs::path& output) { return hidden(output, ".r4k-partial.raw"); }
fs::path shard_journal(const fs::path& output, int index, int count) {
  return hidden(output, ".r4k-journal.shard-" + std::to_string(index) + "-of-" + std::to_string(count));
}

int number_after(const std::string& text, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(pattern))) return -1;
  return std::stoi(match[1]);
}
// Tiles a whole run made ("wrote OUT (20 tiles in ...").
int tiles_written(const std::string& output) { return number_after(output, R"(\((\d+) tiles in)"); }
// Tiles a shard task made in its run ("..., 7 made in this run").
int made_in_run(const std::string& output) { return number_after(output, R"((\d+) made in this run)"); }

class RasterShards : public ::testing::Test {
 protected:
  void SetUp() override {
    r4k::testing::TestRaster spec;
    spec.width = 160;
    spec.height = 128;
    spec.bands = 4;  // a multi-band raster: every band's plane in the shared file
    spec.block = 16;
    spec.nodata = 0;
    spec.nodata_rects = {{0, 0, 40, 40}};  // tiles of nodata only: not computed, still written
    r4k::testing::write_test_raster(spec, dir_ / "in.tif");
  }

  // A raster command with the settings every task of the split shares.
  std::vector<std::string> command(const fs::path& output, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> arguments{"raster", (dir_ / "in.tif").string(), output.string(), "--model",
                                       "builtin:bicubic-x2", "--tile", "40", "--compress", "zstd"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }

  // The single run the joined output must equal; its tile count.
  int reference() {
    const Outcome single = run(command(dir_ / "ref.tif"));
    EXPECT_EQ(single.exit_code, 0) << single.output;
    return tiles_written(single.output);
  }

  TempDir dir_;
};

TEST_F(RasterShards, ThreeShardsByFlagAndSchedulerJoinToTheSingleRunsBytes) {
  const int total = reference();
  ASSERT_GE(total, 12) << "the fixture should have a dozen tiles or more";
  const fs::path out = dir_ / "out.tif";

  // Shard 0 by flag: its tiles and journal, no GeoTIFF.
  const Outcome first = run(command(out, {"--shard", "0/3"}));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  int made = made_in_run(first.output);
  EXPECT_GT(made, 0) << first.output;
  EXPECT_TRUE(fs::exists(shard_journal(out, 0, 3)));
  EXPECT_TRUE(fs::exists(intermediate_of(out)));
  EXPECT_FALSE(fs::exists(out)) << "a shard task does not write the output";

  // Joined too early: the shards that lack tiles are named, nothing is written.
  const Outcome early = run(command(out, {"--join", "--shards", "3"}));
  EXPECT_EQ(early.exit_code, 2) << early.output;
  EXPECT_NE(early.output.find("shard(s) 1, 2 of 3 lack tiles"), std::string::npos) << early.output;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(fs::exists(intermediate_of(out))) << "a refused join keeps the shards' work";
  EXPECT_TRUE(fs::exists(shard_journal(out, 0, 3)));

  // Shard 1 as a Slurm array task resubmitted alone (its own count says 1),
  // shard 2 as a Kubernetes Indexed Job; the count from --shards.
  const Outcome second = run(command(out, {"--shards", "3"}), "SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("shard 1/3 (SLURM_ARRAY_TASK_ID)"), std::string::npos) << second.output;
  made += made_in_run(second.output);
  const Outcome third = run(command(out, {"--shards", "3"}), "JOB_COMPLETION_INDEX=2");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find("shard 2/3 (JOB_COMPLETION_INDEX)"), std::string::npos) << third.output;
  made += made_in_run(third.output);
  EXPECT_EQ(made, total) << "the shards partition the tiles";
  EXPECT_FALSE(fs::exists(out));

  // A retried task whose shard is complete does nothing and succeeds.
  const Outcome again = run(command(out, {"--shard", "1/3"}));
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(made_in_run(again.output), 0) << again.output;

  const Outcome join = run(command(out, {"--join", "--shards", "3"}));
  ASSERT_EQ(join.exit_code, 0) << join.output;
  ASSERT_TRUE(fs::exists(out)) << join.output;
  EXPECT_TRUE(read_bytes(out) == read_bytes(dir_ / "ref.tif")) << "the joined file differs from the single run's";
  EXPECT_FALSE(fs::exists(intermediate_of(out)));
  for (int k = 0; k < 3; ++k) EXPECT_FALSE(fs::exists(shard_journal(out, k, 3))) << k;

  // The join retried after it finished: done, the file untouched.
  const Outcome rejoin = run(command(out, {"--join", "--shards", "3"}));
  EXPECT_EQ(rejoin.exit_code, 0) << rejoin.output;
  EXPECT_TRUE(read_bytes(out) == read_bytes(dir_ / "ref.tif"));
}

TEST_F(RasterShards, AShardOfOtherSettingsOrAnotherCountIsRefusedAndCorruptsNothing) {
  reference();
  const fs::path out = dir_ / "out.tif";
  ASSERT_EQ(run(command(out, {"--shard", "0/3"})).exit_code, 0);

  // Other settings (a halo that changes every tile's pixels near its edges):
  // refused before it writes a tile, naming what differs.
  const Outcome other = run(command(out, {"--shard", "1/3", "--halo", "6"}));
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find("ran with other settings"), std::string::npos) << other.output;
  EXPECT_NE(other.output.find("halo (this task: 6;"), std::string::npos) << other.output;
  EXPECT_FALSE(fs::exists(shard_journal(out, 1, 3)));

  // Another count: its tiles would overlap the others'.
  const Outcome count = run(command(out, {"--shard", "1/2"}));
  EXPECT_EQ(count.exit_code, 2) << count.output;
  EXPECT_NE(count.output.find("split into 3"), std::string::npos) << count.output;
  EXPECT_FALSE(fs::exists(shard_journal(out, 1, 2)));

  // A join of another count, and a single run over the split, are refused too.
  const Outcome join_count = run(command(out, {"--join", "--shards", "2"}));
  EXPECT_EQ(join_count.exit_code, 2) << join_count.output;
  EXPECT_NE(join_count.output.find("disagree on the count"), std::string::npos) << join_count.output;
  const Outcome whole = run(command(out));
  EXPECT_EQ(whole.exit_code, 2) << whole.output;
  EXPECT_NE(whole.output.find("shard tasks"), std::string::npos) << whole.output;
  EXPECT_FALSE(fs::exists(out));

  // The right tasks finish the split: the result is still the single run's.
  ASSERT_EQ(run(command(out, {"--shard", "1/3"})).exit_code, 0);
  ASSERT_EQ(run(command(out, {"--shard", "2/3"})).exit_code, 0);
  // The join too must run the shards' job.
  const Outcome join_other = run(command(out, {"--join", "--shards", "3", "--halo", "6"}));
  EXPECT_EQ(join_other.exit_code, 2) << join_other.output;
  EXPECT_NE(join_other.output.find("halo (this task: 6;"), std::string::npos) << join_other.output;
  const Outcome join = run(command(out, {"--join", "--shards", "3"}));
  ASSERT_EQ(join.exit_code, 0) << join.output;
  EXPECT_TRUE(read_bytes(out) == read_bytes(dir_ / "ref.tif")) << "the joined file differs from the single run's";
}

}  // namespace
