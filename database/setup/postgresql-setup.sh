#!/usr/bin/env bash
# The setup plan in one command: installs what is missing, builds pgstack, and brings up the
# verified PostgreSQL 17 + PgBouncer stack of config/database.json (environment development,
# ports 5432 and 6432) under .pgstack/. Safe to run again: a running stack is checked, not redone.
# Extra arguments go to `pgstack up` (e.g. --pg-port 0 --pool-port 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash database/setup/install-deps.sh
build/pgstack up "$@"
build/pgstack status
