// The raster path's pure parts: block-aligned tile plans, tile metas, value
// ranges, the tile journal, and the batch manifest and its shards.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "encode/tile_journal.hpp"
#include "core/error.hpp"
#include "preprocess/tile_meta.hpp"
#include "preprocess/value_range.hpp"
#include "restore_4k/batch_manifest.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::TempDir;

TEST(AlignedTilePlan, CoresPartitionTheImageOnTheBlockGrid) {
  for (const auto& [w, h, core, halo] : {std::array<int, 4>{1000, 700, 256, 10}, {257, 256, 128, 0},
                                         {100, 40, 64, 7}, {5, 3, 64, 2}}) {
    const auto plan = r4k::TilePlan::aligned(w, h, core, core, halo);
    std::vector<int> covered(static_cast<std::size_t>(w * h), 0);
    for (const auto& tile : plan.tiles()) {
      EXPECT_EQ(tile.core.x % core, 0);
      EXPECT_EQ(tile.core.y % core, 0);
      EXPECT_TRUE(tile.window.contains(tile.core));
      EXPECT_EQ(tile.window.width, plan.window_width());
      EXPECT_EQ(tile.window.height, plan.window_height());
      EXPECT_GE(tile.window.x, 0);
      EXPECT_LE(tile.window.right(), w);
      EXPECT_LE(tile.window.bottom(), h);
      // Halo on every side that is not the image border.
      if (tile.core.x > 0) {
        EXPECT_LE(tile.window.x, tile.core.x - std::min(halo, tile.core.x));
      }
      if (tile.core.right() < w) {
        EXPECT_GE(tile.window.right(), tile.core.right() + halo);
      }
      if (tile.core.y > 0) {
        EXPECT_LE(tile.window.y, tile.core.y - std::min(halo, tile.core.y));
      }
      if (tile.core.bottom() < h) {
        EXPECT_GE(tile.window.bottom(), tile.core.bottom() + halo);
      }
      for (int y = tile.core.y; y < tile.core.bottom(); ++y) {
        for (int x = tile.core.x; x < tile.core.right(); ++x) ++covered[static_cast<std::size_t>(y * w + x)];
      }
    }
    for (int count : covered) ASSERT_EQ(count, 1) << w << "x" << h << " core " << core;
    EXPECT_EQ(plan.columns() * plan.rows(), static_cast<int>(plan.tiles().size()));
  }
}

TEST(AlignedTilePlan, RejectsEmptyImagesAndCores) {
  EXPECT_THROW(r4k::TilePlan::aligned(0, 10, 8, 8, 0), r4k::InputError);
  EXPECT_THROW(r4k::TilePlan::aligned(10, 10, 0, 8, 0), r4k::InputError);
  EXPECT_THROW(r4k::TilePlan::aligned(10, 10, 8, 8, -1), r4k::InputError);
}

TEST(TileMeta, ScaledCoreCropsTheHaloAndScalesEverything) {
  r4k::TileMeta meta;
  meta.image_width = 100;
  meta.image_height = 80;
  meta.window = {40, 20, 40, 30};
  meta.core = {48, 28, 24, 14};
  meta.index = 7;
  meta.count = 12;
  EXPECT_EQ(meta.core_in_window(), (r4k::Rect{8, 8, 24, 14}));
  const r4k::TileMeta out = meta.scaled_core(3);
  EXPECT_EQ(out.image_width, 300);
  EXPECT_EQ(out.image_height, 240);
  EXPECT_EQ(out.core, (r4k::Rect{144, 84, 72, 42}));
  EXPECT_EQ(out.window, out.core);
  EXPECT_EQ(out.core_in_window(), (r4k::Rect{0, 0, 72, 42}));
  EXPECT_EQ(out.scale, 3);
  EXPECT_EQ(out.index, 7);
  EXPECT_EQ(out.count, 12);
  EXPECT_EQ(out.scaled_core(2).scale, 6);
}

TEST(ValueRange, ParsesAutoExplicitAndBitDepth) {
  EXPECT_TRUE(r4k::parse_value_range("auto").automatic);
  const auto explicit_range = r4k::parse_value_range("100,10000");
  ASSERT_TRUE(explicit_range.explicit_range);
  EXPECT_EQ(*explicit_range.explicit_range, (r4k::ValueRange{100, 10000}));
  const auto bits = r4k::parse_value_range("bits:12");
  ASSERT_TRUE(bits.explicit_range);
  EXPECT_EQ(*bits.explicit_range, (r4k::ValueRange{0, 4095}));
  const r4k::ValueRange range{100, 4195};
  EXPECT_FLOAT_EQ(range.normalise(100), 0.0f);
  EXPECT_FLOAT_EQ(range.normalise(4195), 1.0f);
  EXPECT_NEAR(range.denormalise(range.normalise(1234)), 1234.0, 1e-3);
  for (const char* bad : {"10,5", "1,1", "x,2", "3", "bits:0", "bits:40", "bits:x", "1,2,3"}) {
    EXPECT_THROW(r4k::parse_value_range(bad), r4k::InputError) << bad;
  }
}

TEST(TileJournal, ResumesOnlyTheSameJobAndIgnoresATornLine) {
  TempDir dir;
  const fs::path path = dir / "j";
  {
    r4k::encode::TileJournal journal(path, "job A", 10, false);
    EXPECT_FALSE(journal.resumed());
    journal.record({0, 3, 4});
  }
  std::ofstream(path, std::ios::app) << "7";  // killed in the middle of a line
  {
    r4k::encode::TileJournal journal(path, "job A", 10, true);
    EXPECT_TRUE(journal.resumed());
    EXPECT_EQ(journal.done_tiles(), (std::vector<int>{0, 3, 4}));
    EXPECT_TRUE(journal.is_done(3));
    EXPECT_FALSE(journal.is_done(7));
  }
  EXPECT_FALSE(r4k::encode::TileJournal(path, "job B", 10, true).resumed());
  // The mismatched journal was replaced.
  EXPECT_EQ(r4k::encode::TileJournal::read_fingerprint(path), "job B");
  EXPECT_FALSE(r4k::encode::TileJournal(path, "job B", 11, true).resumed());
  r4k::encode::TileJournal fresh(path, "job B", 11, false);
  EXPECT_EQ(fresh.done_count(), 0);
  fresh.remove();
  EXPECT_FALSE(fs::exists(path));
}

TEST(BatchManifest, ShardsPartitionTheSortedManifestExactlyOnce) {
  TempDir dir;
  fs::create_directories(dir / "in");
  for (const char* name : {"b.tif", "a.tif", "c.TIFF", "d.jp2", "e.tif", "f.tif", "g.tif"}) {
    std::ofstream(dir / "in" / name) << "x";
  }
  fs::create_directories(dir / "in" / "folder.tif");  // not a file
  const auto inputs = r4k::restore::expand_inputs((dir / "in" / "*").string());
  ASSERT_EQ(inputs.size(), 7u);
  EXPECT_TRUE(std::is_sorted(inputs.begin(), inputs.end(),
                             [](const auto& a, const auto& b) { return a.path.string() < b.path.string(); }));
  const auto manifest = r4k::restore::make_manifest(inputs, dir / "out");
  EXPECT_EQ(manifest[3].output, dir / "out" / "d.tif");   // .jp2 -> .tif
  EXPECT_EQ(manifest[2].output, dir / "out" / "c.TIFF");  // kept
  for (int count : {1, 2, 3, 7, 10}) {
    std::multiset<int> seen;
    for (int index = 0; index < count; ++index) {
      const auto shard = r4k::restore::select_shard(manifest, r4k::restore::Shard{index, count, "test"});
      EXPECT_LE(shard.size(), (manifest.size() + static_cast<std::size_t>(count) - 1) / static_cast<std::size_t>(count));
      for (const auto& item : shard) seen.insert(item.position);
    }
    ASSERT_EQ(seen.size(), manifest.size()) << count << " shards";
    for (int position = 0; position < static_cast<int>(manifest.size()); ++position) {
      EXPECT_EQ(seen.count(position), 1u) << "file " << position << " with " << count << " shards";
    }
  }
  EXPECT_THROW(r4k::restore::expand_inputs((dir / "in" / "*.none").string()), r4k::InputError);
}

TEST(BatchManifest, TwoInputsForOneOutputAreRefused) {
  TempDir dir;
  using r4k::restore::BatchInput;
  EXPECT_THROW(r4k::restore::make_manifest({BatchInput{dir / "x" / "a.tif", "a.tif"},
                                            BatchInput{dir / "y" / "a.tif", "a.tif"}},
                                           dir / "out"),
               r4k::InputError);
  EXPECT_THROW(r4k::restore::make_manifest({BatchInput{dir / "a.png", "a.png"}, BatchInput{dir / "a.jpg", "a.jpg"}},
                                           dir / "out"),
               r4k::InputError);
}

// ** goes through any number of folders (none too), and the outputs keep
// those folders; what lies in the output folder is never an input; a single
// * stays in its folder (POSIX glob would read ** as *).
TEST(BatchManifest, DoubleStarRecursesAndTheOutputsKeepTheFolders) {
  TempDir dir;
  for (const char* name : {"tiles/a.tif", "tiles/33/b.tif", "tiles/33/UUP/c.tif", "tiles/33/UUP/c.txt",
                           "tiles/34/a.tif", "tiles/.hidden/d.tif", "tiles/out/old.tif"}) {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name) << "x";
  }
  const auto inputs = r4k::restore::expand_inputs((dir / "tiles" / "**" / "*.tif").string());
  std::vector<std::string> relative;
  for (const auto& input : inputs) relative.push_back(input.relative.string());
  EXPECT_EQ(relative, (std::vector<std::string>{"33/UUP/c.tif", "33/b.tif", "34/a.tif", "a.tif", "out/old.tif"}));
  const auto manifest = r4k::restore::make_manifest(inputs, dir / "tiles" / "out");
  ASSERT_EQ(manifest.size(), 4u) << "the output folder's own files are left out";
  EXPECT_EQ(manifest[0].output, dir / "tiles" / "out" / "33" / "UUP" / "c.tif");
  EXPECT_EQ(manifest[2].output, dir / "tiles" / "out" / "34" / "a.tif");
  EXPECT_EQ(manifest[3].output, dir / "tiles" / "out" / "a.tif");
  // One star: one folder.
  EXPECT_EQ(r4k::restore::expand_inputs((dir / "tiles" / "*" / "*.tif").string()).size(), 3u);
  EXPECT_THROW(r4k::restore::expand_inputs((dir / "tiles" / "**" / "*.none").string()), r4k::InputError);
}

TEST(BatchShard, IndexFromTheFlagOrTheSchedulerCountAlwaysFromTheJob) {
  using Env = std::map<std::string, std::string>;
  const auto resolve = [](const std::string& text, int planned, const Env& env) {
    return r4k::restore::resolve_shard(text, "--shard", planned, "batch.shards", [&env](const char* name) -> const char* {
      const auto found = env.find(name);
      return found == env.end() ? nullptr : found->second.c_str();
    });
  };
  const auto shard = resolve("2/5", 0, {});
  EXPECT_EQ(shard.index, 2);
  EXPECT_EQ(shard.count, 5);
  EXPECT_EQ(resolve("3", 4, {}).count, 4) << "K alone takes the planned count";
  for (const char* bad : {"5/5", "-1/3", "1", "a/b", "1/0"}) {
    EXPECT_THROW(resolve(bad, 0, {}), r4k::InputError) << bad;
  }
  EXPECT_THROW(resolve("1/3", 4, {}), r4k::InputError) << "N must be the planned count";
  const auto none = resolve("", 0, {});
  EXPECT_EQ(none.index, 0);
  EXPECT_EQ(none.count, 1);
  // Slurm: the raw task id; its own count is never used (a task resubmitted
  // alone with sbatch --array=2 sees SLURM_ARRAY_TASK_COUNT=1 and MIN=2).
  const auto resubmitted =
      resolve("", 4, {{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "1"}, {"SLURM_ARRAY_TASK_MIN", "2"}});
  EXPECT_EQ(resubmitted.index, 2);
  EXPECT_EQ(resubmitted.count, 4);
  EXPECT_EQ(resubmitted.source, "SLURM_ARRAY_TASK_ID");
  EXPECT_THROW(resolve("", 0, {{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}), r4k::InputError)
      << "an index without the job's count";
  try {
    resolve("", 4, {{"SLURM_ARRAY_TASK_ID", "4"}});
    ADD_FAILURE() << "an array numbered from 1 is refused";
  } catch (const r4k::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("SLURM_ARRAY_TASK_ID=4 is outside 0..3"), std::string::npos)
        << error.what();
  }
  const auto k8s = resolve("", 8, {{"JOB_COMPLETION_INDEX", "0"}});
  EXPECT_EQ(k8s.index, 0);
  EXPECT_EQ(k8s.count, 8);
  EXPECT_EQ(k8s.source, "JOB_COMPLETION_INDEX");
  EXPECT_EQ(resolve("", 10, {{"AWS_BATCH_JOB_ARRAY_INDEX", "9"}}).index, 9);
  EXPECT_THROW(resolve("", 10, {{"AWS_BATCH_JOB_ARRAY_INDEX", "10"}}), r4k::InputError);
  EXPECT_THROW(resolve("", 2, {{"SLURM_ARRAY_TASK_ID", "x"}}), r4k::InputError);
  EXPECT_EQ(resolve("1/4", 4, {{"SLURM_ARRAY_TASK_ID", "3"}}).index, 1) << "the flag wins";
}

}  // namespace
