# !analyze -v on the fixture hang_msgbox.dmp (tests/fixtures/gen/hang_msgbox.c): the UI thread
# (ui_tid, thread 1) enters the lock, then calls MessageBoxW(NULL, text, caption,
# MB_OK | MB_ICONERROR) from report_install_failure(); two waiter threads (waiter_1_tid,
# waiter_2_tid) block in EnterCriticalSection on that lock. The text was built in a stack
# buffer at message_box_text_address (message_box_text_in_dump: yes); the caption is a literal
# read from the image file. The seed's "blocked threads, message box and self-diagnosis".
# FAILURE_ID_HASH as in hang_deadlock.t:
#   'um:APPLICATION_HANG_BlockedOn_MessageBox_cfffffff_hang_msgbox.exe!report_install_failure'
#   -> 5a88f915-fc18-0f7a-168f-19b6555a7c9e
dump: fixture:dumps/hang_msgbox.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: !analyze -v
contains:     Value: APPLICATION_HANG_BlockedOn_MessageBox_cfffffff_hang_msgbox.exe!report_install_failure
contains: BLOCKING_THREAD:  {{ui_tid_hex:08}}
contains:    1 {{pid:x}}.{{ui_tid:x}}
contains: Message Box
contains: CRITICAL_SECTION:  {{lock_address:tick}} -- (!cs -s {{lock_address:tick}})
contains: SYMBOL_NAME:  hang_msgbox!report_install_failure+54
contains: STACK_COMMAND:  ~1s ; kb
contains: FAILURE_ID_HASH:  {5a88f915-fc18-0f7a-168f-19b6555a7c9e}
contains:     Message Box: ~1s (tid {{ui_tid:x}}) shows a message box: "{{message_box_text}}"
contains: caption: "{{message_box_caption}}"
contains: text at {{message_box_text_address:tick}} (rdx at the call, set by `lea     rdx,[rsp+20h]`
contains: in MessageBoxW
contains: called from hang_msgbox!report_install_failure+0x54
contains: it holds critical section {{lock_address:tick}}, which other threads wait for
contains: 2 threads are blocked until the box is closed
contains: ~2s (tid {{waiter_1_tid:x}}) -> critical section {{lock_address:tick}} -> ~1s (tid {{ui_tid:x}}) (Message Box)

# The lock: the UI thread owns it, LockCount 2 (two waiters, Wine's XP-style count).
cmd: !cs -l -o
contains: LockCount          = 0x{{lock_lock_count}}
contains: OwningThread       = 0x{{lock_owning_thread:016}}
contains: OwningThread DbgId = ~1s
contains: hang_msgbox!report_install_failure+0x54
contains: hang_msgbox!install_component+
