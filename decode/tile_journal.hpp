// TileJournal: the record of which tiles of a raster output are finished, so
// that an interrupted run resumes where it stopped. A text file next to the
// output: a header with the job's fingerprint and tile count, then one tile
// index per line ("17", or "17 damaged" for a tile made from damaged input),
// appended and synced after the tiles' pixels are synced.
// A journal is reused only for the same fingerprint and tile count.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace r4k::decode {

class TileJournal {
 public:
  // With `resume`, a journal at `path` with the same fingerprint and count is
  // kept (a torn last line is ignored); otherwise a new one is started.
  // Throws Error when the file cannot be written.
  TileJournal(std::filesystem::path path, std::string fingerprint, int tile_count, bool resume);
  ~TileJournal();
  TileJournal(const TileJournal&) = delete;
  TileJournal& operator=(const TileJournal&) = delete;

  bool resumed() const { return resumed_; }
  int tile_count() const { return static_cast<int>(done_.size()); }
  int done_count() const { return done_count_; }
  bool is_done(int tile) const { return tile >= 0 && tile < tile_count() && done_[static_cast<std::size_t>(tile)]; }
  std::vector<int> done_tiles() const;
  std::vector<int> damaged_tiles() const;  // done, from damaged input
  const std::filesystem::path& path() const { return path_; }

  // Appends and syncs. Call only once the tiles' data is durable. `damaged`
  // are those of `tiles` made from damaged input.
  void record(const std::vector<int>& tiles, const std::vector<int>& damaged = {});
  // Deletes the journal (the output is complete).
  void remove();

  // Reads the fingerprint of the journal at `path` ("" when there is none).
  static std::string read_fingerprint(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::vector<bool> done_;
  std::vector<bool> damaged_;
  int done_count_ = 0;
  bool resumed_ = false;
};

}  // namespace r4k::decode
