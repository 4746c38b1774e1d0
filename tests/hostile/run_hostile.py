#!/usr/bin/env python3
"""Opens every hostile minidump in tests/fixtures/dumps/hostile/ with a fixed command script and
checks that dumpdbg ends within bounded time and memory with what the case's description says.

Usage: run_hostile.py DUMPDBG [--only NAME] [-v]

Each case is NAME.txt (the mkmdmp.py description, see tests/fixtures/gen/mkmdmp.py) and NAME.dmp
(generated from it by tests/fixtures/dumps/hostile/make.sh). Per case:
  - NAME.dmp must be what mkmdmp.py makes of NAME.txt today, byte for byte;
  - dumpdbg NAME.dmp runs the fixed script below (one command a line on standard input, then
    the case's own `command` lines, then q) with at most CPU_SECONDS of CPU time (RLIMIT_CPU),
    WALL_SECONDS of wall time (the machine may be busy) and PEAK_RSS_MB of peak resident memory
    (measured with wait4: RLIMIT_AS/RLIMIT_DATA cannot be used under AddressSanitizer, whose
    shadow memory reserves terabytes of address space); without AddressSanitizer RLIMIT_AS is
    set as well;
  - it must not die from a signal, print a sanitizer report or more than OUTPUT_MB of output;
  - and every `expect` line of NAME.txt must hold:
        expect exit N                 exit status (default 0; 2: the dump cannot be opened)
        expect stderr TEXT            the error output holds TEXT
        expect out CMD TEXT           CMD's output holds TEXT (CMD as in the script; "*" is the
                                      whole output, "banner" what comes before the first prompt;
                                      a command run a second time is CMD#2)
        expect lacks CMD TEXT         CMD's output does not hold TEXT
        expect lines CMD /RE/ N       exactly N lines of CMD's output match the regex RE
        expect todo "WHY" CHECK...    a check that fails today for the reason WHY (a fix in code
                                      this suite does not own): failing, it counts as skipped;
                                      passing, as passed with a note to drop the todo
    TEXT may be /RE/ (a regex searched in each line) instead of a substring. In TEXT, {EXPR}
    (in a regex: {{EXPR}}) is the value, in hex without 0x, of a mkmdmp.py patch expression
    such as {dir[2]} or {file.size-4}: where the generator put things, to name in messages;
    {EXPR:016} pads it with zeros to 16 digits.
Last, a session over dumps of mode 0444 (as user nobody when run as root) must leave their
bytes, mtime and directory unchanged (the dump is opened read-only, nothing is written beside it).
Prints "ok"/"FAIL"/"skip" lines and "N passed, N failed, N skipped" (tests/run.sh adds it up).
"""
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "tests", "fixtures", "dumps", "hostile")
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures", "gen"))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mkmdmp  # noqa: E402  (the generator: its layout symbols name offsets in expectations)

SCRIPT = ["vertarget", "||", "~", "lmv", ".exr -1", ".ecxr", "r", "k", "~*k", "kn 100",
          "!analyze -v", "!teb", "!address", "dt ntdll!_PEB @$peb", "!cs", "u @$ip", "dps @$csp"]
CPU_SECONDS = 10
WALL_SECONDS = 120
PEAK_RSS_MB = 1024
OUTPUT_MB = 16
PROMPT = re.compile(r"^\d+:\d{3}(:[a-z0-9]+)?> (.*)$")
SANITIZER = re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|"
                       r"SUMMARY: \w+Sanitizer")


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def ok(self, name, note=""):
        self.passed += 1
        print(f"ok   {name}{note}")

    def fail(self, name, why):
        self.failed += 1
        print(f"FAIL {name}")
        for w in why:
            print(f"  {w}")

    def skip(self, name, why):
        self.skipped += 1
        print(f"skip {name}: {why}")


def is_sanitized(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def read_case(path):
    commands, expects = [], []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if words[0] == "command":
                commands.append(" ".join(words[1:]))
            elif words[0] == "expect":
                expects.append((lineno, words[1:]))
    return commands, expects


def split_output(out):
    """{command: its output lines}, "banner" and "*" included."""
    sections = {"banner": [], "*": out.splitlines()}
    cur = "banner"
    for line in out.splitlines():
        m = PROMPT.match(line)
        if m:
            cur = m.group(2).strip()
            n = 2
            while cur in sections:  # a command run again is CMD#2, CMD#3...
                cur = f"{m.group(2).strip()}#{n}"
                n += 1
            sections[cur] = []
            continue
        sections[cur].append(line)
    return sections


def matches(lines, pattern):
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        rx = re.compile(pattern[1:-1])
        return any(rx.search(line) for line in lines)
    return any(pattern in line for line in lines) or pattern in "\n".join(lines)


def check(words, run):
    """Returns None when the expectation holds, else why not."""
    try:
        return check_one(words[0], words[1:], run)
    except (IndexError, ValueError, re.error) as e:
        return f"bad expectation {' '.join(words)!r}: {e}"


def check_one(kind, args, run):
    sections = run["sections"]
    if kind == "exit":
        return None if run["status"] == int(args[0]) else \
            f"exit status {run['status']}, expected {args[0]}"
    if kind == "stderr":
        return None if matches(run["stderr"].splitlines(), args[0]) else \
            f"stderr lacks {args[0]!r}:\n    " + run["stderr"].strip().replace("\n", "\n    ")
    if kind in ("out", "lacks", "lines"):
        cmd = args[0]
        if cmd not in sections:
            return f"no output section for command {cmd!r}"
        lines = sections[cmd]
        if kind == "out":
            return None if matches(lines, args[1]) else \
                f"{cmd!r} output lacks {args[1]!r}:\n    " + "\n    ".join(lines[:40])
        if kind == "lacks":
            return None if not matches(lines, args[1]) else f"{cmd!r} output holds {args[1]!r}"
        rx = re.compile(args[1].strip("/"))
        n = sum(1 for line in lines if rx.search(line))
        return None if n == int(args[2]) else \
            f"{n} lines of {cmd!r} match {args[1]}, expected {args[2]}:\n    " + \
            "\n    ".join(lines[:40])
    return f"unknown expectation {kind!r}"


def regenerate(name, txt, dmp, tally):
    """Checks NAME.dmp against mkmdmp.py's output; returns the layout symbols (None on failure)."""
    try:
        d = mkmdmp.parse(txt)
        buf, sym = mkmdmp.build(d)
        buf = mkmdmp.apply_patches(d, buf, sym)
    except mkmdmp.DescError as e:
        tally.fail(f"hostile/{name}/regenerate", [str(e)])
        return None
    with open(dmp, "rb") as f:
        if f.read() != bytes(buf):
            tally.fail(f"hostile/{name}/regenerate",
                       [f"{dmp} differs from what mkmdmp.py makes of {txt}: run make.sh"])
            return None
    tally.ok(f"hostile/{name}/regenerate")
    sym = dict(sym)
    sym["file.size"] = len(buf)
    return sym


def substitute(words, sym):
    """Replaces {EXPR} or {EXPR:0N} in expectation words by the hex value (no 0x; zero-padded to
    N digits) of a mkmdmp.py patch expression; in a /regex/, {{EXPR}} instead."""
    def one(m):
        v = mkmdmp.evaluate(m.group(1), sym, sym["file.size"])
        return f"{v:0{int(m.group(2))}x}" if m.group(2) else f"{v:x}"
    out = []
    for w in words:
        if re.fullmatch(r"/.*/", w):
            out.append(re.sub(r"\{\{([^{}]+?)(?::0(\d+))?\}\}", one, w))
        else:
            out.append(re.sub(r"\{([^{}]+?)(?::0(\d+))?\}", one, w))
    return out


def run_dumpdbg(binary, dmp, commands, sanitized, unprivileged=False):
    def limits():
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if not sanitized:
            cap = 2 * PEAK_RSS_MB << 20
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if unprivileged:  # nobody: mode bits apply (root would open a 0444 file for writing)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)

    env = dict(os.environ)
    # One allocation above the limit is reported as a sanitizer error (an unbounded allocation);
    # hard_rss_limit_mb stops a runaway early (the measured peak below is the check).
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "detect_leaks=1") + \
        f":max_allocation_size_mb={PEAK_RSS_MB}:hard_rss_limit_mb={2 * PEAK_RSS_MB}"
    env.pop("_NT_SYMBOL_PATH", None)
    env.pop("_NT_ALT_SYMBOL_PATH", None)
    with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as fout, \
            tempfile.TemporaryFile() as ferr:
        fin.write(("\n".join(commands + ["q"]) + "\n").encode())
        fin.seek(0)
        start = time.monotonic()
        p = subprocess.Popen([binary, dmp], stdin=fin, stdout=fout, stderr=ferr, env=env,
                             preexec_fn=limits, cwd=os.path.dirname(dmp))
        timed_out = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > WALL_SECONDS:
                p.kill()
                timed_out = True
                pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        p.returncode = 0  # reaped by wait4 above; keep Popen from waiting again
        fout.seek(0)
        ferr.seek(0)
        out = fout.read(OUTPUT_MB << 20 | 1)
        err = ferr.read().decode("utf-8", "replace")
    run = {
        "status": os.waitstatus_to_exitcode(status),
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
        "timed_out": timed_out,
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": time.monotonic() - start,
        "peak_mb": usage.ru_maxrss / 1024,
        "too_much_output": len(out) > OUTPUT_MB << 20,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err,
    }
    run["sections"] = split_output(run["stdout"])
    return run


def run_case(binary, name, sanitized, tally, verbose):
    txt = os.path.join(CASES, name + ".txt")
    dmp = os.path.join(CASES, name + ".dmp")
    if not os.path.exists(dmp):
        tally.fail(f"hostile/{name}", [f"{dmp} is missing: run make.sh"])
        return
    sym = regenerate(name, txt, dmp, tally)
    if sym is None:
        return
    commands, expects = read_case(txt)
    try:
        expects = [(n, substitute(w, sym)) for n, w in expects]
    except mkmdmp.DescError as e:
        tally.fail(f"hostile/{name}", [str(e)])
        return
    run = run_dumpdbg(binary, dmp, SCRIPT + commands, sanitized)
    if verbose:
        print(run["stdout"])
        print(run["stderr"], file=sys.stderr)
    why = []
    if run["timed_out"]:
        why.append(f"still running after {WALL_SECONDS} s of wall time: killed")
    elif run["signal"] == signal.SIGXCPU or run["signal"] == signal.SIGKILL and \
            run["cpu"] >= CPU_SECONDS:
        why.append(f"used more than {CPU_SECONDS} s of CPU time")
    elif run["signal"]:
        why.append(f"died from signal {signal.Signals(run['signal']).name}")
    if run["peak_mb"] > PEAK_RSS_MB:
        why.append(f"peak resident memory {run['peak_mb']:.0f} MB > {PEAK_RSS_MB} MB")
    if run["too_much_output"]:
        why.append(f"printed more than {OUTPUT_MB} MB")
    m = SANITIZER.search(run["stderr"])
    if m:
        lines = run["stderr"].splitlines()
        first = next(i for i, line in enumerate(lines) if SANITIZER.search(line))
        why.append("sanitizer report:\n    " + "\n    ".join(lines[first:first + 30]))
    if not any(w[0] == "exit" for _, w in expects):
        expects.insert(0, (0, ["exit", "0"]))
    todo_fail, todo_pass = [], []
    for lineno, words in expects:
        if words[0] == "todo":
            reason, inner = words[1], words[2:]
            r = check(inner, run)
            (todo_fail if r else todo_pass).append(f"line {lineno}: todo ({reason})")
            continue
        r = check(words, run)
        if r:
            why.append(f"line {lineno}: {r}")
    cost = f" (cpu {run['cpu']:.2f} s, peak {run['peak_mb']:.0f} MB)"
    if why:
        tally.fail(f"hostile/{name}{cost}", why)
    else:
        tally.ok(f"hostile/{name}{cost}")
    for t in todo_fail:
        tally.skip(f"hostile/{name}", t)
    for t in todo_pass:
        tally.ok(f"hostile/{name}", f" -- {t} passes now: drop the todo")


def readonly_check(binary, tally):
    """Opens dumps that no one may write (mode 0444, and as an unprivileged user when run as root,
    since root ignores mode bits) in a directory of their own, runs a session over each, and
    checks that every byte, the mtime and the directory listing are unchanged afterwards. An
    open for writing would fail, so the session would not start (exit status 2)."""
    import hashlib
    import lzma
    import shutil

    sources = [os.path.join(CASES, "sane_x64.dmp"),
               os.path.join(ROOT, "tests", "fixtures", "dumps", "crash_full_memory.dmp.xz")]
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        dumps = []
        for src in sources:
            if not os.path.exists(src):
                tally.skip("hostile/readonly", f"{src} is missing")
                continue
            dst = os.path.join(tmp, os.path.basename(src))
            shutil.copyfile(src, dst)
            os.utime(dst, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
            os.chmod(dst, 0o444)
            dumps.append(dst)
        if os.path.exists(sources[1]):  # the same dump unpacked too (xz input is unpacked in memory)
            dst = os.path.join(tmp, "crash_full_memory.dmp")
            with lzma.open(sources[1]) as f, open(dst, "wb") as g:
                g.write(f.read())
            os.utime(dst, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
            os.chmod(dst, 0o444)
            dumps.append(dst)

        def fingerprint(path):
            st = os.stat(path)
            with open(path, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest(), st.st_mtime_ns, st.st_mode & 0o7777

        before = {d: fingerprint(d) for d in dumps}
        listing = sorted(os.listdir(tmp))
        drop = os.geteuid() == 0
        for d in dumps:
            name = f"hostile/readonly/{os.path.basename(d)}"
            run = run_dumpdbg(binary, d, SCRIPT + [".reload /f", ".dumpdebug", "s -a 0 L?0x7fffffffffff MZ"],
                              sanitized=True, unprivileged=drop)
            why = []
            if run["status"] != 0:
                why.append(f"exit status {run['status']}: {run['stderr'].strip()}")
            if SANITIZER.search(run["stderr"]):
                why.append("sanitizer report:\n    " + run["stderr"].strip()[:2000])
            if fingerprint(d) != before[d]:
                why.append(f"{d} changed: {before[d]} -> {fingerprint(d)}")
            if sorted(os.listdir(tmp)) != listing:
                why.append(f"files appeared beside the dump: {sorted(os.listdir(tmp))}")
            if why:
                tally.fail(name, why)
            else:
                tally.ok(name, " (unchanged: bytes, mtime, mode, directory)"
                         + (" as user nobody" if drop else ""))


def command_limit_check(binary, tally):
    """A command longer than the 4095 characters a command may have is refused with a message,
    not cut and run as another command; the commands after it on the line still run."""
    long_cmd = "? " + "1+" * 2500 + "1"  # 5003 characters; it would evaluate to 2501 (0x9c5)
    run = run_dumpdbg(binary, os.path.join(CASES, "sane_x64.dmp"), [long_cmd + "; ? 2"], True)
    out = run["stdout"]
    why = []
    if "Command too long" not in out:
        why.append("no 'Command too long' message")
    if "Evaluate expression: 2 = " not in out:
        why.append("the command after the long one did not run")
    if re.search(r"Evaluate expression: (?!2 = )", out):
        why.append("the long command ran (cut short):\n    " + out[-500:])
    if why:
        tally.fail("hostile/command_too_long", why)
    else:
        tally.ok("hostile/command_too_long")


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    verbose = "-v" in argv
    only = None
    if "--only" in argv:
        only = argv[argv.index("--only") + 1]
        args.remove(only)
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(args[0])
    tally = Tally()
    if not os.access(binary, os.X_OK):
        tally.fail("hostile", [f"{binary} is not an executable"])
    else:
        sanitized = is_sanitized(binary)
        names = sorted(f[:-4] for f in os.listdir(CASES) if f.endswith(".txt"))
        for name in names:
            if only and name != only:
                continue
            run_case(binary, name, sanitized, tally, verbose)
        if not only:
            readonly_check(binary, tally)
            command_limit_check(binary, tally)
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
