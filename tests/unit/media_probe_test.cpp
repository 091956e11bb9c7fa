#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "decode/decoder_choice.hpp"
#include "decode/media_probe.hpp"
#include "core/error.hpp"
#include "tests/support/command_runner.hpp"
#include "tests/support/test_paths.hpp"

namespace r4k::decode {
namespace {

using r4k::testing::TempDir;

TEST(MediaProbe, ReadsTheStreamsOfAGeneratedClip) {
  if (!r4k::testing::program_available("ffmpeg")) GTEST_SKIP() << "ffmpeg missing";
  TempDir dir;
  const auto clip = dir / "clip.mp4";
  ASSERT_EQ(r4k::testing::run_command(
                "ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i",
                           "sine=sample_rate=48000", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                           "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range",
                           "tv", "-c:a", "aac", "-ac", "2", "-shortest", clip.string()})
                .exit_code,
            0);
  const MediaInfo info = probe_media(clip);
  EXPECT_NE(info.container.find("mp4"), std::string::npos);
  EXPECT_NEAR(info.duration_seconds, 2.0, 0.1);
  ASSERT_EQ(info.video.size(), 1u);
  const VideoStreamInfo& video = info.video[0];
  EXPECT_EQ(video.codec, "h264");
  EXPECT_EQ(video.width, 320);
  EXPECT_EQ(video.height, 240);
  EXPECT_EQ(video.pixel_format, "yuv420p");
  EXPECT_EQ(video.frame_rate_num / video.frame_rate_den, 25);
  EXPECT_EQ(video.frame_count, 50);
  EXPECT_EQ(video.colour_space, "bt709");
  EXPECT_EQ(video.colour_range, "tv");
  EXPECT_EQ(video.colour_primaries, "bt709");
  EXPECT_EQ(video.colour_transfer, "bt709");
  EXPECT_FALSE(video.interlaced());
  ASSERT_EQ(info.audio.size(), 1u);
  EXPECT_EQ(info.audio[0].codec, "aac");
  EXPECT_EQ(info.audio[0].sample_rate, 48000);
  EXPECT_EQ(info.audio[0].channels, 2);
  EXPECT_TRUE(info.subtitles.empty());
}

TEST(MediaProbe, SharedInterlacedClipIsTopFieldFirstAnamorphic) {
  const auto clip = r4k::testing::shared_dir() / "data/film/bt601-525_480_interlaced_tff.mkv";
  R4K_REQUIRE_SHARED(clip);
  const MediaInfo info = probe_media(clip);
  ASSERT_EQ(info.video.size(), 1u);
  EXPECT_EQ(info.video[0].codec, "mpeg2video");
  EXPECT_EQ(info.video[0].field_order, "tt");
  EXPECT_TRUE(info.video[0].interlaced());
  EXPECT_EQ(info.video[0].sar_num * 27, info.video[0].sar_den * 32);
  ASSERT_EQ(info.audio.size(), 1u);
  EXPECT_EQ(info.audio[0].codec, "ac3");
}

TEST(MediaProbe, RejectsWhatIsNotMedia) {
  TempDir dir;
  std::ofstream(dir / "notes.mp4") << "plain text, not a video";
  try {
    probe_media(dir / "notes.mp4");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("notes.mp4"), std::string::npos) << error.what();
  }
  EXPECT_THROW(probe_media(dir / "absent.mkv"), InputError);
}

TEST(DecoderChoice, PrefersHardwareAndCanBeForcedEitherWay) {
  const std::set<std::string> present = {"h264parse", "vah264dec", "avdec_h264", "avdec_h265"};
  const auto available = [&](const std::string& name) { return present.count(name) > 0; };
  auto choice = choose_decoder("h264", DecoderPreference::automatic, available);
  EXPECT_EQ(choice.decoder, "vah264dec");
  EXPECT_TRUE(choice.hardware);
  EXPECT_EQ(choice.parser, "h264parse");
  choice = choose_decoder("h264", DecoderPreference::software, available);
  EXPECT_EQ(choice.decoder, "avdec_h264");
  EXPECT_FALSE(choice.hardware);
  // No hardware HEVC decoder here: automatic falls back, forced fails.
  EXPECT_EQ(choose_decoder("hevc", DecoderPreference::automatic, available).decoder, "avdec_h265");
  EXPECT_THROW(choose_decoder("hevc", DecoderPreference::hardware, available), InputError);
  // Codecs outside the table go through decodebin.
  EXPECT_EQ(choose_decoder("theora", DecoderPreference::automatic, available).decoder, "decodebin");
  EXPECT_THROW(parse_decoder_preference("gpu"), InputError);
}

}  // namespace
}  // namespace r4k::decode
