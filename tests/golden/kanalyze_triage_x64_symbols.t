# The real x64 triage dump with amdppm.pdb from its symbol store (srv*DIR: the store layout
# amdppm.pdb/<GUID><AGE>/amdppm.pdb). The dump keeps only 0x103 bytes of amdppm.sys's headers;
# the module's CodeView record (RSDS, GUID 1C19FDDB27BB3399D9B45973EFEAFCF3, age 1, amdppm.pdb -
# the MANIFEST's facts) lies in one of the triage data blocks, which the reader finds.
# Independent expectations:
# - rizin's expected stack ("dbt", rizin-testdb/triage_x64.rizin-expected.txt, offsets in
#   decimal): amdppm.WriteIoMemRawEx+112 at 0xfffff8048b58334c, WriteGenAddrEx+107,
#   WriteGenAddrMaybeHiddenEx+24, EvtDevicePrepareHardware+210 -> +0x70, +0x6b, +0x18, +0xd2.
# - WinDbg's 0x7E bucket AV_<module>!<function> and FAILURE_ID_HASH = MD5 of UTF-16LE lowercase
#   "km:av_amdppm!writeiomemrawex" (Python hashlib) = b967e674-8d22-35dd-426e-01888346a4a7.
dump: corpus:kernel/rizin-testbins/triage_x64.dmp
args: -y srv*{{corpus}}/kernel/rizin-test-pdb-repository

cmd: lm m amdppm
contains: fffff804`8b580000 fffff804`8b5bb000   amdppm

cmd: k
contains: amdppm!WriteGenAddrEx+0x6b
contains: amdppm!WriteGenAddrMaybeHiddenEx+0x18
contains: amdppm!EvtDevicePrepareHardware+0xd2

cmd: !analyze -v
contains: FAULTING_IP: 
contains: amdppm!WriteIoMemRawEx+70
contains: ExceptionAddress: fffff8048b58334c (amdppm!WriteIoMemRawEx+0x0000000000000070)
contains: FAILURE_BUCKET_ID:  AV_amdppm!WriteIoMemRawEx
contains: FAILURE_ID_HASH:  {b967e674-8d22-35dd-426e-01888346a4a7}
