#!/bin/bash
# pgstack migrate diff against migra (the peer, npm `@pgkit/migra` 0.6.1, the TypeScript port of
# djrobstep's migra) on the same two databases of one throwaway stack: a, a generated schema of N
# tables (default 200) with indexes, checks, foreign keys, views, functions, enums, comments and
# a little data, and b, the same schema after months of realistic changes (bench/diff-schema-gen.py,
# seeded by SEED). Best of ROUNDS alternating rounds, wall time:
#   migra --unsafe URL_a URL_b
#   pgstack migrate diff --from URL_a --to URL_b --allow-hazards all   (its proof included)
# Goals: pgstack / migra < 1, and pgstack's diff of the 200 tables < 1 s (loading excluded).
# Then whether each tool's output arrives: run with psql (ON_ERROR_STOP, autocommit) on a copy of
# a (CREATE DATABASE ... TEMPLATE a), then the copy's catalog (columns, indexes, constraints,
# views, functions, enum labels, comments) must equal b's. Failures are printed, never hidden.
# Usage: bench/diff-vs-migra.sh [path/to/pgstack]   (run from the project root)
#   MIGRA=path/to/migra skips the npm install into a temporary directory.
set -euo pipefail
PGSTACK=${1:-build/pgstack}
N=${N:-200}
ROUNDS=${ROUNDS:-3}
SEED=${SEED:-1}
[[ -x $PGSTACK ]] || { echo "no pgstack binary at $PGSTACK" >&2; exit 2; }
WORK=$(mktemp -d); chmod 755 "$WORK"
STATE=$WORK/stack
ps_() { "$PGSTACK" --state-dir "$STATE" "$@"; }
cleanup() { ps_ destroy --yes >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }
# Debian's /usr/bin/psql is pg_wrapper, a Perl script; the program itself is under lib.
PSQL=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
[[ -x $PSQL ]] || PSQL=$(command -v psql)

MIGRA=${MIGRA:-}
if [[ -z $MIGRA ]]; then
  echo "installing @pgkit/migra@0.6.1 into $WORK/npm (npm, the configured registry)" >&2
  (cd "$WORK" && mkdir npm && cd npm && npm init -y >/dev/null &&
    npm install --no-save --no-audit --no-fund @pgkit/migra@0.6.1 >/dev/null 2>&1) ||
    { echo "npm install @pgkit/migra failed" >&2; exit 2; }
  MIGRA=$WORK/npm/node_modules/.bin/migra
fi
"$MIGRA" --help >/dev/null 2>&1 || { echo "migra does not run: $MIGRA" >&2; exit 2; }
# `migrate diff --help` would print migrate's help where diff is unknown, so ask the list.
HAVE_DIFF=yes
grep -qE '^  diff ' <<<"$("$PGSTACK" migrate --help)" || HAVE_DIFF=no
[[ $HAVE_DIFF == yes ]] || echo "pgstack migrate diff: not available in this binary" >&2

# The stack, and the two databases owned by the application role. Only CREATE DATABASE needs the
# superuser: the cluster's owner over the Unix socket (peer), postgres when we are root.
ps_ up --pg-port 0 --pool-port 0 >/dev/null
PORT=$(ps_ --json status | jq -r .postgres.port)
ROLE=$(eval "$(ps_ env --direct)"; echo "$PGUSER")
BASE=$(eval "$(ps_ env --direct)"; echo "${DATABASE_URL%/*}")
url() { echo "$BASE/$1?sslmode=disable"; }
as_super() {
  local cmd="'$PSQL' -X -q -v ON_ERROR_STOP=1 -h '$STATE/run' -p $PORT -d postgres -c \"$1\""
  if [[ $(id -u) == 0 ]]; then su postgres -s /bin/sh -c "$cmd"; else sh -c "$cmd"; fi
}
run_sql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$(url "$1")" "${@:2}"; }

python3 "$(dirname "$0")/diff-schema-gen.py" "$N" "$SEED" "$WORK"
as_super "CREATE DATABASE a OWNER $ROLE" && as_super "CREATE DATABASE b OWNER $ROLE"
t0=$(now_ms)
run_sql a -1 -f "$WORK/a.sql" && run_sql b -1 -f "$WORK/b.sql"
echo "schema: $N tables, seed $SEED: a $(grep -c '^CREATE' "$WORK/a.sql") CREATE statements," \
  "b $(grep -c '^CREATE' "$WORK/b.sql"); loading both: $(($(now_ms) - t0)) ms"

best_mi=999999 best_pg=999999 pg_rc=
for _ in $(seq 1 "$ROUNDS"); do
  t0=$(now_ms)
  "$MIGRA" "$(url a)" "$(url b)" --unsafe >"$WORK/migra.sql" 2>"$WORK/migra.err" ||
    { echo "migra failed:" >&2; cat "$WORK/migra.err" >&2; exit 1; }
  t1=$(now_ms)
  ((t1 - t0 < best_mi)) && best_mi=$((t1 - t0))
  [[ $HAVE_DIFF == yes ]] || continue
  t0=$(now_ms)
  pg_rc=0
  ps_ migrate diff --from "$(url a)" --to "$(url b)" --allow-hazards all >"$WORK/pgstack.sql" \
    2>"$WORK/pgstack.err" || pg_rc=$?
  t1=$(now_ms)
  ((t1 - t0 < best_pg)) && best_pg=$((t1 - t0))
done
mi_statements=$(awk 'BEGIN { RS = "" } END { print NR }' "$WORK/migra.sql")
echo "migra: ${best_mi} ms, ${mi_statements} statements"

# One catalog line per column, index, constraint, view, function, enum and comment, sorted.
fingerprint() {
  run_sql "$1" -At -c "SELECT replace(line, E'\n', ' ') FROM (
    SELECT format('column %s.%s %s notnull=%s default=%s identity=%s', c.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), a.attidentity) AS line
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
       AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('view %s %s', oid::regclass, pg_get_viewdef(oid))
      FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'v'
    UNION ALL
    SELECT 'function ' || pg_get_functiondef(oid)
      FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('enum %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
     WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname
    UNION ALL
    SELECT format('comment %s.%s %s', c.relname, coalesce(a.attname, ''), d.description)
      FROM pg_description d JOIN pg_class c
        ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
     WHERE c.relnamespace = 'public'::regnamespace) f ORDER BY 1"
}

# differs COPY -> the number of catalog lines of COPY that differ from b's, by kind.
differs() {
  fingerprint "$1" >"$WORK/$1.fp"
  { diff "$WORK/$1.fp" "$WORK/b.fp" || true; } | awk '/^[<>]/ { n++; k[$2]++ }
    END { printf "%d", n
          for (x in k) printf "%s%s: %d", (s++ ? ", " : " ("), x, k[x]
          if (n) printf ")" }'
}

# arrives TOOL PLAN -> prints the verdict, sets ARRIVES to yes or no. A plan psql stops on is
# also run to its end ignoring errors, on a second copy, to say how far off the rest is.
arrives() {
  local err n
  if [[ ! -s $2 ]]; then ARRIVES=no; echo "$1 arrives: no (it printed no plan)"; return; fi
  as_super "CREATE DATABASE copy_$1 TEMPLATE a OWNER $ROLE"
  if run_sql "copy_$1" -f "$2" >/dev/null 2>"$WORK/$1.apply.err"; then
    n=$(differs "copy_$1")
    if [[ $n == 0 ]]; then ARRIVES=yes; echo "$1 arrives: yes"; return; fi
    ARRIVES=no; echo "$1 arrives: no (applied, but $n catalog lines differ from b)"
    return
  fi
  ARRIVES=no
  err=$(grep -m1 'ERROR' "$WORK/$1.apply.err" || tail -n1 "$WORK/$1.apply.err")
  echo "$1 arrives: no (psql stopped: $err)"
  as_super "CREATE DATABASE rest_$1 TEMPLATE a OWNER $ROLE"
  "$PSQL" -X -q -d "$(url "rest_$1")" -f "$2" >/dev/null 2>"$WORK/$1.rest.err" || true
  n=$(grep -c 'ERROR' "$WORK/$1.rest.err" || true)
  echo "    run to its end ignoring errors: $n errors, $(differs "rest_$1") catalog lines off"
}
fingerprint b >"$WORK/b.fp"
arrives migra "$WORK/migra.sql"; mi_arrives=$ARRIVES

if [[ $HAVE_DIFF == no ]]; then
  echo "pgstack migrate diff: not available in this binary" >&2
  exit 2
fi
case $pg_rc in
  0) pg_verdict="plan printed" ;;
  3) pg_verdict="exit 3: refused hazards despite --allow-hazards all" ;;
  1) pg_verdict="exit 1: proof failed" ;;
  *) pg_verdict="exit $pg_rc" ;;
esac
[[ $pg_rc == 0 ]] || sed 's/^/    /' "$WORK/pgstack.err" | head -n 10 >&2
pg_json_rc=0
ps_ --json migrate diff --from "$(url a)" --to "$(url b)" --allow-hazards all >"$WORK/pg.json" \
  2>/dev/null || pg_json_rc=$?
[[ $pg_json_rc == "$pg_rc" ]] || echo "note: --json run exited $pg_json_rc, text run $pg_rc" >&2
read -r pg_statements pg_hazards pg_ms < <(
  jq -r '"\(.statements | length) \(.hazards | length) \(.ms)"' "$WORK/pg.json")
echo "pgstack: ${best_pg} ms (${pg_verdict}; its own ms: ${pg_ms}), ${pg_statements} statements," \
  "${pg_hazards} hazards"
arrives pgstack "$WORK/pgstack.sql"; pg_arrives=$ARRIVES
awk -v a="$best_pg" -v b="$best_mi" \
  'BEGIN { printf "pgstack / migra wall time: %.2f (goal < 1.00)\n", a / b }'
echo "summary: pgstack diff of $N tables ${best_pg} ms (goal < 1000), migra ${best_mi} ms," \
  "arrives: pgstack $pg_arrives, migra $mi_arrives"
[[ $pg_rc == 0 ]] || exit 1
