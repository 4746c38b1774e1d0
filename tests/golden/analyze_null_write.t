# !analyze on the repo's fixture crash_null_write.dmp: crash_here() stores 0xbadf00d through a
# NULL pointer (tests/fixtures/gen/crash_null_write.c: exception_access write,
# exception_data_address 0, fault_function crash_here, module crash_null_write.exe).
# Expected values come from the fixture's .expect file and from WinDbg's conventions seen in
# published transcripts (see src/analyze/render_text.c and bucket.c):
# - a write to address 0 is NULL_POINTER_WRITE (as a read at 0 is NULL_POINTER_READ in the
#   Falcon BMS transcript; small non-zero addresses are NULL_CLASS_PTR_*);
# - FAILURE_ID_HASH = MD5 of UTF-16LE lowercase "um:" + bucket as a GUID, computed here with
#   Python's hashlib:
#   python3 -c "import hashlib,uuid; b='um:NULL_POINTER_WRITE_c0000005_crash_null_write.exe!crash_here';
#               print(uuid.UUID(bytes_le=hashlib.md5(b.lower().encode('utf-16le')).digest()))"
#   -> 4005a137-25df-5c3b-1cde-6f995e1445a6
# - SYMBOL_NAME's offset is exception_offset_in_fault_function (29) without 0x; the source line
#   of the store is 51 (llvm-pdbutil, see stack_null_write.t).
# - The faulting thread is thread 0 (faulting_tid == main_tid, the first of thread_ids).
dump: fixture:dumps/crash_null_write.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !analyze
expect:
*******************************************************************************
*                                                                             *
*                        Exception Analysis                                   *
*                                                                             *
*******************************************************************************

Use !analyze -v to get detailed debugging information.

Probably caused by : crash_null_write.exe ( crash_null_write!crash_here+{{exception_offset_in_fault_function}} )

Followup:     MachineOwner
---------

DUMPDBG_EXPLOITABILITY:  none - write near NULL (+20)
.

cmd: !analyze -v
contains: KEY_VALUES_STRING: 1
contains:     Key  : AV.Fault
contains:     Value: Write
contains:     Key  : Failure.Bucket
contains:     Value: NULL_POINTER_WRITE_c0000005_crash_null_write.exe!crash_here
contains:     Key  : Failure.Exception.IP.Address
contains:     Value: 0x{{exception_address}}
contains:     Value: 0x{{exception_context_rip}}
contains:     Value: {4005a137-25df-5c3b-1cde-6f995e1445a6}
contains: CONTEXT:  (.ecxr)
contains: rip={{exception_context_rip:016}} rsp={{exception_context_rsp:016}}
contains: crash_null_write!crash_here+0x{{exception_offset_in_fault_function}}:
contains: 00000001`40001569 c7000df0ad0b    mov     dword ptr [rax],0BADF00Dh ds:00000000`00000000=????????
contains: Resetting default scope
contains: EXCEPTION_RECORD:  (.exr -1)
contains: ExceptionAddress: {{exception_address:016}} (crash_null_write!crash_here+0x0000000000000029)
contains: Attempt to write to address 0000000000000000
contains: PROCESS_NAME:  {{module}}
contains: WRITE_ADDRESS:  0000000000000000
contains: ERROR_CODE: (NTSTATUS) 0xc0000005 - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.
contains: EXCEPTION_CODE_STR:  {{exception_code}}
contains: EXCEPTION_PARAMETER1:  0000000000000001
contains: EXCEPTION_PARAMETER2:  0000000000000000
contains: STACK_TEXT:
contains: {{exception_context_rsp:tick}} {{return_into_level_two_address:tick}}     :
contains: : crash_null_write!crash_here+0x29 [{{pdb_source_path}} @ 51]
contains: : crash_null_write!level_two+0x2c [{{pdb_source_path}} @ 58]
contains: FAULTING_SOURCE_LINE:  {{pdb_source_path}}
contains: FAULTING_SOURCE_FILE:  {{pdb_source_path}}
contains: FAULTING_SOURCE_LINE_NUMBER:  51
contains: SYMBOL_NAME:  crash_null_write!{{fault_function}}+{{exception_offset_in_fault_function}}
contains: MODULE_NAME: crash_null_write
contains: IMAGE_NAME:  {{module}}
contains: STACK_COMMAND:  ~0s; .ecxr ; kb
contains: FAILURE_BUCKET_ID:  NULL_POINTER_WRITE_c0000005_{{module}}!{{fault_function}}
contains: OSPLATFORM_TYPE:  {{arch}}
contains: FAILURE_ID_HASH:  {4005a137-25df-5c3b-1cde-6f995e1445a6}
contains: Followup:     MachineOwner
contains: DUMPDBG_EXPLOITABILITY:  none - write near NULL (+20)
# No invented fields: no OS_VERSION without a build string in the dump (Wine writes none).
lacks: OS_VERSION:
lacks: BUILDLAB_STR:

# The session is left as it was: still thread 0 with its own context, not the exception's.
cmd: ~.
contains: .  0  Id: {{pid:x}}.{{main_tid:x}} Suspend:

# -hang: why it hangs instead (src/analyze/hang_verdict.c): thread 0, the faulting thread, runs
# in crash_here (its own context is the fault's), the worker waits for an event: a busy hang.
cmd: !analyze -hang
contains: Probably caused by : crash_null_write.exe ( crash_null_write!crash_here+29 )

cmd: !analyze -bogus
contains: Syntax error
