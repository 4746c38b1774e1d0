# The DPC walk of kdmp_kstack.t without the ISF on the symbol path: build 19041's built-in
# _KPRCB.DpcStack offset (+0x3110) holds a pattern word in tests/fixtures/dumps/kernel/
# x64_kstack.txt (the DPC stack pointer is at +0x3200, where only the ISF puts it), so the DPC
# stack is unknown and the walk has no kernel stacks to switch between: the step from
# KiRetireDpcList (rbp ffffb000`00009f00, below the DPC stack) back onto thread D's stack is
# refused as a move down.
dump: fixture-xz:dumps/kernel/x64_kstack.dmp.xz
args: -y {{fixtures}}/dumps/kernel

cmd: ~1s
contains: rip=fffff8000f001408 rsp=fffff80030005f00 rbp=ffffb00000009f00

cmd: k
expect:
 # Child-SP          RetAddr               Call Site
00 fffff800`30005f00 fffff800`0f00151c     nt!ExpTimerDpcRoutine+0x8
01 fffff800`30005f30 fffff800`0f001640     nt!KiRetireDpcList+0x1c
(the walk stopped: the caller of frame 01 would not be above it on the stack - a frame pointer or return address loops)
.

# The expanded stack needs no type source: build 19041's _KSTACK_CONTROL is built in.
cmd: .thread ffffa00000006000
contains: Implicit thread is now ffffa000`00006000

cmd: k
contains: 02 ffffb000`0000df10 00000000`00000000     nt!KeExpandKernelStackAndCalloutInternal+0x60
