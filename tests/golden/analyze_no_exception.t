# !analyze on a dump without an exception stream (Breakpad's tiny-exe-with-cet-xsave.dmp:
# MANIFEST "NO exception stream", upstream expects "not crashed"): the verdict says so and
# invents no crash; as WinDbg does for such a dump, the hang is analyzed instead (its bucket is
# an APPLICATION_HANG_ one, never a crash class; see hang_*.t for hangs with known causes).
dump: corpus:user/google-breakpad/tiny-exe-with-cet-xsave.dmp

cmd: !analyze -v
contains: Exception Analysis
contains: DUMPDBG_NOTE:  the dump holds no exception record
contains: FAILURE_BUCKET_ID:  APPLICATION_HANG_
lacks: c0000005
lacks: EXCEPTION_RECORD
