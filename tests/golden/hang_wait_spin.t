# !analyze -v on the fixture hang_wait_spin.dmp (tests/fixtures/gen/hang_wait_spin.c): the
# waiter (waiter_tid, thread 1) waits for the event config_ready (handle config_ready_handle,
# INFINITE), the spinner (spinner_tid, thread 2) runs in spin_until_stopped(), the sleeper
# (sleeper_tid, thread 3) calls SleepEx(INFINITE). No thread waits for another, one runs: a busy
# hang blamed on the spinner. Wine writes no ThreadInfoList, so no Spiking Thread pattern.
#   'um:APPLICATION_HANG_BusyHang_cfffffff_hang_wait_spin.exe!spin_until_stopped'
#   -> 0923d970-725b-0ac1-1917-2ad927f9568b
dump: fixture:dumps/hang_wait_spin.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !analyze -v
contains: FAILURE_BUCKET_ID:  APPLICATION_HANG_BusyHang_cfffffff_hang_wait_spin.exe!spin_until_stopped
contains: FAILURE_ID_HASH:  {0923d970-725b-0ac1-1917-2ad927f9568b}
contains: {{pid:x}}.{{spinner_tid:x}}
contains: Running
contains: STACK_COMMAND:  ~2s ; kb
contains: : hang_wait_spin!spin_until_stopped+0x
contains: ~1s (tid {{waiter_tid:x}}): Wait in WaitForSingleObject for handle 0x{{config_ready_handle}} (INFINITE), called from hang_wait_spin!wait_for_config+
contains: ~3s (tid {{sleeper_tid:x}}): Sleep in SleepEx for ever (INFINITE), called from hang_wait_spin!nap+
lacks: Spiking Thread
lacks: Wait Chain
