// RasterWriter: writes the upscaled tiles of one raster output and, when all
// are there, the finished GeoTIFF or Cloud-Optimised GeoTIFF with the
// source's georeference (geotransform, GCPs, RPCs) scaled to the new pixel
// grid, and every band's metadata, colour table, category names and
// attribute table.
//
// Tiles go into an uncompressed band-sequential intermediate file next to
// the output (`.NAME.r4k-partial.raw`), where every pixel has a fixed
// place: tiles can arrive in any order, be rewritten after an interruption,
// and memory never holds more than one tile. `finish` converts the
// intermediate with GDAL's CreateCopy (the GTiff or COG driver: tiled,
// compressed, with overviews for COG) into a temporary name and renames it to
// the output, so a partial file never carries the final name and the result
// depends only on the pixels, not on how many runs made them.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "decode/raster_dataset.hpp"
#include "preprocess/raster_tile_planes.hpp"
#include "preprocess/tile_meta.hpp"

namespace r4k::encode {

// In the order of its setting's choices (config/settings.cpp).
enum class RasterFormat { gtiff, cog };
RasterFormat parse_raster_format(const std::string& text);  // gtiff | cog; throws InputError
std::string to_string(RasterFormat format);
// none | deflate | zstd | lzw; throws InputError for others.
std::string parse_raster_compression(const std::string& text);

struct RasterOutputOptions {
  std::filesystem::path output;
  RasterFormat format = RasterFormat::gtiff;
  std::string compress = "deflate";
  int threads = 0;  // for compression; 0 = all cores
  std::map<std::string, std::string> metadata;  // added to the default domain (how it was made)
  // The intermediate is shared by shard tasks (see open_shared_intermediate):
  // it is opened as it is, never made, cut or sized.
  bool shared_intermediate = false;
};

// The output's pixel grid and where its georeference comes from.
struct RasterGrid {
  std::filesystem::path source;  // the raster that was upscaled
  std::vector<int> source_bands;  // its bands, 1-based, in output order
  int width = 0;
  int height = 0;
  int scale = 1;
  std::string data_type;  // as RasterInfo::data_type (the source's)
  bool dataset_mask = false;  // the tiles carry a dataset mask: it becomes the output's mask band
};

// The hidden files next to `output`: intermediate pixels, tile journal.
std::filesystem::path partial_raster_path(const std::filesystem::path& output);
std::filesystem::path tile_journal_path(const std::filesystem::path& output);

// The size in bytes of the intermediate file of a `width` x `height` output
// with `bands` bands of `data_type` (and a mask plane with `dataset_mask`).
// Throws InputError for an unknown data type.
std::uintmax_t intermediate_size(int width, int height, int bands, const std::string& data_type, bool dataset_mask);

// Why the intermediate file of `output` cannot hold the tiles a journal says
// are done: "<path>: missing" or "<path>: N bytes, M expected" when it is
// shorter than `expected_size` (0: any size will do); "" when it is there.
std::string intermediate_problem(const std::filesystem::path& output, std::uintmax_t expected_size);

// The intermediate file of an output that shard tasks make together
// (encode/tile_journal.hpp: several processes, often on several hosts, write
// disjoint tiles of it with positioned writes): the pixels, laid out as for
// one task, then a trailer of kSharedTrailerBytes that names this file's
// instance (128 random bits). Every shard journal's fingerprint carries the
// instance, so tiles recorded for an earlier file of the same name (removed,
// then made again by a later task) are never trusted.
constexpr std::uintmax_t kSharedTrailerBytes = 64;

// The instance of the shared intermediate of `output` whose pixels take
// `pixel_bytes` (intermediate_size), making the file when there is none. It
// is made whole (sized, trailer written, synced) under a name of this process
// and linked to its name, which fails when another task was first: then that
// task's file is used. So tasks that start at once all end up with one file,
// and an existing file is never cut or made again. Throws InputError when the
// file there is not a shared intermediate of this size (another job's, or a
// single run's), Error when it cannot be made or read.
std::string open_shared_intermediate(const std::filesystem::path& output, std::uintmax_t pixel_bytes);

// The instance of the shared intermediate of `output`, "" when there is none
// (nothing made). Throws as open_shared_intermediate.
std::string shared_intermediate_instance(const std::filesystem::path& output, std::uintmax_t pixel_bytes);

class RasterWriter {
 public:
  // Creates (or, with `keep_existing`, reopens) the intermediate file. Throws
  // Error naming the file when it cannot (missing folder, no permission).
  RasterWriter(RasterOutputOptions options, RasterGrid grid, bool keep_existing);
  ~RasterWriter();
  RasterWriter(const RasterWriter&) = delete;
  RasterWriter& operator=(const RasterWriter&) = delete;

  // Writes the core of a tile: `planes` hold the grid's bands over
  // meta.window (preprocess/raster_tile_planes.hpp). Valid values are rounded
  // and clamped to the data type (a valid value equal to the nodata value is
  // moved one step off it, or it would vanish); pixels without one go out as
  // they came. The dataset mask plane becomes the mask band. Throws Error on
  // write failure (a full disk names the file).
  void write(const TileMeta& meta, const RasterTilePlanes& planes);
  // Makes every write so far durable.
  void sync();
  // Adds an item to the output's default metadata domain (before finish).
  void add_metadata(const std::string& key, const std::string& value) { options_.metadata[key] = value; }
  // Produces the output (see above) and removes the intermediate. Throws
  // Interrupted when `cancel` becomes true, Error on failure; the output name
  // is never left with a partial file.
  void finish(const std::atomic<bool>* cancel = nullptr);

  const std::filesystem::path& intermediate() const { return raw_path_; }

 private:
  RasterOutputOptions options_;
  RasterGrid grid_;
  std::vector<std::optional<double>> nodata_;
  std::filesystem::path raw_path_;
  int fd_ = -1;
  int sample_size_ = 0;
  std::vector<unsigned char> row_;

  void write_row(const unsigned char* data, std::size_t bytes, off_t position, int tile);
};

}  // namespace r4k::encode
