#include "config/job_schema.hpp"

#include <sstream>

namespace r4k::config {
namespace {

KeySpec key(std::string path, ValueType type, std::string default_value, std::string doc) {
  KeySpec spec;
  spec.path = std::move(path);
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.doc = std::move(doc);
  return spec;
}

KeySpec ranged(KeySpec spec, double min, double max) {
  spec.min = min;
  spec.max = max;
  return spec;
}

KeySpec choice(KeySpec spec, std::vector<std::string> choices) {
  spec.type = ValueType::choice;
  spec.choices = std::move(choices);
  return spec;
}

KeySpec pattern(KeySpec spec, std::string regex, std::string doc) {
  spec.pattern = std::move(regex);
  spec.pattern_doc = std::move(doc);
  return spec;
}

KeySpec required(KeySpec spec, std::vector<std::string> kinds) {
  spec.required = true;
  spec.kinds = std::move(kinds);
  return spec;
}

KeySpec only(KeySpec spec, std::vector<std::string> kinds) {
  spec.kinds = std::move(kinds);
  return spec;
}

std::vector<KeySpec> make_keys() {
  using T = ValueType;
  return {
      choice(required(key("kind", T::string, "", "What the job does: upscale a video, a raster, or a batch of rasters"),
                      {}),
             {"video", "raster", "batch"}),
      key("extends", T::string, "",
          "A preset to start from (film-4k, film-preview, satellite-x4); the job's own keys override it"),
      required(key("input", T::path, "", "The file to upscale (video or raster)"), {"video", "raster"}),
      required(key("output", T::path, "", "Where the result goes (a file; for a batch, an existing folder)"), {}),
      key("model", T::string, "",
          "Super-resolution model: an .onnx or .pb file (relative to the job file) or builtin:NAME (default: "
          "builtin:film-x4 for video, builtin:bicubic-x2 for rasters, which may have any number of bands)"),
      choice(key("engine.backend", T::string, "auto",
                 "Inference backend: auto (onednn when it runs every operator, else opencv), onednn, opencv, classic"),
             {"auto", "onednn", "opencv", "classic"}),
      ranged(key("engine.threads", T::integer, "0", "Inference threads (0 = all cores)"), 0, 1024),
      ranged(key("engine.tile", T::integer, "0",
                 "Tile side the engine sees, in input pixels (0 = automatic; rasters: 512 when 0)"),
             0, 16384),
      ranged(key("engine.halo", T::integer, "-1",
                 "Context around each tile in pixels (-1 = the model's receptive field: exact)"),
             -1, 4096),
      ranged(key("engine.batch", T::integer, "1", "Tiles per engine call (images and video)"), 1, 256),
      only(choice(key("video.encoder", T::string, "ffv1",
                      "ffv1 (lossless, Matroska), prores (422 HQ or 4444, MOV) or x264 (Matroska, MP4 or MOV; "
                      "the input's format)"),
                  {"ffv1", "prores", "x264"}),
           {"video", "batch"}),
      only(choice(key("video.decoder", T::string, "auto", "auto (hardware when present), hardware or software"),
                  {"auto", "hardware", "software"}),
           {"video", "batch"}),
      only(pattern(key("video.fit", T::string, "",
                       "Fit the upscaled picture into a fixed frame, e.g. \"3840x2160\" (UHD), honouring the pixel "
                       "aspect ratio (no fit when unset)"),
                   "[0-9]+x[0-9]+", "WIDTHxHEIGHT such as 3840x2160"),
           {"video", "batch"}),
      only(choice(key("video.fit_mode", T::string, "pad", "pad (bars where the aspect differs) or crop (fill)"),
                  {"pad", "crop"}),
           {"video", "batch"}),
      only(pattern(key("video.pad_color", T::string, "0x000000", "Colour of the bars, 0xRRGGBB"),
                   "(0x|#)?[0-9a-fA-F]{6}", "a colour 0xRRGGBB"),
           {"video", "batch"}),
      only(key("video.deinterlace", T::boolean, "true",
               "Deinterlace interlaced input (progressive input is untouched); false: interlaced input is an error"),
           {"video", "batch"}),
      only(key("video.deflicker", T::boolean, "false", "Remove frame-to-frame brightness flicker (r4kdeflicker)"),
           {"video", "batch"}),
      only(ranged(key("video.deflicker_radius", T::integer, "25",
                      "Frames each side of the deflicker window (also its delay)"),
                  1, 100),
           {"video", "batch"}),
      only(key("video.dust", T::boolean, "false",
               "Remove dust and dirt present in single frames, with a motion check (r4kdustbust)"),
           {"video", "batch"}),
      only(key("video.scratches", T::boolean, "false", "Repair vertical scratches (r4kdustbust)"), {"video", "batch"}),
      only(ranged(key("video.denoise", T::number, "0",
                      "Grain and noise removal strength (r4kdenoise): 0 = off, 1 = the measured noise level"),
                  0, 4),
           {"video", "batch"}),
      only(choice(key("video.colour", T::string, "keep",
                      "Output colour: keep (the input's), bt709 (HD/UHD) or bt2020; matrix, primaries and "
                      "transfer converted and tagged"),
                  {"keep", "bt709", "bt2020"}),
           {"video", "batch"}),
      only(key("video.audio", T::boolean, "true", "Carry the audio streams over untouched (false: leave them out)"),
           {"video", "batch"}),
      only(key("video.subtitles", T::boolean, "true",
               "Carry the subtitle streams over untouched (false: leave them out)"),
           {"video", "batch"}),
      only(key("video.data", T::boolean, "true",
               "false: leave out data streams restore4k cannot carry (KLV, SCTE-35, ...); true: such input is refused"),
           {"video", "batch"}),
      only(key("video.monochrome", T::boolean, "false",
               "A black-and-white film: every frame comes out exactly grey, its chroma noise discarded"),
           {"video", "batch"}),
      only(pattern(key("raster.bands", T::string, "",
                       "Bands to read and write, 1-based, in output order, e.g. \"4,3,2\" (default: every band). "
                       "A 1-channel model upscales each band on its own; a 3-channel model takes the red, green and "
                       "blue bands (by colour interpretation, else the first three)"),
                   "[0-9]+(,[0-9]+)*", "band numbers such as 4,3,2"),
           {"raster", "batch"}),
      only(choice(key("raster.other_bands", T::string, "classical",
                      "Bands the model does not take: classical (upscaled with bicubic and kept) or drop (left "
                      "out of the output)"),
                  {"classical", "drop"}),
           {"raster", "batch"}),
      only(pattern(key("raster.categorical", T::string, "",
                       "More bands that hold classes, not quantities, e.g. \"5\": upscaled nearest, never smoothed "
                       "and never given to a model (palette and alpha bands always are)"),
                   "[0-9]+(,[0-9]+)*", "band numbers such as 5,6"),
           {"raster", "batch"}),
      only(key("raster.range", T::string, "auto",
               "How a neural model's bands map to [0, 1]: auto (Byte/Int8: the type's range; else the exact "
               "minimum and maximum of every valid pixel), MIN,MAX, or bits:N (refused if it would clip)"),
           {"raster", "batch"}),
      only(choice(key("raster.format", T::string, "gtiff", "gtiff (tiled GeoTIFF) or cog (Cloud-Optimised GeoTIFF)"),
                  {"gtiff", "cog"}),
           {"raster", "batch"}),
      only(choice(key("raster.compress", T::string, "deflate", "none, deflate, zstd or lzw"),
                  {"none", "deflate", "zstd", "lzw"}),
           {"raster", "batch"}),
      only(key("raster.resume", T::boolean, "false",
               "Continue an interrupted run of the same job from its journal (batches always resume)"),
           {"raster"}),
      only(ranged(key("raster.tiles_in_flight", T::integer, "4", "Tiles each queue holds (bounds memory)"), 1, 64),
           {"raster", "batch"}),
      required(key("batch.inputs", T::list, "",
                   "What to process: a shell glob such as \"tiles/*.tif\", or a list of globs and files (the "
                   "manifest is their union, sorted)"),
               {"batch"}),
      only(choice(key("batch.item", T::string, "raster",
                      "What the inputs are: raster (each upscaled as a raster job, raster.* settings) or video "
                      "(each restored as a video job, video.* settings)"),
                  {"raster", "video"}),
           {"batch"}),
      only(pattern(key("batch.shard", T::string, "",
                       "This run's share i/N of the sorted manifest (default: from the cluster's array-job "
                       "variables)"),
                   "[0-9]+/[0-9]+", "i/N such as 0/4"),
           {"batch"}),
      only(ranged(key("batch.jobs", T::integer, "1", "Files processed at once"), 1, 256), {"batch"}),
  };
}

}  // namespace

const std::vector<KeySpec>& job_keys() {
  static const std::vector<KeySpec> keys = make_keys();
  return keys;
}

const KeySpec* find_key(const std::string& path) {
  for (const KeySpec& spec : job_keys()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

bool is_section(const std::string& path) {
  for (const KeySpec& spec : job_keys()) {
    if (spec.path.rfind(path + ".", 0) == 0) return true;
  }
  return false;
}

std::string describe_type(const KeySpec& key) {
  std::ostringstream text;
  const auto number = [](double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  switch (key.type) {
    case ValueType::integer:
      text << "an integer";
      if (key.min && key.max) text << " from " << number(*key.min) << " to " << number(*key.max);
      break;
    case ValueType::number:
      text << "a number";
      if (key.min && key.max) text << " from " << number(*key.min) << " to " << number(*key.max);
      break;
    case ValueType::boolean:
      text << "true or false";
      break;
    case ValueType::choice:
      text << "one of ";
      for (std::size_t i = 0; i < key.choices.size(); ++i) text << (i ? ", " : "") << key.choices[i];
      break;
    case ValueType::path:
      text << "a file path";
      break;
    case ValueType::string:
      text << (key.pattern_doc.empty() ? std::string("a string") : key.pattern_doc);
      break;
    case ValueType::list:
      text << "a string or a list of strings";
      break;
  }
  return text.str();
}

std::string jobs_reference_markdown() {
  std::ostringstream out;
  out << "# Job file reference\n\n"
      << "Generated from `config/job_schema.cpp` by `restore4k jobs-reference`; a test keeps this file equal to\n"
      << "it. Keys are nested YAML mappings: `engine.tile` is `tile:` under `engine:`. Relative paths are\n"
      << "relative to the job file.\n\n"
      << "| key | type | default | jobs | description |\n|---|---|---|---|---|\n";
  for (const KeySpec& key : job_keys()) {
    std::string kinds;
    for (const auto& kind : key.kinds) kinds += (kinds.empty() ? "" : ", ") + kind;
    out << "| `" << key.path << "` | " << describe_type(key) << " | "
        << (key.required ? std::string("required") : key.default_value.empty() ? std::string("—")
                                                                                : "`" + key.default_value + "`")
        << " | " << (kinds.empty() ? std::string("all") : kinds) << " | " << key.doc << " |\n";
  }
  return out.str();
}

}  // namespace r4k::config
