// Choosing a GStreamer decoder for a video codec: hardware decoders (VA-API,
// NVDEC) when present, software (libav) otherwise, or forced either way.
// Pure logic: the caller says which elements exist.
#pragma once

#include <functional>
#include <string>

namespace r4k::decode {

// In the order of its setting's choices (config/settings.cpp).
enum class DecoderPreference { automatic, hardware, software };

DecoderPreference parse_decoder_preference(const std::string& text);  // auto|hardware|software

struct DecoderChoice {
  std::string parser;   // e.g. h264parse ("" = none needed)
  std::string decoder;  // e.g. vah264dec, avdec_h264; "decodebin" when the codec is not in the table
  bool hardware = false;
};

// `available(name)` tells whether a GStreamer element factory exists.
// Throws InputError when `hardware` is forced and no hardware decoder exists.
DecoderChoice choose_decoder(const std::string& ffmpeg_codec, DecoderPreference preference,
                             const std::function<bool(const std::string&)>& available);

}  // namespace r4k::decode
