#!/usr/bin/env bash
# Benchmark (issue 4): submission-to-receipt latency with IDLE, 50 messages,
# against the local Dovecot and Postfix, next to Postfix's own delivery time.
# Usage: [VIA=coremail] bench/latency.sh [N]   (VIA=coremail: through the Coremail
# emulator, no IDLE, default polling; see bench/latency.py)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet --bin mailroom
deploy/local/mailenv.sh up >/dev/null
eval "$(deploy/local/mailenv.sh env)"
WORK=${BENCH_DIR:-/var/tmp/mailroom-bench}/latency
rm -rf "$WORK"
python3 bench/latency.py "$PWD/target/release/mailroom" "$WORK" "${1:-50}"
