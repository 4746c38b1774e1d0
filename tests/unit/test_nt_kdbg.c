/*
 * Tests of the KdDebuggerDataBlock decoder (src/nt/kdbg.c). Expected values:
 *   - the corpus triage dump's KDBG copy (file offset 0x104A8, 0x380 bytes): KernBase is the
 *     ntoskrnl base the driver list gives (0xFFFFF8047BA00000), PsLoadedModuleList,
 *     PsActiveProcessHead and MmPfnDatabase are the DUMP_HEADER64 values, SizeEProcess 0xA40 and
 *     SizePrcb 0xAF00 are the ISF's _EPROCESS/_KPRCB sizes (all from shared/corpus/kernel/MANIFEST.md);
 *   - synthetic blocks this file writes at the wdbgexts.h offsets.
 */
#include <stdlib.h>

#include "base/cursor.h"
#include "base/mapfile.h"
#include "check.h"
#include "nt/kdbg.h"
#include "nt/kernel_names.h"
#include "test_nt_fake.h"

static bool triage_kdbg(struct dd_mapfile *m)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not present");
        return false;
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/kernel/rizin-testbins/triage_x64.dmp", dir);
    struct dd_error *err = dd_mapfile_open(path, m);
    if (err) {
        dd_error_destroy(err);
        check_skip("triage_x64.dmp not present");
        return false;
    }
    return true;
}

TEST(nt_kdbg_triage_copy)
{
    struct dd_mapfile m;
    if (!triage_kdbg(&m))
        return;
    CHECK(m.size > 0x104a8 + 0x380);
    CHECK(kdbg_has_tag(m.data + 0x104a8, 0x380));
    struct kdbg k;
    CHECK_OK(kdbg_decode(m.data + 0x104a8, 0x380, &k));
    CHECK(!k.is32);
    CHECK_EQ(k.size, 0x380);
    CHECK_EQ(k.kern_base, 0xfffff8047ba00000ULL);
    CHECK_EQ(k.ps_loaded_module_list, 0xfffff8047c62a390ULL);
    CHECK_EQ(k.ps_active_process_head, 0xfffff8047c61e200ULL);
    CHECK_EQ(k.mm_pfn_database, 0xfffff8047c6fc500ULL);
    CHECK_EQ(k.size_eprocess, 0xa40);
    CHECK_EQ(k.size_prcb, 0xaf00);
    /* The ISF's offsets for the same kernel: KTHREAD.Teb 0xf0, KernelStack 0x58, ApcState.Process
     * 0xb8, State 0x184, EPROCESS.Peb 0x550, KPRCB.CurrentThread 0x8. */
    CHECK_EQ(k.offset_kthread_teb, 0xf0);
    CHECK_EQ(k.offset_kthread_kernel_stack, 0x58);
    CHECK_EQ(k.offset_kthread_apc_process, 0xb8);
    CHECK_EQ(k.offset_kthread_state, 0x184);
    CHECK_EQ(k.offset_eprocess_peb, 0x550);
    CHECK_EQ(k.offset_prcb_current_thread, 0x8);
    CHECK(k.ki_processor_block > k.kern_base);
    CHECK(k.pte_base != 0);
    dd_mapfile_close(&m);
}

TEST(nt_kdbg_triage_copy_truncated)
{
    struct dd_mapfile m;
    if (!triage_kdbg(&m))
        return;
    /* A copy cut after the Server 2003 offsets still decodes; later members stay unset. */
    struct kdbg k;
    CHECK_OK(kdbg_decode(m.data + 0x104a8, 0x2c2, &k));
    CHECK_EQ(k.size_eprocess, 0xa40);
    CHECK_EQ(k.ke_loader_block, 0);
    CHECK_EQ(k.offset_kthread_wait_reason, KDBG_NO_OFFSET);
    CHECK_EQ(k.pte_base, 0);
    /* Only the header: too short for the list heads, which read as 0. */
    CHECK_OK(kdbg_decode(m.data + 0x104a8, 0x18, &k));
    CHECK_EQ(k.kern_base, 0);
    dd_mapfile_close(&m);
}

/* A synthetic 64-bit block of SIZE bytes with a few known values. */
static void make_block64(uint8_t *b, uint32_t size)
{
    memset(b, 0, size);
    nt_put32(b + 0x10, KDBG_OWNER_TAG);
    nt_put32(b + 0x14, size);
    nt_put64(b + 0x18, 0xfffff80000400000ULL);  /* KernBase */
    nt_put64(b + 0x48, 0xfffff80000612340ULL);  /* PsLoadedModuleList */
    nt_put64(b + 0x50, 0xfffff80000605670ULL);  /* PsActiveProcessHead */
    nt_put64(b + 0x218, 0xfffff80000700000ULL); /* KiProcessorBlock */
    nt_put16(b + 0x2a8, 0x4d0);                 /* SizeEProcess */
}

TEST(nt_kdbg_rejects_bad_blocks)
{
    uint8_t b[0x380];
    make_block64(b, sizeof(b));
    struct kdbg k;
    CHECK_OK(kdbg_decode(b, sizeof(b), &k));
    nt_put32(b + 0x14, KDBG_MAX_SIZE + 1);
    struct dd_error *err = kdbg_decode(b, sizeof(b), &k);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    nt_put32(b + 0x14, 0x10);
    err = kdbg_decode(b, sizeof(b), &k);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    memset(b + 0x10, 0, 4);
    err = kdbg_decode(b, sizeof(b), &k);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    err = kdbg_decode(b, 4, &k);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
}

TEST(nt_kdbg_decode32)
{
    /* KDDEBUGGER_DATA32: LIST_ENTRY32, tag at 8, Size at 0xc, KernBase at 0x10, ULONG fields
     * from KiCallUserMode at 0x24 in KDDEBUGGER_DATA64's order (PsLoadedModuleList 0x2c,
     * PsActiveProcessHead 0x30, MmPfnDatabase 0x68). */
    uint8_t b[0x10c];
    memset(b, 0, sizeof(b));
    nt_put32(b + 0x08, KDBG_OWNER_TAG);
    nt_put32(b + 0x0c, sizeof(b));
    nt_put32(b + 0x10, 0x80400000);
    nt_put32(b + 0x2c, 0x80481234);
    nt_put32(b + 0x30, 0x80485678);
    nt_put32(b + 0x68, 0x8048aaaa);
    nt_put16(b + 0x22, 1);
    struct kdbg k;
    CHECK_OK(kdbg_decode(b, sizeof(b), &k));
    CHECK(k.is32);
    CHECK(k.pae_enabled);
    CHECK_EQ(k.kern_base, 0xffffffff80400000ULL); /* sign-extended like the 64-bit block */
    CHECK_EQ(k.ps_loaded_module_list, 0xffffffff80481234ULL);
    CHECK_EQ(k.ps_active_process_head, 0xffffffff80485678ULL);
    CHECK_EQ(k.mm_pfn_database, 0xffffffff8048aaaaULL);
    CHECK_EQ(k.ki_processor_block, 0);
    CHECK_EQ(k.size_eprocess, KDBG_NO_OFFSET);
}

TEST(nt_kdbg_scramble_round_trip)
{
    struct kdbg_keys keys = {.wait_never = 0x8642097531fedcbaULL,
                             .wait_always = 0x0f1e2d3c4b5a6978ULL,
                             .block_encoded_addr = 0xfffff80312345678ULL};
    uint8_t b[0x380], orig[0x380];
    make_block64(b, sizeof(b));
    memcpy(orig, b, sizeof(b));
    kdbg_scramble(b, sizeof(b), &keys);
    CHECK(memcmp(b, orig, sizeof(b)) != 0);
    CHECK(!kdbg_has_tag(b, sizeof(b)));
    kdbg_unscramble(b, sizeof(b), &keys);
    CHECK(memcmp(b, orig, sizeof(b)) == 0);
    /* One word by the formula in KdCopyDataBlock: KiWaitAlways ^ bswap64(&KdpDataBlockEncoded ^
     * rol64(word ^ KiWaitNever, KiWaitNever & 63)); a rotate of 0 leaves the xor/bswap part. */
    struct kdbg_keys k0 = {.wait_never = 0x40, .wait_always = 0, .block_encoded_addr = 0};
    uint8_t w[8];
    nt_put64(w, 0x0102030405060740ULL); /* ^ 0x40 -> 0x0102030405060700, rol 0 */
    kdbg_unscramble(w, 8, &k0);
    CHECK_EQ(dd_le64(w), 0x0007060504030201ULL);
}

TEST(nt_kdbg_read_encoded)
{
    struct nt_fake f;
    nt_fake_init(&f, DD_CPU_X64, 19041);
    uint64_t addr = 0xfffff80000600b20ULL;
    uint8_t *b = nt_fake_block(&f, addr, 0x380);
    nt_fake_finish(&f);
    make_block64(b, 0x380);
    struct kdbg_keys keys = {.wait_never = 0x1234567890abcdefULL,
                             .wait_always = 0xfedcba0987654321ULL,
                             .block_encoded_addr = 0xfffff80000611111ULL};
    kdbg_scramble(b, 0x380, &keys);
    struct kdbg k;
    bool encoded = false;
    struct dd_error *err = kdbg_read(&f.t, addr, NULL, &k, NULL);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    CHECK_OK(kdbg_read(&f.t, addr, &keys, &k, &encoded));
    CHECK(encoded);
    CHECK_EQ(k.kern_base, 0xfffff80000400000ULL);
    CHECK_EQ(k.ps_active_process_head, 0xfffff80000605670ULL);
    CHECK_EQ(k.size_eprocess, 0x4d0);
    /* Wrong keys: no tag after decoding either. */
    keys.wait_always ^= 1; /* flips a bit of every word, the tag word included */
    err = kdbg_read(&f.t, addr, &keys, &k, NULL);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    /* Not in the dump at all. */
    err = kdbg_read(&f.t, addr + 0x100000, &keys, &k, NULL);
    CHECK(err && err->code == DD_ERR_MEMORY);
    dd_error_destroy(err);
    nt_fake_deinit(&f);
}

TEST(nt_kdbg_scan)
{
    struct nt_fake f;
    nt_fake_init(&f, DD_CPU_X64, 19041);
    uint64_t base = 0xfffff80000400000ULL;
    /* Page 0 present, page 1 missing, pages 2-3 present with the block's header straddling the
     * page 2/3 boundary; a decoy 'KDBG' with a bad Size sits earlier in page 2. */
    uint8_t *p0 = nt_fake_block(&f, base, 0x1000);
    uint8_t *p23 = nt_fake_block(&f, base + 0x2000, 0x2000);
    nt_fake_finish(&f);
    memcpy(p0 + 0x100, "KDBG", 4);
    nt_put32(p23 + 0x20 + 0x10, KDBG_OWNER_TAG);
    nt_put32(p23 + 0x20 + 0x14, 0x5);
    uint64_t at = base + 0x2ff8;
    make_block64(p23 + 0xff8, 0x380);
    uint64_t found;
    struct kdbg k;
    CHECK_OK(kdbg_scan(&f.t, base, 0x4000, base, &found, &k));
    CHECK_EQ(found, at);
    CHECK_EQ(k.ps_loaded_module_list, 0xfffff80000612340ULL);
    /* A different kernel base is not accepted. */
    struct dd_error *err = kdbg_scan(&f.t, base, 0x4000, base + 0x1000, &found, &k);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    /* A range that ends before the block finds nothing. */
    err = kdbg_scan(&f.t, base, 0x2000, 0, &found, &k);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    nt_fake_deinit(&f);
}

/* The kernel's shipped names: image and PDB, any case, with or without the extension. */
TEST(nt_kernel_file_names)
{
    CHECK(nt_kernel_file_name("ntoskrnl.exe", 12));
    CHECK(nt_kernel_file_name("NTKRNLMP.PDB", 12));
    CHECK(nt_kernel_file_name("ntkrpamp", 8));
    CHECK(nt_kernel_file_name("ntkrnlpa.exe", 8)); /* only the stem counted */
    CHECK(!nt_kernel_file_name("hal.dll", 7));
    CHECK(!nt_kernel_file_name("ntoskrnl2.exe", 13));
    CHECK(!nt_kernel_file_name("ntos", 4));
}
