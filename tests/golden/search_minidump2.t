# s (search memory) on Breakpad's minidump2.dmp: x86 (32-bit addresses), three captured
# ranges (MemoryList): 0x7c90eb14 (0x100 bytes of ntdll), thread 0's stack at 0x12f31c
# (0xce4 bytes) and thread 1's stack at 0x97f6e8 (0x918 bytes).
# Expected hits and the bytes on each line come from the "Memory" hex dumps of those ranges
# in Breakpad's golden minidump_dump output (google-breakpad/goldens/minidump2.dump.out),
# located there with a short Python find() over the hex, not from dumpdbg. Line layouts:
# the transcripts cited in src/cmd/cmd_search.c (s -u as words and characters, s -d as dc).
dump: corpus:user/google-breakpad/minidump2.dmp

# UTF-16 "c:\test_app.exe" occurs twice on thread 0's stack.
cmd: s -u 0 L?ffffffff "c:\test_app.exe"
expect:
0012f548  0063 003a 005c 0074 0065 0073 0074 005f  c.:.\.t.e.s.t._.
0012f75c  0063 003a 005c 0074 0065 0073 0074 005f  c.:.\.t.e.s.t._.
.

# An ASCII path on the same stack, as db shows it.
cmd: s -a 0 L?ffffffff "/cygdrive"
expect:
0012fe28  2f 63 79 67 64 72 69 76-65 2f 63 2f 44 4f 43 55  /cygdrive/c/DOCU
.

# The DWORD 0x45 (the fault address of the write) at its three aligned places.
cmd: s -d 12f31c L1000 45
expect:
0012fbb4  00000045 0001003f 00000000 00000000  E...?...........
0012fc68  00000045 0012fe88 0040429e 0000001b  E........B@.....
0012fe84  00000045 0012ff70 00404200 008727b8  E...p....B@..'..
.

# The same bytes as a byte pattern, addresses only.
cmd: s -[1]b 0 L?ffffffff 45 00 00 00
expect:
0012fbb4
0012fc68
0012fe84
.

# A QWORD at an 8-aligned address: the bytes c0 e9 90 7c cb 25 80 7c at 0x12f320.
cmd: s -q 0 L?ffffffff 7c8025cb`7c90e9c0
expect:
0012f320  7c8025cb`7c90e9c0 00000000`000007b8
.

# The first bytes of the ntdll range (ff 83 c4 ec ...), found by an exact range.
cmd: s 7c90eb14 7c90ec13 ff 83 c4 ec
expect:
7c90eb14  ff 83 c4 ec 89 04 24 c7-44 24 04 01 00 00 00 89  ......$.D$......
.

# "This range cannot be more than 256 MB long unless you use the L? syntax."
cmd: s -b 0 L20000000 41
expect:
       ^ Range error in 's -b 0 L20000000 41'
.

# A range that holds none of the dump's memory finds nothing.
cmd: s -a 80000000 L?7fffffff "c:\"
expect:
.
