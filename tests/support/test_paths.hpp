// Paths the tests use: the shared data folder (skipped when absent) and a
// fresh temporary folder per test.
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace r4k::testing {

// ../shared from the project root (R4K_SHARED_DIR at build time, or $R4K_SHARED_DIR).
std::filesystem::path shared_dir();

// A new empty folder under the system temp folder, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace r4k::testing

// Skips the current test when a file from ../shared is missing.
#define R4K_REQUIRE_SHARED(path)                                                              \
  do {                                                                                        \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared test data missing: " << (path); \
  } while (false)
