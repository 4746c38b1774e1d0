# dv, kp and k /proven on crash_params.dmp: tests/fixtures/gen/crash_params.c built with -O0, where
# every variable lives on the stack for its whole scope. `llvm-pdbutil-16 dump -symbols
# crash_params.pdb`: S_FRAMEPROC "local fp reg = RSP, param fp reg = RSP", and
# S_DEFRANGE_FRAMEPOINTER_REL offsets: crash_here code 68, text 56, pt 48, big 40, local_sum 36
# ([0x1527,+115)); poke where 80, value 76, doubled 72 ([0x1581,+22)); outer_call depth 72,
# flags 68, name 56, pt 48, r 44 ([0x1741,+151)). crash_here's frame is `sub rsp,0x58`
# (llvm-objdump-16), so its rsp is the context's 0x11fc40 and locals are at 0x11fc40 + offset.
# Values from the source: code 50, big 0x123456789 = 0n4886718345, local_sum 0n209, value 0n209,
# doubled 0n418, pt = &outer_call's pt (pt_address), text = g_name (g_name_address).
# Inline offsets: the poke site starts at 0x1571 (its first annotation range), the fault is at
# 0x1585: poke+0x14; crash_here+0x75 = 0x1585 - 0x1510.
dump: fixture:dumps/crash_params.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .ecxr
contains: crash_params!crash_here+0x75:

cmd: kL 2
expect:
 # Child-SP          RetAddr               Call Site
00 (Inline Function) --------`--------     crash_params!poke+0x14
01 {{exception_context_rsp:tick}} {{return_into_outer_call_address:tick}}     crash_params!crash_here+0x75
.

cmd: dv /V
expect:
00000000`0011fc90 @rsp+0x0050                where = 0x00000000`00000000
00000000`0011fc8c @rsp+0x004c                value = 0n209
00000000`0011fc88 @rsp+0x0048              doubled = 0n418
.

cmd: .frame 1
cmd: dv /i /t
expect:
prv param  int code = 0n50
prv param  char * text = 0x{{g_name_address:tick}} "hello"
prv param  struct point * pt = 0x{{pt_address:tick}}
prv param  int64 big = 0n4886718345
prv local  int local_sum = 0n209
.

# A pattern selects by name (WinDbg wildcards).
cmd: dv t*
expect:
           text = 0x{{g_name_address:tick}} "hello"
.

cmd: kpL 2
expect:
 # Child-SP          RetAddr               Call Site
00 (Inline Function) --------`--------     crash_params!poke+0x14
01 {{exception_context_rsp:tick}} {{return_into_outer_call_address:tick}}     crash_params!crash_here(int code = 0n50, char * text = 0x{{g_name_address:tick}} "hello", struct point * pt = 0x{{pt_address:tick}}, int64 big = 0n4886718345)+0x75
.

cmd: k /proven 2
contains:       code = 0n50  (memory at 00000000`0011fc84 = @rsp+0x0044)
contains:       big = 0n4886718345  (memory at 00000000`0011fc68 = @rsp+0x0028)
