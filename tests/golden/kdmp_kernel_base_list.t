# nt's base from the first PsLoadedModuleList entry when the debugger data block is not in the
# dump (x64_kbase_list.txt, mkkdmp.py): the head at fffff800`10001100 leads to the entry at
# fffff800`10001200, whose DllBase (KLDR_DATA_TABLE_ENTRY +0x30) is fffff800`0fa00000.
dump: fixture:dumps/kernel/x64_kbase_list.dmp

cmd: vertarget
contains: Kernel base = 0xfffff800`0fa00000 PsLoadedModuleList = 0xfffff800`10001100
