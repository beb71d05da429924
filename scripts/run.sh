#!/usr/bin/env bash
# Build ndisdma and run the main job: `ndisdma run` on its built-in scenario (the sample
# miniport on the SD-1 card in loopback, a built-in mix of frames, then a summary).
# Extra arguments go to `ndisdma run` (e.g. --frames 1000 --pcap-out rx.pcap); a first
# argument that is a command of its own (run, bench, help, --help, --version) is passed as is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
case "${1:-}" in
  run | bench | help | --help | -h | --version) exec ./build/ndisdma "$@" ;;
  *) exec ./build/ndisdma run "$@" ;;
esac
