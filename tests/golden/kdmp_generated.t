# Generated kernel dumps (tests/fixtures/dumps/kernel/, made by tests/fixtures/gen/mkkdmp.py):
# every expected value comes from x64_full.txt, the description the dump was generated from.
# Each data word holds 0xD00D000000000000 | its physical address unless a `fill` wrote text.
dump: fixture:dumps/kernel/x64_full.dmp

banner: Kernel Complete Dump File: Full address space is available

# build 19041, processors 2, product 1 0x110, psloadedmodulelist fffff800`00006000,
# system-time 0x01d707f23dbb3399 (2021-02-21 01:38:22.987 UTC), system-up-time 0x23bc1e9
# (3.747 s). A full dump without symbols does not know the kernel base.
cmd: vertarget
expect:
Windows 10 Kernel Version 19041 MP (2 procs) Free x64
Product: WinNt, suite: TerminalServer SingleUserTS
Machine Name:
Kernel base = 0x00000000`00000000 PsLoadedModuleList = 0xfffff800`00006000
Debug session time: Sun Feb 21 01:38:22.987 2021 (UTC + 0:00)
System Uptime: 0 days 0:00:03.747
.

cmd: ||
expect:
.  0 64-bit Full kernel dump: {{fixtures}}/dumps/kernel/x64_full.dmp
.

# context rip fffff800`00000010 rsp fffff800`00002f00 rax 1122334455667788.
cmd: r
contains: rax=1122334455667788
contains: rip=fffff80000000010 rsp=fffff80000002f00

# fffff800`00000000 -> PFN 0x10 (fill 0x10010 "Hello from physical page 0x10").
cmd: db fffff80000000010 L1d
expect:
fffff800`00000010  48 65 6c 6c 6f 20 66 72-6f 6d 20 70 68 79 73 69  Hello from physi
fffff800`00000020  63 61 6c 20 70 61 67 65-20 30 78 31 30           cal page 0x10
.

# fffff800`00002000 -> PFN 0x12; fffff800`00001000 -> PFN 0x11, which the dump leaves out.
cmd: dq fffff80000002000 L2
expect:
fffff800`00002000  d00d0000`00012000 d00d0000`00012008
.

cmd: dq fffff80000001000 L2
expect:
fffff800`00001000  ????????`???????? ????????`????????
.

# The 2 MB page (PA 0x200000) and the 1 GB page (PA 0x40000000).
cmd: dq fffff80000201000 L1
expect:
fffff800`00201000  d00d0000`00201000
.

cmd: dq ffffc00000000ff8 L1
expect:
ffffc000`00000ff8  d00d0000`40000ff8
.

# fffff800`00400000 goes through the page table the dump leaves out (drop-table).
cmd: dq fffff80000400000 L1
expect:
fffff800`00400000  ????????`????????
.
