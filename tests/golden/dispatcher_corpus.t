# Walking a Windows thread's own stack through KiUserExceptionDispatcher without unwind data
# for ntdll (src/unwind/x64/x64_dispatcher.c): electron-node-minidump/windows.dmp (corpus
# MANIFEST: Breakpad-written, AMD64 Windows 10 14393, write AV at 0 with rip 0x7ff7215f8da4).
# Breakpad writes the dump from its handler thread while the crashing thread waits inside its
# exception filter, so thread 0's own context is in ntdll (a wait), not at the fault. The dump
# holds no ntdll image or unwind tables, so the stack above is scanned; the scan finds the
# CONTEXT that Windows placed at KiUserExceptionDispatcher's rsp (EXCEPTION_RECORD at +0x4f0,
# ExceptionAddress = the CONTEXT's rip) and goes on from the fault with all its registers.
# Independent values: rip 0x7ff7215f8da4 (MANIFEST), the exception context's rsp 0x6399daca18
# (tests/fixtures/gen/mdmp_facts.py list: exception_context_rsp), electron.exe's base
# 0x7ff721510000 (so the fault is electron+0xe8da4; lm).
dump: corpus:user/electron-node-minidump/windows.dmp

cmd: lm m electron
contains: 00007ff7`21510000

cmd: ~0k
contains: 00000063`99daca18 
contains:      electron+0xe8da4

# The frame at the fault has the exception's registers, volatile ones included.
cmd: .frame /r 1
contains: rip=00007ff7215f8da4 rsp=0000006399daca18
lacks: ????????????????
