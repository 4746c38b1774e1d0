# !analyze on Breakpad's minidump2.dmp (x86 XP SP2, test_app.exe writes to address 0x45) with
# the Breakpad symbols shipped next to it. Independent sources:
# - goldens/minidump2.stackwalk.out (Breakpad minidump_stackwalk): crash reason
#   EXCEPTION_ACCESS_VIOLATION_WRITE, crash address 0x45, frame 0
#   test_app.exe!`anonymous namespace'::CrashFunction [test_app.cc : 58], eip 0x0040429e,
#   esp 0x0012fe84, ebp 0x0012fe88; minidump2.dump.out: ExceptionInformation {1, 0x45}.
# - WinDbg's classes: a write to a small non-zero address is NULL_CLASS_PTR_WRITE (the cirunner
#   transcript writes to 00000f9c: "NULL_CLASS_PTR_WRITE_c0000005_...!capacity_test").
# - FAILURE_ID_HASH: MD5 of UTF-16LE lowercase "um:" + bucket with Python's hashlib ->
#   a0b3d61f-3ee0-8fc8-5ce6-933f2cd44eec. "`anonymous namespace'" keeps its backtick and quote;
#   the blank becomes "_" (dumpdbg keeps buckets one word).
# - Exploitability: Breakpad weighs a write near NULL +20, under its lowest cutoff: none.
dump: corpus:user/google-breakpad/minidump2.dmp
args: -y {{corpus}}/user/google-breakpad/symbols

cmd: !analyze -v
contains:     Key  : AV.Fault
contains:     Value: Write
contains:     Key  : Failure.Exception.IP.Address
contains:     Value: 0x40429e
contains: eip=0040429e esp=0012fe84 ebp=0012fe88
contains: ExceptionAddress: 0040429e (test_app!`anonymous namespace'::CrashFunction+0x0000000e)
contains:    Parameter[1]: 00000045
contains: Attempt to write to address 00000045
contains: PROCESS_NAME:  test_app.exe
contains: WRITE_ADDRESS:  00000045
contains: EXCEPTION_PARAMETER1:  00000001
contains: EXCEPTION_PARAMETER2:  00000045
# STACK_TEXT: ChildEBP = each frame's ebp and RetAddr = the caller's eip in Breakpad's golden
# (ebp 0012fe88 / 0012ff70 / 0012ffc0 / 0012fff0; eip 00404200, 004053ec, 7c816fd7);
# offsets from rust-minidump's snapshot (function_offset of return address - 1, plus 1):
# main+0x50 at line 65, __tmainCRTStartup+0x15f at crt0.c 327, kernel32!BaseProcessStart+0x23.
contains: 0012fe88 00404200 
contains:  test_app!`anonymous namespace'::CrashFunction+0xe [c:\test_app.cc @ 58]
contains: 0012ff70 004053ec 
contains:  test_app!main+0x50 [c:\test_app.cc @ 65]
contains: 0012ffc0 7c816fd7 
contains:  test_app!__tmainCRTStartup+0x15f [f:\sp\vctools\crt_bld\self_x86\crt\src\crt0.c @ 327]
contains: 0012fff0 00000000 
contains:  kernel32!BaseProcessStart+0x23
contains: FAULTING_SOURCE_FILE:  c:\test_app.cc
contains: FAULTING_SOURCE_LINE_NUMBER:  58
contains: SYMBOL_NAME:  test_app!`anonymous namespace'::CrashFunction+e
contains: MODULE_NAME: test_app
contains: IMAGE_NAME:  test_app.exe
contains: FAILURE_BUCKET_ID:  NULL_CLASS_PTR_WRITE_c0000005_test_app.exe!`anonymous_namespace'::CrashFunction
contains: OSPLATFORM_TYPE:  x86
contains: OSNAME:  Windows XP
contains: FAILURE_ID_HASH:  {a0b3d61f-3ee0-8fc8-5ce6-933f2cd44eec}
contains: DUMPDBG_EXPLOITABILITY:  none - write near NULL (+20)
