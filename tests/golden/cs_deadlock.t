# !cs on the repo's fixture hang_deadlock.dmp (tests/fixtures/gen/hang_deadlock.c): worker A
# (thread 1, the second of thread_ids) holds lock_a and waits for lock_b, worker B (thread 2)
# the reverse. Every field value is what the program read from its own RTL_CRITICAL_SECTIONs
# just before the dump (lock_*_debug_info, lock_*_lock_count ... in hang_deadlock.expect, checked
# against the dump's bytes by mdmp_facts.py: lock_a_in_dump, lock_b_in_dump). Layout: the
# WinDbg 6.11 !cs output quoted in the issue's seed. Wine counts LockCount XP-style, so the raw
# LockCount 1 (one waiter) is shown. The sections are on main()'s stack (no module: "+0x...").
# Wine links no RtlCriticalSectionList: the sections come from the threads' waits and stacks.
dump: fixture:dumps/hang_deadlock.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !cs -l
expect:
-----------------------------------------
DebugInfo          = 0x{{lock_a_debug_info:016}}
Critical section   = 0x{{lock_a_address:016}} (+0x{{lock_a_address}})
LOCKED
LockCount          = 0x{{lock_a_lock_count}}
WaiterWoken        = No
OwningThread       = 0x{{lock_a_owning_thread:016}}
RecursionCount     = 0x{{lock_a_recursion_count}}
LockSemaphore      = 0x{{lock_a_lock_semaphore}}
SpinCount          = 0x{{lock_a_spin_count:016}}
-----------------------------------------
DebugInfo          = 0x{{lock_b_debug_info:016}}
Critical section   = 0x{{lock_b_address:016}} (+0x{{lock_b_address}})
LOCKED
LockCount          = 0x{{lock_b_lock_count}}
WaiterWoken        = No
OwningThread       = 0x{{lock_b_owning_thread:016}}
RecursionCount     = 0x{{lock_b_recursion_count}}
LockSemaphore      = 0x{{lock_b_lock_semaphore}}
SpinCount          = 0x{{lock_b_spin_count:016}}
-----------------------------------------
dumpdbg: ntdll!RtlCriticalSectionList is not available (ntdll has no symbols here): critical sections were found through the threads' waits and stacks
dumpdbg: the dump was written under Wine, whose critical sections count LockCount as Windows XP did (-1 free, then one per entry)
.

# -o: the owner's stack (kb of thread 1, worker A: hold_a_then_take_b is in it).
cmd: !cs -o {{lock_a_address}}
contains: Critical section   = 0x{{lock_a_address:016}} (+0x{{lock_a_address}})
contains: OwningThread DbgId = ~1s
contains: OwningThread Stack =
contains: hang_deadlock!take_both+
contains: hang_deadlock!hold_a_then_take_b+
contains: hang_deadlock!worker_a_main+

cmd: !cs -s {{lock_b_address}}
contains: OwningThread       = 0x{{lock_b_owning_thread:016}}
contains: No stack trace saved
lacks: OwningThread Stack

# A range holding both sections: each is found (owned by a thread of the dump).
cmd: !cs {{lock_a_address}} {{lock_b_address}}+0x28
contains: Critical section   = 0x{{lock_a_address:016}}
contains: Critical section   = 0x{{lock_b_address:016}}

# Memory the dump does not hold.
cmd: !cs 12345678
contains: Cannot read critical section at 12345678

cmd: !cs -z
contains: Unknown option '-z'
