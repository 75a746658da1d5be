#!/bin/bash
# pgstack bench pool against pgbench (PostgreSQL's own load generator, C over libpq) on the same
# points: same statement (simple protocol), clients, threads and duration, -C for per-transaction.
# The two run alternately, round after round, and the best TPS of each is compared, so that noise
# from other work on the machine falls on both. Runs against the stack pgstack already runs.
# Beside the TPS it prints each tool's client CPU (user + system) per transaction, the lowest of
# the rounds: connects included; for pgstack the warmup's transactions are counted at the
# measured rate, as its report counts only the measured window.
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
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "pgbench-compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
PGSTACK=${PGSTACK:-$(command -v pgstack || echo build/pgstack)}
PGBENCH=${PGBENCH:-$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | head -n1)}
[[ -x $PGSTACK ]] || { echo "no pgstack binary (set PGSTACK)" >&2; exit 2; }
[[ -x $PGBENCH ]] || { echo "no pgbench (apt-get install postgresql-client, or set PGBENCH)" >&2; exit 2; }
read -r -a flags <<<"${PGSTACK_FLAGS:-}"

script=$(mktemp) cpu=$(mktemp)
trap 'rm -f "$script" "$cpu"' EXIT
echo "$sql;" >"$script"
warmup=1

# Each prints "TPS CPU_US_PER_TRANSACTION".
pgbench_run() { # endpoint mode
  local env_flag="" c_flag="" out
  [[ $1 == direct ]] && env_flag=--direct
  [[ $2 == per-transaction ]] && c_flag=-C
  out=$(eval "$("$PGSTACK" "${flags[@]}" env $env_flag)" &&
    /usr/bin/time -f "%U %S" -o "$cpu" "$PGBENCH" -n -M simple $c_flag -c "$clients" \
      -j "$threads" -T "$duration" -f "$script" 2>/dev/null)
  awk -v cpu="$(cat "$cpu")" '/^number of transactions actually processed/ {n = $NF}
    /^tps/ {tps = $3} END {split(cpu, c, " "); print tps + 0, (n > 0) ? (c[1] + c[2]) * 1e6 / n : 0}' \
    <<<"$out"
}

pgstack_run() { # endpoint mode
  local tps
  tps=$(/usr/bin/time -f "%U %S" -o "$cpu" "$PGSTACK" "${flags[@]}" --json bench pool \
    --endpoint "$1" --mode "$2" --clients "$clients" --threads "$threads" \
    --duration "${duration}s" --warmup "${warmup}s" --sql "$sql" 2>/dev/null | jq '.results[0].tps')
  awk -v tps="$tps" -v cpu="$(cat "$cpu")" -v s=$((duration + warmup)) \
    'BEGIN {split(cpu, c, " "); n = tps * s; print tps + 0, (n > 0) ? (c[1] + c[2]) * 1e6 / n : 0}'
}

max() { awk -v a="$1" -v b="$2" 'BEGIN {print ((b > a) ? b : a)}'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN {print ((a == "" || b < a) ? b : a)}'; }

printf "%-28s %12s %12s %7s %14s %14s\n" "point ($clients clients)" "pgstack tps" "pgbench tps" \
  "ratio" "pgstack us/txn" "pgbench us/txn"
logsum=0 n=0
for point in $points; do
  endpoint=${point%%:*} mode=${point#*:}
  best_pgstack=0 best_pgbench=0 cpu_pgstack="" cpu_pgbench=""
  for ((round = 1; round <= rounds; round++)); do
    read -r tps us < <(pgbench_run "$endpoint" "$mode")
    best_pgbench=$(max "$best_pgbench" "$tps") cpu_pgbench=$(min "$cpu_pgbench" "$us")
    read -r tps us < <(pgstack_run "$endpoint" "$mode")
    best_pgstack=$(max "$best_pgstack" "$tps") cpu_pgstack=$(min "$cpu_pgstack" "$us")
  done
  ratio=$(awk -v a="$best_pgstack" -v b="$best_pgbench" 'BEGIN {printf "%.3f", (b > 0) ? a / b : 0}')
  printf "%-28s %12.0f %12.0f %7s %14.1f %14.1f\n" "$endpoint $mode" "$best_pgstack" \
    "$best_pgbench" "$ratio" "$cpu_pgstack" "$cpu_pgbench"
  logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN {print s + log((r > 0) ? r : 1e-9)}')
  n=$((n + 1))
done
awk -v s="$logsum" -v n="$n" -v r="$rounds" \
  'BEGIN {printf "geometric mean of pgstack/pgbench: %.3f (best of %d rounds each)\n", exp(s / n), r}'
