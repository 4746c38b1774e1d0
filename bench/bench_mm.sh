#!/usr/bin/env bash
# bench_mm.sh - the address-translation benchmark of issue 8 ("Performance"): 100,000 random
# kernel addresses translated and read over a synthetic x64 4-level space, with the translation
# cache hit (hot pages) and missed (addresses over 65,536 pages), and page-crossing reads.
#
# Usage: bench/bench_mm.sh [COUNT] [PAGES]
# Environment: BENCH_BUILD (release build directory, default build-bench), RUNS (default 5).
# A benchmark, not a test: it prints figures and exits 0 whatever they are.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BENCH_BUILD:-build-bench}
RUNS=${RUNS:-5}
COUNT=${1:-100000}
PAGES=${2:-65536}
[[ -d $BUILD ]] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
meson compile -C "$BUILD" bench/bench_mm >/dev/null
for ((i = 1; i <= RUNS; i++)); do
    echo "== run $i of $RUNS =="
    "$BUILD/bench/bench_mm" -n "$COUNT" -p "$PAGES" -s "$i"
done
