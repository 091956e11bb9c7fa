// r4k-make-parser-seeds: writes the seed corpora of the job file, model
// sidecar and tile journal fuzzers, one folder each under OUT_DIR:
//   job_file/       the example jobs and presets of the source tree, jobs that
//                   extend each preset, jobs with --set overrides (after a NUL
//                   byte, as the fuzzer reads them) and typical mistakes;
//   model_sidecar/  sidecars with every key, in block and flow style, and the
//                   mistakes the reader reports;
//   tile_journal/   journals as TileJournal writes them for the fuzzer's job
//                   (see tile_journal_fuzz_job.hpp), a torn one, and foreign
//                   ones (another job, another count, the older format).
// Generated, not committed, and deterministic: every run writes the same bytes.
#include "config/presets.hpp"
#include "encode/tile_journal.hpp"
#include "tests/fuzz/tile_journal_fuzz_job.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

void write_seed(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(path.string() + ": cannot write the seed");
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot read");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A job text followed by its --set overrides, NUL-separated (the fuzzer's
// input form).
std::string with_overrides(const std::string& text, const std::vector<std::string>& overrides) {
  std::string bytes = text;
  for (const auto& assignment : overrides) bytes += std::string(1, '\0') + assignment;
  return bytes;
}

void write_job_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path source = R4K_SOURCE_DIR;
  for (const char* folder : {"config/examples", "presets"}) {
    for (const auto& entry : fs::directory_iterator(source / folder)) {
      if (entry.path().extension() != ".yaml") continue;
      const std::string prefix = std::string(folder) == "presets" ? "preset_" : "example_";
      write_seed(dir / (prefix + entry.path().filename().string()), read_file(entry.path()));
    }
  }
  for (const auto& [name, text] : r4k::config::builtin_presets()) {
    const bool video = name.rfind("film", 0) == 0;
    const std::string files = video ? "input: reel.mkv\noutput: reel-4k.mkv\n" : "input: scene.tif\noutput: scene_x4.tif\n";
    write_seed(dir / ("extends_" + name + ".yaml"), "extends: " + name + "\n" + files);
  }
  const std::string raster = "kind: raster\ninput: scene.tif\noutput: scene_x2.tif\nmodel: builtin:bicubic-x2\n";
  write_seed(dir / "overrides_raster.yaml", with_overrides(raster, {"engine.tile=256", "raster.format=cog"}));
  write_seed(dir / "overrides_extends.yaml", with_overrides(raster, {"extends=satellite-x4", "engine.tile=x"}));
  write_seed(dir / "overrides_bad.yaml", with_overrides(raster, {"no-equals", "=1", "engine.tiel=64"}));
  write_seed(dir / "batch_list.yaml",
             "kind: batch\nbatch:\n  inputs: [\"tiles/*.tif\", \"more/**/*.tif\"]\n  item: raster\noutput: out\n"
             "model: builtin:bicubic-x2\n");
  write_seed(dir / "mistake_typo.yaml", "kind: raster\ninput: a.tif\noutput: b.tif\nengine:\n  tiel: 256\n");
  write_seed(dir / "mistake_types.yaml", "kind: raster\ninput: [a, b]\noutput: {x: 1}\nengine: 5\n");
  write_seed(dir / "mistake_twice.yaml", "kind: raster\nkind: video\ninput: a.tif\ninput: b.tif\n");
  write_seed(dir / "mistake_not_a_map.yaml", "- kind: raster\n- input: a.tif\n");
  write_seed(dir / "mistake_wrong_kind.yaml", "kind: video\ninput: a.mkv\noutput: b.mkv\nraster:\n  format: cog\n");
  write_seed(dir / "yaml_anchors.yaml",
             "kind: raster\ninput: &in a.tif\noutput: *in\nengine: &e {tile: 128}\nraster:\n  <<: *e\n");
  write_seed(dir / "yaml_tags_and_documents.yaml", "--- !!map\nkind: !!str raster\ninput: !!binary aGVsbG8=\n...\n---\nx: 1\n");
  write_seed(dir / "yaml_complex_key.yaml", "? [kind, input]\n: raster\n\"quoted key\": 'single'\n");
  write_seed(dir / "yaml_nested.yaml", "a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h:\n        i:\n         j: 1\n");
  write_seed(dir / "yaml_flow.yaml", "{kind: raster, input: a.tif, output: b.tif, engine: {tile: 64, halo: 8}}\n");
  write_seed(dir / "yaml_broken.yaml", "kind: raster\n  input: [a.tif\noutput: 'b.tif\n\t tab: 1\n");
  // Findings of earlier runs (tests/fuzz/README.md), kept so that every run replays them: a value that is not
  // UTF-8 (with a form feed, so that the emitter double-quotes it) could not be written back to the job record.
  write_seed(dir / "finding_not_utf8.yaml", "kind: batch\noutput: \"\\f/tmp/o\x85ut\"\nbatch:\n  inputs: a/*.tif\n");
  write_seed(dir / "finding_not_utf8_set.yaml",
             with_overrides("kind: batch\nbatch:\n  inputs: a/*.tif\n", {"output=\f/tmp/o\x85ut"}));
}

void write_sidecar_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  write_seed(dir / "every_key.yaml",
             "# What the model file cannot say.\nscale: 4\nchannels: rgb\nrange: [0, 1]\nlayout: nchw\ninput: input\n"
             "output: output\nreceptive_field: 18\ndescription: \"Real-ESRGAN-like x4, random weights\"\n");
  write_seed(dir / "flow.yaml", "{scale: 2, channels: bgr, range: [0, 255], layout: nhwc, receptive_field: 9}\n");
  write_seed(dir / "y_channel.yaml", "scale: 3\nchannels: y\nrange: [16, 235]\n");
  write_seed(dir / "empty.yaml", "");
  write_seed(dir / "comment_only.yaml", "# nothing to say\n");
  write_seed(dir / "description_block.yaml", "description: |\n  Two lines\n  of text\nscale: 2\n");
  write_seed(dir / "mistake_unknown_key.yaml", "scale: 2\nchanels: rgb\n");
  write_seed(dir / "mistake_types.yaml", "scale: two\nrange: [1, 0]\nlayout: [nchw]\ninput: {a: 1}\n");
  write_seed(dir / "mistake_ranges.yaml", "scale: 17\nreceptive_field: -1\nrange: [0, .inf]\n");
  write_seed(dir / "mistake_not_a_map.yaml", "- scale: 2\n");
  write_seed(dir / "mistake_anchors.yaml", "scale: &s 2\nreceptive_field: *s\n? [a, b]\n: c\n");
  write_seed(dir / "mistake_broken.yaml", "scale: 2\n  channels: [rgb\n");
  // Findings of earlier runs: an infinite range, and one whose span overflows a float.
  write_seed(dir / "finding_infinite_range.yaml", "scale: 1\nrange: [0, .inf]\n");
  write_seed(dir / "finding_overflowing_range.yaml", "range: [-3e38, 3e38]\n");
}

void write_journal_seeds(const fs::path& dir) {
  using r4k::encode::TileRecord;
  fs::create_directories(dir);
  const std::string_view name = r4k::fuzz::kJournalName;
  const std::string fingerprint(r4k::fuzz::kJournalFingerprint);
  const int count = r4k::fuzz::kJournalTileCount;
  const auto journal = [&](const std::vector<TileRecord>& records) {
    return r4k::encode::tile_journal_text(name, fingerprint, count, records);
  };
  write_seed(dir / "header_only.journal", journal({}));
  write_seed(dir / "some_tiles.journal", journal({{0, false}, {1, false}, {2, false}, {5, true}, {63, false}}));
  std::vector<TileRecord> all;
  for (int tile = 0; tile < count; ++tile) all.push_back({tile, tile % 9 == 4});
  write_seed(dir / "all_tiles.journal", journal(all));
  write_seed(dir / "repeated_tile.journal", journal({{7, false}, {7, true}, {7, false}}));
  const std::string some = journal({{10, false}, {11, false}, {12, true}});
  write_seed(dir / "torn_last_line.journal", some + "13");
  write_seed(dir / "torn_header.journal", some.substr(0, some.find("check")));
  write_seed(dir / "other_job.journal",
             r4k::encode::tile_journal_text(name, fingerprint + "; halo=2", count, {{0, false}, {1, false}}));
  write_seed(dir / "other_count.journal",
             r4k::encode::tile_journal_text(name, fingerprint, count + 1, {{0, false}, {64, false}}));
  write_seed(dir / "other_output.journal",
             r4k::encode::tile_journal_text(".other.tif.r4k-journal", fingerprint, count, {{0, false}}));
  write_seed(dir / "format1.journal",
             "restore4k tile journal 1\nfingerprint " + fingerprint + "\ntiles 64\n0\n1\n2 damaged\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help") {
    std::fputs("usage: r4k-make-parser-seeds OUT_DIR  (writes OUT_DIR/job_file, model_sidecar, tile_journal)\n",
               argc == 2 ? stdout : stderr);
    return argc == 2 ? 0 : 2;
  }
  try {
    const fs::path out = argv[1];
    write_job_seeds(out / "job_file");
    write_sidecar_seeds(out / "model_sidecar");
    write_journal_seeds(out / "tile_journal");
    for (const char* folder : {"job_file", "model_sidecar", "tile_journal"}) {
      std::size_t count = 0;
      for ([[maybe_unused]] const auto& entry : fs::directory_iterator(out / folder)) ++count;
      std::printf("r4k-make-parser-seeds: %zu files in %s\n", count, (out / folder).string().c_str());
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "r4k-make-parser-seeds: %s\n", error.what());
    return 1;
  }
  return 0;
}
