/*
 * Disassembly (src/disasm/) against real code from dumps. Expected instructions come
 * from an independent disassembler: `llvm-objdump-16 -d --x86-asm-syntax=intel` on
 * tests/fixtures/dumps/crash_null_write.exe, and GNU `objdump -D -b binary -m i386
 * -M intel` on minidump2.dmp's memory region 0 (0x7c90eb14, bytes from the Breakpad
 * golden minidump2.dump.out); their Intel notation is rewritten by hand in WinDbg's
 * MASM form ("0xbadf00d" -> "0BADF00Dh", "[esp+0x0]" -> "[esp]", "ret 0x8" -> "ret 8").
 */
#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "check.h"
#include "core/target.h"
#include "disasm/disasm.h"

static bool test_symbolize(void *arg, uint64_t addr, char *buf, size_t len)
{
    const struct target_module *m = target_module_by_addr(arg, addr);
    if (!m)
        return false;
    snprintf(buf, len, "%s+0x%llx", m->name, (unsigned long long)(addr - m->base));
    return true;
}

/* Decodes at ADDR and checks the whole `u` line. */
static void check_line(const struct disasm_ctx *c, uint64_t addr, const char *want)
{
    struct disasm_insn in;
    CHECK_OK(disasm_decode(c, addr, &in));
    char line[512];
    CHECK_STR(disasm_line_format(c, &in, line, sizeof(line)), want);
}

TEST(disasm_x64_fixture_crash_here)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/dumps/crash_null_write.dmp", check_fixtures_dir());
    struct target *t;
    CHECK_OK(target_open(path, &t));
    struct disasm_ctx c = {DD_CPU_X64, t, test_symbolize, t};
    /* objdump: 140001540: 48 83 ec 38  sub rsp, 0x38 ... (crash_here). */
    check_line(&c, 0x140001540, "00000001`40001540 4883ec38        sub     rsp,38h");
    check_line(&c, 0x140001544, "00000001`40001544 48894c2430      mov     qword ptr [rsp+30h],rcx");
    check_line(&c, 0x140001549, "00000001`40001549 488b442430      mov     rax,qword ptr [rsp+30h]");
    /* lea rcx, [rip + 0x2bf1] # 0x140004150: WinDbg names the address inside the module. */
    check_line(&c, 0x140001558,
               "00000001`40001558 488d0df12b0000  lea     rcx,[crash_null_write+0x4150 "
               "(00000001`40004150)]");
    /* call 0x140001580 */
    check_line(&c, 0x14000155f,
               "00000001`4000155f e81c000000      call    crash_null_write+0x1580 "
               "(00000001`40001580)");
    /* The faulting write at the exception address: mov dword ptr [rax], 0xbadf00d. */
    check_line(&c, 0x140001569,
               "00000001`40001569 c7000df0ad0b    mov     dword ptr [rax],0BADF00Dh");
    check_line(&c, 0x14000156f, "00000001`4000156f 4883c438        add     rsp,38h");
    check_line(&c, 0x140001573, "00000001`40001573 c3              ret");
    /* sub rsp, 0xc8 / mov qword ptr [rsp + 0xc0], rcx: a 16-digit byte column pushes right. */
    check_line(&c, 0x140001580, "00000001`40001580 4881ecc8000000  sub     rsp,0C8h");
    check_line(&c, 0x140001587,
               "00000001`40001587 48898c24c0000000 mov     qword ptr [rsp+0C0h],rcx");

    /* Memory that is not in the dump. */
    struct disasm_insn in;
    CHECK_OK(disasm_decode(&c, 0x45, &in));
    CHECK(in.missing);
    CHECK_EQ(in.size, 1);
    check_line(&c, 0x45, "00000000`00000045 ??              ???");

    /* ub: the three instructions before the fault are lea, call and mov (from 0x140001558). */
    uint64_t start = 0;
    CHECK_OK(disasm_find_back(&c, 0x140001569, 3, &start));
    CHECK_EQ(start, 0x140001558ULL);
    CHECK_OK(disasm_find_back(&c, 0x140001569, 1, &start));
    CHECK_EQ(start, 0x140001564ULL);

    /* The `r` line's annotation: a stack operand is "ss:", its value read from the dump. */
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = &arch_x64;
    uint64_t rsp = t->threads[0].stack_start;
    regset_put(&rs, arch_reg_find(&arch_x64, "rsp")->slot, rsp);
    CHECK_OK(disasm_decode(&c, 0x140001544, &in));
    uint64_t ea = 0;
    CHECK(disasm_effective_address(&in, &rs, &ea));
    CHECK_EQ(ea, rsp + 0x30);
    uint8_t b[8];
    size_t got = 0;
    CHECK_OK(target_read(t, ea, b, 8, &got));
    char want[256], line[512];
    snprintf(want, sizeof(want),
             "00000001`40001544 48894c2430      mov     qword ptr [rsp+30h],rcx "
             "ss:%08llx`%08llx=%016llx",
             (unsigned long long)(ea >> 32), (unsigned long long)(ea & 0xffffffffu),
             (unsigned long long)dd_le64(b));
    CHECK_STR(disasm_line_format_ea(&c, &in, &rs, line, sizeof(line)), want);
    /* lea computes an address without reading it: no annotation. */
    CHECK_OK(disasm_decode(&c, 0x140001558, &in));
    CHECK(!disasm_effective_address(&in, &rs, &ea));
    /* A register the set does not hold leaves the line bare. */
    CHECK_OK(disasm_decode(&c, 0x140001569, &in));
    CHECK(!disasm_effective_address(&in, &rs, &ea));
    target_destroy(t);
}

TEST(disasm_x86_minidump2_ntdll)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/minidump2.dmp", dir);
    struct target *t;
    CHECK_OK(target_open(path, &t));
    struct disasm_ctx c = {DD_CPU_X86, t, test_symbolize, t};
    /* objdump (i386, Intel), region 0 of minidump2.dmp at 0x7c90eb14. */
    check_line(&c, 0x7c90eb35, "7c90eb35 c20800          ret     8");
    check_line(&c, 0x7c90eb3e, "7c90eb3e 8bec            mov     ebp,esp");
    check_line(&c, 0x7c90eb40, "7c90eb40 83ec50          sub     esp,50h");
    check_line(&c, 0x7c90eb43, "7c90eb43 8944240c        mov     dword ptr [esp+0Ch],eax");
    /* mov eax, fs:0x18 */
    check_line(&c, 0x7c90eb47, "7c90eb47 64a118000000    mov     eax,dword ptr fs:[00000018h]");
    check_line(&c, 0x7c90eb4d, "7c90eb4d 8b80a4010000    mov     eax,dword ptr [eax+1A4h]");
    check_line(&c, 0x7c90eb56, "7c90eb56 c744240400000000 mov     dword ptr [esp+4],0");
    /* call 0x7c90ebac (ntdll is the module at 0x7c900000). */
    check_line(&c, 0x7c90eb6f, "7c90eb6f e838000000      call    ntdll+0xebac (7c90ebac)");
    /* lea esp, [esp+0x0]: MASM drops the zero displacement. */
    check_line(&c, 0x7c90eb7c, "7c90eb7c 8da42400000000  lea     esp,[esp]");
    /* ntdll!KiFastSystemCall: mov edx, esp; sysenter; KiFastSystemCallRet: ret. */
    check_line(&c, 0x7c90eb8b, "7c90eb8b 8bd4            mov     edx,esp");
    check_line(&c, 0x7c90eb8d, "7c90eb8d 0f34            sysenter");
    check_line(&c, 0x7c90eb94, "7c90eb94 c3              ret");
    check_line(&c, 0x7c90eba9, "7c90eba9 cd2e            int     2Eh");
    check_line(&c, 0x7c90ebaf, "7c90ebaf 9c              pushfd");
    check_line(&c, 0x7c90ebb0, "7c90ebb0 81ecd0020000    sub     esp,2D0h");
    /* mov dword ptr [ebp - 0x224], eax */
    check_line(&c, 0x7c90ebb6, "7c90ebb6 8985dcfdffff    mov     dword ptr [ebp-224h],eax");
    check_line(&c, 0x7c90ebd1, "7c90ebd1 8988b8000000    mov     dword ptr [eax+0B8h],ecx");

    /* ub 7c90eb94 L3: the nops at 7c90eb91..93. */
    uint64_t start = 0;
    CHECK_OK(disasm_find_back(&c, 0x7c90eb94, 3, &start));
    CHECK_EQ(start, 0x7c90eb91ULL);
    /* ub 7c90eb8d L1: mov edx,esp at 7c90eb8b. */
    CHECK_OK(disasm_find_back(&c, 0x7c90eb8d, 1, &start));
    CHECK_EQ(start, 0x7c90eb8bULL);
    target_destroy(t);
}

TEST(disasm_cpu_support)
{
    CHECK(disasm_cpu_supported(DD_CPU_X86));
    CHECK(disasm_cpu_supported(DD_CPU_X64));
    CHECK(disasm_cpu_supported(DD_CPU_ARM64)); /* Capstone: test_disasm_arm.c */
    CHECK(disasm_cpu_supported(DD_CPU_ARM));
    CHECK(!disasm_cpu_supported(DD_CPU_UNKNOWN));
    struct disasm_ctx c = {DD_CPU_UNKNOWN, NULL, NULL, NULL};
    struct disasm_insn in;
    struct dd_error *err = disasm_decode(&c, 0, &in);
    CHECK(err != NULL);
    dd_error_destroy(err);
}
