#include "decode/decoder_choice.hpp"

#include "config/settings.hpp"

#include <vector>

#include "core/error.hpp"

namespace r4k::decode {
namespace {

struct CodecDecoders {
  const char* codec;  // FFmpeg codec name
  const char* parser;
  std::vector<const char*> hardware;  // in order of preference
  const char* software;
};

const std::vector<CodecDecoders>& decoder_table() {
  static const std::vector<CodecDecoders> table = {
      {"h264", "h264parse", {"vah264dec", "vaapih264dec", "nvh264dec", "nvh264sldec"}, "avdec_h264"},
      {"hevc", "h265parse", {"vah265dec", "vaapih265dec", "nvh265dec", "nvh265sldec"}, "avdec_h265"},
      {"mpeg2video", "mpegvideoparse", {"vampeg2dec", "vaapimpeg2dec", "nvmpeg2videodec"}, "avdec_mpeg2video"},
      {"vp9", "vp9parse", {"vavp9dec", "vaapivp9dec", "nvvp9dec"}, "avdec_vp9"},
      {"vp8", "", {"vavp8dec", "vaapivp8dec", "nvvp8dec"}, "avdec_vp8"},
      {"dnxhd", "", {}, "avdec_dnxhd"},
      {"av1", "av1parse", {"vaav1dec", "nvav1dec"}, "avdec_av1"},
      {"mpeg4", "mpeg4videoparse", {}, "avdec_mpeg4"},
      {"prores", "", {}, "avdec_prores"},
      {"ffv1", "", {}, "avdec_ffv1"},
      {"mjpeg", "jpegparse", {"vajpegdec", "vaapijpegdec", "nvjpegdec"}, "avdec_mjpeg"},
      {"dvvideo", "", {}, "avdec_dvvideo"},
  };
  return table;
}

}  // namespace

DecoderPreference parse_decoder_preference(const std::string& text) {
  const auto index = settings::choice_index("video.decoder", text);
  if (!index) throw InputError("video.decoder: " + settings::check(*settings::find("video.decoder"), text).message);
  return static_cast<DecoderPreference>(*index);
}

DecoderChoice choose_decoder(const std::string& ffmpeg_codec, DecoderPreference preference,
                             const std::function<bool(const std::string&)>& available) {
  for (const auto& entry : decoder_table()) {
    if (ffmpeg_codec != entry.codec) continue;
    const std::string parser = entry.parser[0] != '\0' && available(entry.parser) ? entry.parser : "";
    if (preference != DecoderPreference::software) {
      for (const char* hardware : entry.hardware) {
        if (available(hardware)) return {parser, hardware, true};
      }
      if (preference == DecoderPreference::hardware) {
        throw InputError("no hardware decoder for " + ffmpeg_codec +
                         " is available (looked for VA-API and NVDEC elements); use --decoder software or auto");
      }
    }
    if (available(entry.software)) return {parser, entry.software, false};
    break;
  }
  if (preference == DecoderPreference::hardware) {
    throw InputError("no hardware decoder is known for codec '" + ffmpeg_codec + "'");
  }
  return {"", "decodebin", false};
}

}  // namespace r4k::decode
