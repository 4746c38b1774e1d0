# rust-minidump's fuzzer-found input with bogus record counts: rejected, exit status 2.
dump: corpus:user/rust-minidump/malformed/invalid-record-count.dmp
exit: 2
stderr: invalid-record-count.dmp:
