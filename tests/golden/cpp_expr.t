# ?? (the C++ evaluator) on the fixtures' PDB types and variables.
# Sizes from `llvm-pdbutil-16 dump -types crash_null_write.pdb`: _MINIDUMP_USER_STREAM sizeof 16,
# _MINIDUMP_USER_STREAM_INFORMATION sizeof 12 (pack 4), _CONTEXT sizeof 1232 (0x4d0, the SDK's
# x64 CONTEXT). Layout from the debugger documentation "C++ Numbers and Operators" ("?? @eip" ->
# "unsigned int 0x771e1a02", "?? (sizeof(_TEB))" -> "unsigned int 0x1000") and a WinDbg
# transcript kept by the DebugDiag.Native project ("?? sizeof(PODType *)" -> "unsigned int 4"):
# sizeof is a size_t ("unsigned int64" on x64), unsigned values print in hex from 10 up, signed
# ones as 0n decimal; C operator precedence and integer types per the C standard.
dump: fixture:dumps/crash_null_write.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: ?? sizeof(crash_null_write!_MINIDUMP_USER_STREAM)
expect:
unsigned int64 0x10
.

cmd: ?? sizeof(_MINIDUMP_USER_STREAM_INFORMATION)
expect:
unsigned int64 0xc
.

cmd: ??sizeof(_CONTEXT)
expect:
unsigned int64 0x4d0
.

cmd: ?? sizeof(struct _MINIDUMP_USER_STREAM *)
expect:
unsigned int64 8
.

cmd: ?? sizeof(_CONTEXT) / 16
expect:
unsigned int64 0x4d
.

# MASM inside C++ and C++ inside MASM.
cmd: ? @@c++(sizeof(_CONTEXT)) + 1
expect:
Evaluate expression: 1233 = 00000000`000004d1
.

cmd: ?? @@masm(4d0) == sizeof(_CONTEXT)
expect:
bool true
.

# Integers: decimal by default, C precedence, C's int/unsigned/int64 rules.
cmd: ?? 1+2*3
expect:
int 0n7
.

cmd: ?? (1+2)*3
expect:
int 0n9
.

cmd: ?? 1 << 4 | 1
expect:
int 0n17
.

cmd: ?? -5 / 2
expect:
int 0n-2
.

cmd: ?? 0x7fffffff + 1
expect:
int 0n-2147483648
.

cmd: ?? 0xffffffff
expect:
unsigned int 0xffffffff
.

cmd: ?? 10 > 9 && 7 % 4 == 3
expect:
bool true
.

cmd: ?? 'A'
expect:
char 0n65 'A'
.

# Registers are typed by their width.
cmd: .ecxr
cmd: ?? @rip
expect:
unsigned int64 0x{{exception_address}}
.

cmd: ?? @rip == @@masm(@rip)
expect:
bool true
.

cmd: ?? sizeof(nosuch_type)
expect:
Couldn't resolve error at 'nosuch_type)'
.
