#!/usr/bin/env bash
# Install the Debian packages ndisdma needs to build, test and check itself.
# Installs what is missing with apt-get when run as root; otherwise prints the
# exact command to run and exits 1. Safe to run again: it does nothing when
# everything is there.
set -euo pipefail

packages=(
  gcc make cmake pkg-config     # build
  libcmocka-dev                 # unit tests
  clang                         # libFuzzer target (optional build), clang-tidy front end
  clang-format clang-tidy       # style and static checks
  valgrind                      # memory checks in CI
  python3                       # corpus generator, JSON checks
  file                          # valgrind.sh tells programs from scripts
  sigrok-cli                    # loads the trace VCD in CI (tests/trace)
  libpcap-dev                   # pcap files of the ndisdma command
  tshark                        # reads the pcap the ndisdma command writes (tests/tools)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run as root:  $cmd" >&2
  exit 1
fi
