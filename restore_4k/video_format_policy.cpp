#include "restore_4k/video_format_policy.hpp"

#include <map>

#include "core/error.hpp"
#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {
namespace {

// FFmpeg's pixel format -> the GStreamer format restore4k works in. The
// decoder's own output, or (packed 4:2:2, v210) the planar format with the
// same samples.
const std::map<std::string, std::string>& processing_formats() {
  static const std::map<std::string, std::string> table = {
      {"yuv420p", "I420"},          {"yuvj420p", "I420"},          {"yuv422p", "Y42B"},
      {"yuvj422p", "Y42B"},         {"yuv444p", "Y444"},           {"yuvj444p", "Y444"},
      {"yuv411p", "Y41B"},          {"yuv420p10le", "I420_10LE"},  {"yuv422p10le", "I422_10LE"},
      {"yuv444p10le", "Y444_10LE"}, {"yuv420p12le", "I420_12LE"},  {"yuv422p12le", "I422_12LE"},
      {"yuv444p12le", "Y444_12LE"}, {"gray", "GRAY8"},             {"gray16le", "GRAY16_LE"},
      {"gbrp", "GBR"},              {"gbrp10le", "GBR_10LE"},      {"gbrp12le", "GBR_12LE"},
      {"gbrap", "GBRA"},            {"gbrap10le", "GBRA_10LE"},    {"gbrap12le", "GBRA_12LE"},
      {"rgb24", "RGB"},             {"bgr24", "BGR"},              {"rgba", "RGBA"},
      {"bgra", "BGRA"},             {"bgr0", "BGRx"},              {"rgb0", "RGBx"},
      {"yuva420p", "A420"},         {"yuva420p10le", "A420_10LE"}, {"yuva422p10le", "A422_10LE"},
      {"yuva444p10le", "A444_10LE"}, {"nv12", "NV12"},             {"p010le", "P010_10LE"},
      {"uyvy422", "Y42B"},          {"yuyv422", "Y42B"},
  };
  return table;
}

// Why a format cannot be taken, in words.
std::string why_not(const std::string& pixel_format) {
  if (pixel_format.find("16") != std::string::npos || pixel_format == "rgb48le" || pixel_format == "rgba64le") {
    return "16-bit samples: GStreamer 1.22's FFmpeg decoders and its FFV1 encoder have no 16-bit formats but grey, "
           "so the file cannot be read without losing bits";
  }
  if (pixel_format == "gray10le" || pixel_format == "gray12le") {
    return "10/12-bit grey: GStreamer 1.22's FFmpeg decoders cannot give it";
  }
  if (pixel_format.rfind("yuva", 0) == 0) {
    return "this alpha format: GStreamer 1.22's FFmpeg decoders give only yuva420p, yuva420p10, yuva422p10 and "
           "yuva444p10";
  }
  return "GStreamer 1.22's FFmpeg decoders cannot give it";
}

bool is_rgb(const std::string& format) {
  return format.rfind("GBR", 0) == 0 || format == "RGB" || format == "BGR" || format.rfind("RGB", 0) == 0 ||
         format.rfind("BGR", 0) == 0;
}
bool has_alpha(const std::string& format) {
  return format.rfind("A4", 0) == 0 || format == "A420" || format.rfind("GBRA", 0) == 0 || format == "RGBA" ||
         format == "BGRA";
}
int bits_of(const std::string& format) {
  if (format.find("_12") != std::string::npos) return 12;
  if (format.find("_10") != std::string::npos) return 10;
  if (format == "GRAY16_LE") return 16;
  return 8;
}
bool is_grey(const std::string& format) { return format.rfind("GRAY", 0) == 0; }
bool is_444(const std::string& format) { return format.rfind("Y444", 0) == 0 || format.rfind("A444", 0) == 0; }

}  // namespace

VideoFormatPlan plan_video_format(const decode::VideoStreamInfo& video, VideoEncoder encoder,
                                  const std::filesystem::path& input) {
  const std::string name = input.string();
  const auto found = processing_formats().find(video.pixel_format);
  if (video.codec == "prores" && (video.pixel_format == "yuv444p12le" || video.pixel_format == "yuva444p12le")) {
    throw InputError("input '" + name + "' is ProRes 4444 (" + video.pixel_format +
                     "): GStreamer 1.22's ProRes decoder gives only 10 of its 12 bits, so restore4k would lose "
                     "precision; convert it to FFV1 first (ffmpeg -i IN -map 0 -c copy -c:v ffv1 OUT.mkv)");
  }
  if (found == processing_formats().end()) {
    throw InputError("input '" + name + "' has pixel format " +
                     (video.pixel_format.empty() ? std::string("(unknown)") : video.pixel_format) +
                     ", which restore4k cannot keep: " + why_not(video.pixel_format) +
                     ". It takes 4:2:0, 4:2:2 and 4:4:4 at 8, 10 and 12 bits, 4:1:1, planar RGB at 8, 10 and 12 "
                     "bits, grey at 8 and 16 bits, and alpha as yuva420p(10), yuva422p10, yuva444p10, gbrap(10/12) "
                     "or packed RGBA");
  }
  VideoFormatPlan plan;
  plan.processing = found->second;
  plan.rgb = is_rgb(plan.processing);
  const std::string& f = plan.processing;
  const auto refuse = [&](const std::string& why) {
    throw InputError("input '" + name + "' is " + video.pixel_format + ", which " + to_string(encoder) +
                     " cannot hold: " + why);
  };
  switch (encoder) {
    case VideoEncoder::ffv1: {
      // FFV1 holds every one of them; 8-bit RGB as BGRx/BGRA, semi-planar
      // Y'CbCr as planar (the same samples in another layout).
      static const std::map<std::string, std::string> repack = {
          {"GBR", "BGRx"}, {"RGB", "BGRx"},  {"BGR", "BGRx"},  {"RGBx", "BGRx"},
          {"GBRA", "BGRA"}, {"RGBA", "BGRA"}, {"NV12", "I420"}, {"P010_10LE", "I420_10LE"}};
      const auto r = repack.find(f);
      plan.encoder_input = r != repack.end() ? r->second : f;
      if (r != repack.end()) {
        plan.notices.push_back("FFV1 stores " + video.pixel_format + " as " +
                               (r->second == "BGRx"   ? "bgr0"
                                : r->second == "BGRA" ? "bgra"
                                : r->second == "I420" ? "yuv420p"
                                                      : "yuv420p10le") +
                               ": the same samples in another layout");
      }
      break;
    }
    case VideoEncoder::prores:
      if (bits_of(f) > 10) refuse("ProRes here takes 10 bits; use --encoder ffv1 to keep all " + std::to_string(bits_of(f)));
      if (plan.rgb) refuse("ProRes stores Y'CbCr, and converting R'G'B' would change the samples; use --encoder ffv1");
      if (has_alpha(f)) {
        plan.encoder_input = "A444_10LE";
        plan.prores_profile = "4444";
      } else if (is_444(f)) {
        plan.encoder_input = "Y444_10LE";
        plan.prores_profile = "4444";
      } else {
        plan.encoder_input = "I422_10LE";
        plan.prores_profile = "hq";
      }
      if (plan.encoder_input != f) {
        plan.notices.push_back("ProRes " + std::string(plan.prores_profile == "hq" ? "422 HQ" : "4444") +
                               " stores " + (plan.prores_profile == "hq" ? "10-bit 4:2:2" : "10-bit 4:4:4") +
                               (is_grey(f) ? " with neutral chroma" : "") + ": " + video.pixel_format +
                               " is written as " +
                               (plan.encoder_input == "I422_10LE"   ? "yuv422p10le"
                                : plan.encoder_input == "Y444_10LE" ? "yuv444p10le"
                                                                    : "yuva444p10le") +
                               " (a wider format: no sample is lost)");
      }
      break;
    case VideoEncoder::x264: {
      if (bits_of(f) > 10) {
        refuse("x264 here takes up to 10 bits; use --encoder ffv1 to keep all " + std::to_string(bits_of(f)));
      }
      if (has_alpha(f)) refuse("H.264 has no alpha; use --encoder ffv1 or prores to keep it");
      if (plan.rgb) refuse("x264 here takes Y'CbCr only; use --encoder ffv1");
      static const std::map<std::string, std::string> take = {
          {"I420", "I420"},          {"Y42B", "Y42B"},           {"Y444", "Y444"},
          {"NV12", "NV12"},          {"I420_10LE", "I420_10LE"}, {"I422_10LE", "I422_10LE"},
          {"Y444_10LE", "Y444_10LE"}, {"P010_10LE", "I420_10LE"}, {"Y41B", "Y42B"},
          {"GRAY8", "I420"},         {"GRAY16_LE", "I420_10LE"}};
      const auto t = take.find(f);
      if (t == take.end()) refuse("no x264 format holds it; use --encoder ffv1");
      plan.encoder_input = t->second;
      if (f == "GRAY16_LE") refuse("x264 here takes up to 10 bits; use --encoder ffv1 to keep 16-bit grey");
      if (f == "Y41B" || is_grey(f)) {
        plan.notices.push_back("x264 here has no " + video.pixel_format + ": " + video.pixel_format +
                               " is written as " + (t->second == "Y42B" ? "yuv422p" : "yuv420p") +
                               (is_grey(f) ? " with neutral chroma" : " (a wider format: no sample is lost)"));
      }
      break;
    }
  }
  return plan;
}

}  // namespace r4k::restore
