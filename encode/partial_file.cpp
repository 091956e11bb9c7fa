#include "encode/partial_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace r4k::encode {
namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  std::string host = name;
  // Safe in a file name (the pid after it is found from the known host name).
  for (char& c : host) {
    if (c == '/' || c == ' ') c = '_';
  }
  return host;
}

std::string prefix_of(const std::filesystem::path& output) {
  return "." + output.stem().string() + ".r4k-partial-";
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

bool process_alive(long pid) {
  if (pid <= 0 || pid > INT_MAX) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

std::filesystem::path partial_path(const std::filesystem::path& output, const std::string& suffix) {
  return folder_of(output) / (prefix_of(output) + host_name() + "-" + std::to_string(::getpid()) + suffix);
}

std::vector<std::filesystem::path> remove_stale_partials(const std::filesystem::path& output) {
  std::vector<std::filesystem::path> removed;
  const std::string prefix = prefix_of(output) + host_name() + "-";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder_of(output), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // "<pid><suffix>": the digits after the host name.
    const char* digits = name.c_str() + prefix.size();
    char* rest = nullptr;
    const long pid = std::strtol(digits, &rest, 10);
    if (rest == digits || (*rest != '\0' && *rest != '.')) continue;
    if (pid == static_cast<long>(::getpid()) || process_alive(pid)) continue;
    std::error_code remove_error;
    if (std::filesystem::remove(it->path(), remove_error)) removed.push_back(it->path());
  }
  return removed;
}

}  // namespace r4k::encode
