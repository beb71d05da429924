#!/usr/bin/env bash
# Run every test that ctest knows, with the exact command and arguments ctest uses, under
# valgrind memcheck; fails on any error or definite/indirect leak. Commands that are not
# programs built here (python3 and sh checkers) run as they are, except that the ndisdma
# command's end-to-end cases run every ndisdma they start under valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build/tests ] || bash scripts/build.sh
cd build
ctest --show-only=json-v1 > /tmp/ndisdma-ctest.$$.json
python3 - /tmp/ndisdma-ctest.$$.json > /tmp/ndisdma-ctest.$$.cmds <<'PY'
import json, shlex, sys
for t in json.load(open(sys.argv[1]))["tests"]:
    cmd = t.get("command") or []
    wd = next((p["value"] for p in t.get("properties", []) if p["name"] == "WORKING_DIRECTORY"), ".")
    print(t["name"] + "\t" + wd + "\t" + " ".join(shlex.quote(c) for c in cmd))
PY
status=0
while IFS=$'\t' read -r name wd cmd; do
  prog=$(eval "set -- $cmd; echo \"\$1\"")
  top=$(pwd)
  if [[ "$prog" == "$top"/* ]] && file -L "$prog" 2>/dev/null | grep -q ELF; then
    if (cd "$wd" && eval "valgrind -q --error-exitcode=99 --leak-check=full \
          --errors-for-leak-kinds=definite,indirect $cmd") >/tmp/ndisdma-valgrind.$$ 2>&1; then
      echo "valgrind: clean  $name"
    else
      echo "valgrind: FAILED $name" >&2; cat /tmp/ndisdma-valgrind.$$ >&2; status=1
    fi
  else
    (cd "$wd" && eval "$cmd") >/dev/null 2>&1 || { echo "valgrind: FAILED $name (not under valgrind)" >&2; status=1; }
  fi
done < /tmp/ndisdma-ctest.$$.cmds
# The end-to-end cases of the ndisdma command are python scripts; they put every ndisdma
# they start under the wrapper, so the command itself runs under valgrind too.
if NDISDMA_CLI_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect" ctest -R '^tools_cli' >/tmp/ndisdma-valgrind.$$ 2>&1; then
  echo "valgrind: clean  tools_cli_* (every ndisdma the end-to-end cases run)"
else
  echo "valgrind: FAILED tools_cli_*" >&2; cat /tmp/ndisdma-valgrind.$$ >&2; status=1
fi
rm -f /tmp/ndisdma-ctest.$$.json /tmp/ndisdma-ctest.$$.cmds /tmp/ndisdma-valgrind.$$
exit $status
