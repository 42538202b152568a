#!/usr/bin/env bash
# The whole test suite, as CI runs it: start the local Dovecot and Postfix
# (installing them if missing), then run every test once. Extra arguments go
# to cargo nextest (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

deploy/local/mailenv.sh up
cargo nextest run --all-targets --no-fail-fast "$@"
