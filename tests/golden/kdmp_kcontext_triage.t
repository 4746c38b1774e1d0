# Thread commands on the real x64 triage dump (rizin-testbins/triage_x64.dmp). Independent
# values: rizin's expected output (corpus/kernel/rizin-testdb/triage_x64.rizin-expected.txt):
# the bugcheck context's rsp 0xffff850429890ee8, rcx 0x7e, rdx 0xffffffffc0000005,
# r8 0xfffff8048b58334c, r9 0xffff850429891ee8 (KeBugCheckEx stores them in its home space,
# the four words above Child-SP), and its frame 0, pdb.ntkrnlmp.KeBugCheckEx.
dump: corpus:kernel/rizin-testbins/triage_x64.dmp
args: -y srv*{{corpus}}/kernel/rizin-test-pdb-repository

# The current thread of the crashing processor: its stack starts at the bugcheck context.
cmd: !thread
contains: RUNNING on processor 0
contains: Child-SP          RetAddr               : Args to Child                                                           : Call Site
contains: ffff8504`29890ee8 
# The call site is nt!KeBugCheckEx when nt's symbols load, else nt+0x3f5a80 (its RVA, MANIFEST).
contains: : 00000000`0000007e ffffffff`c0000005 fffff804`8b58334c ffff8504`29891ee8 : nt

cmd: .thread
contains: Implicit thread is now ffffc08b`

# A triage dump has no page tables: the process context cannot move user addresses.
cmd: .process /i 0
contains: .process /i needs a live kernel target
