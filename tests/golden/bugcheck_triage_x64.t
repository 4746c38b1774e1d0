# .bugcheck on the real x64 triage dump (rizinorg/rizin-testbins dmp/triage_x64.dmp). Expected
# values from ../shared/corpus/kernel/MANIFEST.md and rizin's expected output
# (rizin-testdb/triage_x64.rizin-expected.txt, "iH"): BugCheckCode 0x1000007e
# (SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M), parameters 0xffffffffc0000005, 0xfffff8048b58334c,
# 0xffff850429891ee8, 0xffff850429891720. Layout: WinDbg's "Bugcheck code %08X" and
# "Arguments" with backquoted 64-bit values (published kd transcripts: "Bugcheck code 0000009F",
# "Arguments 00000000`00000003 ffff948f`e9be4060 ...").
dump: corpus:kernel/rizin-testbins/triage_x64.dmp

cmd: .bugcheck
expect:
Bugcheck code 1000007E
Arguments ffffffff`c0000005 fffff804`8b58334c ffff8504`29891ee8 ffff8504`29891720
.
