# ?? on crash_params.dmp's frame 1 (crash_here): parameters and locals with their PDB types, member
# access, indexing, pointer arithmetic and casts. Values from tests/fixtures/gen/crash_params.c:
# code = 50, text = g_name = "hello", pt = &outer_call's pt with x = depth = 5 and y = flags =
# 0x11, big = 0x123456789 = 0n4886718345; addresses as the program printed them (.expect).
# `llvm-pdbutil-16 dump -types crash_params.pdb`: point sizeof 8, x @0, y @4.
# Layout: "struct point * 0x..." then the pointee's members as dt shows them.
dump: fixture:dumps/crash_params.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: .frame 1
cmd: ?? code
expect:
int 0n50
.

cmd: ?? big
expect:
int64 0n4886718345
.

cmd: ?? text
expect:
char * 0x{{g_name_address:tick}} "hello"
.

cmd: ?? text[1]
expect:
char 0n101 'e'
.

cmd: ?? pt
expect:
struct point * 0x{{pt_address:tick}}
   +0x000 x                : 0n5
   +0x004 y                : 0n17
.

cmd: ?? pt->x + pt->y
expect:
int 0n22
.

cmd: ?? *pt
expect:
struct point
   +0x000 x                : 0n5
   +0x004 y                : 0n17
.

cmd: ?? &pt->y - &pt->x
expect:
int64 0n1
.

cmd: ?? ((crash_params!point *)&pt->x)->y
expect:
int 0n17
.

cmd: ?? sizeof(point)
expect:
unsigned int64 8
.

cmd: ? @@c++(pt->y)
expect:
Evaluate expression: 17 = 00000000`00000011
.

cmd: ?? pt->z
expect:
Couldn't resolve error at 'z'
.

# dpa/dqa: crash_here's `text` parameter lives at rsp+56 (S_DEFRANGE_FRAMEPOINTER_REL 56 from
# llvm-pdbutil; rsp = 0x11fc40, see params_O0.t) and points at g_name, "hello" (the source).
cmd: dpa 11fc78 L1
expect:
00000000`0011fc78  {{g_name_address:tick}} "hello"
.

cmd: dqa 11fc78 L1
expect:
00000000`0011fc78  {{g_name_address:tick}} "hello"
.
