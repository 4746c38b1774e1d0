#!/usr/bin/env bash
# bench_kdmp.sh - the kernel-dump benchmark of issue 8 ("Performance"): generate a large sparse
# x64 bitmap dump (tests/fixtures/gen/mkkdmp.py --bench), time opening it (the page bitmap is
# indexed without reading pages) and 100,000 random virtual reads (page-table walk + bitmap
# rank + read), cold (file pages dropped from the cache) and warm.
#
# Usage: bench/bench_kdmp.sh [SIZE] [COUNT]
#   SIZE   physical memory of the generated dump (default 4G; the file is sparse)
#   COUNT  random addresses (default 100000)
# Environment: BENCH_BUILD (release build directory, default build-bench), KEEP=1 keeps the dump.
# A benchmark, not a test: it reports figures and exits 0 whatever they are.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BENCH_BUILD:-build-bench}
SIZE=${1:-4G}
COUNT=${2:-100000}
DUMP=${TMPDIR:-/tmp}/dumpdbg-bench-kdmp-$SIZE.dmp

[[ -d $BUILD ]] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
meson compile -C "$BUILD" bench/bench_kdmp >/dev/null
BENCH=$BUILD/bench/bench_kdmp
[[ ${KEEP:-0} == 1 ]] || trap 'rm -f "$DUMP"' EXIT

t0=$(date +%s%N)
facts=$(python3 tests/fixtures/gen/mkkdmp.py --bench --size "$SIZE" "$DUMP")
t1=$(date +%s%N)
eval "$facts" # va_base=... va_size=... dtb=...
echo "generated $DUMP in $(( (t1 - t0) / 1000000 )) ms: $(du -h --apparent-size "$DUMP" | cut -f1)" \
     "apparent, $(du -h "$DUMP" | cut -f1) on disk"
echo
echo "== cold (page cache dropped)"
"$BENCH" -E "$DUMP" || true
"$BENCH" -n "$COUNT" "$DUMP" "$va_base" "$va_size"
echo
echo "== warm"
"$BENCH" -n "$COUNT" "$DUMP" "$va_base" "$va_size"
