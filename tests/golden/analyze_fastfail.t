# !analyze on Breakpad's tiny-exe-fastfail.dmp: STATUS_STACK_BUFFER_OVERRUN (c0000409) with
# ExceptionInformation[0] = 7, FAST_FAIL_FATAL_APP_EXIT (MANIFEST: upstream expects crash_reason
# "FAST_FAIL_FATAL_APP_EXIT"; winnt.h FAST_FAIL_FATAL_APP_EXIT = 7).
# - WinDbg's bucket for this fast fail is FAIL_FAST_FATAL_APP_EXIT_c0000409_<image>!Unknown
#   without symbols, and its KEY_VALUES_STRING carries FailFast.Name FATAL_APP_EXIT and
#   FailFast.Type 7 (dotnet/runtime#73183's transcript of a C++ app's unhandled exception).
# - FAILURE_ID_HASH with Python's hashlib -> 3f7a0db6-c19d-2f83-e8e8-fc0012303d0b.
# - abort() stops the program on purpose: dumpdbg rates it none.
dump: corpus:user/google-breakpad/tiny-exe-fastfail.dmp

cmd: !analyze -v
contains:     Key  : FailFast.Name
contains:     Value: FATAL_APP_EXIT
contains:     Key  : FailFast.Type
contains:     Value: 7
contains:    ExceptionCode: c0000409 (Security check failure or stack buffer overrun)
contains: Subcode: 0x7 FAST_FAIL_FATAL_APP_EXIT
contains: EXCEPTION_PARAMETER1:  0000000000000007
contains: FAILURE_BUCKET_ID:  FAIL_FAST_FATAL_APP_EXIT_c0000409_tiny.exe!Unknown
contains: FAILURE_ID_HASH:  {3f7a0db6-c19d-2f83-e8e8-fc0012303d0b}
contains: OSNAME:  Windows 10
contains: DUMPDBG_EXPLOITABILITY:  none
