# !analyze on a dump without an exception stream (Breakpad's tiny-exe-with-cet-xsave.dmp:
# MANIFEST "NO exception stream", upstream expects "not crashed"): the verdict says so and
# invents no bucket. Hang analysis is not implemented yet.
dump: corpus:user/google-breakpad/tiny-exe-with-cet-xsave.dmp

cmd: !analyze -v
contains: Exception Analysis
contains: DUMPDBG_NOTE:  the dump holds no exception record
lacks: FAILURE_BUCKET_ID
lacks: EXCEPTION_RECORD
