# !error VALUE [FLAGS]. The session's dump does not matter: the command only decodes numbers.
# Every expected line is a published WinDbg transcript, copied as printed:
#  - "!error 2" and "!error 2 1": the debugger reference page "!error" (its Remarks example);
#  - "!error 00000000c0000005": the Bug Check 0x1E (KMODE_EXCEPTION_NOT_HANDLED) page;
#  - "!ERROR ffffffffc000014c": the Bug Check 0x51 (REGISTRY_ERROR) page; the upper-case
#    command works, the 64-bit value is cut to 32 bits, and the message's line break shows
#    as two blanks;
#  - "!error 0xC00000FD": the "Debugging a Stack Overflow" page of the debugger docs;
#  - "!error c000009a", "!error 06ba", "!error 0000071a", "!error 5", "!error 0x80072023" and
#    "!error 0x80670015": transcripts in troubleshooting articles (see
#    src/analyze/gen/messages.tsv for each source);
#  - "(Win32) 0 (0) - The operation completed successfully.": the same formatter's output in an
#    !analyze -v transcript (EXCEPTION_CODE), zero printed as "0".
dump: fixture:dumps/crash_null_write.dmp

cmd: !error 2
expect:
Error code: (Win32) 0x2 (2) - The system cannot find the file specified.
.

cmd: !error 2 1
expect:
Error code: (NTSTATUS) 0x2 - STATUS_WAIT_2
.

cmd: !error 00000000c0000005
expect:
Error code: (NTSTATUS) 0xc0000005 (3221225477) - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.
.

cmd: !ERROR ffffffffc000014c
expect:
Error code: (NTSTATUS) 0xc000014c (3221225804) - {The Registry Is Corrupt}  The structure of one of the files that contains Registry data is corrupt, or the image of the file in memory is corrupt, or the file could not be recovered because the alternate copy or log was absent or corrupt.
.

cmd: !error 0xC00000FD
expect:
Error code: (NTSTATUS) 0xc00000fd (3221225725) - A new guard page for the stack cannot be created.
.

cmd: !error c000009a
expect:
Error code: (NTSTATUS) 0xc000009a (3221225626) - Insufficient system resources exist to complete the API.
.

cmd: !error 06ba
expect:
Error code: (Win32) 0x6ba (1722) - The RPC server is unavailable.
.

cmd: !error 0000071a
expect:
Error code: (Win32) 0x71a (1818) - The remote procedure call was cancelled.
.

cmd: !error 5
expect:
Error code: (Win32) 0x5 (5) - Access is denied.
.

cmd: !error 0x80072023
expect:
Error code: (HRESULT) 0x80072023 (2147950627) - The size limit for this request was exceeded.
.

cmd: !error 0x80670015
expect:
Error code: (HRESULT) 0x80670015 (2154233877) - The StateRepository cache is not initialized.
.

cmd: !error 0
expect:
Error code: (Win32) 0 (0) - The operation completed successfully.
.
