# A generated x64 full kernel dump whose KdDebuggerDataBlock is encoded
# (tests/fixtures/dumps/kernel/x64_kdbg_encoded.txt, made by mkkdmp.py and mkkdmp_kobj.py's
# kdbg-encode): every expected value comes from that description. Decoding needs nt!KiWaitNever,
# nt!KiWaitAlways and nt!KdpDataBlockEncoded, which nt's export table gives once its symbols
# load; the dump is opened before that, so `~` (or the first kernel command) adds the processors
# then (the block's KiProcessorBlock names both KPRCBs); the header's is processor 1.
dump: fixture-xz:dumps/kernel/x64_kdbg_encoded.dmp.xz

cmd: ~
expect:
   0  Id: 0.0 Suspend: 0 Teb: 00000000`00000000 Unfrozen
.  1  Id: 0.1 Suspend: 0 Teb: 00000000`00000000 Unfrozen
.

cmd: r rip
expect:
rip=fffff8000f001777
.

# KiProcessorBlock[1] = fffff800`10020180 (the kprcb 1 line); its KPCR is 0x180 below it.
cmd: !pcr 1
contains: KPCR for Processor 1 at fffff80010020000:
contains: 	               Prcb: fffff80010020180
contains: 	      CurrentThread: ffffa00000003000

# Now both processors are threads, and the current one is still the header's: processor 1,
# whose KPRCB context has the header's rip and rsp.
cmd: ~
expect:
   0  Id: 0.0 Suspend: 0 Teb: 00000000`00000000 Unfrozen
.  1  Id: 0.1 Suspend: 0 Teb: 00000000`00000000 Unfrozen
.

cmd: r rip
expect:
rip=fffff8000f001777
.

# Processor 1 runs thread 2 of System.
cmd: !thread
contains: THREAD ffffa00000003000  Cid 0004.000c
contains: RUNNING on processor 1

# Processor 0's registers: KPRCB 0's ProcessorState.ContextFrame (rip ...1008, rsp ...1f00,
# rcx c0).
cmd: ~0s
contains: rax=0000000000000000 rbx=0000000000000000 rcx=00000000000000c0
contains: rip=fffff8000f001008 rsp=ffffb00000001f00 rbp=ffffb00000001f80

# The process list (PsActiveProcessHead, in the header and the decoded block): System only.
cmd: !process 0 0
contains: PROCESS ffffa00000001000
contains:     Image: System
