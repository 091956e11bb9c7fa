// libFuzzer target for the job file loader (restore4k run/validate job.yaml).
// load_job_text never throws for a bad file: every problem is a diagnostic
// with a message. So any exception at all, a crash, a sanitizer report or a
// hang is a finding. A job that loads must load again, to the same values,
// from its resolved YAML (what `restore4k validate` prints). Input files are
// not checked (check_files = false): the fuzzer tests the parser, not the
// file system. See README.md in this folder.
#include "config/job_file.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The text up to the first NUL byte is the job file; each NUL-separated
  // part after it is a --set override, so overrides are fuzzed too.
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = bytes.find('\0');
  const std::string text(bytes.substr(0, nul));
  std::vector<r4k::config::Override> overrides;
  if (nul != std::string_view::npos) {
    std::size_t start = nul + 1;
    while (start <= bytes.size()) {
      const std::size_t end = std::min(bytes.find('\0', start), bytes.size());
      overrides.push_back(r4k::config::parse_set_option(std::string(bytes.substr(start, end - start))));
      start = end + 1;
    }
  }
  const r4k::config::LoadResult result = r4k::config::load_job_text(text, "fuzz.yaml", false, overrides);
  for (const r4k::config::Diagnostic& diagnostic : result.diagnostics) {
    if (diagnostic.message.empty() || diagnostic.file.empty()) std::abort();
    [[maybe_unused]] const std::string line = diagnostic.to_string();
  }
  if (!result.ok()) return 0;
  const std::string resolved = result.job->to_yaml();
  const r4k::config::LoadResult again = r4k::config::load_job_text(resolved, "fuzz-resolved.yaml", false);
  if (!again.ok() || again.job->values != result.job->values || again.job->kind != result.job->kind) {
    std::fprintf(stderr, "the resolved job does not load to the same values:\n%s\n", resolved.c_str());
    for (const r4k::config::Diagnostic& diagnostic : again.diagnostics) {
      std::fprintf(stderr, "  %s\n", diagnostic.to_string().c_str());
    }
    std::abort();
  }
  return 0;
}
