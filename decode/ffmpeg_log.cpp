#include "decode/ffmpeg_log.hpp"

#include <cctype>
#include <cstdarg>
#include <map>
#include <mutex>

extern "C" {
#include <libavutil/log.h>
}

namespace r4k::decode {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<const void*, std::vector<std::string>> watched;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

void route(void* avcl, int level, const char* format, va_list arguments) {
  if (level <= AV_LOG_WARNING && avcl != nullptr) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    const auto found = r.watched.find(avcl);
    if (found != r.watched.end()) {
      char line[1024];
      int prefix = 0;
      va_list copy;
      va_copy(copy, arguments);
      av_log_format_line2(nullptr, level, format, copy, line, sizeof line, &prefix);
      va_end(copy);
      std::string text = line;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (!text.empty()) found->second.push_back(text);
      return;
    }
  }
  // Unwatched: errors of our own reading and writing (demuxers, muxers) are
  // shown; what decoders say is not (GStreamer's own decoders share this
  // FFmpeg and would fill the terminal with concealment notes).
  if (level > AV_LOG_ERROR || avcl == nullptr) return;
  const AVClass* type = *static_cast<AVClass* const*>(avcl);
  if (type != nullptr && (type->category == AV_CLASS_CATEGORY_DECODER || type->category == AV_CLASS_CATEGORY_ENCODER ||
                          type->category == AV_CLASS_CATEGORY_BITSTREAM_FILTER)) {
    return;
  }
  av_log_default_callback(avcl, level, format, arguments);
}

}  // namespace

void quiet_ffmpeg_log() {
  // Every time: GStreamer's libav plugin sets its own callback when it loads.
  av_log_set_level(AV_LOG_WARNING);
  av_log_set_callback(route);
}

FfmpegLogWatch::FfmpegLogWatch(const void* context) : context_(context) {
  quiet_ffmpeg_log();
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.watched[context_];
}

FfmpegLogWatch::~FfmpegLogWatch() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.watched.erase(context_);
}

std::vector<std::string> FfmpegLogWatch::damage() const {
  static const char* const signs[] = {"prematurely", "truncat", "corrupt", "incomplete", "invalid data",
                                      "read error", "error reading", "end of file", "damaged", "missing"};
  std::vector<std::string> found;
  for (const std::string& message : messages()) {
    std::string lower = message;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* sign : signs) {
      if (lower.find(sign) != std::string::npos) {
        found.push_back(message);
        break;
      }
    }
  }
  return found;
}

std::vector<std::string> FfmpegLogWatch::messages() const {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const auto found = r.watched.find(context_);
  return found != r.watched.end() ? found->second : std::vector<std::string>{};
}

}  // namespace r4k::decode
