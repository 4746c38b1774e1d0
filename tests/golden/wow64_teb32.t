# !teb on the 32-bit-view dumps of the same kind of process as wow64_notepad.t (32-bit
# notepad under WoW64 on Windows 7 SP1, dumped from the 32-bit side): a plain x86 target, so
# one "TEB at" block in the 32-bit layout. notepad-small-32bit.dmp captures its TEB
# (7efdd000, 0x1250 bytes); notepad-32bit.dmp captures none, which WinDbg reports as
# "error InitTypeRead( TEB )...".
# Expected lines computed by: python3 tests/golden/wow64_facts.py DUMP teb
dump: corpus:user/google-syzygy/notepad-small-32bit.dmp

cmd: !teb
expect:
TEB at 7efdd000
    ExceptionList:        0023f85c
    StackBase:            00240000
    StackLimit:           0022f000
    SubSystemTib:         00000000
    FiberData:            00001e00
    ArbitraryUserPointer: 00000000
    Self:                 7efdd000
    EnvironmentPointer:   00000000
    ClientId:             00001908 . 000011fc
    RpcHandle:            00000000
    Tls Storage:          7efdd02c
    PEB Address:          7efde000
    LastErrorValue:       0
    LastStatusValue:      0
    Count Owned Locks:    0
    HardErrorMode:        0
.

# An explicit address reads the same TEB.
cmd: !teb 7efdd000
expect:
TEB at 7efdd000
    ExceptionList:        0023f85c
    StackBase:            00240000
    StackLimit:           0022f000
    SubSystemTib:         00000000
    FiberData:            00001e00
    ArbitraryUserPointer: 00000000
    Self:                 7efdd000
    EnvironmentPointer:   00000000
    ClientId:             00001908 . 000011fc
    RpcHandle:            00000000
    Tls Storage:          7efdd02c
    PEB Address:          7efde000
    LastErrorValue:       0
    LastStatusValue:      0
    Count Owned Locks:    0
    HardErrorMode:        0
.

# Nothing to switch to in a 32-bit dump.
cmd: .effmach
expect:
Effective machine: x86 compatible (x86)
.

cmd: .effmach amd64
expect:
The x64 machine is not available in this x86 dump
.
