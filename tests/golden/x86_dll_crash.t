# x86 crash inside a DLL: x86_dll_crash.dmp (tests/fixtures/gen/x86emu/x86emu.py) holds
# x86_dll_crash.exe at 00400000 and x86_dll_crash_lib.dll at 10000000 (their ImageBase and
# SizeOfImage 5000; the emulator bound the exe's import of dll_process itself). Call chain from
# the sources dll_main.c and dll.c: start -> main -> run_job -> [IAT] dll_process -> dll_helper,
# which writes n*2 + 0x100 = 0x106 through NULL. Both built -O0 (EBP frames).
# frame{N}_* facts: the emulator's trace (entry esp E of each call; ChildEBP = E - 4, RetAddr =
# dword at E, arguments = dwords at E+4). run_job calls through the import address table:
# llvm-objdump-16 -d x86_dll_crash.exe: `401019: ff 15 94 20 40 00 calll *0x402094`, so the
# return address 40101f follows a 6-byte FF /2 call. Offsets from the PDBs' symbols
# (llvm-pdbutil-16 dump -symbols): dll_helper 10001040 (+0x1b = eip 1000105b), dll_process
# 10001000, run_job 401000, main 401040, start 401070. Lines: dll.c 13 (*p = v) and 19, dll_main.c
# 15, 22, 28.
# After .ecxr a bare k/kb first prints WinDbg's "  *** Stack trace for last set context -
# .thread/.cxr resets it" (published cdb transcripts; seed 000_7dfc802f747042f7).
dump: fixture:dumps/x86_dll_crash.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .ecxr
contains: eip={{context_eip:08}} esp={{context_esp:08}} ebp={{context_ebp:08}}
contains: x86_dll_crash_lib!dll_helper+0x1b:

cmd: kb
expect:
  *** Stack trace for last set context - .thread/.cxr resets it
 # ChildEBP RetAddr      Args to Child
00 {{frame0_childebp}} {{frame0_retaddr}}     {{frame0_args}} x86_dll_crash_lib!dll_helper+0x1b [C:\dumpdbg\tests\fixtures\gen\x86emu\dll.c @ 13]
01 {{frame1_childebp}} {{frame1_retaddr}}     {{frame1_args}} x86_dll_crash_lib!dll_process+0x21 [C:\dumpdbg\tests\fixtures\gen\x86emu\dll.c @ 19]
02 {{frame2_childebp}} {{frame2_retaddr}}     {{frame2_args}} x86_dll_crash!run_job+0x1f [C:\dumpdbg\tests\fixtures\gen\x86emu\dll_main.c @ 15]
03 {{frame3_childebp}} {{frame3_retaddr}}     {{frame3_args}} x86_dll_crash!main+0x19 [C:\dumpdbg\tests\fixtures\gen\x86emu\dll_main.c @ 22]
04 {{frame4_childebp}} {{frame4_retaddr}}     {{frame4_args}} x86_dll_crash!start+0x8 [C:\dumpdbg\tests\fixtures\gen\x86emu\dll_main.c @ 28]
.

cmd: kn 3
expect:
 # ChildEBP RetAddr
00 {{frame0_childebp}} {{frame0_retaddr}}     x86_dll_crash_lib!dll_helper+0x1b [C:\dumpdbg\tests\fixtures\gen\x86emu\dll.c @ 13]
01 {{frame1_childebp}} {{frame1_retaddr}}     x86_dll_crash_lib!dll_process+0x21 [C:\dumpdbg\tests\fixtures\gen\x86emu\dll.c @ 19]
02 {{frame2_childebp}} {{frame2_retaddr}}     x86_dll_crash!run_job+0x1f [C:\dumpdbg\tests\fixtures\gen\x86emu\dll_main.c @ 15]
.

# dll_process's frame: eip = dll_helper's return address; esp just above it.
cmd: .frame /r 1
contains: eip={{frame0_retaddr}} esp=0018ffc0 ebp={{frame1_childebp}}

# dll_helper's locals (dll.c): p = NULL, n = 3*2 = 0n6, v = 6 + 0x100 = 0n262.
cmd: .frame 0
cmd: dv
expect:
              p = 0x00000000
              n = 0n6
              v = 0n262
.

# Both modules, matched to their PDBs through the CodeView records copied from the images.
cmd: lm
contains: 00400000 00405000   x86_dll_crash 
contains: 10000000 10005000   x86_dll_crash_lib 
contains: (private pdb symbols)

cmd: !analyze -v
contains: FAILURE_BUCKET_ID:  NULL_POINTER_WRITE_c0000005_x86_dll_crash_lib.dll!dll_helper
contains: MODULE_NAME: x86_dll_crash_lib
contains: IMAGE_NAME:  x86_dll_crash_lib.dll
contains: SYMBOL_NAME:  x86_dll_crash_lib!dll_helper+1b
contains: ExceptionAddress: {{context_eip:08}} (x86_dll_crash_lib!dll_helper+0x0000001b)
