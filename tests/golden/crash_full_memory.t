# The repo's own full-memory fixture: crash_full_memory.exe (x64) reads through a bad record
# pointer (address 0x10); fixture_dumper.exe wrote a MiniDumpWithFullMemory dump of it.
# {{key}} values come from tests/fixtures/dumps/crash_full_memory.expect (program output and
# the documented minidump fields).
dump: fixture-xz:dumps/crash_full_memory.dmp.xz

banner: User Mini Dump File with Full Memory: Only application data is available

cmd: ||
contains: .  0 Full memory user mini dump:

cmd: .exr -1
contains:    ExceptionCode: c0000005 (Access violation)
contains: Attempt to read from address 0000000000000010

# The marker string and 64-bit value the program placed in its .data section.
cmd: da {{marker_address}}
contains: "{{marker_text}}"

cmd: dq {{marker_u64_address}} L1
contains: {{marker_u64:tick}}

# The heap buffer: byte[i] = (i * 31 + 7) & 0xff -> 07 26 45 64 83 a2 c1 e0 ff 1e 3d 5c 7b 9a b9 d8
cmd: db {{heap_pattern_address}} L10
contains: 07 26 45 64 83 a2 c1 e0-ff 1e 3d 5c 7b 9a b9 d8

# The VirtualAlloc page: byte[i] = (i * 13 + 0x5a) & 0xff -> 5a 67 74 81
cmd: db {{valloc_pattern_address}} L4
contains: 5a 67 74 81

# A local on the faulting thread's stack, which lives only in the Memory64List.
cmd: dd {{stack_cookie_address}} L1
contains: {{stack_cookie}}
