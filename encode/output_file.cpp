#include "encode/output_file.hpp"

#include <fstream>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "encode/partial_file.hpp"
#include "core/error.hpp"

namespace r4k::encode {
namespace {

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

std::string lower_extension(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

void check_output_path(const std::filesystem::path& output, const std::filesystem::path& input,
                       const std::vector<std::string>& extensions) {
  const std::string extension = lower_extension(output);
  if (std::find(extensions.begin(), extensions.end(), extension) == extensions.end()) {
    std::string expected;
    for (const auto& allowed : extensions) expected += (expected.empty() ? "" : ", ") + allowed;
    throw InputError("output '" + output.string() + "' has an unsupported extension '" + extension +
                     "': expected " + expected);
  }
  std::error_code ec;
  if (std::filesystem::is_directory(output, ec)) {
    throw InputError("output '" + output.string() + "' is a directory; give a file name");
  }
  const std::filesystem::path folder = folder_of(output);
  if (!std::filesystem::is_directory(folder, ec)) {
    throw InputError("cannot write output '" + output.string() + "': folder '" + folder.string() +
                     "' does not exist");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw InputError("cannot write output '" + output.string() + "': folder '" + folder.string() +
                     "' is not writable (" + std::strerror(errno) + ")");
  }
  if (!input.empty() && std::filesystem::exists(output, ec) && std::filesystem::exists(input, ec) &&
      std::filesystem::equivalent(output, input, ec)) {
    throw InputError("output '" + output.string() + "' is the input file; restore4k never overwrites its input");
  }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text, const std::string& what) {
  const std::filesystem::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(temporary, ec);
      throw Error(path.string() + ": cannot write " + what);
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw Error(path.string() + ": cannot write " + what + " (" + ec.message() + ")");
  }
}

OutputFile::OutputFile(std::filesystem::path output) : output_(std::move(output)) {
  for (const auto& leftover : encode::remove_stale_partials(output_)) {
    spdlog::info("removed {}, the partial output of an earlier run that did not finish", leftover.string());
  }
  temporary_ = encode::partial_path(output_, output_.extension().string());
}

OutputFile::~OutputFile() {
  if (committed_) return;
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);
}

void OutputFile::commit() {
  std::error_code ec;
  if (!std::filesystem::exists(temporary_, ec)) {
    throw Error("no output was produced for '" + output_.string() + "'");
  }
  std::filesystem::rename(temporary_, output_, ec);
  if (ec) throw Error("cannot move the finished output to '" + output_.string() + "': " + ec.message());
  committed_ = true;
}

}  // namespace r4k::encode
