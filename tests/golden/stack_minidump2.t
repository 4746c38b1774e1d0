# x86 stack of Breakpad's minidump2.dmp with Breakpad's own symbols (STACK WIN records): every
# frame's eip, ebp and source position as Breakpad's minidump_stackwalk printed them
# (corpus google-breakpad/goldens/minidump2.stackwalk.out): CrashFunction [test_app.cc : 58],
# main [test_app.cc : 65], __tmainCRTStartup [crt0.c : 327], kernel32!BaseProcessStart + 0x23;
# ebp 0012fe88, 0012ff70, 0012ffc0, 0012fff0; return addresses = the next frame's eip.
# After .ecxr a bare k/kb first prints WinDbg's "  *** Stack trace for last set context -
# .thread/.cxr resets it" (published cdb transcripts; seed 000_7dfc802f747042f7).
dump: corpus:user/google-breakpad/minidump2.dmp
args: -y {{corpus}}/user/google-breakpad/symbols

cmd: .ecxr
contains: test_app!`anonymous namespace'::CrashFunction+0xe:

cmd: k
expect:
  *** Stack trace for last set context - .thread/.cxr resets it
 # ChildEBP RetAddr
00 0012fe88 00404200     test_app!`anonymous namespace'::CrashFunction+0xe [c:\test_app.cc @ 58]
01 0012ff70 004053ec     test_app!main+0x50 [c:\test_app.cc @ 65]
02 0012ffc0 7c816fd7     test_app!__tmainCRTStartup+0x15f [f:\sp\vctools\crt_bld\self_x86\crt\src\crt0.c @ 327]
03 0012fff0 00000000     kernel32!BaseProcessStart+0x23
.
