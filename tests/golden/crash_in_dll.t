# The repo's crash-in-a-DLL fixture: crash_in_dll.exe (x64, tests/fixtures/gen/crash_in_dll.c)
# loads crash_in_dll_lib.dll (own PDB, preferred base 6f000000) and calls call_into_dll ->
# dll_entry(NULL) -> dll_middle -> dll_store, which writes 0xdeadd11 through NULL
# (crash_in_dll_lib.c). A helper thread wrote the dump while the faulting thread waited in the
# unhandled-exception filter. {{key}} values come from crash_in_dll.expect (program output and
# the documented minidump fields, gen/mdmp_facts.py). Independent facts used below:
# - displacements are return addresses minus function starts, both printed by the program:
#   dll_store+0x30 (exception_offset_in_fault_function), 0x6f00141b - 0x6f0013f0 = dll_middle+0x2b,
#   0x6f0014b6 - 0x6f001430 = dll_entry+0x86, 0x140001532 - 0x140001510 = call_into_dll+0x22,
#   0x14000189b - 0x1400016e0 = main+0x1bb;
# - source lines (llvm-pdbutil-16 dump -l on each PDB, the line holding the address, or the
#   return address minus one): crash_in_dll_lib.c 29 (0x1380), 36 (0x141a), 47 (0x14b5);
#   crash_in_dll.c 38 (0x1531), 66 (0x189a);
# - Child-SPs: the exception context's rsp 0x11fbe0, then + each callee's frame
#   (llvm-objdump-16 -d prologs: dll_store sub rsp,0x38 -> +0x40, dll_middle sub rsp,0x28 ->
#   +0x30, dll_entry sub rsp,0x38 -> +0x40, call_into_dll sub rsp,0x38 -> +0x40):
#   0x11fc20, 0x11fc50, 0x11fc90, 0x11fcd0;
# - the DLL's range: dll_base + SizeOfImage 36864 = 0x9000 (llvm-readobj-16 --file-headers);
# - FAILURE_ID_HASH = MD5 of UTF-16LE lowercase "um:" + bucket as a GUID (see
#   analyze_null_write.t): python3 -c "import hashlib,uuid; b='um:NULL_POINTER_WRITE_c0000005_
#   crash_in_dll_lib.dll!dll_store'; print(uuid.UUID(bytes_le=hashlib.md5(b.lower()
#   .encode('utf-16le')).digest()))" -> 49ae6108-fdef-de7e-fe39-e8a8225539bc.
#   crash_in_dll_reloc.t expects the same bucket and hash for the second run, whose DLL was
#   relocated (bucket stability); crash_null_write's bucket differs (analyze_null_write.t).
dump: fixture-xz:dumps/crash_in_dll.dmp.xz
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .exr -1
contains: ExceptionAddress: {{exception_address:016}} (crash_in_dll_lib!dll_store+0x0000000000000030)
contains: Attempt to write to address 0000000000000000

cmd: .ecxr
contains: rip={{exception_context_rip:016}} rsp={{exception_context_rsp:016}}
contains: crash_in_dll_lib!dll_store+0x30:
# llvm-objdump-16: c7 00 11 dd ea 0d  movl $0xdeadd11, (%rax)
contains: 00000000`6f001380 c70011ddea0d    mov     dword ptr [rax],0DEADD11h

# DLL frames first, then the program's, each with its file and line.
cmd: k 5
expect:
 # Child-SP          RetAddr               Call Site
00 {{exception_context_rsp:tick}} {{return_into_dll_middle_address:tick}}     crash_in_dll_lib!dll_store+0x30 [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 29]
01 00000000`0011fc20 {{return_into_dll_entry_address:tick}}     crash_in_dll_lib!dll_middle+0x2b [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 36]
02 00000000`0011fc50 {{return_into_call_into_dll_address:tick}}     crash_in_dll_lib!dll_entry+0x86 [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 47]
03 00000000`0011fc90 {{return_into_main_address:tick}}     crash_in_dll!call_into_dll+0x22 [C:\dumpdbg\tests\fixtures\gen\crash_in_dll.c @ 38]
04 00000000`0011fcd0 00000001`400013ae     crash_in_dll!main+0x1bb [C:\dumpdbg\tests\fixtures\gen\crash_in_dll.c @ 66]
.

cmd: kn 2
expect:
 # Child-SP          RetAddr               Call Site
00 {{exception_context_rsp:tick}} {{return_into_dll_middle_address:tick}}     crash_in_dll_lib!dll_store+0x30 [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 29]
01 00000000`0011fc20 {{return_into_dll_entry_address:tick}}     crash_in_dll_lib!dll_middle+0x2b [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 36]
.

# Frame 1 (dll_middle): ip = the return address into it, rsp = its Child-SP; volatile registers
# unknown, non-volatile ones carried over from the context (nothing in between saves them).
cmd: .frame /r 1
contains: 01 00000000`0011fc20 {{return_into_dll_entry_address:tick}}     crash_in_dll_lib!dll_middle+0x2b
contains: rax=???????????????? rbx=
contains: rip={{return_into_dll_middle_address:016}} rsp=000000000011fc20

cmd: lm m crash_in_dll_lib
contains: 00000000`6f000000 00000000`6f009000   crash_in_dll_lib
contains: (private pdb symbols)
contains: crash_in_dll_lib.pdb

cmd: !analyze -v
contains:     Value: NULL_POINTER_WRITE_c0000005_crash_in_dll_lib.dll!dll_store
contains:     Value: {49ae6108-fdef-de7e-fe39-e8a8225539bc}
contains: SYMBOL_NAME:  crash_in_dll_lib!dll_store+30
contains: MODULE_NAME: crash_in_dll_lib
contains: IMAGE_NAME:  crash_in_dll_lib.dll
contains: FAULTING_SOURCE_LINE_NUMBER:  29
contains: FAILURE_BUCKET_ID:  NULL_POINTER_WRITE_c0000005_crash_in_dll_lib.dll!dll_store
contains: FAILURE_ID_HASH:  {49ae6108-fdef-de7e-fe39-e8a8225539bc}

# The thread's own stack (no .ecxr): it waits in the filter (fixture_thread_dump.h), called
# through KiUserExceptionDispatcher, whose CONTEXT the program printed at
# exception_context_record_address. The dump has no unwind tables for Wine's ntdll and
# kernelbase (a MiniDumpNormal dump), so the stack is scanned past them; the scan takes the
# dispatcher's CONTEXT (src/unwind/x64/x64_dispatcher.c) and the walk goes on from the fault,
# with the same frames as after .ecxr, down to main.
cmd: ~0k 40
contains: crash_in_dll!fx_td_filter+
contains: {{exception_context_rsp:tick}} {{return_into_dll_middle_address:tick}}     crash_in_dll_lib!dll_store+0x30 [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 29]
contains: 00000000`0011fc20 {{return_into_dll_entry_address:tick}}     crash_in_dll_lib!dll_middle+0x2b
contains: 00000000`0011fcd0 00000001`400013ae     crash_in_dll!main+0x1bb [C:\dumpdbg\tests\fixtures\gen\crash_in_dll.c @ 66]
# Not the stale return address above the CONTEXT that the plain scan took before.
lacks: crash_in_dll_lib!fx_kv_str
