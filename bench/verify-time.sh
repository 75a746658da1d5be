#!/bin/bash
# How long a full `pgstack verify` takes on a healthy local stack (goal: under 2 s), and where
# the time goes: a fresh stack on free ports, ROUNDS verify runs, best and median wall time, and
# the per-check ms of the best run's JSON. The check table is the same work every run, so the
# best run is the one least disturbed by other work on the machine.
# Usage: bench/verify-time.sh [path/to/pgstack]   (run from the project root)
set -euo pipefail
PGSTACK=${1:-build/pgstack}
ROUNDS=${ROUNDS:-7}
[[ -x $PGSTACK ]] || { echo "no pgstack binary at $PGSTACK" >&2; exit 2; }
WORK=$(mktemp -d); chmod 755 "$WORK"
ps_() { "$PGSTACK" --state-dir "$WORK/s" "$@"; }
cleanup() { ps_ down >/dev/null 2>&1 || true; ps_ destroy --yes >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }

ps_ up --pg-port 0 --pool-port 0 >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; exit 1; }
times=() best=""
for i in $(seq 1 "$ROUNDS"); do
  t0=$(now_ms)
  ps_ --json verify >"$WORK/run.json" || { echo "verify failed on a fresh stack" >&2; jq -c '.checks[]|select(.status=="fail")' "$WORK/run.json" >&2; exit 1; }
  t=$(( $(now_ms) - t0 ))
  times+=("$t")
  if [[ -z $best || $t -lt $best ]]; then best=$t; cp "$WORK/run.json" "$WORK/best.json"; fi
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "checks over 10 ms in the best run:"
jq -r '.checks[] | select(.ms > 10) | "  \(.id)  \(.ms) ms"' "$WORK/best.json"
echo "verify: $(jq '.checks|length' "$WORK/best.json") checks, best ${best} ms, median ${median} ms of $ROUNDS runs (goal < 2000 ms); load $(cut -d' ' -f1-3 /proc/loadavg)"
