#!/usr/bin/env bash
# Style and static checks: clang-format (no diff allowed) and clang-tidy with the project's
# .clang-tidy over the library sources, using build/compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/compile_commands.json ] || bash scripts/build.sh >/dev/null
files=$(git ls-files '*.c' '*.h')
clang-format --dry-run --Werror $files
clang-tidy -p build --quiet $(git ls-files 'src/*.c') 2>/dev/null
echo "lint: clean"
