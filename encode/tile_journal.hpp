// TileJournal: the record of which tiles of a raster output are finished, so
// that an interrupted run resumes where it stopped. A text file next to the
// output: a header with the job's fingerprint and tile count, then one record
// per finished tile, appended and synced after the tiles' pixels are synced:
//
//   restore4k tile journal 2
//   fingerprint <the job's fingerprint: input identity and settings>
//   tiles 120 check <8 hex digits: CRC-32>
//   17 <CRC-32>
//   18 damaged <CRC-32>
//
// A journal decides which tiles are never computed again, so it is trusted
// only when every part of it checks out: the header's CRC-32 covers the
// header and the journal's own file name (a journal moved over from another
// output is foreign), and each record's CRC-32 is chained from the header's
// (a record spliced in from another journal fails). A torn last line (no
// newline: the process was killed while appending) is the one damage that is
// expected; it is cut off, and the other records are kept. Anything else — a
// flipped byte, a foreign or older journal, a tile number out of range — and
// the whole journal is distrusted: the job starts again from nothing, as
// storage that damaged the journal may have damaged the tiles it lists.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace r4k::encode {

// One tile on record: finished, and whether it was made from damaged input.
struct TileRecord {
  int tile = 0;
  bool damaged = false;
  bool operator==(const TileRecord&) const = default;
};

// What the bytes of a journal say, checked against the job that would resume
// from it. Never throws.
struct TileJournalReading {
  bool trusted = false;             // header and every complete record check out for this job
  std::string problem;              // why not trusted ("" when trusted)
  std::vector<TileRecord> records;  // in file order (only when trusted)
  std::size_t trusted_bytes = 0;    // where the last complete record ends (a torn line after it is cut)
};

// `journal_name` is the journal file's name (its last path component), part
// of the header's check. `fingerprint` and `tile_count` are the resuming
// job's.
TileJournalReading read_tile_journal(std::string_view bytes, std::string_view journal_name,
                                     const std::string& fingerprint, int tile_count);

// The bytes TileJournal writes for a journal holding `records`: its header,
// then one line per record. (Seeds and checks for the reader use it too.)
std::string tile_journal_text(std::string_view journal_name, const std::string& fingerprint, int tile_count,
                              const std::vector<TileRecord>& records = {});

class TileJournal {
 public:
  // With `resume`, a journal at `path` that checks out for the same
  // fingerprint, file name and count is kept (a torn last line is cut off);
  // otherwise a new one is started and `distrusted()` says why the old one
  // was not used. Throws Error when the file cannot be written.
  TileJournal(std::filesystem::path path, std::string fingerprint, int tile_count, bool resume);
  ~TileJournal();
  TileJournal(const TileJournal&) = delete;
  TileJournal& operator=(const TileJournal&) = delete;

  bool resumed() const { return resumed_; }
  // With resume, when a journal was there but not used: "<path>: <why>; every
  // tile is made again". "" otherwise (resumed, no journal, or no resume).
  const std::string& distrusted() const { return distrusted_; }
  int tile_count() const { return static_cast<int>(done_.size()); }
  int done_count() const { return done_count_; }
  bool is_done(int tile) const { return tile >= 0 && tile < tile_count() && done_[static_cast<std::size_t>(tile)]; }
  std::vector<int> done_tiles() const;
  std::vector<int> damaged_tiles() const;  // done, from damaged input
  const std::filesystem::path& path() const { return path_; }

  // Appends and syncs. Call only once the tiles' data is durable. `damaged`
  // are those of `tiles` made from damaged input. Tiles outside the journal's
  // count are not written: a resumed run would distrust the whole journal.
  void record(const std::vector<int>& tiles, const std::vector<int>& damaged = {});
  // Deletes the journal (the output is complete).
  void remove();

  // Reads the fingerprint written in the header of the journal at `path`
  // ("" when there is none or it is unreadable), whether or not it checks out.
  static std::string read_fingerprint(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::vector<bool> done_;
  std::vector<bool> damaged_;
  int done_count_ = 0;
  bool resumed_ = false;
  std::string distrusted_;
  std::uint32_t header_check_ = 0;  // the chain's start for this journal's records
};

}  // namespace r4k::encode
