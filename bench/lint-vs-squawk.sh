#!/bin/bash
# pgstack migrate lint against squawk (the peer, npm `squawk-cli`) on the same N generated
# migration files (default 5,000: a realistic mix of CREATE TABLE, indexes, constraints, column
# changes and data statements), best of ROUNDS alternating rounds, wall time. Goal: no slower.
# Neither needs a database. Also prints the trace cost per migration when TRACE=1 and a stack
# runs (pgstack --state-dir $STATE_DIR).
# Usage: bench/lint-vs-squawk.sh [path/to/pgstack]   (run from the project root)
#   SQUAWK=path/to/squawk skips the npm install into a temporary directory.
set -euo pipefail
PGSTACK=${1:-build/pgstack}
N=${N:-5000}
ROUNDS=${ROUNDS:-3}
[[ -x $PGSTACK ]] || { echo "no pgstack binary at $PGSTACK" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
now_ms() { date +%s%3N; }

SQUAWK=${SQUAWK:-}
if [[ -z $SQUAWK ]]; then
  echo "installing squawk-cli into $WORK/npm (npm, the configured registry)" >&2
  (cd "$WORK" && mkdir npm && cd npm && npm init -y >/dev/null &&
    npm install --no-save --no-audit --no-fund squawk-cli >/dev/null 2>&1) ||
    { echo "npm install squawk-cli failed" >&2; exit 2; }
  SQUAWK=$WORK/npm/node_modules/.bin/squawk
fi
"$SQUAWK" --version >/dev/null 2>&1 || { echo "squawk does not run: $SQUAWK" >&2; exit 2; }

# The files: each a small migration, as real projects write them.
D=$WORK/m
mkdir -p "$D"
for i in $(seq 1 "$N"); do
  f=$D/$(printf '%06d' "$i")_m$i.sql
  case $((i % 5)) in
    0) printf 'CREATE TABLE t%d (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, at timestamptz NOT NULL DEFAULT now());\nCREATE INDEX t%d_name_idx ON t%d (name);\n' "$i" "$i" "$i" >"$f" ;;
    1) printf 'ALTER TABLE accounts ADD COLUMN c%d text;\nCREATE INDEX CONCURRENTLY accounts_c%d_idx ON accounts (c%d);\n' "$i" "$i" "$i" >"$f" ;;
    2) printf 'ALTER TABLE orders ADD CONSTRAINT orders_fk%d FOREIGN KEY (a%d) REFERENCES accounts (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_fk%d;\n' "$i" "$i" "$i" >"$f" ;;
    3) printf 'ALTER TABLE orders ALTER COLUMN q%d TYPE bigint;\nUPDATE orders SET q%d = 0 WHERE q%d IS NULL;\n' "$i" "$i" "$i" >"$f" ;;
    4) printf -- '-- a comment\nCREATE OR REPLACE FUNCTION f%d() RETURNS int LANGUAGE sql AS $$ SELECT %d $$;\nINSERT INTO settings (k, v) VALUES (%s, %d);\n' "$i" "$i" "'k$i'" "$i" >"$f" ;;
  esac
done
files=("$D"/*.sql)

best_pg=999999 best_sq=999999
for r in $(seq 1 "$ROUNDS"); do
  t0=$(now_ms); "$PGSTACK" --json migrate lint --fail-on error "${files[@]}" >"$WORK/pg.json" || true; t1=$(now_ms)
  "$SQUAWK" --reporter gcc "${files[@]}" >"$WORK/sq.txt" 2>&1 || true; t2=$(now_ms)
  ((t1 - t0 < best_pg)) && best_pg=$((t1 - t0))
  ((t2 - t1 < best_sq)) && best_sq=$((t2 - t1))
done
pg_findings=$(jq '.findings | length' "$WORK/pg.json")
sq_findings=$(grep -c ':' "$WORK/sq.txt" || true)
echo "files: $N   pgstack lint: ${best_pg} ms (${pg_findings} findings)   squawk: ${best_sq} ms (${sq_findings} lines)"
awk -v a="$best_pg" -v b="$best_sq" 'BEGIN { printf "pgstack / squawk wall time: %.2f (goal <= 1.00)\n", a / b }'
