#include "config/settings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace r4k::settings {
namespace {

// Builders that keep the table below readable: one setting per statement.
struct Make {
  Setting s;
  Make(std::string key, Type type, std::string default_value, std::string doc) {
    s.key = std::move(key);
    s.type = type;
    s.default_value = std::move(default_value);
    s.doc = std::move(doc);
  }
  Make& range(double min, double max) {
    s.min = min;
    s.max = max;
    return *this;
  }
  Make& choices(std::vector<std::string> values) {
    s.choices = std::move(values);
    return *this;
  }
  Make& word(std::string spelling, std::string value) {
    s.words.emplace_back(std::move(spelling), std::move(value));
    return *this;
  }
  Make& pattern(std::string regex, std::string doc) {
    s.pattern = std::move(regex);
    s.pattern_doc = std::move(doc);
    return *this;
  }
  Make& unit(std::string text) {
    s.unit = std::move(text);
    return *this;
  }
  Make& required() {
    s.required = true;
    return *this;
  }
  Make& kinds(std::vector<std::string> values) {
    s.kinds = std::move(values);
    return *this;
  }
  Make& option(std::string names, std::vector<std::string> commands, Flag flag = Flag::none) {
    s.option = std::move(names);
    s.commands = std::move(commands);
    s.flag = flag;
    return *this;
  }
  Make& property(std::string element, std::string name, std::optional<std::string> element_default = std::nullopt) {
    s.properties.push_back(Property{std::move(element), std::move(name), "", std::move(element_default), false});
    return *this;
  }
  Make& size_properties(std::string element, std::optional<std::string> element_default, bool zero_unsets) {
    s.properties.push_back(Property{std::move(element), "width", "height", std::move(element_default), zero_unsets});
    return *this;
  }
  operator Setting() const { return s; }
};

const std::vector<std::string> kVideoCommands = {"video", "batch"};
const std::vector<std::string> kRasterCommands = {"raster", "batch"};
const std::vector<std::string> kEngineCommands = {"image", "video", "raster", "batch"};
const std::vector<std::string> kVideoKinds = {"video", "batch"};
const std::vector<std::string> kRasterKinds = {"raster", "batch"};

std::vector<Setting> make_settings() {
  using T = Type;
  return {
      Make("kind", T::choice, "",
           "What the job does: upscale a video, a raster, a batch of files or a still image, or join the segments "
           "of a planned film")
          .choices({"video", "raster", "batch", "image", "join"})
          .required(),
      Make("extends", T::text, "",
           "A preset to start from (film-4k, film-preview, satellite-x4); the job's own keys override it")
          .option("--preset", {"image", "video", "raster", "batch"}),
      Make("input", T::path, "", "The file to upscale (a video, a raster or an image; for a join, the film's plan)")
          .required()
          .kinds({"video", "raster", "image", "join"}),
      Make("output", T::path, "",
           "Where the result goes (a file; for a batch, a folder, made when missing)")
          .required(),
      Make("model", T::text, "",
           "Super-resolution model: an .onnx or .pb file (relative to the job file) or builtin:NAME (default: "
           "builtin:film-x4 for video, builtin:bicubic-x2 for rasters, which may have any number of bands, "
           "builtin:clean-x4 for images)")
          .option("-m,--model", kEngineCommands)
          .property("r4ksuperres", "model", "builtin:bicubic-x4")  // a generic upscaler: classical unless told
          .property("r4krestore", "model", "builtin:film-x4"),     // as restore4k video
      Make("engine.backend", T::choice, "auto",
           "Inference backend: auto (onednn when it runs every operator, else opencv), onednn, opencv or classic")
          .choices({"auto", "onednn", "opencv", "classic"})
          .option("-b,--backend", kEngineCommands)
          .property("r4ksuperres", "backend")
          .property("r4krestore", "backend"),
      Make("engine.threads", T::integer, "0", "Inference threads (0 = all cores; more than the cores are clamped)")
          .range(0, 1024)
          .option("--threads", kEngineCommands)
          .property("r4ksuperres", "threads")
          .property("r4krestore", "threads"),
      Make("engine.autotune", T::boolean, "true",
           "AutoTune: measure each layer's algorithms (direct, Winograd) on first use and keep the fastest per "
           "machine, model and shape in $XDG_CACHE_HOME/restore4k/autotune.yaml; off: every layer takes its default "
           "algorithm")
          .option("--autotune", kEngineCommands)
          .property("r4ksuperres", "autotune")
          .property("r4krestore", "autotune"),
      Make("engine.precision", T::choice, "auto",
           "Arithmetic of the onednn backend: auto (a QDQ model, as 'restore4k models compress' writes, runs its "
           "convolutions in int8; an fp32 model runs in fp32: nothing is quantized silently), fp32 (a QDQ model's "
           "quantization computed on floats) or int8 (refuses an fp32 model)")
          .choices({"auto", "fp32", "int8"})
          .option("--precision", kEngineCommands)
          .property("r4ksuperres", "precision")
          .property("r4krestore", "precision"),
      // No option: the job record holds it (what the first run chose), so that
      // its resumed run, a later film segment or another shard runs the same.
      Make("engine.calibrate_on_input", T::boolean, "false",
           "With engine.precision int8: quantize the (fp32) model on the job's own input before any work (frames "
           "sampled across the video, windows over the raster's first bands), written beside the output as "
           "OUTPUT.int8.onnx (a film plan: in its folder); the job record and plan then name that model and its "
           "SHA-256, so that a resume, a shard or a segment runs the same one (a raster --resume reuses the file); a "
           "source of more than 8 bits keeps the layers reading the model's input in fp32")
          .kinds({"video", "raster"})
          .option("--calibrate-on-input", {"video", "raster"}, Flag::sets_true),
      Make("engine.algorithms", T::list, "",
           "AutoTune's choices pinned: LAYER@SHAPE=ALGORITHM items (direct, winograd-f4-bN); a job record holds "
           "those its run chose, so that running it again (a resume, another shard or segment) runs the same; "
           "unset: measured or from the cache. Elements: the items separated by ';', read back after a run as "
           "the choices made")
          .pattern("[^=;\n]+@[0-9x]+=[A-Za-z0-9._-]+",
                   "LAYER@SHAPE=ALGORITHM items such as conv1@1x64x128x128=winograd-f4-b24")
          .property("r4ksuperres", "algorithms")
          .property("r4krestore", "algorithms"),
      Make("engine.tile", T::integer, "0",
           "Tile side the engine sees, in input pixels (0 = automatic; rasters: 512 when 0); frames smaller than a "
           "tile are processed whole")
          .range(0, 16384)
          .unit("px")
          .option("-t,--tile", kEngineCommands)
          .property("r4ksuperres", "tile-size")
          .property("r4krestore", "tile-size"),
      Make("engine.halo", T::integer, "-1",
           "Context around each tile in pixels (-1 or auto = the model's receptive field: tiled output equals "
           "whole-frame output; smaller halos are blended)")
          .range(-1, 4096)
          .word("auto", "-1")
          .unit("px")
          .option("--halo", kEngineCommands)
          .property("r4ksuperres", "halo")
          .property("r4krestore", "halo")
          .property("r4krastersrc", "halo"),
      Make("engine.batch", T::integer, "1", "Tiles per engine call (images and video)")
          .range(1, 256)
          .option("--batch", {"image", "video"})
          .property("r4ksuperres", "batch")
          .property("r4krestore", "batch"),
      Make("image.chroma_filter", T::choice, "bicubic",
           "Chroma upscaling for luma-only models: bicubic, bilinear (as OpenCV dnn_superres), lanczos or nearest")
          .choices({"bicubic", "bilinear", "lanczos", "nearest"})
          .kinds({"image"})
          .option("--chroma-filter", {"image"}),
      Make("video.encoder", T::choice, "ffv1",
           "ffv1 (lossless, Matroska: the archival default), prores (422 HQ or 4444, MOV) or x264 (the input's "
           "format; Matroska, MP4 or MOV)")
          .choices({"ffv1", "prores", "x264"})
          .kinds(kVideoKinds)
          .option("--encoder", kVideoCommands),
      Make("video.decoder", T::choice, "auto", "auto (hardware when present), hardware or software")
          .choices({"auto", "hardware", "software"})
          .kinds(kVideoKinds)
          .option("--decoder", kVideoCommands),
      Make("video.fit", T::size, "",
           "Fit the upscaled picture into a fixed frame, e.g. 3840x2160 (UHD) or 4096x2160 (DCI 4K), honouring the "
           "pixel aspect ratio; never smaller than the upscaled picture (no fit when unset)")
          .range(2, 32768)
          .unit("px")
          .kinds(kVideoKinds)
          .option("--fit", kVideoCommands)
          .size_properties("r4kfit", "3840x2160", false)
          .size_properties("r4krestore", std::nullopt, true),
      Make("video.fit_mode", T::choice, "pad", "pad (bars where the aspect differs) or crop (fill the frame)")
          .choices({"pad", "crop"})
          .kinds(kVideoKinds)
          .option("--fit-mode", kVideoCommands)
          .property("r4kfit", "mode")
          .property("r4krestore", "fit-mode"),
      Make("video.pad_color", T::colour, "0x000000", "Colour of the bars, 0xRRGGBB (R'G'B')")
          .kinds(kVideoKinds)
          .option("--pad-color", kVideoCommands)
          .property("r4kfit", "pad-color")
          .property("r4krestore", "pad-color"),
      Make("video.deinterlace", T::boolean, "true",
           "Deinterlace interlaced input (progressive input is untouched); false: interlaced input is an error")
          .kinds(kVideoKinds)
          .option("--no-deinterlace", kVideoCommands, Flag::sets_false)
          .property("r4krestore", "deinterlace"),
      Make("video.deflicker", T::boolean, "false", "Remove frame-to-frame brightness flicker (r4kdeflicker)")
          .kinds(kVideoKinds)
          .option("--deflicker", kVideoCommands, Flag::sets_true)
          .property("r4krestore", "deflicker"),
      Make("video.deflicker_radius", T::integer, "25", "Frames each side of the deflicker window (also its delay)")
          .range(1, 100)
          .unit("frames")
          .kinds(kVideoKinds)
          .option("--deflicker-radius", kVideoCommands)
          .property("r4krestore", "deflicker-radius")
          .property("r4kdeflicker", "radius"),
      Make("video.dust", T::boolean, "false",
           "Remove dust and dirt present in single frames, with a motion check (r4kdustbust)")
          .kinds(kVideoKinds)
          .option("--dust", kVideoCommands, Flag::sets_true)
          .property("r4krestore", "dust")
          .property("r4kdustbust", "dust", "true"),  // the element is there to remove dust
      Make("video.scratches", T::boolean, "false", "Repair vertical scratches (r4kdustbust)")
          .kinds(kVideoKinds)
          .option("--scratches", kVideoCommands, Flag::sets_true)
          .property("r4krestore", "scratches")
          .property("r4kdustbust", "scratches"),
      Make("video.denoise", T::number, "0",
           "Grain and noise removal strength (r4kdenoise): 0 = off, 1 = the measured noise level")
          .range(0, 4)
          .kinds(kVideoKinds)
          .option("--denoise", kVideoCommands)
          .property("r4krestore", "denoise")
          .property("r4kdenoise", "strength", "1"),  // the element is there to denoise
      Make("video.colour", T::choice, "keep",
           "Output colour: keep (the input's), bt709 (HD/UHD) or bt2020; matrix, primaries and transfer converted "
           "and tagged")
          .choices({"keep", "bt709", "bt2020"})
          .kinds(kVideoKinds)
          .option("--colour,--color", kVideoCommands)
          .property("r4krestore", "colorimetry"),
      Make("video.audio", T::boolean, "true",
           "Carry the audio streams over (packets unchanged, or losslessly converted where the container needs "
           "it); false: leave them out")
          .kinds(kVideoKinds)
          .option("--no-audio", kVideoCommands, Flag::sets_false),
      Make("video.subtitles", T::boolean, "true",
           "Carry the subtitle streams over, packets unchanged; false: leave them out")
          .kinds(kVideoKinds)
          .option("--no-subtitles", kVideoCommands, Flag::sets_false),
      Make("video.data", T::boolean, "true",
           "false: leave out data streams restore4k cannot carry (KLV, SCTE-35, ...); true: such input is refused")
          .kinds(kVideoKinds)
          .option("--no-data", kVideoCommands, Flag::sets_false),
      Make("video.monochrome", T::boolean, "false",
           "A black-and-white film: every frame comes out exactly grey, its chroma noise discarded")
          .kinds(kVideoKinds)
          .option("--monochrome", kVideoCommands, Flag::sets_true)
          .property("r4krestore", "monochrome")
          .property("r4ksuperres", "monochrome"),
      Make("video.plan", T::integer, "0",
           "Plan a film for N machines: write OUTPUT/restore4k-plan.yaml (the input's fingerprint and frame index, "
           "the frame ranges, the resolved job, threads and model checksum) and nothing else; the N tasks then "
           "run `restore4k video INPUT OUTPUT` (each its segment) and `restore4k join` makes the film (0 = no plan)")
          .range(0, 100000)
          .kinds({"video"})
          .option("--plan", {"video"}),
      Make("video.segment", T::text, "",
           "The segment K of the plan in OUTPUT this task restores, 0-based, as K or K/N (N must be the plan's); "
           "default from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX. The count "
           "always comes from the plan")
          .pattern("[0-9]+(/[0-9]+)?", "K or K/N such as 2/4")
          .kinds({"video"})
          .option("--segment", {"video"}),
      Make("raster.bands", T::text, "",
           "Bands to read and write, 1-based, in output order, e.g. \"4,3,2\" (default: every band). A 1-channel "
           "model upscales each band on its own; a 3-channel model takes the red, green and blue bands (by colour "
           "interpretation, else the first three)")
          .pattern("[0-9]+(,[0-9]+)*", "band numbers such as 4,3,2")
          .kinds(kRasterKinds)
          .option("--bands", kRasterCommands)
          .property("r4krastersrc", "bands"),
      Make("raster.other_bands", T::choice, "classical",
           "Bands the model does not take: classical (upscaled with bicubic and kept) or drop (left out of the "
           "output)")
          .choices({"classical", "drop"})
          .kinds(kRasterKinds)
          .option("--other-bands", kRasterCommands)
          .property("r4krastersrc", "other-bands"),
      Make("raster.categorical", T::text, "",
           "More bands that hold classes, not quantities, e.g. \"5\": upscaled nearest, never smoothed and never "
           "given to a model (palette and alpha bands always are)")
          .pattern("[0-9]+(,[0-9]+)*", "band numbers such as 5,6")
          .kinds(kRasterKinds)
          .option("--categorical", kRasterCommands)
          .property("r4krastersrc", "categorical"),
      Make("raster.range", T::text, "auto",
           "How a neural model's bands map to [0, 1], one map for the whole image: auto (Byte/Int8: the type's "
           "range; else the exact minimum and maximum of every valid pixel, from a pass over the file), MIN,MAX, "
           "or bits:N for a sensor's bit depth (refused if it would clip valid pixels)")
          .pattern("auto|bits:[0-9]+|[-+0-9.eE]+,[-+0-9.eE]+", "auto, MIN,MAX or bits:N")
          .kinds(kRasterKinds)
          .option("--range", kRasterCommands)
          .property("r4krastersrc", "range"),
      Make("raster.format", T::choice, "gtiff", "gtiff (tiled GeoTIFF) or cog (Cloud-Optimised GeoTIFF)")
          .choices({"gtiff", "cog"})
          .kinds(kRasterKinds)
          .option("--format", kRasterCommands)
          .property("r4krastersink", "format"),
      Make("raster.compress", T::choice, "deflate",
           "none, deflate, zstd or lzw (with the horizontal predictor for integers, the floating-point one for "
           "floats)")
          .choices({"none", "deflate", "zstd", "lzw"})
          .kinds(kRasterKinds)
          .option("--compress", kRasterCommands)
          .property("r4krastersink", "compress"),
      Make("raster.resume", T::boolean, "false",
           "Continue an interrupted run of the same job from its journal (only missing tiles are computed; "
           "batches always resume)")
          .kinds({"raster"})
          .option("--resume", {"raster"}, Flag::sets_true)
          .property("r4krastersink", "resume"),
      Make("raster.shard", T::text, "",
           "Compute only shard K of N of the raster's tiles (0-based; tile t, in the tile order, is shard t mod N), "
           "as K/N, or K with raster.shards; default: the index from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or "
           "AWS_BATCH_JOB_ARRAY_INDEX when raster.shards is set. The task writes its tiles into the intermediate "
           "file next to the output that all shards share, and its own journal; it resumes, and exits 0 once its "
           "tiles are done. The output is made by the join (raster.join)")
          .pattern("[0-9]+(/[0-9]+)?", "K/N such as 2/4, or K")
          .kinds({"raster"})
          .option("--shard", {"raster"}),
      Make("raster.shards", T::integer, "0",
           "How many shards the raster's tiles are split into, the same for every shard task and the join: the "
           "count an index from the scheduler belongs to (never the scheduler's own count: a task resubmitted alone "
           "sees 1; 0 = not sharded)")
          .range(0, 100000)
          .kinds({"raster"})
          .option("--shards", {"raster"})
          .property("r4krastersink", "shard-count"),
      Make("raster.join", T::boolean, "false",
           "Make the output from the tiles of the raster.shards shard tasks, once every shard's journal lists all "
           "its tiles (else exit 2, naming the shards that lack tiles, and nothing is written), then remove the "
           "intermediate file and the shard journals: the file a single run makes with the same settings")
          .kinds({"raster"})
          .option("--join", {"raster"}, Flag::sets_true)
          .property("r4krastersink", "join"),
      Make("raster.tiles_in_flight", T::integer, "4",
           "Tiles each queue holds: memory is bounded by these, not by the image size")
          .range(1, 64)
          .kinds(kRasterKinds)
          .option("--tiles-in-flight", kRasterCommands),
      Make("batch.inputs", T::list, "",
           "What to process: a shell glob such as \"tiles/*.tif\" (** walks folders), or a list of globs and files "
           "(the manifest is their union, sorted)")
          .required()
          .kinds({"batch"}),
      Make("batch.item", T::choice, "raster",
           "What the inputs are: raster (each upscaled as a raster job, raster.* settings) or video (each restored "
           "as a video job, video.* settings)")
          .choices({"raster", "video"})
          .kinds({"batch"})
          .option("--item", {"batch"}),
      Make("batch.shard", T::text, "",
           "This run's share i/N of the sorted manifest (0-based), or i with batch.shards; default: the index "
           "from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX with batch.shards, else 0/1")
          .pattern("[0-9]+(/[0-9]+)?", "i/N such as 0/4, or i")
          .kinds({"batch"})
          .option("--shard", {"batch"}),
      Make("batch.shards", T::integer, "0",
           "How many shards the batch is split into, the same for every task: the count an index from the "
           "scheduler belongs to (never the scheduler's own count: a task resubmitted alone sees 1; 0 = unset)")
          .range(0, 100000)
          .kinds({"batch"})
          .option("--shards", {"batch"}),
      Make("batch.jobs", T::integer, "1", "Files processed at once")
          .range(1, 256)
          .kinds({"batch"})
          .option("-j,--jobs", {"batch"}),
  };
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

bool in_range(const Setting& s, double v) { return (!s.min || v >= *s.min) && (!s.max || v <= *s.max); }

Checked fail(const Setting& s, const std::string& found, const std::string& why = "") {
  Checked c;
  c.message = "expected " + describe(s) + ", found " + found + (why.empty() ? "" : " (" + why + ")");
  return c;
}

Checked pass(std::string value) {
  Checked c;
  c.ok = true;
  c.value = std::move(value);
  return c;
}

std::optional<long long> parse_integer(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return value;
}

}  // namespace

const std::vector<Setting>& all() {
  static const std::vector<Setting> table = make_settings();
  return table;
}

const Setting* find(const std::string& key) {
  for (const Setting& s : all()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

const Setting* find_property(const std::string& element, const std::string& property) {
  for (const Setting& s : all()) {
    for (const Property& p : s.properties) {
      if (p.element == element && (p.name == property || p.second == property)) return &s;
    }
  }
  return nullptr;
}

const Property* property_of(const Setting& setting, const std::string& element) {
  for (const Property& p : setting.properties) {
    if (p.element == element) return &p;
  }
  return nullptr;
}

bool is_section(const std::string& key) {
  for (const Setting& s : all()) {
    if (s.key.rfind(key + ".", 0) == 0) return true;
  }
  return false;
}

std::string describe(const Setting& s) {
  std::ostringstream text;
  const std::string range = s.min && s.max ? " from " + number_text(*s.min) + " to " + number_text(*s.max) : "";
  switch (s.type) {
    case Type::integer:
      text << "an integer" << range;
      break;
    case Type::number:
      text << "a number" << range;
      break;
    case Type::boolean:
      text << "true or false";
      break;
    case Type::choice:
      text << "one of ";
      for (std::size_t i = 0; i < s.choices.size(); ++i) text << (i ? ", " : "") << s.choices[i];
      break;
    case Type::size:
      text << "WIDTHxHEIGHT such as 3840x2160, even sides" << range;
      break;
    case Type::colour:
      text << "a colour 0xRRGGBB";
      break;
    case Type::path:
      text << "a file path";
      break;
    case Type::text:
      text << (s.pattern_doc.empty() ? std::string("a string") : s.pattern_doc);
      break;
    case Type::list:
      text << (s.pattern_doc.empty() ? std::string("a string or a list of strings")
                                     : s.pattern_doc + " (one, or a list of them)");
      break;
  }
  if (!s.unit.empty() && (s.type == Type::integer || s.type == Type::number)) text << " " << s.unit;
  for (const auto& [spelling, value] : s.words) text << " (or " << spelling << ")";
  return text.str();
}

Checked check(const Setting& s, const std::string& given) {
  std::string text = given;
  for (const auto& [spelling, value] : s.words) {
    if (text == spelling) text = value;
  }
  const std::string shown = "'" + (given.size() > 64 ? given.substr(0, 64) + "..." : given) + "'";
  switch (s.type) {
    case Type::integer: {
      const auto value = parse_integer(text);
      if (!value) return fail(s, shown);
      if (!in_range(s, static_cast<double>(*value))) return fail(s, given, "out of range");
      return pass(std::to_string(*value));
    }
    case Type::number: {
      char* end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || value != value) return fail(s, shown);
      if (!in_range(s, value)) return fail(s, given, "out of range");
      return pass(text);
    }
    case Type::boolean: {
      const std::string word = lower(text);
      if (word == "true" || word == "yes" || word == "on" || word == "y") return pass("true");
      if (word == "false" || word == "no" || word == "off" || word == "n") return pass("false");
      return fail(s, shown);
    }
    case Type::choice:
      if (std::find(s.choices.begin(), s.choices.end(), text) == s.choices.end()) return fail(s, shown);
      return pass(text);
    case Type::size: {
      const auto x = text.find('x');
      const auto width = x == std::string::npos ? std::nullopt : parse_integer(text.substr(0, x));
      const auto height = x == std::string::npos ? std::nullopt : parse_integer(text.substr(x + 1));
      if (!width || !height) return fail(s, shown);
      if (!in_range(s, static_cast<double>(*width)) || !in_range(s, static_cast<double>(*height))) {
        return fail(s, given, "out of range");
      }
      if (*width % 2 != 0 || *height % 2 != 0) return fail(s, given, "an odd side");
      return pass(std::to_string(*width) + "x" + std::to_string(*height));
    }
    case Type::colour: {
      std::string hex = lower(text);
      if (hex.rfind("0x", 0) == 0) {
        hex = hex.substr(2);
      } else if (hex.rfind('#', 0) == 0) {
        hex = hex.substr(1);
      }
      if (hex.size() != 6 || !std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); })) {
        return fail(s, shown);
      }
      return pass("0x" + hex);
    }
    case Type::list:
      // Each item (a list is kept joined by newlines) matches the pattern.
      if (text.empty()) return fail(s, "nothing");
      if (!s.pattern.empty()) {
        std::istringstream items(text);
        for (std::string item; std::getline(items, item);) {
          if (item.size() > 256 || !std::regex_match(item, std::regex(s.pattern))) {
            return fail(s, "'" + (item.size() > 64 ? item.substr(0, 64) + "..." : item) + "'");
          }
        }
      }
      return pass(text);
    case Type::path:
    case Type::text:
      if (text.empty()) return fail(s, "nothing");
      if (!s.pattern.empty() && (text.size() > 256 || !std::regex_match(text, std::regex(s.pattern)))) {
        return fail(s, shown);
      }
      return pass(text);
  }
  return fail(s, shown);
}

std::optional<int> choice_index(const std::string& key, const std::string& text) {
  const Setting* s = find(key);
  if (s == nullptr) return std::nullopt;
  const auto found = std::find(s->choices.begin(), s->choices.end(), text);
  if (found == s->choices.end()) return std::nullopt;
  return static_cast<int>(found - s->choices.begin());
}

const std::string& choice_name(const std::string& key, int index) {
  static const std::string none;
  const Setting* s = find(key);
  if (s == nullptr || index < 0 || static_cast<std::size_t>(index) >= s->choices.size()) return none;
  return s->choices[static_cast<std::size_t>(index)];
}

long long as_integer(const std::string& value) { return std::strtoll(value.c_str(), nullptr, 10); }

double as_number(const std::string& value) { return std::strtod(value.c_str(), nullptr); }

bool as_boolean(const std::string& value) { return value == "true"; }

std::pair<int, int> as_size(const std::string& value) {
  const auto x = value.find('x');
  if (value.empty() || x == std::string::npos) return {0, 0};
  return {static_cast<int>(as_integer(value.substr(0, x))), static_cast<int>(as_integer(value.substr(x + 1)))};
}

unsigned as_colour(const std::string& value) {
  return static_cast<unsigned>(std::strtoul(value.c_str() + (value.rfind("0x", 0) == 0 ? 2 : 0), nullptr, 16));
}

std::map<std::string, std::string> as_algorithms(const std::string& value) {
  static const std::regex item_form("([^=;\n]+@[0-9x]+)=([A-Za-z0-9._-]+)");
  std::map<std::string, std::string> algorithms;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find_first_of(";\n", start);
    if (end == std::string::npos) end = value.size();
    const std::string item = value.substr(start, end - start);
    std::smatch parts;
    if (!item.empty()) {
      if (!std::regex_match(item, parts, item_form)) throw std::invalid_argument(item);
      algorithms[parts[1].str()] = parts[2].str();
    }
    start = end + 1;
  }
  return algorithms;
}

std::string algorithms_text(const std::map<std::string, std::string>& algorithms, char separator) {
  std::string text;
  for (const auto& [entry, algorithm] : algorithms) {
    if (!text.empty()) text += separator;
    text += entry + "=" + algorithm;
  }
  return text;
}

const std::string* Preset::find(const std::string& key) const {
  for (const PresetValue& v : values) {
    if (v.key == key) return &v.value;
  }
  return nullptr;
}

const Preset* find_preset(const std::string& name) {
  for (const Preset& p : presets()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string jobs_reference_markdown() {
  std::ostringstream out;
  out << "# Job file reference\n\n"
      << "Generated from `config/settings.cpp` by `restore4k jobs-reference`; a test keeps this file equal to\n"
      << "it. Keys are nested YAML mappings: `engine.tile` is `tile:` under `engine:`. Relative paths are\n"
      << "relative to the job file. The commands `restore4k image|video|raster|batch` take the same settings as\n"
      << "options (the option column) and build the same job.\n\n"
      << "| key | type | default | jobs | option | element property | description |\n"
      << "|---|---|---|---|---|---|---|\n";
  for (const Setting& s : all()) {
    std::string kinds;
    for (const auto& kind : s.kinds) kinds += (kinds.empty() ? "" : ", ") + kind;
    std::string option = s.option;
    const auto comma = option.rfind(',');
    if (comma != std::string::npos && option.rfind("--", comma + 1) == comma + 1 && option[0] == '-' &&
        option[1] != '-') {
      option = option.substr(comma + 1);  // the long name
    }
    std::string properties;
    for (const Property& p : s.properties) {
      properties += (properties.empty() ? "" : ", ") + std::string("`") + p.element + " " + p.name +
                    (p.second.empty() ? "" : "/" + p.second) + "`";
    }
    out << "| `" << s.key << "` | " << describe(s) << " | "
        << (s.required ? std::string("required")
                       : s.default_value.empty() ? std::string("—") : "`" + s.default_value + "`")
        << " | " << (kinds.empty() ? std::string("all") : kinds) << " | "
        << (option.empty() ? std::string("—") : "`" + option + "`") << " | "
        << (properties.empty() ? std::string("—") : properties) << " | " << s.doc << " |\n";
  }
  return out.str();
}

}  // namespace r4k::settings
