# lldb's fizzbuzz_no_heap.dmp: a 32-bit fizzbuzz.exe under WoW64 that reads address 0 at
# eip 0x164d14 (lldb's TestMiniDump.py and the corpus MANIFEST give the pc and the fault).
dump: corpus:user/llvm-lldb/fizzbuzz_no_heap.dmp

# The faulting read: bytes 8b 00 are `mov eax, dword ptr [eax]` (llvm-mc-16 --disassemble),
# reading address 0, which the dump does not hold. WinDbg's x86 `r` line names the segment
# register and selector and right-aligns the annotation to column 79, as in cdb transcripts
# such as "mov     edx,dword ptr [eax]  ds:002b:00000000=????????".
cmd: r
contains: 00164d14 8b00            mov     eax,dword ptr [eax]  ds:002b:00000000=????????
