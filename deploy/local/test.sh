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
# The end-to-end tests of fetching, the pipeline, receipts and the daemon
# again, through the Coremail emulator in front of the same Dovecot: the
# servers the units really write to (126.com/163.com) offer no IDLE and no
# UIDNEXT, and refuse SELECT before ID.
MAILROOM_TEST_IMAP=coremail cargo nextest run --no-fail-fast \
  --test fetch --test pipeline --test receipts --test daemon --test quarantine --test junk "$@"
