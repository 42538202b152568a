#!/usr/bin/env bash
# Benchmark (issue 11): `mailroom materials --rebuild` over a big ledger.
#
# The ledger is bench/ingest.sh's (COUNT messages, the sample set repeated
# with fresh Message-IDs, all into org) when its data directory holds them all:
# the database is copied and raw/ hard-linked (read-only use; its own tree
# is never written). Otherwise COUNT messages are generated and ingested
# here first.
#
# Timed: a full build (no tree: every message opened), an update with the
# tree in place (nothing new: every file linked from the old tree, the
# daemon's case after each batch), and a zip of one 科室. Reports time,
# peak RSS, and the tree's disk use (hard links counted once) next to its
# apparent size (each name counted).
#
# Usage: bench/materials.sh [COUNT]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
COUNT=${1:-10000}
BENCH=${BENCH_DIR:-/var/tmp/mailroom-bench}
WORK=$BENCH/materials
SRC=$BENCH/ingest/data
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time
cargo build --release --quiet --bin mailroom
BIN=$PWD/target/release/mailroom
rm -rf "$WORK"
mkdir -p "$WORK/data"
cat >"$WORK/mailroom.toml" <<TOML
campaign = "$PWD/config/campaign-2017.toml"
units = "$PWD/config/units.toml"
data_dir = "$WORK/data"
[digest]
enabled = false
[reminders]
enabled = false
[materials]
enabled = false
TOML
run() { RUST_LOG=warn "$BIN" --config "$WORK/mailroom.toml" "$@"; }
# Its ledger only when complete (bench/ingest.sh may be filling it right now).
complete() {
  [[ -f $SRC/mailroom.db ]] || return 1
  local m d
  m=$(sqlite3 "$SRC/mailroom.db" "select count(*) from messages" 2>/dev/null) || return 1
  d=$(sqlite3 "$SRC/mailroom.db" "select count(*) from deliveries" 2>/dev/null) || return 1
  [[ $m -ge $COUNT && $m -eq $d ]]
}
if complete; then
  echo "ledger: $SRC ($(ls "$SRC/raw" | wc -l) raw folders)"
  sqlite3 "$SRC/mailroom.db" ".backup $WORK/data/mailroom.db"
  cp -al "$SRC/raw" "$WORK/data/raw"
else
  mail=$BENCH/materials-mail
  [[ -f $mail/done-$COUNT ]] || { rm -rf "$mail"; python3 bench/gen_ingest.py tests/data/corpus "$mail" "$COUNT"; touch "$mail/done-$COUNT"; }
  run ingest --department org --no-receipts --received-at 2018-01-24T10:00:00+08:00 "$mail"/*.eml | tail -1
fi
echo "submissions: $(sqlite3 "$WORK/data/mailroom.db" "select count(*) from deliveries where kind='submission'"), attachments: $(sqlite3 "$WORK/data/mailroom.db" "select count(*) from attachments")"
timed() {
  local name=$1
  shift
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time.$name" "$@" >"$WORK/out.$name" 2>&1 || { tail "$WORK/out.$name"; exit 1; }
  read -r secs rss <"$WORK/time.$name"
  echo "| $name | $secs | $((rss / 1024)) | $(tail -1 "$WORK/out.$name") |"
}
echo "| step | seconds | peak RSS (MB) | output |"
echo "|---|---|---|---|"
M=(env RUST_LOG=warn "$BIN" --config "$WORK/mailroom.toml" materials)
timed full "${M[@]}" --rebuild
timed update "${M[@]}" --rebuild
rm -rf "$WORK/data/materials"
timed full-again "${M[@]}" --rebuild
timed zip-org "${M[@]}" --department org --out "$WORK/org.zip"
echo
echo "tree on disk (hard links once): $(du -sh "$WORK/data/materials" | cut -f1); apparent (every name): $(du -sh --count-links "$WORK/data/materials" | cut -f1); files: $(find "$WORK/data/materials" -type f | wc -l); zip of org: $(du -h "$WORK/org.zip" | cut -f1); raw/: $(du -sh "$WORK/data/raw" | cut -f1)"
