# !locks (ntsdexts) on hang_deadlock.dmp: both sections are held (values from the program,
# hang_deadlock.expect). Layout: "!locks (!ntsdexts.locks)" in the debugger reference:
# "CritSec <name> at <ADDR>", LockCount, RecursionCount, OwningThread (hex), EntryCount,
# ContentionCount, "*** Locked", then "Scanned N critical sections". The DebugInfo blocks are on
# the heap, which a MiniDumpNormal dump does not hold, so EntryCount/ContentionCount are "?".
dump: fixture:dumps/hang_deadlock.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !locks
# The "at" address is printed in upper case (as the reference's example): checked in
# tests/unit/test_pattern.c (locks_output_exact); here the rest of the layout.
contains: CritSec +{{lock_a_address}} at 0000000000
contains: CritSec +{{lock_b_address}} at 0000000000
contains: LockCount          {{lock_a_lock_count}}
contains: RecursionCount     {{lock_a_recursion_count}}
contains: OwningThread       {{lock_a_owning_thread}}
contains: OwningThread       {{lock_b_owning_thread}}
contains: EntryCount         ?
contains: ContentionCount    ?
contains: *** Locked
contains: Scanned 2 critical sections


cmd: !ntsdexts.locks -v
contains: Scanned 2 critical sections

# Options other than -v and -o are a syntax error.
cmd: !locks -x
contains: Syntax error
