# !analyze on the repo's fixture crash_breakpoint.dmp: trigger_break() executes int3
# (tests/fixtures/gen/crash_breakpoint.c: exception_code 80000003, fault_function
# trigger_break, call chain trigger_break recurse recurse recurse main).
# - The class is WinDbg's BREAKPOINT ("FAILURE_BUCKET_ID:  BREAKPOINT_80000003_win32u.dll!
#   NtUserWaitMessage" in published transcripts), blamed on trigger_break at offset
#   breakpoint_instruction_address - fn_trigger_break_address = 0x140001538 - 0x140001510 = 0x28.
# - Return addresses in STACK_TEXT are what the program printed (return_into_*).
# - FAILURE_ID_HASH: MD5 of UTF-16LE lowercase "um:BREAKPOINT_80000003_crash_breakpoint.exe!
#   trigger_break", computed with Python's hashlib -> ff4978ba-c41b-58a4-33c5-4d6f3beb9766.
dump: fixture:dumps/crash_breakpoint.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !analyze -v
contains: Key  : Failure.Bucket
contains: Value: BREAKPOINT_80000003_crash_breakpoint.exe!trigger_break
contains: Key  : Failure.ProblemClass.Primary
contains: Value: BREAKPOINT
contains: ExceptionAddress: {{breakpoint_instruction_address:016}} (crash_breakpoint!trigger_break+0x0000000000000028)
contains:    ExceptionCode: 80000003 (Break instruction exception)
contains: PROCESS_NAME:  {{module}}
contains: EXCEPTION_CODE_STR:  {{exception_code}}
contains: : crash_breakpoint!trigger_break+0x28 [
contains: {{return_into_recurse_0_address:tick}}     :
contains: {{return_into_main_address:tick}}     :
contains: SYMBOL_NAME:  crash_breakpoint!{{fault_function}}+28
contains: IMAGE_NAME:  {{module}}
contains: FAILURE_BUCKET_ID:  BREAKPOINT_80000003_{{module}}!{{fault_function}}
contains: FAILURE_ID_HASH:  {ff4978ba-c41b-58a4-33c5-4d6f3beb9766}
contains: DUMPDBG_EXPLOITABILITY:  none
# No access violation: no READ_ADDRESS/WRITE_ADDRESS and no AV keys.
lacks: READ_ADDRESS
lacks: WRITE_ADDRESS
lacks: AV.Fault

cmd: !analyze
contains: Probably caused by : {{module}} ( crash_breakpoint!{{fault_function}}+28 )
