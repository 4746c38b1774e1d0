# rust-minidump's fuzzer-found inputs: a stream directory whose entries point outside the
# 276-byte file. The file must be rejected with a one-line error naming it, exit status 2.
dump: corpus:user/rust-minidump/malformed/invalid-range.dmp
exit: 2
stderr: invalid-range.dmp:
