#!/usr/bin/env bash
# Run every test program of build/ under valgrind memcheck; fails on any error or leak.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build/tests ] || bash scripts/build.sh
status=0
for t in build/tests/*; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  if ! valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
       "$t" >/tmp/ndisdma-valgrind.$$ 2>&1; then
    echo "valgrind: FAILED $t" >&2; cat /tmp/ndisdma-valgrind.$$ >&2; status=1
  else
    echo "valgrind: clean  $t"
  fi
done
if [ -x build/ndisdma-fuzz-replay ]; then
  valgrind -q --error-exitcode=99 build/ndisdma-fuzz-replay fuzz/corpus/ops >/dev/null || status=1
  echo "valgrind: fuzz corpus replay done"
fi
rm -f /tmp/ndisdma-valgrind.$$
exit $status
