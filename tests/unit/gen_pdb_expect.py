#!/usr/bin/env python3
"""gen_pdb_expect.py - expected values for the PDB reader, printed by llvm-pdbutil.

Runs `llvm-pdbutil-16 dump` (Debian llvm-16) on each PDB and writes one line-oriented expectation
file per PDB into tests/unit/pdb_expect/, which tests/unit/test_pdb_pdbutil.c reads. The values
are llvm-pdbutil's, an independent PDB reader: nothing here comes from dumpdbg.

Usage: tests/unit/gen_pdb_expect.py            # the default set below
       tests/unit/gen_pdb_expect.py NAME=PATH [--max-modules N] ...

llvm-pdbutil prints segments in decimal ("0010:1296" is segment 10), except in -l. Each output
line is KEY FIELD... with numbers in hex (no 0x) and a name,
when there is one, last (it may contain spaces):
  info GUID AGE SIGNATURE                  -summary
  named_stream INDEX NAME                  -named-streams
  module INDEX STREAM NFILES NAME          -modules (obj names on 'module_obj INDEX NAME')
  module_ec INDEX NI WHICH NAME            -modules: PDB (WHICH 0) and source (1) file name offsets
  file MODULE NAME                         -files, in order
  section INDEX VA VSIZE NAME              -section-headers
  contrib MODULE SECTION OFFSET SIZE CRC   -section-contribs, in order
  public SEGMENT OFFSET FLAGS NAME         -publics (flags: 1 code, 2 function, 4 managed, 8 MSIL)
  global KIND A B NAME                     -globals (procref: module offset; data: seg:off type)
  proc MODULE OFFSET KIND SEG OFF LEN TYPE NAME        -symbols
  local MODULE PROC KIND TYPE A B NAME     -symbols, in record order inside PROC
  range MODULE PROC KIND SEG OFF LEN NGAPS -symbols: the S_DEFRANGE_* after the last local
  site MODULE PROC OFFSET INLINEE NAME     -symbols: S_INLINESITE inside PROC
  site_range MODULE OFFSET START END LINE  -symbols: llvm-pdbutil's decoding of the annotations
  inlinee MODULE ID LINE FILE              -il
  line MODULE SEG OFF LINE STMT FILE       -l
  linesec MODULE SEG START END             -l: one contribution's extent
  fpo RVA SIZE LOCALS PARAMS PROLOG REGS   -fpo (old FPO; llvm-pdbutil's bit fields are not used)
  framedata RVA CODE LOCALS PARAMS STACK PROLOG REGS FLAGS PROGRAM   -fpo (new FPO)
"""
import os
import re
import subprocess
import sys

TOOL = "llvm-pdbutil-16"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "pdb_expect")
CORPUS = os.path.join(REPO, "..", "shared", "corpus", "user")

# name -> (path, max modules with symbols/lines kept); corpus files are read in place.
DEFAULT = [
    ("tiny_x64", os.path.join(REPO, "tests/fixtures/pdb/tiny_x64.pdb"), None),
    ("tiny_x86", os.path.join(REPO, "tests/fixtures/pdb/tiny_x86.pdb"), None),
    ("crash_null_write", os.path.join(REPO, "tests/fixtures/dumps/crash_null_write.pdb"), None),
    ("symbolicator_crash", os.path.join(
        CORPUS, "getsentry-symbolicator/symbols/crash.pdb/3249D99D0C4049318610F4E4FB0B6936ffffffff/crash.pdb"), 6),
    ("regtest64", os.path.join(CORPUS, "google-breakpad/pdb-goldens/dump_syms_regtest64.pdb"), 4),
]

# CodeView register numbers (cvinfo.h CV_HREG_e) for the names llvm-pdbutil prints.
REGS = {"AL": 1, "CL": 2, "DL": 3, "BL": 4, "AX": 9, "CX": 10, "DX": 11, "BX": 12, "SP": 13,
        "BP": 14, "SI": 15, "DI": 16, "EAX": 17, "ECX": 18, "EDX": 19, "EBX": 20, "ESP": 21,
        "EBP": 22, "ESI": 23, "EDI": 24, "RAX": 328, "RBX": 329, "RCX": 330, "RDX": 331,
        "RSI": 332, "RDI": 333, "RBP": 334, "RSP": 335}
for i in range(8, 16):
    REGS["R%d" % i] = 336 + i - 8
    REGS["R%dD" % i] = 360 + i - 8
for i in range(16):
    REGS["XMM%d" % i] = 154 + i if i < 8 else 252 + i - 8

SYM_KINDS = {"S_GPROC32": 0x1110, "S_LPROC32": 0x110F, "S_GPROC32_ID": 0x1147,
             "S_LPROC32_ID": 0x1146, "S_THUNK32": 0x1102, "S_LOCAL": 0x113E,
             "S_REGREL32": 0x1111, "S_BPREL32": 0x110B, "S_REGISTER": 0x1106,
             "S_CONSTANT": 0x1107, "S_LDATA32": 0x110C, "S_GDATA32": 0x110D,
             "S_PROCREF": 0x1125, "S_LPROCREF": 0x1127, "S_UDT": 0x1108,
             "S_DEFRANGE_REGISTER": 0x1141, "S_DEFRANGE_FRAMEPOINTER_REL": 0x1142,
             "S_DEFRANGE_SUBFIELD_REGISTER": 0x1143, "S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE": 0x1144,
             "S_DEFRANGE_REGISTER_REL": 0x1145}
PROC_KINDS = ("S_GPROC32", "S_LPROC32", "S_GPROC32_ID", "S_LPROC32_ID", "S_THUNK32")


def dump(path, *opts):
    r = subprocess.run([TOOL, "dump", *opts, path], check=True, capture_output=True, text=True)
    return r.stdout.splitlines()


def hexs(v):
    return "%x" % v


def local_flags(text):
    bits = {"param": 1, "address is taken": 2, "compiler generated": 4, "aggregate": 8,
            "aggregated": 0x10, "aliased": 0x20, "alias": 0x40, "return value": 0x80,
            "optimized away": 0x100, "enreg global": 0x200, "enreg static": 0x400}
    v = 0
    for part in text.split("|"):
        v |= bits.get(part.strip(), 0)
    return v


def gen_info(path, out):
    guid = age = sig = None
    for l in dump(path, "-summary"):
        m = re.match(r"\s*GUID: (\{.*\})", l)
        if m:
            guid = m.group(1)
        m = re.match(r"\s*Age: (\d+)", l)
        if m:
            age = int(m.group(1))
        m = re.match(r"\s*Signature: (\d+)", l)
        if m:
            sig = int(m.group(1))
    out.append("info %s %x %x" % (guid, age, sig))
    name = None
    for l in dump(path, "-named-streams"):
        m = re.match(r"  (/\S.*)$", l)
        if m:
            name = m.group(1)
        m = re.match(r"\s+Index: (\d+)", l)
        if m and name:
            out.append("named_stream %x %s" % (int(m.group(1)), name))
            name = None


def gen_modules(path, out, files_of=None):
    mod = None
    for l in dump(path, "-modules"):
        m = re.match(r"\s*Mod (\d+) \| `(.*)`:", l)
        if m:
            mod = [int(m.group(1)), m.group(2)]
            continue
        m = re.match(r"\s*Obj: `(.*)`:", l)
        if m and mod:
            mod.append(m.group(1))
            continue
        m = re.match(r"\s*debug stream: (\d+), # files: (\d+)", l)
        if m and mod:
            out.append("module %x %x %x %s" % (mod[0], int(m.group(1)), int(m.group(2)), mod[1]))
            out.append("module_obj %x %s" % (mod[0], mod[2]))
            continue
        m = re.match(r"\s*pdb file ni: (\d+) `(.*)`, src file ni: (\d+) `(.*)`", l)
        if m and mod:
            # Offsets into the DBI EC names substream (0: none).
            out.append("module_ec %x %x %x %s" % (mod[0], int(m.group(1)), 0, m.group(2)))
            out.append("module_ec %x %x %x %s" % (mod[0], int(m.group(3)), 1, m.group(4)))
            mod = None
    mod = None
    for l in dump(path, "-files"):
        m = re.match(r"\s*Mod (\d+) \|", l)
        if m:
            mod = int(m.group(1))
            continue
        m = re.match(r"\s*- (?:\(\w+: [0-9A-F]*\) )?(.*)$", l)
        if m and mod is not None and (files_of is None or mod in files_of):
            out.append("file %x %s" % (mod, m.group(1)))


def gen_sections(path, out):
    idx = va = vs = name = None
    for l in dump(path, "-section-headers"):
        m = re.match(r"\s*SECTION HEADER #(\d+)", l)
        if m:
            idx = int(m.group(1))
        m = re.match(r"\s*(\S+) name$", l)
        if m:
            name = m.group(1)
        m = re.match(r"\s*([0-9A-F]+) virtual size", l)
        if m:
            vs = int(m.group(1), 16)
        m = re.match(r"\s*([0-9A-F]+) virtual address", l)
        if m:
            va = int(m.group(1), 16)
            out.append("section %x %x %x %s" % (idx, va, vs, name))
    for l in dump(path, "-section-contribs"):
        m = re.match(r"\s*SC\[.*\]\s*\| mod = (\d+), ([0-9A-F]{4}):(\d+), size = (\d+), data crc = (\d+)", l)
        if m:
            out.append("contrib %x %x %x %x %x" % (int(m.group(1)), int(m.group(2)),
                                                   int(m.group(3)), int(m.group(4)), int(m.group(5))))


def gen_publics(path, out):
    name = None
    flagbits = {"code": 1, "function": 2, "managed": 4, "MSIL": 8}
    for l in dump(path, "-publics"):
        m = re.match(r"\s*\d+ \| S_PUB32 \[size = \d+\] `(.*)`$", l)
        if m:
            name = m.group(1)
            continue
        m = re.match(r"\s*flags = (.*), addr = ([0-9A-F]{4}):(\d+)", l)
        if m and name is not None:
            flags = 0
            for f in m.group(1).split("|"):
                flags |= flagbits.get(f.strip(), 0)
            out.append("public %x %x %x %s" % (int(m.group(2)), int(m.group(3)), flags, name))
            name = None


def gen_globals(path, out):
    kind = name = None
    for l in dump(path, "-globals"):
        m = re.match(r"\s*\d+ \| (S_\w+) \[size = \d+\] `(.*)`$", l)
        if m:
            kind, name = m.group(1), m.group(2)
            continue
        if kind in ("S_PROCREF", "S_LPROCREF"):
            m = re.match(r"\s*module = (\d+), sum name = \d+, offset = (\d+)", l)
            if m:
                out.append("global %x %x %x %s" % (SYM_KINDS[kind], int(m.group(1)), int(m.group(2)), name))
                kind = None
        elif kind in ("S_GDATA32", "S_LDATA32"):
            m = re.match(r"\s*type = 0x([0-9A-F]+).*, addr = ([0-9A-F]{4}):(\d+)", l)
            if m:
                out.append("global %x %x %x %s" % (SYM_KINDS[kind], (int(m.group(2)) << 32) | int(m.group(3)),
                                                   int(m.group(1), 16), name))
                kind = None
        elif kind == "S_UDT":
            m = re.match(r"\s*original type = 0x([0-9A-F]+)", l)
            if m:
                out.append("global %x 0 %x %s" % (SYM_KINDS[kind], int(m.group(1), 16), name))
                kind = None


def gen_symbols(path, out, max_modules):
    mod = proc = None
    rec = None  # (offset, kind, name, detail lines)
    kept = set()
    records = []

    def flush():
        if rec:
            records.append((mod,) + tuple(rec))

    for l in dump(path, "-symbols"):
        m = re.match(r"\s*Mod (\d+) \|", l)
        if m:
            flush()
            rec = None
            mod = int(m.group(1))
            continue
        m = re.match(r"\s*(\d+) \| (S_\w+) \[size = \d+\](?: `(.*)`)?", l)
        if m:
            flush()
            rec = [int(m.group(1)), m.group(2), m.group(3), []]
            continue
        if rec:
            rec[3].append(l.strip())
    flush()
    opens = PROC_KINDS + ("S_BLOCK32", "S_INLINESITE", "S_INLINESITE2", "S_SEPCODE", "S_WITH32")
    depth = 0
    for (mod, off, kind, name, detail) in records:
        text = " ".join(detail)
        # Only records inside a procedure belong to it.
        if kind in ("S_END", "S_PROC_ID_END", "S_INLINESITE_END"):
            depth -= 1
            if depth <= 0:
                depth, proc = 0, None
            continue
        if kind in opens:
            depth += 1
        if kind in PROC_KINDS:
            if mod not in kept:
                if max_modules is not None and len(kept) >= max_modules:
                    proc = None
                    continue
                kept.add(mod)
            if kind == "S_THUNK32":
                m = re.search(r"addr = ([0-9A-F]{4}):(\d+), code size = (\d+)", text)
                typ = 0
            else:
                m = re.search(r"addr = ([0-9A-F]{4}):(\d+), code size = (\d+)", text)
                t = re.search(r"type = `0x([0-9A-F]+)", text)
                typ = int(t.group(1), 16) if t else 0
            if not m:
                proc = None
                continue
            proc = off
            out.append("proc %x %x %x %x %x %x %x %s" % (mod, off, SYM_KINDS[kind], int(m.group(1)),
                                                         int(m.group(2)), int(m.group(3)), typ, name))
            continue
        if proc is None or mod not in kept:
            continue
        if kind == "S_LOCAL":
            m = re.search(r"type=0x([0-9A-F]+).*flags = (.*)$", text)
            out.append("local %x %x %x %x %x 0 %s" % (mod, proc, SYM_KINDS[kind], int(m.group(1), 16),
                                                      local_flags(m.group(2)), name))
        elif kind == "S_REGREL32":
            m = re.search(r"type = 0x([0-9A-F]+).*register = (\w+), offset = (-?\d+)", text)
            reg = REGS.get(m.group(2), 0xffff)
            out.append("local %x %x %x %x %x %x %s" % (mod, proc, SYM_KINDS[kind], int(m.group(1), 16), reg,
                                                       int(m.group(3)) & 0xffffffff, name))
        elif kind == "S_BPREL32":
            m = re.search(r"type = 0x([0-9A-F]+).*offset = (-?\d+)", text)
            out.append("local %x %x %x %x 0 %x %s" % (mod, proc, SYM_KINDS[kind], int(m.group(1), 16),
                                                      int(m.group(2)) & 0xffffffff, name))
        elif kind == "S_REGISTER":
            m = re.search(r"register = (\w+), type = 0x([0-9A-F]+)", text)
            reg = REGS.get(m.group(1), 0xffff)
            out.append("local %x %x %x %x %x 0 %s" % (mod, proc, SYM_KINDS[kind], int(m.group(2), 16), reg, name))
        elif kind == "S_CONSTANT":
            m = re.search(r"type = 0x([0-9A-F]+).*value = (-?\d+)", text)
            if m:
                out.append("local %x %x %x %x 0 %x %s" % (mod, proc, SYM_KINDS[kind], int(m.group(1), 16),
                                                          int(m.group(2)) & 0xffffffffffffffff, name))
        elif kind in ("S_LDATA32", "S_GDATA32"):
            m = re.search(r"type = (?:0x([0-9A-F]+)|<no type>).*addr = ([0-9A-F]{4}):(\d+)", text)
            out.append("local %x %x %x %x %x %x %s" % (mod, proc, SYM_KINDS[kind], int(m.group(1) or "0", 16),
                                                       int(m.group(2)), int(m.group(3)), name))
        elif kind.startswith("S_DEFRANGE") and kind in SYM_KINDS:
            if kind == "S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE":
                out.append("range %x %x %x 0 0 0 0" % (mod, proc, SYM_KINDS[kind]))
                continue
            m = re.search(r"range start = ([0-9A-F]{4}):(\d+), length = (\d+)", text) or \
                re.search(r"range = \[([0-9A-F]{4}):(\d+),\+(\d+)\)", text)
            g = re.search(r"gaps = \[(.*)\]", text)
            ngaps = len(re.findall(r"\(", g.group(1))) if g else 0
            out.append("range %x %x %x %x %x %x %x" % (mod, proc, SYM_KINDS[kind], int(m.group(1)),
                                                       int(m.group(2)), int(m.group(3)), ngaps))
        elif kind == "S_INLINESITE":
            m = re.search(r"inlinee = 0x([0-9A-F]+)(?: \((.*?)\))?, parent", text)
            # Cross-module ids (bit 31) are printed without a name.
            out.append("site %x %x %x %x %s" % (mod, proc, off, int(m.group(1), 16), m.group(2) or "?"))
            # llvm-pdbutil prints the running code offset and line (relative to the inlinee's base
            # line) after each opcode; a code offset change starts a range at the line in force.
            start = end = start_line = None
            line = 0
            for d in detail:
                c = re.search(r"code 0x([0-9A-F]+) \(", d)
                e = re.search(r"code end 0x([0-9A-F]+)", d)
                ln = re.search(r"line (-?\d+) \(", d)
                if ln:
                    line = int(ln.group(1))
                if c:
                    if start is not None:
                        stop = end if end is not None else int(c.group(1), 16)
                        out.append("site_range %x %x %x %x %x" % (mod, off, start, stop, start_line & 0xffffffff))
                    start, end, start_line = int(c.group(1), 16), None, line
                if e:
                    end = int(e.group(1), 16)
            if start is not None and end is not None:
                out.append("site_range %x %x %x %x %x" % (mod, off, start, end, start_line & 0xffffffff))
    return kept


def gen_lines(path, out, kept):
    mod = file = None
    for l in dump(path, "-l"):
        m = re.match(r"\s*Mod (\d+) \|", l)
        if m:
            mod = int(m.group(1))
            continue
        if mod not in kept:
            continue
        m = re.match(r"^(\S.*?) \((?:\w+: [0-9A-F]*|None)\)$", l)
        if m:
            file = m.group(1)
            continue
        m = re.match(r"\s*([0-9A-F]{4}):([0-9A-F]{8})-([0-9A-F]{8}), line/addr entries", l)
        if m:
            seg = int(m.group(1), 16)
            out.append("linesec %x %x %x %x" % (mod, seg, int(m.group(2), 16), int(m.group(3), 16)))
            continue
        for e in re.finditer(r"(\d+) ([0-9A-F]{8}) ([! ])", l):
            out.append("line %x %x %x %x %x %s" % (mod, seg, int(e.group(2), 16), int(e.group(1)),
                                                   0 if e.group(3) == "!" else 1, file))  # "!": not a statement
    mod = None
    for l in dump(path, "-il"):
        m = re.match(r"\s*Mod (\d+) \|", l)
        if m:
            mod = int(m.group(1))
            continue
        m = re.match(r"\s*0x([0-9A-F]+) \|\s*(\d+) \| (.*?) \(", l)
        if m and mod in kept:
            out.append("inlinee %x %x %x %s" % (mod, int(m.group(1), 16), int(m.group(2)), m.group(3)))


def gen_fpo(path, out):
    old = new = False
    for l in dump(path, "-fpo"):
        if "Old FPO Data" in l:
            old, new = True, False
        if "New FPO Data" in l:
            old, new = False, True
        cols = [c.strip() for c in l.split("|")]
        if not re.match(r"^[0-9A-F]{8}$", cols[0] if cols else ""):
            continue
        if old:
            out.append("fpo %s %x %x %x" % (cols[0].lower().lstrip("0") or "0", int(cols[1]), int(cols[2]), int(cols[3])))
        elif new:
            flags = (1 if cols[7] == "true" else 0) | (2 if cols[8] == "true" else 0) | (4 if cols[9] == "true" else 0)
            prog = l.split("|", 10)[10][1:] if l.count("|") >= 10 else ""
            out.append("framedata %s %x %x %x %x %x %x %x %s" % (
                cols[0].lower().lstrip("0") or "0", int(cols[1]), int(cols[2]), int(cols[3]), int(cols[4]),
                int(cols[5]), int(cols[6]), flags, prog))


def generate(name, path, max_modules):
    out = ["# %s: expected values printed by %s for %s" % (name, TOOL, os.path.relpath(path, REPO)),
           "# generated by tests/unit/gen_pdb_expect.py; do not edit"]
    gen_info(path, out)
    sym = []
    kept = gen_symbols(path, sym, max_modules)
    # Large PDBs keep file lists only for the modules whose symbols are kept.
    gen_modules(path, out, None if max_modules is None else kept)
    gen_sections(path, out)
    gen_publics(path, out)
    gen_globals(path, out)
    out.extend(sym)
    gen_lines(path, out, kept)
    gen_fpo(path, out)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".txt"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("gen_pdb_expect: %s: %d lines" % (name, len(out)))


def main():
    jobs = []
    args = sys.argv[1:]
    max_modules = None
    for a in args:
        if a.startswith("--max-modules="):
            max_modules = int(a.split("=", 1)[1])
    for a in args:
        if "=" in a and not a.startswith("--"):
            name, path = a.split("=", 1)
            jobs.append((name, path, max_modules))
    if not jobs:
        jobs = DEFAULT
    for name, path, mm in jobs:
        if not os.path.exists(path):
            print("gen_pdb_expect: %s: %s not found, skipped" % (name, path))
            continue
        generate(name, path, mm)


if __name__ == "__main__":
    main()
