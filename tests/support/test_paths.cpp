#include "tests/support/test_paths.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace r4k::testing {

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("R4K_SHARED_DIR"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(R4K_SHARED_DIR);
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "r4k";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  path_ = std::filesystem::temp_directory_path() /
          ("r4k-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + name);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace r4k::testing
