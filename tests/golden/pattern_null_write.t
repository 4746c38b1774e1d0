# The NULL Data Pointer pattern on the fixture crash_null_write.dmp
# (tests/fixtures/gen/crash_null_write.c): level_two() sets "int *target = NULL" and passes it
# to crash_here(), which copies it to a volatile local and stores 0xbadf00d through it. The
# pattern reads the code before the fault as `ub` does and follows the NULL back: rax loaded
# from the local [rsp+28h], filled from [rsp+30h], which holds crash_here's first argument
# (rcx), which level_two loaded from its own local [rsp+28h], set to 0 at level_two+0x8.
# Instruction bytes and offsets as `uf crash_null_write!crash_here` / `!level_two` show them
# for this (reproducibly built) image; the stack addresses from the .expect file
# (exception_context_rsp is rsp at the fault: [rsp+28h] = exception_context_rsp + 0x28).
dump: fixture:dumps/crash_null_write.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !analyze -v
contains: PATTERNS:
contains:     NULL Data Pointer: write to 00000000`00000000 (a NULL pointer) at crash_null_write!crash_here+0x29
contains:         rax = 00000000`00000000 at the fault; the code before it (ub):
contains:           00000001`40001544 48894c2430      mov     qword ptr [rsp+30h],rcx
contains:           00000001`40001549 488b442430      mov     rax,qword ptr [rsp+30h]
contains:           00000001`4000154e 4889442428      mov     qword ptr [rsp+28h],rax
contains:           00000001`40001564 488b442428      mov     rax,qword ptr [rsp+28h]
contains: ; rax = [00000000`0011fb18] = 00000000`00000000
contains:           00000001`40001569 c7000df0ad0b    mov     dword ptr [rax],0BADF00Dh ; the fault
contains:           => argument 1 of crash_null_write!crash_here
contains:         argument 1 (rcx) as the caller passed it, at crash_null_write!level_two+0x27:
contains:           00000001`40001718 48c744242800000000 mov     qword ptr [rsp+28h],0
contains:           00000001`40001732 488b4c2428      mov     rcx,qword ptr [rsp+28h]
contains:           00000001`40001737 e804feffff      call    crash_null_write!crash_here (00000001`40001540) ; the call
contains:           => the constant 00000000`00000000 stored at qword ptr [rsp+28h]
contains: DUMPDBG_PATTERN:  NULL Data Pointer - write to 00000000`00000000 (a NULL pointer) at crash_null_write!crash_here+0x29
lacks: Invalid Pointer
lacks: NULL Code Pointer
