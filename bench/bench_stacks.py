#!/usr/bin/env python3
"""Times `~*k` (open the dump, load symbols, walk every thread) on the corpus dumps that come with
symbols, and on minidump2.dmp beside `lldb-16 -b -c DUMP -o "thread backtrace all"` in the same run
(issue 4 "Performance": the whole dumpdbg run on minidump2.dmp should beat 10 ms).

    bench/bench_stacks.py path/to/dumpdbg [RUNS]

Prints the median wall time of RUNS runs (default 21) per dump, interleaving the two tools so
machine load affects both alike, and the user+system CPU time of the same runs (steadier on a
busy machine). Needs the shared corpus (../shared/corpus or DD_CORPUS); lldb-16 is optional.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.environ.get("DD_CORPUS", os.path.join(HERE, "..", "..", "shared", "corpus"))
USER = os.path.join(CORPUS, "user")

# (dump, symbol path) pairs: each dump with the symbols its upstream project ships for it.
CASES = [
    ("google-breakpad/minidump2.dmp", "google-breakpad/symbols"),
    ("mozilla-minidump-stackwalk/windows-x86.dmp", "mozilla-minidump-stackwalk/symbols"),
    ("mozilla-minidump-stackwalk/windows-aarch64.dmp", "mozilla-minidump-stackwalk/symbols"),
    ("llvm-lldb/fizzbuzz_no_heap.dmp", "llvm-lldb"),
    ("getsentry-symbolicator/windows.dmp", "getsentry-symbolicator/symbols"),
]


def timed(cmd):
    """Runs CMD; returns (wall seconds, child CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    dumpdbg = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    if not os.path.isdir(USER):
        sys.exit("shared corpus not found (set DD_CORPUS)")
    lldb = shutil.which("lldb-16")
    print(f"{'dump':48} {'dumpdbg ms (cpu)':>18} {'lldb-16 ms (cpu)':>18}")
    for dump, syms in CASES:
        path = os.path.join(USER, dump)
        if not os.path.exists(path):
            continue
        ours = [dumpdbg, "-z", path, "-y", os.path.join(USER, syms), "-c", "~*k; q"]
        theirs = [lldb, "-b", "-c", path, "-o", "thread backtrace all"] if lldb else None
        a, b = [], []
        for _ in range(runs):
            a.append(timed(ours))
            if theirs and dump.endswith("minidump2.dmp"):
                b.append(timed(theirs))
        med = lambda xs, i: statistics.median(x[i] for x in xs) * 1000
        other = f"{med(b, 0):9.1f} ({med(b, 1):5.1f})" if b else f"{'-':>18}"
        print(f"{dump:48} {med(a, 0):9.1f} ({med(a, 1):5.1f}) {other}")


if __name__ == "__main__":
    main()
