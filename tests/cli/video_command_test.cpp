// End-to-end video tests: real pipelines, real files, checked with ffprobe.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "tests/support/command_runner.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace {

using r4k::testing::Outcome;
using r4k::testing::run_command;
using r4k::testing::TempDir;
namespace fs = std::filesystem;

const std::string kPluginPath = std::string("GST_PLUGIN_PATH=") + R4K_PLUGIN_DIR;

Outcome restore4k(const std::vector<std::string>& arguments) { return run_command(R4K_EXECUTABLE, arguments); }

bool have_media_tools() {
  return r4k::testing::program_available("ffmpeg") && r4k::testing::program_available("ffprobe") &&
         r4k::testing::program_available("gst-launch-1.0");
}

#define REQUIRE_MEDIA_TOOLS() \
  if (!have_media_tools()) GTEST_SKIP() << "ffmpeg, ffprobe or gst-launch-1.0 missing (scripts/setup.sh installs them)"

// A clip made with ffmpeg: H.264 video with explicit BT.709 tags and AAC audio.
fs::path make_clip(const TempDir& dir, const std::string& name, int width, int height, int rate, double seconds) {
  const fs::path path = dir / name;
  const auto result = run_command(
      "ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i",
                 "testsrc2=size=" + std::to_string(width) + "x" + std::to_string(height) + ":rate=" +
                     std::to_string(rate),
                 "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", std::to_string(seconds), "-c:v",
                 "libx264", "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc",
                 "bt709", "-color_range", "tv", "-c:a", "aac", "-ac", "2", "-shortest", path.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return path;
}

// One value of `ffprobe -show_entries`, e.g. probe(f, "v:0", "stream=width").
std::string probe(const fs::path& file, const std::string& stream, const std::string& entry) {
  const auto result = run_command("ffprobe", {"-v", "error", "-select_streams", stream, "-show_entries", entry, "-of",
                                              "default=noprint_wrappers=1:nokey=1", file.string()});
  std::string value = result.output;
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

long counted_frames(const fs::path& file) {
  const auto result = run_command("ffprobe", {"-v", "error", "-count_frames", "-select_streams", "v:0",
                                              "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0",
                                              file.string()});
  try {
    return std::stol(result.output);
  } catch (const std::exception&) {
    return -1;
  }
}

double duration(const fs::path& file) {
  try {
    return std::stod(probe(file, "v:0", "format=duration"));
  } catch (const std::exception&) {
    return -1.0;
  }
}

TEST(VideoPipeline, GstLaunchFindsThePluginAndUpscales) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path out = dir / "test.mkv";
  const auto result = run_command(
      "gst-launch-1.0", {"-q", "videotestsrc", "num-buffers=10", "!", "video/x-raw,width=64,height=48,format=I420",
                         "!", "r4ksuperres", "model=builtin:bicubic-x2", "!", "videoconvert", "!", "avenc_ffv1", "!",
                         "matroskamux", "!", "filesink", "location=" + out.string()},
      kPluginPath);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(probe(out, "v:0", "stream=width"), "128");
  EXPECT_EQ(probe(out, "v:0", "stream=height"), "96");
  EXPECT_EQ(counted_frames(out), 10);
}

// The foundation of the video work: a 10-second 720x480 H.264 clip with AAC
// audio becomes a 2880x1920 FFV1/Matroska file.
TEST(VideoCommand, H264WithAacBecomesFfv1WithSameFramesDurationColourAndAudio) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "clip.mp4", 720, 480, 25, 10.0);
  const fs::path out = dir / "clip_x4.mkv";
  const auto result = restore4k({"video", clip.string(), out.string(), "--model", "builtin:bicubic-x4"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(probe(out, "v:0", "stream=codec_name"), "ffv1");
  EXPECT_EQ(probe(out, "v:0", "stream=width"), "2880");
  EXPECT_EQ(probe(out, "v:0", "stream=height"), "1920");
  EXPECT_EQ(probe(out, "v:0", "stream=pix_fmt"), "yuv420p");
  EXPECT_EQ(counted_frames(out), counted_frames(clip));
  EXPECT_NEAR(duration(out), duration(clip), 1.0 / 25.0);
  for (const char* tag : {"color_space", "color_range", "color_primaries", "color_transfer"}) {
    EXPECT_EQ(probe(out, "v:0", std::string("stream=") + tag), probe(clip, "v:0", std::string("stream=") + tag)) << tag;
  }
  EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), "aac");
  EXPECT_EQ(probe(out, "a:0", "stream=sample_rate"), "48000");
  EXPECT_EQ(probe(out, "a:0", "stream=channels"), "2");
  // The audio is carried over, not re-encoded: the same packets, except the
  // encoder priming and padding that the MP4 edit list tells the demuxer to
  // trim (at most one packet at each end).
  const auto packets = [](const fs::path& file) {
    std::vector<std::string> sizes;
    std::istringstream lines(run_command("ffprobe", {"-v", "error", "-select_streams", "a:0", "-show_entries",
                                                     "packet=size", "-of", "csv=p=0", file.string()})
                                 .output);
    for (std::string line; std::getline(lines, line);) {
      line = line.substr(0, line.find(','));
      if (!line.empty()) sizes.push_back(line);
    }
    return sizes;
  };
  const auto in_packets = packets(clip);
  const auto out_packets = packets(out);
  ASSERT_GT(out_packets.size(), 40u);
  ASSERT_LE(out_packets.size(), in_packets.size());
  EXPECT_LE(in_packets.size() - out_packets.size(), 2u);
  bool contiguous = false;
  for (std::size_t skip = 0; skip <= 1 && skip + out_packets.size() <= in_packets.size(); ++skip) {
    contiguous |= std::equal(out_packets.begin(), out_packets.end(), in_packets.begin() + static_cast<long>(skip));
  }
  EXPECT_TRUE(contiguous) << "the audio packets changed";
}

// ProRes widens to its own 10-bit 4:2:2 (said before the work); x264 keeps
// the input's format: 8-bit stays 8-bit, 10-bit stays 10-bit.
TEST(VideoCommand, ProResAndX264OutputsInEveryContainer) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "clip.mp4", 160, 120, 25, 3.0);
  const fs::path deep = dir / "deep.mkv";
  ASSERT_EQ(run_command("ffmpeg", {"-v", "error", "-i", clip.string(), "-map", "0", "-c:v", "ffv1", "-pix_fmt",
                                   "yuv420p10le", "-c:a", "copy", deep.string()})
                .exit_code,
            0);
  struct Output {
    const char* name;
    const char* input;
    const char* encoder;
    const char* codec;
    const char* profile;
    const char* pix_fmt;
  };
  for (const Output& o : {Output{"out.mov", "clip.mp4", "prores", "prores", "HQ", "yuv422p10le"},
                          Output{"out.mp4", "clip.mp4", "x264", "h264", "High", "yuv420p"},
                          Output{"out.mkv", "clip.mp4", "x264", "h264", "High", "yuv420p"},
                          Output{"x.mov", "clip.mp4", "x264", "h264", "High", "yuv420p"},
                          Output{"deep.mp4", "deep.mkv", "x264", "h264", "High 10", "yuv420p10le"}}) {
    SCOPED_TRACE(o.name);
    const fs::path out = dir / o.name;
    // An encoder with look-ahead must not stall the muxer waiting for audio.
    const auto result = run_command("timeout", {"-s", "KILL", "120", R4K_EXECUTABLE, "video", (dir / o.input).string(),
                                                out.string(), "--encoder", o.encoder, "--model", "builtin:bicubic-x2"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(probe(out, "v:0", "stream=codec_name"), o.codec);
    EXPECT_EQ(probe(out, "v:0", "stream=profile"), o.profile);
    EXPECT_EQ(probe(out, "v:0", "stream=pix_fmt"), o.pix_fmt);
    EXPECT_EQ(probe(out, "v:0", "stream=width"), "320");
    EXPECT_EQ(counted_frames(out), 75);
    EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), "aac");
    const auto decode = run_command("ffmpeg", {"-v", "error", "-i", out.string(), "-f", "null", "-"});
    EXPECT_EQ(decode.output, "") << "decodes cleanly";
    if (std::string(o.encoder) == "prores") {
      EXPECT_NE(result.output.find("yuv420p is written as yuv422p10le"), std::string::npos) << result.output;
    }
  }
}

TEST(VideoCommand, TenBit422ProResKeepsItsChromaAndDepth) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path in = dir / "prores.mov";
  ASSERT_EQ(run_command("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=128x96:rate=25", "-t", "1",
                                   "-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le", in.string()})
                .exit_code,
            0);
  const fs::path out = dir / "out.mkv";
  const auto result = restore4k({"video", in.string(), out.string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(probe(out, "v:0", "stream=pix_fmt"), "yuv422p10le");
  EXPECT_EQ(probe(out, "v:0", "stream=width"), "256");
  EXPECT_EQ(counted_frames(out), 25);
}

// SubRip and ASS go into Matroska packet for packet.
TEST(VideoCommand, SubtitlesIntoMatroska) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  std::ofstream(dir / "s.srt") << "1\n00:00:00,000 --> 00:00:01,000\nHello & <i>goodbye</i>\n\n2\n00:00:01,000 --> 00:00:02,000\nWorld\n";
  for (const char* codec : {"ass", "srt"}) {
    SCOPED_TRACE(codec);
    const fs::path in = dir / (std::string("in_") + codec + ".mkv");
    ASSERT_EQ(run_command("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi",
                                     "-i", "sine=sample_rate=48000", "-i", (dir / "s.srt").string(), "-t", "2", "-c:v",
                                     "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-c:s", codec, "-shortest",
                                     in.string()})
                  .exit_code,
              0);
    const fs::path out = dir / (std::string("out_") + codec + ".mkv");
    const auto result = restore4k({"video", in.string(), out.string(), "--model", "builtin:bicubic-x2"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(probe(out, "s:0", "stream=codec_name"), std::string(codec) == "srt" ? "subrip" : "ass");
    const auto packets = [](const fs::path& file) {
      return run_command("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:s", "-c", "copy", "-f", "framemd5", "-"})
          .output;
    };
    const std::string in_packets = packets(in);
    const std::string out_packets = packets(out);
    EXPECT_EQ(out_packets.substr(out_packets.find("\n0,")), in_packets.substr(in_packets.find("\n0,")));
    EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), "aac");
  }
}

TEST(VideoCommand, FitIntoAFixedFrameWithBars) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "in.mp4", 160, 120, 25, 0.4);  // 4:3, square pixels
  const fs::path out = dir / "out.mkv";
  const auto run = restore4k({"video", clip.string(), out.string(), "--model", "builtin:bicubic-x2", "--fit",
                              "640x360", "--pad-color", "0x000000"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(out, "v:0", "stream=width"), "640");
  EXPECT_EQ(probe(out, "v:0", "stream=height"), "360");
  EXPECT_EQ(counted_frames(out), 10);
  // A bad frame size is refused before any work.
  const auto bad = restore4k({"video", clip.string(), (dir / "b.mkv").string(), "--fit", "3840*2160"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--fit: expected WIDTHxHEIGHT such as 3840x2160, even sides from 2 to 32768, found '3840*2160'"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(dir / "b.mkv"));
}

// restore4k bench --video: the full job with each stage's share of the CPU
// and its peak memory, the engine alone and the encoder alone on the clip's
// frames, and last the ratio of the job's rate to what those two allow.
TEST(VideoCommand, BenchVideoMeasuresTheChainAgainstTheEngineAndTheEncoder) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "in.mp4", 160, 120, 25, 0.4);
  // A neural model, so that the engine's thread has CPU time to show (a bicubic x2 of 160x120 has none).
  const auto run = restore4k({"bench", "--video", clip.string(), "--preset", "film-4k", "--model",
                              "builtin:clean-x2", "--autotune", "false"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* line : {"10 frames, model builtin:clean-x2, preset film-4k, encoder ffv1", "engine alone:",
                           "encoder alone:", "chain without encoding:", "full job:", "peak memory",
                           "beside the engine and the encoder:"}) {
    EXPECT_NE(run.output.find(line), std::string::npos) << line << "\n" << run.output;
  }
  // Stages named by the elements their threads ran.
  for (const char* stage : {"superres", "colour_convert", "avenc_ffv1"}) {
    EXPECT_NE(run.output.find(stage), std::string::npos) << stage << "\n" << run.output;
  }
  const auto at = run.output.rfind("ratio: ");
  ASSERT_NE(at, std::string::npos) << run.output;
  const double ratio = std::stod(run.output.substr(at + 7));
  EXPECT_GT(ratio, 0.0);
  EXPECT_LT(ratio, 3.0);
  EXPECT_EQ(run.output.find('\n', at), run.output.size() - 1) << "the ratio is the last line";
  const auto alone = restore4k({"bench", "--preset", "film-4k", "--model", "builtin:bicubic-x2"});
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_NE(alone.output.find("--preset goes with --video"), std::string::npos) << alone.output;
}

// Engine settings are checked against the job schema's bounds (as in job
// files), not handed to the elements, which would ignore them with a warning.
TEST(VideoCommand, EngineSettingsOutOfBoundsAreRefused) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "in.mp4", 64, 48, 25, 0.2);
  for (const auto& [option, value] : {std::pair<std::string, std::string>{"--threads", "-5"}, {"--tile", "-5"}}) {
    const auto run = restore4k({"video", clip.string(), (dir / "out.mkv").string(), option, value});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find(option + ": expected an integer from 0 to"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(dir / "out.mkv"));
  }
}

// AutoTune's switch and its record on a video job: --autotune off reaches
// the upscaler inside r4krestore (nothing measured, nothing cached; the
// line says autotune=false); on, the job record holds the algorithms the
// frames ran, and the record tampered to pin one nobody offers is refused
// naming the layer (the pins reach the upscaler too).
TEST(VideoCommand, AutotuneOffReachesTheUpscalerAndTheRecordPinsWhatTheFramesRan) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "in.mp4", 64, 48, 25, 0.2);
  r4k::testing::SrvggSpec spec;
  spec.scale = 2;
  spec.features = 16;
  spec.convs = 1;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  const std::string cache = "XDG_CACHE_HOME=" + r4k::testing::shell_quote((dir / "cache").string());
  const fs::path cached = dir / "cache" / "restore4k" / "autotune.yaml";
  const auto off = run_command(R4K_EXECUTABLE, {"video", clip.string(), (dir / "off.mkv").string(), "--model",
                                                (dir / "m.onnx").string(), "--autotune", "off"},
                               cache);
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_FALSE(fs::exists(cached)) << "autotune off measured and cached";
  const auto dry = run_command(R4K_EXECUTABLE, {"video", clip.string(), (dir / "off.mkv").string(), "--model",
                                                (dir / "m.onnx").string(), "--autotune", "off", "--dry-run"});
  EXPECT_NE(dry.output.find(" autotune=false "), std::string::npos) << dry.output;

  std::ofstream(dir / "job.yaml") << "kind: video\ninput: in.mp4\noutput: on.mkv\nmodel: m.onnx\n";
  const auto on = run_command(R4K_EXECUTABLE, {"run", (dir / "job.yaml").string()}, cache);
  ASSERT_EQ(on.exit_code, 0) << on.output;
  EXPECT_TRUE(fs::exists(cached));
  std::ifstream in(dir / "on.mkv.job.yaml");
  const std::string record{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // The whole 64x48 frame at once: each 3x3 layer at that shape.
  const std::regex frame_layer(R"(conv_1@1x16x48x64=[A-Za-z0-9._-]+)");
  ASSERT_TRUE(std::regex_search(record, frame_layer)) << record;
  EXPECT_NE(record.find("conv_0@1x3x48x64="), std::string::npos) << record;
  std::ofstream(dir / "tampered.yaml") << std::regex_replace(record, frame_layer, "conv_1@1x16x48x64=no-such-algorithm");
  const auto refused = run_command(R4K_EXECUTABLE, {"run", (dir / "tampered.yaml").string()}, cache);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("tampered.yaml: engine.algorithms pins layer conv_1@1x16x48x64 to algorithm "
                                "'no-such-algorithm', which this machine cannot run"),
            std::string::npos)
      << refused.output;
}

TEST(VideoCommand, DryRunPrintsALineThatGstLaunchRuns) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "in put.mp4", 160, 120, 25, 1.0);  // a space in the name
  const fs::path out = dir / "out.mkv";
  const auto dry = restore4k({"video", clip.string(), out.string(), "--model", "builtin:lanczos-x2", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  // Notices (stderr) may come first; the line is stdout's only line.
  const std::size_t line = dry.output.find("gst-launch-1.0 -e ");
  ASSERT_NE(line, std::string::npos) << dry.output;
  EXPECT_TRUE(line == 0 || dry.output[line - 1] == '\n') << dry.output;
  EXPECT_FALSE(fs::exists(out)) << "a dry run writes nothing";
  const auto run = run_command("/bin/sh", {"-c", kPluginPath + " " + dry.output.substr(line)});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(out, "v:0", "stream=width"), "320");
  EXPECT_EQ(counted_frames(out), 25);
  EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), "aac");
  // Without --model, video runs the built-in film model.
  const auto plain = restore4k({"video", clip.string(), (dir / "default.mkv").string(), "--dry-run"});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(plain.output.find("model=builtin:film-x4"), std::string::npos) << plain.output;
}

// Ctrl-C stops within the frames in flight (the restoration's own queues),
// not after what the demuxer and decoder had buffered; the file holds exactly
// the frames the message counts, and its audio ends with its video.
TEST(VideoCommand, CtrlCFinishesAPlayableFileWithTheFramesInFlightAndExits130) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "long.mp4", 320, 240, 25, 20.0);
  r4k::testing::SrvggSpec spec;
  spec.features = 16;
  spec.convs = 4;
  spec.scale = 2;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  for (const char* name : {"out.mkv", "out.mp4"}) {
    SCOPED_TRACE(name);
    const fs::path out = dir / name;
    const std::string encoder = std::string(name) == "out.mp4" ? "x264" : "ffv1";
    bool interrupted = false;
    const auto result = r4k::testing::run_and_signal(
        R4K_EXECUTABLE,
        {"video", clip.string(), out.string(), "--model", (dir / "m.onnx").string(), "--encoder", encoder,
         "--progress", "json"},
        "\"event\":\"progress\"", SIGINT, interrupted);
    ASSERT_TRUE(interrupted) << result.output;
    EXPECT_EQ(result.exit_code, 130) << result.output;
    ASSERT_TRUE(fs::exists(out)) << result.output;
    const long frames = counted_frames(out);
    std::smatch match;
    ASSERT_TRUE(std::regex_search(result.output, match, std::regex(R"("event":"progress","unit":"frame","done":(\d+))")))
        << result.output;
    const long at_signal = std::stol(match[1]);
    EXPECT_GE(frames, at_signal);
    EXPECT_LE(frames, at_signal + 16) << "stopped within the frames in flight";
    EXPECT_NE(result.output.find("interrupted after " + std::to_string(frames) + " of 500 frames"), std::string::npos)
        << result.output;
    // The audio stops where the video stops (within a few AAC frames).
    EXPECT_NEAR(duration(out), static_cast<double>(frames) / 25.0, 0.1);
    const auto decode = run_command("ffmpeg", {"-v", "error", "-i", out.string(), "-f", "null", "-"});
    EXPECT_EQ(decode.exit_code, 0);
    EXPECT_EQ(decode.output, "") << "the interrupted file does not decode cleanly";
  }
}

// A second Ctrl-C stops at once and leaves nothing; a killed run's partial
// file is removed by the next run of the same output.
TEST(VideoCommand, SecondCtrlCLeavesNothingAndKilledRunsAreCleanedUpNextTime) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "long.mp4", 720, 576, 25, 4.0);
  r4k::testing::SrvggSpec spec;
  spec.features = 64;  // slow enough (even with Winograd layers) that draining the frames in flight outlasts the second signal
  spec.convs = 16;
  spec.scale = 2;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  const fs::path out = dir / "out.mkv";
  const std::vector<std::string> arguments{"video", clip.string(), out.string(), "--model", (dir / "m.onnx").string(),
                                           "--progress", "json"};
  const auto partials = [&]() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      if (entry.path().filename().string().find("r4k-partial") != std::string::npos) {
        names.push_back(entry.path().filename().string());
      }
    }
    return names;
  };
  int steps = 0;
  auto result = r4k::testing::run_and_signal_steps(
      R4K_EXECUTABLE, arguments, {{"\"event\":\"progress\"", SIGINT}, {"Ctrl-C again", SIGINT}}, steps);
  ASSERT_EQ(steps, 2) << result.output;
  bool interrupted = false;
  EXPECT_EQ(result.exit_code, 130) << result.output;
  EXPECT_FALSE(fs::exists(out)) << result.output;
  EXPECT_TRUE(partials().empty()) << partials().front();

  // Killed while writing (the classical filter: frames reach the file within the first second).
  std::vector<std::string> fast = arguments;
  fast[4] = "builtin:bicubic-x2";
  result = r4k::testing::run_and_signal(R4K_EXECUTABLE, fast, "\"event\":\"progress\"", SIGKILL, interrupted);
  ASSERT_TRUE(interrupted) << result.output;
  ASSERT_EQ(partials().size(), 1u) << "a kill leaves at most one partial file";
  const std::string leftover = partials().front();
  // Named after the host and the process, so that machines sharing a folder
  // never remove each other's work.
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  EXPECT_NE(leftover.find(std::string(".out.r4k-partial-") + host + "-"), std::string::npos) << leftover;
  // A partial file of a live process (here: this test) is left alone.
  const std::string live = std::string(".out.r4k-partial-") + host + "-" + std::to_string(::getpid()) + ".mkv";
  std::ofstream(dir / live) << "in progress";
  result = restore4k({"video", clip.string(), out.string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(leftover), std::string::npos) << "names what it removed: " << result.output;
  EXPECT_FALSE(fs::exists(dir / leftover));
  EXPECT_TRUE(fs::exists(dir / live));
  EXPECT_EQ(counted_frames(out), 100);
}

TEST(VideoCommandBadInput, MissingModelOrInput) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "clip.mp4", 64, 48, 25, 0.4);
  auto result = restore4k({"video", clip.string(), (dir / "out.mkv").string(), "--model", "/nope/model.onnx"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("--model /nope/model.onnx: model: file '/nope/model.onnx' does not exist"), std::string::npos) << result.output;
  // A model file that exists but cannot load: r4ksuperres refuses it before any output is opened.
  std::ofstream(dir / "garbage.onnx") << "not a model";
  result = restore4k({"video", clip.string(), (dir / "out.mkv").string(), "--model", (dir / "garbage.onnx").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("Could not load super-resolution model"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("not a valid ONNX model"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(dir / "out.mkv"));
  result = restore4k({"video", (dir / "missing.mp4").string(), (dir / "out.mkv").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("missing.mp4' does not exist"), std::string::npos) << result.output;
  EXPECT_TRUE(fs::is_empty(dir.path()) || !fs::exists(dir / "out.mkv"));
}

TEST(VideoCommandBadInput, CorruptVideoAndNoVideoStream) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  std::ofstream(dir / "corrupt.mp4") << "this is not a video at all";
  auto result = restore4k({"video", (dir / "corrupt.mp4").string(), (dir / "out.mkv").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("corrupt.mp4"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(dir / "out.mkv"));

  const fs::path audio = dir / "audio.m4a";
  ASSERT_EQ(run_command("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "0.5", "-c:a", "aac",
                                   audio.string()})
                .exit_code,
            0);
  result = restore4k({"video", audio.string(), (dir / "out.mkv").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("has no video stream"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(dir / "out.mkv"));
}

TEST(VideoCommandBadInput, OutputNotWritableOrWrongContainer) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_clip(dir, "clip.mp4", 64, 48, 25, 0.4);
  auto result = restore4k({"video", clip.string(), "/proc/r4k-test.mkv"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("/proc/r4k-test.mkv"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists("/proc/r4k-test.mkv"));
  result = restore4k({"video", clip.string(), (dir / "nofolder" / "out.mkv").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("does not exist"), std::string::npos) << result.output;
  result = restore4k({"video", clip.string(), (dir / "out.mkv").string(), "--decoder", "hardware"});
  // Forcing hardware decoding without a VA-API/NVDEC decoder is bad input;
  // on a machine that has one the job simply succeeds.
  const bool has_hardware = r4k::testing::run_command("gst-inspect-1.0", {"vah264dec"}).exit_code == 0 ||
                            r4k::testing::run_command("gst-inspect-1.0", {"vaapih264dec"}).exit_code == 0 ||
                            r4k::testing::run_command("gst-inspect-1.0", {"nvh264dec"}).exit_code == 0;
  if (!has_hardware) {
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("no hardware decoder for h264"), std::string::npos) << result.output;
  }
  result = restore4k({"video", clip.string(), (dir / "out.mp4").string(), "--encoder", "ffv1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("unsupported extension '.mp4'"), std::string::npos) << result.output;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find("r4k-partial"), std::string::npos) << entry.path();
  }
}

TEST(VideoPipeline, NoLeaksOver300Frames) {
  REQUIRE_MEDIA_TOOLS();
  const auto result = run_command(
      "gst-launch-1.0",
      {"-q", "videotestsrc", "num-buffers=300", "!", "video/x-raw,width=32,height=24,format=I420", "!", "r4ksuperres",
       "model=builtin:bicubic-x2", "!", "fakesink"},
      kPluginPath + " GST_TRACERS=leaks GST_DEBUG=GST_TRACER:7,leaks:5 GST_DEBUG_NO_COLOR=1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // The tracer ran its check at the end...
  EXPECT_NE(result.output.find("checking for leaks"), std::string::npos) << result.output;
  // ...and reported no object still alive.
  EXPECT_FALSE(std::regex_search(result.output, std::regex(R"(object-alive, type-name=\(string\)[A-Za-z])")))
      << result.output;
}

}  // namespace

namespace {

// The real clips in ../shared/data/film: a silent-era film with MP3 audio in
// MP4, and interlaced anamorphic NTSC MPEG-2 with AC-3 in Matroska.
TEST(VideoCommandRealClips, FilmClipsKeepFramesDurationAndAudio) {
  REQUIRE_MEDIA_TOOLS();
  struct Clip {
    const char* name;
    const char* audio;
    long frames;
  };
  for (const Clip& c : {Clip{"chaplin.mp4", "mp3", 241}, Clip{"bt601-525_480_interlaced_tff.mkv", "ac3", 300}}) {
    SCOPED_TRACE(c.name);
    const fs::path clip = r4k::testing::shared_dir() / "data/film" / c.name;
    if (!fs::exists(clip)) GTEST_SKIP() << "shared test data missing: " << clip;
    TempDir dir;
    const fs::path out = dir / "out.mkv";
    // The clean-up stages of the film chain too, on real footage.
    const auto result = restore4k({"video", clip.string(), out.string(), "--model", "builtin:bicubic-x2",
                                   "--deflicker", "--dust", "--denoise", "1"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(std::stoi(probe(out, "v:0", "stream=width")), 2 * std::stoi(probe(clip, "v:0", "stream=width")));
    EXPECT_EQ(counted_frames(out), c.frames);
    EXPECT_EQ(probe(out, "v:0", "stream=field_order"), "progressive");
    EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), c.audio);
    EXPECT_NEAR(duration(out), duration(clip), 0.1);
  }
}

}  // namespace

namespace {

// Interlaced PAL 4:3 (720x576, PAR 16/15, top field first) MPEG-2 with AC-3
// in Matroska, BT.601 colour: the archive case of the film issue.
fs::path make_interlaced_pal(const TempDir& dir, const std::string& name, double seconds) {
  const fs::path path = dir / name;
  const auto result = run_command(
      "ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=720x576:rate=25", "-f", "lavfi", "-i",
                 "sine=frequency=440:sample_rate=48000", "-t", std::to_string(seconds), "-vf", "setsar=16/15",
                 "-flags", "+ilme+ildct", "-top", "1", "-c:v", "mpeg2video", "-b:v", "8M", "-pix_fmt", "yuv420p",
                 "-colorspace", "bt470bg", "-color_primaries", "bt470bg", "-color_trc", "smpte170m", "-color_range",
                 "tv", "-c:a", "ac3", "-ac", "2", "-shortest", path.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return path;
}

TEST(FilmRestoration, InterlacedPalBecomesProgressiveUhdBt709PillarboxedWithAudio) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_interlaced_pal(dir, "pal.mkv", 0.4);
  ASSERT_EQ(probe(clip, "v:0", "stream=field_order"), "tt");
  const fs::path out = dir / "restored.mkv";
  const auto run = restore4k({"video", clip.string(), out.string(), "--preset", "film-4k"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(out, "v:0", "stream=codec_name"), "ffv1");
  EXPECT_EQ(probe(out, "v:0", "stream=width"), "3840");
  EXPECT_EQ(probe(out, "v:0", "stream=height"), "2160");
  EXPECT_EQ(probe(out, "v:0", "stream=field_order"), "progressive");
  EXPECT_EQ(probe(out, "v:0", "stream=color_space"), "bt709");
  EXPECT_EQ(probe(out, "v:0", "stream=color_primaries"), "bt709");
  EXPECT_EQ(probe(out, "v:0", "stream=color_transfer"), "bt709");
  EXPECT_EQ(probe(out, "v:0", "stream=color_range"), "tv");
  EXPECT_EQ(counted_frames(out), counted_frames(clip));
  EXPECT_NEAR(duration(out), duration(clip), 0.1);
  EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), "ac3");
  // What made it (the effective settings of every stage), in the container's tags.
  const std::string comment = probe(out, "v:0", "format_tags=RESTORE4K");
  EXPECT_EQ(probe(out, "v:0", "format_tags=RESTORE4K_INPUT"), "complete");
  EXPECT_NE(comment.find("/deflicker:on-radius-25/dust:on/"), std::string::npos) << comment;
  // The preset's model is the built-in film model, named with its file's checksum.
  const auto sha = run_command("sha256sum", {(fs::path(R4K_SOURCE_DIR) / "models" / "film-x4.onnx").string()});
  ASSERT_EQ(sha.exit_code, 0) << sha.output;
  EXPECT_NE(comment.find("/model:builtin:film-x4/model-sha256:" + sha.output.substr(0, 64) + "/"), std::string::npos)
      << comment;
  // Converted to BT.709, from what the input said it was (BT.601 matrix, EBU primaries).
  EXPECT_NE(comment.find("/fit:3840x2160-pad/monochrome:off/colour:bt709-from-range-tv-matrix-bt601-transfer-bt601-"
                         "primaries-bt470bg"),
            std::string::npos)
      << comment;
  // 4:3 at PAR 16/15 is 768x576 on screen: 2880x2160 in UHD, bars of 480.
  const auto columns = [&](int x, int width) {
    const fs::path raw = dir / "columns.gray";
    const auto crop = run_command("ffmpeg", {"-v", "error", "-y", "-i", out.string(), "-frames:v", "1", "-vf",
                                             "crop=" + std::to_string(width) + ":2160:" + std::to_string(x) +
                                                 ":0,format=gray",
                                             "-f", "rawvideo", raw.string()});
    EXPECT_EQ(crop.exit_code, 0) << crop.output;
    std::ifstream file(raw, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  };
  const std::string bar = columns(0, 470);
  ASSERT_EQ(bar.size(), 470u * 2160u);
  std::size_t not_black = 0;
  for (const char code : bar) not_black += static_cast<unsigned char>(code) > 17 ? 1 : 0;
  EXPECT_EQ(not_black, 0u) << "the bar is black";
  const std::string picture = columns(490, 40);
  ASSERT_EQ(picture.size(), 40u * 2160u);
  std::size_t bright = 0;
  for (const char code : picture) bright += static_cast<unsigned char>(code) > 40 ? 1 : 0;
  EXPECT_GT(bright, picture.size() / 4) << "the picture starts at x = 480";
}

TEST(FilmRestoration, BadSettingsAreRefusedBeforeAnyWork) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path clip = make_interlaced_pal(dir, "pal.mkv", 0.2);
  const fs::path out = dir / "out.mkv";
  const auto interlaced = restore4k({"video", clip.string(), out.string(), "--no-deinterlace", "--deflicker"});
  EXPECT_EQ(interlaced.exit_code, 2) << interlaced.output;
  EXPECT_NE(interlaced.output.find("is interlaced"), std::string::npos) << interlaced.output;
  const auto small = restore4k({"video", clip.string(), out.string(), "--fit", "640x360"});
  EXPECT_EQ(small.exit_code, 2) << small.output;
  EXPECT_NE(small.output.find("smaller than the input"), std::string::npos) << small.output;
  const auto preset = restore4k({"video", clip.string(), out.string(), "--preset", "film-4x"});
  EXPECT_EQ(preset.exit_code, 2) << preset.output;
  EXPECT_NE(preset.output.find("film-4x"), std::string::npos) << preset.output;
  EXPECT_NE(preset.output.find("film-4k"), std::string::npos) << "did you mean: " << preset.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
