# Breakpad's minidump2.dmp: x86 Windows XP SP2, test_app.exe writing to address 0x45.
# Every expected value comes from Breakpad's own minidump_dump output for this file
# (corpus google-breakpad/goldens/minidump2.dump.out) laid out the way WinDbg prints it.
dump: corpus:user/google-breakpad/minidump2.dmp

# MDRawSystemInfo: 5.1.2600, "Service Pack 2", 1 processor, product type 1, suite 0x100.
# Header time_date_stamp 0x45d35f73 = 2007-02-14 19:13:55 UTC; MiscInfo has no time zone.
# process_create_time equals the dump time, user/kernel times 0.
cmd: vertarget
expect:
Windows XP Version 2600 (Service Pack 2) UP Free x86 compatible
Product: WinNt, suite: SingleUserTS
Machine Name:
Debug session time: Wed Feb 14 19:13:55.000 2007 (UTC + 0:00)
System Uptime: not available
Process Uptime: 0 days 0:00:00.000
  Kernel time: 0 days 0:00:00.000
  User time: 0 days 0:00:00.000
.

# MiscInfo process_id 3932 = 0xf5c; module[0] code_file "c:\test_app.exe".
cmd: |
expect:
.  0	id: f5c	examine	name: c:\test_app.exe
.

# Threads 0xbf4 (teb 0x7ffdf000, the exception's thread) and 0x11c0 (teb 0x7ffde000).
cmd: ~
expect:
.  0  Id: f5c.bf4 Suspend: 0 Teb: 7ffdf000 Unfrozen
   1  Id: f5c.11c0 Suspend: 0 Teb: 7ffde000 Unfrozen
.

# MDException: code 0xc0000005, flags 0, address 0x40429e, parameters {1, 0x45}.
cmd: .exr -1
expect:
ExceptionAddress: 0040429e (test_app+0x0000429e)
   ExceptionCode: c0000005 (Access violation)
  ExceptionFlags: 00000000
NumberParameters: 2
   Parameter[0]: 00000001
   Parameter[1]: 00000045
Attempt to write to address 00000045
.

# Thread 0's own context (MDRawThread thread[0]): eax 0x400000.
cmd: r eax
expect:
eax=00400000
.

# The exception's context: edi a28 esi 2 ebx 7c80abc1 edx 42bc58 ecx 12fe94 eax 45,
# ebp 12fe88 eip 40429e esp 12fe84, eflags 0x10246 (ZF PF IF RF), cs 1b ss/ds/es 23 fs 3b gs 0.
cmd: .ecxr
contains: eax=00000045 ebx=7c80abc1 ecx=0012fe94 edx=0042bc58 esi=00000002 edi=00000a28
contains: eip=0040429e esp=0012fe84 ebp=0012fe88 iopl=0         nv up ei pl zr na pe nc
contains: cs=001b  ss=0023  ds=0023  es=0023  fs=003b  gs=0000             efl=00010246
contains: test_app+0x429e:

cmd: r eip
expect:
eip=0040429e
.

# Thread 1 (MDRawThread thread[1]): eip 0x7c90eb94 in ntdll (base 0x7c900000).
cmd: ~1s
contains: eax=00a80000 ebx=00145ad0 ecx=00000007 edx=7c90eb94 esi=00145aa8 edi=00145b00
contains: eip=7c90eb94 esp=0097f6ec ebp=0097f6fc iopl=0         nv up ei pl zr na pe nc
contains: ntdll+0xeb94:
# ntdll!KiFastSystemCallRet is a lone ret (c3); the byte is in memory region 0 of the golden.
contains: 7c90eb94 c3              ret

cmd: ~
expect:
#  0  Id: f5c.bf4 Suspend: 0 Teb: 7ffdf000 Unfrozen
.  1  Id: f5c.11c0 Suspend: 0 Teb: 7ffde000 Unfrozen
.

cmd: ~~[bf4]s
contains: eip=7c90eb94 esp=0012f320 ebp=0012f384

# The 13 MDRawModule entries sorted by base_of_image; end = base + size_of_image.
# Earlier commands resolved addresses in test_app and ntdll; with no symbol path set their
# symbols were looked for and not found, which lm shows as "(no symbols)"; the rest stay deferred.
cmd: lm
expect:
start    end        module name
00400000 0042d000   test_app   (no symbols)
59a60000 59b01000   dbghelp    (deferred)
76390000 763ad000   imm32      (deferred)
76bf0000 76bfb000   psapi      (deferred)
774e0000 7761d000   ole32      (deferred)
77c00000 77c08000   version    (deferred)
77c10000 77c68000   msvcrt     (deferred)
77d40000 77dd0000   user32     (deferred)
77dd0000 77e6b000   advapi32   (deferred)
77e70000 77f01000   rpcrt4     (deferred)
77f10000 77f57000   gdi32      (deferred)
7c800000 7c8f4000   kernel32   (deferred)
7c900000 7c9b0000   ntdll      (no symbols)
.

# ntdll: timestamp 0x411096b4 (2004-08-04 07:56:36), checksum 0xaf2f7, file and product
# version 0x50001:0xa280884 = 5.1.2600.2180, flags mask 0x3f, os 0x40004, type 2 (Dll).
cmd: lmv m ntdll
expect:
start    end        module name
7c900000 7c9b0000   ntdll      (no symbols)
    Image path: C:\WINDOWS\system32\ntdll.dll
    Image name: ntdll.dll
    Timestamp:        Wed Aug  4 07:56:36 2004 (411096B4)
    CheckSum:         000AF2F7
    ImageSize:        000B0000
    File version:     5.1.2600.2180
    Product version:  5.1.2600.2180
    File flags:       0 (Mask 3F)
    File OS:          40004 NT Win32
    File type:        2.0 Dll
    File date:        00000000.00000000
.

cmd: lm m k*
expect:
start    end        module name
7c800000 7c8f4000   kernel32   (deferred)
.

# Thread 0's stack memory (the "Stack" bytes of thread[0], based at 0x12f31c).
cmd: dd 12fe84 L8
expect:
0012fe84  00000045 0012ff70 00404200 008727b8
0012fe94  7c9131dc 00000000 00874c00 20000000
.

cmd: db 12fe84 L10
expect:
0012fe84  45 00 00 00 70 ff 12 00-00 42 40 00 b8 27 87 00  E...p....B@..'..
.

# 0x45 (the faulting address) is in no captured range.
cmd: dd 45 L4
expect:
00000045  ???????? ???????? ???????? ????????
.

cmd: ? 45
expect:
Evaluate expression: 69 = 00000045
.

# The stream directory (mDirectory[0..8] in minidump_dump): sizes 100, 1408, 52, 168, 56,
# 24, 12 and two unused entries; header flags 0.
cmd: .dumpdebug
expect:
----- User Mini Dump Analysis

Flags           0

Streams:
Stream 0: type ThreadListStream (3), size 00000064, RVA 00000184
Stream 1: type ModuleListStream (4), size 00000580, RVA 000001E8
Stream 2: type MemoryListStream (5), size 00000034, RVA 00001505
Stream 3: type ExceptionStream (6), size 000000A8, RVA 000000DC
Stream 4: type SystemInfoStream (7), size 00000038, RVA 0000008C
Stream 5: type MiscInfoStream (15), size 00000018, RVA 000000C4
Stream 6: type BreakpadInfoStream (0x47670001), size 0000000C, RVA 000014F9
Stream 7: type UnusedStream (0), size 00000000, RVA 00000000
Stream 8: type UnusedStream (0), size 00000000, RVA 00000000
.
