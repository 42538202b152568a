#!/usr/bin/env bash
# The main job on a fresh machine, end to end: start the local Dovecot and
# Postfix, load the sample mail into the five department mailboxes, run one
# pass of mailroom over them, and show what it stored and understood.
#
# Usage: deploy/local/demo.sh        (as root on a fresh machine; idempotent)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

deploy/local/mailenv.sh up
eval "$(deploy/local/mailenv.sh env)"

echo "== building mailroom"
cargo build --quiet --bin mailroom
BIN=target/debug/mailroom
CFG=deploy/local/mailroom.toml

echo "== fresh demo state: empty mailboxes and data directory (.demo/)"
rm -rf .demo
deploy/local/mailenv.sh wipe dgyouth@126.com tswzzb3@126.com 2219564@163.com a22233740@126.com dglxtgw@163.com
python3 deploy/local/load-samples.py tests/data/corpus

echo "== mailroom check-config"
"$BIN" --config "$CFG" check-config

echo "== mailroom run --once"
"$BIN" --config "$CFG" run --once

echo "== mailroom messages"
"$BIN" --config "$CFG" messages

echo "== mailroom review   (what needs a person)"
"$BIN" --config "$CFG" review

echo "== mailroom status   (units × projects: ✓ 已收, 逾 逾期, · 未收)"
"$BIN" --config "$CFG" status

echo "== mailroom outbox   (receipts sent through the local Postfix)"
"$BIN" --config "$CFG" outbox | tail -n 5
echo
echo "Next: $BIN --config $CFG export --format xlsx --out demo.xlsx   (or: late, digest --department org --preview)"
