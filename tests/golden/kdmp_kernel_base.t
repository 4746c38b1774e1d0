# nt's base on dumps without a triage KDBG copy (tests/fixtures/dumps/kernel/, mkkdmp.py): every
# expected value comes from the dump's description.
# x64_kbase_kdbg.txt: a plain KdDebuggerDataBlock at fffff800`10000000 whose KernBase is
# fffff800`0fe00000; PsLoadedModuleList fffff800`10001100.
dump: fixture:dumps/kernel/x64_kbase_kdbg.dmp

cmd: vertarget
contains: Kernel base = 0xfffff800`0fe00000 PsLoadedModuleList = 0xfffff800`10001100
