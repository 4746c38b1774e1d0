# The repo's own fixture: crash_null_write.exe (x64, built by tests/fixtures/gen) writes
# 0xbadf00d through a NULL pointer in crash_here() and dumps itself under Wine.
# {{key}} values come from tests/fixtures/dumps/crash_null_write.expect: what the program
# printed at run time and what gen/mdmp_facts.py read from the documented minidump fields.
dump: fixture:dumps/crash_null_write.dmp

# CommentStreamA / CommentStreamW passed by the program to MiniDumpWriteDump.
banner: Comment: '{{comment_a}}'
banner: Comment: '{{comment_w}}'
banner: This dump was written under Wine
banner: ({{pid:x}}.{{faulting_tid:x}}): Access violation - code c0000005 (first/second chance not available)

cmd: |
expect:
.  0	id: {{pid:x}}	examine	name: {{module_path}}
.

cmd: ~
contains: .  0  Id: {{pid:x}}.{{main_tid:x}} Suspend:
contains:   1  Id: {{pid:x}}.{{worker_tid:x}} Suspend:

# A write (ExceptionInformation[0] = 1) to address 0 at the address the program predicted.
cmd: .exr -1
expect:
ExceptionAddress: {{exception_address:016}} (crash_null_write+0x0000000000001569)
   ExceptionCode: c0000005 (Access violation)
  ExceptionFlags: 00000000
NumberParameters: 2
   Parameter[0]: 0000000000000001
   Parameter[1]: 0000000000000000
Attempt to write to address 0000000000000000
.

cmd: .ecxr
contains: rip={{exception_context_rip:016}} rsp={{exception_context_rsp:016}}
contains: crash_null_write+0x1569:
# The faulting store (llvm-objdump: c7 00 0d f0 ad 0b  mov dword ptr [rax], 0xbadf00d).
contains: 00000001`40001569 c7000df0ad0b    mov     dword ptr [rax],0BADF00Dh
# r adds the store's target: rax is 0 (the program writes through NULL), a page the dump lacks.
cmd: r
contains: 00000001`40001569 c7000df0ad0b    mov     dword ptr [rax],0BADF00Dh ds:00000000`00000000=????????

# The main image at the base the program printed, size from its SizeOfImage.
# WinDbg pads the name to 8 columns, then a status-letter column: a longer name is followed
# by three blanks ("ucrtbased   (deferred)" in published lm listings). .exr already looked for
# its symbols, without a symbol path: "(no symbols)".
cmd: lm m crash_null_write
expect:
start             end                 module name
00000001`40000000 00000001`4000b000   crash_null_write   (no symbols)
.

cmd: r rip
expect:
rip={{exception_context_rip:016}}
.

# Return addresses the program printed lie on the faulting thread's stack.
cmd: dqs @rsp L20
contains: crash_null_write+0x{{return_into_level_two_rva}}

# Header flags 0x1124 as requested by the program (dump_type_requested), and the streams
# gen/mdmp_facts.py listed: 7 3 4 fff0 5 f 6 a b.
cmd: .dumpdebug
contains: Flags           {{dump_flags}}
contains:                 0004 MiniDumpWithHandleData
contains:                 1000 MiniDumpWithThreadInfo
contains: Stream 0: type SystemInfoStream (7), size 00000038
contains: Stream 3: type WineHostModuleListStream (65520)
contains: Stream 8: type CommentStreamW (11), size 00000068
