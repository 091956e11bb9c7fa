#include "encode/packet_log.hpp"

#include <sstream>

#include "core/error.hpp"

namespace r4k::encode {
namespace {

constexpr const char* kMagic = "restore4k-packets 1";

// Text fields on one line: newlines and backslashes escaped.
std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text[i + 1] == 'n' ? '\n' : text[i + 1];
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

PacketLogWriter::PacketLogWriter(const std::filesystem::path& path) : path_(path), out_(path) {
  if (!out_) throw Error(path.string() + ": cannot write the packet log");
  out_ << kMagic << "\n";
}

void PacketLogWriter::header(const std::string& caps, const std::string& provenance, const std::string& stamp) {
  out_ << "caps " << escape(caps) << "\nprovenance " << escape(provenance) << "\nstamp " << escape(stamp) << "\n";
}

void PacketLogWriter::add(const LoggedPacket& p) {
  out_ << "packet " << p.pts << " " << (p.dts ? std::to_string(*p.dts) : std::string("-")) << " " << p.duration << " "
       << (p.keyframe ? 1 : 0) << " " << p.size << "\n";
  ++count_;
}

void PacketLogWriter::finish() {
  out_ << "end " << count_ << "\n";
  out_.close();
  if (!out_) throw Error(path_.string() + ": cannot write the packet log (disk full?)");
}

PacketLog read_packet_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError("packet log '" + path.string() + "' cannot be read");
  PacketLog log;
  std::string line;
  int number = 0;
  const auto bad = [&](const std::string& why) {
    return InputError("packet log '" + path.string() + "':" + std::to_string(number) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++number;
    if (number == 1) {
      if (line != kMagic) throw bad("not a restore4k packet log");
      continue;
    }
    if (log.complete) throw bad("text after its end");
    const auto space = line.find(' ');
    const std::string word = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (word == "caps") {
      log.caps = unescape(rest);
    } else if (word == "provenance") {
      log.provenance = unescape(rest);
    } else if (word == "stamp") {
      log.stamp = unescape(rest);
    } else if (word == "packet") {
      std::istringstream fields(rest);
      LoggedPacket p;
      std::string dts;
      int key = 0;
      if (!(fields >> p.pts >> dts >> p.duration >> key >> p.size)) throw bad("a packet line that does not parse");
      if (dts != "-") {
        try {
          p.dts = std::stoll(dts);
        } catch (const std::exception&) {
          throw bad("a packet's dts '" + dts + "' is not a number");
        }
      }
      p.keyframe = key != 0;
      log.packets.push_back(p);
    } else if (word == "end") {
      if (rest != std::to_string(log.packets.size())) throw bad("it ends after " + rest + " packets but lists " +
                                                                std::to_string(log.packets.size()));
      log.complete = true;
    } else {
      throw bad("unknown line '" + word + "'");
    }
  }
  if (number == 0) throw bad("empty");
  return log;
}

}  // namespace r4k::encode
