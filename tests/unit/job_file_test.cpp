// Job files: the schema, loading with file:line:column diagnostics (all
// mistakes at once), "did you mean", defaults, and a loader that never
// crashes or hangs on hostile input.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <stdexcept>
#include <random>

#include "config/job_file.hpp"
#include "config/settings.hpp"
#include "config/presets.hpp"
#include "decode/decoder_choice.hpp"
#include "decode/raster_band_plan.hpp"
#include "encode/raster_writer.hpp"
#include "core/error.hpp"
#include "restore_4k/video_upscale.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::config::load_job_text;

std::vector<std::string> messages(const r4k::config::LoadResult& result) {
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) out.push_back(d.to_string());
  return out;
}

TEST(JobFile, ThreeIndependentMistakesAreAllReportedWhereTheyAre) {
  const std::string text =
      "kind: raster\n"                 // 1
      "input: in.tif\n"                // 2
      "output: out.tif\n"              // 3
      "engine:\n"                      // 4
      "  tiel: 256\n"                  // 5: unknown key (typo)
      "  threads: many\n"              // 6: wrong type
      "raster:\n"                      // 7
      "  compress: zip\n";             // 8: not a choice
  const auto result = load_job_text(text, "job.yaml", false);
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 3u) << ::testing::PrintToString(messages(result));
  EXPECT_EQ(result.diagnostics[0].to_string(), "job.yaml:5:3: engine.tiel: unknown key 'tiel': did you mean 'tile'?");
  EXPECT_EQ(result.diagnostics[1].to_string(),
            "job.yaml:6:12: engine.threads: expected an integer from 0 to 1024, found 'many'");
  EXPECT_EQ(result.diagnostics[2].line, 8);
  EXPECT_EQ(result.diagnostics[2].column, 13);
  EXPECT_NE(result.diagnostics[2].message.find("one of none, deflate, zstd, lzw"), std::string::npos);
}

TEST(JobFile, ValidJobGetsEveryDefault) {
  const auto result = load_job_text("kind: raster\ninput: a.tif\noutput: b.tif\nraster:\n  bands: 4,3,2\n",
                                    "dir/job.yaml", false);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  const auto& job = *result.job;
  EXPECT_EQ(job.kind, "raster");
  EXPECT_EQ(job.get("raster.bands"), "4,3,2");
  EXPECT_EQ(job.get("raster.format"), "gtiff");
  EXPECT_EQ(job.get("engine.halo"), "-1");
  EXPECT_EQ(job.get_int("raster.tiles_in_flight"), 4);
  EXPECT_FALSE(job.get_bool("raster.resume"));
  EXPECT_EQ(job.get("video.encoder"), "");  // not a raster key
  EXPECT_EQ(job.resolve_path(job.get("input")), "dir/a.tif");
  EXPECT_EQ(job.resolve_path("builtin:bicubic-x2"), "builtin:bicubic-x2");
  // The resolved record loads back to the same values.
  const auto again = load_job_text(job.to_yaml(), "dir/job.yaml", false);
  ASSERT_TRUE(again.ok()) << job.to_yaml();
  EXPECT_EQ(again.job->values, job.values);
}

TEST(JobFile, KindMissingRequiredKeysAndKeysOfAnotherKind) {
  auto result = load_job_text("input: a.tif\noutput: b.tif\n", "j.yaml", false);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].key, "kind");
  EXPECT_NE(result.diagnostics[0].message.find("missing"), std::string::npos);

  result = load_job_text("kind: rastr\noutput: b.tif\n", "j.yaml", false);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "j.yaml:1:7: kind: expected one of video, raster, batch, image, join, found 'rastr': did you mean 'raster'?");

  result = load_job_text("kind: batch\noutput: out\nvideo:\n  encoder: x264\n", "j.yaml", false);
  const auto text = ::testing::PrintToString(messages(result));
  ASSERT_EQ(result.diagnostics.size(), 2u) << text;
  EXPECT_NE(text.find("batch.inputs: missing"), std::string::npos) << text;
  EXPECT_NE(text.find("j.yaml:4:12: video.encoder: applies to batches of videos only; this batch's items are "
                      "rasters (batch.item)"),
            std::string::npos)
      << text;
}

TEST(JobFile, BatchInputsAsAListAndItemsOfEitherKind) {
  auto result = load_job_text("kind: batch\noutput: out\nbatch:\n  item: video\n  inputs: [a.mkv, \"reels/*.mp4\"]\n"
                              "video:\n  deflicker: true\n",
                              "j.yaml", false);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  EXPECT_EQ(result.job->get_list("batch.inputs"), (std::vector<std::string>{"a.mkv", "reels/*.mp4"}));
  // The record keeps the list a list.
  const auto again = load_job_text(result.job->to_yaml(), "j.yaml", false);
  ASSERT_TRUE(again.ok()) << result.job->to_yaml();
  EXPECT_EQ(again.job->get_list("batch.inputs"), result.job->get_list("batch.inputs"));
  // One glob is a list of one.
  result = load_job_text("kind: batch\noutput: out\nbatch:\n  inputs: \"*.tif\"\n", "j.yaml", false);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.job->get_list("batch.inputs"), (std::vector<std::string>{"*.tif"}));
  // Mistakes: a mapping in the list, raster settings in a batch of videos, an empty list.
  result = load_job_text("kind: batch\noutput: out\nbatch:\n  item: video\n  inputs:\n    - a.mkv\n    - {b: 1}\n"
                         "raster:\n  compress: lzw\n",
                         "j.yaml", false);
  const auto text = ::testing::PrintToString(messages(result));
  ASSERT_EQ(result.diagnostics.size(), 2u) << text;
  EXPECT_NE(text.find("j.yaml:7:7: batch.inputs: expected a string or a list of strings, found a mapping in the list"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("j.yaml:9:13: raster.compress: applies to batches of rasters only"), std::string::npos) << text;
  result = load_job_text("kind: batch\noutput: out\nbatch:\n  inputs: []\n", "j.yaml", false);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_NE(result.diagnostics[0].message.find("empty list"), std::string::npos);
}

// engine.algorithms (a job record's AutoTune pins): LAYER@SHAPE=ALGORITHM
// items, checked item by item where they are written; a record's many items
// one a line, read back the same; the map the engine takes.
TEST(JobFile, AlgorithmPinsAreLayerShapeAlgorithmItems) {
  const std::string items = "    - /body/conv1@1x64x128x128=winograd-f4-b24\n    - conv2@1x64x128x128=direct\n"
                            "    - conv3@1x64x128x128=direct\n    - conv4@1x64x128x128=direct\n"
                            "    - conv5@2x64x64x64=winograd-f4-b48\n";
  auto result = load_job_text("kind: raster\ninput: a.tif\noutput: b.tif\nengine:\n  algorithms:\n" + items, "j.yaml",
                              false);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  const auto pins = r4k::settings::as_algorithms(result.job->get("engine.algorithms"));
  ASSERT_EQ(pins.size(), 5u);
  EXPECT_EQ(pins.at("/body/conv1@1x64x128x128"), "winograd-f4-b24");
  EXPECT_EQ(pins.at("conv5@2x64x64x64"), "winograd-f4-b48");
  const std::string yaml = result.job->to_yaml();
  EXPECT_NE(yaml.find("  algorithms:\n    - /body/conv1@1x64x128x128=winograd-f4-b24\n    - conv2@"), std::string::npos)
      << yaml;
  const auto again = load_job_text(yaml, "j.yaml", false);
  ASSERT_TRUE(again.ok()) << yaml;
  EXPECT_EQ(again.job->get("engine.algorithms"), result.job->get("engine.algorithms"));
  // One item alone is a list of one; the element's ';' form reads the same.
  result = load_job_text("kind: raster\ninput: a.tif\noutput: b.tif\nengine:\n  algorithms: c@1x3x8x8=direct\n", "j.yaml",
                         false);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  EXPECT_EQ(r4k::settings::as_algorithms("c@1x3x8x8=direct;d@1x3x8x8=winograd-f4-b24"),
            (std::map<std::string, std::string>{{"c@1x3x8x8", "direct"}, {"d@1x3x8x8", "winograd-f4-b24"}}));
  EXPECT_EQ(r4k::settings::algorithms_text(pins, ';').find("/body/conv1@1x64x128x128=winograd-f4-b24;conv2@"), 0u);
  // Mistakes are named where they are: an item without a shape, a scalar of two items.
  result = load_job_text("kind: raster\ninput: a.tif\noutput: b.tif\nengine:\n  algorithms:\n    - c@1x3x8x8=direct\n"
                         "    - conv2=direct\n",
                         "j.yaml", false);
  ASSERT_EQ(result.diagnostics.size(), 1u) << ::testing::PrintToString(messages(result));
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "j.yaml:7:7: engine.algorithms: expected LAYER@SHAPE=ALGORITHM items such as "
            "conv1@1x64x128x128=winograd-f4-b24 (one, or a list of them), found 'conv2=direct' in the list");
  result = load_job_text("kind: raster\ninput: a.tif\noutput: b.tif\nengine:\n  algorithms: c@1x3x8x8=direct;x\n",
                         "j.yaml", false);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_NE(result.diagnostics[0].to_string().find("j.yaml:5:15: engine.algorithms: expected LAYER@SHAPE=ALGORITHM"),
            std::string::npos)
      << result.diagnostics[0].to_string();
  EXPECT_THROW(r4k::settings::as_algorithms("c@1x3x8x8=direct;nonsense"), std::invalid_argument);
}

TEST(JobFile, StructureMistakes) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"kind: raster\ninput: [a, b]\n", "j.yaml:2:8: input: expected a file path, found a list"},
           {"kind: raster\nengine: fast\n", "j.yaml:2:9: engine: expected a mapping of settings, found 'fast'"},
           {"- kind: raster\n", "j.yaml:1:1: expected a mapping of job settings"},
           {"kind: raster\n  input: a\n bad", "j.yaml:2:8: not valid YAML"},
           {"kind: raster\nkind: video\n", "j.yaml:2:1: kind: given twice"},
           {"kind: raster\nengine:\n  tile: 99999\n", "j.yaml:3:9: engine.tile: expected an integer from 0 to 16384 px, found 99999 (out of range)"},
           {"kind: raster\nmodle: m.onnx\n", "j.yaml:2:1: modle: unknown key 'modle': did you mean 'model'?"},
           {"kind: video\nvideo:\n  fit: 3840*2160\n",
            "j.yaml:3:8: video.fit: expected WIDTHxHEIGHT such as 3840x2160, even sides from 2 to 32768, found '3840*2160'"},
           {"kind: raster\nraster:\n  bands: 4;3\n", "j.yaml:3:10: raster.bands: expected band numbers such as 4,3,2"},
       }) {
    const auto result = load_job_text(text, "j.yaml", false);
    const auto all = ::testing::PrintToString(messages(result));
    EXPECT_NE(all.find(expected), std::string::npos) << text << "\n" << all;
  }
}

TEST(JobFile, MissingFilesAreReportedWhenChecked) {
  r4k::testing::TempDir dir;
  const std::string text = "kind: raster\ninput: nope.tif\noutput: sub/out.tif\nmodel: missing.onnx\n";
  const auto result = load_job_text(text, dir / "job.yaml", true);
  const auto all = ::testing::PrintToString(messages(result));
  ASSERT_EQ(result.diagnostics.size(), 3u) << all;
  EXPECT_NE(all.find(":2:8: input: file '"), std::string::npos) << all;
  EXPECT_NE(all.find(":4:8: model: file '"), std::string::npos) << all;
  EXPECT_NE(all.find(":3:9: output: folder '"), std::string::npos) << all;
}

TEST(JobFile, ExamplesValidate) {
  const fs::path examples = fs::path(R4K_SOURCE_DIR) / "config" / "examples";
  const bool have_shared = fs::exists(r4k::testing::shared_dir() / "data");
  int count = 0;
  for (const auto& entry : fs::directory_iterator(examples)) {
    if (entry.path().extension() != ".yaml") continue;
    // The examples read ../shared: their files are checked where it is present.
    const auto result = r4k::config::load_job(entry.path(), have_shared);
    EXPECT_TRUE(result.ok()) << entry.path() << ::testing::PrintToString(messages(result));
    ++count;
  }
  EXPECT_GE(count, 3);
}

TEST(JobFile, ReferenceDocumentIsTheSchema) {
  std::ifstream file(fs::path(R4K_SOURCE_DIR) / "docs" / "jobs.md");
  const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text, r4k::settings::jobs_reference_markdown())
      << "docs/jobs.md is out of date: build/apps/restore4k jobs-reference > docs/jobs.md";
  for (const auto& key : r4k::settings::all()) EXPECT_FALSE(key.doc.empty()) << key.key;
}

// No crash, no hang, a diagnostic or a job for anything: mutations of a
// valid job, random bytes, deep nesting, alias tricks, huge scalars.
TEST(JobFile, HostileInputNeverCrashes) {
  const std::string valid =
      "kind: raster\ninput: a.tif\noutput: b.tif\nengine:\n  tile: 256\n  halo: 4\nraster:\n  bands: 4,3,2\n";
  std::mt19937 random(7);
  const std::string alphabet = ":-[]{}&*!|>'\"#%@` \n\tabc019.,?";
  for (int i = 0; i < 3000; ++i) {
    std::string text = valid;
    const int edits = 1 + static_cast<int>(random() % 6);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % (text.size() + 1);
      switch (random() % 3) {
        case 0: text.insert(at, 1, alphabet[random() % alphabet.size()]); break;
        case 1: if (at < text.size()) text.erase(at, 1); break;
        default: if (at < text.size()) text[at] = static_cast<char>(random() % 256); break;
      }
    }
    const auto result = load_job_text(text, "m.yaml", false);
    EXPECT_TRUE(result.ok() || !result.diagnostics.empty());
  }
  const std::vector<std::string> hostile{
      std::string(100000, '['),
      std::string(5000, '{') + std::string(5000, '}'),
      "a: &x [*x]\n",
      "a: &a [*a, *a, *a]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n",
      "kind: " + std::string(2 << 20, 'x') + "\n",
      std::string("\0\xff\xfe kind: raster", 16),
      "kind: raster\n" + std::string(3000, ' ') + "engine:\n",
  };
  for (const auto& text : hostile) {
    const auto result = load_job_text(text, "h.yaml", false);
    EXPECT_FALSE(result.ok()) << text.substr(0, 40);
    EXPECT_FALSE(result.diagnostics.empty());
  }
}

}  // namespace

namespace {

TEST(JobFilePresets, AJobExtendsAPresetAndOverridesIt) {
  const auto result = load_job_text("extends: satellite-x4\ninput: a.tif\noutput: b.tif\nraster:\n  compress: lzw\n",
                                    "j.yaml", false);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  const auto& job = *result.job;
  EXPECT_EQ(job.kind, "raster");                      // from the preset
  EXPECT_EQ(job.get("model"), "builtin:bicubic-x4");  // from the preset
  EXPECT_EQ(job.get("raster.format"), "cog");         // from the preset
  EXPECT_EQ(job.get("raster.compress"), "lzw");       // the job's own
  for (const auto& [name, text] : r4k::config::builtin_presets()) {
    const auto preset = load_job_text("extends: " + name + "\ninput: a\noutput: b.tif\n", "p.yaml", false);
    EXPECT_TRUE(preset.ok()) << name << ::testing::PrintToString(messages(preset));
  }
  EXPECT_GE(r4k::config::builtin_presets().size(), 3u);
  EXPECT_EQ(r4k::config::builtin_presets().count("film-4k"), 1u);
}

TEST(JobFilePresets, UnknownPresetSuggestsTheClosest) {
  const auto result = load_job_text("extends: film4k\ninput: a\noutput: b.mkv\n", "j.yaml", false);
  ASSERT_EQ(result.diagnostics.size(), 1u) << ::testing::PrintToString(messages(result));
  EXPECT_EQ(result.diagnostics[0].to_string(), "j.yaml:1:10: extends: no preset 'film4k': did you mean 'film-4k'?");
}

TEST(JobFileOverrides, SetReplacesValuesAndIsCheckedLikeTheFile) {
  const std::string text = "kind: raster\ninput: a.tif\noutput: b.tif\nengine:\n  tile: 128\n";
  const auto sets = [](std::initializer_list<const char*> assignments) {
    std::vector<r4k::config::Override> overrides;
    for (const char* assignment : assignments) overrides.push_back(r4k::config::parse_set_option(assignment));
    return overrides;
  };
  auto result = load_job_text(text, "j.yaml", false, sets({"engine.tile=256", "raster.format=cog"}));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  EXPECT_EQ(result.job->get("engine.tile"), "256");
  EXPECT_EQ(result.job->get("raster.format"), "cog");
  result = load_job_text(text, "j.yaml", false, sets({"engine.tiel=3", "engine.halo=big", "nothing"}));
  const auto all = ::testing::PrintToString(messages(result));
  ASSERT_EQ(result.diagnostics.size(), 3u) << all;
  EXPECT_NE(all.find("--set engine.tiel=3: engine.tiel: unknown key: did you mean 'engine.tile'?"), std::string::npos)
      << all;
  EXPECT_NE(all.find("--set engine.halo=big: engine.halo: expected an integer"), std::string::npos) << all;
  EXPECT_NE(all.find("--set nothing: expected key.path=value"), std::string::npos) << all;
}

}  // namespace

// The enums that mirror a choice setting map every choice and back.
TEST(SettingsChoices, EnumsMirrorTheirSettingsChoices) {
  for (const std::string& name : r4k::settings::find("video.encoder")->choices) {
    EXPECT_EQ(r4k::restore::to_string(r4k::restore::parse_video_encoder(name)), name);
  }
  for (const std::string& name : r4k::settings::find("raster.format")->choices) {
    EXPECT_EQ(r4k::encode::to_string(r4k::encode::parse_raster_format(name)), name);
  }
  for (const std::string& name : r4k::settings::find("raster.other_bands")->choices) {
    EXPECT_EQ(r4k::decode::to_string(r4k::decode::parse_other_bands(name)), name);
  }
  EXPECT_EQ(r4k::decode::parse_decoder_preference("auto"), r4k::decode::DecoderPreference::automatic);
  EXPECT_EQ(r4k::decode::parse_decoder_preference("software"), r4k::decode::DecoderPreference::software);
  EXPECT_THROW(r4k::encode::parse_raster_format("tiff"), r4k::InputError);
}

// Found by the job-file fuzzer: a value that is not UTF-8 loaded, but the job
// record (YAML) could not say it and named another file.
TEST(JobFile, ValuesAreUtf8OrRefusedByName) {
  const auto result = load_job_text("kind: raster\ninput: \"caf\xe9.tif\"\noutput: b.tif\n", "j.yaml", false);
  ASSERT_EQ(result.diagnostics.size(), 1u) << ::testing::PrintToString(messages(result));
  EXPECT_NE(result.diagnostics[0].to_string().find("input: expected UTF-8 text, found the byte 0xe9 after 'caf'"),
            std::string::npos)
      << result.diagnostics[0].to_string();
  EXPECT_TRUE(load_job_text("kind: raster\ninput: caf\u00e9.tif\noutput: b.tif\n", "j.yaml", false).ok());
}
