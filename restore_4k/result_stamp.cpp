#include "restore_4k/result_stamp.hpp"

#include <memory>

#include "decode/media_probe.hpp"
#include "decode/raster_dataset.hpp"
#include "infer/model_checksum.hpp"
#include "encode/output_file.hpp"

namespace r4k::restore {
namespace {

// Arguments that do not decide what the output holds: file names (the
// input is in the stamp by its identity; the output's name does not change
// it) and scheduling (threads, queue sizes, syncing, resuming, and the
// algorithms AutoTune chooses or a record pins: like the thread count, they
// change the order of float sums, not what is computed — a resumed job that
// pins its first run's choices is the same job).
bool beside_the_result(const std::string& argument) {
  for (const char* prefix : {"location=", "source=", "resume=", "threads=", "autotune=", "algorithms=",
                             "max-size-buffers=", "max-size-bytes=", "max-size-time=", "sync-interval="}) {
    if (argument.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string identity(const std::filesystem::path& input) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(input, ec)) return input.string();  // a name GDAL resolves
  return std::filesystem::absolute(input).string() + " " + std::to_string(std::filesystem::file_size(input, ec)) +
         " " + std::to_string(std::filesystem::last_write_time(input, ec).time_since_epoch().count());
}

// "restore4k:.../input:STATUS/.../job:STAMP" -> the value after `key`.
std::string field(const std::string& text, const std::string& key) {
  const auto at = text.find("/" + key + ":");
  if (at == std::string::npos) return "";
  const auto start = at + key.size() + 2;
  const auto end = text.find('/', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::string result_stamp(const std::filesystem::path& input, const pipeline::PipelineArguments& arguments,
                         const std::string& model) {
  std::string text = "input " + identity(input) + "\n";
  for (const std::string& argument : arguments) {
    if (!beside_the_result(argument)) text += argument + "\n";
  }
  text += "model-sha256 " + infer::model_sha256(model) + "\n";
  infer::Sha256 digest;
  digest.update(text);
  return digest.hex();
}

void stamp_pipeline(pipeline::PipelineArguments& arguments, const std::filesystem::path& input,
                    const std::string& model) {
  arguments.push_back("job-stamp=" + result_stamp(input, arguments, model));
}

OutputStamp read_output_stamp(const std::filesystem::path& output) {
  OutputStamp result;
  const std::string extension = encode::lower_extension(output);
  try {
    if (extension == ".tif" || extension == ".tiff") {
      decode::RasterDataset dataset(output);
      result.readable = true;
      result.stamp = dataset.metadata_item("RESTORE4K_JOB");
      if (const std::string damaged = dataset.metadata_item("RESTORE4K_DAMAGED_TILES"); !damaged.empty()) {
        result.damage = "unreadable input blocks in tiles " + damaged;
      }
      return result;
    }
    const decode::MediaInfo media = decode::probe_media(output);
    result.readable = true;
    std::string status;
    for (const auto& [key, value] : media.tags) {
      if (key == "RESTORE4K_JOB") result.stamp = value;
      if (key == "RESTORE4K_INPUT") status = value;
      if ((key == "encoder" || key == "encoding_tool") && value.rfind("restore4k", 0) == 0) {
        result.stamp = field(value, "job");
        status = field(value, "input");
      }
    }
    result.interrupted = status.rfind("interrupted", 0) == 0;
    if (!status.empty() && status != "complete" && !result.interrupted) result.damage = status;
  } catch (const std::exception&) {
    result.readable = false;  // not a raster or video FFmpeg/GDAL can read
  }
  return result;
}

}  // namespace r4k::restore
