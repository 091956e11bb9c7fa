// Nothing silently lost, for videos: a fidelity matrix of generated inputs
// (containers x audio codecs, subtitles, metadata, pixel formats, colour tags,
// aspect ratios, rotation, grey pictures, damaged files), each restored with
// the classical filter and checked with ffprobe against its input. Tiny
// clips: it runs in CI.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "tests/support/command_runner.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::run_command;
using r4k::testing::TempDir;

bool have_media_tools() {
  return r4k::testing::program_available("ffmpeg") && r4k::testing::program_available("ffprobe");
}

#define REQUIRE_MEDIA_TOOLS() \
  if (!have_media_tools()) GTEST_SKIP() << "ffmpeg or ffprobe missing (scripts/setup.sh installs them)"

Outcome restore4k(const std::vector<std::string>& arguments) { return run_command(R4K_EXECUTABLE, arguments); }

// ffmpeg -v error -y ARGS; the test fails when ffmpeg does.
void ffmpeg(const std::vector<std::string>& arguments) {
  std::vector<std::string> all{"-v", "error", "-y"};
  all.insert(all.end(), arguments.begin(), arguments.end());
  const Outcome made = run_command("ffmpeg", all);
  ASSERT_EQ(made.exit_code, 0) << made.output;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// One ffprobe value: probe(f, "a:1", "stream=codec_name"), one line per
// stream (MPEG-TS lists its streams a second time under their program: once).
std::string probe(const fs::path& file, const std::string& stream, const std::string& entry) {
  std::vector<std::string> arguments{"-v", "error"};
  if (!stream.empty()) arguments.insert(arguments.end(), {"-select_streams", stream});
  const auto equals = entry.find('=');
  const std::string section = entry.substr(0, equals);
  const std::string field = entry.substr(equals + 1);
  if (section.rfind("stream", 0) != 0) {
    arguments.insert(arguments.end(),
                     {"-show_entries", entry, "-of", "default=noprint_wrappers=1:nokey=1", file.string()});
    return trimmed(run_command("ffprobe", arguments).output);
  }
  // key=value lines with the stream's index first, to drop the program's copies.
  const std::string key = section == "stream_tags"          ? "TAG:" + field
                          : section == "stream_disposition" ? "DISPOSITION:" + field
                                                            : field;
  arguments.insert(arguments.end(), {"-show_entries", "stream=index:" + entry, "-of", "default=noprint_wrappers=1",
                                     file.string()});
  std::istringstream lines(run_command("ffprobe", arguments).output);
  std::vector<std::string> seen;
  std::string values;
  std::string index;
  bool counted = true;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("index=", 0) == 0) {
      index = line.substr(6);
      counted = std::find(seen.begin(), seen.end(), index) != seen.end();
      if (!counted) seen.push_back(index);
    } else if (!counted && line.rfind(key + "=", 0) == 0) {
      values += (values.empty() ? "" : "\n") + line.substr(key.size() + 1);
      counted = true;
    }
  }
  return values;
}

// Stream types in order: "video,audio,audio,subtitle".
std::string stream_types(const fs::path& file) {
  std::string types = probe(file, "", "stream=codec_type");
  std::replace(types.begin(), types.end(), '\n', ',');
  return types;
}

long frames_of(const fs::path& file) {
  const Outcome counted = run_command("ffprobe", {"-v", "error", "-count_frames", "-select_streams", "v:0",
                                                  "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0",
                                                  file.string()});
  try {
    return std::stol(trimmed(counted.output));
  } catch (const std::exception&) {
    return -1;
  }
}

// The MD5 of a stream's packets as they are (-c copy), or of its decoded samples.
std::string md5_of(const fs::path& file, const std::string& map, bool decoded = false) {
  std::vector<std::string> arguments{"-v", "error", "-i", file.string(), "-map", map};
  if (!decoded) arguments.insert(arguments.end(), {"-c", "copy"});
  arguments.insert(arguments.end(), {"-f", "md5", "-"});
  return trimmed(run_command("ffmpeg", arguments).output);
}

double start_of(const fs::path& file, const std::string& stream) {
  try {
    return std::stod(probe(file, stream, "stream=start_time"));
  } catch (const std::exception&) {
    return -1000.0;
  }
}

// When the first decoded frame of `stream` is shown (for audio: after the
// decoder has dropped what the container says is encoder delay).
double first_frame_time(const fs::path& file, const std::string& stream) {
  const auto run = run_command("ffprobe", {"-v", "error", "-select_streams", stream, "-show_entries", "frame=pts_time",
                                           "-read_intervals", "%+#1", "-of", "csv=p=0", file.string()});
  try {
    return std::stod(run.output);
  } catch (const std::exception&) {
    return -1000.0;
  }
}

// The first frame of `file` as raw bytes, through `filter` (ffmpeg -vf).
std::string raw_frame(const fs::path& file, const std::string& filter) {
  const fs::path raw = file.parent_path() / (file.filename().string() + ".raw");
  const Outcome decoded = run_command("ffmpeg", {"-v", "error", "-y", "-i", file.string(), "-frames:v", "1", "-vf",
                                                 filter, "-f", "rawvideo", raw.string()});
  EXPECT_EQ(decoded.exit_code, 0) << decoded.output;
  std::ifstream in(raw, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  fs::remove(raw);
  return bytes;
}

void expect_no_leftovers(const TempDir& dir) {
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find("r4k-partial"), std::string::npos) << entry.path();
  }
}

struct AudioCase {
  const char* container;  // file extension
  const char* audio;      // ffmpeg encoder
  const char* video;      // ffmpeg encoder
  const char* size;
  const char* extra;      // more output options ("" = none)
};

// Containers x audio codecs: every audio packet comes out unchanged, and in
// step with the picture.
TEST(VideoFidelity, EveryContainersAudioComesOutPacketForPacket) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const AudioCase cases[] = {
      {"mp4", "aac", "libx264", "96x64", ""},          {"mp4", "ac3", "libx264", "96x64", ""},
      {"mp4", "libmp3lame", "libx264", "96x64", ""},   {"mp4", "libopus", "libx264", "96x64", ""},
      {"mov", "pcm_s16le", "libx264", "96x64", ""},    {"mov", "aac", "prores_ks", "96x64", ""},
      {"mkv", "flac", "libx264", "96x64", ""},         {"mkv", "libvorbis", "libx264", "96x64", ""},
      {"mkv", "eac3", "libx264", "96x64", ""},         {"mkv", "pcm_s24le", "ffv1", "96x64", ""},
      {"webm", "libopus", "libvpx-vp9", "96x64", ""},  {"avi", "libmp3lame", "mpeg4", "96x64", ""},
      {"avi", "pcm_s16le", "mjpeg", "96x64", ""},      {"ts", "mp2", "mpeg2video", "96x64", ""},
      {"ts", "aac", "libx264", "96x64", ""},           {"ts", "ac3", "mpeg2video", "96x64", ""},
      {"mpg", "mp2", "mpeg2video", "96x64", "-f vob"}, {"mpg", "ac3", "mpeg2video", "96x64", "-f vob"},
      {"mxf", "pcm_s16le", "mpeg2video", "720x576", ""}, {"dv", "pcm_s16le", "dvvideo", "720x576", ""},
  };
  for (const AudioCase& c : cases) {
    const std::string name = std::string(c.audio) + "." + c.container;
    SCOPED_TRACE(name);
    const fs::path in = dir / ("in_" + name);
    std::vector<std::string> make{"-f", "lavfi", "-i", std::string("testsrc2=size=") + c.size + ":rate=25", "-f",
                                  "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "0.6", "-c:v", c.video};
    if (std::string(c.video) == "libx264" || std::string(c.video) == "mpeg2video" || std::string(c.video) == "mjpeg" ||
        std::string(c.video) == "dvvideo" || std::string(c.video) == "libvpx-vp9" || std::string(c.video) == "mpeg4") {
      make.insert(make.end(), {"-pix_fmt", std::string(c.video) == "mjpeg" ? "yuvj420p" : "yuv420p"});
    }
    make.insert(make.end(), {"-c:a", c.audio, "-ac", "2"});
    if (std::string(c.container) == "dv") make.insert(make.end(), {"-f", "dv"});
    std::istringstream extra(c.extra);
    for (std::string word; extra >> word;) make.push_back(word);
    make.push_back(in.string());
    ffmpeg(make);
    const fs::path out = dir / ("out_" + name + ".mkv");
    const Outcome run = restore4k({"video", in.string(), out.string(), "--model", "builtin:bicubic-x2"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(stream_types(out), stream_types(in).substr(stream_types(in).find("video")));
    EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), probe(in, "a:0", "stream=codec_name"));
    EXPECT_EQ(probe(out, "a:0", "stream=sample_rate"), probe(in, "a:0", "stream=sample_rate"));
    EXPECT_EQ(probe(out, "a:0", "stream=channels"), probe(in, "a:0", "stream=channels"));
    if (std::string(c.container) == "ts" && std::string(c.audio) == "aac") {
      // ADTS framing is MPEG-TS's: Matroska holds the same AAC frames without it.
      EXPECT_EQ(md5_of(out, "0:a:0", true), md5_of(in, "0:a:0", true)) << "the audio changed";
    } else {
      EXPECT_EQ(md5_of(out, "0:a:0"), md5_of(in, "0:a:0")) << "the audio packets changed";
    }
    EXPECT_EQ(frames_of(out), frames_of(in));
    // The picture and the sound keep their timing: as FFmpeg's own copy of
    // the input into Matroska has them (Matroska states AAC priming in its
    // own way). Opus: its first sound is heard when the input has it, after
    // the pre-skip (FFmpeg 5.1's own copy is one codec delay off).
    if (std::string(c.audio) == "libopus") {
      EXPECT_NEAR(first_frame_time(out, "v:0") - first_frame_time(out, "a:0"),
                  first_frame_time(in, "v:0") - first_frame_time(in, "a:0"), 0.0015);
    } else {
      const fs::path reference = dir / ("reference_" + name + ".mkv");
      ffmpeg({"-fflags", "+genpts", "-i", in.string(), "-map", "0:v:0", "-map", "0:a", "-c", "copy",
              "-avoid_negative_ts", "disabled", reference.string()});
      EXPECT_NEAR(start_of(out, "v:0") - start_of(out, "a:0"),
                  start_of(reference, "v:0") - start_of(reference, "a:0"), 0.0015);
    }
    EXPECT_EQ(probe(out, "v:0", "stream=width"), std::to_string(2 * std::stoi(probe(in, "v:0", "stream=width"))));
  }
  expect_no_leftovers(dir);
}

// Where the output container cannot hold a stream as it is: PCM is stored
// losslessly (the same decoded samples) and said; what cannot be kept at all
// is refused before any work.
TEST(VideoFidelity, LosslessConversionsAreSaidAndTheRestIsRefusedBeforeWork) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path pcm = dir / "pcm.mov";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t",
          "0.6", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "pcm_s24le", "-ac", "2", pcm.string()});
  const fs::path mp4 = dir / "out.mp4";
  Outcome run = restore4k({"video", pcm.string(), mp4.string(), "--encoder", "x264", "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(mp4, "a:0", "stream=codec_name"), "alac");
  EXPECT_NE(run.output.find("stored losslessly as ALAC"), std::string::npos) << run.output;
  EXPECT_EQ(md5_of(mp4, "0:a:0", true), md5_of(pcm, "0:a:0", true)) << "the decoded samples changed";

  // DVD LPCM into Matroska: FLAC, the same samples.
  const fs::path vob = dir / "lpcm.vob";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t",
          "0.6", "-c:v", "mpeg2video", "-c:a", "pcm_dvd", "-ac", "2", "-f", "vob", vob.string()});
  const fs::path mkv = dir / "lpcm.mkv";
  run = restore4k({"video", vob.string(), mkv.string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(mkv, "a:0", "stream=codec_name"), "flac");
  EXPECT_EQ(md5_of(mkv, "0:a:0", true), md5_of(vob, "0:a:0", true));

  // PCM whose channels have a layout a reader would not assume (quad, not
  // 4.0): FLAC in Matroska states it; MP4's ALAC cannot, so it is refused.
  const fs::path quad = dir / "quad.mov";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i",
          "sine=sample_rate=48000,aformat=channel_layouts=quad", "-t", "0.6", "-c:v", "libx264", "-pix_fmt",
          "yuv420p", "-c:a", "pcm_s16le", quad.string()});
  ASSERT_EQ(probe(quad, "a:0", "stream=channel_layout"), "quad");
  const fs::path quad_mkv = dir / "quad.mkv";
  run = restore4k({"video", quad.string(), quad_mkv.string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("cannot state the channel layout 'quad'"), std::string::npos) << run.output;
  EXPECT_EQ(probe(quad_mkv, "a:0", "stream=codec_name"), "flac");
  EXPECT_EQ(probe(quad_mkv, "a:0", "stream=channel_layout"), "quad");
  EXPECT_EQ(md5_of(quad_mkv, "0:a:0", true), md5_of(quad, "0:a:0", true));
  run = restore4k({"video", quad.string(), (dir / "quad.mp4").string(), "--encoder", "x264", "--model",
                   "builtin:bicubic-x2"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("MP4 cannot state the channel layout 'quad'"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir / "quad.mp4"));

  // mov_text subtitles cannot go into Matroska without losing their styling.
  const fs::path srt = dir / "s.srt";
  std::ofstream(srt) << "1\n00:00:00,000 --> 00:00:00,500\nHello\n";
  const fs::path text = dir / "text.mp4";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-i", srt.string(), "-t", "0.6", "-c:v", "libx264",
          "-pix_fmt", "yuv420p", "-c:s", "mov_text", text.string()});
  run = restore4k({"video", text.string(), (dir / "text.mkv").string(), "--model", "builtin:bicubic-x2"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("subtitle stream 1 (mov_text)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("--no-subtitles"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir / "text.mkv"));
  // ... but into MP4 (x264) they are carried, and --no-subtitles is a choice.
  run = restore4k({"video", text.string(), (dir / "text_out.mp4").string(), "--encoder", "x264", "--model",
                   "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(dir / "text_out.mp4", "s:0", "stream=codec_name"), "mov_text");
  run = restore4k({"video", text.string(), (dir / "text.mkv").string(), "--model", "builtin:bicubic-x2",
                   "--no-subtitles"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(stream_types(dir / "text.mkv"), "video");
  expect_no_leftovers(dir);
}

// Languages, titles, default and forced flags, chapters, global tags (with
// spaces and non-ASCII) and attached files.
TEST(VideoFidelity, LanguagesTitlesFlagsChaptersTagsAndAttachmentsAreKept) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  std::ofstream(dir / "s.srt") << "1\n00:00:00,000 --> 00:00:00,500\nHello & <i>bye</i>\n";
  std::ofstream(dir / "chapters.txt") << ";FFMETADATA1\ntitle=Le Voyage dans la Lune (1902)\ncomment=Scan 2K, "
                                         "bobine 1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=400\ntitle=Ouverture\n"
                                         "[CHAPTER]\nTIMEBASE=1/1000\nSTART=400\nEND=800\ntitle=Départ\n";
  std::ofstream(dir / "font.ttf") << "not really a font, but an attached file all the same";
  const fs::path in = dir / "in.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
          "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000", "-i", (dir / "s.srt").string(), "-i",
          (dir / "chapters.txt").string(), "-map", "0", "-map", "1", "-map", "2", "-map", "3", "-map_metadata", "4",
          "-map_chapters", "4", "-t", "0.8", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-c:s", "srt",
          "-metadata:s:a:0", "language=fre", "-metadata:s:a:1", "language=eng", "-metadata:s:a:1",
          "title=Commentaire du restaurateur", "-metadata:s:s:0", "language=ger", "-disposition:a:0", "default",
          "-disposition:a:1", "0", "-disposition:s:0", "forced", "-attach", (dir / "font.ttf").string(),
          "-metadata:s:t", "mimetype=application/x-truetype-font", in.string()});
  const fs::path out = dir / "out.mkv";
  const Outcome run = restore4k({"video", in.string(), out.string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(stream_types(out), stream_types(in));
  for (const char* stream : {"a:0", "a:1", "s:0"}) {
    SCOPED_TRACE(stream);
    for (const char* entry : {"stream_tags=language", "stream_tags=title", "stream_disposition=default",
                              "stream_disposition=forced"}) {
      EXPECT_EQ(probe(out, stream, entry), probe(in, stream, entry)) << entry;
    }
    EXPECT_EQ(md5_of(out, std::string("0:") + stream), md5_of(in, std::string("0:") + stream));
  }
  EXPECT_EQ(probe(out, "a:1", "stream_tags=title"), "Commentaire du restaurateur");
  EXPECT_EQ(probe(out, "", "format_tags=title"), "Le Voyage dans la Lune (1902)");
  EXPECT_EQ(probe(out, "", "format_tags=comment"), "Scan 2K, bobine 1");
  EXPECT_EQ(probe(out, "", "chapter=start_time"), probe(in, "", "chapter=start_time"));
  EXPECT_EQ(probe(out, "", "chapter_tags=title"), "Ouverture\nDépart");
  EXPECT_EQ(probe(out, "t:0", "stream_tags=filename"), "font.ttf");
  EXPECT_FALSE(probe(out, "", "format_tags=RESTORE4K").empty());
  EXPECT_EQ(probe(out, "", "format_tags=RESTORE4K_INPUT"), "complete");
}

// A timecode track is carried as the output's start timecode: QuickTime
// makes a timecode track of it again, Matroska a TIMECODE tag.
TEST(VideoFidelity, TheStartTimecodeIsKept) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path in = dir / "tc.mov";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-t", "0.4", "-c:v", "libx264", "-pix_fmt", "yuv420p",
          "-timecode", "10:00:00:00", in.string()});
  ASSERT_EQ(probe(in, "d:0", "stream=codec_tag_string"), "tmcd");
  Outcome run = restore4k({"video", in.string(), (dir / "out.mov").string(), "--encoder", "prores", "--model",
                           "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("data stream 1 (tmcd): a timecode track"), std::string::npos) << run.output;
  EXPECT_EQ(probe(dir / "out.mov", "d:0", "stream_tags=timecode"), "10:00:00:00");
  run = restore4k({"video", in.string(), (dir / "out.mkv").string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(dir / "out.mkv", "v:0", "stream_tags=TIMECODE"), "10:00:00:00");
}

// The presentation times of a file's first video stream.
std::string picture_times(const fs::path& file, const std::string& stream = "v:0") {
  std::istringstream lines(run_command("ffprobe", {"-v", "error", "-select_streams", stream, "-show_entries",
                                                   "frame=pts_time", "-of", "csv=p=0", file.string()})
                               .output);
  std::string times;
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find(','));  // side data follows some frames
    if (!line.empty()) times += (times.empty() ? "" : " ") + line;
  }
  return times;
}

// Every picture keeps its time: a Matroska film whose video starts late and
// has B-frames (matroskademux corrects its first segment after the first
// picture), a second video stream, and the sound with them.
TEST(VideoFidelity, EveryPictureKeepsItsTime) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path late = dir / "late.mkv";
  ffmpeg({"-itsoffset", "0.2", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i",
          "sine=sample_rate=48000", "-t", "1", "-map", "0", "-map", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
          "-c:a", "flac", late.string()});
  const fs::path two = dir / "two.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10",
          "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "1", "-map", "0", "-map", "1", "-map", "2", "-c:v",
          "libx264", "-pix_fmt", "yuv420p", "-c:a", "flac", two.string()});
  for (const fs::path& in : {late, two}) {
    for (const auto& [encoder, name] : {std::pair<std::string, std::string>{"ffv1", "ffv1.mkv"},
                                        {"x264", "x264.mp4"},
                                        {"prores", "prores.mov"}}) {
      SCOPED_TRACE(in.filename().string() + " " + encoder);
      const fs::path out = dir / (in.stem().string() + "_" + name);
      const Outcome run =
          restore4k({"video", in.string(), out.string(), "--encoder", encoder, "--model", "builtin:bicubic-x2"});
      ASSERT_EQ(run.exit_code, 0) << run.output;
      EXPECT_EQ(picture_times(out), picture_times(in));
      EXPECT_NEAR(start_of(out, "a:0"), start_of(in, "a:0"), 0.0015);
      if (in == two) {
        EXPECT_EQ(picture_times(out, "v:1"), picture_times(in, "v:1"));
      }
    }
  }
}

// Opus's pre-skip is kept to the sample, whichever way the containers state
// it: Matroska (a codec delay, millisecond block times) and MP4 (an edit list
// in samples). The decoded sound starts with the same samples at the same
// time as the input's. (MP4 keeps the last packet's padding: more at the end.)
TEST(VideoFidelity, OpusPreSkipIsKeptToTheSample) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path webm = dir / "in.webm";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000",
          "-t", "1", "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-c:a", "libopus", webm.string()});
  const auto decoded_start = [](const fs::path& file) {
    return trimmed(run_command("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:a", "-af",
                                          "atrim=end_sample=40000", "-f", "md5", "-"})
                       .output);
  };
  const fs::path mp4 = dir / "in.mp4";
  ffmpeg({"-i", webm.string(), "-c:a", "copy", "-c:v", "libx264", "-pix_fmt", "yuv420p", mp4.string()});
  for (const auto& [input, encoder, name] :
       {std::tuple<fs::path, std::string, std::string>{webm, "ffv1", "webm.mkv"}, {webm, "x264", "webm.mp4"},
        {mp4, "ffv1", "mp4.mkv"}, {mp4, "x264", "mp4.mp4"}}) {
    SCOPED_TRACE(name);
    const fs::path out = dir / name;
    const Outcome run =
        restore4k({"video", input.string(), out.string(), "--encoder", encoder, "--model", "builtin:bicubic-x2"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(md5_of(out, "0:a:0"), md5_of(input, "0:a:0")) << "the packets are the input's";
    EXPECT_EQ(decoded_start(out), decoded_start(input));
    EXPECT_NEAR(first_frame_time(out, "v:0") - first_frame_time(out, "a:0"),
                first_frame_time(input, "v:0") - first_frame_time(input, "a:0"), 0.0015);
  }
}

// What the container must hold in another way: FLAC into MP4 (ALAC) and MOV
// (PCM), the same samples; cover art as cover art; MP4 chapters; the MOV
// pixel aspect box; the user's own comment untouched.
TEST(VideoFidelity, StructureTheOutputHoldsItsOwnWay) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path flac = dir / "flac.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t",
          "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "flac", flac.string()});
  for (const auto& [encoder, name, codec] :
       {std::tuple<std::string, std::string, std::string>{"x264", "flac.mp4", "alac"}, {"prores", "flac.mov", "pcm_s16le"}}) {
    SCOPED_TRACE(name);
    const fs::path out = dir / name;
    // A dry run already says what will be converted.
    const Outcome dry = restore4k(
        {"video", flac.string(), out.string(), "--encoder", encoder, "--model", "builtin:bicubic-x2", "--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.output;
    EXPECT_NE(dry.output.find(codec == "alac" ? "stored losslessly as ALAC" : "stored losslessly as PCM"),
              std::string::npos)
        << dry.output;
    const Outcome run =
        restore4k({"video", flac.string(), out.string(), "--encoder", encoder, "--model", "builtin:bicubic-x2"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(probe(out, "a:0", "stream=codec_name"), codec);
    EXPECT_EQ(md5_of(out, "0:a:0", true), md5_of(flac, "0:a:0", true));
  }
  std::ofstream(dir / "meta.txt") << ";FFMETADATA1\ncomment=Scanned 2K,  two  spaces\n[CHAPTER]\nTIMEBASE=1/1000\n"
                                     "START=0\nEND=400\ntitle=Vorspann\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=400\n"
                                     "END=1000\ntitle=日本語\n";
  const fs::path cover = dir / "cover.mp4";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i", "color=red:size=32x32:duration=0.1",
          "-i", (dir / "meta.txt").string(), "-t", "1", "-map", "0", "-map", "1", "-map_metadata", "2",
          "-map_chapters", "2", "-frames:v:1", "1", "-c:v:0", "libx264", "-pix_fmt:v:0", "yuv420p", "-c:v:1",
          "mjpeg", "-disposition:v:1", "attached_pic", cover.string()});
  for (const auto& [encoder, name] : {std::pair<std::string, std::string>{"ffv1", "cover.mkv"}, {"x264", "cover_out.mp4"}}) {
    SCOPED_TRACE(name);
    const fs::path out = dir / name;
    const Outcome run =
        restore4k({"video", cover.string(), out.string(), "--encoder", encoder, "--model", "builtin:bicubic-x2"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(probe(out, "v:1", "stream_disposition=attached_pic"), "1");
    EXPECT_EQ(md5_of(out, "0:v:1"), md5_of(cover, "0:v:1"));
    EXPECT_EQ(probe(out, "", "chapter_tags=title"), "Vorspann\n日本語");
    EXPECT_EQ(probe(out, "", "format_tags=comment"), "Scanned 2K,  two  spaces");
  }
  const fs::path sar = dir / "sar.mov";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-t", "0.3", "-vf", "setsar=10/11", "-c:v", "prores_ks",
          "-profile:v", "3", sar.string()});
  const Outcome run = restore4k({"video", sar.string(), (dir / "sar.mkv").string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(dir / "sar.mkv", "v:0", "stream=sample_aspect_ratio"), "10:11");
}

// Inputs whose frame count is only an estimate are not called damaged; a
// file with garbage inside is, and its tag says so.
TEST(VideoFidelity, DamageIsJudgedByWhatTheInputHolds) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path vfr = dir / "vfr.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=20:duration=1", "-vf",
          "select='lt(n\\,10)*not(mod(n\\,2))+gte(n\\,10)'", "-fps_mode", "vfr", "-c:v", "libx264", "-pix_fmt",
          "yuv420p", vfr.string()});
  const fs::path flv = dir / "in.flv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "lavfi", "-i", "sine=sample_rate=44100", "-t",
          "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", flv.string()});
  for (const fs::path& in : {vfr, flv}) {
    SCOPED_TRACE(in.filename().string());
    const fs::path out = dir / (in.stem().string() + "_out.mkv");
    const Outcome run = restore4k({"video", in.string(), out.string(), "--model", "builtin:bicubic-x2"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(probe(out, "", "format_tags=RESTORE4K_INPUT"), "complete");
    EXPECT_EQ(frames_of(out), frames_of(in));
  }
  // Garbage in the middle of a transport stream.
  const fs::path ts = dir / "in.ts";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t",
          "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", "-c:a", "aac", ts.string()});
  {
    std::fstream file(ts, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(file.tellg());
    file.seekp((size / 2) / 188 * 188);
    for (int i = 0; i < 188 * 8; ++i) file.put(static_cast<char>((i * 73 + 11) & 0xff));
  }
  const fs::path out = dir / "ts_out.mkv";
  const Outcome run = restore4k({"video", ts.string(), out.string(), "--model", "builtin:bicubic-x2"});
  EXPECT_EQ(run.exit_code, 4) << run.output;
  const std::string status = probe(out, "", "format_tags=RESTORE4K_INPUT");
  EXPECT_TRUE(status.rfind("damaged", 0) == 0 || status.rfind("ended after", 0) == 0) << status;
  EXPECT_EQ(run.output.find(".c("), std::string::npos) << "no source locations in messages: " << run.output;
}

struct PixelCase {
  const char* pix_fmt;  // input, FFV1 in Matroska
  const char* ffv1;     // the output with --encoder ffv1 ("" = refused)
  const char* prores;   // with --encoder prores ("" = refused)
  const char* x264;     // with --encoder x264 ("" = refused)
};

// Every pixel format restore4k takes comes out as it came (or as the encoder
// must, said before the work); the others are refused before any work.
TEST(VideoFidelity, PixelFormatsAreKeptOrRefusedBeforeWork) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const PixelCase cases[] = {
      {"yuv420p", "yuv420p", "yuv422p10le", "yuv420p"},
      {"yuv422p", "yuv422p", "yuv422p10le", "yuv422p"},
      // FFmpeg reports every ProRes 4444 stream at 12 bits (its decoder's depth).
      {"yuv444p", "yuv444p", "yuv444p12le", "yuv444p"},
      {"yuv411p", "yuv411p", "yuv422p10le", "yuv422p"},
      {"yuv420p10le", "yuv420p10le", "yuv422p10le", "yuv420p10le"},
      {"yuv422p10le", "yuv422p10le", "yuv422p10le", "yuv422p10le"},
      {"yuv444p10le", "yuv444p10le", "yuv444p12le", "yuv444p10le"},
      {"yuv420p12le", "yuv420p12le", "", ""},
      {"yuv444p12le", "yuv444p12le", "", ""},
      // Grey is full range: H.264 says so (FFmpeg names it yuvj420p); ProRes cannot.
      {"gray", "gray", "", "yuvj420p"},
      {"gray16le", "gray16le", "", ""},
      {"gbrp10le", "gbrp10le", "", ""},
      {"gbrp12le", "gbrp12le", "", ""},
      {"bgr0", "bgr0", "", ""},
      {"gbrap10le", "gbrap10le", "", ""},
      {"yuva420p", "yuva420p", "yuva444p12le", ""},
      {"yuva444p10le", "yuva444p10le", "yuva444p12le", ""},
      {"yuv420p16le", "", "", ""},
      {"gbrp16le", "", "", ""},
      {"gray10le", "", "", ""},
  };
  for (const PixelCase& c : cases) {
    SCOPED_TRACE(c.pix_fmt);
    const fs::path in = dir / (std::string(c.pix_fmt) + ".mkv");
    ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-t", "0.2", "-c:v", "ffv1", "-pix_fmt", c.pix_fmt,
            in.string()});
    ASSERT_EQ(probe(in, "v:0", "stream=pix_fmt"), c.pix_fmt) << "the fixture is what it says";
    for (const auto& [encoder, expected, extension] :
         {std::tuple<std::string, std::string, std::string>{"ffv1", c.ffv1, ".mkv"},
          {"prores", c.prores, ".mov"},
          {"x264", c.x264, ".mkv"}}) {
      SCOPED_TRACE(encoder);
      const fs::path out = dir / (std::string("out_") + c.pix_fmt + "_" + encoder + extension);
      const Outcome run =
          restore4k({"video", in.string(), out.string(), "--encoder", encoder, "--model", "builtin:bicubic-x2"});
      if (expected.empty()) {
        EXPECT_EQ(run.exit_code, 2) << run.output;
        EXPECT_NE(run.output.find(c.pix_fmt), std::string::npos) << "names the format: " << run.output;
        EXPECT_FALSE(fs::exists(out));
        continue;
      }
      ASSERT_EQ(run.exit_code, 0) << run.output;
      EXPECT_EQ(probe(out, "v:0", "stream=pix_fmt"), expected);
      EXPECT_EQ(frames_of(out), 5);
      const bool named_change = expected != c.pix_fmt && expected.find("p12le") == std::string::npos &&
                                expected != "yuvj420p";
      if (named_change || (encoder == "prores" && std::string(c.pix_fmt).find("10le") == std::string::npos)) {
        EXPECT_NE(run.output.find(std::string(c.pix_fmt) + " is written as"), std::string::npos)
            << "the change is said: " << run.output;
      }
    }
  }
  expect_no_leftovers(dir);
}

// Alpha is upscaled with the classical filter and written as alpha.
TEST(VideoFidelity, AlphaIsCarriedAsAlpha) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path in = dir / "alpha.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25,format=yuva420p,geq=lum='lum(X,Y)':cb='cb(X,Y)':"
                               "cr='cr(X,Y)':a='if(lt(X,32),255,64)'",
          "-t", "0.2", "-c:v", "ffv1", in.string()});
  const fs::path out = dir / "out.mkv";
  const Outcome run = restore4k({"video", in.string(), out.string(), "--model", "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(probe(out, "v:0", "stream=pix_fmt"), "yuva420p");
  const std::string alpha = raw_frame(out, "alphaextract,format=gray");
  ASSERT_EQ(alpha.size(), 128u * 96u);
  EXPECT_EQ(static_cast<unsigned char>(alpha[10]), 255);
  EXPECT_EQ(static_cast<unsigned char>(alpha[120]), 64);
}

struct ColourCase {
  const char* name;
  std::vector<std::string> tags;  // ffmpeg output options
  const char* pix_fmt;
};

// Colour tags are facts: what comes in goes out, into every container.
TEST(VideoFidelity, ColourTagsGoFromTheInputToEveryEncodersOutput) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const ColourCase cases[] = {
      {"bt709", {"-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"},
       "yuv420p"},
      {"smpte170m",
       {"-colorspace", "smpte170m", "-color_primaries", "smpte170m", "-color_trc", "smpte170m", "-color_range", "tv"},
       "yuv420p"},
      {"bt2020", {"-colorspace", "bt2020nc", "-color_primaries", "bt2020", "-color_trc", "bt2020-10"}, "yuv420p10le"},
      {"full-range", {"-color_range", "pc", "-colorspace", "bt709"}, "yuv420p"},
      {"untagged", {}, "yuv420p"},
  };
  for (const ColourCase& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path in = dir / (std::string(c.name) + ".mkv");
    std::vector<std::string> make{"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-t", "0.2", "-c:v", "libx264",
                                  "-pix_fmt", c.pix_fmt};
    make.insert(make.end(), c.tags.begin(), c.tags.end());
    make.push_back(in.string());
    ffmpeg(make);
    for (const auto& [encoder, name] : {std::pair<std::string, std::string>{"ffv1", "ffv1.mkv"},
                                        {"prores", "prores.mov"},
                                        {"x264", "x264.mp4"}}) {
      SCOPED_TRACE(encoder);
      const fs::path out = dir / (std::string(c.name) + "_" + name);
      const Outcome run =
          restore4k({"video", in.string(), out.string(), "--encoder", encoder, "--model", "builtin:bicubic-x2"});
      if (encoder == "prores" && std::string(c.name) == "full-range") {
        // ProRes is limited range by definition: refused, not requantised.
        EXPECT_EQ(run.exit_code, 2) << run.output;
        EXPECT_NE(run.output.find("ProRes stores limited (video) range"), std::string::npos) << run.output;
        continue;
      }
      ASSERT_EQ(run.exit_code, 0) << run.output;
      for (const char* entry : {"stream=color_space", "stream=color_primaries", "stream=color_transfer"}) {
        EXPECT_EQ(probe(out, "v:0", entry), probe(in, "v:0", entry)) << entry;
      }
      const std::string range = probe(in, "v:0", "stream=color_range");
      if (range == "unknown" && encoder != "ffv1") {
        // H.264 and ProRes always state a range: the assumption is written and said.
        EXPECT_EQ(probe(out, "v:0", "stream=color_range"), "tv");
        const std::string said = probe(out, "", "format_tags=encoder");
        EXPECT_NE(said.find("/assumed:range tv"), std::string::npos) << said;
      } else {
        EXPECT_EQ(probe(out, "v:0", "stream=color_range"), range);
      }
      if (std::string(c.name) == "untagged" && encoder == "ffv1") {
        EXPECT_NE(probe(out, "", "format_tags=RESTORE4K_ASSUMED").find("matrix bt601"), std::string::npos);
      }
    }
  }
}

// ProRes's decoded picture is the input's (within ProRes's own loss): the
// tags in its frame headers say the same matrix as the container.
TEST(VideoFidelity, ProResDecodesToTheInputsColours) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path in = dir / "in.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=128x96:rate=25", "-t", "0.2", "-c:v", "ffv1", "-pix_fmt",
          "yuv422p10le", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", in.string()});
  const fs::path out = dir / "out.mov";
  const Outcome run = restore4k({"video", in.string(), out.string(), "--encoder", "prores", "--model",
                                 "builtin:nearest-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // Both decoded to RGB as a player would; the output brought back to the input's size.
  const auto rgb = [&](const fs::path& file, const std::string& filter) { return raw_frame(file, filter + "format=rgb24"); };
  const std::string a = rgb(in, "");
  const std::string b = rgb(out, "scale=128:96:flags=neighbor,");
  ASSERT_EQ(a.size(), 128u * 96u * 3u);
  ASSERT_EQ(b.size(), a.size());
  double error[3] = {0, 0, 0};
  for (std::size_t i = 0; i < a.size(); ++i) {
    error[i % 3] += std::abs(static_cast<int>(static_cast<unsigned char>(a[i])) - static_cast<unsigned char>(b[i]));
  }
  for (int c = 0; c < 3; ++c) EXPECT_LT(error[c] / (128.0 * 96.0), 3.0) << "channel " << c;
}

TEST(VideoFidelity, PixelAspectRatioIsKeptExactly) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  for (const char* sar : {"32/27", "16/15", "10/11", "8/9"}) {
    SCOPED_TRACE(sar);
    const fs::path in = dir / "in.mkv";
    ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-t", "0.2", "-vf", std::string("setsar=") + sar,
            "-c:v", "libx264", "-pix_fmt", "yuv420p", in.string()});
    for (const char* name : {"out.mkv", "out.mp4"}) {
      const fs::path out = dir / name;
      fs::remove(out);
      const Outcome run = restore4k({"video", in.string(), out.string(), "--encoder",
                                     std::string(name) == "out.mkv" ? "ffv1" : "x264", "--model", "builtin:bicubic-x2"});
      ASSERT_EQ(run.exit_code, 0) << run.output;
      EXPECT_EQ(probe(out, "v:0", "stream=sample_aspect_ratio"), probe(in, "v:0", "stream=sample_aspect_ratio"));
      EXPECT_EQ(probe(out, "v:0", "stream=display_aspect_ratio"), probe(in, "v:0", "stream=display_aspect_ratio"));
    }
  }
}

// Sets the first track's display matrix to a quarter turn (as phones write
// it), in an MP4 whose moov comes first.
void rotate_first_track(const fs::path& file) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  const auto at = bytes.find("tkhd");
  ASSERT_NE(at, std::string::npos);
  // tkhd version 0: the matrix starts 40 bytes after the version/flags word.
  const std::size_t matrix = at + 4 + 40;
  const std::int32_t values[9] = {0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000};
  for (int i = 0; i < 9; ++i) {
    for (int b = 0; b < 4; ++b) {
      bytes[matrix + static_cast<std::size_t>(4 * i + b)] =
          static_cast<char>((static_cast<std::uint32_t>(values[i]) >> (24 - 8 * b)) & 0xff);
    }
  }
  stream.seekp(0);
  stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(VideoFidelity, RotationIsKeptOrRefusedBeforeWork) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path in = dir / "phone.mp4";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t",
          "0.4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", in.string()});
  rotate_first_track(in);
  ASSERT_EQ(probe(in, "v:0", "stream_side_data=rotation"), "-90");
  Outcome run = restore4k({"video", in.string(), (dir / "out.mkv").string(), "--model", "builtin:bicubic-x2"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("turned by 90 degrees"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir / "out.mkv"));
  run = restore4k({"video", in.string(), (dir / "out.mp4").string(), "--encoder", "x264", "--model",
                   "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(dir / "out.mp4", "v:0", "stream_side_data=rotation"), "-90");
}

// The chroma planes of the first frame as bytes (8-bit 4:2:0).
std::string chroma_of(const fs::path& file) {
  const std::string frame = raw_frame(file, "format=yuv420p");
  const std::string width = probe(file, "v:0", "stream=width");
  const std::string height = probe(file, "v:0", "stream=height");
  const std::size_t luma = static_cast<std::size_t>(std::stoi(width)) * static_cast<std::size_t>(std::stoi(height));
  return frame.size() > luma ? frame.substr(luma) : std::string();
}

// A black-and-white film stays exactly grey through an RGB model, the
// colour conversion and the fit; a declared monochrome film loses its chroma
// noise.
TEST(VideoFidelity, GreyStaysExactlyGrey) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  const fs::path rgb_model = fs::path(R4K_SOURCE_DIR) / "models" / "clean-x2.onnx";
  if (!fs::exists(rgb_model)) GTEST_SKIP() << "built-in model missing: " << rgb_model;
  const fs::path grey = dir / "grey.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-t", "0.2", "-vf", "hue=s=0", "-c:v", "ffv1",
          "-pix_fmt", "yuv420p", "-colorspace", "smpte170m", "-color_primaries", "smpte170m", "-color_trc",
          "smpte170m", grey.string()});
  const std::string in_chroma = chroma_of(grey);
  ASSERT_FALSE(in_chroma.empty());
  ASSERT_EQ(in_chroma.find_first_not_of(static_cast<char>(128)), std::string::npos) << "the fixture is grey";
  const fs::path out = dir / "out.mkv";
  const Outcome run = restore4k({"video", grey.string(), out.string(), "--model", rgb_model.string(), "--colour",
                                 "bt709", "--fit", "192x108", "--denoise", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(probe(out, "v:0", "stream=color_space"), "bt709");
  const std::string out_chroma = chroma_of(out);
  ASSERT_FALSE(out_chroma.empty());
  EXPECT_EQ(out_chroma.find_first_not_of(static_cast<char>(128)), std::string::npos) << "colour specks";

  // Into ProRes (10-bit 4:2:2): neutral is exactly 512, not 8-bit 128's replicated 514.
  const fs::path prores = dir / "grey.mov";
  const Outcome widened = restore4k({"video", grey.string(), prores.string(), "--encoder", "prores", "--model",
                                     "builtin:bicubic-x2"});
  ASSERT_EQ(widened.exit_code, 0) << widened.output;
  const std::string deep = raw_frame(prores, "format=yuv422p10le");
  ASSERT_EQ(deep.size(), 128u * 96u * 2u * 2u);
  for (std::size_t i = 128u * 96u * 2u; i < deep.size(); i += 2) {
    ASSERT_EQ(static_cast<unsigned char>(deep[i]) | static_cast<unsigned char>(deep[i + 1]) << 8, 512) << i;
  }

  // Faint chroma noise on a grey film: kept without --monochrome, gone with it.
  const fs::path noisy = dir / "noisy.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-t", "0.2", "-vf", "hue=s=0.02", "-c:v", "ffv1",
          "-pix_fmt", "yuv420p", noisy.string()});
  ASSERT_NE(chroma_of(noisy).find_first_not_of(static_cast<char>(128)), std::string::npos);
  const fs::path mono = dir / "mono.mkv";
  const Outcome declared =
      restore4k({"video", noisy.string(), mono.string(), "--model", rgb_model.string(), "--monochrome"});
  ASSERT_EQ(declared.exit_code, 0) << declared.output;
  EXPECT_EQ(chroma_of(mono).find_first_not_of(static_cast<char>(128)), std::string::npos);
}

// A file cut short: the job finishes what the input has, says so, and exits
// with code 4; the tag says how far the input went.
TEST(VideoFidelity, TruncatedInputIsReportedAsDamaged) {
  REQUIRE_MEDIA_TOOLS();
  TempDir dir;
  for (const char* name : {"whole.mkv", "whole.mp4"}) {
    SCOPED_TRACE(name);
    const fs::path whole = dir / name;
    std::vector<std::string> make{"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i",
                                  "sine=sample_rate=48000", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                                  "-g", "10", "-c:a", "aac"};
    if (std::string(name) == "whole.mp4") make.insert(make.end(), {"-movflags", "+faststart"});
    make.push_back(whole.string());
    ffmpeg(make);
    const fs::path cut = dir / (std::string("cut") + fs::path(name).extension().string());
    {
      std::ifstream from(whole, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(from)), std::istreambuf_iterator<char>());
      std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    const fs::path out = dir / (std::string("out_") + fs::path(name).stem().string() + ".mkv");
    const Outcome run = restore4k({"video", cut.string(), out.string(), "--model", "builtin:bicubic-x2"});
    EXPECT_EQ(run.exit_code, 4) << run.output;
    EXPECT_NE(run.output.find("is damaged"), std::string::npos) << run.output;
    ASSERT_TRUE(fs::exists(out)) << "the output holds what the input had";
    const long frames = frames_of(out);
    EXPECT_GT(frames, 5);
    EXPECT_LT(frames, 50);
    const std::string status = probe(out, "", "format_tags=RESTORE4K_INPUT");
    EXPECT_NE(status.find("ended after " + std::to_string(frames) + " of 50 frames"), std::string::npos) << status;
    const auto decode = run_command("ffmpeg", {"-v", "error", "-i", out.string(), "-f", "null", "-"});
    EXPECT_EQ(decode.output, "") << "the output itself is sound";
  }
  // An MP4 whose index was to come at the end has none when cut: nothing can
  // be read, and the error says why in FFmpeg's words, without its prefixes.
  {
    const fs::path whole = dir / "late_index.mp4";
    ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
            whole.string()});
    const fs::path cut = dir / "late_index_cut.mp4";
    fs::copy_file(whole, cut);
    fs::resize_file(cut, fs::file_size(whole) / 2);
    const Outcome run = restore4k({"video", cut.string(), (dir / "late.mkv").string()});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("cannot open input video '" + cut.string() + "'"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("(moov atom not found)"), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find(" @ 0x"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(dir / "late.mkv"));
  }
  // Containers without an index: a cut inside their fixed framing (MPEG-TS
  // packets, DV frames) is seen although no decoder complains.
  for (const auto& [name, codecs, what] :
       {std::tuple<std::string, std::vector<std::string>, std::string>{
            "whole.ts", {"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"}, "an MPEG-TS packet"},
        {"whole.dv", {"-c:v", "dvvideo", "-s", "720x576", "-pix_fmt", "yuv420p", "-r", "25", "-c:a", "pcm_s16le",
                      "-ar", "48000", "-ac", "2"}, "a DV frame"}}) {
    SCOPED_TRACE(name);
    const fs::path whole = dir / name;
    std::vector<std::string> make{"-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i",
                                  "sine=sample_rate=48000", "-t", "1"};
    make.insert(make.end(), codecs.begin(), codecs.end());
    make.push_back(whole.string());
    ffmpeg(make);
    const fs::path cut = dir / ("cut" + whole.extension().string());
    {
      std::ifstream from(whole, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(from)), std::istreambuf_iterator<char>());
      std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2 + 77);
    }
    const fs::path out = dir / ("out_" + whole.stem().string() + whole.extension().string().substr(1) + ".mkv");
    const Outcome run = restore4k({"video", cut.string(), out.string(), "--model", "builtin:bicubic-x2"});
    EXPECT_EQ(run.exit_code, 4) << run.output;
    EXPECT_NE(run.output.find("the file ends inside " + what + ": it was cut short"), std::string::npos)
        << run.output;
    // The tag says the first thing found: frames short of the stream's span, or the cut.
    const std::string status = probe(out, "", "format_tags=RESTORE4K_INPUT");
    EXPECT_TRUE(status.rfind("ended after ", 0) == 0 || status.rfind("damaged: the file ends inside " + what, 0) == 0)
        << status;
  }
  expect_no_leftovers(dir);
}

}  // namespace
