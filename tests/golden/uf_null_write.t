# uf over the fixture image: instructions as `llvm-objdump-16 -d --x86-asm-syntax=intel` shows
# them at 0x140001750..0x140001784 (level_one), rewritten in MASM form; line numbers from
# `llvm-pdbutil-16 dump -l crash_null_write.pdb`: 63 @0x750, 64 @0x758, 65 @0x769, 66 @0x779.
dump: fixture:dumps/crash_null_write.dmp
args: -y {{fixtures}}/dumps -i {{fixtures}}/dumps

cmd: uf crash_null_write!level_one
expect:
crash_null_write!level_one [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 63]:
   63 00000001`40001750 4883ec28        sub     rsp,28h
   63 00000001`40001754 894c2424        mov     dword ptr [rsp+24h],ecx
   64 00000001`40001758 488b542428      mov     rdx,qword ptr [rsp+28h]
   64 00000001`4000175d 488d0d182a0000  lea     rcx,[crash_null_write!.refptr.__xi_a+0x3c (00000001`4000417c)]
   64 00000001`40001764 e817feffff      call    crash_null_write!fx_kv_addr (00000001`40001580)
   65 00000001`40001769 8b4c2424        mov     ecx,dword ptr [rsp+24h]
   65 00000001`4000176d 83c101          add     ecx,1
   65 00000001`40001770 e89bffffff      call    crash_null_write!level_two (00000001`40001710)
   65 00000001`40001775 89442420        mov     dword ptr [rsp+20h],eax
   66 00000001`40001779 8b442420        mov     eax,dword ptr [rsp+20h]
   66 00000001`4000177d 83c001          add     eax,1
   66 00000001`40001780 4883c428        add     rsp,28h
   66 00000001`40001784 c3              ret
.

# uf /c: level_two calls fx_kv_addr at 0x14000172d (line 57) and crash_here at 0x140001737
# (line 58), per llvm-objdump and llvm-pdbutil.
cmd: uf /c crash_null_write!level_two
expect:
crash_null_write!level_two (00000001`40001710) [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 55]
  crash_null_write!level_two+0x1d (00000001`4000172d) [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 57]:
    calls to crash_null_write!fx_kv_addr (00000001`40001580)
  crash_null_write!level_two+0x27 (00000001`40001737) [C:\dumpdbg\tests\fixtures\gen\crash_null_write.c @ 58]:
    calls to crash_null_write!crash_here (00000001`40001540)
.

# A loop: fx_kv_addr's `jae` at 0x1400015ce leaves it and the `jmp` at 0x1400015f6 goes back
# to 0x1400015c6 (llvm-objdump); both targets start labelled blocks.
cmd: uf crash_null_write!fx_kv_addr
contains:   103 00000001`400015f6 e9cbffffff      jmp     crash_null_write!fx_kv_addr+0x46 (00000001`400015c6)
contains: crash_null_write!fx_kv_addr+0x46 [C:\dumpdbg\tests\fixtures\gen\fixture_common.h @ 103]:
contains: crash_null_write!fx_kv_addr+0x7b [C:\dumpdbg\tests\fixtures\gen\fixture_common.h @ 105]:
