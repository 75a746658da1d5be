#!/usr/bin/env bash
# Formatting and static analysis of the C++ sources.
#   tools/lint.sh            clang-format check (what CI runs as the `format` test) and clang-tidy
#   tools/lint.sh --format   only the clang-format check: fails naming each file it would change,
#                            and any include in src/ or include/ that climbs out with ../
#   tools/lint.sh --tidy     only clang-tidy (.clang-tidy's checks; needs build/compile_commands.json)
#   tools/lint.sh --fix      rewrite the files as clang-format wants them
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.h' 'include/*.h' 'tests/*.cpp' 'tests/*.h' 'fuzz/*.cpp')
case $mode in
  --fix) clang-format -i "${files[@]}"; exit 0 ;;
  --format | all)
    if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/pgstack-format.$$; then
      grep -o '^[^:]*' /tmp/pgstack-format.$$ | sort -u | sed 's/^/not formatted: /' >&2
      rm -f /tmp/pgstack-format.$$
      echo "run tools/lint.sh --fix" >&2
      exit 1
    fi
    rm -f /tmp/pgstack-format.$$
    # The layer views in CMakeLists.txt only hide headers reached by <pgstack/...>; a path that
    # climbs out of its folder would walk around them.
    if git grep -n -E '#include "\.\./' -- 'src/*' 'include/*' >&2; then
      echo "an include climbs out of its layer's folder: include pgstack/<layer>/... instead" >&2
      exit 1
    fi
    [[ $mode == all ]] || exit 0 ;;
  --tidy) ;;
  *) echo "usage: tools/lint.sh [--format|--tidy|--fix]" >&2; exit 2 ;;
esac
[[ -f build/compile_commands.json ]] || { echo "no build/compile_commands.json: build first" >&2; exit 2; }
mapfile -t units < <(git ls-files 'src/*.cpp')
printf '%s\n' "${units[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build --quiet 2>/dev/null
