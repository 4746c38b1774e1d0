#!/usr/bin/env python3
"""Bucket stability: the same crash in two dumps gets one bucket and hash, another crash not.

    bucket_stability.py DUMPDBG

`dumpdbg triage` over three repo fixtures (tests/fixtures/dumps): crash_in_dll.dmp.xz and
crash_in_dll_reloc.dmp.xz are two runs of one program (tests/fixtures/gen/crash_in_dll.c)
crashing in the same place, the second with its DLL relocated (other load address, pid, thread
ids); crash_null_write.dmp is a different crash. Expected: the two runs share bucket and hash,
the bucket is the one WinDbg's conventions give for the known crash (NULL_POINTER_WRITE, the
DLL and function the source names), the hash is MD5 of the UTF-16LE lowercase "um:" + bucket
(computed here), and crash_null_write's bucket and hash differ.
Prints "ok NAME" / "FAIL NAME" lines and "N passed, N failed, N skipped".
"""
import hashlib
import json
import lzma
import os
import subprocess
import sys
import tempfile
import uuid

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DUMPS = os.path.join(ROOT, "tests", "fixtures", "dumps")


def failure_hash(bucket):
    digest = hashlib.md5(("um:" + bucket).lower().encode("utf-16-le")).digest()
    return "{%s}" % uuid.UUID(bytes_le=digest)


def main():
    dumpdbg = sys.argv[1]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name in ("crash_in_dll.dmp.xz", "crash_in_dll_reloc.dmp.xz"):
            out = os.path.join(tmp, name[:-3])
            with lzma.open(os.path.join(DUMPS, name)) as src, open(out, "wb") as dst:
                dst.write(src.read())
            paths.append(out)
        paths.append(os.path.join(DUMPS, "crash_null_write.dmp"))
        p = subprocess.run([dumpdbg, "triage", "--sorted", "-y", DUMPS, "-i", DUMPS, *paths],
                           capture_output=True, timeout=300)
        recs = {}
        for line in p.stdout.decode("utf-8").splitlines():
            r = json.loads(line)
            recs[os.path.basename(r["path"])] = r
    if p.returncode != 0:
        problems.append("triage exit status %d" % p.returncode)
    a, b, c = (recs.get(n, {}) for n in ("crash_in_dll.dmp", "crash_in_dll_reloc.dmp",
                                         "crash_null_write.dmp"))
    want = "NULL_POINTER_WRITE_c0000005_crash_in_dll_lib.dll!dll_store"
    for name, r in (("crash_in_dll.dmp", a), ("crash_in_dll_reloc.dmp", b)):
        if r.get("bucket") != want:
            problems.append("%s: bucket %r, expected %r" % (name, r.get("bucket"), want))
        if r.get("hash") != failure_hash(want):
            problems.append("%s: hash %r, expected %r" % (name, r.get("hash"), failure_hash(want)))
    if a.get("exception", {}).get("address") == b.get("exception", {}).get("address"):
        problems.append("the two runs fault at the same address: the DLL was not relocated")
    if not c.get("bucket") or c.get("bucket") == a.get("bucket") or c.get("hash") == a.get("hash"):
        problems.append("crash_null_write.dmp: bucket %r / hash %r not different"
                        % (c.get("bucket"), c.get("hash")))
    if problems:
        print("FAIL bucket_stability")
        for x in problems:
            print("  " + x)
    else:
        print("ok   bucket_stability")
    print("%d passed, %d failed, 0 skipped" % (0 if problems else 1, 1 if problems else 0))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
