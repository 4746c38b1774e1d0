# x86 stack of x86_chain_O2.dmp (tests/fixtures/gen/x86emu/x86emu.py): chain.c built -O2
# -fomit-frame-pointer, so no function keeps an EBP frame and ebp stays 0 (the emulator starts
# the thread with ebp 0; llvm-objdump-16 -d shows no instruction writing ebp). The walk needs
# the PDB's FrameData (llvm-pdbutil-16 dump --fpo): c 1000 [code 21, params 8, no locals, no
# saved regs] "$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + =", b 1024 [locals 12, saved 4]
# "... $esi $T0 4 - ^ =", a 1061 [saved 4] "... $esi $T0 4 - ^ =", main 1080, start 10a0.
# Return addresses = the instruction after each call (llvm-objdump-16: 40103b call c -> 401040,
# 40106d call b -> 401072, 401088 call a -> 40108d, 4010a0 call main -> 4010a5), and the
# frame{N}_retaddr facts (the dword at each function's entry esp in the emulator) agree.
# Offsets: c+0x11 = eip 401011 - 401000, b+0x20, a+0x12, main+0xd, start+0x5.
# kv: (FPO: [params/4, locals/4, saved regs/4]) of the record covering each address: c [2,0,0],
# b [2,3,1], a [2,0,1], main [0,0,0] (1080: no params), start [0,0,0].
# Registers per frame (.frame /r): esi is saved by b and a (push esi) and holds their v
# argument: in b's frame (eip 401040) esi = b's v = 0xf (the context's esi: c does not touch
# it); in a's frame (eip 401072) esi = a's v = 5, read from b's save slot; in main's frame esi =
# 0 (a's save slot; the thread started with esi 0). ebx and edi are never written: 0 in every
# frame. The frames' esp = the callee's entry esp + 4 (emulator: c entered at 0018ffc0, b at
# 0018ffdc, a at 0018ffec).
# ChildEBP: WinDbg prints an FPO frame's virtual frame pointer (the return address's slot - 4,
# the emulator's frame{N}_childebp) and reads kb's "Args to Child" above it (frame{N}_args).
dump: fixture:dumps/x86_chain_O2.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .ecxr
contains: eip={{context_eip:08}} esp={{context_esp:08}} ebp=00000000
contains: x86_chain_O2!c+0x11:

cmd: k
contains:  {{frame0_retaddr}}     x86_chain_O2!c+0x11 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 16]
contains:  {{frame1_retaddr}}     x86_chain_O2!b+0x20 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 25]
contains:  {{frame2_retaddr}}     x86_chain_O2!a+0x12 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 32]
contains:  {{frame3_retaddr}}     x86_chain_O2!main+0xd [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 39]
contains:  {{frame4_retaddr}}     x86_chain_O2!start+0x5 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 45]
lacks: 05 00
lacks: (the walk stopped

cmd: kb
contains: 00 {{frame0_childebp}} {{frame0_retaddr}}     {{frame0_args}} x86_chain_O2!c+0x11
contains: 01 {{frame1_childebp}} {{frame1_retaddr}}     {{frame1_args}} x86_chain_O2!b+0x20
contains: 02 {{frame2_childebp}} {{frame2_retaddr}}     {{frame2_args}} x86_chain_O2!a+0x12
contains: 03 {{frame3_childebp}} {{frame3_retaddr}}     {{frame3_args}} x86_chain_O2!main+0xd
contains: 04 {{frame4_childebp}} {{frame4_retaddr}}     {{frame4_args}} x86_chain_O2!start+0x5

cmd: kn
contains: 00 
contains: 04 
lacks: 05 00

cmd: kv
contains: x86_chain_O2!c+0x11 (FPO: [2,0,0])
contains: x86_chain_O2!b+0x20 (FPO: [2,3,1])
contains: x86_chain_O2!a+0x12 (FPO: [2,0,1])
contains: x86_chain_O2!main+0xd (FPO: [0,0,0])
contains: x86_chain_O2!start+0x5 (FPO: [0,0,0])

cmd: .frame /r 1
contains: x86_chain_O2!b+0x20 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 25]
contains: ebx=00000000 
contains: esi=0000000f edi=00000000
contains: eip={{frame0_retaddr}} esp=0018ffc4 ebp=00000000

cmd: .frame /r 2
contains: x86_chain_O2!a+0x12 [C:\dumpdbg\tests\fixtures\gen\x86emu\chain.c @ 32]
contains: ebx=00000000 
contains: esi=00000005 edi=00000000
contains: eip={{frame1_retaddr}} esp=0018ffe0 ebp=00000000

cmd: .frame /r 3
contains: esi=00000000 edi=00000000
contains: eip={{frame2_retaddr}} esp=0018fff0 ebp=00000000

cmd: !analyze -v
contains: FAILURE_BUCKET_ID:  NULL_POINTER_WRITE_c0000005_x86_chain_O2.exe!c
contains: SYMBOL_NAME:  x86_chain_O2!c+11

# kd without a count shows the default stack length, 0n256 pointer-sized words from esp (the
# debugger docs' .kframes page: "the number of DWORD_PTRs that the kd command displays"):
# 0018ffc0 .. 0018ffc0 + 0xff*4 = 001903bc; the words above the emulated stack are not in the dump.
cmd: kd
contains: 0018ffc0  {{frame0_retaddr}}
contains: 001903bc  ????????
lacks: 001903c0

# After .ecxr, WinDbg reminds of the set context only for a bare k (no count, no "= ...").
cmd: k
contains:   *** Stack trace for last set context - .thread/.cxr resets it
cmd: k 2
lacks: Stack trace for last set context
