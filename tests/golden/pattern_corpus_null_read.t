# NULL Data Pointer on Breakpad's null_read_av.dmp (corpus/user/MANIFEST.md: read AV at
# address 0, eip 0x0090a6cd). The code bytes before the fault, b8 00 00 00 00 8b 00, are
# `mov eax,0` and `mov eax,dword ptr [eax]` (Intel SDM: B8+rd id, 8B /r); crashme has no
# symbols, so the window is the one `ub` finds.
dump: corpus:user/google-breakpad/null_read_av.dmp

cmd: !analyze -v
contains:     NULL Data Pointer: read from 00000000 (a NULL pointer) at crashme+0xa6cd
contains:         eax = 00000000 at the fault; the code before it (ub):
contains:           0090a6c8 b800000000      mov     eax,0
contains:           0090a6cd 8b00            mov     eax,dword ptr [eax]
contains:           => the constant 00000000
# Breakpad wrote the dump from its handler: the faulting thread's own stack (thread 0, tid
# 0x4a8: the exception stream's ThreadId, faulting_tid 1192 in mdmp_facts.py's listing) is
# deeper than the fault.
contains:     Exception Stack Trace: ~0s (tid 4a8)'s own stack shows the exception being processed
lacks: Invalid Pointer
