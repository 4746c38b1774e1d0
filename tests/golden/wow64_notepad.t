# WoW64 on google-syzygy/notepad-small-64bit.dmp: an AMD64 dump of 32-bit (SysWOW64) notepad
# on Windows 7 SP1, taken from the 64-bit side (MANIFEST: modules notepad + 64-bit ntdll +
# wow64/wow64win/wow64cpu, one thread 1528.28cc, MemoryList of 6 ranges).
# What the dump holds: the 64-bit TEB (7efdb000, 0x2000 bytes) but neither the TEB32 it names
# (TEB64.NtTib.ExceptionList = 7efdd000) nor the WOW64 CPU area (TEB64.TlsSlots[1] = 1cfd20,
# the top of the 64-bit stack: TEB64.StackBase is the same address), so the thread's x86
# registers are not in the dump and every x86 view must say so instead of guessing.
# Cross-checks: the 32-bit dumps of the same kind of process (notepad-small-32bit.dmp,
# wow64_teb32.t) have their TEB32 at 7efdd000 too, and their TEB32.WOW32Reserved (75312320)
# points into wow64cpu at the 75310000 this dump lists.
# Every expected line was computed by tests/golden/wow64_facts.py from the raw streams:
#   python3 tests/golden/wow64_facts.py DUMP teb [8|16] | context | info
# (the message texts are dumpdbg's own wording, documented in src/nt/wow64.c).
dump: corpus:user/google-syzygy/notepad-small-64bit.dmp

cmd: .effmach
expect:
Effective machine: x64 (AMD64)
.

# Both TEBs, the 32-bit one first; it is not in the dump.
cmd: !teb
expect:
Wow64 TEB32 at 000000007efdd000
error InitTypeRead( TEB32 )...
Wow64 TEB at 000000007efdb000
    ExceptionList:        000000007efdd000
    StackBase:            00000000001cfd20
    StackLimit:           00000000001cc000
    SubSystemTib:         0000000000000000
    FiberData:            0000000000001e00
    ArbitraryUserPointer: 0000000000000000
    Self:                 000000007efdb000
    EnvironmentPointer:   0000000000000000
    ClientId:             0000000000001528 . 00000000000028cc
    RpcHandle:            0000000000000000
    Tls Storage:          0000000000000000
    PEB Address:          000000007efdf000
    LastErrorValue:       0
    LastStatusValue:      0
    Count Owned Locks:    0
    HardErrorMode:        0
.

# k in 64-bit mode adds the 32-bit stack, or why there is none (no mode switch needed).
cmd: k
contains:  # Child-SP          RetAddr               Call Site
contains: WoW64 32-bit stack: the x86 context is not in the dump: its WOW64 CPU area at 00000000`001cfd20 (TEB64 00000000`7efdb000 TlsSlots[1]) was not captured

cmd: ~*k
contains: .  0  Id: 1528.28cc Suspend: 1 Teb: 00000000`7efdb000 Unfrozen
contains: WoW64 32-bit stack: the x86 context is not in the dump: its WOW64 CPU area at 00000000`001cfd20 (TEB64 00000000`7efdb000 TlsSlots[1]) was not captured

cmd: !wow64exts.k
contains: Walking 64bit Stack...
contains: Walking 32bit Stack...
contains: the x86 context is not in the dump: its WOW64 CPU area at 00000000`001cfd20 (TEB64 00000000`7efdb000 TlsSlots[1]) was not captured

cmd: !wow64exts.info
expect:
PEB32: (not in the dump)
PEB64: 0x7efdf000

Wow64 information for current thread:

TEB32: 0x7efdd000
TEB64: 0x7efdb000

32 bit: the TEB at 0x7efdd000 is not in the dump

64 bit, StackBase   : 0x1cfd20
        StackLimit  : 0x1cc000
        Deallocation: 0x190000

Wow64 TLS slots:
WOW64_TLS_STACKPTR64:       0x0000000000000000
WOW64_TLS_CPURESERVED:      0x00000000001cfd20
WOW64_TLS_INCPUSIMULATION:  0x0000000000000000
WOW64_TLS_LOCALTHREADHEAP:  0x0000000000000000
WOW64_TLS_EXCEPTIONADDR:    0x0000000000000000
WOW64_TLS_USERCALLBACKDATA: 0x0000000000000000
WOW64_TLS_EXTENDED_FLOAT:   0x0000000000000000
WOW64_TLS_APCLIST:          0x0000000000000000
WOW64_TLS_FILESYSREDIR:     0x0000000000000000
WOW64_TLS_LASTWOWCALL:      0x0000000000000000
WOW64_TLS_WOW64INFO:        0x0000000000000000
.

# The event (DbgBreakPoint's int 3) happened in 64-bit code: SegCs of the AMD64 CONTEXT is 0x33.
cmd: .effmach #
expect:
Effective machine: x64 (AMD64)
.

cmd: .effmach x86
expect:
Effective machine: x86 compatible (x86)
.

cmd: r
expect:
the x86 context is not in the dump: its WOW64 CPU area at 00000000`001cfd20 (TEB64 00000000`7efdb000 TlsSlots[1]) was not captured
.

cmd: k
expect:
the x86 context is not in the dump: its WOW64 CPU area at 00000000`001cfd20 (TEB64 00000000`7efdb000 TlsSlots[1]) was not captured
.

# In x86 mode the values are 8 digits wide, as in "0:000:x86> !teb" transcripts.
cmd: !teb
expect:
Wow64 TEB32 at 7efdd000
error InitTypeRead( TEB32 )...
Wow64 TEB at 7efdb000
    ExceptionList:        7efdd000
    StackBase:            001cfd20
    StackLimit:           001cc000
    SubSystemTib:         00000000
    FiberData:            00001e00
    ArbitraryUserPointer: 00000000
    Self:                 7efdb000
    EnvironmentPointer:   00000000
    ClientId:             00001528 . 000028cc
    RpcHandle:            00000000
    Tls Storage:          00000000
    PEB Address:          7efdf000
    LastErrorValue:       0
    LastStatusValue:      0
    Count Owned Locks:    0
    HardErrorMode:        0
.

cmd: !wow64exts.sw
expect:
Switched to 64bit mode
.

cmd: !wow64exts.sw
expect:
Switched to 32bit mode
.

cmd: .effmach .
expect:
Effective machine: x64 (AMD64)
.
