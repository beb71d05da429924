#!/usr/bin/env bash
# Instructions per frame of the end-to-end fast path (the e2e benchmarks' body), under callgrind:
# deterministic, unlike time on a shared machine. Runs build/ndisdma-e2e-profile for N and 2N frames
# and prints the difference per frame (set-up and teardown cancel out), then the functions with the
# most instructions per frame, inclusive, in build/profile-e2e.txt.
# Usage: scripts/profile.sh [LEN [N]]   (defaults 1514 and 20000). Needs valgrind (setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
len=${1:-1514}
n=${2:-20000}
command -v valgrind >/dev/null || { echo "profile.sh: valgrind is missing (scripts/setup.sh)" >&2; exit 1; }
bash scripts/build.sh >/dev/null
cmake --build build --target ndisdma-e2e-profile >/dev/null
refs() {
    valgrind --tool=callgrind --callgrind-out-file="$2" build/ndisdma-e2e-profile "$1" "$len" 2>&1 >/dev/null |
        sed -n 's/.*refs: *//p' | tr -d ,
}
a=$(refs "$n" build/callgrind.e2e.1)
b=$(refs "$((2 * n))" build/callgrind.e2e.2)
echo "$len-byte frames: $(((b - a) / n)) instructions per frame"
callgrind_annotate --inclusive=yes build/callgrind.e2e.1 2>/dev/null |
    awk -v n="$n" '{c=$1; gsub(",","",c); if (c ~ /^[0-9]+$/) printf "%8.0f/frame  %s\n", c/n, $0}' \
        > build/profile-e2e.txt
echo "inclusive profile ($n frames): build/profile-e2e.txt; callgrind data: build/callgrind.e2e.1"
