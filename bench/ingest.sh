#!/usr/bin/env bash
# Benchmark (issue 3): `mailroom ingest` of COUNT messages (the sample set
# repeated with fresh Message-IDs) including classification, next to
# mail-parser alone and mailroom's `inspect` alone over the same files, in
# the same run. Reports messages/s, peak RSS, and the share of time that
# goes to looking inside attachments.
#
# With BASELINE=<git ref>, mailroom as of that commit is built too (in a
# worktree under the bench directory) and ingests the same files in the
# same rounds, interleaved: before/after figures from one run.
#
# Usage: [BASELINE=ref] bench/ingest.sh [COUNT] [ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
COUNT=${1:-10000}
ROUNDS=${2:-2}
WORK=${BENCH_DIR:-/var/tmp/mailroom-bench}/ingest
mkdir -p "$WORK"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time
cargo build --release --quiet --bin mailroom --example parse_baseline
BIN=$PWD/target/release/mailroom
BASE=$PWD/target/release/examples/parse_baseline
OLD=
if [[ -n ${BASELINE:-} ]]; then
  src=${BENCH_DIR:-/var/tmp/mailroom-bench}/baseline-src
  git worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
  git worktree add --detach "$src" "$BASELINE" >/dev/null
  (cd "$src" && CARGO_TARGET_DIR=${BENCH_DIR:-/var/tmp/mailroom-bench}/baseline-target \
    cargo build --release --quiet --bin mailroom)
  OLD=${BENCH_DIR:-/var/tmp/mailroom-bench}/baseline-target/release/mailroom
  echo "baseline: $(git rev-parse --short "$BASELINE"), current: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (+ uncommitted changes)')"
fi
if [[ ! -f $WORK/mail/done-$COUNT ]]; then
  rm -rf "$WORK/mail"
  python3 bench/gen_ingest.py tests/data/corpus "$WORK/mail" "$COUNT"
  touch "$WORK/mail/done-$COUNT"
fi
# The baseline refuses keys added since (an item's `short` title).
grep -v '^short =' config/campaign-2017.toml >"$WORK/campaign-baseline.toml"
cat >"$WORK/mailroom.toml" <<TOML
campaign = "$WORK/campaign-baseline.toml"
units = "$PWD/config/units.toml"
data_dir = "$WORK/data"
TOML
# The current code also rebuilds the materials tree at the end of an
# ingest; that stage has its own benchmark (bench/materials.sh). Off here,
# in a copy of the configuration the baseline (which knows no [materials])
# never reads.
sed "s|$WORK/campaign-baseline.toml|$PWD/config/campaign-2017.toml|" "$WORK/mailroom.toml" >"$WORK/mailroom-current.toml"
printf '[materials]\nenabled = false\n' >>"$WORK/mailroom-current.toml"
# Earlier outputs are moved aside, deleted at the end (see bench/aside.sh).
source bench/aside.sh
results=$WORK/results.txt
: >"$results"
# One timed ingest into an empty data directory: NAME BINARY.
ingest() {
  aside "$WORK/data"
  sync
  # The `resources` line (current code) gives the workers' peak too.
  /usr/bin/time -f "%e %M" -o "$WORK/time.$1" \
    env RUST_LOG=warn,mailroom::daemon=info "$2" --config "$WORK/$3" ingest --department org --no-receipts \
    --received-at 2018-01-24T10:00:00+08:00 "$WORK"/mail/*.eml >"$WORK/out.$1" 2>&1 ||
    { tail -20 "$WORK/out.$1"; exit 1; }
  read -r secs rss <"$WORK/time.$1"
  # time's %M is the largest single process of the tree (it may be the
  # worker): mailroom's own peak from its log, plus the worker's.
  own=$(sed -n 's/.* peak_rss_kb=\([0-9]*\).*/\1/p' "$WORK/out.$1" | tail -1)
  workers=$(sed -n 's/.*worker_peak_rss_kb=\([0-9]*\).*/\1/p' "$WORK/out.$1" | tail -1)
  echo "$1 $secs $((${own:-$rss} + ${workers:-0}))" | tee -a "$results"
}
for round in $(seq 1 "$ROUNDS"); do
  [[ -n $OLD ]] && ingest baseline "$OLD" mailroom.toml
  ingest ingest "$BIN" mailroom-current.toml
  "$BASE" "$WORK"/mail/*.eml | tee "$WORK/out.base"
  awk '/^parse/ {print "parse", $2, 0} /^inspect/ {print "inspect", $2, 0}' "$WORK/out.base" >>"$results"
done
tail -1 "$WORK/out.ingest"
python3 - "$results" "$COUNT" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
by = {}
for name, secs, rss in rows:
    by.setdefault(name, []).append((float(secs), int(rss)))
med = {k: statistics.median(s for s, _ in v) for k, v in by.items()}
print("| step | runs (s) | median (s) | messages/s | peak RSS (MB) |")
print("|---|---|---|---|---|")
for k, label in (("baseline", "baseline: mailroom ingest before the change"), ("ingest", "mailroom ingest (store + classify + record)"), ("inspect", "inspect alone (parse + look inside files)"), ("parse", "mail-parser alone")):
    if k not in by:
        continue
    v = by[k]
    rss = max(r for _, r in v) / 1024
    print(f"| {label} | {', '.join(f'{s:.2f}' for s, _ in v)} | {med[k]:.2f} | {n / med[k]:.0f} | {rss:.0f} |" if rss else
          f"| {label} | {', '.join(f'{s:.2f}' for s, _ in v)} | {med[k]:.2f} | {n / med[k]:.0f} | – |")
if "baseline" in med:
    print(f"\ncurrent vs baseline: {med['baseline'] / med['ingest']:.2f}x the throughput ({(med['ingest'] / med['baseline'] - 1):+.0%} time); peak RSS is the ingest process plus its largest worker")
share = (med["inspect"] - med["parse"]) / med["ingest"]
print(f"\nattachment inspection (inspect minus parse) is {share:.0%} of the ingest time; parsing {med['parse'] / med['ingest']:.0%}")
PY
