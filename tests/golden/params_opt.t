# dv, kp/kP, inline frames and k /proven on crash_params_opt.dmp: tests/fixtures/gen/crash_params.c
# built with -O2. main -> outer_call(5, 0x11, g_name) -> via_inline [inlined] -> crash_here(50,
# g_name, &pt, 0x123456789) -> poke(NULL, 0xd1) [inlined], which faults. Values from the source:
# local_sum = 50 + 5 + 0x11 + 0x89 = 0n209, doubled = 0n418; g_name and pt addresses as printed.
# Which values are live comes from `llvm-pdbutil-16 dump -symbols crash_params_opt.pdb` (S_LOCAL
# + S_DEFRANGE_REGISTER ranges, section 1 at RVA 0x1000):
#   crash_here (0x1510): code ECX [0x1510,+34), text RDX [0x1510,+27) then RSI [0x152b,+35),
#     pt R8 [0x1510,+39), big R9 [0x1510,+39), local_sum EDI [0x1526,+39);
#   poke site (code 0x153e..0x1543): where RAX [0x153e,+8), value EDI [0x153e,+15), doubled ECX
#     [0x1541,+14); the fault is at 0x1541 (exception_address): code, pt and big are not live.
#   outer_call (0x19f0): depth EDI [0x1a10,+78), flags ESI [0x1a18,+61), name RBX [0x1a1d,+63),
#     pt [rsp+0x28] (FRAMEPOINTER_REL 40, frame base RSP) [0x1a01,+97), r EAX [0x1a4d,+10);
#   via_inline site (0x1a2e..0x1a4d): depth EDI, name RBX, pt optimized away, scaled EBP.
#   The call in outer_call returns to 0x1a4b: the caller frames are looked up at 0x1a4a.
# Stack (`llvm-objdump-16 -d` prologs): crash_here pushes rsi, rdi and subtracts 0x28, so from
# the context's rsp 0x11fc30 rdi is saved at 0x11fc58, rsi at 0x11fc60 and outer_call's
# Child-SP is 0x11fc70; outer_call pushes 5 registers and subtracts 0x30: main's is 0x11fcd0.
# crash_here never touches rbx and rbp: their values in outer_call are the context's.
# Inline frame offsets count from the site's first code byte: 0x1541 - 0x153e = poke+0x3,
# 0x1a4b - 0x1a2e = via_inline+0x1d; 0x1541 - 0x1510 = crash_here+0x31, 0x1a4b - 0x19f0 =
# outer_call+0x5b. Lines: crash_params.c 52 (the store), 59 (poke call), 67, 77.
dump: fixture:dumps/crash_params_opt.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .ecxr
contains: crash_params_opt!crash_here+0x31:

cmd: kn 4
expect:
 # Child-SP          RetAddr               Call Site
00 (Inline Function) --------`--------     crash_params_opt!poke+0x3 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 52]
01 {{exception_context_rsp:tick}} {{return_into_outer_call_address:tick}}     crash_params_opt!crash_here+0x31 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 59]
02 (Inline Function) --------`--------     crash_params_opt!via_inline+0x1d [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 67]
03 00000000`0011fc70 {{return_into_main_address:tick}}     crash_params_opt!outer_call+0x5b [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 77]
.

cmd: kp 4
expect:
 # Child-SP          RetAddr               Call Site
00 (Inline Function) --------`--------     crash_params_opt!poke+0x3 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 52]
01 {{exception_context_rsp:tick}} {{return_into_outer_call_address:tick}}     crash_params_opt!crash_here(int code = <value unavailable>, char * text = 0x{{g_name_address:tick}} "hello", struct point * pt = <value unavailable>, int64 big = <value unavailable>)+0x31 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 59]
02 (Inline Function) --------`--------     crash_params_opt!via_inline+0x1d [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 67]
03 00000000`0011fc70 {{return_into_main_address:tick}}     crash_params_opt!outer_call(int depth = 0n5, unsigned int flags = 0x11, char * name = 0x{{g_name_address:tick}} "hello")+0x5b [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 77]
.

cmd: kP 2
contains: crash_params_opt!crash_here(
contains: 			int code = <value unavailable>,
contains: 			int64 big = <value unavailable>)+0x31 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 59]

# Frame 0 is the inline poke: its parameters and local, all live in registers at the fault.
cmd: dv /i /t /V
expect:
prv param                    @rax             int * where = 0x00000000`00000000
prv param                    @edi             int value = 0n209
prv local                    @ecx             int doubled = 0n418
.

cmd: .frame 1
expect:
01 {{exception_context_rsp:tick}} {{return_into_outer_call_address:tick}}     crash_params_opt!crash_here+0x31 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 59]
.

cmd: dv
expect:
           code = <value unavailable>
           text = 0x{{g_name_address:tick}} "hello"
             pt = <value unavailable>
            big = <value unavailable>
      local_sum = 0n209
.

# The inline via_inline inside outer_call: rdi was saved by crash_here; rbx and rbp never changed.
cmd: .frame 2
cmd: dv
expect:
          depth = 0n5
           name = 0x{{g_name_address:tick}} "hello"
             pt = <value unavailable>
         scaled = 0n50
.

cmd: .frame 3
cmd: dv /t /V
expect:
                  @edi             int depth = 0n5
                  @esi             unsigned int flags = 0x11
                  @rbx             char * name = 0x{{g_name_address:tick}} "hello"
{{pt_address:tick}} @rsp+0x0028      struct point pt = struct point
                                   int r = <value unavailable>
.

# .frame /r on frame 3: volatile registers unknown, rdi/rsi as crash_here saved them.
cmd: .frame /r 3
contains: rax=???????????????? rbx={{g_name_address:016}} rcx=????????????????
contains: rsi=0000000000000011 rdi=0000000000000005

# Beyond WinDbg: only proven values, each with where it came from.
cmd: k /proven 4
expect:
 # Child-SP          RetAddr               Call Site
00 (Inline Function) --------`--------     crash_params_opt!poke+0x3 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 52]
      where = 0x00000000`00000000  (@rax, from the context)
      value = 0n209  (@edi, from the context)
01 {{exception_context_rsp:tick}} {{return_into_outer_call_address:tick}}     crash_params_opt!crash_here+0x31 [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 59]
      code = unknown  (no location record covers this address)
      text = 0x{{g_name_address:tick}} "hello"  (@rsi, from the context)
      pt = unknown  (no location record covers this address)
      big = unknown  (no location record covers this address)
02 (Inline Function) --------`--------     crash_params_opt!via_inline+0x1d [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 67]
      depth = 0n5  (@edi, saved by frame 01 at 00000000`0011fc58)
      name = 0x{{g_name_address:tick}} "hello"  (@rbx, non-volatile, saved by no callee: the context's)
      pt = unknown  (optimized away)
03 00000000`0011fc70 {{return_into_main_address:tick}}     crash_params_opt!outer_call+0x5b [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 77]
      depth = 0n5  (@edi, saved by frame 01 at 00000000`0011fc58)
      flags = 0x11  (@esi, saved by frame 01 at 00000000`0011fc60)
      name = 0x{{g_name_address:tick}} "hello"  (@rbx, non-volatile, saved by no callee: the context's)
.

# k = StackPtr InstructionPtr FrameCount (x64): starting at outer_call's Child-SP and the return
# address into it gives the walk's frames 02.. (via_inline is inlined at that address).
# Two numbered frames (the count is the third value).
cmd: k = 0x11fc70 0x{{return_into_outer_call_address}} 2
expect:
 # Child-SP          RetAddr               Call Site
00 (Inline Function) --------`--------     crash_params_opt!via_inline+0x1d [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 67]
01 00000000`0011fc70 {{return_into_main_address:tick}}     crash_params_opt!outer_call+0x5b [C:\dumpdbg\tests\fixtures\gen\crash_params.c @ 77]
.
