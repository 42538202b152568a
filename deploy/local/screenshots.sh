#!/usr/bin/env bash
# Renders what people read, to look at it: sample receipts (on time, late,
# misrouted, unreadable, unknown unit), a department's digest and a
# reminder, as mailroom writes them, in headless Chromium at phone width
# (390×844) and desktop width (1280×900); and every workbook mailroom
# attaches or exports, through LibreOffice headless, as PDF and PNG.
#
#   deploy/local/screenshots.sh [OUT_DIR]     (default: target/screenshots)
#
# Needs no mail server: the sample mail is imported with `mailroom ingest`
# into a throw-away ledger. Installs chromium with apt-get if it is missing.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$repo/target/screenshots}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v chromium >/dev/null; then
    echo "chromium missing: installing it with apt-get" >&2
    apt-get install -y chromium >/dev/null
fi
command -v soffice >/dev/null || { echo "LibreOffice (soffice) is needed" >&2; exit 1; }

cd "$repo"
cargo build --quiet --bin mailroom --example receipt_samples
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"

# Receipts: the pure renderer, one sample per outcome.
"$bin/examples/receipt_samples" "$out"

# A throw-away installation: the repository's campaign and units, mailboxes
# that are never contacted (nothing is fetched or sent here).
cp config/campaign-2017.toml config/units.toml "$work/"
{
    printf 'campaign = "campaign-2017.toml"\nunits = "units.toml"\ndata_dir = "data"\n'
    for d in office org publicity school liangxin; do
        printf '\n[[mailbox]]\ndepartment = "%s"\n[mailbox.imap]\nhost = "127.0.0.1"\nport = 9\ntls = "plain"\nusername = "%s@screenshots.invalid"\npassword_env = "SCREENSHOTS_UNUSED"\n' "$d" "$d"
        printf '[mailbox.smtp]\nhost = "127.0.0.1"\nport = 9\ntls = "plain"\nauth = false\nfrom = "%s@screenshots.invalid"\n' "$d"
    done
} >"$work/mailroom.toml"
export SCREENSHOTS_UNUSED=unused
mr() { "$bin/mailroom" --config "$work/mailroom.toml" "$@"; }

corpus=tests/data/corpus
ingest() { # department, arrival, file
    RUST_LOG=warn mr ingest --no-receipts --department "$1" --received-at "$2" "$corpus/$3" >/dev/null
}
ingest org 2018-01-17T10:23:48+08:00 001-shijie-zhihuituanjian.eml
ingest org 2018-01-17T09:41:29+08:00 003-nancheng-overview-form.eml
ingest org 2018-01-23T16:02:00+08:00 014-changping-project4.eml
ingest org 2018-01-25T11:30:00+08:00 013-tangxia-misrouted.eml
ingest org 2018-01-26T19:12:00+08:00 009-qingxi-late.eml
ingest org 2018-01-26T09:05:00+08:00 041-tangxia-office.eml
ingest org 2018-01-24T08:31:16+08:00 008-unknown-unit.eml
ingest org 2018-01-24T15:20:00+08:00 026-dalang-corrupt-xlsx.eml

now=2018-01-27T08:30:00+08:00
mr digest --department org --preview --html --now "$now" --attachments-to "$out" >"$out/digest-org.html"
mr remind --preview --unit wangniudun --html --now 2018-01-19T09:00:00+08:00 \
    --attachments-to "$out" >"$out/reminder-wangniudun.html"
mr export --format xlsx --out "$out/export.xlsx" --now "$now"

shot() { # html file, width, height
    local html="$1" w="$2" h="$3"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size="$w,$h" --screenshot="${html%.html}-$w.png" "file://$html" \
        >/dev/null 2>&1
}
for html in "$out"/*.html; do
    shot "$html" 390 844
    shot "$html" 1280 900
done

# Workbooks: what Excel/WPS would print. LibreOffice's own PNG export of a
# spreadsheet fails headless ("impl_store failed"), so the pages of its PDF
# become PNGs with poppler's pdftoppm where it is installed.
for x in "$out"/*.xlsx; do
    soffice --headless --convert-to pdf --outdir "$out" "$x" >/dev/null 2>&1
    pdf="${x%.xlsx}.pdf"
    if command -v pdftoppm >/dev/null; then
        pdftoppm -png -r 80 -f 1 -l 3 "$pdf" "${x%.xlsx}"
    else
        soffice --headless --convert-to png --outdir "$out" "$x" >/dev/null 2>&1 || true
    fi
done

ls -1 "$out"
