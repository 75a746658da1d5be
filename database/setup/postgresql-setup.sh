#!/usr/bin/env bash
# The setup plan in one command: installs what is missing, builds pgstack, brings up the
# PostgreSQL 17 + PgBouncer stack of config/database.json (environment development,
# ports 5432 and 6432) under .pgstack/, and verifies it (`pgstack verify`). Safe to run again:
# a running stack is checked, not redone.
# Extra arguments go to `pgstack up` (e.g. --pg-port 0 --pool-port 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash database/setup/install-deps.sh
build/pgstack up "$@"
build/pgstack verify
build/pgstack status
