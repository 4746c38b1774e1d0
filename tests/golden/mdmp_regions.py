#!/usr/bin/env python3
"""Independent oracle for the !address, !vprot and s golden transcripts.

Reads a minidump's raw streams (documented MINIDUMP_* layouts in minidumpapiset.h)
and prints what WinDbg shows, in the layouts cited in src/ext/ext_memory.c, so the
*.t files can hold values computed from the dump's bytes rather than dumpdbg's output:

    mdmp_regions.py DUMP vprot ADDR        !vprot ADDR
    mdmp_regions.py DUMP address ADDR      !address ADDR
    mdmp_regions.py DUMP summary           !address -summary (MemoryInfoList dumps)
    mdmp_regions.py DUMP table             the region table that !address prints first
    mdmp_regions.py DUMP find HEXBYTES     addresses where the bytes occur in captured memory

Rules (same as the documented behaviour dumpdbg implements): the PEB page and each
TEB's pages (2 on 64-bit, 1 on 32-bit) are rows of their own; a row is Stack when its
allocation holds a thread's captured stack; Image when a module covers it or its type
is MEM_IMAGE; Free when MEM_FREE; else <unknown>.
"""
import struct
import sys

MEM_COMMIT, MEM_RESERVE, MEM_FREE = 0x1000, 0x2000, 0x10000
TYPES = {0x20000: "MEM_PRIVATE", 0x40000: "MEM_MAPPED", 0x1000000: "MEM_IMAGE"}
STATES = {MEM_COMMIT: "MEM_COMMIT", MEM_RESERVE: "MEM_RESERVE", MEM_FREE: "MEM_FREE"}
PROTECTS = [(0x01, "PAGE_NOACCESS"), (0x02, "PAGE_READONLY"), (0x04, "PAGE_READWRITE"),
            (0x08, "PAGE_WRITECOPY"), (0x10, "PAGE_EXECUTE"), (0x20, "PAGE_EXECUTE_READ"),
            (0x40, "PAGE_EXECUTE_READWRITE"), (0x80, "PAGE_EXECUTE_WRITECOPY"),
            (0x100, "PAGE_GUARD"), (0x200, "PAGE_NOCACHE"), (0x400, "PAGE_WRITECOMBINE")]


def protect_name(p):
    return " | ".join(n for bit, n in PROTECTS if p & bit)


class Dump:
    def __init__(self, path):
        self.d = open(path, "rb").read()
        assert self.d[:4] == b"MDMP"
        n, rva = struct.unpack_from("<II", self.d, 8)
        self.streams = {}
        for i in range(n):
            t, size, r = struct.unpack_from("<III", self.d, rva + 12 * i)
            self.streams.setdefault(t, (r, size))
        arch = struct.unpack_from("<H", self.d, self.streams[7][0])[0]
        self.wide = arch in (9, 12)  # AMD64, ARM64
        self.memory = []  # (start, bytes)
        if 5 in self.streams:
            r = self.streams[5][0]
            for i in range(struct.unpack_from("<I", self.d, r)[0]):
                start, size, rva = struct.unpack_from("<QII", self.d, r + 4 + 16 * i)
                self.memory.append((start, self.d[rva:rva + size]))
        if 9 in self.streams:
            r = self.streams[9][0]
            count, rva = struct.unpack_from("<QQ", self.d, r)
            for i in range(count):
                start, size = struct.unpack_from("<QQ", self.d, r + 16 + 16 * i)
                self.memory.append((start, self.d[rva:rva + size]))
                rva += size
        self.threads = []  # (tid, teb, stack start, stack size)
        r = self.streams[3][0]
        for i in range(struct.unpack_from("<I", self.d, r)[0]):
            tid, _, _, _, teb, sstart, ssize, _ = struct.unpack_from("<IIIIQQII", self.d,
                                                                     r + 4 + 48 * i)
            self.threads.append((tid, teb, sstart, ssize))
        self.modules = []  # (base, size, name, path)
        r = self.streams[4][0]
        for i in range(struct.unpack_from("<I", self.d, r)[0]):
            base, size, _, _, name_rva = struct.unpack_from("<QIIII", self.d, r + 4 + 108 * i)
            n = struct.unpack_from("<I", self.d, name_rva)[0]
            path = self.d[name_rva + 4:name_rva + 4 + n].decode("utf-16-le")
            leaf = path.replace("/", "\\").split("\\")[-1]
            # The debugger's module name: the file name without its extension, other dots as "_".
            name = (leaf.rsplit(".", 1)[0] if "." in leaf else leaf).replace(".", "_")
            self.modules.append((base, size, name, path))
        self.pid = 0
        if 15 in self.streams:
            _, flags, pid = struct.unpack_from("<III", self.d, self.streams[15][0])
            self.pid = pid if flags & 1 else 0
        self.regions = []  # (base, alloc base, alloc protect, size, state, protect, type)
        if 16 in self.streams:
            r = self.streams[16][0]
            hsize, esize, count = struct.unpack_from("<IIQ", self.d, r)
            for i in range(count):
                b, ab, ap, _, size, st, pr, ty = struct.unpack_from("<QQIIQIII", self.d,
                                                                    r + hsize + esize * i)
                self.regions.append((b, ab, ap, size, st, pr, ty))
            self.regions.sort()

    def read(self, addr, n):
        for start, data in self.memory:
            if start <= addr and addr + n <= start + len(data):
                return data[addr - start:addr - start + n]
        return None

    def find(self, pattern):
        hits = []
        for start, data in self.memory:
            i = data.find(pattern)
            while i >= 0:
                hits.append(start + i)
                i = data.find(pattern, i + 1)
        return sorted(hits)

    def region_of(self, addr, regions):
        for reg in regions:
            if reg[0] <= addr < reg[0] + reg[3]:
                return reg
        return None

    def rows(self):
        """The regions split at the PEB/TEB pages, each with (usage, detail)."""
        page = 0x1000
        specials = []
        tid0_teb = self.threads[0][1] if self.threads else 0
        raw = self.read(tid0_teb + (0x60 if self.wide else 0x30), 8 if self.wide else 4)
        if raw:
            peb = int.from_bytes(raw, "little")
            if peb:
                specials.append((peb & ~(page - 1), (peb & ~(page - 1)) + page, "PEB", "[%x]" % self.pid))
        for i, (tid, teb, _, _) in enumerate(self.threads):
            if teb:
                b = teb & ~(page - 1)
                specials.append((b, b + (2 if self.wide else 1) * page, "TEB",
                                 "[~%d; %x.%x]" % (i, self.pid, tid)))
        specials.sort()
        stacks = {}
        for i, (tid, _, sstart, ssize) in enumerate(self.threads):
            reg = self.region_of(sstart, self.regions) if ssize else None
            if reg and reg[4] != MEM_FREE:
                stacks.setdefault(reg[1] or reg[0], "[~%d; %x.%x]" % (i, self.pid, tid))
        out = []
        for reg in self.regions:
            b, ab, ap, size, st, pr, ty = reg
            if st == MEM_FREE:
                use = ("Free", "")
            elif (ab or b) in stacks:
                use = ("Stack", stacks[ab or b])
            else:
                mod = next((m for m in self.modules if m[0] <= b < m[0] + m[1]), None)
                if mod or ty == 0x1000000:
                    use = ("Image", '[%s; "%s"]' % (mod[2], mod[3]) if mod else "")
                else:
                    use = ("<unknown>", "")
            pos, end = b, b + size
            if st != MEM_FREE:
                for sb, se, name, detail in specials:
                    if se <= pos or sb >= end:
                        continue
                    lo, hi = max(sb, pos), min(se, end)
                    if lo > pos:
                        out.append(((pos, ab, ap, lo - pos, st, pr, ty), use))
                    out.append(((lo, ab, ap, hi - lo, st, pr, ty), (name, detail)))
                    pos = hi
            if pos < end:
                out.append(((pos, ab, ap, end - pos, st, pr, ty), use))
        return out


def full(v, wide):
    return "%08x`%08x" % (v >> 32, v & 0xffffffff) if wide else "%08x" % v


def short(v, wide):
    return "%x`%08x" % (v >> 32, v & 0xffffffff) if wide else "%x" % v


def human(v):
    value, unit = v / 1024.0, "kB"
    for u in ("MB", "GB", "TB"):
        if value >= 1024:
            value, unit = value / 1024.0, u
    return "(%8.3f %s)" % (value, unit)


def vprot(dump, addr):
    reg = dump.region_of(addr, dump.regions)
    if not reg:
        return ["!vprot: No containing memory region found"]
    b, ab, ap, size, st, pr, ty = reg
    page = max(b, addr & ~0xfff)
    digits = 16 if dump.wide else 8
    lines = ["%-19s%0*x" % ("BaseAddress:", digits, page),
             "%-19s%0*x" % ("AllocationBase:", digits, ab)]
    if ap:
        lines.append("%-19s%08x  %s" % ("AllocationProtect:", ap, protect_name(ap)))
    lines.append("%-19s%0*x" % ("RegionSize:", digits, b + size - page))
    if st:
        lines.append("%-19s%08x  %s" % ("State:", st, STATES.get(st, "")))
    if pr:
        lines.append("%-19s%08x  %s" % ("Protect:", pr, protect_name(pr)))
    if ty:
        lines.append("%-19s%08x  %s" % ("Type:", ty, TYPES.get(ty, "")))
    return lines


def address(dump, addr):
    w = dump.wide
    row = next(((r, u) for r, u in dump.rows() if r[0] <= addr < r[0] + r[3]), None)
    (b, ab, ap, size, st, pr, ty), (use, detail) = row

    def field(label, v, name):
        return "%-24s%s" % (label, "<info not present at the target>" if v == 0
                            else "%08x          %s" % (v, name))
    lines = ["", "%-24s%s" % ("Usage:", use), "%-24s%s" % ("Base Address:", full(b, w)),
             "%-24s%s" % ("End Address:", full(b + size, w)),
             "%-24s%s %s" % ("Region Size:", full(size, w), human(size)),
             field("State:", st, STATES.get(st, "")), field("Protect:", pr, protect_name(pr)),
             field("Type:", ty, TYPES.get(ty, ""))]
    if st != MEM_FREE:
        lines += ["%-24s%s" % ("Allocation Base:", full(ab, w)),
                  field("Allocation Protect:", ap, protect_name(ap))]
    mod = next((m for m in dump.modules if m[0] <= b < m[0] + m[1]), None)
    if use == "Image" and mod:
        lines += ["%-24s%s" % ("Image Path:", mod[3]), "%-24s%s" % ("Module Name:", mod[2]),
                  "%-24s%s" % ("Loaded Image Name:", mod[3].split("\\")[-1]),
                  "%-24s" % "Mapped Image Name:",
                  "%-24slmv m %s" % ("More info:", mod[2]), "%-24s!lmi %s" % ("More info:", mod[2]),
                  "%-24sln 0x%x" % ("More info:", addr), "%-24s!dh 0x%x" % ("More info:", mod[0])]
    if use == "Stack":
        lines.append("%-24s~%sk" % ("More info:", detail[2:].split(";")[0]))
    source = "1 (target)" if dump.read(addr, 1) is not None else "0 (invalid)"
    lines += ["", "", "Content source: %s, length: %x" % (source, b + size - addr)]
    return lines


def table(dump):
    w = dump.wide
    width = 17 if w else 8
    if w:
        out = ["", "        BaseAddress      EndAddress+1        RegionSize     Type       State"
               "                 Protect             Usage", "-" * 122]
    else:
        out = ["", "  BaseAddr EndAddr+1 RgnSize     Type       State                 Protect"
               "             Usage", "-" * 95]
    for (b, ab, ap, size, st, pr, ty), (use, detail) in dump.rows():
        if use == "<unknown>" and st == MEM_COMMIT:
            data = dump.read(b, 16)
            if data:
                detail = "[%s]" % "".join(chr(c) if 0x20 <= c < 0x7f else "." for c in data)
        mark = "+" if st == MEM_FREE or b == ab else " "
        out.append("%s %*s %*s %*s %-11s %-11s %-34s %-10s %s" % (
            mark, width, short(b, w), width, short(b + size, w), width, short(size, w),
            TYPES.get(ty, ""), STATES.get(st, ""), protect_name(pr), use, detail))
    return out


def summary(dump):
    w = dump.wide
    rows = dump.rows()
    total = sum(r[3] for r, _ in rows)
    busy = sum(r[3] for r, _ in rows if r[4] != MEM_FREE)

    def group(key):
        acc = {}
        for r, u in rows:
            k = key(r, u)
            if k is None:
                continue
            e = acc.setdefault(k, [0, 0, 0, 0, len(acc)])
            e[0] += 1
            e[1] += r[3]
            if e[0] == 1 or r[3] > e[3]:
                e[2], e[3] = r[0], r[3]
        return sorted(acc.items(), key=lambda kv: (-kv[1][1], kv[1][4]))

    def table(title, items, free_name):
        out = [title]
        for name, (count, size, _, _, _) in items:
            pb = " " * 8 if name == free_name else "%7.2f%%" % (100.0 * size / busy)
            out.append("%-35s%8d %17s %s%s%8.2f%%" % (name, count, short(size, w), human(size),
                                                      pb, 100.0 * size / total))
        return out
    usage = group(lambda r, u: u[0])
    lines = [""]
    lines += table("--- Usage Summary ---------------- RgnCount ----------- Total Size -------- "
                   "%ofBusy %ofTotal", usage, "Free")
    lines += [""] + table("--- Type Summary (for busy) ------ RgnCount ----------- Total Size "
                          "-------- %ofBusy %ofTotal",
                          group(lambda r, u: TYPES.get(r[6]) if r[4] != MEM_FREE else None), None)
    lines += [""] + table("--- State Summary ---------------- RgnCount ----------- Total Size "
                          "-------- %ofBusy %ofTotal",
                          group(lambda r, u: STATES.get(r[4])), "MEM_FREE")
    lines += [""] + table("--- Protect Summary (for commit) - RgnCount ----------- Total Size "
                          "-------- %ofBusy %ofTotal",
                          group(lambda r, u: protect_name(r[5]) if r[4] == MEM_COMMIT and r[5]
                                else None), None)
    lines += ["", "--- Largest Region by Usage ----------- Base Address -------- Region Size "
              "----------"]
    for name, (_, _, lb, ls, _) in usage:
        lines.append("%-35s%17s %17s %s" % (name, short(lb, w), short(ls, w), human(ls)))
    return lines


def main():
    dump = Dump(sys.argv[1])
    what = sys.argv[2]
    if what == "vprot":
        out = vprot(dump, int(sys.argv[3], 16))
    elif what == "address":
        out = address(dump, int(sys.argv[3], 16))
    elif what == "summary":
        out = summary(dump)
    elif what == "table":
        out = table(dump)
    elif what == "find":
        out = ["%x" % a for a in dump.find(bytes.fromhex(sys.argv[3]))]
    else:
        raise SystemExit(__doc__)
    print("\n".join(out))


if __name__ == "__main__":
    main()
