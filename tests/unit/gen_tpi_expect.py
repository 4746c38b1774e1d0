#!/usr/bin/env python3
"""Writes the expectations tests/unit/test_tpi.c checks the TPI/IPI reader against.

Every expected value comes from llvm-pdbutil-16 (`dump -types -ids -type-extras -id-extras`,
`dump -streams`), a reader independent of dumpdbg, and for struct layouts also from the
volatility3 ISF of ntkrnlmp.pdb in the shared corpus (kernel/jpcert-windows-symbol-tables).
Nothing here comes from dumpdbg's own output.

Output: tests/unit/tpi_expect/NAME.txt, one line per fact, fields separated by single spaces,
a name (which may hold spaces) always last:

  pdb fixture|corpus PATH          where the PDB is (relative to tests/fixtures or the corpus)
  names STREAM                     the /names stream (for hash adjusters)
  stream N BEGIN END BUCKETS       a TPI (2) or IPI (4) section starts; hex indices
  R TI LEAF HASH                   record TI has leaf LEAF and stored hash HASH (hex, - if none)
  U TI LEAF FWD DEF SIZE FLIST UNDER NAME   a class/struct/union/enum: forward flag, the
                                   definition pdbutil resolves (- if none), sizeof (- for
                                   enums), field list, enum underlying type (-)
  N TI UNIQUE                      its unique name
  M FL LEAF TYPE OFFSET VALUE NAME one field list entry, in order (- where not applicable)
  C FL NEXT                        field list FL continues in NEXT (LF_INDEX)
  P TI REFERENT SIZE MODE CONST VOLATILE      LF_POINTER (mode: CV_ptrmode_e number; size 0
                                   for pointers to members: not known)
  A TI ELEMENT INDEXTYPE SIZE      LF_ARRAY
  B TI TYPE POSITION LENGTH        LF_BITFIELD
  Q TI TYPE FLAGS                  LF_MODIFIER (1 const, 2 volatile, 4 unaligned)
  F TI RETURN NARGS ARGLIST CLASS THIS ADJUST  LF_PROCEDURE / LF_MFUNCTION (- for procedures)
  L TI COUNT ITEM...               LF_ARGLIST / LF_SUBSTR_LIST / LF_BUILDINFO items
  I TI TYPE SCOPE NAME             LF_FUNC_ID (scope) / LF_MFUNC_ID (class)
  S TI SUBSTRINGS STRING           LF_STRING_ID
  W TI UDT SOURCE LINE MODULE      LF_UDT_SRC_LINE / LF_UDT_MOD_SRC_LINE (module - if none)
  J TI NAME                        hash adjuster: NAME -> TI
  K STRUCT SIZE                    ISF layout of STRUCT (ntkrnlmp): its size
  KF STRUCT OFFSET BITPOS BITLEN NAME         one ISF field (- when not a bitfield)

Corpus PDBs are large, so only a sample of their records is written (every SAMPLE-th record,
and the field lists of every SAMPLE-th definition); the
repository's own fixtures are written in full, except the members of field lists longer than
LONG_LIST entries (the fixture's struct Huge, whose members test_tpi.c derives from its source).

Run: tests/unit/gen_tpi_expect.py [--repo DIR] [--corpus DIR]   (make-tpi-fixture.sh runs it)
"""
import argparse
import json
import lzma
import os
import re
import subprocess
import sys

PDBUTIL = "llvm-pdbutil-16"
SAMPLE = 10
LONG_LIST = 1000

FIXTURES = [
    ("tpi_types", "tpi/tpi_types.pdb"),
    ("crash_null_write", "dumps/crash_null_write.pdb"),
]
CORPUS = [
    ("dump_syms_regtest64", "user/google-breakpad/pdb-goldens/dump_syms_regtest64.pdb"),
    ("crash_x86", "user/getsentry-symbolicator/symbols/crash.pdb/"
                  "3249D99D0C4049318610F4E4FB0B6936ffffffff/crash.pdb"),
    ("amdppm", "kernel/rizin-test-pdb-repository/amdppm.pdb/"
               "1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb"),
]
ISF = "kernel/jpcert-windows-symbol-tables/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz"
# Kernel structures whose layout ntkrnlmp (ISF) and amdppm.pdb (a driver built against the same
# headers) should share; only those of equal size in both are written.
ISF_STRUCTS = ["_LIST_ENTRY", "_UNICODE_STRING", "_DEVICE_OBJECT", "_IRP", "_KDPC",
               "_DISPATCHER_HEADER", "_PEB", "_TEB", "_KEVENT", "_IO_STACK_LOCATION",
               "_FILE_OBJECT", "_DRIVER_OBJECT", "_MDL", "_KAPC", "_LARGE_INTEGER"]

HEADER = re.compile(r"^\s+0x([0-9A-F]+) \| (LF_\w+) \[size = \d+(?:, hash = 0x([0-9A-F]+))?\]"
                    r"(?: `(.*)`)?(.*)$")
PTR_MODES = {"pointer": 0, "ref": 1, "data member pointer": 2, "member fn pointer": 3,
             "rvalue ref": 4}
PTR_SIZES = {"ptr64": 8, "ptr32": 4, "near32": 4}
UDT_LEAVES = {"LF_CLASS", "LF_STRUCTURE", "LF_INTERFACE", "LF_UNION", "LF_ENUM"}


def idx(s):
    """'0x1A2B (name)' or '<no type>' -> hex text without 0x, or '0'."""
    s = s.strip()
    if s.startswith("<no type>"):
        return "0"
    m = re.match(r"0x([0-9A-F]+)", s)
    if not m:
        raise ValueError("not a type index: %r" % s)
    return m.group(1).lower()


def parse_records(lines):
    """Splits pdbutil's section into (ti, leaf, hash, name, rest-of-header, body lines)."""
    recs = []
    for line in lines:
        m = HEADER.match(line)
        if m:
            recs.append([m.group(1).lower(), m.group(2), (m.group(3) or "-").lower(),
                         m.group(4), m.group(5), []])
        elif recs and line.strip():
            recs[-1][5].append(line.strip())
    return recs


def field_lines(fl, body):
    """LF_FIELDLIST body -> M/C lines."""
    out = []
    i = 0
    while i < len(body):
        line = body[i]
        i += 1
        m = re.match(r"- (LF_\w+)\s*(.*)$", line)
        if not m:
            raise ValueError("field list %s: unexpected line %r" % (fl, line))
        leaf, rest = m.group(1), m.group(2)
        # Continuation lines of a member are the following lines that do not start with "- ".
        more = []
        while i < len(body) and not body[i].startswith("- "):
            more.append(body[i])
            i += 1
        text = " ".join([rest] + more)
        name = "-"
        nm = re.search(r"name = `(.*?)`(?:,|\])", text)
        if nm:
            name = nm.group(1)
        typ, off, val = "-", "-", "-"
        if leaf == "LF_INDEX":
            out.append("C %s %s" % (fl, idx(re.search(r"continuation = (\S+)", text).group(1))))
            continue
        if leaf == "LF_MEMBER":
            mm = re.search(r"Type = (0x[0-9A-F]+).*, offset = (\d+), attrs", text)
            typ, off = idx(mm.group(1)), mm.group(2)
        elif leaf == "LF_STMEMBER":
            typ = idx(re.search(r"type = (0x[0-9A-F]+)", text).group(1))
        elif leaf == "LF_ENUMERATE":
            em = re.match(r"\[(.*) = (-?\d+)\]$", rest)
            name, val = em.group(1), em.group(2)
        elif leaf in ("LF_BCLASS", "LF_BINTERFACE"):
            bm = re.search(r"type = (0x[0-9A-F]+), offset = (\d+)", text)
            typ, off = idx(bm.group(1)), bm.group(2)
        elif leaf in ("LF_VBCLASS", "LF_IVBCLASS"):
            typ = idx(re.search(r"base = (0x[0-9A-F]+)", text).group(1))
        elif leaf == "LF_METHOD":
            typ = idx(re.search(r"overload list = (0x[0-9A-F]+)", text).group(1))
        elif leaf == "LF_NESTTYPE":
            typ = idx(re.search(r"parent = (0x[0-9A-F]+)", text).group(1))
        elif leaf == "LF_ONEMETHOD":
            om = re.search(r"type = (0x[0-9A-F]+), vftable offset = (-?\d+)", text)
            typ, val = idx(om.group(1)), om.group(2)
        elif leaf == "LF_VFUNCTAB":
            typ = idx(re.search(r"type = (0x[0-9A-F]+)", text).group(1))
        out.append("M %s %s %s %s %s %s" % (fl, leaf, typ, off, val, name))
    return out


def record_lines(rec, full):
    ti, leaf, _hash, name, rest, body = rec
    text = " ".join(body)
    if not full:
        return []
    if leaf in UDT_LEAVES:
        opts = next((b for b in body if b.startswith("options:")), "")
        fwd = "forward ref" in opts
        dm = re.search(r"forward ref \((?:->|<-|=) 0x([0-9A-F]+)\)", opts)
        definition = dm.group(1).lower() if dm else "-"
        if dm and "(=" in opts:
            definition = "-"  # pdbutil found no definition
        sm = re.search(r"sizeof (\d+)", opts)
        size = sm.group(1) if sm else "-"
        flm = re.search(r"field list: (0x[0-9A-F]+|<no type>)", text)
        flist = idx(flm.group(1)) if flm else "0"
        um = re.search(r"underlying type: (0x[0-9A-F]+)", text)
        under = idx(um.group(1)) if um else "-"
        out = ["U %s %s %d %s %s %s %s %s" % (ti, leaf, fwd, definition, size, flist, under,
                                               name)]
        un = next((b for b in body if b.startswith("unique name: `")), None)
        if un:
            out.append("N %s %s" % (ti, un[len("unique name: `"):-1]))
        return out
    if leaf == "LF_POINTER":
        m = re.search(r"referent = (0x[0-9A-F]+).*, mode = (.*), opts = (.*), kind = (\w+)", text)
        opts, mode = m.group(3), PTR_MODES[m.group(2)]
        # The kind gives the size of plain pointers and references; a pointer to member has
        # its own size (4 to 24 bytes), which pdbutil does not print: 0, not checked.
        size = PTR_SIZES.get(m.group(4), 0) if mode in (0, 1, 4) else 0
        return ["P %s %s %d %d %d %d" % (ti, idx(m.group(1)), size, mode, "const" in opts,
                                         "volatile" in opts)]
    if leaf == "LF_ARRAY":
        m = re.search(r"size: (\d+), index type: (0x[0-9A-F]+).*, element type: (0x[0-9A-F]+)",
                      text)
        return ["A %s %s %s %s" % (ti, idx(m.group(3)), idx(m.group(2)), m.group(1))]
    if leaf == "LF_BITFIELD":
        m = re.search(r"type = (0x[0-9A-F]+).*, bit offset = (\d+), # bits = (\d+)", text)
        return ["B %s %s %s %s" % (ti, idx(m.group(1)), m.group(2), m.group(3))]
    if leaf == "LF_MODIFIER":
        m = re.search(r"referent = (0x[0-9A-F]+).*, modifiers = (.*)$", text)
        mods = m.group(2)
        flags = ("const" in mods) * 1 + ("volatile" in mods) * 2 + ("unaligned" in mods) * 4
        return ["Q %s %s %d" % (ti, idx(m.group(1)), flags)]
    if leaf in ("LF_PROCEDURE", "LF_MFUNCTION"):
        m = re.search(r"return type = (0x[0-9A-F]+).*, # args = (\d+), param list = "
                      r"(0x[0-9A-F]+|<no type>)", text)
        cls = this = adjust = "-"
        if leaf == "LF_MFUNCTION":
            c = re.search(r"class type = (0x[0-9A-F]+|<no type>), this type = "
                          r"(0x[0-9A-F]+|<no type>), this adjust = (-?\d+)", text)
            cls, this, adjust = idx(c.group(1)), idx(c.group(2)), c.group(3)
        return ["F %s %s %s %s %s %s %s" % (ti, idx(m.group(1)), m.group(2), idx(m.group(3)),
                                            cls, this, adjust)]
    if leaf in ("LF_ARGLIST", "LF_SUBSTR_LIST", "LF_BUILDINFO"):
        items = [idx(b) for b in body if re.match(r"(0x[0-9A-F]+|<no type>)", b)]
        return ["L %s %d %s" % (ti, len(items), " ".join(items))]
    if leaf in ("LF_FUNC_ID", "LF_MFUNC_ID"):
        m = re.match(r"name = (.*), type = (0x[0-9A-F]+), (?:parent scope|class type) = (.*)$",
                     text)
        return ["I %s %s %s %s" % (ti, idx(m.group(2)), idx(m.group(3)), m.group(1))]
    if leaf == "LF_STRING_ID":
        m = re.match(r" ID: (0x[0-9A-F]+|<no type>), String: (.*)$", rest)
        return ["S %s %s %s" % (ti, idx(m.group(1)), m.group(2))]
    if leaf == "LF_UDT_SRC_LINE":
        m = re.match(r"udt = (0x[0-9A-F]+), file = (\d+), line = (\d+)", text)
        return ["W %s %s %s %s -" % (ti, idx(m.group(1)), m.group(2), m.group(3))]
    if leaf == "LF_UDT_MOD_SRC_LINE":
        m = re.match(r"udt = (0x[0-9A-F]+), mod = (\d+), file = (\d+), line = (\d+)", text)
        return ["W %s %s %s %s %s" % (ti, idx(m.group(1)), m.group(3), m.group(4), m.group(2))]
    return []


def section(pdb, which):
    """pdbutil's dump of the TPI (types) or IPI (ids) stream, with its extras."""
    flag = "-types" if which == 2 else "-ids"
    extras = "-type-extras" if which == 2 else "-id-extras"
    out = subprocess.run([PDBUTIL, "dump", flag, extras, pdb], check=True, capture_output=True,
                         text=True, errors="replace").stdout
    return out.splitlines()


def describe(pdb, kind, rel, full):
    lines = ["pdb %s %s" % (kind, rel)]
    streams = subprocess.run([PDBUTIL, "dump", "-streams", pdb], check=True,
                             capture_output=True, text=True).stdout
    nm = re.search(r"Stream\s+(\d+) \(.*\): \[Named Stream \"/names\"\]", streams)
    if nm:
        lines.append("names %s" % nm.group(1))
    for which in (2, 4):
        text = section(pdb, which)
        recs = parse_records(text)
        if not recs:
            continue
        tail = "\n".join(text)
        buckets = re.search(r"Num Hash Buckets: (\d+)", tail)
        first, last = int(recs[0][0], 16), int(recs[-1][0], 16)
        lines.append("stream %d %x %x %s" % (which, first, last + 1,
                                             buckets.group(1) if buckets else "0"))
        # Field lists to write: all for fixtures; for the corpus those of sampled definitions
        # and the continuation records they lead to.
        by_ti = {r[0]: r for r in recs}
        wanted = set()
        defs = 0
        for r in recs:
            if r[1] in UDT_LEAVES and "forward ref" not in " ".join(r[5]):
                defs += 1
                flm = re.search(r"field list: (0x[0-9A-F]+)", " ".join(r[5]))
                if flm and (full or defs % SAMPLE == 0):
                    wanted.add(idx(flm.group(1)))
        pending = list(wanted)
        while pending:
            fl = pending.pop()
            r = by_ti.get(fl)
            if not r:
                continue
            for line in r[5]:
                cm = re.match(r"- LF_INDEX continuation = (0x[0-9A-F]+)", line)
                if cm and idx(cm.group(1)) not in wanted:
                    wanted.add(idx(cm.group(1)))
                    pending.append(idx(cm.group(1)))
        for n, r in enumerate(recs):
            sampled = full or n % SAMPLE == 0
            if sampled:
                lines.append("R %s %s %s" % (r[0], r[1], r[2]))
            if r[1] == "LF_FIELDLIST":
                fields = field_lines(r[0], r[5])
                if len(fields) > LONG_LIST:
                    # A list long enough to need continuations (the fixture's struct Huge,
                    # checked against its source instead): keep only its chain.
                    fields = [f for f in fields if f.startswith("C ")]
                if r[0] in wanted:
                    lines.extend(fields)
            else:
                lines.extend(record_lines(r, sampled))
        if which == 2:
            adj = tail.split("Hash Adjusters:")[-1]
            for am in re.finditer(r"^\s+`(.*)` -> 0x([0-9A-F]+)$", adj, re.M):
                lines.append("J %s %s" % (am.group(2).lower(), am.group(1)))
    return lines


def isf_lines(corpus):
    path = os.path.join(corpus, ISF)
    if not os.path.exists(path):
        return []
    isf = json.load(lzma.open(path))
    amd = os.path.join(corpus, CORPUS[2][1])
    sizes = {}
    for r in parse_records(section(amd, 2)):
        opts = " ".join(r[5])
        sm = re.search(r"sizeof (\d+)", opts)
        if r[1] in UDT_LEAVES and "forward ref" not in opts and sm:
            sizes.setdefault(r[3], int(sm.group(1)))
    out = []
    for name in ISF_STRUCTS:
        t = isf["user_types"].get(name)
        if not t or sizes.get(name) != t["size"]:
            continue
        out.append("K %s %d" % (name, t["size"]))
        fields = sorted(t["fields"].items(), key=lambda kv: (kv[1]["offset"],
                        kv[1]["type"].get("bit_position", -1)))
        for fname, f in fields:
            ty = f["type"]
            if ty.get("kind") == "bitfield":
                out.append("KF %s %d %d %d %s" % (name, f["offset"], ty["bit_position"],
                                                  ty["bit_length"], fname))
            else:
                out.append("KF %s %d - - %s" % (name, f["offset"], fname))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--corpus", default=None)
    args = ap.parse_args()
    corpus = args.corpus or os.path.join(os.path.dirname(args.repo), "shared", "corpus")
    outdir = os.path.join(args.repo, "tests", "unit", "tpi_expect")
    os.makedirs(outdir, exist_ok=True)
    jobs = [(n, os.path.join(args.repo, "tests", "fixtures", rel), "fixture", rel, True)
            for n, rel in FIXTURES]
    if os.path.isdir(corpus):
        jobs += [(n, os.path.join(corpus, rel), "corpus", rel, False) for n, rel in CORPUS]
    else:
        print("corpus %s not found: corpus expectations left as they are" % corpus)
    for name, path, kind, rel, full in jobs:
        lines = describe(path, kind, rel, full)
        if name == "amdppm":
            lines += isf_lines(corpus)
        with open(os.path.join(outdir, name + ".txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("%s: %d lines" % (name, len(lines)))


if __name__ == "__main__":
    sys.exit(main())
