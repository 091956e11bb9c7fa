// Names of the partial files that outputs are written under until they are
// complete, and the removal of partial files that earlier runs left behind.
//
// A partial file sits next to its output (so the final rename is atomic) and
// carries the writing process's host name and id:
// ".<stem>.r4k-partial-<host>-<pid><suffix>". Outputs may live on a shared
// filesystem written by many machines, so a leftover is removed only when it
// was made on this host by a process that has ended.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace r4k::encode {

// This process's partial name for `output`, ending in `suffix` (".mkv").
std::filesystem::path partial_path(const std::filesystem::path& output, const std::string& suffix);

// Removes the partial files of `output` (any suffix) left by ended processes
// of this host, and returns them. Files of live processes, of other hosts,
// and files it cannot remove are left alone.
std::vector<std::filesystem::path> remove_stale_partials(const std::filesystem::path& output);

}  // namespace r4k::encode
