/*
 * The per-processor threads of a kernel dump (nt_processor_threads_attach) when the
 * KdDebuggerDataBlock is encoded: over the synthetic kernel of test_nt_fake.c with its KDBG
 * scrambled by KdEncodeDataBlock's formula (kdbg_scramble), KiProcessorBlock is only known once
 * the three symbols KiWaitNever, KiWaitAlways and KdpDataBlockEncoded resolve, which is what the
 * kernel extension's lazy hook waits for. Also a WoW64 process's 32-bit loader list when
 * EPROCESS.Wow64Process is the PEB32 itself (the pre-Windows 10 form; the EWOW64PROCESS form is
 * in tests/golden/kdmp_kcontext_wow64.t). Every value below is one this file or the fixture wrote.
 */
#include <string.h>

#include "arch/arch.h"
#include "check.h"
#include "nt/kdbg.h"
#include "nt/kernel.h"
#include "nt/kprcb.h"
#include "nt/kprocess.h"
#include "test_nt_fake.h"

/* Where the fake keeps the two key values: spare bytes past the fake ntoskrnl's PE header. */
#define KP_WAIT_NEVER (FK_IMAGE(0) + 0x1f0)
#define KP_WAIT_ALWAYS (FK_IMAGE(0) + 0x1f8)
/* KdpDataBlockEncoded's address: only its value enters the formula, nothing is read there. */
#define KP_BLOCK_ENCODED 0xfffff80000611111ULL

static bool kp_find_symbol(void *ctx, const char *name, uint64_t *ret)
{
    (void)ctx;
    if (strcmp(name, "KiWaitNever") == 0)
        *ret = KP_WAIT_NEVER;
    else if (strcmp(name, "KiWaitAlways") == 0)
        *ret = KP_WAIT_ALWAYS;
    else if (strcmp(name, "KdpDataBlockEncoded") == 0)
        *ret = KP_BLOCK_ENCODED;
    else
        return false;
    return true;
}

/* The world with its KDBG encoded and one "header" thread holding processor 1's CONTEXT. */
static void kp_world(struct nt_fake *f, struct target_thread *hdr, uint8_t *hdr_ctx, size_t size)
{
    struct nt_fake_world w;
    nt_fake_world_build(f, &w);
    struct kdbg_keys keys = {.wait_never = 0x1234567890abcdefULL,
                             .wait_always = 0xfedcba0987654321ULL,
                             .block_encoded_addr = KP_BLOCK_ENCODED};
    nt_put64(w.image0 + 0x1f0, keys.wait_never);
    nt_put64(w.image0 + 0x1f8, keys.wait_always);
    kdbg_scramble(w.kdbg, 0x380, &keys);
    /* The crash happened on processor 1: the header's context is its saved one (pc ...a81). */
    memset(hdr_ctx, 0, size);
    nt_put32(hdr_ctx + 0x30, 0x10000b);
    nt_put64(hdr_ctx + 0x98, 0xfffff80000791f01ULL);
    nt_put64(hdr_ctx + 0xa0, 0xfffff80000791f80ULL);
    nt_put64(hdr_ctx + 0xf8, 0xfffff80000c05a81ULL);
    memset(hdr, 0, sizeof(*hdr));
    hdr->context = hdr_ctx;
    hdr->context_size = (uint32_t)size;
    f->t.threads = hdr;
    f->t.nthreads = 1;
}

TEST(nt_processor_threads_encoded_kdbg)
{
    const struct arch_ops *arch = arch_for_cpu(DD_CPU_X64);
    CHECK(arch && arch->context_size <= 0x1000);
    static uint8_t hdr_ctx[0x1000];
    struct target_thread hdr;
    struct nt_fake f;
    kp_world(&f, &hdr, hdr_ctx, arch->context_size);

    /* Without symbols (the open): the block does not decode, KiProcessorBlock is unknown and
     * the header's thread stays the only one. */
    struct nt_kernel_options plain = {.no_scan = true};
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, &plain, &k));
    CHECK(k.kdbg_origin != NT_KDBG_DECODED);
    CHECK_EQ(k.ki_processor_block, 0);
    uint32_t found = 99;
    nt_processor_threads_attach(&k, &found);
    CHECK_EQ(found, 0);
    CHECK_EQ(f.t.nthreads, 1);
    CHECK(f.t.threads == &hdr);

    /* With the three symbols: decoded, and one thread per processor. */
    struct nt_kernel_options with = {.no_scan = true, .find_symbol = kp_find_symbol};
    CHECK_OK(nt_kernel_init(&f.t, &with, &k));
    CHECK_EQ(k.kdbg_origin, NT_KDBG_DECODED);
    CHECK_EQ(k.ki_processor_block, FK_KPB);
    CHECK_EQ(k.ps_active_process_head, FK_PROC_HEAD);
    nt_processor_threads_attach(&k, &found);
    CHECK_EQ(found, 2);
    CHECK_EQ(f.t.nthreads, 2);
    if (f.t.nthreads == 2) {
        CHECK_EQ(f.t.threads[0].tid, 0);
        CHECK_EQ(f.t.threads[1].tid, 1);
        /* Processor 0: its KPRCB.ProcessorState.ContextFrame (Rip ...a80, Rsp ...f00). */
        struct regset rs;
        CHECK_OK(arch->context_decode(f.t.threads[0].context, f.t.threads[0].context_size, &rs));
        CHECK_EQ(regset_slot(&rs, arch->pc_slot), 0xfffff80000c05a80ULL);
        CHECK_EQ(regset_slot(&rs, arch->sp_slot), 0xfffff80000791f00ULL);
        /* Processor 1 matches the header's pc and sp, so it keeps the header's bytes. */
        CHECK(f.t.threads[1].context == hdr_ctx);
    }
    f.t.threads = NULL;
    f.t.nthreads = 0;
    nt_fake_deinit(&f);
}

TEST(nt_processor_threads_one_processor)
{
    /* A single-processor dump keeps its header thread: nothing to add. */
    const struct arch_ops *arch = arch_for_cpu(DD_CPU_X64);
    static uint8_t hdr_ctx[0x1000];
    struct target_thread hdr;
    struct nt_fake f;
    kp_world(&f, &hdr, hdr_ctx, arch->context_size);
    f.t.kernel.number_processors = 1;
    struct nt_kernel_options with = {.no_scan = true, .find_symbol = kp_find_symbol};
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, &with, &k));
    uint32_t found = 99;
    nt_processor_threads_attach(&k, &found);
    CHECK_EQ(found, 0);
    CHECK_EQ(f.t.nthreads, 1);
    f.t.threads = NULL;
    f.t.nthreads = 0;
    nt_fake_deinit(&f);
}

/* Writes a UNICODE_STRING32 at P naming TEXT (ASCII) stored at BUF_VA in B (BUF_VA's bytes). */
static void kp_ustr32(uint8_t *p, uint8_t *buf, uint32_t buf_va, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++)
        buf[2 * i] = (uint8_t)text[i];
    nt_put16(p, (uint16_t)(2 * n));
    nt_put16(p + 2, (uint16_t)(2 * n + 2));
    nt_put32(p + 4, buf_va);
}

TEST(nt_process_wow64_modules_direct_peb32)
{
    /* Before Windows 10, EPROCESS.Wow64Process below 4 GB is the PEB32 itself: PEB32 at
     * 0x7efde000 (Ldr +0xc), PEB_LDR_DATA32 at +0x100 (InLoadOrderModuleList +0xc), one
     * LDR_DATA_TABLE_ENTRY32 at +0x200 (DllBase +0x18, SizeOfImage +0x20, FullDllName +0x24,
     * BaseDllName +0x2c). */
    struct nt_fake f;
    nt_fake_init(&f, DD_CPU_X64, 19041);
    uint8_t *b = nt_fake_block(&f, 0x7efde000, 0x1000);
    nt_fake_finish(&f);
    nt_put32(b + 0xc, 0x7efde100);
    nt_put32(b + 0x10c, 0x7efde200); /* head Flink */
    nt_put32(b + 0x110, 0x7efde200); /* head Blink */
    nt_put32(b + 0x200, 0x7efde10c); /* entry Flink: back to the head */
    nt_put32(b + 0x204, 0x7efde10c);
    nt_put32(b + 0x218, 0x77d30000);
    nt_put32(b + 0x220, 0x180000);
    kp_ustr32(b + 0x224, b + 0x300, 0x7efde300, "C:\\Windows\\SysWOW64\\ntdll.dll");
    kp_ustr32(b + 0x22c, b + 0x400, 0x7efde400, "ntdll.dll");
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, &(struct nt_kernel_options){.no_scan = true}, &k));
    struct nt_process p;
    memset(&p, 0, sizeof(p));
    uint64_t peb32 = 0;
    struct dd_error *err = nt_process_wow64_peb(&k, &p, &peb32);
    CHECK(err && err->code == DD_ERR_NOT_FOUND); /* no WoW64Process: a native process */
    dd_error_destroy(err);
    p.have = NT_PROC_WOW64;
    p.wow64 = 0x7efde000;
    CHECK_OK(nt_process_wow64_peb(&k, &p, &peb32));
    CHECK_EQ(peb32, 0x7efde000);
    struct nt_kmodule_list ul = {0};
    CHECK_OK(nt_process_wow64_modules(&k, &p, &ul));
    CHECK_EQ(ul.count, 1);
    CHECK_EQ(ul.status.end, NT_LIST_END_HEAD);
    if (ul.count == 1) {
        CHECK_EQ(ul.items[0].base, 0x77d30000);
        CHECK_EQ(ul.items[0].size, 0x180000);
        CHECK_STR(ul.items[0].name, "ntdll.dll");
        CHECK_STR(ul.items[0].path, "C:\\Windows\\SysWOW64\\ntdll.dll");
    }
    nt_kmodule_list_free(&ul);
    /* A kernel address is an EWOW64PROCESS: one that is not in the dump is a memory error. */
    p.wow64 = 0xffffa00000004000ULL;
    err = nt_process_wow64_peb(&k, &p, &peb32);
    CHECK(err && err->code == DD_ERR_MEMORY);
    dd_error_destroy(err);
    nt_fake_deinit(&f);
}
