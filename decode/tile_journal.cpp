#include "decode/tile_journal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <unistd.h>

#include "preprocess/error.hpp"

namespace r4k::decode {
namespace {

constexpr const char* kMagic = "restore4k tile journal 1";

struct Parsed {
  std::string fingerprint;
  int count = -1;
  std::vector<int> tiles;
  std::vector<int> damaged;
};

Parsed parse(const std::filesystem::path& path) {
  Parsed parsed;
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line != kMagic) return parsed;
  if (!std::getline(in, line) || line.rfind("fingerprint ", 0) != 0) return parsed;
  parsed.fingerprint = line.substr(12);
  if (!std::getline(in, line) || line.rfind("tiles ", 0) != 0) return parsed;
  parsed.count = std::atoi(line.c_str() + 6);
  // Only complete lines count: a line cut by a kill has no newline.
  while (std::getline(in, line)) {
    if (in.eof()) break;
    char* end = nullptr;
    const long tile = std::strtol(line.c_str(), &end, 10);
    if (line.empty() || end == line.c_str()) continue;
    if (*end == '\0') {
      parsed.tiles.push_back(static_cast<int>(tile));
    } else if (std::string(end) == " damaged") {
      parsed.tiles.push_back(static_cast<int>(tile));
      parsed.damaged.push_back(static_cast<int>(tile));
    }
  }
  return parsed;
}

void sync(std::FILE* file, const std::filesystem::path& path) {
  if (std::fflush(file) != 0 || ::fdatasync(::fileno(file)) != 0) {
    throw Error(path.string() + ": cannot write the tile journal: " + std::strerror(errno));
  }
}

}  // namespace

TileJournal::TileJournal(std::filesystem::path path, std::string fingerprint, int tile_count, bool resume)
    : path_(std::move(path)),
      done_(static_cast<std::size_t>(tile_count), false),
      damaged_(static_cast<std::size_t>(tile_count), false) {
  if (fingerprint.find('\n') != std::string::npos) throw Error("tile journal fingerprint must be one line");
  if (resume) {
    const Parsed parsed = parse(path_);
    if (parsed.fingerprint == fingerprint && parsed.count == tile_count) {
      resumed_ = true;
      for (int tile : parsed.tiles) {
        if (tile >= 0 && tile < tile_count && !done_[static_cast<std::size_t>(tile)]) {
          done_[static_cast<std::size_t>(tile)] = true;
          ++done_count_;
        }
      }
      for (int tile : parsed.damaged) {
        if (tile >= 0 && tile < tile_count) damaged_[static_cast<std::size_t>(tile)] = true;
      }
    }
  }
  file_ = std::fopen(path_.c_str(), resumed_ ? "a" : "w");
  if (file_ == nullptr) throw Error(path_.string() + ": cannot create the tile journal: " + std::strerror(errno));
  if (!resumed_) {
    std::fprintf(file_, "%s\nfingerprint %s\ntiles %d\n", kMagic, fingerprint.c_str(), tile_count);
    sync(file_, path_);
  }
}

TileJournal::~TileJournal() {
  if (file_ != nullptr) std::fclose(file_);
}

std::vector<int> TileJournal::done_tiles() const {
  std::vector<int> tiles;
  for (int i = 0; i < tile_count(); ++i) {
    if (done_[static_cast<std::size_t>(i)]) tiles.push_back(i);
  }
  return tiles;
}

std::vector<int> TileJournal::damaged_tiles() const {
  std::vector<int> tiles;
  for (int i = 0; i < tile_count(); ++i) {
    if (damaged_[static_cast<std::size_t>(i)]) tiles.push_back(i);
  }
  return tiles;
}

void TileJournal::record(const std::vector<int>& tiles, const std::vector<int>& damaged) {
  if (tiles.empty() || file_ == nullptr) return;
  for (int tile : tiles) {
    const bool is_damaged = std::find(damaged.begin(), damaged.end(), tile) != damaged.end();
    std::fprintf(file_, is_damaged ? "%d damaged\n" : "%d\n", tile);
    if (is_damaged && tile >= 0 && tile < tile_count()) damaged_[static_cast<std::size_t>(tile)] = true;
    if (tile >= 0 && tile < tile_count() && !done_[static_cast<std::size_t>(tile)]) {
      done_[static_cast<std::size_t>(tile)] = true;
      ++done_count_;
    }
  }
  sync(file_, path_);
}

void TileJournal::remove() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

std::string TileJournal::read_fingerprint(const std::filesystem::path& path) { return parse(path).fingerprint; }

}  // namespace r4k::decode
