#!/usr/bin/env python3
"""Times `s` (search memory) over a 1 GiB full-memory minidump.

Writes a synthetic x64 minidump (SystemInfo, an empty ThreadList and a Memory64List holding
one 1 GiB range of pseudo-random bytes at 0x10000000 with a marker string near its end) into
a temporary directory, then runs dumpdbg with searches over the whole user address space and
prints the wall time of each (best of 3). The search streams over the mapped file: its cost
is the dump's size, not the range's.

    bench/bench_search.py path/to/dumpdbg [SIZE_MIB]
"""
import os
import random
import re
import resource
import struct
import subprocess
import sys
import tempfile
import time

BASE = 0x10000000
MARKER = b"DUMPDBG-SEARCH-MARKER"


def write_dump(path, size):
    # MINIDUMP_HEADER, then a 3-entry stream directory (minidumpapiset.h layouts).
    header_size, dir_size = 32, 3 * 12
    sysinfo_rva = header_size + dir_size
    sysinfo = struct.pack("<HHHBBIIIIIHH", 9, 6, 0, 8, 1, 10, 0, 19041, 2, 0, 0, 0)
    sysinfo += b"\0" * (56 - len(sysinfo))
    threads_rva = sysinfo_rva + len(sysinfo)
    threads = struct.pack("<I", 0)
    mem_rva = threads_rva + len(threads)
    data_rva = mem_rva + 16 + 16
    mem = struct.pack("<QQ", 1, data_rva) + struct.pack("<QQ", BASE, size)
    with open(path, "wb") as f:
        f.write(struct.pack("<IIIIIIQ", 0x504D444D, 0xA793, 3, header_size, 0, 0, 2))
        f.write(struct.pack("<III", 7, len(sysinfo), sysinfo_rva))
        f.write(struct.pack("<III", 3, len(threads), threads_rva))
        f.write(struct.pack("<III", 9, len(mem), mem_rva))
        f.write(sysinfo + threads + mem)
        rng = random.Random(1)
        chunk = bytes(rng.getrandbits(8) for _ in range(1 << 20))
        written = 0
        while written < size:
            f.write(chunk[: min(len(chunk), size - written)])
            written += len(chunk)
        f.seek(data_rva + size - 4096)
        f.write(MARKER)


def timed(exe, dump, cmd):
    """Best wall time and best CPU time (user + system) of 3 runs, and the output."""
    best, best_cpu, out = None, None, ""
    for _ in range(3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run([exe, "-z", dump, "-c", cmd + "; q"], capture_output=True, text=True)
        dt = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        best = dt if best is None or dt < best else best
        best_cpu = cpu if best_cpu is None or cpu < best_cpu else best_cpu
        out = p.stdout
    return best, best_cpu, out


def main():
    exe = sys.argv[1]
    size = (int(sys.argv[2]) if len(sys.argv) > 2 else 1024) << 20
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "search.dmp")
        write_dump(dump, size)
        base, base_cpu, _ = timed(exe, dump, "vertarget")
        print("open only: %.3f s wall, %.3f s CPU" % (base, base_cpu))
        for cmd in ['s -a 0 L?7fffffffffff "%s"' % MARKER.decode(),
                    "s -[1]b 0 L?7fffffffffff 44 55 4d 50 44 42 47",
                    "s -[1]d 0 L?7fffffffffff 12345678",
                    's -[1]u 0 L?7fffffffffff "DUMPDBG"']:
            dt, cpu, out = timed(exe, dump, cmd)
            hits = sum(1 for line in out.splitlines() if re.match(r"[0-9a-f]{8}`[0-9a-f]{8}", line))
            print("%-50s %.3f s wall, %.3f s CPU, %d hits, %.2f GB/s of CPU" % (
                cmd, dt, cpu, hits, size / max(cpu - base_cpu, 1e-6) / 1e9))


if __name__ == "__main__":
    main()
