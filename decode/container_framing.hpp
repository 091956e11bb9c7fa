// Whether a media file ends inside its container's fixed-size framing: an
// MPEG transport stream is a sequence of 188-byte packets (192 in M2TS, 204
// with Reed-Solomon bytes), a DV file one of 120000-byte (525-line) or
// 144000-byte (625-line) frames. A file whose size is no whole number of
// them was cut short: the tail of its last packet or frame is gone, often
// without a decoder warning. (A cut that happens to fall on a boundary is not
// seen.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace r4k::decode {

// `format_name` is FFmpeg's demuxer name ("mpegts", "dv", ...). Returns the
// explanation ("the file ends inside an MPEG-TS packet: it was cut short (...)")
// or nothing for a whole file or a container without fixed framing.
std::optional<std::string> cut_inside_framing(const std::string& format_name, std::int64_t file_size);

}  // namespace r4k::decode
