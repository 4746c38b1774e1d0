# dt over the fixture's PDB. Expectations from `llvm-pdbutil-16 dump -types crash_null_write.pdb`
# (the SDK's _MINIDUMP_USER_STREAM: ULONG Type @0, ULONG BufferSize @4, PVOID Buffer @8;
# _MINIDUMP_USER_STREAM_INFORMATION: ULONG @0, pointer @4 under pack(4); enum _MINIDUMP_TYPE)
# in WinDbg's dt spelling ("   +0x008 hData            : Ptr64 Void", "dt win32k!*CLIP*" lists).
dump: fixture:dumps/crash_null_write.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: dt crash_null_write!_MINIDUMP_USER_STREAM
expect:
   +0x000 Type             : Uint4B
   +0x004 BufferSize       : Uint4B
   +0x008 Buffer           : Ptr64 Void
.

cmd: dt crash_null_write!_MINIDUMP_USER_STREAM_INFORMATION UserStreamArray
expect:
   +0x004 UserStreamArray  : Ptr64 _MINIDUMP_USER_STREAM
.

cmd: dt -r crash_null_write!_MINIDUMP_USER_STREAM_INFORMATION
expect:
   +0x000 UserStreamCount  : Uint4B
   +0x004 UserStreamArray  : Ptr64 _MINIDUMP_USER_STREAM
      +0x000 Type             : Uint4B
      +0x004 BufferSize       : Uint4B
      +0x008 Buffer           : Ptr64 Void
.

# Without a module, the first line names where the type was found.
cmd: dt _MINIDUMP_USER_STREAM
expect:
crash_null_write!_MINIDUMP_USER_STREAM
   +0x000 Type             : Uint4B
   +0x004 BufferSize       : Uint4B
   +0x008 Buffer           : Ptr64 Void
.

cmd: dt crash_null_write!*USER_STREAM*
expect:
          crash_null_write!_MINIDUMP_USER_STREAM
          crash_null_write!_MINIDUMP_USER_STREAM_INFORMATION
.

cmd: dt crash_null_write!_MINIDUMP_TYPE
contains:    MiniDumpNormal = 0n0
contains:    MiniDumpWithFullMemory = 0n2
contains:    MiniDumpValidTypeFlags = 0n16777215

# Memory the dump lacks: every value reads ??.
cmd: dt crash_null_write!_MINIDUMP_USER_STREAM 0
expect:
   +0x000 Type             : ??
   +0x004 BufferSize       : ??
   +0x008 Buffer           : ??
.
