# .bugcheck and !analyze on the real 16 KiB header of a DumpIt full dump
# (WerWolv/ImHex-Patterns tests/patterns/test_data/dmp64.hexpat.bin). MANIFEST.md: BugCheckCode
# 0x5454414D ("MATT") with parameters 0x4E4F4F4D ("MOON"), 0x534C4F53 ("SOLS"), "MOON", "SOLS",
# the marker of a MoonSols/Comae DumpIt live acquisition, not a real bug check (and not a code
# of the Bug Check Code Reference, so WinDbg's "Unknown bugcheck code").
dump: corpus:kernel/imhex-patterns/dmp64.hexpat.bin

cmd: .bugcheck
expect:
Bugcheck code 5454414D
Arguments 00000000`4e4f4f4d 00000000`534c4f53 00000000`4e4f4f4d 00000000`534c4f53
.

cmd: !analyze -v
contains: Unknown bugcheck code (5454414d)
contains: Arg1: 000000004e4f4f4d
contains: Arg2: 00000000534c4f53
contains: BUGCHECK_CODE:  5454414d
contains: DUMPDBG_NOTE:  bug check 5454414D ("MATT", parameters "MOON" "SOLS") marks a DumpIt memory acquisition
