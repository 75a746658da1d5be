#!/bin/bash
# Replica figures on a throwaway stack (docs/operations.md#replicas):
#  1. time to add a replica to a running primary (`up --replicas 1`) against the offline way
#     (stop the primary, copy its data directory, start it again);
#  2. replay lag (bytes) sampled every 50 ms under pgbench's TPC-B-like write load through
#     PgBouncer, as p50/p99;
#  3. select-only TPS (pgbench -S) through the read pool with 0 (the primary's pooled entry), 1
#     and 2 replicas, and the share of the transactions each replica served (its pg_stat_database
#     before and after; PgBouncer is told to RECONNECT first, so that the backends that served
#     report their counts as they exit).
# Usage: bench/replica.sh  (PGSTACK=path/to/pgstack, CLIENTS=8, SECONDS_EACH=10)
set -euo pipefail
PGSTACK=${PGSTACK:-build/pgstack}
CLIENTS=${CLIENTS:-8}
SECONDS_EACH=${SECONDS_EACH:-10}
DIR=$(mktemp -d /tmp/pgstack-replica-bench.XXXXXX)
chmod 755 "$DIR"
S=$DIR/s
ps_() { "$PGSTACK" --state-dir "$S" "$@"; }
trap 'ps_ destroy --yes >/dev/null 2>&1; rm -rf "$DIR"' EXIT
ms() { date +%s%3N; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'; }

ps_ up --pg-port 0 --pool-port 0 >/dev/null
(eval "$(ps_ env --direct)" && pgbench -i -s 10 -q >/dev/null 2>&1)
PPORT=$(ps_ --json status | jq -r .postgres.port)
SUPERUSER=$(jq -r .os_user "$S/state.json")
su_psql() { psql -X -At -h "$S/run" -p "$PPORT" -U "$SUPERUSER" -d postgres "$@"; }

t0=$(ms); ps_ up --replicas 1 >/dev/null; t1=$(ms)
echo "add a replica to the running primary (up --replicas 1): $((t1 - t0)) ms"
ps_ up --replicas 0 >/dev/null
t0=$(ms)
ps_ down >/dev/null
cp -a "$S/data" "$DIR/offline-copy"
ps_ up >/dev/null
t1=$(ms)
rm -rf "$DIR/offline-copy"
echo "offline: stop the primary, copy its data directory, start it: $((t1 - t0)) ms"
ps_ up --replicas 1 >/dev/null

(eval "$(ps_ env)" && pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_EACH" >"$DIR/tpcb.log" 2>&1) &
load=$!
while kill -0 "$load" 2>/dev/null; do
  su_psql -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication" >>"$DIR/lag" 2>/dev/null || true
  sleep 0.05
done
wait "$load" || true
echo "TPC-B-like load ($CLIENTS clients, ${SECONDS_EACH}s): $(grep -o 'tps = [0-9.]*' "$DIR/tpcb.log" | head -1)"
echo "replay lag bytes over $(wc -l <"$DIR/lag") samples: p50 $(pct 50 <"$DIR/lag")  p99 $(pct 99 <"$DIR/lag")  max $(pct 100 <"$DIR/lag")"

select_tps() { (eval "$(ps_ env "$@")" && pgbench -n -S -c "$CLIENTS" -j 2 -T "$SECONDS_EACH" 2>&1) | grep -o 'tps = [0-9.]*' | head -1; }
# "port:transactions" per replica, once the read pool's backends have exited.
replica_xacts() {
  (eval "$(ps_ env)" && psql -X -q -d pgbouncer -c "RECONNECT ${PGDATABASE}_ro" >/dev/null 2>&1) || true
  sleep 2
  for p in $(ps_ --json status | jq -r '.replicas[].port'); do
    printf '%s:%s\n' "$p" "$(psql -X -At -h "$S/run" -p "$p" -U "$SUPERUSER" -d postgres -c \
      "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database WHERE datname NOT IN ('postgres', 'template0', 'template1')")"
  done
}
shares() {
  join -t: <(sort <<<"$1") <(sort <<<"$2") |
    awk -F: '{d[$1] = $3 - $2; t += $3 - $2} END {for (p in d) printf "port %s %.1f%% (%d)  ", p, 100 * d[p] / t, d[p]; print ""}'
}
ps_ up --replicas 0 >/dev/null
echo "select-only, 0 replicas (pooled entry, the primary): $(select_tps)"
for n in 1 2; do
  ps_ up --replicas "$n" >/dev/null
  before=$(replica_xacts)
  tps=$(select_tps --replica)
  echo "select-only, $n replica(s) (read pool): $tps; served: $(shares "$before" "$(replica_xacts)")"
done
