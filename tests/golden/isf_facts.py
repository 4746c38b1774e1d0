#!/usr/bin/env python3
"""Independent oracle for isf_triage_x64.t: facts read straight from the Volatility ISF file
(lzma + json, the volatility3 schema) and from the triage dump's raw data blocks, so the .t file
holds values computed from the files rather than dumpdbg's output.

    isf_facts.py ISF sym NAME BASE        BASE + the symbol's "address" (an RVA), and the same
                                          as a signed 64-bit decimal (what `?` prints first)
    isf_facts.py ISF ln ADDR BASE         the nearest symbol at or below ADDR: name+0xdisp, and
                                          the next symbol above it
    isf_facts.py ISF dt TYPE FIELD...     each field's "   +0x%03x Name : " prefix and its ISF type
    isf_facts.py DUMP mem VA              the 8 bytes at VA from the triage dump's data blocks
                                          (TRIAGE_DUMP64 at 0x2000: DataBlocksOffset at +0x78,
                                          DataBlocksCount at +0x7c; each block is u64 Address,
                                          u32 Offset, u32 Size)
"""
import json
import lzma
import struct
import sys


def load(path):
    with lzma.open(path) as f:
        return json.load(f)


def describe(t):
    k = t["kind"]
    if k in ("struct", "union", "enum", "base"):
        return f"{k} {t['name']}"
    if k == "pointer":
        return "pointer to " + describe(t["subtype"])
    if k == "array":
        return f"array[{t['count']}] of " + describe(t["subtype"])
    if k == "bitfield":
        return f"bitfield pos {t['bit_position']} len {t['bit_length']} of " + describe(t["type"])
    return k


def main():
    path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "mem":
        d = open(path, "rb").read()
        off, count = struct.unpack_from("<II", d, 0x2000 + 0x78)
        va = int(args[0], 16)
        for i in range(count):
            addr, foff, size = struct.unpack_from("<QII", d, off + 16 * i)
            if addr <= va and va + 8 <= addr + size:
                print(f"{struct.unpack_from('<Q', d, foff + va - addr)[0]:016x}")
                return
        print("not in the dump")
        return
    isf = load(path)
    syms = isf["symbols"]
    if cmd == "sym":
        a = int(args[1], 16) + syms[args[0]]["address"]
        signed = a - (1 << 64) if a >= 1 << 63 else a
        print(f"{signed} = {a >> 32:08x}`{a & 0xffffffff:08x}")
    elif cmd == "ln":
        addr, base = int(args[0], 16), int(args[1], 16)
        rva = addr - base
        below = max((v["address"], n) for n, v in syms.items() if v["address"] <= rva)
        above = min((v["address"], n) for n, v in syms.items() if v["address"] > rva)
        print(f"{below[1]}+0x{rva - below[0]:x} at rva 0x{below[0]:x}; next {above[1]} at "
              f"rva 0x{above[0]:x}")
    elif cmd == "dt":
        fields = isf["user_types"][args[0]]["fields"]
        for name in args[1:]:
            f = fields[name]
            print(f"   +0x{f['offset']:03x} {name:<16} : ({describe(f['type'])})")


if __name__ == "__main__":
    main()
