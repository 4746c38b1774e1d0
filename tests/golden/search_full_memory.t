# s (search memory) over the repo's full-memory fixture: crash_full_memory.exe (x64) filled
# buffers with known patterns and printed their addresses; fixture_dumper.exe wrote a
# MiniDumpWithFullMemory dump of it (Memory64List, ~19 MB). {{key}} values come from
# tests/fixtures/dumps/crash_full_memory.expect (what the program printed); the patterns are
# the program's formulas (tests/fixtures/gen/crash_full_memory.c).
dump: fixture-xz:dumps/crash_full_memory.dmp.xz

# The heap block: byte[i] = (i * 31 + 7) & 0xff -> 07 26 45 64 83 a2 c1 e0 ff 1e 3d 5c ...,
# searched over the whole user address space (only the dump's ranges are walked).
cmd: s -b 0 L?7fffffffffff 07 26 45 64 83 a2 c1 e0 ff 1e 3d 5c 7b 9a b9 d8
contains: {{heap_pattern_address:tick}}  07 26 45 64 83 a2 c1 e0-ff 1e 3d 5c 7b 9a b9 d8  .&Ed......=\{...

# The VirtualAlloc page: byte[i] = (i * 13 + 0x5a) & 0xff repeats every 0x100 bytes, so the
# 4 KB page holds its first four bytes 16 times.
cmd: s -[1]b {{valloc_pattern_address}} L1000 5a 67 74 81
expect:
00000000`10000000
00000000`10000100
00000000`10000200
00000000`10000300
00000000`10000400
00000000`10000500
00000000`10000600
00000000`10000700
00000000`10000800
00000000`10000900
00000000`10000a00
00000000`10000b00
00000000`10000c00
00000000`10000d00
00000000`10000e00
00000000`10000f00
.

cmd: s -b {{valloc_pattern_address}} L10 5a 67 74 81
expect:
00000000`10000000  5a 67 74 81 8e 9b a8 b5-c2 cf dc e9 f6 03 10 1d  Zgt.............
.

# The marker string in .data, anywhere in user space.
cmd: s -a 0 L?7fffffffffff "{{marker_text}}"
contains: {{marker_address:tick}}  44 55 4d 50 44 42 47 2d-4d 41 52 4b 45 52 2d 31  DUMPDBG-MARKER-1

# The 64-bit marker value, as a QWORD (dq layout).
cmd: s -q {{image_base}} L10000 {{marker_u64}}
contains: {{marker_u64_address:tick}}  01234567`89abcdef

# The stack cookie of read_record, as a DWORD on the faulting thread's stack.
cmd: s -[1]d {{faulting_thread_stack_start}} L{{faulting_thread_stack_size}} {{stack_cookie}}
contains: {{stack_cookie_address:tick}}

# The same search limited to writeable memory: the dump has no MemoryInfoList, so every
# captured byte counts as writeable.
cmd: s -[1w]d {{faulting_thread_stack_start}} L{{faulting_thread_stack_size}} {{stack_cookie}}
contains: {{stack_cookie_address:tick}}
