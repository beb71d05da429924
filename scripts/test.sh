#!/usr/bin/env bash
# Build ndisdma and run every test (cmocka programs and the fuzz-corpus replay, by ctest).
# Usage: scripts/test.sh [--sanitize]   (--sanitize: the same suite under ASan+UBSan in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh "$@"
dir=build
[ "${1:-}" = "--sanitize" ] && dir=build-asan
cd "$dir"
ctest --output-on-failure -j"$(nproc)"
