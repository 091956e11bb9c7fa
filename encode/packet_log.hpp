// The packet log of a film segment: beside each segment file, the times,
// flags and sizes of its encoded pictures exactly as the pipeline gave them
// to the writer (nanoseconds: the container rounds them), with the stream's
// caps and the provenance. The join replays the segments' packets with these
// times, so that the joined film is written as a single-machine run writes
// it. Text, one line per picture; the last line says it is complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace r4k::encode {

struct LoggedPacket {
  std::int64_t pts = 0;
  std::optional<std::int64_t> dts;
  std::int64_t duration = 0;
  bool keyframe = false;
  std::size_t size = 0;
};

struct PacketLog {
  std::string caps;        // GStreamer caps of the encoded stream
  std::string provenance;  // r4krestore's comment ("" = none)
  std::string stamp;       // the job stamp the writer was given
  std::vector<LoggedPacket> packets;
  bool complete = false;   // the writer finished it
};

class PacketLogWriter {
 public:
  explicit PacketLogWriter(const std::filesystem::path& path);
  // Before the first packet.
  void header(const std::string& caps, const std::string& provenance, const std::string& stamp);
  void add(const LoggedPacket& packet);
  // Marks it complete and closes it. Throws Error when it cannot be written.
  void finish();

 private:
  std::filesystem::path path_;
  std::ofstream out_;
  std::int64_t count_ = 0;
};

// Throws InputError naming the file and line when it is not a packet log.
PacketLog read_packet_log(const std::filesystem::path& path);

}  // namespace r4k::encode
