# Symbols for the repo's fixture: crash_null_write.pdb (lld-link /DEBUG) beside the dump.
# Function addresses are what the program printed about itself (the .expect file); the PDB's
# procedures at those addresses are main, level_one, level_two and crash_here per
# `llvm-pdbutil-16 dump -symbols crash_null_write.pdb`.
dump: fixture:dumps/crash_null_write.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

# Symbols are deferred until something needs them, as in WinDbg.
cmd: lm m crash_null_write
expect:
start             end                 module name
00000001`40000000 00000001`4000b000   crash_null_write   (deferred)
.

# exception_address 140001569 - fn_crash_here_address 140001540 = 0x29; WinDbg pads the
# displacement in .exr to the pointer width.
cmd: .exr -1
contains: ExceptionAddress: {{exception_address:016}} (crash_null_write!crash_here+0x0000000000000029)

cmd: .ecxr
contains: crash_null_write!crash_here+0x29:

# The image's checksum is 0 (lld writes none): WinDbg's 'C' status letter.
cmd: lm m crash_null_write
expect:
start             end                 module name
00000001`40000000 00000001`4000b000   crash_null_write C (private pdb symbols)  {{fixtures}}/dumps/crash_null_write.pdb
.

cmd: ? crash_null_write!level_two
expect:
Evaluate expression: 5368715024 = {{fn_level_two_address:tick}}
.

cmd: x crash_null_write!level_*
contains: {{fn_level_one_address:tick}} crash_null_write!level_one
contains: {{fn_level_two_address:tick}} crash_null_write!level_two

cmd: ln {{return_into_level_one_address}}
contains: ({{fn_level_one_address:tick}})   crash_null_write!level_one+0x25

cmd: ln crash_null_write!main
contains: ({{fn_main_address:tick}})   crash_null_write!main
contains: Exact matches:

# u starts with the symbol line WinDbg prints before code at a symbol's start.
cmd: u crash_null_write!level_two L1
contains: crash_null_write!level_two:
contains: {{fn_level_two_address:tick}}

cmd: !sym noisy
expect:
noisy mode - symbol prompts on
.

cmd: .reload /f crash_null_write.exe
contains: DBGHELP: crash_null_write - private symbols & lines

cmd: !sym quiet
expect:
quiet mode - symbol prompts on
.

cmd: ld kernel32
expect:
Symbols not found for kernel32
.
