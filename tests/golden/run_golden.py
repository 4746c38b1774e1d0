#!/usr/bin/env python3
"""Runs dumpdbg command transcripts (*.t files) and checks their output.

A .t file holds:
    # comments (say where every expected value comes from)
    dump: corpus:user/google-breakpad/minidump2.dmp   | fixture:dumps/x.dmp | fixture-xz:dumps/x.dmp.xz
    args: -y {{fixtures}}/dumps   (more command-line options; {{fixtures}} is tests/fixtures,
                                   {{corpus}} the shared corpus; also usable in expectations)
    exit: 0                       (expected exit status, default 0)
    stderr: TEXT                  (a substring the error output must hold)
    cmd: r                        (a command; what follows up to the next cmd: applies to it)
    expect:                       (exact output lines of the command, ended by a line ".")
    contains: TEXT                (a substring of the command's output)
    lacks: TEXT                   (a substring that must not appear)
    banner: TEXT                  (a substring of what is printed before the first prompt)
In expectations of a fixture dump, {{key}} is replaced by that key's value in the dump's
NAME.expect file (facts the fixture program printed or that its generator read from the
documented minidump fields); {{key:016}} zero-pads a hex value to 16 digits, {{key:tick}}
writes it as WinDbg's 00000000`00000000, and {{key:x}} turns a decimal value into hex.
All the file's commands run in one dumpdbg process, one per line on standard input (which
dumpdbg echoes after its prompt when input is not a terminal); the output is split on those
echoed prompt lines. Lines compare without trailing blanks (WinDbg pads some columns,
e.g. lm's "(deferred)             ", and editors strip them from .t files). Tests whose dump is in ../shared/corpus are skipped, with a
message, when the corpus is absent.

Also: --smoke DIR opens every *.dmp below DIR (except malformed/) with
"vertarget; ~; lm; .exr -1; r" and expects exit 0 and no sanitizer report.
"""
import lzma
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# User-mode "0:000> " / "0:000:x86> " and kernel "0: kd> " / "0: kd:x86> " prompts.
PROMPT = re.compile(r"^(?:\d+:\d{3}|\d+: kd)(:[a-z0-9]+)?> (.*)$")


class Result:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def ok(self, name):
        self.passed += 1
        print(f"ok   {name}")

    def fail(self, name, why):
        self.failed += 1
        print(f"FAIL {name}\n  {why}")

    def skip(self, name, why):
        self.skipped += 1
        print(f"skip {name}: {why}")


def corpus_dir():
    env = os.environ.get("DD_CORPUS")
    d = env if env else os.path.join(ROOT, "..", "shared", "corpus")
    return d if os.path.isdir(d) else None


def resolve_dump(spec, tmpdir):
    kind, _, rel = spec.partition(":")
    if kind == "corpus":
        c = corpus_dir()
        if not c:
            return None, "shared corpus not found (set DD_CORPUS or place ../shared beside the repo)"
        path = os.path.join(c, rel)
        return (path, None) if os.path.exists(path) else (None, f"{path} missing")
    if kind == "fixture":
        return os.path.join(ROOT, "tests", "fixtures", rel), None
    if kind == "fixture-xz":
        src = os.path.join(ROOT, "tests", "fixtures", rel)
        out = os.path.join(tmpdir, os.path.basename(rel)[:-3])
        if not os.path.exists(out):
            with lzma.open(src) as f, open(out, "wb") as g:
                g.write(f.read())
        return out, None
    raise ValueError(f"bad dump spec {spec!r}")


def parse_t(path):
    spec = {"dump": None, "args": [], "exit": 0, "stderr": [], "banner": [], "cmds": []}
    cur = None
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.startswith("#"):
            continue
        key, _, val = line.partition(":")
        val = val[1:] if val.startswith(" ") else val
        if key == "dump":
            spec["dump"] = val.strip()
        elif key == "args":
            spec["args"] += val.split()
        elif key == "exit":
            spec["exit"] = int(val)
        elif key == "stderr":
            spec["stderr"].append(val)
        elif key == "banner":
            spec["banner"].append(val)
        elif key == "cmd":
            cur = {"cmd": val.strip(), "expect": None, "contains": [], "lacks": []}
            spec["cmds"].append(cur)
        elif key == "expect":
            block = []
            while i < len(lines) and lines[i] != ".":
                block.append(lines[i])
                i += 1
            i += 1
            cur["expect"] = block
        elif key == "contains":
            cur["contains"].append(val)
        elif key == "lacks":
            cur["lacks"].append(val)
        else:
            raise ValueError(f"{path}:{i}: unknown key {key!r}")
    return spec


def load_expect(dump_spec):
    """Facts from tests/fixtures/.../NAME.expect for a fixture dump, else {}."""
    kind, _, rel = dump_spec.partition(":")
    if not kind.startswith("fixture"):
        return {}
    base = os.path.join(ROOT, "tests", "fixtures", rel)
    for suffix in (".xz", ".dmp"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    facts = {}
    path = base + ".expect"
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if line.startswith("#") or ":" not in line:
                continue
            k, _, v = line.rstrip("\n").partition(": ")
            facts.setdefault(k.strip(), v)
    return facts


def substitute(text, facts):
    def repl(m):
        key, fmt = m.group(1), m.group(2)
        if key not in facts:
            raise ValueError(f"no fact {key!r} in the fixture's .expect file")
        v = facts[key]
        if fmt == "x":
            v = "%x" % int(v)
        elif fmt == "tick":
            v = v.rjust(16, "0")
            v = v[:8] + "`" + v[8:]
        elif fmt:
            v = v.rjust(int(fmt), "0")
        return v
    return re.sub(r"\{\{([A-Za-z0-9_]+)(?::(0\d+|x|tick))?\}\}", repl, text)


def split_output(out, cmds):
    """Maps each command index to the lines printed after its echoed prompt."""
    result = {}
    idx = -1
    for line in out.split("\n"):
        m = PROMPT.match(line)
        if m and idx + 1 < len(cmds) and m.group(2).strip() == cmds[idx + 1]:
            idx += 1
            result[idx] = []
            continue
        if m and m.group(2).strip() == "q":
            idx = len(cmds)
            continue
        if 0 <= idx < len(cmds):
            result[idx].append(line)
    return result


def run_dumpdbg(exe, args, stdin_text=None):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    if stdin_text is None:
        p = subprocess.run([exe] + args, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=120, env=env)
    else:
        p = subprocess.run([exe] + args, input=stdin_text.encode(), capture_output=True,
                           timeout=120, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def sanitizer_report(err):
    return "ERROR: AddressSanitizer" in err or "runtime error:" in err or "LeakSanitizer" in err


def run_t(exe, path, res, tmpdir):
    name = "golden/" + os.path.basename(path)
    try:
        spec = parse_t(path)
    except ValueError as e:
        res.fail(name, str(e))
        return
    try:
        facts = load_expect(spec["dump"])
        facts["fixtures"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
        facts["fixtures"] = os.path.normpath(facts["fixtures"])
        facts["corpus"] = corpus_dir() or "/nonexistent-corpus"
        spec["args"] = [substitute(x, facts) for x in spec["args"]]
        for c in spec["cmds"]:
            c["cmd"] = substitute(c["cmd"], facts)
            if c["expect"] is not None:
                c["expect"] = [substitute(x, facts) for x in c["expect"]]
            c["contains"] = [substitute(x, facts) for x in c["contains"]]
            c["lacks"] = [substitute(x, facts) for x in c["lacks"]]
        spec["banner"] = [substitute(x, facts) for x in spec["banner"]]
        spec["stderr"] = [substitute(x, facts) for x in spec["stderr"]]
    except ValueError as e:
        res.fail(name, str(e))
        return
    dump, why = resolve_dump(spec["dump"], tmpdir)
    if not dump:
        res.skip(name, why)
        return
    cmds = [c["cmd"] for c in spec["cmds"]]
    code, out, err = run_dumpdbg(exe, ["-z", dump] + spec["args"], "\n".join(cmds + ["q"]) + "\n")
    if sanitizer_report(err):
        res.fail(name, "sanitizer report:\n" + err[-3000:])
        return
    if code != spec["exit"]:
        res.fail(name, f"exit status {code}, expected {spec['exit']}; stderr: {err.strip()[:500]}")
        return
    for s in spec["stderr"]:
        if s not in err:
            res.fail(name, f"stderr lacks {s!r}; stderr was: {err.strip()[:500]}")
            return
    banner = out.split("\n")
    first_prompt = next((i for i, l in enumerate(banner) if PROMPT.match(l)), len(banner))
    banner_text = "\n".join(banner[:first_prompt])
    for b in spec["banner"]:
        if b not in banner_text:
            res.fail(name, f"banner lacks {b!r}; banner was:\n    " + banner_text.replace("\n", "\n    "))
            return
    if not cmds:
        res.ok(name)
        return
    parts = split_output(out, cmds)
    for i, c in enumerate(spec["cmds"]):
        cname = f"{name}: {c['cmd']}"
        got = parts.get(i)
        if got is None:
            res.fail(cname, "command output not found in transcript")
            continue
        while got and got[-1] == "":
            got = got[:-1]
        text = "\n".join(got)
        problems = []
        if c["expect"] is not None and [g.rstrip() for g in got] != [e.rstrip() for e in c["expect"]]:
            problems.append("expected:\n    " + "\n    ".join(c["expect"]) +
                            "\n  got:\n    " + "\n    ".join(got))
        for s in c["contains"]:
            if s not in text:
                problems.append(f"output lacks {s!r}; got:\n    " + "\n    ".join(got[:40]))
        for s in c["lacks"]:
            if s in text:
                problems.append(f"output holds {s!r}")
        if problems:
            res.fail(cname, "\n  ".join(problems))
        else:
            res.ok(cname)


def run_smoke(exe, base, res):
    if not base or not os.path.isdir(base):
        res.skip("smoke", "shared corpus not found")
        return
    for dirpath, _, files in sorted(os.walk(base)):
        if "malformed" in dirpath.split(os.sep):
            continue
        for f in sorted(files):
            if not f.endswith(".dmp"):
                continue
            path = os.path.join(dirpath, f)
            name = "smoke/" + os.path.relpath(path, base)
            code, out, err = run_dumpdbg(exe, ["-z", path, "-c", "vertarget; ~; lm; .exr -1; r; q"])
            if sanitizer_report(err):
                res.fail(name, "sanitizer report:\n" + err[-3000:])
            elif code != 0:
                res.fail(name, f"exit {code}: {err.strip()[:300]}")
            else:
                res.ok(name)


def main():
    exe = sys.argv[1]
    res = Result()
    with tempfile.TemporaryDirectory() as tmpdir:
        if len(sys.argv) > 2 and sys.argv[2] == "--smoke":
            c = corpus_dir()
            run_smoke(exe, os.path.join(c, "user") if c else None, res)
        else:
            files = sys.argv[2:] or sorted(
                os.path.join(ROOT, "tests", "golden", f)
                for f in os.listdir(os.path.join(ROOT, "tests", "golden")) if f.endswith(".t"))
            for f in files:
                run_t(exe, f, res, tmpdir)
    print(f"{res.passed} passed, {res.failed} failed, {res.skipped} skipped")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
