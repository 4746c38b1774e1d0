# lldb's fizzbuzz_no_heap.dmp: a 32-bit fizzbuzz.exe under WoW64 that reads address 0 at
# eip 0x164d14 (lldb's TestMiniDump.py and the corpus MANIFEST give the pc and the fault).
dump: corpus:user/llvm-lldb/fizzbuzz_no_heap.dmp

# The faulting read: bytes 8b 00 are `mov eax, dword ptr [eax]` (llvm-mc-16 --disassemble),
# reading address 0, which the dump does not hold. WinDbg's x86 `r` line names the segment
# register and selector and right-aligns the annotation to column 79, as in cdb transcripts
# such as "mov     edx,dword ptr [eax]  ds:002b:00000000=????????".
cmd: r
contains: 00164d14 8b00            mov     eax,dword ptr [eax]  ds:002b:00000000=????????

# The stack by the EBP chain alone (the dump holds no code): lldb's TestMiniDump.py expects exactly
# six frames with PCs 0x164d14, 0x167c79, 0x167e6d, 0x7510336a, 0x77759882, 0x77759855 (MANIFEST).
# ChildEBP is each link of the chain as stored in the dump's stack memory.
cmd: k
expect:
 # ChildEBP RetAddr
00 0031f7cc 00167c79     fizzbuzz+0x14d14
01 0031f81c 00167e6d     fizzbuzz+0x17c79
02 0031f824 7510336a     fizzbuzz+0x17e6d
03 0031f830 77759882     kernel32+0x1336a
04 0031f870 77759855     ntdll+0x39882
05 0031f888 00000000     ntdll+0x39855
.
