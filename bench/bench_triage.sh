#!/usr/bin/env bash
# bench_triage.sh - the batch-triage benchmark of issue 6 ("Performance"): run
# `dumpdbg triage --batch` over the shared corpus and the repo's fixture dumps and report dumps
# per second per core, peak memory (GNU time -v) and the per-dump times the records carry.
#
# Usage: bench/bench_triage.sh [DIR...]
#   DIR    directories to triage (default: ../shared/corpus and tests/fixtures/dumps)
# Environment: BENCH_BUILD (release build directory, default build-bench), RUNS (repetitions,
# median wall time reported; default 3), JOBS (workers, default: online CPUs), BENCH_SYMPATH
# (symbol path for the run; default none, so no symbol server is asked and the figures do not
# depend on the network: _NT_SYMBOL_PATH and _NT_ALT_SYMBOL_PATH are unset).
# A benchmark, not a test: it reports figures and exits 0 whatever they are.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BENCH_BUILD:-build-bench}
RUNS=${RUNS:-3}
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
if [[ $# -gt 0 ]]; then
    DIRS=("$@")
else
    DIRS=()
    [[ -d ../shared/corpus ]] && DIRS+=(../shared/corpus)
    DIRS+=(tests/fixtures/dumps)
fi
[[ -x /usr/bin/time ]] || { echo "bench_triage.sh: needs GNU time (/usr/bin/time)" >&2; exit 1; }
[[ -d $BUILD ]] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
if ! meson compile -C "$BUILD" dumpdbg:executable >"$BUILD/bench-compile.log" 2>&1; then
    tail -20 "$BUILD/bench-compile.log" >&2
    echo "bench_triage.sh: the build failed" >&2
    exit 1
fi
DUMPDBG=$BUILD/dumpdbg

unset _NT_SYMBOL_PATH _NT_ALT_SYMBOL_PATH
SYMARGS=()
[[ -n ${BENCH_SYMPATH:-} ]] && SYMARGS=(-y "$BENCH_SYMPATH")
BATCH=()
for d in "${DIRS[@]}"; do BATCH+=(--batch "$d"); done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "dumpdbg triage ${BATCH[*]} -j $JOBS (${RUNS} runs, $(getconf _NPROCESSORS_ONLN) CPUs online)"
for ((r = 1; r <= RUNS; r++)); do
    # Exit status 1 (some dumps are malformed on purpose) is expected.
    /usr/bin/time -v -o "$TMP/time.$r" "$DUMPDBG" triage -j "$JOBS" "${SYMARGS[@]}" "${BATCH[@]}" \
        >"$TMP/records.$r" 2>"$TMP/stderr.$r" || true
done

python3 - "$TMP" "$RUNS" "$JOBS" <<'EOF'
import json, os, statistics, sys

tmp, runs, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def gnu_time(path):
    facts = {}
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        facts[k] = v
    wall = facts["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
    return (secs, float(facts["User time (seconds)"]) + float(facts["System time (seconds)"]),
            int(facts["Maximum resident set size (kbytes)"]))

walls, cpus, rss = [], [], []
for r in range(1, runs + 1):
    w, c, m = gnu_time(os.path.join(tmp, f"time.{r}"))
    walls.append(w), cpus.append(c), rss.append(m)
recs = [json.loads(l) for l in open(os.path.join(tmp, f"records.{runs}"))]
n = len(recs)
ok = sum(r["status"] == "ok" for r in recs)
wall, cpu = statistics.median(walls), statistics.median(cpus)
print(f"dumps: {n} ({ok} analyzed, {n - ok} error records)")
print(f"wall time: {wall:.3f} s (median of {runs}: {', '.join(f'{w:.3f}' for w in walls)})")
print(f"CPU time (user+sys, all processes): {cpu:.3f} s")
print(f"throughput: {n / wall:.1f} dumps/s with {jobs} workers = {n / wall / jobs:.1f} dumps/s/core;"
      f" {n / cpu:.1f} dumps per CPU-second")
print(f"peak RSS of any one process (GNU time, max over runs): {max(rss)} KB")
worker = [r["max_rss_kb"] for r in recs if "max_rss_kb" in r]
if worker:
    print(f"worker peak RSS: median {statistics.median(worker):.0f} KB, max {max(worker)} KB"
          f" (at most {jobs} workers at once: bounded by {jobs} x max + the parent)")
cpu_times = sorted(r["cpu_ms"] for r in recs if "cpu_ms" in r)
if cpu_times:
    print(f"per-dump CPU time (ms, the worker's own user+sys): median {statistics.median(cpu_times):.2f},"
          f" max {cpu_times[-1]:.2f}, total {sum(cpu_times):.1f}")
times = sorted(r["time_ms"] for r in recs)
def pct(p):
    return times[min(len(times) - 1, int(p * len(times)))]
print(f"per-dump time (ms): median {statistics.median(times):.2f}, p90 {pct(0.9):.2f},"
      f" max {times[-1]:.2f}, total {sum(times):.1f}")
small = [r for r in recs if os.path.getsize(r["path"]) < 100_000]
if small:
    print(f"small dumps (< 100 KB, {len(small)}): wall median {statistics.median(r['time_ms'] for r in small):.2f} ms,"
          f" max {max(r['time_ms'] for r in small):.2f} ms; CPU median"
          f" {statistics.median(r.get('cpu_ms', 0) for r in small):.2f} ms")
print("per dump (wall ms, CPU ms, peak RSS KB, size, status, path, bucket or error):")
for r in sorted(recs, key=lambda r: -r["time_ms"]):
    size = os.path.getsize(r["path"])
    what = r.get("bucket") or (r.get("error") or {}).get("message", "")[:60]
    print(f"  {r['time_ms']:9.2f} {r.get('cpu_ms', 0):8.2f} {r.get('max_rss_kb', 0):7} {size:>9}"
          f" {r['status']:5}  {r['path']}  {what}")
EOF
