/**
 * SECTION:element-r4krastersink
 * @title: r4krastersink
 *
 * Writes raster tiles (from r4krastersrc, usually through r4ksuperres) into
 * a tiled GeoTIFF (BIGTIFF when needed; DEFLATE, ZSTD or LZW with a
 * predictor) or a Cloud-Optimised GeoTIFF with overviews. The georeference is
 * the source's with the pixel size divided by the scale and the same corner
 * origin; CRS, nodata, band descriptions, colour interpretation,
 * offset/scale, units and metadata domains are kept, and so is the data type.
 *
 * Tiles are written as they come into a fixed-layout intermediate file next
 * to the output, and a journal records the finished ones (synced about once a
 * second). At end of stream, when every tile is there, the output is made
 * under a temporary name and renamed: the final name never holds a partial
 * file. When the stream ends early (interrupted), the intermediate file and
 * the journal stay; with resume=true the next run reads only the missing
 * tiles and the result is byte-identical to an uninterrupted run. A journal
 * that does not check out (damaged, another job's or output's), or whose
 * tiles the intermediate file no longer holds (missing, cut short), is not
 * trusted: every tile is made again, with an element warning that says why.
 *
 * Shards: with `shard-count=N` (and `shard-index=K`) the sink writes only the
 * tiles of shard K of N (tile t belongs to shard t mod N; the others are
 * answered as done, so the source never reads them) into the intermediate
 * file that every shard task shares, keeps them in its own journal
 * (`.NAME.r4k-journal.shard-K-of-N`) and makes no GeoTIFF. A shard whose
 * journal lists all its tiles does nothing; a part-done one resumes. A shard
 * journal of other settings, or of another count, is refused with an element
 * error that names what differs. With `join=true` and `shard-count=N`, the
 * sink makes the output from the intermediate once every shard journal lists
 * all its tiles (an element error names the shards that lack tiles, and
 * nothing is written), then removes the intermediate and the shard journals.
 *
 * The properties are read when the element starts (READY to PAUSED), but
 * `sync-interval`, which may change while playing. `format`, `compress` and
 * `resume` carry job settings: their types, choices and defaults are the
 * settings table's (config/settings.cpp); `format` and `compress` are enums,
 * so other values are refused by name when they are set.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -e r4krastersrc location=scene.tif ! queue max-size-buffers=4 ! \
 *     r4ksuperres model=builtin:bicubic-x2 ! queue max-size-buffers=4 ! \
 *     r4krastersink location=scene_x2.tif format=cog compress=zstd resume=true
 * ]|
 * Shard 1 of 3, then (once the three are done) the join:
 * |[
 * gst-launch-1.0 -e r4krastersrc location=scene.tif ! r4ksuperres model=builtin:bicubic-x2 ! \
 *     r4krastersink location=scene_x2.tif shard-count=3 shard-index=1
 * gst-launch-1.0 -e r4krastersrc location=scene.tif ! r4ksuperres model=builtin:bicubic-x2 ! \
 *     r4krastersink location=scene_x2.tif shard-count=3 join=true
 * ]|
 */
#include "pipeline/gstr4krastersink.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "decode/raster_band_plan.hpp"
#include "encode/raster_writer.hpp"
#include "encode/tile_journal.hpp"
#include "pipeline/element_settings.hpp"
#include "pipeline/raster_tile.hpp"
#include "pipeline/setting_param_specs.hpp"
#include "core/error.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_raster_sink_debug);
#define GST_CAT_DEFAULT gst_r4k_raster_sink_debug

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_FORMAT,
  PROP_COMPRESS,
  PROP_RESUME,
  PROP_THREADS,
  PROP_SYNC_INTERVAL,
  PROP_JOB_STAMP,
  PROP_SHARD_INDEX,
  PROP_SHARD_COUNT,
  PROP_JOIN
};

// The element's own; format, compress and resume default as the settings
// table says.
#define DEFAULT_THREADS 0
#define DEFAULT_SYNC_INTERVAL 1.0
#define DEFAULT_SHARD_INDEX 0

namespace {

constexpr const char* kElement = "r4krastersink";

// The setting that property `name` carries (config/settings.cpp).
const r4k::settings::Setting& setting_of(const char* name) {
  return *r4k::settings::find_property(kElement, name);
}

std::string default_of(const char* name) { return r4k::pipeline::element_default(setting_of(name), kElement); }

// The property values (under the object lock).
struct RasterSinkSettings {
  std::string location;
  std::string format = default_of("format");      // a choice of raster.format
  std::string compress = default_of("compress");  // a choice of raster.compress
  bool resume = r4k::settings::as_boolean(default_of("resume"));
  gint threads = DEFAULT_THREADS;
  gdouble sync_interval = DEFAULT_SYNC_INTERVAL;
  std::string job_stamp;
  gint shard_index = DEFAULT_SHARD_INDEX;
  gint shard_count = static_cast<gint>(r4k::settings::as_integer(default_of("shard-count")));  // 0 = not sharded
  bool join = r4k::settings::as_boolean(default_of("join"));
};

// What one run (start to stop) keeps.
struct RasterSinkState {
  RasterSinkSettings run;  // the settings it started with
  std::unique_ptr<r4k::encode::TileJournal> journal;
  std::unique_ptr<r4k::encode::RasterWriter> writer;
  std::string model;
  std::vector<int> pending;
  std::vector<int> pending_damaged;
  std::chrono::steady_clock::time_point last_sync;
  int tiles_written = 0;
  std::optional<r4k::pipeline::RasterCaps> caps;
  bool finished = false;
  bool refused = false;  // the resume query was refused: nothing is written
  bool joining = false;  // a join whose shards are all done
  std::vector<int> join_damaged;  // the joined tiles made from damaged input

  bool sharded() const { return run.shard_count > 0; }
  bool shard_task() const { return sharded() && !run.join; }
};

// The C++ state behind the instance's one pointer.
struct RasterSinkImpl {
  RasterSinkSettings settings;  // under the object lock
  RasterSinkState state;        // the streaming thread's
};

}  // namespace

struct _GstR4kRasterSink {
  GstBaseSink parent;
  RasterSinkImpl* impl;
};

G_DEFINE_TYPE(GstR4kRasterSink, gst_r4k_raster_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE(r4krastersink, "r4krastersink", GST_RANK_NONE, GST_TYPE_R4K_RASTER_SINK);

static std::filesystem::path output_path(GstR4kRasterSink* self) { return self->impl->state.run.location; }

// Tile band positions ("0,1,2;3") as the source's band numbers ("1,2,3;4").
static std::string band_numbers(const std::string& source_bands, const std::string& positions) {
  const auto sources = r4k::decode::parse_band_groups(source_bands);
  const std::vector<int> numbers = sources.empty() ? std::vector<int>{} : sources.front();
  std::string text;
  const auto groups = r4k::decode::parse_band_groups(positions);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g) text += ';';
    for (std::size_t i = 0; i < groups[g].size(); ++i) {
      const int p = groups[g][i];
      text += (i ? "," : "") + std::to_string(p >= 0 && p < static_cast<int>(numbers.size()) ? numbers[static_cast<std::size_t>(p)] : -1);
    }
  }
  return text;
}

// Before any tile is computed: the output's folder exists and is writable.
// (format and compress are enums: GLib refuses other values when they are
// set.)
static gboolean gst_r4k_raster_sink_start(GstBaseSink* base) {
  auto* self = GST_R4K_RASTER_SINK(base);
  RasterSinkState& state = self->impl->state;
  state = RasterSinkState();
  GST_OBJECT_LOCK(self);
  state.run = self->impl->settings;
  GST_OBJECT_UNLOCK(self);
  const std::filesystem::path output = output_path(self);
  if (output.empty()) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No output raster given: set the location property."), (nullptr));
    return FALSE;
  }
  try {
    std::error_code ec;
    const std::filesystem::path folder = output.has_parent_path() ? output.parent_path() : ".";
    if (!std::filesystem::is_directory(folder, ec)) {
      throw r4k::InputError(output.string() + ": the folder " + folder.string() + " does not exist");
    }
    if (::access(folder.c_str(), W_OK) != 0) {
      throw r4k::InputError(output.string() + ": the folder " + folder.string() + " is not writable");
    }
    if (std::filesystem::is_directory(output, ec)) throw r4k::InputError(output.string() + ": is a directory");
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("Cannot write raster '%s'.", output.c_str()), ("%s", error.what()));
    return FALSE;
  }
  return TRUE;
}

static gboolean gst_r4k_raster_sink_stop(GstBaseSink* base) {
  auto* self = GST_R4K_RASTER_SINK(base);
  RasterSinkState& state = self->impl->state;
  if (state.writer && !state.finished) {
    // Keep what is done for a resumed run.
    try {
      state.writer->sync();
      if (state.journal) state.journal->record(state.pending, state.pending_damaged);
    } catch (const std::exception& error) {
      GST_WARNING_OBJECT(self, "%s", error.what());
    }
  }
  state.writer.reset();
  state.journal.reset();
  return TRUE;
}

// The answer to the resume query of a run of the whole raster: its own
// journal, trusted when it checks out and the intermediate file holds it.
static void answer_whole_raster(GstR4kRasterSink* self, GstQuery* query, const std::string& fingerprint,
                                int tile_count) {
  RasterSinkState& state = self->impl->state;
  const char* location = state.run.location.c_str();
  const std::filesystem::path journal_path = r4k::encode::tile_journal_path(output_path(self));
  // A whole run would make the intermediate again, under the shards' tiles.
  if (const auto shards = r4k::encode::find_shard_journals(journal_path); !shards.empty()) {
    throw r4k::InputError(shards.front().path.string() + ": this raster is being made by " +
                          std::to_string(shards.front().count) + " shard tasks (--shard K/" +
                          std::to_string(shards.front().count) + "): join them (--join --shards " +
                          std::to_string(shards.front().count) + "), or remove the shard journals and the "
                          "intermediate file to make it in one run");
  }
  state.journal = std::make_unique<r4k::encode::TileJournal>(journal_path, fingerprint, tile_count, state.run.resume);
  std::string distrusted = state.journal->distrusted();
  if (state.journal->resumed() && state.journal->done_count() > 0) {
    // The tiles the journal lists are in the intermediate file: without
    // all of it they would come out empty.
    const auto layout = r4k::pipeline::resume_output_layout(query);
    const std::uintmax_t expected =
        layout ? r4k::encode::intermediate_size(layout->width, layout->height, layout->bands, layout->data_type,
                                                layout->dataset_mask)
               : 0;
    const std::string problem = r4k::encode::intermediate_problem(output_path(self), expected);
    if (!problem.empty()) {
      state.journal.reset();  // closed before it is started again
      state.journal = std::make_unique<r4k::encode::TileJournal>(journal_path, fingerprint, tile_count, false);
      distrusted = problem + ", so the tiles " + journal_path.string() + " lists are lost; every tile is made "
                   "again";
    }
  }
  if (!distrusted.empty()) {
    GST_ELEMENT_WARNING(self, RESOURCE, READ, ("Not resuming raster '%s'.", location), ("%s", distrusted.c_str()));
  }
  if (state.journal->resumed()) {
    GST_INFO_OBJECT(self, "resuming %s: %d of %d tiles done", location, state.journal->done_count(),
                    state.journal->tile_count());
  }
  r4k::pipeline::answer_raster_resume_query(query, state.journal->done_tiles());
}

// A shard task: the shared intermediate (made when absent), its own journal,
// and every tile of the other shards answered as done.
static void answer_shard(GstR4kRasterSink* self, GstQuery* query, std::string fingerprint, int tile_count,
                         std::uintmax_t pixel_bytes) {
  RasterSinkState& state = self->impl->state;
  const char* location = state.run.location.c_str();
  const std::filesystem::path output = output_path(self);
  const std::filesystem::path journal_path = r4k::encode::tile_journal_path(output);
  const int index = state.run.shard_index;
  const int count = state.run.shard_count;
  if (index < 0 || index >= count) {
    throw r4k::InputError("shard-index " + std::to_string(index) + " is outside 0.." + std::to_string(count - 1));
  }
  std::error_code ec;
  if (std::filesystem::exists(journal_path, ec)) {
    throw r4k::InputError(journal_path.string() + ": this raster is being made by a run of the whole raster: finish "
                          "it (--resume), or remove its journal and the intermediate file to make it in shards");
  }
  // Refused before anything is made, and again once this task's journal is
  // there (a task of other settings that started at the same moment sees it).
  r4k::encode::check_shard_journals(journal_path, fingerprint, count);
  fingerprint += "; intermediate=" + r4k::encode::open_shared_intermediate(output, pixel_bytes);
  const std::filesystem::path own_path = r4k::encode::shard_journal_path(journal_path, index, count);
  const std::string before = r4k::encode::TileJournal::read_fingerprint(own_path);
  state.journal = std::make_unique<r4k::encode::TileJournal>(own_path, fingerprint, tile_count, true);
  try {
    r4k::encode::check_shard_journals(journal_path, fingerprint, count);
  } catch (...) {
    if (!state.journal->resumed()) state.journal->remove();
    state.journal.reset();
    throw;
  }
  if (!state.journal->distrusted().empty()) {
    // The same job, but its tiles went into an intermediate file that is gone.
    const bool earlier_file = !before.empty() && before != fingerprint &&
                              r4k::encode::fingerprint_difference(fingerprint, before, "", {"intermediate"}).empty();
    const std::string why = earlier_file ? own_path.string() +
                                               ": its tiles went into an earlier intermediate file (removed, then "
                                               "made again by a shard task); every tile of this shard is made again"
                                         : state.journal->distrusted();
    GST_ELEMENT_WARNING(self, RESOURCE, READ, ("Not resuming shard %d of %d of raster '%s'.", index, count, location),
                        ("%s", why.c_str()));
  }
  std::vector<int> done;
  int own_done = 0;
  for (int tile = 0; tile < tile_count; ++tile) {
    const bool mine = r4k::encode::in_shard(tile, index, count);
    if (!mine || state.journal->is_done(tile)) done.push_back(tile);
    own_done += mine && state.journal->is_done(tile);
  }
  GST_INFO_OBJECT(self, "%s: shard %d of %d, %d of its %d tiles done", location, index, count, own_done,
                  r4k::encode::shard_tile_count(tile_count, index, count));
  r4k::pipeline::answer_raster_resume_query(query, done);
}

// The join: every shard journal lists all its tiles (or nothing is written).
static void answer_join(GstR4kRasterSink* self, GstQuery* query, const std::string& fingerprint, int tile_count,
                        std::uintmax_t pixel_bytes) {
  RasterSinkState& state = self->impl->state;
  const std::filesystem::path output = output_path(self);
  const std::filesystem::path journal_path = r4k::encode::tile_journal_path(output);
  const int count = state.run.shard_count;
  const std::string instance = r4k::encode::shared_intermediate_instance(output, pixel_bytes);
  if (instance.empty()) {
    const auto journals = r4k::encode::find_shard_journals(journal_path);
    for (const auto& journal : journals) {
      // Journals of another count: that says more (and throws).
      if (journal.count != count) r4k::encode::join_shard_journals(journal_path, fingerprint, count, tile_count);
    }
    throw r4k::InputError("cannot join yet: " + r4k::encode::partial_raster_path(output).string() +
                          ", the intermediate file the shards write, is missing: " +
                          (journals.empty() ? "none of the " + std::to_string(count) + " shards has run"
                                            : std::string("the tiles the shard journals list are lost with it; run "
                                                          "every shard again")));
  }
  state.join_damaged =
      r4k::encode::join_shard_journals(journal_path, fingerprint + "; intermediate=" + instance, count, tile_count);
  state.joining = true;
  std::vector<int> all(static_cast<std::size_t>(tile_count));
  for (int tile = 0; tile < tile_count; ++tile) all[static_cast<std::size_t>(tile)] = tile;
  GST_INFO_OBJECT(self, "%s: joining the %d tiles of %d shards", state.run.location.c_str(), tile_count, count);
  r4k::pipeline::answer_raster_resume_query(query, all);
}

static gboolean gst_r4k_raster_sink_query(GstBaseSink* base, GstQuery* query) {
  auto* self = GST_R4K_RASTER_SINK(base);
  RasterSinkState& state = self->impl->state;
  const char* location = state.run.location.c_str();
  if (r4k::pipeline::is_raster_resume_query(query)) {
    try {
      std::string fingerprint = r4k::pipeline::resume_fingerprint(query);
      const int tile_count = r4k::pipeline::resume_tile_count(query);
      const char* model = gst_structure_get_string(gst_query_get_structure(query), "model");
      state.model = model != nullptr ? model : "";
      if (!state.sharded()) {
        answer_whole_raster(self, query, fingerprint, tile_count);
        return TRUE;
      }
      const auto layout = r4k::pipeline::resume_output_layout(query);
      if (!layout) throw r4k::Error("the source did not say the output's layout: shards need r4krastersrc");
      const std::uintmax_t pixel_bytes = r4k::encode::intermediate_size(layout->width, layout->height, layout->bands,
                                                                        layout->data_type, layout->dataset_mask);
      if (state.run.join) {
        answer_join(self, query, fingerprint, tile_count, pixel_bytes);
      } else {
        answer_shard(self, query, fingerprint, tile_count, pixel_bytes);
      }
      return TRUE;
    } catch (const r4k::InputError& error) {
      // Shards and joins: a refusal is permanent (bad input), anything else
      // may pass when the task runs again (pipeline_runner maps the codes).
      state.refused = true;
      if (state.sharded()) {
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot write raster '%s'.", location), ("%s", error.what()));
      } else {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("Cannot write raster '%s'.", location), ("%s", error.what()));
      }
      return FALSE;
    } catch (const std::exception& error) {
      state.refused = true;
      if (state.sharded()) {
        GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Cannot write raster '%s'.", location), ("%s", error.what()));
      } else {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("Cannot write raster '%s'.", location), ("%s", error.what()));
      }
      return FALSE;
    }
  }
  return GST_BASE_SINK_CLASS(gst_r4k_raster_sink_parent_class)->query(base, query);
}

static gboolean gst_r4k_raster_sink_set_caps(GstBaseSink* base, GstCaps* caps) {
  auto* self = GST_R4K_RASTER_SINK(base);
  RasterSinkState& state = self->impl->state;
  const char* location = state.run.location.c_str();
  const auto info = r4k::pipeline::parse_raster_caps(caps);
  if (!info) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("Not a raster tile stream: r4krastersink writes the tiles of r4krastersrc into '%s'.",
                       location),
                      ("caps %" GST_PTR_FORMAT, static_cast<void*>(caps)));
    return FALSE;
  }
  if (state.writer) return TRUE;  // the same stream again
  if (state.refused) return FALSE;  // the resume query said why
  try {
    r4k::encode::RasterOutputOptions options;
    options.output = output_path(self);
    options.format = r4k::encode::parse_raster_format(state.run.format);
    options.compress = r4k::encode::parse_raster_compression(state.run.compress);
    options.threads = state.run.threads;
    options.metadata["RESTORE4K_SCALE"] = std::to_string(info->scale);
    options.metadata["RESTORE4K_SOURCE_BANDS"] = info->source_bands;
    options.metadata["RESTORE4K_MODEL_BANDS"] = band_numbers(info->source_bands, info->model_groups);
    if (!info->classical_bands.empty()) {
      options.metadata["RESTORE4K_CLASSICAL_BANDS"] = band_numbers(info->source_bands, info->classical_bands);
    }
    if (!info->nearest_bands.empty()) {
      options.metadata["RESTORE4K_NEAREST_BANDS"] = band_numbers(info->source_bands, info->nearest_bands);
    }
    // What mapped a neural model's bands to [0, 1], and how it was found.
    if (!info->range_source.empty()) {
      options.metadata["RESTORE4K_RANGE"] = r4k::to_string(info->range) + " (" + info->range_source + ")";
    }
    if (!state.model.empty()) options.metadata["RESTORE4K_MODEL"] = state.model;
    if (!state.run.job_stamp.empty()) options.metadata["RESTORE4K_JOB"] = state.run.job_stamp;
    r4k::encode::RasterGrid grid;
    grid.source = info->source;
    for (const char* p = info->source_bands.c_str(); *p != '\0';) {
      char* end = nullptr;
      grid.source_bands.push_back(static_cast<int>(std::strtol(p, &end, 10)));
      p = *end == ',' ? end + 1 : end;
    }
    grid.width = info->width;
    grid.height = info->height;
    grid.scale = info->scale;
    grid.data_type = info->data_type;
    grid.dataset_mask = info->dataset_mask;
    state.caps = info;
    options.shared_intermediate = state.sharded();  // made by the resume query's answer, or a shard's
    const bool keep = state.sharded() || (state.journal && state.journal->resumed());
    state.writer = std::make_unique<r4k::encode::RasterWriter>(options, grid, keep);
    state.last_sync = std::chrono::steady_clock::now();
    GST_INFO_OBJECT(self, "%s: %dx%d x%d %s, %zu band(s)%s", location, grid.width, grid.height, grid.scale,
                    grid.data_type.c_str(), grid.source_bands.size(), keep ? ", resumed" : "");
    return TRUE;
  } catch (const std::exception& error) {
    if (state.sharded() && dynamic_cast<const r4k::InputError*>(&error) == nullptr) {
      // A task may get past a machine's or a disk's trouble when run again.
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Cannot write raster '%s'.", location), ("%s", error.what()));
    } else {
      GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("Cannot write raster '%s'.", location), ("%s", error.what()));
    }
    return FALSE;
  }
}

static void record_pending(RasterSinkState& state) {
  state.writer->sync();
  state.journal->record(state.pending, state.pending_damaged);
  state.pending.clear();
  state.pending_damaged.clear();
  state.last_sync = std::chrono::steady_clock::now();
}

static GstFlowReturn gst_r4k_raster_sink_render(GstBaseSink* base, GstBuffer* buffer) {
  auto* self = GST_R4K_RASTER_SINK(base);
  RasterSinkState& state = self->impl->state;
  const char* location = state.run.location.c_str();
  const r4k::TileMeta* meta = r4k::pipeline::get_tile_meta(buffer);
  if (meta == nullptr || !state.writer) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("A buffer without a tile meta for raster '%s': r4krastersink takes the tiles of r4krastersrc.",
                       location),
                      ("r4krastersink takes the tiles of r4krastersrc (through r4ksuperres)"));
    return GST_FLOW_ERROR;
  }
  if (state.sharded() && (!state.journal || state.joining || state.run.join ||
                          !r4k::encode::in_shard(meta->index, state.run.shard_index, state.run.shard_count))) {
    // The resume query told the source which tiles to send: a join takes
    // none, a shard only its own (another shard's tile would be written over
    // what that shard's task wrote).
    GST_ELEMENT_ERROR(self, STREAM, FAILED,
                      ("Raster '%s': tile %d is not this task's to write.", location, meta->index),
                      ("%s", state.run.join ? "a join writes no tiles; r4krastersrc skips every tile"
                                             : "a shard writes only its own tiles (tile t of shard t mod N)"));
    return GST_FLOW_ERROR;
  }
  try {
    if (!state.journal) {
      // No resume query reached this sink: a journal of its own, never resumed.
      state.journal = std::make_unique<r4k::encode::TileJournal>(r4k::encode::tile_journal_path(output_path(self)),
                                                                 "unknown", meta->count, false);
    }
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) throw r4k::Error("cannot map tile buffer");
    const r4k::RasterTileShape shape = state.caps->tile_shape(meta->window);
    if (map.size != shape.bytes()) {
      gst_buffer_unmap(buffer, &map);
      throw r4k::Error("tile " + std::to_string(meta->index) + " buffer has " + std::to_string(map.size) +
                       " bytes, which does not fit its window");
    }
    state.writer->write(*meta, r4k::RasterTilePlanes(shape, map.data));
    gst_buffer_unmap(buffer, &map);
    state.pending.push_back(meta->index);
    if (meta->damaged) state.pending_damaged.push_back(meta->index);
    ++state.tiles_written;
    GST_OBJECT_LOCK(self);
    const double interval = self->impl->settings.sync_interval;  // may change while playing
    GST_OBJECT_UNLOCK(self);
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - state.last_sync).count();
    if (since >= interval) record_pending(state);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not write raster '%s'.", location), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static gboolean gst_r4k_raster_sink_event(GstBaseSink* base, GstEvent* event) {
  auto* self = GST_R4K_RASTER_SINK(base);
  RasterSinkState& state = self->impl->state;
  const char* location = state.run.location.c_str();
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && state.writer && state.joining) {
    try {
      if (!state.join_damaged.empty()) {
        std::string list;
        for (int tile : state.join_damaged) list += (list.empty() ? "" : ",") + std::to_string(tile);
        state.writer->add_metadata("RESTORE4K_DAMAGED_TILES", list);
      }
      state.writer->finish();
      // The output is there: the shards' records go with the intermediate.
      const std::filesystem::path journal_path = r4k::encode::tile_journal_path(output_path(self));
      for (int index = 0; index < state.run.shard_count; ++index) {
        std::error_code ec;
        std::filesystem::remove(r4k::encode::shard_journal_path(journal_path, index, state.run.shard_count), ec);
      }
      state.finished = true;
      GST_INFO_OBJECT(self, "%s complete: joined from %d shards", location, state.run.shard_count);
    } catch (const std::exception& error) {
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not write raster '%s'.", location), ("%s", error.what()));
      gst_event_unref(event);
      return FALSE;
    }
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && state.writer && state.journal && state.shard_task()) {
    try {
      record_pending(state);
      const int index = state.run.shard_index;
      const int count = state.run.shard_count;
      int done = 0;
      for (int tile : state.journal->done_tiles()) done += r4k::encode::in_shard(tile, index, count);
      const int all = r4k::encode::shard_tile_count(state.journal->tile_count(), index, count);
      if (done == all) {
        GST_INFO_OBJECT(self, "%s: shard %d of %d complete (%d tiles)", location, index, count, all);
      } else {
        GST_ELEMENT_WARNING(self, RESOURCE, WRITE, ("Shard %d of %d of raster '%s' is not complete.", index, count,
                                                    location),
                            ("%d of its %d tiles are done; they are kept: run the task again to finish", done, all));
      }
    } catch (const std::exception& error) {
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not write raster '%s'.", location), ("%s", error.what()));
      gst_event_unref(event);
      return FALSE;
    }
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && state.writer && state.journal && !state.sharded()) {
    try {
      record_pending(state);
      if (state.journal->done_count() == state.journal->tile_count()) {
        const std::vector<int> damaged = state.journal->damaged_tiles();
        if (!damaged.empty()) {
          std::string list;
          for (int tile : damaged) list += (list.empty() ? "" : ",") + std::to_string(tile);
          state.writer->add_metadata("RESTORE4K_DAMAGED_TILES", list);
        }
        state.writer->finish();
        state.journal->remove();
        state.finished = true;
        GST_INFO_OBJECT(self, "%s complete", location);
      } else {
        GST_ELEMENT_WARNING(self, RESOURCE, WRITE, ("Raster '%s' is not complete.", location),
                            ("%d of %d tiles are done; they are kept next to the output: run again with resume "
                             "to finish",
                             state.journal->done_count(), state.journal->tile_count()));
      }
    } catch (const std::exception& error) {
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not write raster '%s'.", location), ("%s", error.what()));
      gst_event_unref(event);
      return FALSE;
    }
  }
  return GST_BASE_SINK_CLASS(gst_r4k_raster_sink_parent_class)->event(base, event);
}

static void gst_r4k_raster_sink_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_RASTER_SINK(object);
  GST_OBJECT_LOCK(self);
  RasterSinkSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_LOCATION:
      s.location = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_FORMAT:
      s.format = r4k::pipeline::choice_text(value, setting_of("format"));
      break;
    case PROP_COMPRESS:
      s.compress = r4k::pipeline::choice_text(value, setting_of("compress"));
      break;
    case PROP_RESUME:
      s.resume = g_value_get_boolean(value) != FALSE;
      break;
    case PROP_THREADS:
      s.threads = g_value_get_int(value);
      break;
    case PROP_SYNC_INTERVAL:
      s.sync_interval = g_value_get_double(value);
      break;
    case PROP_JOB_STAMP:
      s.job_stamp = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_SHARD_INDEX:
      s.shard_index = g_value_get_int(value);
      break;
    case PROP_SHARD_COUNT:
      s.shard_count = g_value_get_int(value);
      break;
    case PROP_JOIN:
      s.join = g_value_get_boolean(value) != FALSE;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_raster_sink_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_RASTER_SINK(object);
  GST_OBJECT_LOCK(self);
  const RasterSinkSettings& s = self->impl->settings;
  // Strings that were never set read as NULL, their default.
  const auto nullable = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string(value, nullable(s.location));
      break;
    case PROP_FORMAT:
      r4k::pipeline::set_choice(value, setting_of("format"), s.format);
      break;
    case PROP_COMPRESS:
      r4k::pipeline::set_choice(value, setting_of("compress"), s.compress);
      break;
    case PROP_RESUME:
      g_value_set_boolean(value, s.resume ? TRUE : FALSE);
      break;
    case PROP_THREADS:
      g_value_set_int(value, s.threads);
      break;
    case PROP_SYNC_INTERVAL:
      g_value_set_double(value, s.sync_interval);
      break;
    case PROP_JOB_STAMP:
      g_value_set_string(value, nullable(s.job_stamp));
      break;
    case PROP_SHARD_INDEX:
      g_value_set_int(value, s.shard_index);
      break;
    case PROP_SHARD_COUNT:
      g_value_set_int(value, s.shard_count);
      break;
    case PROP_JOIN:
      g_value_set_boolean(value, s.join ? TRUE : FALSE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_raster_sink_finalize(GObject* object) {
  delete GST_R4K_RASTER_SINK(object)->impl;
  G_OBJECT_CLASS(gst_r4k_raster_sink_parent_class)->finalize(object);
}

static void gst_r4k_raster_sink_class_init(GstR4kRasterSinkClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* base_class = GST_BASE_SINK_CLASS(klass);

  gobject_class->set_property = gst_r4k_raster_sink_set_property;
  gobject_class->get_property = gst_r4k_raster_sink_get_property;
  gobject_class->finalize = gst_r4k_raster_sink_finalize;

  // Read when the element starts, but sync-interval (for each tile).
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  const auto playing = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location", "The GeoTIFF to write (made under a temporary name, renamed "
                                                  "when complete)",
                          nullptr, flags));
  // Type, choices, default and documentation from the settings table.
  r4k::pipeline::install_setting_property(gobject_class, PROP_FORMAT, kElement, "format", flags);
  r4k::pipeline::install_setting_property(gobject_class, PROP_COMPRESS, kElement, "compress", flags);
  r4k::pipeline::install_setting_property(gobject_class, PROP_RESUME, kElement, "resume", flags);
  g_object_class_install_property(
      gobject_class, PROP_THREADS,
      g_param_spec_int("threads", "Threads", "Compression threads for the final file (0 = all cores)", 0, 1024,
                       DEFAULT_THREADS, flags));
  g_object_class_install_property(
      gobject_class, PROP_SYNC_INTERVAL,
      g_param_spec_double("sync-interval", "Sync interval",
                          "Seconds between syncs of the written tiles and the journal (at most this much work is "
                          "redone after a crash)",
                          0.0, 3600.0, DEFAULT_SYNC_INTERVAL, playing));
  g_object_class_install_property(
      gobject_class, PROP_JOB_STAMP,
      g_param_spec_string("job-stamp", "Job stamp",
                          "What identifies the job that makes this file (its input and settings), written as the "
                          "metadata item RESTORE4K_JOB: a batch skips an output only when it carries its job's stamp",
                          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_SHARD_INDEX,
      g_param_spec_int("shard-index", "Shard index",
                       "With shard-count: the shard (0-based) of the tiles this sink writes, tile t belonging to "
                       "shard t mod shard-count",
                       0, 99999, DEFAULT_SHARD_INDEX, flags));
  r4k::pipeline::install_setting_property(gobject_class, PROP_SHARD_COUNT, kElement, "shard-count", flags);
  r4k::pipeline::install_setting_property(gobject_class, PROP_JOIN, kElement, "join", flags);

  gst_element_class_set_static_metadata(element_class, "Raster tile sink", "Sink/Image/Raster",
                                        "Writes raster tiles into a georeferenced GeoTIFF or COG, resumable",
                                        "restore4k engineers");
  GstCaps* caps = r4k::pipeline::raster_template_caps();
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);

  base_class->start = gst_r4k_raster_sink_start;
  base_class->stop = gst_r4k_raster_sink_stop;
  base_class->query = gst_r4k_raster_sink_query;
  base_class->set_caps = gst_r4k_raster_sink_set_caps;
  base_class->render = gst_r4k_raster_sink_render;
  base_class->event = gst_r4k_raster_sink_event;

  GST_DEBUG_CATEGORY_INIT(gst_r4k_raster_sink_debug, "r4krastersink", 0, "restore4k raster sink");
}

static void gst_r4k_raster_sink_init(GstR4kRasterSink* self) {
  self->impl = new RasterSinkImpl();
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
}
