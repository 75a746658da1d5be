#!/bin/bash
# pgstack bench pool against pgbench (PostgreSQL's own load generator, C over libpq) on the same
# points: same statement (simple protocol), clients, threads and duration, -C for per-transaction.
# The two run alternately, round after round, and the best TPS of each is compared, so that noise
# from other work on the machine falls on both. Runs against the stack pgstack already runs.
#
#   bench/pgbench-compare.sh [--clients N] [--threads N] [--duration S] [--rounds N]
#                            [--sql STATEMENT] [--points "direct:persistent pooled:..."]
#   Global pgstack flags go in PGSTACK_FLAGS, e.g. PGSTACK_FLAGS="--state-dir /tmp/s".
#   PGSTACK (default: pgstack on PATH, else build/pgstack) and PGBENCH pick the binaries.
set -euo pipefail

clients=16 threads=2 duration=4 rounds=3 sql="select 1"
points="direct:persistent pooled:persistent pooled:per-transaction"
while [[ $# -gt 0 ]]; do
  case $1 in
    --clients) clients=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --duration) duration=${2%s}; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --sql) sql=$2; shift 2 ;;
    --points) points=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "pgbench-compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
PGSTACK=${PGSTACK:-$(command -v pgstack || echo build/pgstack)}
PGBENCH=${PGBENCH:-$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | head -n1)}
[[ -x $PGSTACK ]] || { echo "no pgstack binary (set PGSTACK)" >&2; exit 2; }
[[ -x $PGBENCH ]] || { echo "no pgbench (apt-get install postgresql-client, or set PGBENCH)" >&2; exit 2; }
read -r -a flags <<<"${PGSTACK_FLAGS:-}"

script=$(mktemp)
trap 'rm -f "$script"' EXIT
echo "$sql;" >"$script"

pgbench_tps() { # endpoint mode
  local env_flag="" c_flag=""
  [[ $1 == direct ]] && env_flag=--direct
  [[ $2 == per-transaction ]] && c_flag=-C
  (eval "$("$PGSTACK" "${flags[@]}" env $env_flag)" &&
    "$PGBENCH" -n -M simple $c_flag -c "$clients" -j "$threads" -T "$duration" -f "$script" 2>/dev/null) |
    awk '/^tps/ {print $3; exit}'
}

pgstack_tps() { # endpoint mode
  "$PGSTACK" "${flags[@]}" --json bench pool --endpoint "$1" --mode "$2" --clients "$clients" \
    --threads "$threads" --duration "${duration}s" --warmup 1s --sql "$sql" 2>/dev/null |
    jq '.results[0].tps'
}

max() { awk -v a="$1" -v b="$2" 'BEGIN {print ((b > a) ? b : a)}'; }

printf "%-28s %12s %12s %7s\n" "point ($clients clients)" "pgstack tps" "pgbench tps" "ratio"
logsum=0 n=0
for point in $points; do
  endpoint=${point%%:*} mode=${point#*:}
  best_pgstack=0 best_pgbench=0
  for ((round = 1; round <= rounds; round++)); do
    best_pgbench=$(max "$best_pgbench" "$(pgbench_tps "$endpoint" "$mode")")
    best_pgstack=$(max "$best_pgstack" "$(pgstack_tps "$endpoint" "$mode")")
  done
  ratio=$(awk -v a="$best_pgstack" -v b="$best_pgbench" 'BEGIN {printf "%.3f", (b > 0) ? a / b : 0}')
  printf "%-28s %12.0f %12.0f %7s\n" "$endpoint $mode" "$best_pgstack" "$best_pgbench" "$ratio"
  logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN {print s + log((r > 0) ? r : 1e-9)}')
  n=$((n + 1))
done
awk -v s="$logsum" -v n="$n" -v r="$rounds" \
  'BEGIN {printf "geometric mean of pgstack/pgbench: %.3f (best of %d rounds each)\n", exp(s / n), r}'
