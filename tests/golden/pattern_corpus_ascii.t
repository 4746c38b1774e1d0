# Invalid Pointer on Breakpad's ascii_read_av.dmp (MANIFEST: read AV at 0x41414141, eip
# 0x00d6a6cd): ASCII text used as a pointer, loaded as a constant just before.
dump: corpus:user/google-breakpad/ascii_read_av.dmp

cmd: !analyze -v
contains:     Invalid Pointer: read from 41414141 (ASCII text "AAAA" used as a pointer) at crashme+0xa6cd
contains:           00d6a6c8 b841414141      mov     eax,41414141h
contains:           => the constant 41414141
lacks: NULL Data Pointer
