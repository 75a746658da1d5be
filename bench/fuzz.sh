#!/bin/bash
# Builds the libFuzzer targets (fuzz/<target>.cpp) with clang-16 and ASan + UBSan into
# build-fuzz/, and runs each in turn (one process each, no -jobs), from its seed corpus
# fuzz/corpus/<target>/ (new inputs go to build-fuzz/corpus/<target>/, the seeds stay as they
# are). A crash leaves its input in build-fuzz/crashes/<target>/ and fails the run; add it to
# the seed corpus with the fix.
# Usage: bench/fuzz.sh [SECONDS | -runs=N] [TARGET...]   (run from the project root)
#   default: 60 seconds per target; all targets.
#   clang-16 and libfuzzer-16-dev come from database/setup/install-deps.sh with PGSTACK_FUZZ=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=-max_total_time=60
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  limit=-max_total_time=$1
  shift
elif [[ ${1:-} == -runs=* ]]; then
  limit=$1
  shift
fi
targets=("$@")
((${#targets[@]})) || targets=(sql_lexer migrate_readers config pgbouncer_files duration http_request hazards)

if ! command -v clang++-16 >/dev/null || [[ ! -e /usr/lib/llvm-16/lib/clang/16/lib/linux/libclang_rt.fuzzer-x86_64.a ]]; then
  echo "clang-16 or libfuzzer-16-dev missing: PGSTACK_FUZZ=ON database/setup/install-deps.sh" >&2
  exit 2
fi
CXX=clang++-16 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGSTACK_TESTS=OFF \
  -DPGSTACK_FUZZ=ON -DPGSTACK_FUZZ_REPLAY=OFF >/dev/null
cmake --build build-fuzz -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}" >/dev/null

failed=0
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t"
  log=build-fuzz/$t.log
  echo "==> $t ($limit)" >&2
  if ! "build-fuzz/fuzz_$t" "$limit" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$t/" "build-fuzz/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
    echo "$t: FAILED (see $log and build-fuzz/crashes/$t/)" >&2
    failed=1
  fi
  runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  secs=$(grep -m1 -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  printf '%-16s %12s runs %8s exec/s\n' "$t" "$runs" "$secs"
done
exit $failed
