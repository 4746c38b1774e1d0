# kv on the x86 minidump2.dmp with Breakpad symbols: every frame's STACK WIN record (type 4,
# FrameData) in test_app.sym and kernel32.sym has a program that starts "$T0 $ebp =", an EBP
# frame: WinDbg's "(FPO: [Non-Fpo])". The records (found by rva = eip - module base):
# CrashFunction 4290, main 41b0, __tmainCRTStartup 528d, BaseProcessStart 16fb4. A Breakpad file
# has no calling conventions, so no "(CONV: ...)". dv needs private symbols: WinDbg's message.
dump: corpus:user/google-breakpad/minidump2.dmp
args: -y {{corpus}}/user/google-breakpad/symbols

cmd: .ecxr
cmd: kv
contains: test_app!`anonymous namespace'::CrashFunction+0xe (FPO: [Non-Fpo]) [c:\test_app.cc @ 58]
contains: test_app!main+0x50 (FPO: [Non-Fpo]) [c:\test_app.cc @ 65]
contains: test_app!__tmainCRTStartup+0x15f (FPO: [Non-Fpo]) [f:\sp\vctools\crt_bld\self_x86\crt\src\crt0.c @ 327]
contains: kernel32!BaseProcessStart+0x23 (FPO: [Non-Fpo])
contains:  # ChildEBP RetAddr      Args to Child

cmd: dv
expect:
Unable to enumerate locals, HRESULT 0x80004005
Private symbols (symbols.pri) are required for locals.
Type ".hh dbgerr005" for details.
.
