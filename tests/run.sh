#!/usr/bin/env bash
# The test command: installs what is missing, builds pgstack with its tests, and runs them all.
# Every integration test binary starts its own PostgreSQL 17 + PgBouncer on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."
PGSTACK_TESTS=ON PGSTACK_BUILD_TYPE=RelWithDebInfo bash database/setup/install-deps.sh
cd build
ctest --output-on-failure -j2 --timeout 900
