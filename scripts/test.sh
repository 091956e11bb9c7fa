#!/usr/bin/env bash
# Sets restore4k up (scripts/setup.sh) and runs the whole test suite.
# Tests that need ../shared (third-party models, benchmark images) skip with a
# message when it is absent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
build="${R4K_BUILD_DIR:-$root/build}"
cd "$build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600
