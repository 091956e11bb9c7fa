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

// What the bytes of a journal say of themselves, checked for damage only
// (the header's and every record's CRC-32, with its file name), not against a
// job: what a finished shard task reads back of its own journal.
struct TileJournalSummary {
  bool trusted = false;             // header and every complete record check out
  std::string problem;              // why not ("" when trusted)
  std::string fingerprint;          // as the header says (only when trusted)
  int tile_count = 0;               // as the header says (only when trusted)
  std::vector<TileRecord> records;  // in file order (only when trusted)
};
TileJournalSummary inspect_tile_journal(std::string_view bytes, std::string_view journal_name);
// The same for the file at `path` (problem "missing" when there is none).
TileJournalSummary inspect_tile_journal(const std::filesystem::path& path);

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

// ---- Shards: several tasks make one output ----
//
// A raster larger than one machine's time is split over its tile grid: tile
// t (in the source's tile order) belongs to shard t mod N, as file k of a
// batch belongs to shard k mod N: every shard gets an even share of the
// image's rows and of its cheap (nodata) and costly parts, wherever they
// cluster. Each shard task writes its tiles into the output's one shared
// intermediate file (encode/raster_writer.hpp) and keeps a journal of its own
// next to the output's, "<journal>.shard-K-of-N": appends from several hosts
// to one file are not safe on NFS, and a task's own file needs no lock. A
// shard journal's fingerprint is the job's (the input's identity, every
// setting that decides the tiles' pixels, the model and the SHA-256 of its
// weights) and the shared intermediate file's instance, so a journal of
// other settings, or one whose tiles went into an earlier intermediate file,
// is never trusted by the join. The output's own settings (format,
// compression) are the join's: they do not change a tile.

// Whether `tile` belongs to shard `index` of `count`.
constexpr bool in_shard(int tile, int index, int count) { return count > 0 && tile % count == index; }
// How many of `tile_count` tiles shard `index` of `count` has.
int shard_tile_count(int tile_count, int index, int count);

// The journal of shard `index` of `count` for the output whose journal is `journal`.
std::filesystem::path shard_journal_path(const std::filesystem::path& journal, int index, int count);

struct ShardJournalFile {
  std::filesystem::path path;
  int index = 0;
  int count = 0;
};
// The shard journals of `journal` that exist, of any count, by count then index.
std::vector<ShardJournalFile> find_shard_journals(const std::filesystem::path& journal);

// The fields of two fingerprints ("key=value; key=value; ...") that differ,
// as "key (this task: A; <there_name>: B)", joined by "; ". Fields named in
// `ignore` are not compared. "" when no field differs.
std::string fingerprint_difference(const std::string& here, const std::string& there, const std::string& there_name,
                                   const std::vector<std::string>& ignore = {});

// Before a shard task writes a tile: refuses (InputError) when a shard
// journal of `journal` belongs to a split into another count than `count`, or
// says its shard ran with other settings than `fingerprint` (the field
// `intermediate` aside: a journal of an earlier intermediate file is redone
// by its own task). Journals whose header cannot be read are left to their
// own task (and the join).
void check_shard_journals(const std::filesystem::path& journal, const std::string& fingerprint, int count);

// The join: every one of the `count` shard journals of `journal` checks out
// for `fingerprint` and lists every one of its shard's tiles of
// `tile_count`. Throws InputError naming each shard that lacks tiles (and
// why: not run, part done, its journal damaged or of an earlier intermediate
// file), a journal of other settings (naming what differs), or journals of
// another count. Returns the tiles made from damaged input.
std::vector<int> join_shard_journals(const std::filesystem::path& journal, const std::string& fingerprint, int count,
                                     int tile_count);

}  // namespace r4k::encode
