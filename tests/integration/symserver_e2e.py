#!/usr/bin/env python3
"""End to end: dumpdbg fetches a fixture's image and PDB from an HTTP symbol server.

    symserver_e2e.py DUMPDBG

Builds a symbol store in a temporary directory holding crash_null_write.exe and .pdb under their
symbol-server keys (computed here from the PE headers and the CodeView record, independently of
dumpdbg), serves it with tests/http/symserver.py (CAB-compressed, as Microsoft's server often
answers), runs dumpdbg with -y srv*CACHE*http://127.0.0.1:PORT/cab and checks that the stack has
symbols and that the cache holds the downloaded files. Prints "N passed, N failed".
"""
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DUMPS = os.path.join(ROOT, "tests", "fixtures", "dumps")


def pe_keys(path):
    """(image key, pdb key, pdb name) from the PE/COFF headers and the RSDS debug record."""
    data = open(path, "rb").read()
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsect, = struct.unpack_from("<H", data, pe + 6)
    timestamp, = struct.unpack_from("<I", data, pe + 8)
    opt_size, = struct.unpack_from("<H", data, pe + 20)
    opt = pe + 24
    magic, = struct.unpack_from("<H", data, opt)
    size_of_image, = struct.unpack_from("<I", data, opt + 56)
    dirs = opt + (112 if magic == 0x20B else 96)
    debug_rva, debug_size = struct.unpack_from("<II", data, dirs + 6 * 8)
    sections = []
    for i in range(nsect):
        s = opt + opt_size + 40 * i
        vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", data, s + 8)
        sections.append((va, max(vsize, rawsize), rawptr))

    def rva_to_off(rva):
        for va, size, raw in sections:
            if va <= rva < va + size:
                return raw + rva - va
        raise ValueError("rva %x not in a section" % rva)

    off = rva_to_off(debug_rva)
    for i in range(debug_size // 28):
        typ, size, rva, ptr = struct.unpack_from("<IIII", data, off + 28 * i + 12)
        if typ == 2 and data[ptr:ptr + 4] == b"RSDS":
            d1, d2, d3 = struct.unpack_from("<IHH", data, ptr + 4)
            d4 = data[ptr + 12:ptr + 20]
            age, = struct.unpack_from("<I", data, ptr + 20)
            name = data[ptr + 24:].split(b"\0")[0].decode()
            guid = "%08X%04X%04X%s" % (d1, d2, d3, d4.hex().upper())
            return "%08X%x" % (timestamp, size_of_image), "%s%X" % (guid, age), name
    raise ValueError("no RSDS record")


def main():
    exe = sys.argv[1]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        store, cache = os.path.join(tmp, "store"), os.path.join(tmp, "cache")
        image_key, pdb_key, pdb_path = pe_keys(os.path.join(DUMPS, "crash_null_write.exe"))
        pdb_name = pdb_path.replace("\\", "/").split("/")[-1]
        for name, key in (("crash_null_write.exe", image_key), (pdb_name, pdb_key)):
            d = os.path.join(store, name, key)
            os.makedirs(d)
            with open(os.path.join(DUMPS, name), "rb") as src, open(os.path.join(d, name), "wb") as dst:
                dst.write(src.read())
        server = subprocess.Popen(["python3", os.path.join(ROOT, "tests", "http", "symserver.py"), store],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(server.stdout.readline())
            sympath = "srv*%s*http://127.0.0.1:%d/cab" % (cache, port)
            run = subprocess.run([exe, "-z", os.path.join(DUMPS, "crash_null_write.dmp"),
                                  "-y", sympath, "-c", ".ecxr;k 3;lm m crash_null_write;q"],
                                 capture_output=True, text=True, timeout=60)
            checks = [
                ("stack has the crashing function", "crash_null_write!crash_here+0x29" in run.stdout),
                ("caller resolved through the downloaded PDB", "crash_null_write!level_two+0x2c" in run.stdout),
                ("lm names the cached PDB", os.path.join(cache, pdb_name, pdb_key, pdb_name) in run.stdout),
                ("the image came down too (for .pdata)",
                 os.path.isfile(os.path.join(cache, "crash_null_write.exe", image_key, "crash_null_write.exe"))),
                ("no partial files left in the cache",
                 not any(".partial" in f for _, _, fs in os.walk(cache) for f in fs)),
                ("exit status 0", run.returncode == 0),
            ]
            for name, ok in checks:
                print(("ok   " if ok else "FAIL ") + "e2e/symserver: " + name)
                if ok:
                    passed += 1
                else:
                    failed += 1
            if failed:
                print(run.stdout[-3000:])
                print(run.stderr[-2000:])
        finally:
            server.stdin.close()
            server.wait(timeout=10)
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
