#include "encode/tile_journal.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <climits>
#include <iterator>
#include <unistd.h>

#include "core/error.hpp"

namespace r4k::encode {
namespace {

constexpr std::string_view kMagic = "restore4k tile journal 2";
constexpr std::string_view kOlderMagic = "restore4k tile journal 1";
constexpr std::string_view kFingerprintPrefix = "fingerprint ";
constexpr std::string_view kDamagedMark = " damaged";
// The largest tile index a record may hold has 10 digits (INT_MAX); longer
// numbers are damage, never parsed.
constexpr std::size_t kMaxIndexDigits = 10;

// CRC-32 (IEEE 802.3, reflected, as zlib's): it detects every burst of up to
// 32 flipped bits, so one damaged byte in a line can never go unnoticed.
// Chaining: `crc` is the CRC of what came before, 0 to start.
std::uint32_t crc32(std::uint32_t crc, std::string_view bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> entries{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t value = n;
      for (int bit = 0; bit < 8; ++bit) value = (value & 1u) != 0 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
      entries[n] = value;
    }
    return entries;
  }();
  crc = ~crc;
  for (const char byte : bytes) crc = table[(crc ^ static_cast<unsigned char>(byte)) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

std::string hex8(std::uint32_t value) {
  char text[9] = {};
  for (int i = 7; i >= 0; --i) {
    text[i] = "0123456789abcdef"[value & 0xFu];
    value >>= 4;
  }
  return std::string(text, 8);
}

// Exactly eight lowercase hex digits: the only form the writer produces.
bool parse_hex8(std::string_view text, std::uint32_t& value) {
  if (text.size() != 8) return false;
  value = 0;
  for (const char c : text) {
    std::uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else {
      return false;
    }
    value = value << 4 | digit;
  }
  return true;
}

// A decimal number in the writer's form: digits only, no sign, no leading
// zero, at most `kMaxIndexDigits`; anything else is not a number here.
bool parse_count(std::string_view text, long long& value) {
  if (text.empty() || text.size() > kMaxIndexDigits || (text.size() > 1 && text[0] == '0')) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// The part of the header the check covers: its first three lines as written
// (without the check itself) and the journal's file name, which is not
// written: a journal renamed from another output fails its check here.
std::uint32_t header_check(std::string_view fingerprint_line, std::string_view count_text,
                           std::string_view journal_name) {
  std::string covered;
  covered.reserve(kMagic.size() + fingerprint_line.size() + count_text.size() + journal_name.size() + 16);
  covered.append(kMagic).append("\n").append(fingerprint_line).append("\n");
  covered.append("tiles ").append(count_text).append("\n").append(journal_name);
  return crc32(0, covered);
}

// A record's line: "<tile>[ damaged] <crc>\n", its CRC chained from the
// header's, so that it checks out in this journal only.
std::string record_line(std::uint32_t chain_start, const TileRecord& record) {
  const std::string body = std::to_string(record.tile) + (record.damaged ? std::string(kDamagedMark) : std::string());
  return body + " " + hex8(crc32(chain_start, body)) + "\n";
}

void sync(std::FILE* file, const std::filesystem::path& path) {
  if (std::fflush(file) != 0 || ::fdatasync(::fileno(file)) != 0) {
    throw Error(path.string() + ": cannot write the tile journal: " + std::strerror(errno));
  }
}

// The complete lines of `bytes` (those ended by '\n'); `complete_bytes` is
// where the last of them ends. A tail without a newline is a torn append.
std::vector<std::string_view> complete_lines(std::string_view bytes, std::size_t& complete_bytes) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) break;
    lines.push_back(bytes.substr(start, end - start));
    start = end + 1;
  }
  complete_bytes = start;
  return lines;
}

std::string read_whole_file(const std::filesystem::path& path, bool& exists) {
  std::ifstream in(path, std::ios::binary);
  exists = static_cast<bool>(in);
  if (!exists) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

std::string tile_journal_text(std::string_view journal_name, const std::string& fingerprint, int tile_count,
                              const std::vector<TileRecord>& records) {
  const std::string fingerprint_line = std::string(kFingerprintPrefix) + fingerprint;
  const std::string count_text = std::to_string(tile_count);
  const std::uint32_t chain_start = header_check(fingerprint_line, count_text, journal_name);
  std::string text = std::string(kMagic) + "\n" + fingerprint_line + "\ntiles " + count_text + " check " +
                     hex8(chain_start) + "\n";
  for (const TileRecord& record : records) text += record_line(chain_start, record);
  return text;
}

TileJournalReading read_tile_journal(std::string_view bytes, std::string_view journal_name,
                                     const std::string& fingerprint, int tile_count) {
  TileJournalReading reading;
  const auto refuse = [&reading](std::string problem) {
    reading.problem = std::move(problem);
    reading.records.clear();
    reading.trusted_bytes = 0;
    return reading;
  };
  std::size_t complete_bytes = 0;
  const std::vector<std::string_view> lines = complete_lines(bytes, complete_bytes);
  if (bytes.empty()) return refuse("the journal is empty");
  const std::string_view first_line = bytes.substr(0, bytes.find('\n'));  // may be torn
  if (first_line == kOlderMagic) {
    return refuse("the journal was written by an older restore4k (format 1, without checks)");
  }
  if (lines.empty() || first_line != kMagic) {
    // A torn first line is the start of a header whose writer was killed.
    if (lines.empty() && kMagic.substr(0, first_line.size()) == first_line) {
      return refuse("the journal's header is incomplete");
    }
    return refuse("not a restore4k tile journal (its first line is not '" + std::string(kMagic) + "')");
  }
  if (lines.size() < 3) return refuse("the journal's header is incomplete");
  const std::string_view fingerprint_line = lines[1];
  if (fingerprint_line.substr(0, kFingerprintPrefix.size()) != kFingerprintPrefix) {
    return refuse("the journal's header is damaged (line 2 is not its fingerprint)");
  }
  // "tiles <count> check <crc>"
  const std::string_view count_line = lines[2];
  constexpr std::string_view kCountPrefix = "tiles ";
  constexpr std::string_view kCheckMark = " check ";
  const std::size_t check_at = count_line.find(kCheckMark);
  long long written_count = 0;
  std::uint32_t written_check = 0;
  if (count_line.substr(0, kCountPrefix.size()) != kCountPrefix || check_at == std::string_view::npos ||
      !parse_count(count_line.substr(kCountPrefix.size(), check_at - kCountPrefix.size()), written_count) ||
      !parse_hex8(count_line.substr(check_at + kCheckMark.size()), written_check)) {
    return refuse("the journal's header is damaged (line 3 is not 'tiles <count> check <crc>')");
  }
  const std::string_view count_text = count_line.substr(kCountPrefix.size(), check_at - kCountPrefix.size());
  const std::uint32_t chain_start = header_check(fingerprint_line, count_text, journal_name);
  if (written_check != chain_start) {
    return refuse("the journal's header fails its check (damaged, or the journal of another output)");
  }
  if (fingerprint_line.substr(kFingerprintPrefix.size()) != fingerprint) {
    return refuse("the journal is another job's (its input, model or settings differ)");
  }
  if (written_count != tile_count) {
    return refuse("the journal is for " + std::to_string(written_count) + " tiles, this job has " +
                  std::to_string(tile_count));
  }
  // Records: "<tile>[ damaged] <crc>", the CRC chained from the header's.
  for (std::size_t i = 3; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const std::string where = "line " + std::to_string(i + 1);
    const std::size_t last_space = line.rfind(' ');
    std::uint32_t written_record_check = 0;
    if (last_space == std::string_view::npos || !parse_hex8(line.substr(last_space + 1), written_record_check)) {
      return refuse("the journal is damaged (" + where + " is not a tile record)");
    }
    std::string_view body = line.substr(0, last_space);
    const bool damaged = body.size() > kDamagedMark.size() &&
                         body.substr(body.size() - kDamagedMark.size()) == kDamagedMark;
    if (damaged) body.remove_suffix(kDamagedMark.size());
    long long tile = 0;
    if (!parse_count(body, tile)) return refuse("the journal is damaged (" + where + " is not a tile record)");
    if (crc32(chain_start, line.substr(0, last_space)) != written_record_check) {
      return refuse("the journal is damaged (" + where + " fails its check)");
    }
    if (tile >= tile_count) {
      return refuse("the journal is damaged (" + where + " names tile " + std::to_string(tile) + " of " +
                    std::to_string(tile_count) + ")");
    }
    reading.records.push_back(TileRecord{static_cast<int>(tile), damaged});
  }
  reading.trusted = true;
  reading.trusted_bytes = complete_bytes;
  return reading;
}

TileJournal::TileJournal(std::filesystem::path path, std::string fingerprint, int tile_count, bool resume)
    : path_(std::move(path)) {
  if (tile_count < 0) throw Error(path_.string() + ": a tile journal needs a tile count, not " + std::to_string(tile_count));
  if (fingerprint.find('\n') != std::string::npos) throw Error("tile journal fingerprint must be one line");
  done_.assign(static_cast<std::size_t>(tile_count), false);
  damaged_.assign(static_cast<std::size_t>(tile_count), false);
  const std::string journal_name = path_.filename().string();
  if (resume) {
    bool exists = false;
    const std::string bytes = read_whole_file(path_, exists);
    if (exists) {
      const TileJournalReading reading = read_tile_journal(bytes, journal_name, fingerprint, tile_count);
      if (reading.trusted) {
        resumed_ = true;
        for (const TileRecord& record : reading.records) {
          const auto tile = static_cast<std::size_t>(record.tile);
          if (!done_[tile]) {
            done_[tile] = true;
            ++done_count_;
          }
          if (record.damaged) damaged_[tile] = true;
        }
        // Cut a torn last line off before appending, or the next record
        // would run on from it ("7" + "12\n" reads as tile 712).
        if (reading.trusted_bytes != bytes.size()) {
          std::error_code ec;
          std::filesystem::resize_file(path_, reading.trusted_bytes, ec);
          if (ec) throw Error(path_.string() + ": cannot cut the torn last line of the tile journal: " + ec.message());
        }
      } else {
        distrusted_ = path_.string() + ": " + reading.problem + "; every tile is made again";
      }
    }
  }
  file_ = std::fopen(path_.c_str(), resumed_ ? "a" : "w");
  if (file_ == nullptr) throw Error(path_.string() + ": cannot create the tile journal: " + std::strerror(errno));
  header_check_ = header_check(std::string(kFingerprintPrefix) + fingerprint, std::to_string(tile_count), journal_name);
  if (!resumed_) {
    const std::string header = tile_journal_text(journal_name, fingerprint, tile_count);
    if (std::fputs(header.c_str(), file_) < 0) {
      throw Error(path_.string() + ": cannot write the tile journal: " + std::strerror(errno));
    }
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
  std::string lines;
  for (const int tile : tiles) {
    // A record a resumed run would refuse (and with it the whole journal).
    if (tile < 0 || tile >= tile_count()) continue;
    const bool is_damaged = std::find(damaged.begin(), damaged.end(), tile) != damaged.end();
    lines += record_line(header_check_, TileRecord{tile, is_damaged});
    if (is_damaged) damaged_[static_cast<std::size_t>(tile)] = true;
    if (!done_[static_cast<std::size_t>(tile)]) {
      done_[static_cast<std::size_t>(tile)] = true;
      ++done_count_;
    }
  }
  if (lines.empty()) return;
  if (std::fputs(lines.c_str(), file_) < 0) {
    throw Error(path_.string() + ": cannot write the tile journal: " + std::strerror(errno));
  }
  sync(file_, path_);
}

void TileJournal::remove() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

std::string TileJournal::read_fingerprint(const std::filesystem::path& path) {
  bool exists = false;
  const std::string bytes = read_whole_file(path, exists);
  std::size_t complete_bytes = 0;
  const std::vector<std::string_view> lines = complete_lines(bytes, complete_bytes);
  if (lines.size() < 2 || (lines[0] != kMagic && lines[0] != kOlderMagic) ||
      lines[1].substr(0, kFingerprintPrefix.size()) != kFingerprintPrefix) {
    return "";
  }
  return std::string(lines[1].substr(kFingerprintPrefix.size()));
}

TileJournalSummary inspect_tile_journal(std::string_view bytes, std::string_view journal_name) {
  // The header's own fingerprint and count, then the same checks a resuming
  // job makes with them.
  std::size_t complete_bytes = 0;
  const std::vector<std::string_view> lines = complete_lines(bytes, complete_bytes);
  std::string fingerprint;
  long long count = -1;
  if (lines.size() >= 3 && lines[1].substr(0, kFingerprintPrefix.size()) == kFingerprintPrefix) {
    fingerprint = std::string(lines[1].substr(kFingerprintPrefix.size()));
    constexpr std::string_view kCountPrefix = "tiles ";
    const std::size_t check_at = lines[2].find(" check ");
    if (lines[2].substr(0, kCountPrefix.size()) != kCountPrefix || check_at == std::string_view::npos ||
        !parse_count(lines[2].substr(kCountPrefix.size(), check_at - kCountPrefix.size()), count) || count > INT_MAX) {
      count = -1;
    }
  }
  TileJournalSummary summary;
  const TileJournalReading reading = read_tile_journal(bytes, journal_name, fingerprint, static_cast<int>(count));
  summary.trusted = reading.trusted;
  summary.problem = reading.problem;
  if (reading.trusted) {
    summary.fingerprint = fingerprint;
    summary.tile_count = static_cast<int>(count);
    summary.records = reading.records;
  }
  return summary;
}

TileJournalSummary inspect_tile_journal(const std::filesystem::path& path) {
  bool exists = false;
  const std::string bytes = read_whole_file(path, exists);
  if (!exists) {
    TileJournalSummary summary;
    summary.problem = "missing";
    return summary;
  }
  return inspect_tile_journal(bytes, path.filename().string());
}

int shard_tile_count(int tile_count, int index, int count) {
  if (count < 1 || index < 0 || index >= count || index >= tile_count) return 0;
  return (tile_count - 1 - index) / count + 1;
}

std::filesystem::path shard_journal_path(const std::filesystem::path& journal, int index, int count) {
  return journal.string() + ".shard-" + std::to_string(index) + "-of-" + std::to_string(count);
}

std::vector<ShardJournalFile> find_shard_journals(const std::filesystem::path& journal) {
  const std::filesystem::path folder = journal.has_parent_path() ? journal.parent_path() : std::filesystem::path(".");
  const std::string prefix = journal.filename().string() + ".shard-";
  std::vector<ShardJournalFile> found;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // "<K>-of-<N>", both in the writer's form.
    const std::string_view rest = std::string_view(name).substr(prefix.size());
    const std::size_t of = rest.find("-of-");
    long long index = 0;
    long long count = 0;
    if (of == std::string_view::npos || !parse_count(rest.substr(0, of), index) ||
        !parse_count(rest.substr(of + 4), count) || count > INT_MAX || index >= count) {
      continue;
    }
    found.push_back(ShardJournalFile{it->path(), static_cast<int>(index), static_cast<int>(count)});
  }
  std::sort(found.begin(), found.end(), [](const ShardJournalFile& a, const ShardJournalFile& b) {
    return a.count != b.count ? a.count < b.count : a.index < b.index;
  });
  return found;
}

namespace {

// "key=value; key=value" -> the fields in order ("" keys for parts without '=').
std::vector<std::pair<std::string, std::string>> fingerprint_fields(const std::string& fingerprint) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t start = 0;
  while (start <= fingerprint.size()) {
    std::size_t end = fingerprint.find("; ", start);
    if (end == std::string::npos) end = fingerprint.size();
    const std::string part = fingerprint.substr(start, end - start);
    const std::size_t equals = part.find('=');
    if (equals == std::string::npos) {
      fields.emplace_back("", part);
    } else {
      fields.emplace_back(part.substr(0, equals), part.substr(equals + 1));
    }
    start = end + 2;
  }
  return fields;
}

std::string shard_name(int index, int count) {
  return "shard " + std::to_string(index) + " of " + std::to_string(count);
}

std::string file_names(const std::vector<ShardJournalFile>& journals) {
  std::string names;
  for (const ShardJournalFile& file : journals) names += (names.empty() ? "" : ", ") + file.path.filename().string();
  return names;
}

std::vector<ShardJournalFile> of_other_counts(const std::vector<ShardJournalFile>& journals, int count) {
  std::vector<ShardJournalFile> others;
  for (const ShardJournalFile& file : journals) {
    if (file.count != count) others.push_back(file);
  }
  return others;
}

}  // namespace

std::string fingerprint_difference(const std::string& here, const std::string& there, const std::string& there_name,
                                   const std::vector<std::string>& ignore) {
  const auto ours = fingerprint_fields(here);
  const auto theirs = fingerprint_fields(there);
  std::vector<std::string> keys;
  for (const auto& fields : {ours, theirs}) {
    for (const auto& field : fields) {
      if (std::find(keys.begin(), keys.end(), field.first) == keys.end()) keys.push_back(field.first);
    }
  }
  const auto value_of = [](const std::vector<std::pair<std::string, std::string>>& fields, const std::string& key) {
    std::string value;
    bool found = false;
    for (const auto& field : fields) {
      if (field.first != key) continue;
      value += (found ? "; " : "") + field.second;
      found = true;
    }
    return found ? value : std::string("(none)");
  };
  std::string difference;
  for (const std::string& key : keys) {
    if (std::find(ignore.begin(), ignore.end(), key) != ignore.end()) continue;
    const std::string a = value_of(ours, key);
    const std::string b = value_of(theirs, key);
    if (a == b) continue;
    difference += (difference.empty() ? "" : "; ") + (key.empty() ? std::string("the fingerprint") : key) +
                  " (this task: " + a + "; " + there_name + ": " + b + ")";
  }
  return difference;
}

void check_shard_journals(const std::filesystem::path& journal, const std::string& fingerprint, int count) {
  const std::vector<ShardJournalFile> journals = find_shard_journals(journal);
  if (const auto others = of_other_counts(journals, count); !others.empty()) {
    throw InputError("this task is one of " + std::to_string(count) + " shards, but " + file_names(others) +
                     " next to the output " + (others.size() == 1 ? "belongs" : "belong") + " to a split into " +
                     std::to_string(others.front().count) +
                     ": every task of one raster and its join run with the same --shards (raster.shards); if that "
                     "split is abandoned, remove its journals and the intermediate file");
  }
  for (const ShardJournalFile& file : journals) {
    const std::string theirs = TileJournal::read_fingerprint(file.path);
    if (theirs.empty()) continue;  // its own task finds out why, and redoes it
    const std::string name = shard_name(file.index, file.count);
    const std::string difference = fingerprint_difference(fingerprint, theirs, name + "'s journal", {"intermediate"});
    if (!difference.empty()) {
      throw InputError(file.path.string() + ": " + name + " ran with other settings than this task: " + difference +
                       ". Every shard of one raster runs the same job (input, model and settings), or their tiles "
                       "would not fit together: run this task with the settings of the others (to start the split "
                       "again with these, remove the intermediate file and every shard journal first)");
    }
  }
}

std::vector<int> join_shard_journals(const std::filesystem::path& journal, const std::string& fingerprint, int count,
                                     int tile_count) {
  if (const auto others = of_other_counts(find_shard_journals(journal), count); !others.empty()) {
    throw InputError("the shard journals disagree on the count: this join is of " + std::to_string(count) +
                     " shards (--shards " + std::to_string(count) + "), but " + file_names(others) +
                     (others.size() == 1 ? " belongs" : " belong") + " to a split into " +
                     std::to_string(others.front().count) +
                     ": join with the count every shard task ran with, or remove the journals of an abandoned split");
  }
  std::vector<int> damaged;
  std::string lacking_shards;
  std::string details;
  const auto lacks = [&](int index, const std::string& why) {
    lacking_shards += (lacking_shards.empty() ? "" : ", ") + std::to_string(index);
    details += (details.empty() ? "" : "; ") + ("shard " + std::to_string(index) + ": " + why);
  };
  for (int index = 0; index < count; ++index) {
    const std::filesystem::path path = shard_journal_path(journal, index, count);
    const int expected = shard_tile_count(tile_count, index, count);
    bool exists = false;
    const std::string bytes = read_whole_file(path, exists);
    if (!exists) {
      if (expected > 0) lacks(index, "it has not run (no journal " + path.filename().string() + ")");
      continue;
    }
    const TileJournalReading reading = read_tile_journal(bytes, path.filename().string(), fingerprint, tile_count);
    if (!reading.trusted) {
      const std::string name = shard_name(index, count);
      const std::string theirs = TileJournal::read_fingerprint(path);
      if (!theirs.empty()) {
        const std::string difference =
            fingerprint_difference(fingerprint, theirs, name + "'s journal", {"intermediate"});
        if (!difference.empty()) {
          throw InputError(path.string() + ": " + name + " ran with other settings than this join: " + difference +
                           ". Join with the settings the shards ran with");
        }
        if (!fingerprint_difference(fingerprint, theirs, name + "'s journal").empty()) {
          lacks(index, "its tiles went into an earlier intermediate file, since made again (" +
                           path.filename().string() + ")");
          continue;
        }
      }
      lacks(index, "its journal " + path.filename().string() + " cannot be trusted (" + reading.problem + ")");
      continue;
    }
    std::vector<bool> seen(static_cast<std::size_t>(tile_count), false);
    int done = 0;
    for (const TileRecord& record : reading.records) {
      if (!in_shard(record.tile, index, count)) continue;
      if (!seen[static_cast<std::size_t>(record.tile)]) {
        seen[static_cast<std::size_t>(record.tile)] = true;
        ++done;
      }
      if (record.damaged) damaged.push_back(record.tile);
    }
    if (done < expected) {
      lacks(index, std::to_string(done) + " of its " + std::to_string(expected) + " tiles are done (" +
                       path.filename().string() + ")");
    }
  }
  if (!lacking_shards.empty()) {
    throw InputError("cannot join yet: shard(s) " + lacking_shards + " of " + std::to_string(count) +
                     " lack tiles (" + details + "); run each of them until it exits 0, then join");
  }
  std::sort(damaged.begin(), damaged.end());
  damaged.erase(std::unique(damaged.begin(), damaged.end()), damaged.end());
  return damaged;
}

}  // namespace r4k::encode
