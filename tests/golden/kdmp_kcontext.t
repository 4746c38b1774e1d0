# A call site in no module prints as WinDbg's bare number, "0xfffff800`10000500" (published kd
# transcripts: "0xffffc509`bc08d6d0").
# Process and thread context commands on a generated x64 full kernel dump
# (tests/fixtures/dumps/kernel/x64_procs.txt, made by mkkdmp.py and mkkdmp_kobj.py): every
# expected value comes from that description. Unwritten words of a data page hold
# 0xD00D000000000000 | their physical address; app.exe's page tables start at PFN 0x40, so its
# DirectoryTableBase is 00040000; the kernel's is 00001000.
dump: fixture-xz:dumps/kernel/x64_procs.dmp.xz

# Two processors: kd starts on processor 0 (the header's context: rip fffff800`10000abc).
cmd: ~
expect:
.  0  Id: 0.0 Suspend: 0 Teb: 00000000`00000000 Unfrozen
   1  Id: 0.1 Suspend: 0 Teb: 00000000`00000000 Unfrozen
.

cmd: r rip
expect:
rip=fffff80010000abc
.

# Processor 1's registers: KPRCB 1's ProcessorState.ContextFrame (rip ...777, rsp ...3f00, rbx b1).
cmd: ~1s
contains: rax=0000000000000000 rbx=00000000000000b1 rcx=0000000000000000
contains: rip=fffff80010000777 rsp=ffffb00000003f00 rbp=ffffb00000003f80

# Processor 1 runs thread 3 of app.exe: its process is the current one there.
cmd: !process
contains: PROCESS ffffa00000002000
contains:     Image: app.exe

cmd: ~0s
contains: rip=fffff80010000abc rsp=ffffb00000001f00 rbp=ffffb00000001f80

# No address: the default process, System (processor 0 runs thread 1 of System).
cmd: .process
expect:
Implicit process is now ffffa000`00001000
.

# User address 0x10000 is mapped in app.exe's page tables only (PFN 0x30).
cmd: dq 10000 L2
expect:
00000000`00010000  ????????`???????? ????????`????????
.

cmd: .process /p /r ffffa00000002000
expect:
Implicit process is now ffffa000`00002000
.cache forcedecodeuser done
Loading User Symbols
..
.

cmd: dq 10000 L2
expect:
00000000`00010000  d00d0000`00030000 d00d0000`00030008
.

# The PEB's loader list: app.exe at 7ff6`00000000 (0x3000), ntdll.dll at 7ffa`00000000 (0x2000).
cmd: lm u
contains: 00007ff6`00000000 00007ff6`00003000   app
contains: 00007ffa`00000000 00007ffa`00002000   ntdll

cmd: .process 0
expect:
Implicit process is now ffffa000`00001000
.

cmd: dq 10000 L1
expect:
00000000`00010000  ????????`????????
.

# Thread 2 waits: its registers are its switch frame at KernelStack ffffb000`00002e00 (Rbp at
# +0x30 = ffffb000`00002f50, Return at +0x38 = fffff800`10000500, rsp = KernelStack + 0x40).
cmd: .thread ffffa00000004000
expect:
Implicit thread is now ffffa000`00004000
.

cmd: r rip
expect:
rip=fffff80010000500
.

cmd: r rsp
expect:
rsp=ffffb00000002e40
.

cmd: r rbp
expect:
rbp=ffffb00000002f50
.

# The word at Child-SP is 0: frame 0 is the last; the home space above it holds 0x1111..0x4444.
cmd: kb
contains: 00 00000000`00000000 : 00000000`00001111 00000000`00002222 00000000`00003333 00000000`00004444 : 0xfffff800`10000500

# Back to the processor's own context.
cmd: .thread
expect:
Implicit thread is now ffffa000`00003000
.

cmd: r rip
expect:
rip=fffff80010000abc
.

# .thread /p also makes the thread's process the implicit one.
cmd: .thread /p ffffa00000004000
expect:
Implicit thread is now ffffa000`00004000
Implicit process is now ffffa000`00002000
.cache forcedecodeuser done
.

cmd: .process 0
expect:
Implicit process is now ffffa000`00001000
.

# The WoW64 CPU area behind TEB64 a0`00002000 (TlsSlots[1] = a0`00004000): eip 77001234,
# esp 0018ff00, ebp 0018ff40, eax 32, cs 23, ss/ds/es 2b, fs 53.
cmd: .thread /w ffffa00000004000
expect:
Implicit thread is now ffffa000`00004000
x86 context set
.

cmd: r
contains: eax=00000032 ebx=00000000 ecx=00000000 edx=00000000 esi=00000000 edi=00000000
contains: eip=77001234 esp=0018ff00 ebp=0018ff40
contains: cs=0023  ss=002b  ds=002b  es=002b  fs=0053

cmd: .thread ffffa00000004000
expect:
Implicit thread is now ffffa000`00004000
.

cmd: .effmach
expect:
Effective machine: x64 (AMD64)
.

cmd: .process 0
expect:
Implicit process is now ffffa000`00001000
.

# !thread of the waiting thread: its header, then the stack walked from its switch frame.
cmd: !thread ffffa00000004000
contains: THREAD ffffa00000004000  Cid 1234.5678  Teb: 000000a000002000 Win32Thread: 0000000000000000 WAIT: (UserRequest) UserMode Non-Alertable
contains: Stack Init ffffb00000003000 Current ffffb00000002e00
contains: Child-SP          RetAddr               : Args to Child                                                           : Call Site
contains: ffffb000`00002e40 00000000`00000000     : 00000000`00001111 00000000`00002222 00000000`00003333 00000000`00004444 : 0xfffff800`10000500

# A running thread's stack starts from its processor's context (processor 1: rsp ...3f00; the
# words there are 0, 0 and then the page pattern of PFN 0x29).
cmd: !thread ffffa00000005000
contains: RUNNING on processor 1
contains: ffffb000`00003f00 00000000`00000000     : 00000000`00000000 d00d0000`00029f10 d00d0000`00029f18 d00d0000`00029f20 : 0xfffff800`10000777

# Flags 0x2 without 0x4: no stack.
cmd: !thread ffffa00000005000 2
lacks: Child-SP

# !process 0 7: every thread with its stack, indented under its process.
cmd: !process 0 7
contains:         THREAD ffffa00000003000  Cid 0004.0008  Teb: 0000000000000000 Win32Thread: 0000000000000000 RUNNING on processor 0
contains:         ffffb000`00001f00 00000000`00000000     : 00000000`00000000 d00d0000`00027f10 d00d0000`00027f18 d00d0000`00027f20 : 0xfffff800`10000abc
contains:         ffffb000`00002e40 00000000`00000000     : 00000000`00001111 00000000`00002222 00000000`00003333 00000000`00004444 : 0xfffff800`10000500
contains:         ffffb000`00003f00 00000000`00000000     : 00000000`00000000 d00d0000`00029f10 d00d0000`00029f18 d00d0000`00029f20 : 0xfffff800`10000777

# /i needs a live target.
cmd: .process /i ffffa00000002000
contains: .process /i needs a live kernel target

# !process flag 1: the statistics the description wrote into app.exe's EPROCESS (build 19041
# offsets). ElapsedTime = system-time - create = 37234560000 x 100 ns; the token's low 4 bits
# (the EX_FAST_REF reference count) are cleared; working sets in pages and 4 KB units; virtual
# sizes 0x20000000000 and 0x20000300000 bytes in MB. No KeMaximumIncrement without symbols: no
# UserTime/KernelTime lines. ProcessQuotaUsage and Vm's MemoryPriority are fields the
# description leaves zeroed: 0, 0 and BACKGROUND (MEMORY_PRIORITY_BACKGROUND is 0).
cmd: !process ffffa00000002000 1
expect:
PROCESS ffffa00000002000
    SessionId: none  Cid: 1234    Peb: a000001000  ParentCid: 0004
    DirBase: 00040000  ObjectTable: 0000000000000000  HandleCount: <Data Not Accessible>
    Image: app.exe
    VadRoot ffffc00000a0b0c0 Vads 53 Clone 0 Private 372. Modified 2. Locked 1.
    DeviceMap ffffc0000000c0f0
    Token                             ffffc00012345670
    ElapsedTime                       01:02:03.456
    QuotaPoolUsage[PagedPool]         0
    QuotaPoolUsage[NonPagedPool]      0
    Working Set Sizes (now,min,max)  (1209, 50, 345) (4836KB, 200KB, 1380KB)
    PeakWorkingSetSize                1300
    VirtualSize                       2097152 Mb
    PeakVirtualSize                   2097155 Mb
    PageFaultCount                    1283
    MemoryPriority                    BACKGROUND
    BasePriority                      8
    CommitCharge                      411
.

# Not an EPROCESS: at +0x28 (Pcb.DirectoryTableBase) the ETHREAD ffffa000`00003000 holds its
# InitialStack ffffb000`00002000, which maps nothing: the kernel's tables stay.
cmd: .process ffffa00000003000
contains: DirectoryTableBase ffffb000`00002000 does not map the kernel

cmd: dq fffff80010001000 L1
expect:
fffff800`10001000  ffffa000`00001448
.

cmd: .process 0
expect:
Implicit process is now ffffa000`00001000
.
