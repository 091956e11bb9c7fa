// AutoTune's choice: measured once and cached per machine, model and shape;
// pinned choices (from a job record) win; off takes the default.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.hpp"
#include "infer/autotune.hpp"
#include "infer/cpu_features.hpp"

namespace r4k::infer {
namespace {

namespace fs = std::filesystem;

struct AutotuneTest : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("r4k-autotune-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                               "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::string cache() const { return (dir / "restore4k" / "autotune.yaml").string(); }
  void SetUp() override { fs::remove_all(dir); }
  void TearDown() override { fs::remove_all(dir); }

  AutotuneOptions options(bool enabled = true) const {
    AutotuneOptions o;
    o.enabled = enabled;
    o.cache_file = cache();
    return o;
  }
};

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

TEST_F(AutotuneTest, MeasuresOnceAndKeepsTheFastest) {
  int slow_runs = 0;
  int fast_runs = 0;
  const std::vector<Autotuner::Candidate> candidates{{"direct", [&] { ++slow_runs; sleep_ms(3); }},
                                                     {"winograd-f4-b24", [&] { ++fast_runs; }}};
  {
    Autotuner tuner(options(), "sha-a", 2);
    EXPECT_EQ(tuner.choose("conv1", "1x64x128x128", candidates), "winograd-f4-b24");
    EXPECT_GT(slow_runs, 0);
    EXPECT_GT(fast_runs, 0);
    EXPECT_EQ(tuner.choices().at("conv1@1x64x128x128"), "winograd-f4-b24");
  }
  ASSERT_TRUE(fs::exists(cache()));
  std::ifstream file(cache());
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("sha-a|conv1@1x64x128x128"), std::string::npos) << text;
  EXPECT_NE(text.find("threads=2"), std::string::npos) << text;
  EXPECT_NE(text.find("|kernels="), std::string::npos) << text;
  // A second run (another process, same machine) reads the cache: no measurement.
  slow_runs = fast_runs = 0;
  Autotuner again(options(), "sha-a", 2);
  EXPECT_EQ(again.choose("conv1", "1x64x128x128", candidates), "winograd-f4-b24");
  EXPECT_EQ(slow_runs + fast_runs, 0);
  // Another model, thread count or shape is measured afresh.
  Autotuner other(options(), "sha-b", 2);
  other.choose("conv1", "1x64x128x128", candidates);
  EXPECT_GT(slow_runs + fast_runs, 0);
  slow_runs = fast_runs = 0;
  Autotuner one_thread(options(), "sha-a", 1);
  one_thread.choose("conv1", "1x64x128x128", candidates);
  EXPECT_GT(slow_runs + fast_runs, 0);
}

TEST_F(AutotuneTest, AWeightScalesTheMeasuredTime) {
  // "tile-a" runs in 2 ms but stands for 10 runs; "tile-b" 6 ms for one.
  const std::vector<Autotuner::Candidate> candidates{{"tile-a", [] { sleep_ms(2); }, 10.0},
                                                     {"tile-b", [] { sleep_ms(6); }, 1.0}};
  Autotuner tuner(options(), "sha-w", 2);
  EXPECT_EQ(tuner.choose("tile-window+halo10", "1500x1100", candidates), "tile-b");
}

TEST_F(AutotuneTest, AForcedAlgorithmTakesTheFirstCandidateOfThatName) {
  AutotuneOptions forced = options();
  forced.algorithm = "winograd";
  const std::vector<Autotuner::Candidate> candidates{{"direct", [] {}}, {"winograd-f4-b24", [] {}}, {"winograd-f4-b12", [] {}}};
  Autotuner tuner(forced, "sha-f", 2);
  EXPECT_EQ(tuner.choose("conv1", "1x64x8x8", candidates), "winograd-f4-b24");
  forced.algorithm = "direct";
  Autotuner direct(forced, "sha-f", 2);
  EXPECT_EQ(direct.choose("conv1", "1x64x8x8", candidates), "direct");
  EXPECT_FALSE(fs::exists(cache())) << "a forced choice is not measured nor cached";
}

TEST_F(AutotuneTest, OffTakesTheDefaultWithoutMeasuring) {
  int runs = 0;
  Autotuner tuner(options(false), "sha", 2);
  EXPECT_EQ(tuner.choose("conv", "1x8x8x8", {{"direct", [&] { ++runs; }}, {"winograd-f4-b24", [&] { ++runs; }}}),
            "direct");
  EXPECT_EQ(runs, 0);
  EXPECT_FALSE(fs::exists(cache()));
}

TEST_F(AutotuneTest, PinnedChoicesWinAndUnknownOnesAreRefused) {
  AutotuneOptions o = options();
  o.pinned["conv@1x8x8x8"] = "direct";
  int runs = 0;
  Autotuner tuner(o, "sha", 2);
  const std::vector<Autotuner::Candidate> candidates{{"winograd-f4-b24", [&] { ++runs; }}, {"direct", [&] { ++runs; sleep_ms(2); }}};
  EXPECT_EQ(tuner.choose("conv", "1x8x8x8", candidates), "direct");
  EXPECT_EQ(runs, 0);
  o.pinned["conv@1x8x8x8"] = "winograd-f6-b9";
  Autotuner strict(o, "sha", 2);
  try {
    strict.choose("conv", "1x8x8x8", candidates);
    FAIL() << "an algorithm this build cannot run was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("winograd-f6-b9"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("conv@1x8x8x8"), std::string::npos) << error.what();
  }
}

TEST_F(AutotuneTest, ADamagedCacheIsMeasuredAgainAndRewritten) {
  fs::create_directories(fs::path(cache()).parent_path());
  std::ofstream(cache()) << "choices: [unclosed\n";
  int runs = 0;
  Autotuner tuner(options(), "sha", 2);
  EXPECT_EQ(tuner.choose("conv", "1x8x8x8", {{"direct", [&] { ++runs; }}, {"winograd-f4-b24", [&] { ++runs; sleep_ms(2); }}}),
            "direct");
  EXPECT_GT(runs, 0);
  std::ifstream file(cache());
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("conv@1x8x8x8: direct"), std::string::npos) << text;
  for (const auto& entry : fs::directory_iterator(fs::path(cache()).parent_path())) {
    EXPECT_EQ(entry.path().filename(), "autotune.yaml") << "left behind: " << entry.path();
  }
}

TEST(Autotune, CacheFollowsXdgCacheHome) {
  const char* old = std::getenv("XDG_CACHE_HOME");
  const std::string saved = old ? old : "";
  ::setenv("XDG_CACHE_HOME", "/tmp/r4k-xdg-test", 1);
  EXPECT_EQ(Autotuner::default_cache_file(), "/tmp/r4k-xdg-test/restore4k/autotune.yaml");
  if (old) ::setenv("XDG_CACHE_HOME", saved.c_str(), 1); else ::unsetenv("XDG_CACHE_HOME");
}

// oneDNN's ONEDNN_MAX_CPU_ISA caps the engine's own kernels the same way.
TEST(CpuFeatures, OneDnnsIsaCapAppliesToTheEnginesKernels) {
  const CpuFeatures all{true, true};
  for (const char* avx2 : {"AVX2", "avx2", "AVX2_VNNI"}) {
    EXPECT_TRUE(capped(all, avx2).avx2_fma) << avx2;
    EXPECT_FALSE(capped(all, avx2).avx512) << avx2;
  }
  for (const char* older : {"SSE41", "avx"}) {
    EXPECT_FALSE(capped(all, older).avx2_fma) << older;
    EXPECT_FALSE(capped(all, older).avx512) << older;
  }
  for (const char* none : {"", "ALL", "AVX512_CORE", "AVX512_CORE_AMX", "no-such-isa"}) {
    EXPECT_TRUE(capped(all, none).avx2_fma) << none;
    EXPECT_TRUE(capped(all, none).avx512) << none;
  }
  // A cap never adds what the CPU lacks.
  EXPECT_FALSE(capped(CpuFeatures{true, false}, "AVX512_CORE").avx512);
}

}  // namespace
}  // namespace r4k::infer
