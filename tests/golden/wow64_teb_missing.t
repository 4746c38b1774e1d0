# !teb when the dump holds no TEB bytes: google-syzygy/notepad-32bit.dmp (x86 view of 32-bit
# notepad, 2 threads; its MemoryList has no range at either TEB, 7efdd000 / 7efda000). The
# session starts on the exception's thread, 1 (2b24.2728, TEB 7efda000).
# Expected lines computed by: python3 tests/golden/wow64_facts.py DUMP teb
dump: corpus:user/google-syzygy/notepad-32bit.dmp

cmd: !teb
expect:
TEB at 7efda000
error InitTypeRead( TEB )...
.
