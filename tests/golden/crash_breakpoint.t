# The repo's own fixture: crash_breakpoint.exe (x64) runs __debugbreak() in trigger_break().
# {{key}} values come from tests/fixtures/dumps/crash_breakpoint.expect.
dump: fixture:dumps/crash_breakpoint.dmp

cmd: .exr -1
expect:
ExceptionAddress: {{exception_address:016}} (crash_breakpoint+0x0000000000001538)
   ExceptionCode: 80000003 (Break instruction exception)
  ExceptionFlags: 00000000
NumberParameters: 1
   Parameter[0]: 0000000000000000
.

cmd: r rip, rsp
expect:
rip={{exception_context_rip:016}} rsp={{exception_context_rsp:016}}
.
