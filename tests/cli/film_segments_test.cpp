// A film over many machines: the plan, the segment tasks (index from the
// flag or the scheduler's variables, count from the plan) and the join,
// checked against a single-machine run frame by frame and packet by packet
// with ffmpeg. The same under a real Slurm is tests/slurm/.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/command_runner.hpp"
#include "tests/support/file_bytes.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace {

using r4k::testing::Outcome;
using r4k::testing::run_command;
using r4k::testing::TempDir;
namespace fs = std::filesystem;

Outcome restore4k(const std::vector<std::string>& arguments, const std::string& environment = {}) {
  return run_command(R4K_EXECUTABLE, arguments, environment);
}

bool have_media_tools() {
  return r4k::testing::program_available("ffmpeg") && r4k::testing::program_available("ffprobe");
}

#define REQUIRE_MEDIA_TOOLS() \
  if (!have_media_tools()) GTEST_SKIP() << "ffmpeg or ffprobe missing (scripts/setup.sh installs them)"

// 25 frames a second of a flickering, grainy, moving picture (H.264 with
// B-frames in open GOPs) with AAC audio, English subtitles and two
// chapters, in Matroska.
fs::path make_film(const TempDir& dir, const std::string& size = "96x72", int seconds = 2) {
  {
    std::ofstream srt(dir / "subs.srt");
    srt << "1\n00:00:00,200 --> 00:00:00,900\nFirst reel\n\n2\n00:00:01,100 --> 00:00:01,800\nSecond line\n";
    std::ofstream chapters(dir / "chapters.txt");
    chapters << ";FFMETADATA1\ntitle=Test reel\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=One\n"
                "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Two\n";
  }
  const fs::path film = dir / "reel.mkv";
  const auto made = run_command(
      "ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i",
                 "testsrc2=size=" + size + ":rate=25,eq=brightness='0.02*sin(n*1.7)':eval=frame,noise=alls=12:allf=t",
                 "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-i", (dir / "subs.srt").string(),
                 "-i", (dir / "chapters.txt").string(), "-map", "0:v", "-map", "1:a", "-map", "2:s", "-map_metadata",
                 "3", "-map_chapters", "3", "-t", std::to_string(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", "-bf",
                 "2", "-x264-params", "open-gop=1", "-c:a", "aac", "-c:s", "srt", "-metadata:s:s:0", "language=eng",
                 film.string()});
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return film;
}

// The restoration every run of these tests makes: every temporal stage on,
// a small network in batches of 3 frames.
std::vector<std::string> job_options(const TempDir& dir) {
  const fs::path model = dir / "sr.onnx";
  if (!fs::exists(model)) {
    r4k::testing::SrvggSpec spec;
    spec.scale = 2;
    spec.features = 8;
    spec.convs = 2;
    r4k::testing::write_srvgg(spec, model);
  }
  return {"--model", model.string(), "--deflicker", "--deflicker-radius", "3", "--dust", "--denoise", "1",
          "--batch", "3"};
}

// ffmpeg's framemd5 of a stream: decoded frames, or with `copy` the packets.
std::vector<std::string> framemd5(const fs::path& file, const std::string& stream, bool copy) {
  std::vector<std::string> arguments{"-v", "error", "-i", file.string(), "-map", "0:" + stream};
  if (copy) arguments.insert(arguments.end(), {"-c", "copy"});
  arguments.insert(arguments.end(), {"-f", "framemd5", "-"});
  const Outcome out = run_command("ffmpeg", arguments);
  EXPECT_EQ(out.exit_code, 0) << out.output;
  std::vector<std::string> lines;
  std::istringstream text(out.output);
  for (std::string line; std::getline(text, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

std::string ffprobe(const fs::path& file, const std::string& what) {
  return run_command("ffprobe", {"-v", "error", what, "-of", "compact", file.string()}).output;
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(FilmSegments, JoinedFilmEqualsTheSingleMachineRunFrameForFrameAndPacketForPacket) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path film = make_film(dir);
  const auto options = job_options(dir);
  const fs::path single = dir / "single.mkv";
  Outcome out = restore4k(with({"video", film.string(), single.string()}, options));
  ASSERT_EQ(out.exit_code, 0) << out.output;

  const fs::path plan = dir / "plan";
  out = restore4k(with({"video", film.string(), plan.string(), "--plan", "4"}, options));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  const std::string plan_text = r4k::testing::read_bytes(plan / "restore4k-plan.yaml");
  EXPECT_NE(plan_text.find("frames: 50"), std::string::npos) << plan_text;
  // Deflicker 2 x 3 back and 3 ahead, dust and denoise one frame each side.
  EXPECT_NE(plan_text.find("reach: {before: 8, after: 5}"), std::string::npos) << plan_text;
  EXPECT_NE(plan_text.find("{index: 1, start: 12, end: 24, decode_from: 4, decode_to: 29, skip: 0}"), std::string::npos)
      << "segments start at a multiple of the engine batch\n" << plan_text;

  // Each task its own way: the flag, Slurm resubmitting index 1 alone (its
  // own count says 1), a Kubernetes Indexed Job, AWS Batch.
  const std::vector<std::pair<std::vector<std::string>, std::string>> tasks = {
      {{"--segment", "0"}, ""},
      {{}, "SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=1"},
      {{}, "JOB_COMPLETION_INDEX=2"},
      {{"--segment", "3/4"}, "AWS_BATCH_JOB_ARRAY_INDEX=0"},
  };
  for (std::size_t k = 0; k < tasks.size(); ++k) {
    out = restore4k(with({"video", film.string(), plan.string()}, tasks[k].first), tasks[k].second);
    ASSERT_EQ(out.exit_code, 0) << out.output;
    EXPECT_NE(out.output.find("segment " + std::to_string(k) + "/4"), std::string::npos) << out.output;
  }
  const std::string segment = (plan / "segment-0001-of-0004.mkv").string();
  EXPECT_EQ(framemd5(segment, "v", false).size(), 12u) << "a segment holds its own frames only";
  EXPECT_EQ(ffprobe(segment, "-show_streams").find("codec_type=audio"), std::string::npos) << "video only";

  const fs::path joined = dir / "joined.mkv";
  out = restore4k({"join", (plan / "restore4k-plan.yaml").string(), joined.string()});
  ASSERT_EQ(out.exit_code, 0) << out.output;

  const auto frames = framemd5(single, "v", false);
  ASSERT_EQ(frames.size(), 50u);
  EXPECT_EQ(framemd5(joined, "v", false), frames) << "decoded frames";
  EXPECT_EQ(framemd5(joined, "v", true), framemd5(single, "v", true)) << "video packets";
  EXPECT_EQ(framemd5(joined, "a", true), framemd5(single, "a", true)) << "audio packets";
  EXPECT_EQ(framemd5(joined, "s", true), framemd5(single, "s", true)) << "subtitle packets";
  for (const char* what : {"-show_chapters", "-show_streams"}) {
    EXPECT_EQ(ffprobe(joined, what), ffprobe(single, what)) << what;
  }
  // The file's tags: the input's, and restore4k's (provenance, input status, job stamp), as the single run's.
  const auto tags = [](const fs::path& file) {
    return run_command("ffprobe", {"-v", "error", "-show_entries", "format_tags", "-of", "flat", file.string()})
        .output;
  };
  EXPECT_EQ(tags(joined), tags(single));
  EXPECT_NE(tags(joined).find("title=\"Test reel\""), std::string::npos) << tags(joined);
  EXPECT_NE(tags(joined).find("RESTORE4K_JOB"), std::string::npos) << tags(joined);

  // Without its context a segment is not the same: the clip from frame 12
  // on, restored as a film of its own, starts differently.
  const fs::path rest = dir / "from12.mkv";
  ASSERT_EQ(run_command("ffmpeg", {"-v", "error", "-i", single.string(), "-i", film.string(), "-map", "1:v",
                                   "-vf", "select=gte(n\\,12)", "-c:v", "ffv1", rest.string()})
                .exit_code,
            0);
  const fs::path alone = dir / "alone.mkv";
  out = restore4k(with({"video", rest.string(), alone.string()}, options));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  const auto alone_frames = framemd5(alone, "v", false);
  ASSERT_GE(alone_frames.size(), 13u);
  int differing = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    const auto hash = [](const std::string& line) { return line.substr(line.rfind(',') + 1); };
    differing += hash(alone_frames[i]) != hash(frames[12 + i]);
  }
  EXPECT_GT(differing, 0) << "the temporal stages' context changes the segment's first frames";
}

TEST(FilmSegments, TasksAreIdempotentHalfWrittenOnesAreRedoneAndTheJoinNamesWhatIsMissing) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path film = make_film(dir);
  const fs::path plan = dir / "plan";
  Outcome out = restore4k(with({"video", film.string(), plan.string(), "--plan", "3"}, job_options(dir)));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  for (const char* k : {"0", "2"}) {
    out = restore4k({"video", film.string(), plan.string(), "--segment", k});
    ASSERT_EQ(out.exit_code, 0) << out.output;
  }
  const fs::path joined = dir / "joined.mkv";
  out = restore4k({"join", plan.string(), joined.string()});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("segment 1: '" + (plan / "segment-0001-of-0003.mkv").string() + "' is missing"),
            std::string::npos)
      << out.output;
  EXPECT_FALSE(fs::exists(joined));

  // Run again, a complete segment is left as it is.
  const fs::path first = plan / "segment-0000-of-0003.mkv";
  const auto written = fs::last_write_time(first);
  out = restore4k({"video", film.string(), plan.string(), "--segment", "0"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("is complete already"), std::string::npos) << out.output;
  EXPECT_EQ(fs::last_write_time(first), written);

  // A log that lost its end (a task killed while finishing) or a segment
  // short of frames is not joined; its task does it again.
  const fs::path log = plan / "segment-0002-of-0003.mkv.packets";
  std::string text = r4k::testing::read_bytes(log);
  r4k::testing::write_bytes(log, text.substr(0, text.rfind("end ")));
  out = restore4k({"join", plan.string(), joined.string()});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("segment 2: '" + (plan / "segment-0002-of-0003.mkv").string() + "' is incomplete"),
            std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("2 of the 3 segments"), std::string::npos) << out.output;
  out = restore4k({"video", film.string(), plan.string(), "--segment", "2"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(r4k::testing::read_bytes(log), text) << "redone exactly";
  out = restore4k({"video", film.string(), plan.string(), "--segment", "1"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  // The join as a job file.
  {
    std::ofstream job(dir / "join.yaml");
    job << "kind: join\ninput: plan/restore4k-plan.yaml\noutput: joined.mkv\n";
  }
  out = restore4k({"run", (dir / "join.yaml").string()});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(framemd5(joined, "v", false).size(), 50u);
  // Nothing but the plan, the segments and their logs, and the algorithms the
  // segments ran, is left in the plan folder.
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(plan)) names.insert(entry.path().filename().string());
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(names.count("restore4k-algorithms.yaml"), 1u);
  // The same plan written again keeps its finished segments; another plan removes them.
  out = restore4k(with({"video", film.string(), plan.string(), "--plan", "3"}, job_options(dir)));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_TRUE(fs::exists(first));
  out = restore4k(with({"video", film.string(), plan.string(), "--plan", "2"}, job_options(dir)));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("removed 6 file(s) of the segments of an earlier, other plan"), std::string::npos)
      << out.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(plan), fs::directory_iterator{}), 1);
}

// The first segment to finish keeps the algorithms it ran (AutoTune's
// choices) beside the plan; the tasks after it pin them: a choice tampered
// to one nobody offers makes the next task refuse, naming the layer and the
// file; without the file a task measures (or takes the cache's) as any run.
TEST(FilmSegments, LaterSegmentsRunTheAlgorithmsTheFirstOneRan) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path film = make_film(dir, "96x72", 1);
  const fs::path plan = dir / "plan";
  const std::string cache = "XDG_CACHE_HOME=" + r4k::testing::shell_quote((dir / "cache").string());
  Outcome out = restore4k(with({"video", film.string(), plan.string(), "--plan", "2"}, job_options(dir)), cache);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  const fs::path algorithms = plan / "restore4k-algorithms.yaml";
  EXPECT_FALSE(fs::exists(algorithms));  // planning runs no model
  out = restore4k({"video", film.string(), plan.string(), "--segment", "0"}, cache);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  const std::string kept = r4k::testing::read_bytes(algorithms);
  // Whole 96x72 frames (a batch is a frame's tiles; here one): each 3x3 layer
  // at that shape, under the plan's id.
  const std::regex batch_layer(R"(conv_1@1x8x72x96: [A-Za-z0-9._-]+)");
  ASSERT_TRUE(std::regex_search(kept, batch_layer)) << kept;
  const std::string plan_text = r4k::testing::read_bytes(plan / "restore4k-plan.yaml");
  std::smatch id;
  ASSERT_TRUE(std::regex_search(plan_text, id, std::regex(R"(\nid: ([0-9a-f]{64}))"))) << plan_text;
  EXPECT_NE(kept.find("plan: " + id[1].str()), std::string::npos) << kept;

  r4k::testing::write_bytes(algorithms, std::regex_replace(kept, batch_layer, "conv_1@1x8x72x96: winograd-f9-b1"));
  out = restore4k({"video", film.string(), plan.string(), "--segment", "1"}, cache);
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("'" + algorithms.string() + "' (what the plan's first segments ran) pins layer "
                            "conv_1@1x8x72x96 to algorithm 'winograd-f9-b1', which this machine cannot run"),
            std::string::npos)
      << out.output;
  EXPECT_FALSE(fs::exists(plan / "segment-0001-of-0002.mkv"));
  r4k::testing::write_bytes(algorithms, kept);
  out = restore4k({"video", film.string(), plan.string(), "--segment", "1"}, cache);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  // The first segment's choices stay (a later one adds only shapes it alone ran).
  const std::string after = r4k::testing::read_bytes(algorithms);
  std::istringstream lines(kept);
  for (std::string line; std::getline(lines, line);) EXPECT_NE(after.find(line), std::string::npos) << line;
}

TEST(FilmSegments, TasksThatCannotComputeThePlannedThingAreRefusedBeforeAnyWork) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path film = make_film(dir);
  const fs::path plan = dir / "plan";
  const auto options = job_options(dir);
  Outcome out = restore4k(with({"video", film.string(), plan.string(), "--plan", "3"}, options));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  const auto refused = [&](const std::vector<std::string>& arguments, const std::string& environment,
                           const std::string& says) {
    const Outcome o = restore4k(arguments, environment);
    EXPECT_EQ(o.exit_code, 2) << o.output;
    EXPECT_NE(o.output.find(says), std::string::npos) << o.output;
  };
  const std::vector<std::string> task{"video", film.string(), plan.string()};
  refused(task, "", "video.segment: which segment of the plan");
  refused(with(task, {"--segment", "3"}), "", "shard index 3 is outside 0..2");
  refused(with(task, {"--segment", "1/4"}), "", "says 3, not 4");
  refused(task, "SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=4",
          "SLURM_ARRAY_TASK_ID=3 is outside 0..2");
  refused(with(task, {"--segment", "1", "--deflicker-radius", "5"}), "",
          "video.deflicker_radius: this task says '5'");
  // The plan's own options repeated (the model by a relative path) are the plan's job: accepted.
  const std::vector<std::string> repeated{"--segment", "1", "--model",
                                          fs::relative(dir / "sr.onnx", fs::current_path()).string(), "--deflicker",
                                          "--deflicker-radius", "3", "--dry-run"};
  const Outcome same = restore4k(with(task, repeated));
  EXPECT_EQ(same.exit_code, 0) << same.output;
  refused({"video", film.string(), (dir / "x264").string(), "--plan", "2", "--encoder", "x264"}, "",
          "x264 cannot be joined losslessly");
  refused({"video", film.string(), (dir / "many").string(), "--plan", "51"}, "", "cannot be split into 51");
  // An edited plan, and an input that changed after planning.
  const fs::path plan_file = plan / "restore4k-plan.yaml";
  const std::string text = r4k::testing::read_bytes(plan_file);
  std::string edited = text;
  edited.replace(edited.find("end: 15"), 7, "end: 17");
  r4k::testing::write_bytes(plan_file, edited);
  refused(with(task, {"--segment", "0"}), "", "was changed after it was written");
  r4k::testing::write_bytes(plan_file, text);
  { std::ofstream(film, std::ios::app) << "tail"; }
  refused(with(task, {"--segment", "0"}), "", "is not the file the plan");
  refused({"join", plan.string(), (dir / "j.mkv").string()}, "", "is not the file the plan");
  EXPECT_EQ(std::distance(fs::directory_iterator(plan), fs::directory_iterator{}), 1) << "nothing was written";
}

TEST(FilmSegments, AnInterruptedTaskExitsRetriableAndLeavesNothing) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path film = make_film(dir, "320x240", 4);
  r4k::testing::SrvggSpec spec;  // slow enough to be interrupted mid-segment
  spec.scale = 2;
  spec.features = 48;
  spec.convs = 8;
  r4k::testing::write_srvgg(spec, dir / "slow.onnx");
  const fs::path plan = dir / "plan";
  Outcome out = restore4k({"video", film.string(), plan.string(), "--plan", "2", "--model",
                           (dir / "slow.onnx").string(), "--threads", "1"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  bool interrupted = false;
  out = r4k::testing::run_and_signal(
      R4K_EXECUTABLE, {"video", film.string(), plan.string(), "--segment", "1", "--progress", "json"},
      "\"event\":\"progress\"", SIGTERM, interrupted);
  ASSERT_TRUE(interrupted) << out.output;
  EXPECT_EQ(out.exit_code, 75) << out.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(plan), fs::directory_iterator{}), 1)
      << "no segment, no partial file, no log";
}

// Broadcast and DVD inputs carry no index of their own (the plan scans
// their packets); their MPEG-2 GOPs are open, and a program stream need not
// stamp its B-frames. An intra-only master (ProRes) and a camera file of
// closed GOPs (H.264 with B-frames, IDR every 12) are not decoded before a
// segment's window (its last clean start). ProRes segments join as FFV1's.
TEST(FilmSegments, TransportProgramStreamIntraAndClosedGopInputsJoinAsASingleRunWritesThem) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  struct Case {
    std::string name;
    std::vector<std::string> codec;  // ffmpeg's video (and container) options
    std::string encoder;
    bool skips;  // segments start decoding at a clean start after the film's start
  };
  const std::vector<Case> cases{
      {"tv.ts", {"-c:v", "mpeg2video", "-bf", "2", "-c:a", "mp2", "-f", "mpegts"}, "ffv1", false},
      {"dvd.mpg", {"-c:v", "mpeg2video", "-bf", "2", "-c:a", "mp2", "-f", "vob"}, "prores", false},
      {"master.mov", {"-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le", "-c:a", "pcm_s16le"},
       "ffv1", true},
      {"camera.mp4", {"-c:v", "libx264", "-g", "12", "-bf", "2", "-c:a", "aac"}, "ffv1", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path film = dir / c.name;
    ASSERT_EQ(run_command("ffmpeg", with(with({"-v", "error", "-y", "-f", "lavfi", "-i",
                                               "testsrc2=size=128x96:rate=25,noise=alls=10:allf=t", "-f", "lavfi",
                                               "-i", "sine=sample_rate=48000", "-t", "2"},
                                              c.codec),
                                         {film.string()}))
                  .exit_code,
              0);
    const std::string ext = c.encoder == "prores" ? ".mov" : ".mkv";
    const std::vector<std::string> options{"--model", "builtin:bicubic-x2", "--deflicker", "--deflicker-radius", "2",
                                           "--denoise", "1", "--encoder", c.encoder};
    const fs::path single = dir / (c.name + "-single" + ext);
    Outcome out = restore4k(with({"video", film.string(), single.string()}, options));
    ASSERT_EQ(out.exit_code, 0) << out.output;
    const fs::path plan = dir / (c.name + "-plan");
    out = restore4k(with({"video", film.string(), plan.string(), "--plan", "3"}, options));
    ASSERT_EQ(out.exit_code, 0) << out.output;
    EXPECT_NE(r4k::testing::read_bytes(plan / "restore4k-plan.yaml")
                  .find(std::string("fast_start: ") + (c.skips ? "true" : "false")),
              std::string::npos);
    for (const char* k : {"0", "1", "2"}) {
      out = restore4k({"video", film.string(), plan.string(), "--segment", k});
      ASSERT_EQ(out.exit_code, 0) << out.output;
    }
    EXPECT_EQ(out.output.find("the pictures before are skipped, not decoded") != std::string::npos, c.skips)
        << out.output;
    const fs::path joined = dir / (c.name + "-joined" + ext);
    out = restore4k({"join", plan.string(), joined.string()});
    ASSERT_EQ(out.exit_code, 0) << out.output;
    EXPECT_EQ(framemd5(joined, "v", false).size(), 50u);
    EXPECT_EQ(framemd5(joined, "v", false), framemd5(single, "v", false));
    EXPECT_EQ(framemd5(joined, "a", true), framemd5(single, "a", true));
    // A program stream does not stamp its B-frames: the decoder's guesses are
    // repaired (r4kframetimes), so the times go up a frame at a time.
    const Outcome times = run_command("ffprobe", {"-v", "error", "-select_streams", "v", "-show_entries",
                                                  "packet=pts_time", "-of", "csv=p=0", joined.string()});
    std::istringstream lines(times.output);
    double previous = -1.0;
    int steps = 0;
    for (std::string line; std::getline(lines, line);) {
      const double t = std::stod(line);
      if (previous >= 0.0) {
        EXPECT_NEAR(t - previous, 0.04, 0.002) << "at " << t;
        ++steps;
      }
      previous = t;
    }
    EXPECT_EQ(steps, 49);
  }
}

}  // namespace
