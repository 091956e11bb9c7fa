// Outputs that never leave a partial file under their final name: work is
// written to a hidden temporary name in the same folder (so the final rename
// is atomic) and renamed when complete; an output that is not committed is
// removed when the OutputFile goes away. Partial files of earlier runs of the
// same output that ended without cleaning up (killed) are removed first
// (decode/partial_file.hpp says which).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace r4k::encode {

// Checks, before any work is done, that `output` can be written: one of
// `extensions` (lower case, with the dot), not a directory, its folder exists
// and is writable, and it is not `input`. Throws InputError naming the path.
void check_output_path(const std::filesystem::path& output, const std::filesystem::path& input,
                       const std::vector<std::string>& extensions);

// The output's extension in lower case (".mkv").
std::string lower_extension(const std::filesystem::path& path);

// Writes `text` to `path` whole or not at all: into PATH.tmp-PID, renamed
// into place. Throws Error naming `what` (e.g. "the plan") when it cannot.
void write_file_atomically(const std::filesystem::path& path, const std::string& text, const std::string& what);

class OutputFile {
 public:
  explicit OutputFile(std::filesystem::path output);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Where to write: ".<stem>.r4k-partial-<host>-<pid><ext>" next to the output.
  const std::filesystem::path& temporary() const { return temporary_; }
  const std::filesystem::path& output() const { return output_; }

  // Renames the temporary file to the output. Throws Error on failure (and
  // removes the temporary file).
  void commit();

 private:
  std::filesystem::path output_;
  std::filesystem::path temporary_;
  bool committed_ = false;
};

}  // namespace r4k::encode
