#!/usr/bin/env bash
# Configure and build ndisdma. Usage: scripts/build.sh [--sanitize] [--fuzz]
#   (default)    build/       RelWithDebInfo + LTO: ndisdma, libndisdma.so/.a, ndisdma-bench, ndisdma-demo, tests
#   --sanitize   build-asan/  the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   --fuzz       build-fuzz/  clang, ASan+UBSan and the libFuzzer target ndisdma-fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

dir=build
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
case "${1:-}" in
  "") ;;
  --sanitize) dir=build-asan; args+=(-DNDISDMA_SANITIZE=ON) ;;
  --fuzz) dir=build-fuzz; args+=(-DNDISDMA_SANITIZE=ON -DNDISDMA_FUZZ=ON -DCMAKE_C_COMPILER=clang) ;;
  *) echo "usage: scripts/build.sh [--sanitize|--fuzz]" >&2; exit 2 ;;
esac

cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
