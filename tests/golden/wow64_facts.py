#!/usr/bin/env python3
"""Independent oracle for the WoW64 and !teb golden transcripts (wow64_*.t).

Reads a minidump's raw streams (documented MINIDUMP_* layouts, minidumpapiset.h) and the
thread's TEB bytes, and prints what the commands must show, so the .t files hold values
computed from the dump rather than dumpdbg's output:

    wow64_facts.py DUMP teb [WIDTH]    !teb for the current thread (WIDTH: 8 or 16 hex
                                       digits; default: the dump's pointer size)
    wow64_facts.py DUMP context        where the current thread's x86 context lives, whether
                                       the dump holds it, and the 64-bit context's SegCs
    wow64_facts.py DUMP info           !wow64exts.info for the current thread

The current thread is the one a session starts on: the exception's, else thread 0.
Structure facts used (the sources are cited in src/nt/wow64.c and src/ext/ext_teb.c):
  TEB64: NT_TIB64 (7 pointers), EnvironmentPointer 0x38, ClientId 0x40, ActiveRpcHandle 0x50,
         ThreadLocalStoragePointer 0x58, PEB 0x60, LastErrorValue 0x68,
         CountOfOwnedCriticalSections 0x6c, LastStatusValue 0x1250, DeallocationStack 0x1478,
         TlsSlots 0x1480, HardErrorMode 0x16b0, WowTebOffset 0x180c (Windows 10+).
  TEB32: the same fields at 0x1c, 0x20, 0x28, 0x2c, 0x30, 0x34, 0x38, 0xbf4, 0xe0c, 0xe10, 0xf28.
  Before Windows 10 TEB64.NtTib.ExceptionList holds the TEB32's address; TlsSlots[1]
  (WOW64_TLS_CPURESERVED) points to the CPU area whose x86 CONTEXT starts at offset 4.
  WinDbg prints "error InitTypeRead( TEB )..." (TEB32 for the WoW64 one) for a TEB it cannot read.
"""
import struct
import sys


class Dump:
    def __init__(self, path):
        self.d = open(path, "rb").read()
        assert self.d[:4] == b"MDMP"
        n, rva = struct.unpack_from("<II", self.d, 8)
        self.streams = {}
        for i in range(n):
            t, size, r = struct.unpack_from("<III", self.d, rva + 12 * i)
            self.streams.setdefault(t, (r, size))
        r = self.streams[7][0]  # SystemInfoStream
        arch = struct.unpack_from("<H", self.d, r)[0]
        self.wide = arch == 9  # PROCESSOR_ARCHITECTURE_AMD64
        self.major = struct.unpack_from("<I", self.d, r + 8)[0]
        self.memory = []
        if 5 in self.streams:  # MemoryListStream
            r = self.streams[5][0]
            for i in range(struct.unpack_from("<I", self.d, r)[0]):
                start, size, mrva = struct.unpack_from("<QII", self.d, r + 4 + 16 * i)
                self.memory.append((start, self.d[mrva:mrva + size]))
        r = self.streams[3][0]  # ThreadListStream: MINIDUMP_THREAD is 48 bytes
        self.threads = []
        for i in range(struct.unpack_from("<I", self.d, r)[0]):
            f = struct.unpack_from("<IIIIQQIIII", self.d, r + 4 + 48 * i)
            ctx = self.d[f[9]:f[9] + f[8]]
            self.threads.append({"tid": f[0], "teb": f[4], "context": ctx})

    def current(self):
        """The thread a session starts on: the exception's (ExceptionStream), else thread 0."""
        if 6 in self.streams:
            tid = struct.unpack_from("<I", self.d, self.streams[6][0])[0]
            for t in self.threads:
                if t["tid"] == tid:
                    return t
        return self.threads[0]

    def read(self, addr, n):
        for start, data in self.memory:
            if start <= addr and addr + n <= start + len(data):
                return data[addr - start:addr - start + n]
        return None

    def modules(self):
        r = self.streams[4][0]  # ModuleListStream: MINIDUMP_MODULE is 108 bytes
        names = []
        for i in range(struct.unpack_from("<I", self.d, r)[0]):
            name_rva = struct.unpack_from("<I", self.d, r + 4 + 108 * i + 20)[0]
            length = struct.unpack_from("<I", self.d, name_rva)[0]
            names.append(self.d[name_rva + 4:name_rva + 4 + length].decode("utf-16-le"))
        return names

    def is_wow64(self):
        return self.wide and any(n.lower().endswith(("\\wow64cpu.dll", "\\wow64.dll"))
                                 for n in self.modules())

    def teb32_of(self, teb64):
        if self.major >= 10:
            b = self.read(teb64 + 0x180c, 4)
            return teb64 + struct.unpack("<i", b)[0] if b else None
        b = self.read(teb64, 8)
        return struct.unpack("<Q", b)[0] if b else None


LAYOUT = {4: (0xbf4, 0xf28), 8: (0x1250, 0x16b0)}


def teb_block(dump, header, kind, addr, ptr, width):
    last_status, hard_error = LAYOUT[ptr]
    out = ["%s %0*x" % (header, width, addr)]
    b = dump.read(addr, hard_error + 4)
    if b is None:
        return out + ["error InitTypeRead( %s )..." % kind]
    fmt = "<Q" if ptr == 8 else "<I"
    p = [struct.unpack_from(fmt, b, ptr * i)[0] for i in range(13)]
    names = ["ExceptionList:", "StackBase:", "StackLimit:", "SubSystemTib:", "FiberData:",
             "ArbitraryUserPointer:", "Self:", "EnvironmentPointer:"]
    for i, name in enumerate(names):
        out.append("    %-22s%0*x" % (name, width, p[i]))
    out.append("    %-22s%0*x . %0*x" % ("ClientId:", width, p[8], width, p[9]))
    out.append("    %-22s%0*x" % ("RpcHandle:", width, p[10]))
    out.append("    %-22s%0*x" % ("Tls Storage:", width, p[11]))
    out.append("    %-22s%0*x" % ("PEB Address:", width, p[12]))
    le, locks = struct.unpack_from("<II", b, 13 * ptr)
    out.append("    %-22s%d" % ("LastErrorValue:", le))
    out.append("    %-22s%x" % ("LastStatusValue:", struct.unpack_from("<I", b, last_status)[0]))
    out.append("    %-22s%d" % ("Count Owned Locks:", locks))
    out.append("    %-22s%d" % ("HardErrorMode:", struct.unpack_from("<I", b, hard_error)[0]))
    return out


def cmd_teb(dump, width):
    teb = dump.current()["teb"]
    if dump.is_wow64():
        out = []
        teb32 = dump.teb32_of(teb)
        if teb32:
            out += teb_block(dump, "Wow64 TEB32 at", "TEB32", teb32, 4, width)
        return out + teb_block(dump, "Wow64 TEB at", "TEB", teb, 8, width)
    return teb_block(dump, "TEB at", "TEB", teb, 8 if dump.wide else 4, width)


def tick(v):
    return "%08x`%08x" % (v >> 32, v & 0xffffffff)


def cmd_context(dump):
    th = dump.current()
    teb = th["teb"]
    print("SegCs of the AMD64 CONTEXT: %#x" % struct.unpack_from("<H", th["context"], 0x38)[0])
    slot = struct.unpack("<Q", dump.read(teb + 0x1480 + 8, 8))[0]
    print("TEB64 %s TlsSlots[1] = %s" % (tick(teb), tick(slot)))
    print("x86 CONTEXT at %s, in the dump: %s" % (tick(slot + 4),
                                                  dump.read(slot + 4, 0x2cc) is not None))
    print("CPU area first byte in the dump: %s" % (dump.read(slot, 1) is not None))
    print("the message: the x86 context is not in the dump: its WOW64 CPU area at %s "
          "(TEB64 %s TlsSlots[1]) was not captured" % (tick(slot), tick(teb)))


def cmd_info(dump):
    teb = dump.current()["teb"]
    teb32 = dump.teb32_of(teb)

    def u32(a):
        b = dump.read(a, 4)
        return struct.unpack("<I", b)[0] if b else None

    def u64(a):
        b = dump.read(a, 8)
        return struct.unpack("<Q", b)[0] if b else None

    def hx(v):  # C's %#llx: "0" for zero, else 0x...
        return "%#x" % v if v else "0"

    peb32 = u32(teb32 + 0x30) if teb32 else None
    print("PEB32: " + (hx(peb32) if peb32 is not None else "(not in the dump)"))
    print("PEB64: " + hx(u64(teb + 0x60)))
    print("\nWow64 information for current thread:\n")
    print("TEB32: " + hx(teb32))
    print("TEB64: %s\n" % hx(teb))
    if u32(teb32 + 4) is None:
        print("32 bit: the TEB at %s is not in the dump\n" % hx(teb32))
    else:
        print("32 bit, StackBase   : %s" % hx(u32(teb32 + 4)))
        print("        StackLimit  : %s" % hx(u32(teb32 + 8)))
        print("        Deallocation: %s\n" % hx(u32(teb32 + 0xe0c)))
    print("64 bit, StackBase   : %s" % hx(u64(teb + 8)))
    print("        StackLimit  : %s" % hx(u64(teb + 0x10)))
    print("        Deallocation: %s\n" % hx(u64(teb + 0x1478)))
    print("Wow64 TLS slots:")
    names = ["STACKPTR64", "CPURESERVED", "INCPUSIMULATION", "LOCALTHREADHEAP", "EXCEPTIONADDR",
             "USERCALLBACKDATA", "EXTENDED_FLOAT", "APCLIST", "FILESYSREDIR", "LASTWOWCALL",
             "WOW64INFO"]
    for i, n in enumerate(names):
        print("%-28s0x%016x" % ("WOW64_TLS_%s:" % n, u64(teb + 0x1480 + 8 * i)))


def main():
    dump = Dump(sys.argv[1])
    what = sys.argv[2]
    if what == "teb":
        width = int(sys.argv[3]) if len(sys.argv) > 3 else (16 if dump.wide else 8)
        print("\n".join(cmd_teb(dump, width)))
    elif what == "context":
        cmd_context(dump)
    elif what == "info":
        cmd_info(dump)
    else:
        sys.exit("unknown request " + what)


if __name__ == "__main__":
    main()
