#!/usr/bin/env python3
"""`dumpdbg triage` over a directory of good and bad dumps.

    triage_batch.py DUMPDBG

Builds a directory in a temporary place: the repo fixture crash_null_write.dmp, a copy of it cut
in half (truncated at test time), a file that is not a dump but is named like one, a nested
directory with the xz-compressed fixture crash_full_memory.dmp.xz, and files that are not dumps
by name (ignored). Checks: one JSON line per dump and none for the others, whole lines (each
parses), status "ok" with a bucket for the good dumps and an error record for the bad ones,
exit status 1 when some dump was bad and 0 when all were good, 2 for a directory that does not
exist, --sorted giving path order, the same records whatever the number of workers, and the
a worker that never finishes (opening a FIFO) stopped by --timeout with an error record, and the
verdict fields for crash_null_write.dmp: the bucket and FAILURE_ID_HASH WinDbg's conventions give
for its known crash (tests/fixtures/gen/crash_null_write.c stores through a NULL pointer in
crash_here; the hash is MD5 of the UTF-16LE lowercase "um:" + bucket, computed here), and a
directory deeper than 64 levels skipped with a note on stderr naming it.
Prints "ok NAME" / "FAIL NAME" lines and "N passed, N failed, N skipped".
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DUMPS = os.path.join(ROOT, "tests", "fixtures", "dumps")


class Result:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for p in problems[:20]:
                print(f"  {p}")
        else:
            self.passed += 1
            print(f"ok   {name}")


def triage(dumpdbg, *args):
    p = subprocess.run([dumpdbg, "triage", "-y", DUMPS, "-i", DUMPS, *args], capture_output=True,
                       timeout=300)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", errors="replace")


def records(out, problems):
    recs = []
    for i, line in enumerate(out.splitlines()):
        try:
            recs.append(json.loads(line))
        except ValueError as e:
            problems.append(f"line {i + 1} is not one JSON document ({e}): {line[:120]}")
    return recs


def windbg_hash(bucket):
    return "{" + str(uuid.UUID(bytes_le=hashlib.md5(("um:" + bucket).lower().encode("utf-16le")).digest())) + "}"


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    dumpdbg = sys.argv[1]
    res = Result()
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "dumps")
        os.makedirs(os.path.join(d, "nested", "deeper"))
        good = os.path.join(d, "good.dmp")
        shutil.copyfile(os.path.join(DUMPS, "crash_null_write.dmp"), good)
        data = open(good, "rb").read()
        trunc = os.path.join(d, "truncated.dmp")
        open(trunc, "wb").write(data[: len(data) // 2])
        notdump = os.path.join(d, "notes.mdmp")
        open(notdump, "w").write("this is not a minidump\n")
        xz = os.path.join(d, "nested", "deeper", "full.DMP.xz")
        shutil.copyfile(os.path.join(DUMPS, "crash_full_memory.dmp.xz"), xz)
        open(os.path.join(d, "readme.txt"), "w").write("not a dump by name\n")
        open(os.path.join(d, "nested", "dmp"), "w").write("not a dump by name either\n")
        expected = sorted([good, trunc, notdump, xz])
        bad = {trunc, notdump}

        rc, out, err = triage(dumpdbg, "--batch", d)
        problems = []
        recs = records(out, problems)
        if rc != 1:
            problems.append(f"exit status {rc}, expected 1 (some dumps were bad); stderr: {err[:200]}")
        if sorted(r.get("path") for r in recs) != expected:
            problems.append(f"paths {sorted(r.get('path') for r in recs)}, expected {expected}")
        for r in recs:
            p = r.get("path")
            if p in bad:
                e = r.get("error") or {}
                if r.get("status") != "error" or not e.get("message") or "bucket" not in r or \
                        r["bucket"] is not None:
                    problems.append(f"{p}: not an error record: {r}")
            else:
                if r.get("status") != "ok" or r.get("error") is not None or not r.get("bucket"):
                    problems.append(f"{p}: not a good record: {r}")
            if not isinstance(r.get("time_ms"), (int, float)):
                problems.append(f"{p}: no time_ms")
        res.check("batch_records", problems)

        # The verdict of the dump whose crash is known.
        problems = []
        g = next((r for r in recs if r.get("path") == good), {})
        bucket = "NULL_POINTER_WRITE_c0000005_crash_null_write.exe!crash_here"
        if g.get("bucket") != bucket:
            problems.append(f"bucket {g.get('bucket')!r}, expected {bucket!r}")
        if g.get("hash") != windbg_hash(bucket):
            problems.append(f"hash {g.get('hash')!r}, expected {windbg_hash(bucket)!r}")
        ex = g.get("exception") or {}
        if ex.get("code") != "0xc0000005" or ex.get("access") != "write" or \
                ex.get("data_address") != "0x0000000000000000":
            problems.append(f"exception {ex}")
        blame = g.get("blame") or {}
        if blame.get("module") != "crash_null_write" or blame.get("function") != "crash_here":
            problems.append(f"blame {blame}")
        if (g.get("exploitability") or {}).get("rating") != "none":
            problems.append(f"exploitability {g.get('exploitability')}")
        if (g.get("faulting_thread") or {}).get("thread_id") != 36:  # crash_null_write.expect faulting_tid
            problems.append(f"faulting_thread {g.get('faulting_thread')}")
        res.check("good_dump_verdict", problems)

        # --sorted: path order, twice the same; the records do not depend on the pool size.
        problems = []
        rc1, out1, _ = triage(dumpdbg, "--sorted", "-j", "3", "--batch", d)
        rc2, out2, _ = triage(dumpdbg, "--sorted", "-j", "1", "--batch", d)
        r1, r2 = records(out1, problems), records(out2, problems)
        if [r.get("path") for r in r1] != expected:
            problems.append(f"--sorted order {[r.get('path') for r in r1]}")

        def stable(rs):
            return [{k: v for k, v in r.items() if k not in ("time_ms", "cpu_ms", "max_rss_kb")} for r in rs]
        if stable(r1) != stable(r2):
            problems.append("records differ between -j 3 and -j 1")
        if rc1 != 1 or rc2 != 1:
            problems.append(f"exit status {rc1}, {rc2}")
        res.check("sorted_and_deterministic", problems)

        # Only good dumps: exit 0. A path that does not exist: an error record, exit 1.
        problems = []
        rc, out, _ = triage(dumpdbg, good, xz)
        rs = records(out, problems)
        if rc != 0 or len(rs) != 2 or any(r.get("status") != "ok" for r in rs):
            problems.append(f"good dumps: exit {rc}, {len(rs)} records")
        rc, out, _ = triage(dumpdbg, good, os.path.join(d, "missing.dmp"))
        rs = records(out, problems)
        if rc != 1 or len(rs) != 2 or sorted(r.get("status") for r in rs) != ["error", "ok"]:
            problems.append(f"missing file: exit {rc}, {[r.get('status') for r in rs]}")
        rc, out, _ = triage(dumpdbg, "--batch", os.path.join(d, "no-such-directory"))
        if rc != 2 or out:
            problems.append(f"missing directory: exit {rc}, output {out[:100]!r}")
        res.check("exit_status", problems)

        # A dump whose analysis never ends (a FIFO nobody writes: opening it blocks) is stopped
        # after --timeout seconds with an error record, and the run goes on.
        problems = []
        fifo = os.path.join(tmp, "hang.dmp")
        os.mkfifo(fifo)
        rc, out, _ = triage(dumpdbg, "--timeout", "1", "--sorted", fifo, good)
        rs = records(out, problems)
        if rc != 1 or [r.get("path") for r in rs] != [fifo, good]:
            problems.append(f"exit {rc}, paths {[r.get('path') for r in rs]}")
        elif (rs[0].get("error") or {}).get("code") != "timeout" or rs[1].get("status") != "ok":
            problems.append(f"records {rs}")
        res.check("timeout", problems)

        # Directories deeper than 64 levels below DIR are skipped, and stderr names the first
        # one skipped (docs/limits.md): a file named like a dump at level 64 gets its record,
        # one at level 65 does not.
        problems = []
        deep = os.path.join(tmp, "deep")
        level64 = os.path.join(deep, *(["d"] * 64))
        level65 = os.path.join(level64, "d")
        os.makedirs(level65)
        shallow, hidden = os.path.join(level64, "a.dmp"), os.path.join(level65, "b.dmp")
        open(shallow, "w").write("not a minidump\n")
        open(hidden, "w").write("not a minidump\n")
        rc, out, err = triage(dumpdbg, "--batch", deep)
        rs = records(out, problems)
        if [r.get("path") for r in rs] != [shallow]:
            problems.append(f"paths {[r.get('path') for r in rs]}, expected [{shallow!r}]")
        want = f"skipped directory '{level65}': deeper than 64 levels"
        if want not in err:
            problems.append(f"stderr lacks {want!r}: {err[:300]!r}")
        res.check("deep_directory_reported", problems)
    print(f"{res.passed} passed, {res.failed} failed, 0 skipped")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
