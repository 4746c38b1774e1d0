# The real x64 triage dump with the Volatility ISF file of its kernel on the symbol path
# (jpcert-windows-symbol-tables/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz, the
# MANIFEST's match for this dump). The dump lacks ntoskrnl.exe and its PDB identity, so the file
# is recognised by where the dump says PsLoadedModuleList, PsActiveProcessHead and
# KdDebuggerDataBlock are, and nt's names and types come from it.
# Every expected value was computed by tests/golden/isf_facts.py from the ISF JSON and the
# dump's raw data blocks (kernel base 0xFFFFF8047BA00000 from the driver list, MANIFEST):
#   python3 tests/golden/isf_facts.py ISF sym|ln|dt ...   python3 ... DUMP mem VA
# and, where noted, agrees with rizin's independent stack (rizin-testdb, offsets in decimal).
dump: corpus:kernel/rizin-testbins/triage_x64.dmp
args: -y {{corpus}}/kernel/jpcert-windows-symbol-tables

# KiProcessorBlock: ISF address 0xcfdc80 + base = fffff804`7c6fdc80 (-8776825447296 signed).
cmd: ? nt!KiProcessorBlock
expect:
Evaluate expression: -8776825447296 = fffff804`7c6fdc80
.

# lm: once loaded (the `?` above needed them), nt's symbols come from the ISF file, and say so.
cmd: lm m nt
contains: fffff804`7ba00000 fffff804`7ca46000   nt         (ISF symbols)
contains: jpcert-windows-symbol-tables/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz

# KeBugCheckEx: ISF address 0x3f5a80 (also MANIFEST: the header exception's address).
cmd: x nt!KeBugCheckEx
expect:
fffff804`7bdf5a80 nt!KeBugCheckEx
.

# rizin's frame 2 return address fffff8047bdcc052 = __C_specific_handler+162 (0xa2); the ISF
# has _C_specific_handler at 0x3cbfb0 and longjmp next at 0x3cc190.
cmd: ln fffff8047bdcc052
expect:
(fffff804`7bdcbfb0)   nt!_C_specific_handler+0xa2   |  (fffff804`7bdcc190)   nt!longjmp
.

# rizin's frame 7: fffff8047be031f5 = KiSegmentNotPresentFault+821 (0x335); ISF 0x402ec0,
# KiStackFault next at 0x403280.
cmd: ln fffff8047be031f5
expect:
(fffff804`7be02ec0)   nt!KiSegmentNotPresentFault+0x335   |  (fffff804`7be03280)   nt!KiStackFault
.

# rizin's frame 24: IofCallDriver+85 (ISF 0x252f00 + 0x55).
cmd: ln fffff8047bc52f55
contains: nt!IofCallDriver+0x55

# The stack's first frame is the bugcheck context's rip, KeBugCheckEx itself; its return
# address fffff8047bdcc052 is _C_specific_handler+0xa2 (above) - names, not "nt+0x...".
cmd: k
contains: 00 ffff8504`29890ee8 fffff804`7bdcc052     nt!KeBugCheckEx
contains: nt!_C_specific_handler+0xa2
lacks: nt+0x

# Types: _EPROCESS fields (offsets from the ISF; dt's type words are WinDbg's: struct names,
# "Ptr64 X", "[N] UChar", "Uint4B" for unsigned long, "Pos P, N Bit" for bitfields).
cmd: dt nt!_EPROCESS
contains:    +0x000 Pcb              : _KPROCESS
contains:    +0x440 UniqueProcessId  : Ptr64 Void
contains:    +0x448 ActiveProcessLinks : _LIST_ENTRY
contains:    +0x460 Flags2           : Uint4B
contains:    +0x460 JobNotReallyActive : Pos 0, 1 Bit
contains:    +0x550 Peb              : Ptr64 _PEB
contains:    +0x5a8 ImageFileName    : [15] UChar

# _EPROCESS size 0xa40 (2624 in the ISF; MANIFEST: the KDBG's SizeEProcess agrees).
cmd: ?? sizeof(nt!_EPROCESS)
contains: 0xa40

cmd: dt nt!_KTHREAD State
expect:
   +0x184 State            : UChar
.

# Without "nt!" the modules are searched in address order and dt names where it found the type.
cmd: dt _LIST_ENTRY
expect:
nt!_LIST_ENTRY
   +0x000 Flink            : Ptr64 _LIST_ENTRY
   +0x008 Blink            : Ptr64 _LIST_ENTRY
.

# Values: PsActiveProcessHead fffff8047c61e200 (MANIFEST) holds Flink ffffc08bdce945c8 (data
# block), so the first process is at ffffc08bdce945c8 - 0x448 = ffffc08bdce94180; its
# UniqueProcessId (at +0x440, a data block) is 4: the System process.
cmd: dt nt!_EPROCESS ffffc08bdce94180 UniqueProcessId
expect:
   +0x440 UniqueProcessId  : 0x00000000`00000004 Void
.

cmd: dt nt!_EPROCESS ffffc08bdce94180 ImageFileName
expect:
   +0x5a8 ImageFileName    : [15]  "System"
.

cmd: dt -r1 nt!_EPROCESS ffffc08bdce94180 ActiveProcessLinks
contains:    +0x448 ActiveProcessLinks : _LIST_ENTRY [ 0xffffc08b`dcf0f488 - 0xfffff804`7c61e200 ]
contains:       +0x000 Flink            : 0xffffc08b`dcf0f488 _LIST_ENTRY
contains:       +0x008 Blink            : 0xfffff804`7c61e200 _LIST_ENTRY
