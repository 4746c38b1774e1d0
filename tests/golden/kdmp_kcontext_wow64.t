# A WoW64 process on a generated x64 full kernel dump (tests/fixtures/dumps/kernel/x64_wow64.txt,
# made by mkkdmp.py and mkkdmp_kobj.py): every expected value comes from that description.
# wow.exe's EPROCESS is at ffffa000`00002000; its EPROCESS.WoW64Process names an EWOW64PROCESS
# whose Peb is the 32-bit PEB at 7efde000; its page tables start at PFN 0x40 (DirBase 00040000).
dump: fixture-xz:dumps/kernel/x64_wow64.dmp.xz

# !process flag 1: ProcessQuotaUsage [PsPagedPool] 209264 and [PsNonPagedPool] 11168 after
# the times, MemoryPriority 2 (not MEMORY_PRIORITY_BACKGROUND) after PageFaultCount, as in the
# debugger documentation's !process examples; the other statistics are the description's
# zeroed EPROCESS fields and basepri=8.
cmd: !process ffffa00000002000 1
expect:
PROCESS ffffa00000002000
    SessionId: none  Cid: 01a0    Peb: a000001000  ParentCid: 0004
    DirBase: 00040000  ObjectTable: 0000000000000000  HandleCount: <Data Not Accessible>
    Image: wow.exe
    VadRoot 0000000000000000 Vads 0 Clone 0 Private 0. Modified 0. Locked 0.
    DeviceMap 0000000000000000
    Token                             0000000000000000
    QuotaPoolUsage[PagedPool]         209264
    QuotaPoolUsage[NonPagedPool]      11168
    Working Set Sizes (now,min,max)  (0, 0, 0) (0KB, 0KB, 0KB)
    PeakWorkingSetSize                0
    VirtualSize                       0 Mb
    PeakVirtualSize                   0 Mb
    PageFaultCount                    0
    MemoryPriority                    FOREGROUND
    BasePriority                      8
    CommitCharge                      0
.

# System's EPROCESS is all zeros past what the description names: quota 0, priority 0
# (MEMORY_PRIORITY_BACKGROUND).
cmd: !process ffffa00000001000 1
contains:     QuotaPoolUsage[PagedPool]         0
contains:     QuotaPoolUsage[NonPagedPool]      0
contains:     MemoryPriority                    BACKGROUND

# /r reads both loader lists: three 64-bit entries, then (the debugger engine's words for the
# WoW64 list) two 32-bit ones: wow.exe is in both lists at 00400000 and is listed once.
cmd: .process /p /r ffffa00000002000
expect:
Implicit process is now ffffa000`00002000
.cache forcedecodeuser done
Loading User Symbols
...
Loading Wow64 Symbols
..
.

# lm u: the 64-bit modules and the 32-bit kernel32 and ntdll; the 32-bit ntdll's name is taken
# by the 64-bit one, so it gets "_" and its base after it: ntdll_77d30000 (as kd names it).
cmd: lm u
contains: 00000000`00400000 00000000`00405000   wow        (deferred)
contains: 00000000`76c10000 00000000`76d20000   kernel32   (deferred)
contains: 00000000`77d30000 00000000`77eb0000   ntdll_77d30000   (deferred)
contains: 00007ffa`00000000 00007ffa`00002000   ntdll      (deferred)
contains: 00007ffa`10000000 00007ffa`10001000   wow64      (deferred)

# The 32-bit module paths come from the LDR_DATA_TABLE_ENTRY32 FullDllName strings.
cmd: lmv m kernel32
contains:     Image path: C:\Windows\SysWOW64\kernel32.dll

cmd: lmv m ntdll_77d30000
contains:     Image path: C:\Windows\SysWOW64\ntdll.dll

# Back to the default process: System (processor 0 runs its thread 1).
cmd: .process 0
expect:
Implicit process is now ffffa000`00001000
.
