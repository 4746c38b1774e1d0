# Stack Overflow on Breakpad's stack_exhaustion.dmp (MANIFEST: c00000fd, params 0 and
# 0x102000, the whole 1 MiB stack captured): the recursion (stack_overflow.c) and where the
# stack ran out.
dump: corpus:user/google-breakpad/stack_exhaustion.dmp

cmd: !analyze -v
contains:     Stack Overflow:
contains:         the stack could not grow to 00102000 (ExceptionInformation[1])
lacks: NULL Data Pointer
