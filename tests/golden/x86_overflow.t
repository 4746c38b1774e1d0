# x86 stack overflow: x86_overflow.dmp (tests/fixtures/gen/x86emu/x86emu.py, overflow.c -O0).
# recurse() calls itself without end; the emulator mapped the stack 181000-190000 and nothing
# below (the guard area), so the write of buf[0] at ebp-0xc8 = 180fc4 faulted: exception
# c00000fd with Parameter[0] 1 (write) and Parameter[1] 180fc4 (exception_fault_address). Each
# recurse frame is 0xd4 bytes (return address, saved ebp, 0xcc of locals: llvm-objdump-16 shows
# `sub esp, 0xcc`); the emulator's trace counted 292 live calls: 290 recurse, main, start.
# frame{N}_* facts: entry esp E of each call (ChildEBP = E - 4, RetAddr = dword at E, args at
# E+4; depth 0x122 = 290 in the innermost frame). recurse 401000 (+0xf = eip 40100f, +0x23 the
# return address 401023 after its call of itself), main 401040 (+0x19 = 401059 after its call), start 401070 (+0x8); lines 14, 15, 20, 26.
dump: fixture:dumps/x86_overflow.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .exr -1
contains:    ExceptionCode: c00000fd (Stack overflow)
contains:    Parameter[0]: 00000001
contains:    Parameter[1]: {{exception_fault_address:08}}

cmd: kb 3
expect:
 # ChildEBP RetAddr      Args to Child
00 {{frame0_childebp}} {{frame0_retaddr}}     {{frame0_args}} x86_overflow!recurse+0xf [C:\dumpdbg\tests\fixtures\gen\x86emu\overflow.c @ 14]
01 {{frame1_childebp}} {{frame1_retaddr}}     {{frame1_args}} x86_overflow!recurse+0x23 [C:\dumpdbg\tests\fixtures\gen\x86emu\overflow.c @ 15]
02 {{frame2_childebp}} {{frame2_retaddr}}     {{frame2_args}} x86_overflow!recurse+0x23 [C:\dumpdbg\tests\fixtures\gen\x86emu\overflow.c @ 15]
.

# The whole stack: 292 frames (0x124), past the default of 256, so ask for 0n300.
cmd: kn 0n300
contains: 121 {{frame289_childebp}} {{frame289_retaddr}}     x86_overflow!recurse+0x23 [C:\dumpdbg\tests\fixtures\gen\x86emu\overflow.c @ 15]
contains: 122 {{frame290_childebp}} {{frame290_retaddr}}     x86_overflow!main+0x19 [C:\dumpdbg\tests\fixtures\gen\x86emu\overflow.c @ 20]
contains: 123 {{frame291_childebp}} {{frame291_retaddr}}     x86_overflow!start+0x8 [C:\dumpdbg\tests\fixtures\gen\x86emu\overflow.c @ 26]
lacks: 124 0018
lacks: (the walk stopped

cmd: k
contains: (the walk stopped at its default frame count, 256 frames

cmd: !analyze -v
contains: FAILURE_BUCKET_ID:  STACK_OVERFLOW_c00000fd_x86_overflow.exe!recurse
