# !address and !vprot on Breakpad's tiny-exe-with-cet-xsave.dmp: x64, Windows 11 22000, one
# thread (3c54.5bc), 25 modules and a MemoryInfoList of 557 regions.
# Every expected line was computed by tests/golden/mdmp_regions.py from the dump's raw
# MINIDUMP_MEMORY_INFO, thread, module, misc-info and memory streams, e.g.
#   python3 tests/golden/mdmp_regions.py DUMP vprot cbc82f6010
# (not by dumpdbg); the layouts are those of the WinDbg transcripts cited in
# src/ext/ext_memory.c. The script checks the whole table and summary the same way.
dump: corpus:user/google-breakpad/tiny-exe-with-cet-xsave.dmp

# The guard page of thread 0's stack: VirtualQuery's view from the address's page.
cmd: !vprot cbc82f6010
expect:
BaseAddress:       000000cbc82f6000
AllocationBase:    000000cbc8200000
AllocationProtect: 00000004  PAGE_READWRITE
RegionSize:        0000000000002000
State:             00001000  MEM_COMMIT
Protect:           00000104  PAGE_READWRITE | PAGE_GUARD
Type:              00020000  MEM_PRIVATE
.

# A reserved region: no Protect line (BugId's parser notes lines with a 0 value are left out).
cmd: !vprot cbc8000000
expect:
BaseAddress:       000000cbc8000000
AllocationBase:    000000cbc8000000
AllocationProtect: 00000004  PAGE_READWRITE
RegionSize:        00000000000b8000
State:             00002000  MEM_RESERVE
Type:              00020000  MEM_PRIVATE
.

# Free memory at 0: no AllocationProtect and no Type.
cmd: !vprot 1000
expect:
BaseAddress:       0000000000001000
AllocationBase:    0000000000000000
RegionSize:        000000007ffdf000
State:             00010000  MEM_FREE
Protect:           00000001  PAGE_NOACCESS
.

# The stack page holding rsp (000000cb`c82ff448): captured in the dump, so content source 1.
cmd: !address cbc82fe000
expect:

Usage:                  Stack
Base Address:           000000cb`c82f8000
End Address:            000000cb`c8300000
Region Size:            00000000`00008000 (  32.000 kB)
State:                  00001000          MEM_COMMIT
Protect:                00000004          PAGE_READWRITE
Type:                   00020000          MEM_PRIVATE
Allocation Base:        000000cb`c8200000
Allocation Protect:     00000004          PAGE_READWRITE
More info:              ~0k


Content source: 1 (target), length: 2000
.

# The TEB: its two pages are a row of their own inside the region VirtualQuery reports for
# the PEB page and the TEB together (cb`c80b8000, 0x3000 bytes).
cmd: !address cbc80b9100
expect:

Usage:                  TEB
Base Address:           000000cb`c80b9000
End Address:            000000cb`c80bb000
Region Size:            00000000`00002000 (   8.000 kB)
State:                  00001000          MEM_COMMIT
Protect:                00000004          PAGE_READWRITE
Type:                   00020000          MEM_PRIVATE
Allocation Base:        000000cb`c8000000
Allocation Protect:     00000004          PAGE_READWRITE


Content source: 1 (target), length: 1f00
.

# Code of tiny.exe: the module lines; the code is not in the dump (content source 0).
# (Line by line: "Mapped Image Name:" ends in blanks, which editors trim from this file.)
cmd: !address 7ff778bd1000
contains: Usage:                  Image
contains: Base Address:           00007ff7`78bd1000
contains: End Address:            00007ff7`78c81000
contains: Region Size:            00000000`000b0000 ( 704.000 kB)
contains: State:                  00001000          MEM_COMMIT
contains: Protect:                00000020          PAGE_EXECUTE_READ
contains: Type:                   01000000          MEM_IMAGE
contains: Allocation Base:        00007ff7`78bd0000
contains: Allocation Protect:     00000080          PAGE_EXECUTE_WRITECOPY
contains: Image Path:             C:\src\crashpad\tiny.exe
contains: Module Name:            tiny
contains: Loaded Image Name:      tiny.exe
contains: Mapped Image Name:
contains: More info:              lmv m tiny
contains: More info:              !lmi tiny
contains: More info:              ln 0x7ff778bd1000
contains: More info:              !dh 0x7ff778bd0000
contains: Content source: 0 (invalid), length: b0000

cmd: !address -summary
expect:

--- Usage Summary ---------------- RgnCount ----------- Total Size -------- %ofBusy %ofTotal
Free                                    127     7dfa`f9fb3000 ( 125.980 TB)           98.42%
<unknown>                               275      205`04103000 (   2.020 TB) 100.00%    1.58%
Image                                   151        0`01e37000 (  30.215 MB)   0.00%    0.00%
Stack                                     3        0`00100000 (   1.000 MB)   0.00%    0.00%
TEB                                       1        0`00002000 (   8.000 kB)   0.00%    0.00%
PEB                                       1        0`00001000 (   4.000 kB)   0.00%    0.00%

--- Type Summary (for busy) ------ RgnCount ----------- Total Size -------- %ofBusy %ofTotal
MEM_MAPPED                               62      200`01ad5000 (   2.000 TB)  99.03%    1.56%
MEM_PRIVATE                             218        5`02731000 (  20.038 GB)   0.97%    0.02%
MEM_IMAGE                               151        0`01e37000 (  30.215 MB)   0.00%    0.00%

--- State Summary ---------------- RgnCount ----------- Total Size -------- %ofBusy %ofTotal
MEM_FREE                                127     7dfa`f9fb3000 ( 125.980 TB)           98.42%
MEM_RESERVE                              67      205`00e86000 (   2.020 TB) 100.00%    1.58%
MEM_COMMIT                              364        0`051b7000 (  81.715 MB)   0.00%    0.00%

--- Protect Summary (for commit) - RgnCount ----------- Total Size -------- %ofBusy %ofTotal
PAGE_NOACCESS                            16        0`02d26000 (  45.148 MB)   0.00%    0.00%
PAGE_EXECUTE_READ                        77        0`01398000 (  19.594 MB)   0.00%    0.00%
PAGE_READONLY                           114        0`00fa1000 (  15.629 MB)   0.00%    0.00%
PAGE_READWRITE                          139        0`00133000 (   1.199 MB)   0.00%    0.00%
PAGE_WRITECOPY                           16        0`00021000 ( 132.000 kB)   0.00%    0.00%
PAGE_READWRITE | PAGE_GUARD               1        0`00003000 (  12.000 kB)   0.00%    0.00%
PAGE_READONLY | PAGE_GUARD                1        0`00001000 (   4.000 kB)   0.00%    0.00%

--- Largest Region by Usage ----------- Base Address -------- Region Size ----------
Free                                    7fe`ffff1000     75f5`2995f000 ( 117.958 TB)
<unknown>                              7e15`27a90000      1df`e1e2f000 (   1.875 TB)
Image                                  7ff9`0f6f1000        0`005f5000 (   5.957 MB)
Stack                                    cb`c8200000        0`000f5000 ( 980.000 kB)
TEB                                      cb`c80b9000        0`00002000 (   8.000 kB)
PEB                                      cb`c80b8000        0`00001000 (   4.000 kB)
.

# The table: header and the rows around the PEB, the TEB and the stack.
cmd: !address
contains:         BaseAddress      EndAddress+1        RegionSize     Type       State                 Protect             Usage
contains: --------------------------------------------------------------------------------------------------------------------------
contains:         cb`c80b8000       cb`c80b9000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     PEB        [3c54]
contains:         cb`c80b9000       cb`c80bb000        0`00002000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     TEB        [~0; 3c54.5bc]
contains: +       cb`c8200000       cb`c82f5000        0`000f5000 MEM_PRIVATE MEM_RESERVE                                    Stack      [~0; 3c54.5bc]
contains:         cb`c82f5000       cb`c82f8000        0`00003000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE | PAGE_GUARD        Stack      [~0; 3c54.5bc]
contains:         cb`c82f8000       cb`c8300000        0`00008000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     Stack      [~0; 3c54.5bc]
