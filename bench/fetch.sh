#!/usr/bin/env bash
# Benchmark (issue 2): `mailroom run --once` against a plain full fetch of the
# same 10,000-message (~1.7 GB) Dovecot mailbox, in the same run: mbsync
# (isync) and a minimal Python imaplib loop. Reports wall time, ratio and
# peak RSS. Each tool runs ROUNDS times, interleaved, each into an empty
# destination; the mailbox is indexed by Dovecot first so nobody pays that.
#
# Usage: bench/fetch.sh [COUNT] [ROUNDS]     (needs root; ~5 GB free in /var/tmp)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
COUNT=${1:-10000}
ROUNDS=${2:-2}
WORK=${BENCH_DIR:-/var/tmp/mailroom-bench}
export MAILENV_DIR=$WORK/mailenv MAILENV_PORT_BASE=${BENCH_PORT_BASE:-24000}

command -v mbsync >/dev/null || apt-get install -y -qq isync
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time
cargo build --release --quiet --bin mailroom
BIN=$PWD/target/release/mailroom

deploy/local/mailenv.sh up --dovecot-only >/dev/null
eval "$(deploy/local/mailenv.sh env)"
USER_=bench
MAILDIR=$MAILENV_MAIL_ROOT/$USER_/Maildir
if [[ ! -f $WORK/loaded-$COUNT ]]; then
  rm -rf "$MAILDIR"
  python3 bench/gen_maildir.py "$MAILDIR" "$COUNT"
  chown -R nobody:nogroup "$MAILDIR"
  doveadm -c "$MAILENV_DIR/dovecot/dovecot.conf" index -u "$USER_" INBOX
  touch "$WORK/loaded-$COUNT"
fi
SIZE=$(du -sm "$MAILDIR" | cut -f1)

cat >"$WORK/mbsyncrc" <<RC
IMAPAccount bench
Host 127.0.0.1
Port $MAILENV_IMAP_PORT
User $USER_
Pass $MAILENV_PASSWORD
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path $WORK/mbsync-out/
Inbox $WORK/mbsync-out/INBOX

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Sync Pull
Create Near
SyncState *
RC

# mailroom straight from Dovecot, and through the Coremail emulator (no
# IDLE, no UIDNEXT, ID required: what 126/163 are).
for via in dovecot coremail; do
  port=$MAILENV_IMAP_PORT
  [[ $via == coremail ]] && port=$MAILENV_COREMAIL_IMAP_PORT
  cat >"$WORK/mailroom-$via.toml" <<TOML
campaign = "$PWD/config/campaign-2017.toml"
units = "$PWD/config/units.toml"
data_dir = "$WORK/mailroom-data"
# The materials tree is a later stage with its own benchmark
# (bench/materials.sh); this one compares getting mail in with mbsync.
[materials]
enabled = false
[[mailbox]]
department = "org"
[mailbox.imap]
host = "127.0.0.1"
port = $port
tls = "plain"
username = "$USER_"
password_env = "MAILENV_PASSWORD"
TOML
done

# measure NAME CMD...: wall seconds and max RSS (KB) via GNU time.
measure() {
  local name=$1; shift
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time.$name" "$@" >"$WORK/out.$name" 2>&1 || {
    echo "$name failed:"; tail -20 "$WORK/out.$name"; exit 1; }
  read -r secs rss <"$WORK/time.$name"
  echo "$name $secs $rss"
}

# Earlier outputs are moved aside, deleted at the end (see bench/aside.sh).
source bench/aside.sh

results=$WORK/results.txt
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
  aside "$WORK/mbsync-out" "$WORK/mailroom-data" "$WORK/imaplib-out"
  mkdir -p "$WORK/mbsync-out"
  measure mbsync mbsync -q -c "$WORK/mbsyncrc" -a | sed 's/$/ -/' | tee -a "$results"
  for via in dovecot coremail; do
    aside "$WORK/mailroom-data"
    line=$(measure "mailroom-$via" env RUST_LOG=warn,mailroom::daemon=info "$BIN" --config "$WORK/mailroom-$via.toml" run --once --no-receipts)
    # Fetching ends before understanding does: its own time, from the log;
    # memory is mailroom plus its largest inspection worker.
    fetch_ms=$(sed -n 's/.*fetch_ms=\([0-9]*\).*/\1/p' "$WORK/out.mailroom-$via" | tail -1)
    # (time's %M is the largest single process of the tree, here often the
    # worker: adding the worker to it would count the worker twice.)
    own=$(sed -n 's/.* peak_rss_kb=\([0-9]*\).*/\1/p' "$WORK/out.mailroom-$via" | tail -1)
    workers=$(sed -n 's/.*worker_peak_rss_kb=\([0-9]*\).*/\1/p' "$WORK/out.mailroom-$via" | tail -1)
    read -r name secs rss <<<"$line"
    echo "$name $secs $((${own:-$rss} + ${workers:-0})) $fetch_ms" | tee -a "$results"
  done
  measure imaplib python3 bench/imaplib_fetch.py 127.0.0.1 "$MAILENV_IMAP_PORT" "$USER_" "$MAILENV_PASSWORD" "$WORK/imaplib-out" | sed 's/$/ -/' | tee -a "$results"
done
stored=$(sqlite3 "$WORK/mailroom-data/mailroom.db" "select count(*) from deliveries")
echo
echo "mailbox: $COUNT messages, ${SIZE} MB on disk; mailroom stored and classified $stored; commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes')"
python3 - "$results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by, fetch = {}, {}
for name, secs, rss, f in rows:
    by.setdefault(name, []).append((float(secs), int(rss)))
    if f != "-":
        fetch.setdefault(name, []).append(int(f) / 1000)
med = {k: statistics.median(s for s, _ in v) for k, v in by.items()}
print("| tool | runs, end to end (s) | median (s) | vs mbsync | of which fetching (s, median) | peak RSS (MB) |")
print("|---|---|---|---|---|---|")
labels = {"mbsync": "mbsync", "mailroom-dovecot": "mailroom run --once (Dovecot)", "mailroom-coremail": "mailroom run --once (Coremail front)", "imaplib": "imaplib (floor, no fsync)"}
for k in ("mbsync", "mailroom-dovecot", "mailroom-coremail", "imaplib"):
    v = by[k]
    f = f"{statistics.median(fetch[k]):.1f}" if k in fetch else "–"
    print(f"| {labels[k]} | {', '.join(f'{s:.1f}' for s, _ in v)} | {med[k]:.1f} | {med[k] / med['mbsync']:.2f}x | {f} | {max(r for _, r in v) / 1024:.0f} |")
PY
