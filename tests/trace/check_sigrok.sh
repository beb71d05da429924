#!/bin/sh
# Load a VCD trace with sigrok-cli's VCD input module (the one PulseView
# uses), convert it to CSV, and check that every sample up to the last time
# stamp came through (libsigrok stops at the first construct it cannot read,
# and says so only in its log). Prints SKIP and succeeds when sigrok-cli is
# not installed (scripts/setup.sh installs it, so CI runs the check).
# Usage: check_sigrok.sh FILE.vcd
set -eu
if ! command -v sigrok-cli >/dev/null 2>&1; then
  echo "SKIP: sigrok-cli not installed"
  exit 0
fi
show=$(sigrok-cli -i "$1" -I vcd --show 2>&1) || { echo "$show"; echo "FAIL: sigrok-cli cannot load $1"; exit 1; }
echo "$show" | head -4
echo "$show" | grep -q "ch1_dack" || { echo "FAIL: sigrok-cli shows no ch1_dack channel"; exit 1; }
tmp=$(mktemp)
log=$(mktemp)
trap 'rm -f "$tmp" "$log"' EXIT
sigrok-cli -l 4 -i "$1" -I vcd -O csv -o "$tmp" >"$log" 2>&1 || { cat "$log"; echo "FAIL: sigrok-cli cannot convert $1"; exit 1; }
if grep -q "Unexpected\|rror" "$log"; then grep "Unexpected\|rror" "$log"; echo "FAIL: sigrok-cli stopped reading $1"; exit 1; fi
last=$(grep '^#' "$1" | tail -1 | tr -d '#')
rows=$(grep -c '^[01]' "$tmp" || true)
echo "sigrok-cli: $rows samples (last time stamp $last ns)"
[ "$rows" -ge "$last" ] || { echo "FAIL: sigrok-cli read $rows samples, expected $last"; exit 1; }
echo "sigrok-cli: OK"
