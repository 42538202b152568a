#!/usr/bin/env bash
# Benchmark: mutation fuzzing of inspect + classify (examples/fuzz.rs) in a
# release build for SECONDS (default 600), over the corpus, the blind and
# extra sets and the generated hostile set. Prints a Markdown summary for
# BENCHMARKS.md (also written to target/fuzz-summary.md); inputs that crash
# are kept in target/fuzz-crashes/, the slowest and most memory-hungry in
# target/fuzz-worst/.
#
# Usage: bench/fuzz.sh [SECONDS]    (FUZZ_SEED=0x... for another sequence)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION=${1:-600}
SEED=${FUZZ_SEED:-0x66757a7a6d61696c}
cargo build --release --quiet --example fuzz
rm -rf target/fuzz-hostile target/fuzz-worst
python3 tests/data/hostile/make.py target/fuzz-hostile
exec target/release/examples/fuzz --seconds "$DURATION" --seed "$SEED" --hostile target/fuzz-hostile
