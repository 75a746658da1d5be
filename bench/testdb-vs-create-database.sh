#!/usr/bin/env bash
# `pgstack testdb` GET from a warm pool against the client running CREATE DATABASE x TEMPLATE t
# itself, in one run on one throwaway stack, with CLIENTS concurrent clients that each take a
# database, hold it HOLD seconds (as a test does) and give it back, GETS times. Also: sustained
# fresh databases per second, and the template build time of database/migrations.
# Goals (issue "pgstack testdb"): GET p50 <= 0.1x and p99 <= 0.5x of the baseline.
#   bench/testdb-vs-create-database.sh [CLIENTS] [GETS] [HOLD] [STRATEGY]
#   (from the project root, after the setup command; STRATEGY wal_log or file_copy)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-3} gets=${2:-8} hold=${3:-0.4} strategy=${4:-wal_log}
pgstack=${PGSTACK_BIN:-build/pgstack}
work=$(mktemp -d); chmod 755 "$work"
serve_pid=
cleanup() {
  [[ -n $serve_pid ]] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  $pgstack --state-dir "$work/s" destroy --yes >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
pct() { sort -n "$1" | awk -v p="$2" '{v[NR]=$1} END {i=int(NR*p+0.999); if (i<1) i=1; printf "%.1f", v[i]}'; }

$pgstack --state-dir "$work/s" up --pg-port 0 --pool-port 0 >/dev/null
pgport=$($pgstack --state-dir "$work/s" --json status | jq -r .postgres.port)
sock=$work/s/run
as_pg() { su postgres -s /bin/sh -c "$1"; }

# The template build time of this project's migrations.
t0=$(now_ms)
hash=$($pgstack --state-dir "$work/s" testdb template --dir database/migrations)
build_ms=$(($(now_ms) - t0))
tmpl=pgstack_tpl_$hash

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
api=http://127.0.0.1:$port/api/v1
$pgstack --state-dir "$work/s" testdb --strategy "$strategy" serve --listen "127.0.0.1:$port" \
  >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 200); do curl -s -o /dev/null "$api/templates/none/tests" && break; sleep 0.05; done
sleep 3 # the warm pool fills

# Baseline: each client clones the template itself, holds it, drops it.
baseline_client() {
  for ((i = 0; i < gets; i++)); do
    local name="bench_$1_$i" out
    out=$(as_pg "psql -X -At -h '$sock' -p $pgport -d postgres -c '\\timing on' -c 'create database $name template \"$tmpl\" strategy $strategy'")
    awk '/^Time/{print $2; exit}' <<<"$out" >>"$work/base.ms"
    sleep "$hold"
    as_pg "psql -X -q -h '$sock' -p $pgport -d postgres -c 'drop database $name'"
  done
}
testdb_client() {
  for ((i = 0; i < gets; i++)); do
    local out id
    out=$(curl -s -w '\n%{http_code} %{time_total}' "$api/templates/$hash/tests")
    [[ $(tail -n 1 <<<"$out") == 200* ]] || { echo "GET failed: $out" >&2; return 1; }
    awk '{printf "%.3f\n", $2 * 1000}' <<<"$(tail -n 1 <<<"$out")" >>"$work/get.ms"
    id=$(head -n 1 <<<"$out" | jq -r .id)
    sleep "$hold"
    curl -s -o /dev/null -X POST "$api/templates/$hash/tests/$id/recreate"
  done
}
: >"$work/base.ms"; : >"$work/get.ms"
pids=(); for c in $(seq 1 "$clients"); do baseline_client "$c" & pids+=($!); done; wait "${pids[@]}"
t0=$(now_ms)
pids=(); for c in $(seq 1 "$clients"); do testdb_client "$c" & pids+=($!); done; wait "${pids[@]}"
get_wall=$(($(now_ms) - t0))

# Sustained: how many fresh databases per second the pool turns out when asked back to back.
t0=$(now_ms); n=0
while (($(now_ms) - t0 < 5000)); do
  out=$(curl -s -w '\n%{http_code}' "$api/templates/$hash/tests")
  [[ $(tail -n 1 <<<"$out") == 200 ]] || break
  curl -s -o /dev/null -X POST "$api/templates/$hash/tests/$(head -n 1 <<<"$out" | jq -r .id)/recreate"
  n=$((n + 1))
done
rate=$(awk -v n="$n" -v ms="$(($(now_ms) - t0))" 'BEGIN { printf "%.1f", n * 1000 / ms }')

b50=$(pct "$work/base.ms" 0.5) b99=$(pct "$work/base.ms" 0.99)
g50=$(pct "$work/get.ms" 0.5) g99=$(pct "$work/get.ms" 0.99)
r50=$(awk -v a="$g50" -v b="$b50" 'BEGIN { printf "%.3f", a / b }')
r99=$(awk -v a="$g99" -v b="$b99" 'BEGIN { printf "%.3f", a / b }')
echo "clients $clients x $gets gets, hold ${hold}s, strategy $strategy, load $(cut -d' ' -f1 /proc/loadavg)"
echo "CREATE DATABASE ... TEMPLATE (client's own): p50 ${b50} ms  p99 ${b99} ms"
echo "testdb GET (warm pool):                      p50 ${g50} ms  p99 ${g99} ms  (${get_wall} ms wall)"
echo "ratio: p50 ${r50}x (goal <= 0.1)  p99 ${r99}x (goal <= 0.5)"
echo "sustained fresh databases: ${rate}/s (GET + recreate back to back, 1 client, 5 s)"
echo "template build of database/migrations: ${build_ms} ms (pgstack testdb template)"
