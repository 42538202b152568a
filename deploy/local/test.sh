#!/usr/bin/env bash
# The whole test suite, as CI runs it: start the local Dovecot and Postfix
# (installing them if missing), then run every test once. Extra arguments go
# to cargo nextest (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

deploy/local/mailenv.sh up
# The servers themselves first: a broken mail setup should fail here, with
# its own message, not as a hundred confusing test failures.
eval "$(deploy/local/mailenv.sh env)"
python3 deploy/local/mailenv-selftest.py
cargo nextest run --all-targets --no-fail-fast "$@"
