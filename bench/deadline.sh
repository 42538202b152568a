#!/usr/bin/env bash
# Benchmark (issue 12): the outbox on deadline day under NetEase's quotas,
# and draining after an SMTP outage, through the NetEase SMTP emulator and
# the real Postfix (bench/deadline.py has the scenarios). With
# BASELINE=<git ref>, mailroom as of that commit runs the same scenarios in
# the same run (built in a worktree under the bench directory).
#
# Usage: [BASELINE=ref] bench/deadline.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
WORK=${BENCH_DIR:-/var/tmp/mailroom-bench}
export MAILENV_DIR=$WORK/mailenv-full MAILENV_PORT_BASE=${BENCH_FULL_PORT_BASE:-25000}
cargo build --release --quiet --bin mailroom
BIN=$PWD/target/release/mailroom
OLD=
if [[ -n ${BASELINE:-} ]]; then
  src=$WORK/baseline-src
  git worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
  git worktree add --detach "$src" "$BASELINE" >/dev/null
  (cd "$src" && CARGO_TARGET_DIR=$WORK/baseline-target cargo build --release --quiet --bin mailroom)
  OLD=$WORK/baseline-target/release/mailroom
fi
deploy/local/mailenv.sh up >/dev/null
eval "$(deploy/local/mailenv.sh env)"
results=$WORK/deadline-results.txt
: >"$results"
for scenario in deadline outage; do
  [[ -n $OLD ]] && python3 bench/deadline.py "$OLD" baseline "$scenario" | tee -a "$results"
  python3 bench/deadline.py "$BIN" current "$scenario" | tee -a "$results"
done
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes')${BASELINE:+, baseline $(git rev-parse --short "$BASELINE")}"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
d = [r for r in rows if r["scenario"] == "deadline"]
print("| deadline day | receipts sent / failed (of 150) | last receipt, hours after the first arrival | SMTP attempts per delivered mail | refused by the server | reminders / digests sent | runs | wall (s) |")
print("|---|---|---|---|---|---|---|---|")
for r in d:
    print(f"| {r['label']} | {r['receipts_sent']} / {r['receipts_failed']} | {r['last_receipt_hours_after_first_arrival']} | {r['attempts_per_delivered']} | {r['refused_by_server']} | {r['reminders_sent']} / {r['digests_sent']} | {r['runs']} | {r['wall_s']} |")
o = [r for r in rows if r["scenario"] == "outage"]
print()
print("| after a 5-minute outage | sent (of 300) | last receipt, s after the server is back (simulated) | runs after it is back | wall time of those runs (s) |")
print("|---|---|---|---|---|")
for r in o:
    print(f"| {r['label']} | {r['sent']} | {r['last_sent_s_after_back']} | {r['runs_after_back']} | {r['wall_s_after_back']} |")
PY
