#!/bin/bash
# pgstack migrate against dbmate (the peer) on the same fresh stack, direct endpoint, each
# migration in its own transaction with its history row, best of ROUNDS alternating rounds:
#   tiny: 500 migrations of one SELECT (client overhead dominates)      goal >= 3x
#   ddl:  500 migrations of CREATE TABLE + INSERT (server work dominates) goal >= 1.1x
# then `migrate status` over 5,000 applied migrations (goal < 200 ms).
# Usage: bench/migrate-vs-dbmate.sh [path/to/pgstack]   (run from the project root)
set -euo pipefail
PGSTACK=${1:-build/pgstack}
DBMATE=${DBMATE:-node_modules/@dbmate/linux-x64/bin/dbmate}
ROUNDS=${ROUNDS:-2}
N=${N:-500}
[[ -x $PGSTACK ]] || { echo "no pgstack binary at $PGSTACK" >&2; exit 2; }
[[ -x $DBMATE ]] || { echo "no dbmate at $DBMATE (npm install)" >&2; exit 2; }
WORK=$(mktemp -d); chmod 755 "$WORK"
STATE=$WORK/s
ps_() { "$PGSTACK" --state-dir "$STATE" "$@"; }
cleanup() { ps_ down >/dev/null 2>&1 || true; ps_ destroy --yes >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }

gen() { # dir kind prefix
  mkdir -p "$1"
  for i in $(seq 1 "$N"); do
    f="$1/$(printf '%014d' $((20240101000000 + i)))_m$i.sql"
    if [[ $2 == ddl ]]; then
      printf -- '-- migrate:up\nCREATE TABLE %s_%d (id int primary key, note text);\nINSERT INTO %s_%d VALUES (1, %s);\n\n-- migrate:down\nDROP TABLE %s_%d;\n' "$3" "$i" "$3" "$i" "'x'" "$3" "$i" >"$f"
    else
      printf -- '-- migrate:up\nSELECT %d;\n\n-- migrate:down\nSELECT 0;\n' "$i" >"$f"
    fi
  done
}

measure() { # kind -> prints one line, sets RATIO
  local bd=999999 bp=999999 url t0 t1 t2
  for round in $(seq 1 "$ROUNDS"); do
    rm -rf "$STATE" "$WORK/d" "$WORK/p"
    ps_ up --pg-port 0 --pool-port 0 >/dev/null
    url=$(eval "$(ps_ env --direct)"; echo "$DATABASE_URL")
    [[ $url == *sslmode* ]] || url="$url$([[ $url == *\?* ]] && echo '&' || echo '?')sslmode=disable"
    gen "$WORK/d" "$1" d; gen "$WORK/p" "$1" p
    t0=$(now_ms)
    DATABASE_URL=$url "$DBMATE" --migrations-dir "$WORK/d" --migrations-table dbmate_history \
      --no-dump-schema up >/dev/null
    t1=$(now_ms)
    ps_ migrate up --dir "$WORK/p" --direct >/dev/null
    t2=$(now_ms)
    (( t1 - t0 < bd )) && bd=$((t1 - t0)); (( t2 - t1 < bp )) && bp=$((t2 - t1))
    ps_ down >/dev/null; ps_ destroy --yes >/dev/null
  done
  RATIO=$(awk -v a="$bd" -v b="$bp" 'BEGIN{printf "%.2f", a/b}')
  echo "$1 ($N migrations): dbmate $bd ms, pgstack $bp ms = ${RATIO}x"
}

measure tiny; tiny=$RATIO
measure ddl; ddl=$RATIO
rm -rf "$STATE"
ps_ up --pg-port 0 --pool-port 0 >/dev/null
mkdir -p "$WORK/many"
for i in $(seq 1 5000); do echo "SELECT 1;" >"$WORK/many/$(printf '%06d' "$i")_n.up.sql"; done
ps_ migrate up --dir "$WORK/many" --direct >/dev/null
best=999999
for i in 1 2 3; do
  t0=$(now_ms); ps_ --json migrate status --dir "$WORK/many" --direct >/dev/null; t1=$(now_ms)
  (( t1 - t0 < best )) && best=$((t1 - t0))
done
echo "status over 5000 applied: $best ms"
echo "summary: tiny ${tiny}x (goal >= 3), ddl ${ddl}x (goal >= 1.1), status ${best} ms (goal < 200)"
