# Walking a thread's own stack through KiUserExceptionDispatcher (src/unwind/x64/
# x64_dispatcher.c) on the repo's full-memory fixture: crash_full_memory.exe's read_record
# faults (tests/fixtures/gen/crash_full_memory.c), its unhandled-exception filter starts
# fixture_dumper.exe and waits, so the thread's own context (not .ecxr) is in the filter's wait,
# below Wine's exception dispatch. Wine 8's ntdll enters KiUserExceptionDispatcher with the
# fault's CONTEXT at rsp (llvm-objdump-16 -d of Wine's x86_64-windows/ntdll.dll:
# `mov rdx,rsp; lea rcx,[rsp+0x4f0]; call dispatch_exception`), as Windows does; its unwind
# data (llvm-readobj-16 --unwind: SET_FPREG rbp + three pushes) only restores rip, rsp, rbp, rsi
# and rdi. The frame after the dispatcher must carry every register of that CONTEXT.
# {{key}} values: crash_full_memory.expect. Independent facts:
# - the faulting instruction `mov eax,[rax+0x10]` (llvm-objdump-16: 8b 40 10 at 0x14000112c)
#   read address 0x10 (the exception's data address), so rax = 0 in the CONTEXT;
# - read_record+0x4c = exception_context_rip - fn_read_record_address (0x14000112c -
#   0x1400010e0); sum_records+0x24 = return_into_sum_records - fn_sum_records (0x140001334 -
#   0x140001310); lines 119 and 125 (llvm-pdbutil-16 dump -l, see crash_full_memory.t).
dump: fixture-xz:dumps/crash_full_memory.dmp.xz
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: ~0k
contains: crash_full_memory!hand_off_filter+
contains: ntdll!KiUserExceptionDispatcher+
contains: {{exception_context_rsp:tick}} {{return_into_sum_records_address:tick}}     crash_full_memory!read_record+0x4c [C:\dumpdbg\tests\fixtures\gen\crash_full_memory.c @ 119]
contains: {{return_into_main_address:tick}}     crash_full_memory!sum_records+0x24 [C:\dumpdbg\tests\fixtures\gen\crash_full_memory.c @ 125]
contains: crash_full_memory!main+

# Frame 0a is read_record (the frame after the dispatcher, 09): all registers from the CONTEXT,
# volatile ones included, and the exact faulting rip (not a return address).
cmd: .frame /r a
contains: 0a {{exception_context_rsp:tick}} {{return_into_sum_records_address:tick}}     crash_full_memory!read_record+0x4c
contains: rax=0000000000000000 rbx=
contains: rip={{exception_context_rip:016}} rsp={{exception_context_rsp:016}}
contains: efl=000
lacks: ????????????????

# The dispatcher frame itself is an ordinary frame: its caller's volatile registers unknown.
cmd: .frame /r 9
contains: ntdll!KiUserExceptionDispatcher+
contains: rax=????????????????
