#!/usr/bin/env bash
# Builds an optimized dumpdbg in build-bench/ and runs the open/parse benchmark over the corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d build-bench ]] || meson setup build-bench -Dbuildtype=release >/dev/null
meson compile -C build-bench >/dev/null
# GNU time measures peak RSS (apt-get install time).
exec python3 bench/bench_open.py build-bench/dumpdbg "${1:-21}"
