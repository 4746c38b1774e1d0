# The repo's stack-overflow fixture: crash_stack_overflow.exe (x64, tests/fixtures/gen/
# crash_stack_overflow.c) calls recurse(1), which calls itself with a 1000-byte local buffer
# per level until the 1 MB stack is used up (STATUS_STACK_OVERFLOW, c00000fd).
# fixture_debugger.exe wrote the dump at the first-chance exception, so the thread's own
# context is the fault's. {{key}} values come from crash_stack_overflow.expect (what the
# program printed, and the documented minidump fields read by gen/mdmp_facts.py).
# Independent facts used below:
# - every level's frame is recurse_frame_size = 0x430 bytes (the distance between the buffers
#   of levels 1 and 2, printed by the program; llvm-objdump-16 -d: `sub rsp,0x428` + the
#   return address), so Child-SP n = 0x21f20 (exception_context_rsp) + n * 0x430;
# - the recursive call returns to return_into_recurse_rva 0x15ec = fn_recurse_rva 0x1510 +
#   0xdc; the fault is at recurse+0x15 (exception_offset_in_fault_function);
# - source lines (llvm-pdbutil-16 dump -l crash_stack_overflow.pdb): 0x1525 is line 30
#   (buf[0] = depth, the first store into the new frame), 0x15eb line 42 (the recursive
#   call), main's 0x1943 line 55 (return recurse(1));
# - the stack spans 0x20000-0x120000 (stack_base 120000; Wine's log: "stack 0x20000-0x21000-
#   0x120000"): (0x120000 - 0x21f20) / 0x430 = 970.7, so 970 recurse frames (00-3c9), the
#   last one (depth 1) at 0x21f20 + 0x3c9 * 0x430 = 0x11f8d0 returning into main
#   (return_into_main_address), and main's frame at 0x11fd00.
# - FAILURE_ID_HASH = MD5 of UTF-16LE lowercase "um:" + bucket as a GUID (see
#   analyze_null_write.t): python3 -c "import hashlib,uuid; b='um:STACK_OVERFLOW_c00000fd_
#   crash_stack_overflow.exe!recurse'; print(uuid.UUID(bytes_le=hashlib.md5(b.lower()
#   .encode('utf-16le')).digest()))" -> 36281657-2d4e-1e17-a2b5-a2b25c22dc05
dump: fixture-xz:dumps/crash_stack_overflow.dmp.xz
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

banner: ({{pid:x}}.{{faulting_tid:x}}): Stack overflow - code c00000fd (first/second chance not available)

cmd: .exr -1
expect:
ExceptionAddress: {{exception_address:016}} (crash_stack_overflow!recurse+0x0000000000000015)
   ExceptionCode: c00000fd (Stack overflow)
  ExceptionFlags: 00000000
NumberParameters: 2
   Parameter[0]: 0000000000000001
   Parameter[1]: 0000000000021f50
.

# The faulting store writes buf[0] at rsp+0x30 (llvm-objdump-16: 88 44 24 30), below the
# stack's last committed page.
cmd: .ecxr
contains: rip={{exception_context_rip:016}} rsp={{exception_context_rsp:016}}
contains: crash_stack_overflow!recurse+0x15:
contains: 00000001`40001525 88442430        mov     byte ptr [rsp+30h],al ss:00000000`00021f50=

cmd: k 4
expect:
 # Child-SP          RetAddr               Call Site
00 {{exception_context_rsp:tick}} {{return_into_recurse_address:tick}}     crash_stack_overflow!recurse+0x15 [C:\dumpdbg\tests\fixtures\gen\crash_stack_overflow.c @ 30]
01 00000000`00022350 {{return_into_recurse_address:tick}}     crash_stack_overflow!recurse+0xdc [C:\dumpdbg\tests\fixtures\gen\crash_stack_overflow.c @ 42]
02 00000000`00022780 {{return_into_recurse_address:tick}}     crash_stack_overflow!recurse+0xdc [C:\dumpdbg\tests\fixtures\gen\crash_stack_overflow.c @ 42]
03 00000000`00022bb0 {{return_into_recurse_address:tick}}     crash_stack_overflow!recurse+0xdc [C:\dumpdbg\tests\fixtures\gen\crash_stack_overflow.c @ 42]
.

# kf: the memory column is each frame's size, the 0x430 the program measured.
cmd: kf 3
contains: 01      430  00000000`00022350
contains: 02      430  00000000`00022780

# The whole recursion: 970 levels, then main.
cmd: k 3cc
contains: 3c9 00000000`0011f8d0 {{return_into_main_address:tick}}     crash_stack_overflow!recurse+0xdc [C:\dumpdbg\tests\fixtures\gen\crash_stack_overflow.c @ 42]
contains: 3ca 00000000`0011fd00
contains: crash_stack_overflow!main+0xc4 [C:\dumpdbg\tests\fixtures\gen\crash_stack_overflow.c @ 55]

cmd: !analyze -v
contains:     Key  : Failure.Bucket
contains:     Value: STACK_OVERFLOW_c00000fd_crash_stack_overflow.exe!recurse
contains:     Value: {36281657-2d4e-1e17-a2b5-a2b25c22dc05}
contains: ExceptionCode: c00000fd (Stack overflow)
contains: SYMBOL_NAME:  crash_stack_overflow!recurse+15
contains: FAULTING_SOURCE_LINE_NUMBER:  30
contains: FAILURE_BUCKET_ID:  STACK_OVERFLOW_c00000fd_crash_stack_overflow.exe!recurse
contains: FAILURE_ID_HASH:  {36281657-2d4e-1e17-a2b5-a2b25c22dc05}
# The recursion is found: recurse fills every frame of the walk.
contains: DUMPDBG_RECURSION:  crash_stack_overflow!recurse
contains: Stack Overflow: crash_stack_overflow!recurse is
contains:         stack pointer at the fault: {{exception_context_rsp:tick}}
contains:         the stack could not grow to 00000000`00021f50 (ExceptionInformation[1])
