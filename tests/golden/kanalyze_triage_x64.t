# !analyze on the real x64 triage dump (rizinorg/rizin-testbins dmp/triage_x64.dmp), without
# symbols. Independent expectations:
# - MANIFEST.md / rizin's "iH": bug check 0x1000007e with parameters ffffffffc0000005 (the
#   exception code c0000005), fffff8048b58334c (where it happened), ffff850429891ee8 (the
#   exception record), ffff850429891720 (the context record); 0x1000007E has 0x7E's meaning
#   (Bug Check Code Reference), which WinDbg 10.0.2xxxx shows as "(7e)" with
#   Bugcheck.Code.LegacyAPI 0x1000007e (a published 0x7E triage transcript, o2micro_sdhost).
# - MANIFEST.md: amdppm.sys at 0xfffff8048b580000 (size 0x3b000) holds the faulting rip
#   0xfffff8048b58334c (= amdppm+0x334c); the faulting context has rsp 0xffff850429892120.
# - rizin's stack ("dbt"): frame 8 at 0xfffff8048b58334c sp 0xffff850429892120, frame 9
#   0xfffff8048b58313f sp 0xffff850429892150, frame 10 0xfffff8048b583234: the first STACK_TEXT
#   lines' Child-SP and RetAddr.
# - WinDbg's kernel layout and bucket for a 0x7E access violation without symbols
#   ("AV_o2micro_sdhost!unknown_function", "STACK_COMMAND:  .cxr 0x<P4> ; kb",
#   "EXCEPTION_RECORD:  <P3> -- (.exr 0x<P3>)"); FAILURE_ID_HASH = MD5 of UTF-16LE lowercase
#   "km:" + bucket with Python's hashlib ->  cc328f95-2c0d-e5bc-3d44-ec74b2a236fd.
# With amdppm.pdb loaded the blamed frame becomes amdppm!WriteIoMemRawEx+70 (rizin: +112) and
# the bucket AV_amdppm!WriteIoMemRawEx ({b967e674-8d22-35dd-426e-01888346a4a7}); that needs the
# module's CodeView record, which this triage dump keeps in a data block, not in its headers.
dump: corpus:kernel/rizin-testbins/triage_x64.dmp

cmd: !analyze
expect:
*******************************************************************************
*                                                                             *
*                        Bugcheck Analysis                                    *
*                                                                             *
*******************************************************************************

Use !analyze -v to get detailed debugging information.

BugCheck 1000007E, {ffffffffc0000005, fffff8048b58334c, ffff850429891ee8, ffff850429891720}

Probably caused by : amdppm.sys ( amdppm+334c )

Followup:     MachineOwner
---------
.

cmd: !analyze -v
contains: SYSTEM_THREAD_EXCEPTION_NOT_HANDLED (7e)
contains: Arg1: ffffffffc0000005, exception code that was not handled
contains: Arg2: fffff8048b58334c, address where the exception happened
contains: Arg3: ffff850429891ee8, exception record address
contains: Arg4: ffff850429891720, context record address
contains:     Key  : Bugcheck.Code.LegacyAPI
contains:     Value: 0x1000007e
contains: BUGCHECK_CODE:  7e
contains: BUGCHECK_P1: ffffffffc0000005
contains: BUGCHECK_P2: fffff8048b58334c
contains: BUGCHECK_P3: ffff850429891ee8
contains: BUGCHECK_P4: ffff850429891720
contains: FAULTING_IP: 
contains: amdppm+334c
contains: EXCEPTION_RECORD:  ffff850429891ee8 -- (.exr 0xffff850429891ee8)
contains: ExceptionAddress: fffff8048b58334c (amdppm+0x000000000000334c)
contains:    ExceptionCode: c0000005 (Access violation)
contains: CONTEXT:  ffff850429891720 -- (.cxr 0xffff850429891720)
contains: rip=fffff8048b58334c rsp=ffff850429892120
contains: amdppm+0x334c:
contains: Resetting default scope
contains: EXCEPTION_CODE_STR:  c0000005
contains: STACK_TEXT:
contains: ffff8504`29892120 fffff804`8b58313f     :
contains: ffff8504`29892150 fffff804`8b583234     :
contains: SYMBOL_NAME:  amdppm+334c
contains: MODULE_NAME: amdppm
contains: IMAGE_NAME:  amdppm.sys
contains: STACK_COMMAND:  .cxr 0xffff850429891720 ; kb
contains: BUCKET_ID_FUNC_OFFSET:  334c
contains: FAILURE_BUCKET_ID:  AV_amdppm!unknown_function
contains: OSPLATFORM_TYPE:  x64
contains: FAILURE_ID_HASH:  {cc328f95-2c0d-e5bc-3d44-ec74b2a236fd}

cmd: !analyze -json
contains: "bugcheck":
contains: "code":	"0x1000007e"
contains: "shown_code":	"0x7e"
contains: "name":	"SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"
contains: "exception_record":	"0xffff850429891ee8"
contains: "context_record":	"0xffff850429891720"
contains: "faulting_ip":	"0xfffff8048b58334c"
contains: "registers_from":	"context_record"
contains: "stack_command":	".cxr 0xffff850429891720 ; kb"
contains: "bucket":	"AV_amdppm!unknown_function"
contains: "hash":	"{cc328f95-2c0d-e5bc-3d44-ec74b2a236fd}"
