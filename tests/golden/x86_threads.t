# Three x86 threads in x86_threads.dmp (tests/fixtures/gen/x86emu/x86emu.py, threads.c -O0): the
# emulator ran each thread's start routine on its own stack, and stopped the two waiters after
# 5000 instructions, spinning in spin_wait; the third thread wrote through NULL. Thread ids,
# TEBs and the process id (MiscInfo 1a2c) are the generator's: 1b04 (TEB 7ffdf000, stack top
# 190000), 2210 (7ffde000, 580000), f38 (7ffdd000, 680000). Call chains (threads.c):
#   0: start -> main -> wait_all -> spin_wait
#   1: worker_wait(7) -> wait_inner -> spin_wait (entered with a 0 return address)
#   2: worker_crash(9) -> crash_inner -> crash_write (the fault, writing 9*16 = 0x90)
# Columns: the frame facts of the .expect file (emulator trace: ChildEBP = entry esp - 4,
# RetAddr = dword at the entry esp). Offsets from the PDB's symbols (llvm-pdbutil-16): spin_wait
# 401000, wait_inner 401030, worker_wait 401060, crash_write 401080, crash_inner 4010a0,
# worker_crash 4010d0, wait_all 4010f0, main 401120, start 401140; both spinners stopped at eip
# 401020 (spin_wait+0x20). Lines: threads.c 19 (the loop), 25, 31, 37, 42, 48, 54, 60, 66.
dump: fixture:dumps/x86_threads.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: ~*k
expect:

   0  Id: 1a2c.1b04 Suspend: 0 Teb: 7ffdf000 Unfrozen
 # ChildEBP RetAddr
00 {{thread0_frame0_childebp}} {{thread0_frame0_retaddr}}     x86_threads!spin_wait+0x20 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 19]
01 {{thread0_frame1_childebp}} {{thread0_frame1_retaddr}}     x86_threads!wait_all+0x12 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 54]
02 {{thread0_frame2_childebp}} {{thread0_frame2_retaddr}}     x86_threads!main+0x10 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 60]
03 {{thread0_frame3_childebp}} {{thread0_frame3_retaddr}}     x86_threads!start+0x8 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 66]

   1  Id: 1a2c.2210 Suspend: 0 Teb: 7ffde000 Unfrozen
 # ChildEBP RetAddr
00 {{thread1_frame0_childebp}} {{thread1_frame0_retaddr}}     x86_threads!spin_wait+0x20 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 19]
01 {{thread1_frame1_childebp}} {{thread1_frame1_retaddr}}     x86_threads!wait_inner+0x15 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 25]
02 {{thread1_frame2_childebp}} {{thread1_frame2_retaddr}}     x86_threads!worker_wait+0x12 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 31]

#  2  Id: 1a2c.f38 Suspend: 0 Teb: 7ffdd000 Unfrozen
 # ChildEBP RetAddr
00 {{frame0_childebp}} {{frame0_retaddr}}     x86_threads!crash_write+0xf [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 37]
01 {{frame1_childebp}} {{frame1_retaddr}}     x86_threads!crash_inner+0x21 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 42]
02 {{frame2_childebp}} {{frame2_retaddr}}     x86_threads!worker_crash+0x12 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 48]
.

# The thread routine's parameter (7) is its first argument: kb of thread 1 shows it.
cmd: ~1kb
contains: {{thread1_frame2_childebp}} {{thread1_frame2_retaddr}}     00000007 ???????? ???????? x86_threads!worker_wait+0x12

cmd: ~2s
cmd: kb
expect:
 # ChildEBP RetAddr      Args to Child
00 {{frame0_childebp}} {{frame0_retaddr}}     {{frame0_args}} x86_threads!crash_write+0xf [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 37]
01 {{frame1_childebp}} {{frame1_retaddr}}     {{frame1_args}} x86_threads!crash_inner+0x21 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 42]
02 {{frame2_childebp}} {{frame2_retaddr}}     {{frame2_args}} x86_threads!worker_crash+0x12 [C:\dumpdbg\tests\fixtures\gen\x86emu\threads.c @ 48]
.

cmd: !analyze -v
contains: FAILURE_BUCKET_ID:  NULL_POINTER_WRITE_c0000005_x86_threads.exe!crash_write
contains: STACK_COMMAND:  ~2s; .ecxr ; kb
