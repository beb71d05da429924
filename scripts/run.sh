#!/usr/bin/env bash
# Build ndisdma and run the main job on its built-in default: the demo that programs the
# DMA controller as a driver would and moves a buffer to a device. Extra arguments go to it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
exec ./build/ndisdma-demo "$@"
