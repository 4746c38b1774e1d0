# Kernel stack walking on a generated x64 full kernel dump (tests/fixtures/dumps/kernel/
# x64_kstack.txt, made by mkkdmp.py and mkkdmp_kobj.py): every expected value comes from that
# description. nt (N = fffff800`0f000000) is a PE image in the dump's memory whose exports and
# .pdata/.xdata the kfunc lines give; the walks cross a KTRAP_FRAME into user mode, a DPC stack
# back onto the interrupted thread's stack, and an expanded stack's segments. Unwritten words of
# a data page hold 0xD00D000000000000 | their physical address. The symbol path holds an ISF
# for ntkrnlmp.pdb (isf_kstack/ntkrnlmp.pdb/...json: PsLoadedModuleList, PsActiveProcessHead and
# KdDebuggerDataBlock at the RVAs the description puts them, _KPRCB.DpcStack at +0x3200): the
# kernel type source that places processor 1's DPC stack pointer (kdmp_kstack_builtin.t: without it).
dump: fixture-xz:dumps/kernel/x64_kstack.dmp.xz
args: -y {{fixtures}}/dumps/kernel/isf_kstack

# The kimage line's KLDR_DATA_TABLE_ENTRY is PsLoadedModuleList's only entry: ntoskrnl.exe
# (module "nt") at N, 0x3000 bytes.
cmd: lm
expect:
start             end                 module name
fffff800`0f000000 fffff800`0f003000   nt         (deferred)
.

# Processor 0 (the header's context) runs thread A in KeBugCheckEx (RVA 0x1000) + 8; the return
# address at Child-SP + 0x28 (sub rsp,28h) is 0: one frame.
cmd: k
expect:
 # Child-SP          RetAddr               Call Site
00 ffffb000`00001f00 00000000`00000000     nt!KeBugCheckEx+0x8
.

# Thread SC waits in a system call: its switch frame, then the frames of the description, the
# last kernel one (KiSystemServiceCopyEnd: PUSH_MACHFRAME after 0x218 bytes) continuing at the
# KTRAP_FRAME ffffb000`00005e70 (InitialStack ffffb000`00006000 - 0x190) into user mode:
# Rip 00007ff6`00001234, Rsp 000000a0`00200f00. Without /p the user stack is not mapped (the
# System process's page tables stay), so the walk stops reading it.
cmd: .thread ffffa00000004000
expect:
Implicit thread is now ffffa000`00004000
.

cmd: k
contains: 00 ffffb000`00005d40 fffff800`0f001220     nt!KeWaitForSingleObject+0x10
contains: 01 ffffb000`00005d70 fffff800`0f001313     nt!NtWaitForSingleObject+0x20
contains: 02 ffffb000`00005dc0 00007ff6`00001234     nt!KiSystemServiceCopyEnd+0x13
contains: 03 000000a0`00200f00 00000000`00000000
contains: (the walk stopped: memory at 000000a0`00200f00 is not in the dump)

# kv marks the frame whose caller came from the trap frame. The home-space words above
# Child-SP ffffb000`00005dc0 are pattern words: the stack page ffffb000`00005000 is PFN 0x36, so
# ffffb000`00005dc8 holds d00d0000`00036dc8.
cmd: kv
contains: 02 00007ff6`00001234 : d00d0000`00036dc8 d00d0000`00036dd0 d00d0000`00036dd8 d00d0000`00036de0 : nt!KiSystemServiceCopyEnd+0x13 (TrapFrame @ ffffb000`00005e70)

# With app.exe's address space and loader list (C:\app\app.exe at 00007ff6`00000000) the user
# frame is app+0x1234; its stack holds zeros and app.exe's image is not in the dump, so it is
# the last frame.
cmd: .thread /p /r ffffa00000004000
contains: Implicit thread is now ffffa000`00004000
contains: Implicit process is now ffffa000`00002000
contains: Loading User Symbols

cmd: k
expect:
  *** Stack trace for last set context - .thread/.cxr resets it
 # Child-SP          RetAddr               Call Site
00 ffffb000`00005d40 fffff800`0f001220     nt!KeWaitForSingleObject+0x10
01 ffffb000`00005d70 fffff800`0f001313     nt!NtWaitForSingleObject+0x20
02 ffffb000`00005dc0 00007ff6`00001234     nt!KiSystemServiceCopyEnd+0x13
03 000000a0`00200f00 00000000`00000000     app+0x1234
(the walk stopped: no caller found for frame 03 - no unwind data, frame pointer or return address on the stack above it)
.

# Thread F's stack lacks the page ffffb000`00016000, where NtDeviceIoControlFile (sub rsp,200h)
# keeps its return address: the walk continues at the thread's KTRAP_FRAME ffffb000`00017e70
# (KTHREAD.TrapFrame, InitialStack ffffb000`00018000 - 0x190) into app.exe+0x2000 with Rsp
# 000000a0`00200e00 (zeros: the last frame). Home-space words: the page ffffb000`00015000 is
# PFN 0x51.
cmd: .thread /p ffffa00000007000
contains: Implicit thread is now ffffa000`00007000

cmd: kv
expect:
  *** Stack trace for last set context - .thread/.cxr resets it
 # RetAddr               : Args to Child                                                           : Call Site
00 fffff800`0f001920 : d00d0000`00051f48 d00d0000`00051f50 d00d0000`00051f58 d00d0000`00051f60 : nt!KeWaitForSingleObject+0x10
01 00007ff6`00002000 : d00d0000`00051f78 d00d0000`00051f80 d00d0000`00051f88 d00d0000`00051f90 : nt!NtDeviceIoControlFile+0x20 (TrapFrame @ ffffb000`00017e70)
02 00000000`00000000 : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : app+0x2000
(the walk stopped: no caller found for frame 02 - no unwind data, frame pointer or return address on the stack above it)
.

cmd: k
contains: 01 ffffb000`00015f70 00007ff6`00002000     nt!NtDeviceIoControlFile+0x20
contains: 02 000000a0`00200e00 00000000`00000000     app+0x2000

# Thread EXP runs on an expanded stack: KxSwitchKernelStackCallout's frame (push rbp;
# mov rbp,rsp) leads from the current segment (ffffb000`00010000..12000) to rbp
# ffffb000`0000df00 in the previous one the KSTACK_CONTROL names (ffffb000`0000c000..e000).
cmd: .thread /p ffffa00000006000
contains: Implicit thread is now ffffa000`00006000

cmd: k
expect:
  *** Stack trace for last set context - .thread/.cxr resets it
 # Child-SP          RetAddr               Call Site
00 ffffb000`00011d40 fffff800`0f001731     nt!KeWaitForSingleObject+0x10
01 ffffb000`00011d70 fffff800`0f001860     nt!KxSwitchKernelStackCallout+0x31
02 ffffb000`0000df10 00000000`00000000     nt!KeExpandKernelStackAndCalloutInternal+0x60
.

cmd: .thread
expect:
Implicit thread is now ffffa000`00003000
.

# Processor 1 runs a DPC on its DPC stack (KPRCB.DpcStack, at +0x3200 by the ISF:
# fffff800`30006000, the range
# fffff800`30000000..fffff800`30006000): KiRetireDpcList's frame (push rbp; mov rbp,rsp) leads
# back to rbp ffffb000`00009f00 on the stack of thread D, which the DPC interrupted.
cmd: ~1s
contains: rip=fffff8000f001408 rsp=fffff80030005f00 rbp=ffffb00000009f00

cmd: k
expect:
 # Child-SP          RetAddr               Call Site
00 fffff800`30005f00 fffff800`0f00151c     nt!ExpTimerDpcRoutine+0x8
01 fffff800`30005f30 fffff800`0f001640     nt!KiRetireDpcList+0x1c
02 ffffb000`00009f10 00000000`00000000     nt!KiDispatchInterrupt+0x40
.

cmd: ~0s
contains: rip=fffff8000f001008 rsp=ffffb00000001f00

# !thread walks each thread over its own stacks and trap frames, whichever thread is current
# (and marks the trap frame's frame as kv does)
# (processor 0 runs thread A): the DPC stack of the processor running thread D, the segments
# of thread EXP, and the trap frame of thread SC, in its process's address space (the user
# stack at 000000a0`00200f00 holds zeros).
cmd: !thread ffffa00000004000
contains: ffffb000`00005dc0 00007ff6`00001234     : d00d0000`00036dc8 d00d0000`00036dd0 d00d0000`00036dd8 d00d0000`00036de0 : nt!KiSystemServiceCopyEnd+0x13 (TrapFrame @ ffffb000`00005e70)
contains: 000000a0`00200f00 00000000`00000000     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 :

# Thread D's DPC frames: the DPC stack's top page fffff800`30005000 is PFN 0x3d; thread D's
# stack page ffffb000`00009000 is PFN 0x38.
cmd: !thread ffffa00000005000
contains: fffff800`30005f00 fffff800`0f00151c     : d00d0000`0003df08 d00d0000`0003df10 d00d0000`0003df18 d00d0000`0003df20 : nt!ExpTimerDpcRoutine+0x8
contains: fffff800`30005f30 fffff800`0f001640     : d00d0000`0003df38 d00d0000`0003df40 d00d0000`0003df48 d00d0000`0003df50 : nt!KiRetireDpcList+0x1c
contains: ffffb000`00009f10 00000000`00000000     : d00d0000`00038f18 d00d0000`00038f20 d00d0000`00038f28 d00d0000`00038f30 : nt!KiDispatchInterrupt+0x40

# Thread EXP: the current segment's page ffffb000`00011000 is PFN 0x3a, the previous
# segment's ffffb000`0000d000 PFN 0x3c.
cmd: !thread ffffa00000006000
contains: ffffb000`00011d70 fffff800`0f001860     : d00d0000`0003ad78 d00d0000`0003ad80 d00d0000`0003ad88 d00d0000`0003ad90 : nt!KxSwitchKernelStackCallout+0x31
contains: ffffb000`0000df10 00000000`00000000     : d00d0000`0003cf18 d00d0000`0003cf20 d00d0000`0003cf28 d00d0000`0003cf30 : nt!KeExpandKernelStackAndCalloutInternal+0x60

# !process 7 walks each of app.exe's threads the same way (indented by 8).
cmd: !process ffffa00000002000 7
contains:         ffffb000`00005dc0 00007ff6`00001234     : d00d0000`00036dc8 d00d0000`00036dd0 d00d0000`00036dd8 d00d0000`00036de0 : nt!KiSystemServiceCopyEnd+0x13
contains:         000000a0`00200f00 00000000`00000000     :
contains:         ffffb000`00009f10 00000000`00000000     : d00d0000`00038f18 d00d0000`00038f20 d00d0000`00038f28 d00d0000`00038f30 : nt!KiDispatchInterrupt+0x40
