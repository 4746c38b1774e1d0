#!/usr/bin/env python3
"""Generates src/analyze/error_tables.h and one error_table_*.c per table: the name tables
behind src/analyze/error_names.h.

Sources (nothing here is typed in by hand except the small curated .tsv files beside this script):
  - NTSTATUS names and values: mingw-w64's ntstatus.h (Debian package mingw-w64-common,
    /usr/share/mingw-w64/include/ntstatus.h).
  - Win32 error names (ERROR_*, WSA*, RPC_S_*, ...), HRESULT names and the FACILITY_* numbers:
    mingw-w64's winerror.h.
  - Bug check names: bugcheck_names.tsv (the documentation's code table), checked against
    mingw-w64's bugcodes.h; parameter meanings: bugcheck_params.tsv.
  - __fastfail codes: fastfail.tsv, checked against mingw-w64's winnt.h.
  - WinDbg's short exception texts (.exr): exception_texts.tsv; message-table texts seen in
    WinDbg transcripts (!error, !analyze): messages.tsv.
  - NTSTATUS -> Win32 error: nt_to_win32.tsv, written by `--wine`, which compiles a small
    program with the mingw-w64 cross compiler that calls ntdll's RtlNtStatusToDosError for every
    code of ntstatus.h and runs it under Wine in a private, throw-away prefix.

Usage:
  gen_error_tables.py [--include DIR] [--wine]     (run from anywhere; writes into the repo)
The output is committed; the build and the tests need neither mingw-w64 nor Wine.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ANALYZE = os.path.dirname(HERE)
DEFAULT_INCLUDE = "/usr/share/mingw-w64/include"

# RtlNtStatusToDosError's answer for a status it has no entry for (winerror.h: 317).
ERROR_MR_MID_NOT_FOUND = 317
# ...which is also the real mapping of STATUS_MESSAGE_NOT_FOUND (ntstatus.h: 0xC0000109).
STATUS_MESSAGE_NOT_FOUND = 0xC0000109

# Where several names share a value, the first one in the header names the code, except here.
PREFERRED = {
    ("win32", 0): "ERROR_SUCCESS",
    ("hresult", 0): "S_OK",
}


def die(msg):
    sys.stderr.write(f"gen_error_tables.py: {msg}\n")
    sys.exit(1)


def read_tsv(name, columns):
    """Rows of a curated .tsv beside this script, '#' lines skipped; missing trailing fields are ''."""
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) > columns:
                die(f"{name}:{n}: {len(fields)} fields, expected at most {columns}")
            rows.append((n, fields + [""] * (columns - len(fields))))
    return rows


def parse_int(text):
    text = text.strip().rstrip("uUlL")
    return int(text, 0) & 0xFFFFFFFF


# --- headers -----------------------------------------------------------------------------------

DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)\s+(.*?)\s*(?:/[/*].*)?$")


def header_defines(path):
    """(name, value text) of each object-like #define of a header, in order."""
    out = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = DEFINE.match(line)
            if m and "(" not in m.group(1):
                out.append((m.group(1), m.group(2)))
    return out


def parse_ntstatus(path):
    """[(name, code)] of every ((NTSTATUS)0x...) define."""
    out = []
    for name, val in header_defines(path):
        m = re.fullmatch(r"\(\(NTSTATUS\)\s*(0x[0-9A-Fa-f]+)L?\)", val)
        if m:
            out.append((name, parse_int(m.group(1))))
    if len(out) < 1000:
        die(f"{path}: only {len(out)} NTSTATUS codes found")
    return out


# winerror.h defines that are ranges or severities rather than codes; plain numbers named *_BASE
# or *_MASK are bases and masks too (DNS_ERROR_MASK), but FWP_E_INVALID_NET_MASK is a code.
NOT_A_CODE = re.compile(r"^_|_(FIRST|LAST)$|^SEVERITY_|^FACILITY_NT_BIT$|^WSABASEERR$")
NOT_A_CODE_NUMBER = re.compile(r"_(BASE|MASK)$")
# Success codes of COM-style subsystems written as plain 0 (they are HRESULTs, aliases of S_OK).
HRESULT_ZERO_ALIASES = {"NOERROR", "NTE_OP_OK", "TBS_SUCCESS"}


def parse_winerror(path):
    """(win32 [(name, code)], hresult [(name, code)], facilities [(name, number)])."""
    win32, hresult, facilities = [], [], []
    known = {}  # name -> (kind, code), for aliases defined by name
    pending = []
    for name, val in header_defines(path):
        if name.startswith("FACILITY_") and re.fullmatch(r"\d+", val):
            facilities.append((name, int(val)))
            continue
        if NOT_A_CODE.search(name):
            continue
        if NOT_A_CODE_NUMBER.search(name) and re.fullmatch(r"(0x[0-9A-Fa-f]+|\d+)L?", val):
            continue
        kind = code = None
        m = re.fullmatch(r"_HRESULT_TYPEDEF_\(\s*(0x[0-9A-Fa-f]+)L?\s*\)", val) or re.fullmatch(
            r"\(\(HRESULT\)\s*(0x[0-9A-Fa-f]+)L?\)", val)
        if m:
            kind, code = "hresult", parse_int(m.group(1))
        elif name in HRESULT_ZERO_ALIASES:
            kind, code = "hresult", parse_int(val)
        elif re.fullmatch(r"__MSABI_LONG\((\d+)\)", val):
            kind, code = "win32", int(re.fullmatch(r"__MSABI_LONG\((\d+)\)", val).group(1))
        elif re.fullmatch(r"\d+L?", val):
            kind, code = "win32", parse_int(val)
        elif re.fullmatch(r"\(WSABASEERR\s*\+\s*(\d+)\)", val):
            kind, code = "win32", 10000 + int(re.fullmatch(r"\(WSABASEERR\s*\+\s*(\d+)\)", val).group(1))
        elif re.fullmatch(r"HRESULT_FROM_WIN32\((\w+)\)", val):
            pending.append((name, "from_win32", re.fullmatch(r"HRESULT_FROM_WIN32\((\w+)\)", val).group(1)))
            continue
        elif re.fullmatch(r"\w+", val):
            pending.append((name, "alias", val))
            continue
        else:
            die(f"{path}: cannot read #define {name} {val}")
        known[name] = (kind, code)
        (win32 if kind == "win32" else hresult).append((name, code))
    for name, how, target in pending:
        if target not in known:
            if NOT_A_CODE.search(target):
                continue
            die(f"{path}: {name} refers to unknown {target}")
        kind, code = known[target]
        if how == "from_win32":
            kind, code = "hresult", (code & 0xFFFF) | (7 << 16) | 0x80000000 if code else 0
        known[name] = (kind, code)
        (win32 if kind == "win32" else hresult).append((name, code))
    if len(win32) < 1000 or len(hresult) < 1000:
        die(f"{path}: only {len(win32)} Win32 and {len(hresult)} HRESULT codes found")
    return win32, hresult, facilities


def parse_bugcodes(path):
    """[(name, code)] of bugcodes.h, which also holds the kernel's banner message ids."""
    out = []
    for name, val in header_defines(path):
        m = re.fullmatch(r"\(\(ULONG\)\s*(0x[0-9A-Fa-f]+)L?\)", val)
        if m:
            out.append((name, parse_int(m.group(1))))
    return out


def parse_fastfail(path):
    out = []
    for name, val in header_defines(path):
        if name.startswith("FAST_FAIL_") and re.fullmatch(r"(0x[0-9A-Fa-f]+|\d+)", val):
            out.append((name, parse_int(val)))
    return out


# --- tables ------------------------------------------------------------------------------------

def index_names(kind, pairs):
    """{code: primary name} and the sorted [(name, code)] of every name (aliases included)."""
    primary = {}
    for name, code in pairs:
        if code not in primary:
            primary[code] = name
        elif kind == "win32" and not primary[code].startswith("ERROR_") and name.startswith("ERROR_"):
            primary[code] = name
    for (k, code), name in PREFERRED.items():
        if k == kind:
            if (name, code) not in pairs:
                die(f"preferred name {name} for {kind} {code:#x} is not in the header")
            primary[code] = name
    names = {}
    for name, code in pairs:
        if names.get(name, code) != code:
            die(f"{kind} name {name} has two values")
        names[name] = code
    return primary, sorted(names.items())


def nt_to_win32_run(include, statuses):
    """Runs RtlNtStatusToDosError under Wine for every status; returns {status: win32}."""
    for tool in ("x86_64-w64-mingw32-gcc", "wine", "wineserver"):
        if not shutil.which(tool):
            die(f"--wine needs {tool} (apt-get install gcc-mingw-w64-x86-64 wine wine64)")
    work = tempfile.mkdtemp(prefix="dd-ntmap-")
    env = {"PATH": "/usr/bin:/bin", "HOME": os.path.join(work, "home"), "LANG": "C", "LC_ALL": "C",
           "WINEPREFIX": os.path.join(work, "pfx"), "WINEDEBUG": "-all",
           "WINEDLLOVERRIDES": "mscoree,mshtml=", "WINEARCH": "win64"}
    os.makedirs(env["HOME"])
    try:
        src = os.path.join(work, "ntmap.c")
        with open(src, "w") as f:
            f.write("#include <stdio.h>\n#include <windows.h>\n"
                    "ULONG WINAPI RtlNtStatusToDosError(LONG status);\n"
                    "static const ULONG codes[] = {\n")
            for code in statuses:
                f.write(f"    0x{code:08X}u,\n")
            f.write("};\nint main(void)\n{\n"
                    "    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)\n"
                    "        printf(\"%08lX %lu\\n\", codes[i], RtlNtStatusToDosError((LONG)codes[i]));\n"
                    "    return 0;\n}\n")
        exe = os.path.join(work, "ntmap.exe")
        subprocess.run(["x86_64-w64-mingw32-gcc", "-O1", src, "-o", exe, "-lntdll"], check=True)
        try:
            out = subprocess.run(["wine", exe], env=env, check=True, capture_output=True, text=True,
                                 timeout=600).stdout
        finally:
            subprocess.run(["wineserver", "-k"], env=env, capture_output=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {}
    for line in out.splitlines():
        m = re.fullmatch(r"([0-9A-F]{8}) (\d+)\s*", line)
        if m:
            result[int(m.group(1), 16)] = int(m.group(2))
    if len(result) != len(statuses):
        die(f"Wine answered for {len(result)} of {len(statuses)} statuses")
    return result


# Rows per generated file at most: longer tables are split into parts (one job: one range).
PART_ROWS = 1000


def c_str(s):
    if s is None or s == "":
        return "NULL"
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(c) < 0x20 or ord(c) > 0x7E for c in out):
        die(f"non-printable text {s!r}")
    return f'"{out}"'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--include", default=DEFAULT_INCLUDE, help="mingw-w64 include directory")
    ap.add_argument("--wine", action="store_true", help="regenerate nt_to_win32.tsv under Wine")
    args = ap.parse_args()
    inc = args.include
    for h in ("ntstatus.h", "winerror.h", "bugcodes.h", "winnt.h"):
        if not os.path.exists(os.path.join(inc, h)):
            die(f"{inc}/{h} not found (apt-get install mingw-w64-common)")

    nt_pairs = parse_ntstatus(os.path.join(inc, "ntstatus.h"))
    w32_pairs, hr_pairs, facilities = parse_winerror(os.path.join(inc, "winerror.h"))
    nt_primary, nt_names = index_names("ntstatus", nt_pairs)
    w32_primary, w32_names = index_names("win32", w32_pairs)
    hr_primary, hr_names = index_names("hresult", hr_pairs)

    # Short texts and message-table texts.
    nt_text = {}
    for n, (code, text) in read_tsv("exception_texts.tsv", 2):
        nt_text[parse_int(code)] = text
    messages = {"ntstatus": {}, "win32": {}, "hresult": {}}
    for n, (kind, code, text, source) in read_tsv("messages.tsv", 4):
        if kind not in messages or not text or not source:
            die(f"messages.tsv:{n}: need kind, code, text and source")
        messages[kind][parse_int(code)] = text
    # (HRESULTs may lack a name: 0x80000003 is E_INVALIDARG's 16-bit-era value, not in winerror.h.)
    for kind, table in (("ntstatus", nt_primary), ("win32", w32_primary)):
        for code in messages[kind]:
            if code not in table:
                die(f"messages.tsv: {kind} {code:#x} has no name in the headers")

    # NTSTATUS -> Win32.
    map_path = os.path.join(HERE, "nt_to_win32.tsv")
    if args.wine:
        answers = nt_to_win32_run(inc, sorted(nt_primary))
        with open(map_path, "w") as f:
            f.write("# RtlNtStatusToDosError(status) for every code of mingw-w64's ntstatus.h, as Wine's\n"
                    "# ntdll answers it (written by gen_error_tables.py --wine). Statuses it maps to\n"
                    "# ERROR_MR_MID_NOT_FOUND (317, its \"no mapping\" answer) are left out.\n"
                    "# status\twin32\n")
            for code in sorted(answers):
                w = answers[code]
                if w != ERROR_MR_MID_NOT_FOUND or code == STATUS_MESSAGE_NOT_FOUND:
                    f.write(f"0x{code:08X}\t{w}\n")
    nt_map = {}
    for n, (code, w) in read_tsv("nt_to_win32.tsv", 2):
        nt_map[parse_int(code)] = int(w, 0)

    # Bug checks: the documentation's table, checked against bugcodes.h.
    bc_names = {}
    for n, (code, name) in read_tsv("bugcheck_names.tsv", 2):
        c = parse_int(code)
        if c in bc_names or not re.fullmatch(r"[A-Z0-9_]+", name):
            die(f"bugcheck_names.tsv:{n}: duplicate code or bad name")
        bc_names[c] = name
    report = []
    for name, code in parse_bugcodes(os.path.join(inc, "bugcodes.h")):
        if code in bc_names:
            if bc_names[code] != name:
                report.append(f"  bug check {code:#x}: documentation {bc_names[code]}, bugcodes.h {name}")
        elif code & 0xC0000000:
            continue  # the kernel's banner and intro message ids share bugcodes.mc
        else:
            bc_names[code] = name
            report.append(f"  bug check {code:#x} {name}: only in bugcodes.h, kept")
    bc_params = {}
    for n, fields in read_tsv("bugcheck_params.tsv", 5):
        c = parse_int(fields[0])
        if c not in bc_names:
            die(f"bugcheck_params.tsv:{n}: {c:#x} has no name")
        if fields[1].startswith("="):
            base = parse_int(fields[1][1:])
            if base not in bc_params:
                die(f"bugcheck_params.tsv:{n}: {base:#x} must come first")
            bc_params[c] = bc_params[base]
        else:
            bc_params[c] = fields[1:5]

    # __fastfail codes.
    ff = {}
    for n, (code, name) in read_tsv("fastfail.tsv", 2):
        ff[parse_int(code)] = name
    for name, code in parse_fastfail(os.path.join(inc, "winnt.h")):
        if ff.get(code) != name:
            die(f"winnt.h {name} = {code:#x} disagrees with fastfail.tsv ({ff.get(code)})")

    write_outputs(nt_primary, nt_names, nt_text, messages, w32_primary, w32_names, hr_primary,
                  hr_names, facilities, nt_map, bc_names, bc_params, ff)
    print(f"NTSTATUS {len(nt_primary)} codes ({len(nt_names)} names), Win32 {len(w32_primary)} "
          f"({len(w32_names)}), HRESULT {len(hr_primary)} ({len(hr_names)}), facilities "
          f"{len(facilities)}, NTSTATUS->Win32 {len(nt_map)}, bug checks {len(bc_names)} "
          f"({len(bc_params)} with parameters), fast-fail {len(ff)}")
    if report:
        print("documentation vs bugcodes.h:\n" + "\n".join(report))


def write_outputs(nt_primary, nt_names, nt_text, messages, w32_primary, w32_names, hr_primary,
                  hr_names, facilities, nt_map, bc_names, bc_params, ff):
    banner = ("/* Generated by src/analyze/gen/gen_error_tables.py from mingw-w64's ntstatus.h, winerror.h,\n"
              " * bugcodes.h and winnt.h and the curated .tsv files beside the script. Do not edit. */\n")
    h = [banner, "#ifndef DD_ANALYZE_ERROR_TABLES_H\n#define DD_ANALYZE_ERROR_TABLES_H\n\n",
         "#include <stddef.h>\n#include <stdint.h>\n\n#include \"analyze/error_names.h\"\n\n",
         "/* One code of a numbered family, in tables sorted by code. */\n",
         "struct error_table_entry {\n    uint32_t code;\n",
         "    const char *name;    /* the symbolic name, or NULL */\n",
         "    const char *text;    /* WinDbg's short text (.exr), NTSTATUS only, or NULL */\n",
         "    const char *message; /* the message-table text, or NULL */\n};\n\n",
         "/* A symbolic name (aliases included), in tables sorted by name. */\n",
         "struct error_table_name {\n    const char *name;\n    uint32_t code;\n};\n\n",
         "/* RtlNtStatusToDosError's answer for one status, sorted by status. */\n",
         "struct error_table_nt_win32 {\n    uint32_t status;\n    uint32_t win32;\n};\n\n",
         "/* A number and its name (FACILITY_* of winerror.h, FAST_FAIL_*), sorted by number. */\n",
         "struct error_table_pair {\n    uint32_t code;\n    const char *name;\n};\n\n",
         "/*\n * Tables longer than PART_ROWS rows are written as parts, one file each, that continue\n"
         " * each other's order; a table's parts list says where each part is and how long.\n */\n",
         "struct error_table_entry_part {\n    const struct error_table_entry *rows;\n"
         "    size_t count;\n};\n\n",
         "struct error_table_name_part {\n    const struct error_table_name *rows;\n"
         "    size_t count;\n};\n\n"]
    # One .c file per table (error_table_hresult.c, ...), or per part of a long one.
    files = {}

    def table(ctype, cname, rows, comment):
        h.append(f"extern const struct {ctype} {cname}[]; /* {comment} */\n")
        h.append(f"extern const size_t {cname}_count;\n")
        c = [banner, '#include "analyze/error_tables.h"\n\n', f"/* {comment} */\n"]
        c.append(f"const struct {ctype} {cname}[] = {{\n")
        c.extend(f"    {{{r}}},\n" for r in rows)
        c.append(f"}};\nconst size_t {cname}_count = {len(rows)};\n")
        files[cname + ".c"] = "".join(c)

    # A long table: parts of at most PART_ROWS rows (error_table_win32_1.c, _2.c, ...), each
    # its own array, and the parts list (in error_table_win32_parts.c) the lookups walk.
    def parted_table(ctype, cname, rows, comment, first_key):
        nparts = (len(rows) + PART_ROWS - 1) // PART_ROWS
        size = (len(rows) + nparts - 1) // nparts
        chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
        for i, chunk in enumerate(chunks, 1):
            part_comment = f"{comment}: part {i} of {len(chunks)}, from {first_key(chunk[0])}"
            h.append(f"extern const struct {ctype} {cname}_{i}[]; /* {part_comment} */\n")
            c = [banner, '#include "analyze/error_tables.h"\n\n', f"/* {part_comment} */\n"]
            c.append(f"const struct {ctype} {cname}_{i}[] = {{\n")
            c.extend(f"    {{{r}}},\n" for r in chunk)
            c.append("};\n")
            files[f"{cname}_{i}.c"] = "".join(c)
        h.append(f"extern const struct {ctype}_part {cname}_parts[]; /* {comment}, in order */\n")
        h.append(f"extern const size_t {cname}_parts_count;\n")
        c = [banner, '#include "analyze/error_tables.h"\n\n', f"/* {comment}: the parts */\n"]
        c.append(f"const struct {ctype}_part {cname}_parts[] = {{\n")
        c.extend(f"    {{{cname}_{i}, {len(chunk)}}},\n" for i, chunk in enumerate(chunks, 1))
        c.append(f"}};\nconst size_t {cname}_parts_count = {len(chunks)};\n")
        files[f"{cname}_parts.c"] = "".join(c)

    def entries(primary, texts, msgs):
        codes = sorted(set(primary) | set(texts) | set(msgs))
        return [f"0x{k:08X}u, {c_str(primary.get(k))}, {c_str(texts.get(k))}, {c_str(msgs.get(k))}"
                for k in codes]

    def names(pairs):
        return [f"{c_str(n)}, 0x{k:08X}u" for n, k in sorted(pairs, key=lambda p: p[0].encode())]

    code_of = lambda row: row.split(",")[0]
    name_of = lambda row: row.split(",")[0]
    parted_table("error_table_entry", "error_table_ntstatus",
                 entries(nt_primary, nt_text, messages["ntstatus"]),
                 "ntstatus.h codes and exception codes with a WinDbg text", code_of)
    parted_table("error_table_name", "error_table_ntstatus_names", names(nt_names),
                 "every NTSTATUS name", name_of)
    parted_table("error_table_entry", "error_table_win32", entries(w32_primary, {}, messages["win32"]),
                 "winerror.h Win32 codes", code_of)
    parted_table("error_table_name", "error_table_win32_names", names(w32_names),
                 "every Win32 error name", name_of)
    table("error_table_entry", "error_table_hresult", entries(hr_primary, {}, messages["hresult"]),
          "winerror.h HRESULT codes")
    table("error_table_name", "error_table_hresult_names", names(hr_names), "every HRESULT name")
    fac = {}
    for name, num in facilities:
        fac.setdefault(num, name)
    table("error_table_pair", "error_table_facilities",
          [f"{k}u, {c_str(v)}" for k, v in sorted(fac.items())], "HRESULT facilities")
    table("error_table_nt_win32", "error_table_nt_to_win32",
          [f"0x{k:08X}u, {v}u" for k, v in sorted(nt_map.items())], "NTSTATUS -> Win32 error")
    bc_rows = []
    for k in sorted(bc_names):
        p = bc_params.get(k, ["", "", "", ""])
        bc_rows.append(f"0x{k:08X}u, {c_str(bc_names[k])}, {{{', '.join(c_str(x) for x in p)}}}, "
                       f"{'true' if k in bc_params else 'false'}")
    table("bugcheck_info", "error_table_bugchecks", bc_rows, "bug check names and parameters")
    table("error_table_pair", "error_table_fastfail",
          [f"0x{k:08X}u, {c_str(v)}" for k, v in sorted(ff.items())], "__fastfail codes")
    h.append("\n#endif\n")
    with open(os.path.join(ANALYZE, "error_tables.h"), "w") as f:
        f.write("".join(h))
    for name, text in files.items():
        with open(os.path.join(ANALYZE, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
