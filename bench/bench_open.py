#!/usr/bin/env python3
"""Times `dumpdbg -z DUMP -c "vertarget; ~; lm; r; q"` over every corpus dump.

Prints, per dump, the median wall time of N runs and the largest peak RSS among
them (GNU time's %M; Python's own rusage would count the forked interpreter).
Usage: bench_open.py DUMPDBG [N] [CORPUS_DIR]
This is a benchmark, not a test: it never fails on timing.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


GNU_TIME = "/usr/bin/time"


def run_once(exe, dump):
    cmd = [exe, "-z", dump, "-c", "vertarget; ~; lm; r; q"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t0
    rss = 0
    if os.path.exists(GNU_TIME):
        with tempfile.NamedTemporaryFile("r") as out:
            subprocess.run([GNU_TIME, "-o", out.name, "-f", "%M"] + cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rss = int(out.read().strip().split()[-1] or 0)
    return elapsed, rss, p.returncode


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-bench", "dumpdbg")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    corpus = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "..", "shared", "corpus", "user")
    dumps = []
    for d, _, files in os.walk(corpus):
        dumps += [os.path.join(d, f) for f in files if f.endswith(".dmp")]
    fixtures = os.path.join(ROOT, "tests", "fixtures", "dumps")
    if os.path.isdir(fixtures):
        dumps += [os.path.join(fixtures, f) for f in os.listdir(fixtures) if f.endswith(".dmp")]
    print(f"{'dump':60} {'size':>10} {'median ms':>10} {'max RSS KB':>11} exit")
    for dump in sorted(dumps):
        times, rss, code = [], 0, 0
        for _ in range(n):
            t, r, code = run_once(exe, dump)
            times.append(t)
            rss = max(rss, r)
        name = os.path.relpath(dump, os.path.dirname(corpus)) if dump.startswith(corpus) else \
            os.path.relpath(dump, ROOT)
        print(f"{name[-60:]:60} {os.path.getsize(dump):>10} {statistics.median(times) * 1000:>10.2f}"
              f" {rss:>11} {code}")


if __name__ == "__main__":
    main()
