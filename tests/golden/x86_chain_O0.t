# x86 (32-bit) stack of x86_chain_O0.dmp, written by tests/fixtures/gen/x86emu/x86emu.py: chain.c
# built -O0 (EBP frames) and run in the Unicorn emulator until c() writes through NULL. The call
# chain is the source's: start -> main -> a -> b -> c. Every frame{N}_* fact in
# x86_chain_O0.expect comes from the emulator's trace: frame N was entered with esp = E, its
# return address is the dword at E (llvm-objdump-16 -d: the instruction after each call, e.g.
# 401060 after `call 0x401000` in b), ChildEBP = E - 4 (here the pushed ebp: `push ebp; mov
# ebp,esp`), kb's arguments are the dwords at E+4. Offsets: eip or return address minus the
# function's address in the PDB (llvm-pdbutil-16 dump -symbols: c 401000, b 401030, a 401080,
# main 4010c0, start 4010f0): c+0x17, b+0x30, a+0x1f, main+0x22, start+0x8. Source lines: the
# PDB's line table, = the lines of chain.c holding the fault and each call (16, 25, 32, 39, 45).
# Locals: S_DEFRANGE_FRAMEPOINTER_REL offsets of c: p +8, v +0xc, w -4 from ebp (0018ffa8);
# values from the source: v = 5*3+2 = 0n17, w = 17*7 = 0n119, p = NULL.
# After .ecxr a bare k/kb first prints WinDbg's "  *** Stack trace for last set context -
# .thread/.cxr resets it" (published cdb transcripts; seed 000_7dfc802f747042f7).
dump: fixture:dumps/x86_chain_O0.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .ecxr
contains: eip={{context_eip:08}} esp={{context_esp:08}} ebp={{context_ebp:08}}
contains: x86_chain_O0!c+0x17:

cmd: k
expect:
  *** Stack trace for last set context - .thread/.cxr resets it
 # ChildEBP RetAddr
00 {{frame0_childebp}} {{frame0_retaddr}}     x86_chain_O0!c+0x17 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 16]
01 {{frame1_childebp}} {{frame1_retaddr}}     x86_chain_O0!b+0x30 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 25]
02 {{frame2_childebp}} {{frame2_retaddr}}     x86_chain_O0!a+0x1f [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 32]
03 {{frame3_childebp}} {{frame3_retaddr}}     x86_chain_O0!main+0x22 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 39]
04 {{frame4_childebp}} {{frame4_retaddr}}     x86_chain_O0!start+0x8 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 45]
.

# Arguments: start's are above the stack top (not in the dump), main's third word too.
cmd: kb
expect:
  *** Stack trace for last set context - .thread/.cxr resets it
 # ChildEBP RetAddr      Args to Child
00 {{frame0_childebp}} {{frame0_retaddr}}     {{frame0_args}} x86_chain_O0!c+0x17 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 16]
01 {{frame1_childebp}} {{frame1_retaddr}}     {{frame1_args}} x86_chain_O0!b+0x30 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 25]
02 {{frame2_childebp}} {{frame2_retaddr}}     {{frame2_args}} x86_chain_O0!a+0x1f [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 32]
03 {{frame3_childebp}} {{frame3_retaddr}}     {{frame3_args}} x86_chain_O0!main+0x22 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 39]
04 {{frame4_childebp}} {{frame4_retaddr}}     {{frame4_args}} x86_chain_O0!start+0x8 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 45]
.

cmd: kn 2
expect:
 # ChildEBP RetAddr
00 {{frame0_childebp}} {{frame0_retaddr}}     x86_chain_O0!c+0x17 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 16]
01 {{frame1_childebp}} {{frame1_retaddr}}     x86_chain_O0!b+0x30 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 25]
.

cmd: kv 1
contains: x86_chain_O0!c+0x17 (FPO:

# b's frame: eip = c's return address, esp = just above it (c entered at 0018ffac: 0018ffb0),
# ebp = b's own frame pointer (its ChildEBP). No volatile register is known there.
cmd: .frame /r 1
contains: 01 {{frame1_childebp}} {{frame1_retaddr}}     x86_chain_O0!b+0x30 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 25]
contains: eax=???????? 
contains: ecx=???????? edx=????????
contains: eip={{frame0_retaddr}} esp=0018ffb0 ebp={{frame1_childebp}}

cmd: .frame 0
cmd: dv /V
expect:
0018ffb0 @ebp+0x0008                    p = 0x00000000
0018ffb4 @ebp+0x000c                    v = 0n17
0018ffa4 @ebp-0x0004                    w = 0n119
.

cmd: dv /i /t
expect:
prv param  int * p = 0x00000000
prv param  int v = 0n17
prv local  int w = 0n119
.

# b: v = 5*3 = 0n15 (a passes v * 3), p = NULL.
cmd: .frame 1
cmd: dv p
expect:
              p = 0x00000000
.
cmd: dv v
expect:
              v = 0n15
.

cmd: lm
contains: 00400000 00405000   x86_chain_O0

# A write (Parameter[0] 1) to address 0 in c: NULL_POINTER_WRITE, blamed on c.
cmd: !analyze -v
contains:     Value: NULL_POINTER_WRITE_c0000005_x86_chain_O0.exe!c
contains:     Value: 0x{{context_eip}}
contains: ExceptionAddress: {{context_eip:08}} (x86_chain_O0!c+0x00000017)
contains:    Parameter[0]: 00000001
contains: Attempt to write to address 00000000
contains: {{frame0_childebp}} {{frame0_retaddr}} {{frame0_args}} x86_chain_O0!c+0x17
contains: {{frame4_childebp}} {{frame4_retaddr}} {{frame4_args}} x86_chain_O0!start+0x8
contains: FAULTING_SOURCE_LINE_NUMBER:  16
