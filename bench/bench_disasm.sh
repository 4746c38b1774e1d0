#!/usr/bin/env bash
# Builds an optimized dumpdbg in build-bench/ (or $BENCH_BUILD) and times uf, u L5000 and ub L1000
# on a generated function of ~5,000 x64 instructions (bench/bench_disasm.py; BLOCKS as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BENCH_BUILD:-build-bench}"
[[ -d "$build" ]] || meson setup "$build" -Dbuildtype=release >/dev/null
meson compile -C "$build" >/dev/null
exec python3 bench/bench_disasm.py "$build/dumpdbg" "${1:-400}"
