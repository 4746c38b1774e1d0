# !address and !vprot on a dump without a MemoryInfoList: Breakpad's minidump2.dmp (x86,
# process 0xf5c = 3932). dumpdbg then lists what the dump holds: each module as a committed
# MEM_IMAGE region, each captured range outside the modules as committed MEM_PRIVATE memory
# of unknown protection, free space between them. The values come from Breakpad's golden
# minidump_dump output (google-breakpad/goldens/minidump2.dump.out): test_app.exe at
# base_of_image 0x400000, size_of_image 0x2d000; thread 0 (0xbf4) with its stack memory at
# 0x12f31c, 0xce4 bytes; process_id 3932.
dump: corpus:user/google-breakpad/minidump2.dmp

cmd: !address
contains: The dump holds no memory region list (MemoryInfoListStream)
contains:   BaseAddr EndAddr+1 RgnSize     Type       State                 Protect             Usage
contains: +        0   12f31c   12f31c             MEM_FREE    PAGE_NOACCESS                      Free
contains: +   12f31c   130000      ce4 MEM_PRIVATE MEM_COMMIT                                     Stack      [~0; f5c.bf4]
contains: +   400000   42d000    2d000 MEM_IMAGE   MEM_COMMIT                                     Image      [test_app; "c:\test_app.exe"]
contains: --- Usage Summary ---------------- RgnCount ----------- Total Size -------- %ofBusy %ofTotal

# VirtualQuery-style answer for the captured stack: no protection is known.
cmd: !vprot 12f400
expect:
BaseAddress:       0012f31c
AllocationBase:    0012f31c
RegionSize:        00000ce4
State:             00001000  MEM_COMMIT
Type:              00020000  MEM_PRIVATE
.

cmd: !address 401000
contains: Usage:                  Image
contains: Base Address:           00400000
contains: End Address:            0042d000
contains: Image Path:             c:\test_app.exe
contains: Module Name:            test_app
