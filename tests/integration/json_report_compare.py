#!/usr/bin/env python3
"""The crash report (`dumpdbg --json-report`) against other tools' output for the same dumps.

    json_report_compare.py DUMPDBG

1. rust-minidump's own `minidump-stackwalk --json --pretty` snapshots of test.dmp (byte-identical
   to google-breakpad/minidump2.dmp; corpus/user/MANIFEST.md), with and without test_app.sym:
   every field they have must exist in our document (objects key by key, threads and frames
   index by index, modules matched by base address), with the same value where the facts agree:
   the crash reason, address and thread, system info, pid, the module list (addresses, names,
   code and debug ids, versions, main module), thread ids and names, and every field of every
   frame of the crashing thread (module, offsets, function, file, line, trust, registers).
   Fields rust-minidump leaves null (it did not compute them) are not compared. The symbol
   state of modules (missing_symbols, loaded_symbols) depends on which modules a tool looked
   up, so it is compared for the modules on the crashing stack only, and threads rust-minidump
   did not walk (Breakpad's dump-writing thread) have their frames left uncompared.
2. Symbolicator's snapshot of getsentry-symbolicator/windows.dmp (symbolicated with crash.pdb):
   its field names differ, so each of its facts is mapped to ours: crash reason and address,
   OS version and CPU, every thread's id, the crashing thread's registers and frames (address,
   module, function, source file and line, trust), and for other threads the frames it lists
   (a prefix of ours: it stops where we may scan further); modules (code and debug ids, files,
   base and size).
Prints "ok NAME" / "FAIL NAME" lines and "N passed, N failed, N skipped".
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def corpus_dir():
    env = os.environ.get("DD_CORPUS")
    d = env if env else os.path.join(ROOT, "..", "shared", "corpus")
    return d if os.path.isdir(d) else None


class Result:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for p in problems[:40]:
                print(f"  {p}")
            if len(problems) > 40:
                print(f"  ... and {len(problems) - 40} more")
        else:
            self.passed += 1
            print(f"ok   {name}")

    def skip(self, name, why):
        self.skipped += 1
        print(f"skip {name}: {why}")


def load_snap(path):
    """An insta snapshot: a YAML header between '---' lines, then the value."""
    text = open(path, encoding="utf-8").read()
    body = text.split("\n---\n", 1)[1]
    return body


def report(dumpdbg, dump, sympath):
    out = subprocess.run([dumpdbg, "--json-report", dump, "-y", sympath], capture_output=True,
                         timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"dumpdbg exited {out.returncode}: {out.stderr.decode(errors='replace')}")
    return json.loads(out.stdout)


def blank(v):
    return v is None or v == ""


def same(a, b):
    """Equal, reading "" as null (rust-minidump writes "" for an absent debug file or id)."""
    return (blank(a) and blank(b)) or a == b


# --- 1. rust-minidump --------------------------------------------------------------------

def missing_keys(theirs, ours, path, problems):
    """Every key of THEIRS exists in OURS, recursively."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            problems.append(f"{path}: ours is {type(ours).__name__}, theirs an object")
            return
        for k, v in theirs.items():
            if k not in ours:
                problems.append(f"{path}.{k}: missing in ours")
            elif k == "modules" and isinstance(v, list):
                by_base = {m.get("base_addr"): m for m in ours[k] if isinstance(m, dict)}
                for m in v:
                    missing_keys(m, by_base.get(m.get("base_addr")), f"{path}.modules[{m.get('base_addr')}]",
                                 problems)
            else:
                missing_keys(v, ours[k], f"{path}.{k}", problems)
    elif isinstance(theirs, list) and isinstance(ours, list):
        for i, (a, b) in enumerate(zip(theirs, ours)):
            missing_keys(a, b, f"{path}[{i}]", problems)


def compare_frames(theirs, ours, path, problems):
    if len(theirs) != len(ours):
        problems.append(f"{path}: {len(ours)} frames, rust-minidump has {len(theirs)}")
    for i, (a, b) in enumerate(zip(theirs, ours)):
        for k, v in a.items():
            if v is None or k in ("inlines", "unloaded_modules"):
                continue
            if k == "registers":
                for r, rv in v.items():
                    if b.get("registers", {}).get(r) != rv:
                        problems.append(f"{path}[{i}].registers.{r}: ours {b.get('registers', {}).get(r)}, theirs {rv}")
            elif not same(b.get(k), v):
                problems.append(f"{path}[{i}].{k}: ours {b.get(k)!r}, theirs {v!r}")


def compare_rust(theirs, ours, with_symbols):
    problems = []
    missing_keys(theirs, ours, "", problems)
    for k in ("status", "pid", "thread_count"):
        if not same(ours.get(k), theirs.get(k)):
            problems.append(f"{k}: ours {ours.get(k)!r}, theirs {theirs.get(k)!r}")
    if ours.get("process_uptime") != theirs.get("process_uptime"):
        problems.append(f"process_uptime: ours {ours.get('process_uptime')}, theirs {theirs.get('process_uptime')}")
    for k in ("type", "address", "crashing_thread", "assertion", "adjusted_address"):
        if theirs["crash_info"].get(k) is not None and ours["crash_info"].get(k) != theirs["crash_info"][k]:
            problems.append(f"crash_info.{k}: ours {ours['crash_info'].get(k)!r}, theirs {theirs['crash_info'][k]!r}")
    for k, v in theirs["system_info"].items():
        if v is not None and ours["system_info"].get(k) != v:
            problems.append(f"system_info.{k}: ours {ours['system_info'].get(k)!r}, theirs {v!r}")
    # Modules: the same set, each with the same facts; the main module by name.
    ours_by_base = {m["base_addr"]: m for m in ours["modules"]}
    if sorted(ours_by_base) != sorted(m["base_addr"] for m in theirs["modules"]):
        problems.append("modules: the base addresses differ")
    stack_modules = {f.get("module") for f in theirs["crashing_thread"]["frames"]}
    for m in theirs["modules"]:
        o = ours_by_base.get(m["base_addr"])
        if not o:
            continue
        keys = ["end_addr", "filename", "code_id", "debug_file", "debug_id", "version", "cert_subject"]
        if with_symbols and m["filename"] in stack_modules:
            keys += ["missing_symbols", "loaded_symbols", "corrupt_symbols"]
        for k in keys:
            if not same(o.get(k), m.get(k)):
                problems.append(f"modules[{m['filename']}].{k}: ours {o.get(k)!r}, theirs {m.get(k)!r}")
    main_t = theirs["modules"][theirs["main_module"]]["filename"]
    mm = ours.get("main_module")
    main_o = ours["modules"][mm]["filename"] if isinstance(mm, int) else None
    if main_o != main_t:
        problems.append(f"main_module: ours {main_o!r}, theirs {main_t!r}")
    if [(u["base_addr"], u["filename"]) for u in theirs["unloaded_modules"]] != \
            [(u["base_addr"], u["filename"]) for u in ours["unloaded_modules"]]:
        problems.append("unloaded_modules differ")
    # Threads: ids and names; the frames of every thread rust-minidump walked.
    for i, t in enumerate(theirs["threads"]):
        o = ours["threads"][i] if i < len(ours["threads"]) else {}
        for k in ("thread_id", "thread_name", "last_error_value"):
            if t.get(k) is not None and o.get(k) != t[k]:
                problems.append(f"threads[{i}].{k}: ours {o.get(k)!r}, theirs {t[k]!r}")
        if t["frames"]:
            compare_frames(t["frames"], o.get("frames", []), f"threads[{i}].frames", problems)
    ct, oc = theirs["crashing_thread"], ours.get("crashing_thread") or {}
    for k in ("threads_index", "thread_id", "thread_name", "frame_count"):
        if ct.get(k) is not None and oc.get(k) != ct[k]:
            problems.append(f"crashing_thread.{k}: ours {oc.get(k)!r}, theirs {ct[k]!r}")
    compare_frames(ct["frames"], oc.get("frames", []), "crashing_thread.frames", problems)
    return problems


# --- 2. Symbolicator ---------------------------------------------------------------------

def parse_symbolicator(text):
    """The few structures of the snapshot used here, from its YAML (no YAML module needed)."""
    lines = text.splitlines()
    facts = {"threads": [], "modules": []}
    cur_thread = cur_frame = cur_module = None
    section = None
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        s = line.strip()
        if indent == 0:
            section = s.rstrip(":").split(":")[0]
            if ":" in s and not s.endswith(":"):
                k, v = s.split(":", 1)
                facts[k] = v.strip().strip('"')
            continue
        key, _, val = s.lstrip("- ").partition(":")
        val = val.strip().strip('"').replace("\\\\", "\\")
        if section == "system_info" and indent == 2:
            facts["system_info." + key] = val
        elif section == "stacktraces":
            if s.startswith("- thread_id:"):
                cur_thread = {"thread_id": int(val), "registers": {}, "frames": []}
                facts["threads"].append(cur_thread)
            elif indent == 6 and cur_thread is not None and key in (
                    "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags"):
                cur_thread["registers"][key] = int(val, 16)
            elif s.startswith("- status:"):
                cur_frame = {"status": val}
                cur_thread["frames"].append(cur_frame)
            elif cur_frame is not None and indent == 8:
                cur_frame[key] = val
        elif section == "modules":
            if indent == 2 and s.startswith("- "):
                cur_module = {}
                facts["modules"].append(cur_module)
            if indent in (2, 4) and cur_module is not None and val:
                cur_module.setdefault(key, val)
    return facts


def breakpad_debug_id(dashed):
    """'3249d99d-0c40-4931-8610-f4e4fb0b6936-1' -> '3249D99D0C4049318610F4E4FB0B69361'."""
    parts = dashed.split("-")
    return ("".join(parts[:5]) + format(int(parts[5], 16), "X")).upper()


def basename(p):
    return p.replace("\\", "/").rsplit("/", 1)[-1]


TRUST = {"context": "context", "cfi": "cfi", "fp": "frame_pointer", "scan": "scan", "cfi_scan": "scan"}


def compare_symbolicator(facts, ours):
    problems = []
    reason, _, addr = facts["crash_reason"].partition(" / ")
    if ours["crash_info"]["type"] != reason:
        problems.append(f"crash type: ours {ours['crash_info']['type']!r}, theirs {reason!r}")
    if int(ours["crash_info"]["address"], 16) != int(addr, 16):
        problems.append(f"crash address: ours {ours['crash_info']['address']}, theirs {addr}")
    if not ours["system_info"]["os_ver"].startswith(facts["system_info.os_version"]):
        problems.append(f"os version: ours {ours['system_info']['os_ver']!r}, theirs {facts['system_info.os_version']!r}")
    if ours["system_info"]["cpu_arch"] != facts["system_info.cpu_arch"]:
        problems.append("cpu_arch differs")
    if [t["thread_id"] for t in facts["threads"]] != [t["thread_id"] for t in ours["threads"]]:
        problems.append("thread ids differ")
    crashing = ours["crash_info"]["crashing_thread"]
    for i, t in enumerate(facts["threads"]):
        if i >= len(ours["threads"]):
            break
        frames = ours["threads"][i]["frames"]
        # A context stopped on a `ret` returns through [esp] (the epilog has run: found_by
        # "leaf"), to the caller that an EBP walk like theirs skips, since a syscall stub keeps no
        # frame: leave that one frame out so the rest lines up (ours is the debugger's answer).
        if (i != crashing and len(frames) > 1 and frames[1].get("found_by") == "leaf"
                and len(t["frames"]) > 1 and t["frames"][1]["trust"] == "fp"):
            frames = [dict(frames[0], return_address=frames[1]["return_address"])] + frames[2:]
        if i == crashing:
            regs = ours["crashing_thread"]["frames"][0]["registers"]
            for r, v in t["registers"].items():
                if int(regs.get(r, "-1"), 16) != v:
                    problems.append(f"thread {t['thread_id']} register {r}: ours {regs.get(r)}, theirs {v:#x}")
            if len(frames) != len(t["frames"]):
                problems.append(f"thread {t['thread_id']}: {len(frames)} frames, theirs {len(t['frames'])}")
        elif len(frames) < len(t["frames"]):
            problems.append(f"thread {t['thread_id']}: {len(frames)} frames, theirs {len(t['frames'])}")
        for j, f in enumerate(t["frames"][:len(frames)]):
            o = frames[j]
            # Theirs is frame 0's instruction pointer; for a caller, the return address, which
            # it moves back into the call (our "offset") once the frame is symbolicated.
            if j == 0 or f["status"] == "symbolicated":
                ip = int(o["offset"], 16)
            else:
                ip = int(frames[j - 1]["return_address"], 16)
            where = f"thread {t['thread_id']} frame {j}"
            if ip != int(f["instruction_addr"], 16):
                problems.append(f"{where}: address ours {ip:#x}, theirs {f['instruction_addr']}")
            if TRUST.get(f["trust"]) != o["trust"]:
                problems.append(f"{where}: trust ours {o['trust']}, theirs {f['trust']}")
            if basename(f["package"]).lower() != (o["module"] or "").lower():
                problems.append(f"{where}: module ours {o['module']}, theirs {f['package']}")
            if "function" in f and f["function"] != o["function"]:
                problems.append(f"{where}: function ours {o['function']!r}, theirs {f['function']!r}")
            if "lineno" in f and int(f["lineno"]) != o["line"]:
                problems.append(f"{where}: line ours {o['line']}, theirs {f['lineno']}")
            if "abs_path" in f and f["abs_path"] != o["file"]:
                problems.append(f"{where}: file ours {o['file']!r}, theirs {f['abs_path']!r}")
    ours_by_base = {int(m["base_addr"], 16): m for m in ours["modules"]}
    if len(ours_by_base) != len(facts["modules"]):
        problems.append(f"{len(ours_by_base)} modules, theirs {len(facts['modules'])}")
    for m in facts["modules"]:
        o = ours_by_base.get(int(m["image_addr"], 16))
        if not o:
            problems.append(f"module at {m['image_addr']} missing")
            continue
        checks = [("code_id", o["code_id"], m["code_id"]),
                  ("debug_id", o["debug_id"], breakpad_debug_id(m["debug_id"])),
                  ("debug_file", o["debug_file"], basename(m["debug_file"])),
                  ("filename", o["filename"], basename(m["code_file"])),
                  ("size", int(o["end_addr"], 16) - int(o["base_addr"], 16), int(m["image_size"]))]
        for k, a, b in checks:
            if a != b:
                problems.append(f"module {m['code_file']}: {k} ours {a!r}, theirs {b!r}")
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    dumpdbg = sys.argv[1]
    res = Result()
    corpus = corpus_dir()
    if not corpus:
        for n in ("rust_minidump_symbols", "rust_minidump_no_symbols", "symbolicator_windows"):
            res.skip(n, "shared corpus not found")
        print(f"{res.passed} passed, {res.failed} failed, {res.skipped} skipped")
        return 0
    user = os.path.join(corpus, "user")
    dump = os.path.join(user, "google-breakpad", "minidump2.dmp")
    with tempfile.TemporaryDirectory() as tmp:
        # rust-minidump's symbols directory holds test_app.sym only (MANIFEST): the same here.
        syms = os.path.join(tmp, "syms")
        os.makedirs(os.path.join(syms, "test_app.pdb"))
        os.symlink(os.path.join(user, "google-breakpad", "symbols", "test_app.pdb",
                                "5A9832E5287241C1838ED98914E9B7FF1"),
                   os.path.join(syms, "test_app.pdb", "5A9832E5287241C1838ED98914E9B7FF1"))
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        goldens = os.path.join(user, "rust-minidump", "goldens")
        for name, snap, sympath, with_syms in (
                ("rust_minidump_symbols", "test_minidump_stackwalk__json-pretty-symbols.snap", syms, True),
                ("rust_minidump_no_symbols", "test_minidump_stackwalk__json-pretty.snap", empty, False)):
            try:
                theirs = json.loads(load_snap(os.path.join(goldens, snap)))
                ours = report(dumpdbg, dump, sympath)
                res.check(name, compare_rust(theirs, ours, with_syms))
            except Exception as e:  # a crash or bad JSON is a failure, not a traceback
                res.check(name, [f"{type(e).__name__}: {e}"])

        # Symbolicator served crash.pdb from a symbol store; the corpus keeps the real PDB
        # under an "ffffffff" age placeholder, so a store with the right key is made here.
        sym_dir = os.path.join(user, "getsentry-symbolicator")
        store = os.path.join(tmp, "store", "crash.pdb", "3249D99D0C4049318610F4E4FB0B69361")
        os.makedirs(store)
        os.symlink(os.path.join(sym_dir, "symbols", "crash.pdb", "3249D99D0C4049318610F4E4FB0B6936ffffffff",
                                "crash.pdb"), os.path.join(store, "crash.pdb"))
        try:
            facts = parse_symbolicator(load_snap(os.path.join(
                sym_dir, "goldens", "integration__process_minidump__minidump_windows.snap")))
            ours = report(dumpdbg, os.path.join(sym_dir, "windows.dmp"),
                          "srv*" + os.path.join(tmp, "store"))
            res.check("symbolicator_windows", compare_symbolicator(facts, ours))
        except Exception as e:
            res.check("symbolicator_windows", [f"{type(e).__name__}: {e}"])
    print(f"{res.passed} passed, {res.failed} failed, {res.skipped} skipped")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
