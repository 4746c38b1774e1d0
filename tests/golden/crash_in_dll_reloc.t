# Bucket stability: the second run of crash_in_dll.exe (tests/fixtures/gen/crash_in_dll.c, run
# as "crash_in_dll.exe relocate") first reserved the DLL's preferred range 6f000000, so the
# loader put crash_in_dll_lib.dll elsewhere (dll_base and dll_relocated: yes in
# crash_in_dll_reloc.expect); a new process with other thread ids and addresses, the same
# crash. !analyze must give the bucket and FAILURE_ID_HASH of crash_in_dll.t (see there for
# how they were computed), literally the same strings; a different crash
# (crash_null_write) has another bucket (analyze_null_write.t).
dump: fixture-xz:dumps/crash_in_dll_reloc.dmp.xz
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

# The DLL really moved: the fault lies at dll_base + 0x1380 (exception_address).
cmd: lm m crash_in_dll_lib
contains: {{dll_base:tick}}
contains: crash_in_dll_lib

cmd: .exr -1
contains: ExceptionAddress: {{exception_address:016}} (crash_in_dll_lib!dll_store+0x0000000000000030)

cmd: !analyze -v
contains:     Value: NULL_POINTER_WRITE_c0000005_crash_in_dll_lib.dll!dll_store
contains:     Value: {49ae6108-fdef-de7e-fe39-e8a8225539bc}
contains: SYMBOL_NAME:  crash_in_dll_lib!dll_store+30
contains: FAILURE_BUCKET_ID:  NULL_POINTER_WRITE_c0000005_crash_in_dll_lib.dll!dll_store
contains: FAILURE_ID_HASH:  {49ae6108-fdef-de7e-fe39-e8a8225539bc}

# The relocated DLL's frames still resolve through its PDB.
cmd: .ecxr
cmd: k 3
contains: crash_in_dll_lib!dll_store+0x30 [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 29]
contains: crash_in_dll_lib!dll_middle+0x2b [C:\dumpdbg\tests\fixtures\gen\crash_in_dll_lib.c @ 36]
contains: {{return_into_call_into_dll_address:tick}}     crash_in_dll_lib!dll_entry+0x86
