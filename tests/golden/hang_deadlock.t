# !analyze on the fixture hang_deadlock.dmp, a dump without an exception: the hang is analyzed.
# Facts from tests/fixtures/gen/hang_deadlock.c and its .expect file: worker A (tid
# worker_a_tid, thread 1 in thread_ids order) holds lock_a and waits for lock_b; worker B
# (worker_b_tid, thread 2) holds lock_b and waits for lock_a: a deadlock of both; main() waits
# in WaitForSingleObject for the dumper process. Both workers block in take_both(), the
# function that calls EnterCriticalSection for the second lock.
# Bucket: <PROBLEM_CLASS>_cfffffff_<image>!<function> (src/analyze/hang_verdict.c); its
# FAILURE_ID_HASH computed with Python as for crash buckets (analyze_null_write.t):
#   python3 -c "import hashlib,uuid; b='um:APPLICATION_HANG_DeadLock_cfffffff_hang_deadlock.exe!take_both';
#               print(uuid.UUID(bytes_le=hashlib.md5(b.lower().encode('utf-16le')).digest()))"
#   -> 17f9fcbe-be0c-7bff-f829-7e3ce5b43312
dump: fixture:dumps/hang_deadlock.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !analyze
expect:
*******************************************************************************
*                                                                             *
*                        Exception Analysis                                   *
*                                                                             *
*******************************************************************************

Use !analyze -v to get detailed debugging information.

Probably caused by : hang_deadlock.exe ( hang_deadlock!take_both+49 )

Followup:     MachineOwner
---------
.

cmd: !analyze -v
contains:     Value: APPLICATION_HANG_DeadLock_cfffffff_hang_deadlock.exe!take_both
contains:     Value: {17f9fcbe-be0c-7bff-f829-7e3ce5b43312}
contains:     Value: APPLICATION_HANG_DeadLock
contains: PROCESS_NAME:  hang_deadlock.exe
contains: DERIVED_WAIT_CHAIN:
contains: x    1 {{pid:x}}.{{worker_a_tid:x}}
contains: x    2 {{pid:x}}.{{worker_b_tid:x}}
contains: WAIT_CHAIN_COMMAND:  ~1s;k;;~2s;k;;
contains: BLOCKING_THREAD:  {{worker_a_tid_hex:08}}
contains: PRIMARY_PROBLEM_CLASS:  APPLICATION_HANG_DeadLock
contains: CRITICAL_SECTION:  {{lock_b_address:tick}} -- (!cs -s {{lock_b_address:tick}})
contains: STACK_TEXT:
contains: : hang_deadlock!take_both+0x49 [{{pdb_source_path}} @
contains: : hang_deadlock!hold_a_then_take_b+
contains: SYMBOL_NAME:  hang_deadlock!take_both+49
contains: MODULE_NAME: hang_deadlock
contains: IMAGE_NAME:  hang_deadlock.exe
contains: STACK_COMMAND:  ~1s ; kb
contains: FAILURE_BUCKET_ID:  APPLICATION_HANG_DeadLock_cfffffff_hang_deadlock.exe!take_both
contains: FAILURE_ID_HASH:  {17f9fcbe-be0c-7bff-f829-7e3ce5b43312}
contains: DUMPDBG_NOTE:  the dump holds no exception record
# The patterns: the deadlock cycle with both sections and their owners.
contains: PATTERNS:
contains:     Wait Chain: deadlock: ~1s (tid {{worker_a_tid:x}}) -> critical section {{lock_b_address:tick}} -> ~2s (tid {{worker_b_tid:x}}) -> critical section {{lock_a_address:tick}} -> ~1s (tid {{worker_a_tid:x}})
contains: waits in EnterCriticalSection at hang_deadlock!take_both+0x49: rcx at the call, set by `mov     rcx,qword ptr [rsp+38h]`
contains: = {{lock_b_address:tick}}
contains: = {{lock_a_address:tick}}
contains:     Blocked Thread: 3 threads are blocked; 2 wait for another thread, the chains end at ~1s (tid {{worker_a_tid:x}})
contains: ~0s (tid {{main_tid:x}}): Wait in WaitForSingleObject for handle
contains: ~1s (tid {{worker_a_tid:x}}): Critical Section in EnterCriticalSection for critical section {{lock_b_address:tick}} held by ~2s (tid {{worker_b_tid:x}}), called from hang_deadlock!take_both+0x49
lacks: EXCEPTION_RECORD
lacks: Message Box

# The same with -hang, and the session is left on thread 0 with its own context.
cmd: !analyze -v -hang
contains: FAILURE_BUCKET_ID:  APPLICATION_HANG_DeadLock_cfffffff_hang_deadlock.exe!take_both

cmd: ~.
contains: .  0  Id: {{pid:x}}.{{main_tid:x}} Suspend:
