# The real x64 kernel triage dump (rizin-testbins/triage_x64.dmp): bugcheck 0x1000007E in
# amdppm.sys, build 19041. Expected values come from corpus/kernel/MANIFEST.md (header fields
# decoded at the documented offsets, the driver list, the KdDebuggerDataBlock) and from rizin's
# expected output (corpus/kernel/rizin-testdb/triage_x64.rizin-expected.txt: `iH` and `dr`);
# the line layout is WinDbg's.
dump: corpus:kernel/rizin-testbins/triage_x64.dmp

banner: Mini Kernel Dump File: Only registers and stack trace are available

# MajorVersion 0xF (free), MinorVersion 0x4A61 = 19041, NumberProcessors 16, MachineImageType
# 0x8664; ProductType 1 (WinNt), SuiteMask 0x110 = TerminalServer (0x10) | SingleUserTS (0x100).
# The build lab is 19041 RTM's (vb_release 191206-1406), as WinDbg prints it for 19041 kernel
# dumps. ntoskrnl's base 0xFFFFF8047BA00000 (driver list), PsLoadedModuleList
# 0xFFFFF8047C62A390, SystemTime 2021-02-21 01:38:22 UTC.
cmd: vertarget
contains: Windows 10 Kernel Version 19041 MP (16 procs) Free x64
contains: Product: WinNt, suite: TerminalServer SingleUserTS
contains: Edition build lab: 19041.1.amd64fre.vb_release.191206-1406
contains: Machine Name:
contains: Kernel base = 0xfffff804`7ba00000 PsLoadedModuleList = 0xfffff804`7c62a390
contains: Debug session time: Sun Feb 21 01:38:22.
contains: System Uptime: 0 days
lacks: Process Uptime

# DumpType 4: a 64-bit kernel triage dump.
cmd: ||
expect:
.  0 64-bit Kernel triage dump: {{corpus}}/kernel/rizin-testbins/triage_x64.dmp
.

# rizin's `dr` (the bugcheck context, KeBugCheckEx at RVA 0x3F5A80 of ntoskrnl per MANIFEST):
# rflags 0x40286; rizin's `pi 4` at rip starts with "mov qword [rsp + 8], rcx".
cmd: r
contains: rax=ffff850429891720 rbx=fffff8047ba82b68 rcx=000000000000007e
contains: rdx=ffffffffc0000005 rsi=0000000000000000 rdi=0000000000000000
contains: rip=fffff8047bdf5a80 rsp=ffff850429890ee8 rbp=ffff850429892c10
contains:  r8=fffff8048b58334c  r9=ffff850429891ee8 r10=ffff850429891ee8
contains: r11=ffff8afd53400000 r12=ffff850429892c10 r13=ffff850429891ee8
contains: r14=ffff850429891560 r15=fffff8047ba00000
contains: efl=00040286
contains: nt+0x3f5a80:
contains: fffff804`7bdf5a80 48894c2408      mov     qword ptr [rsp+8],rcx

cmd: r rip
expect:
rip=fffff8047bdf5a80
.

# The driver list: ntoskrnl at 0xFFFFF8047BA00000, SizeOfImage 0x1046000; amdppm at
# 0xFFFFF8048B580000, size 0x3B000 (also cdb's `lm a fffff8048b58334c`).
cmd: lm
contains: start             end                 module name
contains: fffff804`7ba00000 fffff804`7ca46000   nt 
contains: fffff804`8b580000 fffff804`8b5bb000   amdppm     (deferred)
# The unloaded-driver list of the triage dump (names inline in DUMP_UNLOADED_DRIVERS64).
contains: Unloaded modules:

cmd: lm a fffff8048b58334c
expect:
start             end                 module name
fffff804`8b580000 fffff804`8b5bb000   amdppm     (deferred)
.

cmd: lm k m nt
contains: fffff804`7ba00000 fffff804`7ca46000   nt 

# The saved call stack: rizin's frame 1 returns to fffff8047be0f4e1 from sp ffff850429890ee8
# (TopOfStack).
cmd: dq ffff850429890ee8 L1
expect:
ffff8504`29890ee8  fffff804`7be0f4e1
.
