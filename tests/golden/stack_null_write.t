# Stack walks over the repo's fixture (x64 .pdata unwinding with the image file beside the dump).
# Return addresses are what the program printed (return_into_* in the .expect file); function
# starts likewise (fn_*_address), so each displacement is their difference:
#   0x14000173c - 0x140001710 = level_two+0x2c, 0x140001775 - 0x140001750 = level_one+0x25,
#   0x140001a79 - 0x140001790 = main+0x2e9, 0x140001569 - 0x140001540 = crash_here+0x29.
# Source lines: `llvm-pdbutil-16 dump -l crash_null_write.pdb` (the line holding each return
# address minus one): 51, 58, 65 and 120 of crash_null_write.c.
# Child-SP of each caller = the callee's + its frame (`llvm-objdump-16 -d` prologs: crash_here
# and level_two `sub rsp,0x38` -> +0x40, level_one `sub rsp,0x28` -> +0x30), starting from the
# exception context's rsp 0x11faf0: 0x11fb30, 0x11fb70, 0x11fba0.
dump: fixture:dumps/crash_null_write.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .ecxr
contains: crash_null_write!crash_here+0x29:

cmd: k 4
expect:
 # Child-SP          RetAddr               Call Site
00 {{exception_context_rsp:tick}} {{return_into_level_two_address:tick}}     crash_null_write!crash_here+0x29 [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 51]
01 00000000`0011fb30 {{return_into_level_one_address:tick}}     crash_null_write!level_two+0x2c [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 58]
02 00000000`0011fb70 {{return_into_main_address:tick}}     crash_null_write!level_one+0x25 [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 65]
03 00000000`0011fba0 00000001`400013ae     crash_null_write!main+0x2e9 [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 120]
.

cmd: kc 4
expect:
 # Call Site
00 crash_null_write!crash_here+0x29 [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 51]
01 crash_null_write!level_two+0x2c [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 58]
02 crash_null_write!level_one+0x25 [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 65]
03 crash_null_write!main+0x2e9 [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 120]
.

# kL drops the source annotations.
cmd: kL 2
expect:
 # Child-SP          RetAddr               Call Site
00 {{exception_context_rsp:tick}} {{return_into_level_two_address:tick}}     crash_null_write!crash_here+0x29
01 00000000`0011fb30 {{return_into_level_one_address:tick}}     crash_null_write!level_two+0x2c
.

# .frame /r: the caller's instruction pointer is the return address; volatile registers are
# unknown there (rax, rcx, rdx, r8-r11), shown as ???????????????? rather than stale values.
cmd: .frame /r 2
contains: 02 00000000`0011fb70 {{return_into_main_address:tick}}     crash_null_write!level_one+0x25
contains: rax=???????????????? rbx=
contains: rip={{return_into_level_one_address:016}} rsp=000000000011fb70

# The worker thread waits inside worker_main (fn_worker_main_address + 0x28 per the program's
# wait call site; the innermost frame is in ntdll, which has no symbols here).
cmd: ~1k
contains: crash_null_write!worker_main+0x28 [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 42]
