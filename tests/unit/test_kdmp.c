/*
 * The kernel-dump reader (dump/kdmp/). Expected values come from independent sources:
 *   - corpus/kernel/MANIFEST.md (header offsets and decoded facts of the two real files) and
 *     rizin's expected output for the triage dump (corpus/kernel/rizin-testdb/);
 *   - for the generated dumps in tests/fixtures/dumps/kernel/, their .txt descriptions: what
 *     tests/fixtures/gen/mkkdmp.py was asked to put where (each data word holds
 *     0xD00D000000000000 | its physical address unless a `fill` line wrote text there).
 * Corpus tests are skipped when the corpus is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "base/fmt.h"
#include "check.h"
#include "core/target.h"
#include "dump/dump.h"
#include "dump/kdmp/kdmp.h"

#define PATTERN 0xD00D000000000000ull

static struct target *open_path(const char *path)
{
    struct target *t = NULL;
    struct dd_error *err = target_open(path, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "opening %s: %s", path, err->message);
        dd_error_destroy(err);
        return NULL;
    }
    return t;
}

/* Opens corpus/kernel/REL; NULL (test skipped) when the corpus is missing. */
static struct target *corpus_open(const char *rel)
{
    const char *dir = check_corpus_dir();
    char path[4096];
    if (!dir) {
        check_skip("shared corpus not found");
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/kernel/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        check_skip("%s not in the corpus", rel);
        return NULL;
    }
    fclose(f);
    return open_path(path);
}

/* Opens tests/fixtures/dumps/kernel/NAME.dmp (a generated dump). */
static struct target *fixture_open(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/dumps/kernel/%s.dmp", check_fixtures_dir(), name);
    return open_path(path);
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Reads a u64 at virtual address VA; fails the test when it is not readable. */
static uint64_t vread64(struct target *t, uint64_t va)
{
    uint8_t b[8];
    size_t got = 0;
    struct dd_error *err = target_read(t, va, b, 8, &got);
    if (err) {
        check_fail(__FILE__, __LINE__, "reading %llx: %s", (unsigned long long)va, err->message);
        dd_error_destroy(err);
        return 0;
    }
    return le64(b);
}

static uint64_t pread64(struct target *t, uint64_t pa)
{
    uint8_t b[8];
    size_t got = 0;
    struct dd_error *err = target_read_physical(t, pa, b, 8, &got);
    if (err) {
        check_fail(__FILE__, __LINE__, "reading physical %llx: %s", (unsigned long long)pa,
                   err->message);
        dd_error_destroy(err);
        return 0;
    }
    return le64(b);
}

/* True when N bytes at VA (virtual, or physical when PHYS) read as the text TEXT. */
static bool reads_text(struct target *t, uint64_t addr, const char *text, bool phys)
{
    char buf[128] = {0};
    size_t n = strlen(text), got = 0;
    struct dd_error *err =
        phys ? target_read_physical(t, addr, buf, n, &got) : target_read(t, addr, buf, n, &got);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    return got == n && memcmp(buf, text, n) == 0;
}

/* True when reading 8 bytes at ADDR fails with a DD_ERR_MEMORY error at ADDR. */
static bool read_fails(struct target *t, uint64_t addr, bool phys)
{
    uint8_t b[8];
    size_t got = 99;
    struct dd_error *err =
        phys ? target_read_physical(t, addr, b, 8, &got) : target_read(t, addr, b, 8, &got);
    bool ok = err && err->code == DD_ERR_MEMORY && got == 0 && err->address == addr;
    dd_error_destroy(err);
    return ok;
}

static struct regset decode(const uint8_t *ctx, uint32_t size, const struct arch_ops *arch)
{
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    CHECK(ctx != NULL);
    if (ctx)
        CHECK_OK(arch->context_decode(ctx, size, &rs));
    return rs;
}

/* ---- the real triage dump (MANIFEST.md, rizin's expected output) ---- */

TEST(kdmp_triage_header)
{
    struct target *t = corpus_open("rizin-testbins/triage_x64.dmp");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK(f != NULL);
    const struct kdmp_header *h = &f->hdr;
    CHECK(h->is64);
    CHECK_EQ(h->dump_type, 4);
    CHECK_EQ(h->machine_image_type, 0x8664);
    CHECK_EQ(h->major_version, 0xf);
    CHECK_EQ(h->minor_version, 0x4a61);
    CHECK_EQ(h->number_processors, 16);
    CHECK_EQ(h->bugcheck_code, 0x1000007e);
    CHECK_EQ(h->bugcheck_params[0], 0xFFFFFFFFC0000005ull);
    CHECK_EQ(h->bugcheck_params[1], 0xFFFFF8048B58334Cull);
    CHECK_EQ(h->bugcheck_params[2], 0xFFFF850429891EE8ull);
    CHECK_EQ(h->bugcheck_params[3], 0xFFFF850429891720ull);
    CHECK_EQ(h->directory_table_base, 0x1AD000);
    CHECK_EQ(h->pfn_database, 0xFFFFF8047C6FC500ull);
    CHECK_EQ(h->ps_loaded_module_list, 0xFFFFF8047C62A390ull);
    CHECK_EQ(h->ps_active_process_head, 0xFFFFF8047C61E200ull);
    CHECK_EQ(h->kd_debugger_data_block, 0xFFFFF8047C600B20ull);
    CHECK(h->has_required_dump_space);
    CHECK_EQ(h->required_dump_space, 0x197915);
    CHECK_EQ(h->mini_dump_fields, 0xCFF);
    CHECK(h->has_product_info);
    CHECK_EQ(h->product_type, 1);
    CHECK_EQ(h->suite_mask, 0x110);
    /* rizin: SecondaryDataState 0x45474150, i.e. the "PAGE" fill: not written. */
    CHECK(!h->has_secondary_data_state);
    CHECK(h->has_system_time);
    /* SystemTime 2021-02-21 01:38:22 UTC. */
    CHECK_EQ(dd_filetime_to_unix(h->system_time), 1613871502);
    CHECK_EQ(h->exception.code, 0x80000003);
    CHECK_EQ(h->exception.address, 0xFFFFF8047BDF5A80ull);

    /* The generic target. */
    CHECK_EQ(t->kind, TARGET_KERNEL);
    CHECK_STR(t->kind_text, "Mini Kernel Dump File: Only registers and stack trace are available");
    CHECK_STR(t->kernel.system_text, "64-bit Kernel triage dump");
    CHECK_EQ(t->sys.cpu, DD_CPU_X64);
    CHECK_EQ(t->sys.number_of_processors, 16);
    CHECK_EQ(t->sys.build_number, 19041);
    CHECK_EQ(t->sys.major_version, 10);
    CHECK_EQ(t->sys.product_type, 1);
    CHECK_EQ(t->sys.suite_mask, 0x110);
    CHECK_EQ(t->kernel.bugcheck_code, 0x1000007e);
    CHECK_EQ(t->kernel.bugcheck_params[1], 0xFFFFF8048B58334Cull);
    CHECK_EQ(t->kernel.kd_debugger_data_block, 0xFFFFF8047C600B20ull);
    CHECK_EQ(t->kernel.kernel_base, 0xFFFFF8047BA00000ull);
    CHECK(t->kernel.system_up_time != 0);
    CHECK(t->kernel.has_header_exception);
    CHECK_EQ(t->kernel.header_exception.code, 0x80000003);
    CHECK(!t->has_exception);
    target_destroy(t);
}

TEST(kdmp_triage_triage_header)
{
    struct target *t = corpus_open("rizin-testbins/triage_x64.dmp");
    if (!t)
        return;
    const struct kdmp_triage *tr = &kdmp_file_of(t)->triage;
    CHECK(tr->present);
    CHECK_EQ(tr->size_of_dump, 0x13A28C);
    CHECK_EQ(tr->valid_offset, 0x13A288);
    CHECK_EQ(tr->context_offset, 0x348);
    CHECK_EQ(tr->exception_offset, 0xF00);
    CHECK_EQ(tr->mm_offset, 0x2080);
    CHECK_EQ(tr->unloaded_drivers_offset, 0x20D0);
    CHECK_EQ(tr->prcb_offset, 0x21B8);
    CHECK_EQ(tr->process_offset, 0xD0B8);
    CHECK_EQ(tr->thread_offset, 0xDAF8);
    CHECK_EQ(tr->call_stack_offset, 0xE390);
    CHECK_EQ(tr->size_of_call_stack, 0x2118);
    CHECK_EQ(tr->driver_list_offset, 0x10828);
    CHECK_EQ(tr->driver_count, 151);
    CHECK_EQ(tr->string_pool_offset, 0x15D18);
    CHECK_EQ(tr->string_pool_size, 0x3720);
    CHECK_EQ(tr->triage_options, 0xFFFFFFFF);
    CHECK_EQ(tr->top_of_stack, 0xFFFF850429890EE8ull);
    CHECK_EQ(tr->debugger_data_offset, 0x104A8);
    CHECK_EQ(tr->debugger_data_size, 0x380);
    CHECK_EQ(tr->data_blocks_offset, 0x19438);
    CHECK_EQ(tr->data_blocks_count, 1831);
    CHECK_EQ(tr->nblocks, 1831);
    /* The KDDEBUGGER_DATA64 copy: "KDBG" tag and size 0x380 in its header. */
    CHECK(t->kernel.kdbg_copy != NULL);
    CHECK_EQ(t->kernel.kdbg_copy_size, 0x380);
    if (t->kernel.kdbg_copy)
        CHECK(memcmp(t->kernel.kdbg_copy + 0x10, "KDBG", 4) == 0);
    CHECK_EQ(t->kernel.top_of_stack, 0xFFFF850429890EE8ull);
    /* Every area is a stream row; each data block too. */
    size_t blocks = 0;
    for (size_t i = 0; i < t->nstreams; i++)
        blocks += t->streams[i].type == KDMP_STREAM_DATA_BLOCK;
    CHECK_EQ(blocks, 1831);
    CHECK_STR(t->streams[0].name, "DUMP_HEADER64");
    target_destroy(t);
}

TEST(kdmp_triage_drivers)
{
    struct target *t = corpus_open("rizin-testbins/triage_x64.dmp");
    if (!t)
        return;
    CHECK_EQ(t->nmodules, 151);
    const struct target_module *nt = target_module_by_addr(t, 0xFFFFF8047BA00000ull);
    CHECK(nt != NULL);
    if (nt) {
        CHECK_EQ(nt->base, 0xFFFFF8047BA00000ull);
        CHECK_EQ(nt->size, 0x1046000);
        CHECK_EQ(nt->timestamp, 0x0D8333E6);
        CHECK_STR(nt->path, "\\SystemRoot\\system32\\ntoskrnl.exe");
        CHECK_STR(nt->name, "nt"); /* the debugger's name for the kernel image */
    }
    /* The faulting driver (bugcheck parameter 2) and cdb's `lm a fffff8048b58334c`. */
    const struct target_module *m = target_module_by_addr(t, 0xFFFFF8048B58334Cull);
    CHECK(m != NULL);
    if (m) {
        CHECK_STR(m->name, "amdppm");
        CHECK_EQ(m->base, 0xFFFFF8048B580000ull);
        CHECK_EQ(m->size, 0x3B000);
        CHECK_EQ(m->timestamp, 0xC9C03000);
        /* Its CodeView record, from a data block (MANIFEST: amdppm.pdb, GUID
         * 1C19FDDB27BB3399D9B45973EFEAFCF3, age 1; on disk the first three fields are LE). */
        static const uint8_t guid[16] = {0xdb, 0xfd, 0x19, 0x1c, 0xbb, 0x27, 0x99, 0x33,
                                         0xd9, 0xb4, 0x59, 0x73, 0xef, 0xea, 0xfc, 0xf3};
        CHECK_EQ(m->cv_kind, TARGET_CV_RSDS);
        CHECK(m->pdb_name && strcmp(m->pdb_name, "amdppm.pdb") == 0);
        CHECK_EQ(m->pdb_age, 1);
        CHECK(memcmp(m->pdb_guid, guid, 16) == 0);
    }
    /* Sorted by base for the binary search. */
    for (size_t i = 1; i < t->nmodules; i++)
        CHECK(t->modules[i - 1].base < t->modules[i].base);
    target_destroy(t);
}

TEST(kdmp_triage_stack_and_context)
{
    struct target *t = corpus_open("rizin-testbins/triage_x64.dmp");
    if (!t)
        return;
    /* rizin's dbt: frame 0 (KeBugCheckEx) has sp ffff850429890ee8 = TopOfStack, and frame 1's
       return address fffff8047be0f4e1 is the first qword there. */
    CHECK_EQ(vread64(t, 0xFFFF850429890EE8ull), 0xFFFFF8047BE0F4E1ull);
    /* Frame 9 (sp ffff850429892150) returns to fffff8048b58313f: the qword below its sp. */
    CHECK_EQ(vread64(t, 0xFFFF850429892148ull), 0xFFFFF8048B58313Full);
    /* The whole saved stack is readable; its end is not (nothing maps past it). */
    uint8_t *buf = malloc(0x2118);
    size_t got = 0;
    if (buf) {
        CHECK_OK(target_read(t, 0xFFFF850429890EE8ull, buf, 0x2118, &got));
        CHECK_EQ(got, 0x2118);
        free(buf);
    }
    CHECK(read_fails(t, 0xFFFF850429893000ull, false));
    /* The header's ContextRecord is the faulting context (MANIFEST). */
    const struct regset hc =
        decode(t->kernel.header_context, t->kernel.header_context_size, &arch_x64);
    CHECK_EQ(regset_slot(&hc, arch_x64.pc_slot), 0xFFFFF8048B58334Cull);
    CHECK_EQ(regset_slot(&hc, arch_x64.sp_slot), 0xFFFF850429892120ull);
    /* Processor 0's thread holds KeBugCheckEx's context (rizin's dr). */
    CHECK_EQ(t->nthreads, 1);
    CHECK_EQ(t->threads[0].tid, 0);
    const struct regset rs = decode(t->threads[0].context, t->threads[0].context_size, &arch_x64);
    CHECK_EQ(regset_slot(&rs, arch_x64.pc_slot), 0xFFFFF8047BDF5A80ull);
    CHECK_EQ(regset_slot(&rs, arch_x64.sp_slot), 0xFFFF850429890EE8ull);
    uint64_t rcx = 0, r15 = 0;
    CHECK(regset_get(&rs, arch_reg_find(&arch_x64, "rcx"), &rcx));
    CHECK(regset_get(&rs, arch_reg_find(&arch_x64, "r15"), &r15));
    CHECK_EQ(rcx, 0x7e);
    CHECK_EQ(r15, 0xFFFFF8047BA00000ull);
    /* A triage dump has virtual memory only. */
    CHECK(read_fails(t, 0x1000, true));
    target_destroy(t);
}

TEST(kdmp_triage_secondary_data)
{
    struct target *t = corpus_open("rizin-testbins/triage_x64.dmp");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    /* The blobs follow the triage data (SizeOfDump 0x13a28c) and end at the end of the file. */
    CHECK(f->has_blobs);
    CHECK_EQ(f->blob_file_offset, 0x13A28C);
    CHECK(f->nblobs > 0);
    if (f->nblobs) {
        const struct kdmp_blob *last = &f->blobs[f->nblobs - 1];
        CHECK(last->data_offset + last->data_size <= t->file.size);
    }
    target_destroy(t);
}

/* ---- the truncated DumpIt full-dump fragment (MANIFEST) ---- */

TEST(kdmp_imhex_full_fragment)
{
    struct target *t = corpus_open("imhex-patterns/dmp64.hexpat.bin");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK_EQ(f->hdr.dump_type, 1);
    CHECK_EQ(f->hdr.minor_version, 0x4A65);
    CHECK_EQ(f->hdr.number_processors, 4);
    CHECK_EQ(f->hdr.bugcheck_code, 0x5454414D);
    CHECK_EQ(f->hdr.bugcheck_params[0], 0x4E4F4F4D);
    CHECK_EQ(f->hdr.bugcheck_params[1], 0x534C4F53);
    CHECK_EQ(f->hdr.directory_table_base, 0x1AD002);
    CHECK_EQ(f->hdr.pfn_database, 0xFFFFEC0000000000ull);
    CHECK_EQ(f->hdr.required_dump_space, 0x7FE88000);
    CHECK_EQ(dd_filetime_to_unix(f->hdr.system_time), 1728737879); /* 2024-10-12 12:57:59 */
    CHECK_EQ(f->hdr.number_of_runs, 5);
    CHECK_EQ(f->hdr.number_of_pages, 0x7FE86);
    static const uint64_t runs[5][2] = {
        {0x2, 0x9E}, {0x100, 0x251}, {0x3D8, 0xD7DF}, {0xDBB8, 0x1FB7}, {0xFBFF, 0x70401}};
    CHECK_EQ(f->nruns, 5);
    uint64_t off = 0x2000;
    for (size_t i = 0; i < 5 && i < f->nruns; i++) {
        CHECK_EQ(f->runs[i].base_page, runs[i][0]);
        CHECK_EQ(f->runs[i].page_count, runs[i][1]);
        CHECK_EQ(f->runs[i].file_offset, off);
        off += runs[i][1] * 0x1000;
    }
    CHECK_STR(t->kind_text, "Kernel Complete Dump File: Full address space is available");
    /* The header context: rip fffff8072aa9136d, rsp ffffc10f7507f190. */
    const struct regset rs = decode(t->threads[0].context, t->threads[0].context_size, &arch_x64);
    CHECK_EQ(regset_slot(&rs, arch_x64.pc_slot), 0xFFFFF8072AA9136Dull);
    CHECK_EQ(regset_slot(&rs, arch_x64.sp_slot), 0xFFFFC10F7507F190ull);
    /* PFN 2 and 3 are the file's two pages; PFN 4 is listed but the file stops before it. */
    uint8_t page[16];
    size_t got = 0;
    CHECK_OK(target_read_physical(t, 0x2000, page, 16, &got));
    CHECK(memcmp(page, t->file.data + 0x2000, 16) == 0);
    CHECK_OK(target_read_physical(t, 0x3ff8, page, 8, &got));
    CHECK(memcmp(page, t->file.data + 0x3ff8, 8) == 0);
    struct dd_error *err = target_read_physical(t, 0x4000, page, 8, &got);
    CHECK(err && err->code == DD_ERR_MEMORY && got == 0);
    CHECK(err && strstr(err->message, "truncated") != NULL);
    dd_error_destroy(err);
    /* A read across the end of the file returns what is there. */
    err = target_read_physical(t, 0x3ffc, page, 8, &got);
    CHECK(err && got == 4 && err->address == 0x4000);
    dd_error_destroy(err);
    /* PFN 0 and 1 are in no run. */
    err = target_read_physical(t, 0x1000, page, 8, &got);
    CHECK(err && err->code == DD_ERR_MEMORY && strstr(err->message, "not in the dump"));
    dd_error_destroy(err);
    /* The warning says the file is truncated. */
    bool warned = false;
    for (size_t i = 0; i < f->nwarnings; i++)
        warned |= strstr(f->warnings[i], "truncated") != NULL;
    CHECK(warned);
    target_destroy(t);
}

/* ---- generated dumps: x64_full.txt ---- */

TEST(kdmp_x64_full_header)
{
    struct target *t = fixture_open("x64_full");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK_EQ(f->hdr.dump_type, 1);
    CHECK_EQ(f->hdr.minor_version, 19041);
    CHECK_EQ(f->hdr.number_processors, 2);
    CHECK_EQ(f->hdr.bugcheck_code, 0x7e);
    CHECK_EQ(f->hdr.bugcheck_params[1], 0xfffff80000000010ull);
    CHECK_EQ(f->hdr.system_time, 0x01d707f23dbb3399ull);
    CHECK_EQ(f->hdr.system_up_time, 0x23bc1e9);
    CHECK_EQ(f->hdr.product_type, 1);
    CHECK_EQ(f->hdr.suite_mask, 0x110);
    CHECK_EQ(f->hdr.kd_debugger_data_block, 0xfffff80000005000ull);
    CHECK_EQ(f->hdr.ps_loaded_module_list, 0xfffff80000006000ull);
    CHECK_EQ(f->hdr.ps_active_process_head, 0xfffff80000007000ull);
    CHECK_EQ(f->hdr.pfn_database, 0xfffffa8000000000ull);
    CHECK_STR(f->hdr.comment, "mkkdmp x64 full");
    CHECK_EQ(f->hdr.exception.code, 0x80000003);
    CHECK_EQ(f->hdr.exception.address, 0xfffff80000000010ull);
    /* The DirectoryTableBase is the first page-table page, PFN 1. */
    CHECK_EQ(f->hdr.directory_table_base, 0x1000);
    /* memory minus PFN 0x11 (missing) and PT 6 (drop-table). */
    static const uint64_t runs[][2] = {{1, 5},    {7, 2},     {0x10, 1},
                                       {0x12, 2}, {0x200, 2}, {0x40000, 2}};
    CHECK_EQ(f->nruns, 6);
    for (size_t i = 0; i < 6 && i < f->nruns; i++) {
        CHECK_EQ(f->runs[i].base_page, runs[i][0]);
        CHECK_EQ(f->runs[i].page_count, runs[i][1]);
    }
    CHECK_STR(t->kernel.system_text, "64-bit Full kernel dump");
    CHECK_EQ(t->sys.build_number, 19041);
    const struct regset rs = decode(t->threads[0].context, t->threads[0].context_size, &arch_x64);
    CHECK_EQ(regset_slot(&rs, arch_x64.pc_slot), 0xfffff80000000010ull);
    CHECK_EQ(regset_slot(&rs, arch_x64.sp_slot), 0xfffff80000002f00ull);
    target_destroy(t);
}

TEST(kdmp_x64_full_physical)
{
    struct target *t = fixture_open("x64_full");
    if (!t)
        return;
    CHECK(reads_text(t, 0x10010, "Hello from physical page 0x10", true));
    CHECK_EQ(pread64(t, 0x12008), PATTERN | 0x12008);
    CHECK_EQ(pread64(t, 0x8ff8), PATTERN | 0x8ff8);
    CHECK_EQ(pread64(t, 0x40001ff8), PATTERN | 0x40001ff8);
    CHECK(read_fails(t, 0x11000, true));  /* missing 0x11 */
    CHECK(read_fails(t, 0x6000, true));   /* the dropped page table */
    CHECK(read_fails(t, 0x202000, true)); /* past the memory described */
    CHECK(read_fails(t, 0x40002000, true));
    /* A read running into a missing page stops there. */
    uint8_t b[16];
    size_t got = 0;
    struct dd_error *err = target_read_physical(t, 0x10ff8, b, 16, &got);
    CHECK(err && got == 8 && err->address == 0x11000);
    dd_error_destroy(err);
    /* Physical reads cross from one run into the next. */
    CHECK_OK(target_read_physical(t, 0x12ff8, b, 16, &got));
    CHECK_EQ(le64(b + 8), PATTERN | 0x13000);
    target_destroy(t);
}

TEST(kdmp_x64_full_virtual)
{
    struct target *t = fixture_open("x64_full");
    if (!t)
        return;
    /* 4 KB pages: fffff800`00000000 -> PFN 0x10.. */
    CHECK(reads_text(t, 0xfffff80000000010ull, "Hello from physical page 0x10", false));
    CHECK_EQ(vread64(t, 0xfffff80000000008ull), PATTERN | 0x10008);
    CHECK_EQ(vread64(t, 0xfffff80000002008ull), PATTERN | 0x12008);
    CHECK_EQ(vread64(t, 0xfffff80000003ff8ull), PATTERN | 0x13ff8);
    CHECK(read_fails(t, 0xfffff80000001000ull, false)); /* PFN 0x11 is not in the dump */
    CHECK(read_fails(t, 0xfffff80000004000ull, false)); /* not mapped */
    /* 2 MB page -> PA 0x200000. */
    CHECK(reads_text(t, 0xfffff80000200100ull, "large page text", false));
    CHECK_EQ(vread64(t, 0xfffff80000201008ull), PATTERN | 0x201008);
    CHECK(read_fails(t, 0xfffff80000202000ull, false));
    /* 1 GB page -> PA 0x40000000. */
    CHECK_EQ(vread64(t, 0xffffc00000000008ull), PATTERN | 0x40000008);
    CHECK(reads_text(t, 0xffffc00000001000ull, "huge page text", false));
    CHECK(read_fails(t, 0xffffc00000002000ull, false));
    /* fffff800`00400000 maps PFN 8 through a page table the dump leaves out. */
    CHECK(read_fails(t, 0xfffff80000400000ull, false));
    CHECK_EQ(pread64(t, 0x8000), PATTERN | 0x8000);
    /* A virtual read across into the missing page returns the first part. */
    uint8_t b[16];
    size_t got = 0;
    struct dd_error *err = target_read(t, 0xfffff80000000ff8ull, b, 16, &got);
    CHECK(err && got == 8 && err->address == 0xfffff80000001000ull);
    dd_error_destroy(err);
    target_destroy(t);
}

/* ---- x64_bitmap.txt ---- */

TEST(kdmp_x64_bitmap)
{
    struct target *t = fixture_open("x64_bitmap");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK_EQ(f->memory, KDMP_MEMORY_BITMAP);
    CHECK_EQ(f->bitmap.signature, 0x504d4453); /* SDMP */
    /* The bitmap covers pages 0..0x201, rounded up to whole bytes. */
    CHECK_EQ(f->bitmap.nbits, 0x208);
    /* memory 8 + 4 + 2 pages, minus PFN 0x12 (missing) and PT 5 (drop-table). */
    CHECK_EQ(f->bitmap.present_pages, 12);
    CHECK_EQ(f->bitmap.header_pages, 12);
    CHECK_STR(t->kind_text, "Kernel Bitmap Dump File: Kernel address space is available, User "
                            "address space may not be available.");
    CHECK_STR(t->kernel.system_text, "64-bit Kernel bitmap dump");
    CHECK_EQ(t->kernel.bugcheck_code, 0xd1);
    CHECK_EQ(t->kernel.bugcheck_params[3], 0xfffff80000000020ull);
    CHECK_EQ(t->kernel.system_up_time, 0x174876e800ull);
    CHECK_EQ(t->sys.build_number, 22621);
    CHECK_EQ(t->sys.number_of_processors, 4);
    /* Physical. */
    CHECK(reads_text(t, 0x11020, "bitmap page 0x11", true));
    CHECK_EQ(pread64(t, 0x8008), PATTERN | 0x8008);
    CHECK_EQ(pread64(t, 0x13ff8), PATTERN | 0x13ff8);
    CHECK(read_fails(t, 0x12000, true));
    CHECK(read_fails(t, 0x5000, true));
    CHECK(read_fails(t, 0x0, true));
    CHECK(read_fails(t, 0x208000, true)); /* past the bitmap */
    /* Virtual. */
    CHECK(reads_text(t, 0xfffff80000001020ull, "bitmap page 0x11", false));
    CHECK_EQ(vread64(t, 0xfffff80000000000ull), PATTERN | 0x10000);
    CHECK(read_fails(t, 0xfffff80000002000ull, false));
    CHECK_EQ(vread64(t, 0xfffff80000003000ull), PATTERN | 0x13000);
    CHECK(reads_text(t, 0xfffff80000201000ull, "bitmap large page", false));
    CHECK_EQ(vread64(t, 0xfffff80000200ff8ull), PATTERN | 0x200ff8);
    CHECK(read_fails(t, 0xfffff80000400000ull, false));
    const struct regset rs = decode(t->threads[0].context, t->threads[0].context_size, &arch_x64);
    CHECK_EQ(regset_slot(&rs, arch_x64.pc_slot), 0xfffff80000000020ull);
    target_destroy(t);
}

/* ---- x86pae_full.txt, x86_full.txt, x86_bitmap.txt ---- */

static uint32_t vread32(struct target *t, uint64_t va)
{
    return (uint32_t)vread64(t, va);
}

TEST(kdmp_x86pae_full)
{
    struct target *t = fixture_open("x86pae_full");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK(!f->hdr.is64);
    CHECK_EQ(f->hdr.header_size, 0x1000);
    CHECK_EQ(f->hdr.pae_enabled, 1);
    CHECK(t->kernel.pae_enabled);
    CHECK_EQ(t->sys.cpu, DD_CPU_X86);
    CHECK_EQ(f->hdr.minor_version, 7601);
    CHECK_EQ(f->hdr.bugcheck_code, 0xa);
    CHECK_EQ(f->hdr.bugcheck_params[3], 0x80001234);
    CHECK_EQ(f->hdr.system_up_time, 0x5f5e100);
    CHECK_EQ(f->hdr.kd_debugger_data_block, 0x80005000);
    CHECK_EQ(f->hdr.ps_loaded_module_list, 0x80006000);
    CHECK_EQ(f->hdr.directory_table_base, 0x1000);
    CHECK_EQ(f->hdr.exception.address, 0x80000040);
    CHECK_STR(t->kernel.system_text, "32-bit Full kernel dump");
    CHECK(reads_text(t, 0x80000040, "pae page 0x10", false));
    CHECK_EQ(vread32(t, 0x80002000), 0x00012000);
    CHECK_EQ(vread64(t, 0x80002ff8), PATTERN | 0x12ff8);
    CHECK(read_fails(t, 0x80001000, false));
    CHECK(reads_text(t, 0x80201010, "pae large page", false));
    CHECK_EQ(vread64(t, 0x80200008), PATTERN | 0x200008);
    CHECK(read_fails(t, 0x80202000, false));
    CHECK(read_fails(t, 0x80600000, false)); /* PT 4 left out */
    CHECK_EQ(pread64(t, 0x6000), PATTERN | 0x6000);
    const struct regset rs = decode(t->threads[0].context, t->threads[0].context_size, &arch_x86);
    CHECK_EQ(regset_slot(&rs, arch_x86.pc_slot), 0x80000040);
    CHECK_EQ(regset_slot(&rs, arch_x86.sp_slot), 0x80002f00);
    target_destroy(t);
}

TEST(kdmp_x86_full)
{
    struct target *t = fixture_open("x86_full");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK_EQ(f->hdr.pae_enabled, 0);
    CHECK(!t->kernel.pae_enabled);
    CHECK_EQ(f->hdr.minor_version, 2600);
    CHECK_EQ(f->hdr.number_processors, 2);
    CHECK_EQ(f->hdr.bugcheck_code, 0x8e);
    CHECK_EQ(f->hdr.bugcheck_params[0], 0xc0000005);
    CHECK(!f->hdr.has_system_up_time);
    CHECK_EQ(t->sys.major_version, 5);
    CHECK_EQ(t->sys.minor_version, 1);
    CHECK_EQ(vread32(t, 0x80000000), 0x00010000);
    CHECK(reads_text(t, 0x80001000, "x86 page 0x11", false));
    CHECK(read_fails(t, 0x80002000, false)); /* PFN 0x12 missing */
    /* 4 MB page -> PA 0x400000. */
    CHECK_EQ(vread64(t, 0x80400008), PATTERN | 0x400008);
    CHECK(reads_text(t, 0x80401ff0, "x86 4 MB page", false));
    CHECK(read_fails(t, 0x80402000, false));
    CHECK(read_fails(t, 0x80800000, false)); /* PT 3 left out */
    CHECK_EQ(pread64(t, 0x4000), PATTERN | 0x4000);
    target_destroy(t);
}

TEST(kdmp_x86_bitmap)
{
    struct target *t = fixture_open("x86_bitmap");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK_EQ(f->memory, KDMP_MEMORY_BITMAP);
    CHECK_EQ(f->bitmap.signature, 0x504d4446); /* FDMP */
    CHECK_EQ(f->bitmap.nbits, 0x18);
    CHECK_EQ(f->bitmap.present_pages, 6); /* 4 + 3 pages, minus PFN 0x10 */
    CHECK_STR(t->kind_text, "Kernel Bitmap Dump File: Full address space is available");
    CHECK_EQ(t->sys.product_type, 3);
    CHECK(reads_text(t, 0x80001000, "x86 bitmap page 0x11", false));
    CHECK_EQ(vread64(t, 0x80002008), PATTERN | 0x12008);
    CHECK(read_fails(t, 0x80000000, false));
    CHECK(read_fails(t, 0x10000, true));
    target_destroy(t);
}

/* ---- malformed input: clear errors, never a crash ---- */

static struct dd_error *open_bytes(const uint8_t *data, size_t size, struct target **ret)
{
    return dump_open_memory(data, size, "bytes.dmp", ret);
}

TEST(kdmp_malformed_headers)
{
    struct target *t = NULL;
    uint8_t small[16] = "PAGEDU64";
    struct dd_error *err = open_bytes(small, sizeof(small), &t);
    CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "DUMP_HEADER64"));
    dd_error_destroy(err);
    uint8_t bad[16] = "PAGEXXXX";
    err = open_bytes(bad, sizeof(bad), &t);
    CHECK(err && strstr(err->message, "PAGEDU64"));
    dd_error_destroy(err);

    /* A 64-bit header claiming a bitmap dump with an impossible bitmap: opens, no memory. */
    uint8_t *h = malloc(0x3000);
    if (!h)
        return;
    for (size_t i = 0; i < 0x3000; i += 4)
        memcpy(h + i, "PAGE", 4);
    memcpy(h, "PAGEDU64", 8);
    h[0x30] = 0x64, h[0x31] = 0x86; /* AMD64 */
    memset(h + 0xf98, 0, 4);
    h[0xf98] = 5;
    memcpy(h + 0x2000, "SDMPDUMP", 8);
    memset(h + 0x2020, 0xff, 0x18); /* FirstPage, pages, bits: all ones */
    err = open_bytes(h, 0x3000, &t);
    CHECK(err == NULL);
    if (!err) {
        CHECK_EQ(kdmp_file_of(t)->memory, KDMP_MEMORY_NONE);
        CHECK(kdmp_file_of(t)->nwarnings > 0);
        CHECK(read_fails(t, 0, true));
        CHECK(read_fails(t, 0xfffff80000000000ull, false));
        target_destroy(t);
    }
    dd_error_destroy(err);

    /* A triage header whose offsets and counts all point outside the file. */
    memset(h + 0x2000, 0xff, 0x80);
    h[0xf98] = 4;
    err = open_bytes(h, 0x3000, &t);
    CHECK(err == NULL);
    if (!err) {
        CHECK_EQ(t->nmodules, 0);
        CHECK(read_fails(t, 0xfffff80000000000ull, false));
        target_destroy(t);
    }
    dd_error_destroy(err);
    free(h);
}

/* ---- generated triage dumps: x64_triage.txt, x86_triage.txt ---- */

TEST(kdmp_x64_triage_generated)
{
    struct target *t = fixture_open("x64_triage");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK_EQ(f->hdr.dump_type, 4);
    CHECK_EQ(f->hdr.mini_dump_fields, 0xDFF);
    CHECK_EQ(f->hdr.bugcheck_code, 0x3b);
    CHECK_EQ(f->hdr.system_up_time, 0xba43b7400ull);
    CHECK(f->triage.present);
    CHECK_EQ(f->triage.driver_count, 3);
    CHECK_EQ(f->triage.processor, 3);
    CHECK_EQ(f->triage.thread_address, 0xffffa00000002000ull);
    CHECK_EQ(f->triage.process_address, 0xffffa00000003000ull);
    CHECK_EQ(f->triage.top_of_stack, 0xffffa00000008f00ull);
    CHECK_EQ(f->triage.size_of_call_stack, 0x100);
    /* Drivers, sorted by base: hal, ntoskrnl, mydrv. */
    CHECK_EQ(t->nmodules, 3);
    if (t->nmodules == 3) {
        CHECK_STR(t->modules[0].name, "hal");
        CHECK_EQ(t->modules[0].base, 0xfffff80411000000ull);
        CHECK_EQ(t->modules[0].size, 0x6000);
        CHECK_EQ(t->modules[0].timestamp, 0xabcd);
        CHECK_EQ(t->modules[0].checksum, 0x1111);
        CHECK_STR(t->modules[1].name, "nt");
        CHECK_STR(t->modules[1].path, "\\SystemRoot\\system32\\ntoskrnl.exe");
        CHECK_EQ(t->modules[1].timestamp, 0x12345678);
        CHECK_EQ(t->modules[1].checksum, 0xa5938c);
        CHECK_STR(t->modules[2].name, "mydrv");
        CHECK_EQ(t->modules[2].size, 0x3b000);
    }
    CHECK_EQ(t->nunloaded, 2);
    if (t->nunloaded == 2) {
        CHECK_STR(t->unloaded[0].name, "dam.sys");
        CHECK_EQ(t->unloaded[0].base, 0xfffff80414000000ull);
        CHECK_EQ(t->unloaded[0].size, 0x1c000);
        CHECK_STR(t->unloaded[1].name, "WdBoot.sys");
        CHECK_EQ(t->unloaded[1].size, 0x12000);
    }
    CHECK_EQ(t->kernel.kernel_base, 0xfffff80412000000ull);
    CHECK_STR(t->sys.build_string, "22621.1.amd64fre.ni_release.220506-1250");
    /* processor 3 holds the bugcheck context KPRCB.Context points at. */
    CHECK_EQ(t->nthreads, 1);
    CHECK_EQ(t->threads[0].tid, 3);
    const struct regset rs = decode(t->threads[0].context, t->threads[0].context_size, &arch_x64);
    CHECK_EQ(regset_slot(&rs, arch_x64.pc_slot), 0xfffff80412001234ull);
    CHECK_EQ(regset_slot(&rs, arch_x64.sp_slot), 0xffffa00000008f00ull);
    const struct regset hc =
        decode(t->kernel.header_context, t->kernel.header_context_size, &arch_x64);
    CHECK_EQ(regset_slot(&hc, arch_x64.pc_slot), 0xfffff80412340010ull);
    /* Virtual memory: a data block, the stack, the ETHREAD/EPROCESS/KDBG copies. */
    CHECK(reads_text(t, 0xfffff80412340000ull, "triage block text", false));
    CHECK_EQ(vread64(t, 0xffffa00000008f00ull), PATTERN | 0xa00000008f00ull);
    CHECK_EQ(vread64(t, 0xffffa00000008ff8ull), PATTERN | 0xa00000008ff8ull);
    CHECK(read_fails(t, 0xffffa00000009000ull, false));
    CHECK(reads_text(t, 0xffffa00000002000ull, "ETHREAD", false));
    CHECK(reads_text(t, 0xffffa00000003000ull, "EPROCESS", false));
    CHECK(reads_text(t, 0xfffff80412500010ull, "KDBG", false));
    CHECK(read_fails(t, 0xfffff80412340000ull - 8, false));
    /* Secondary data: two blobs, their tags and data (byte i = i & 0xff). */
    CHECK_EQ(f->nblobs, 2);
    if (f->nblobs == 2) {
        static const uint8_t tag0[16] = {0x88, 0x48, 0xc8, 0x54, 0xd1, 0x01, 0x1e, 0x4c,
                                         0xbe, 0xd6, 0x28, 0x2c, 0x98, 0x24, 0x13, 0x03};
        CHECK(memcmp(f->blobs[0].tag, tag0, 16) == 0);
        CHECK_EQ(f->blobs[0].data_size, 0x40);
        CHECK_EQ(f->blobs[1].data_size, 0x13);
        CHECK_EQ(t->file.data[f->blobs[1].data_offset + 0x12], 0x12);
    }
    target_destroy(t);
}

TEST(kdmp_x86_triage_generated)
{
    struct target *t = fixture_open("x86_triage");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK(!f->hdr.is64);
    CHECK_EQ(f->triage.header_offset, 0x1000);
    CHECK_EQ(f->triage.context_offset, 0x320);
    CHECK_EQ(f->triage.exception_offset, 0x7d0);
    CHECK_EQ(f->triage.top_of_stack, 0x8f000000);
    CHECK_EQ(f->triage.data_blocks_count, 2);
    CHECK_EQ(f->hdr.bugcheck_params[1], 0x82001000);
    CHECK_STR(t->kernel.system_text, "32-bit Kernel triage dump");
    CHECK_EQ(t->nmodules, 2);
    if (t->nmodules == 2) {
        CHECK_STR(t->modules[0].name, "nt"); /* ntkrpamp.exe is the kernel too */
        CHECK_EQ(t->modules[0].base, 0x82000000);
        CHECK_EQ(t->modules[0].size, 0x410000);
        CHECK_EQ(t->modules[0].timestamp, 0x4ce7951a);
        CHECK_EQ(t->modules[0].checksum, 0x3c5f8a);
        CHECK_STR(t->modules[1].name, "mydrv");
        CHECK_EQ(t->modules[1].timestamp, 0x11223344);
    }
    CHECK_EQ(t->nunloaded, 1);
    if (t->nunloaded == 1) {
        CHECK_STR(t->unloaded[0].name, "old.sys");
        CHECK_EQ(t->unloaded[0].size, 0x10000);
    }
    CHECK_EQ(t->kernel.kernel_base, 0x82000000);
    CHECK_EQ(t->threads[0].tid, 1);
    const struct regset rs = decode(t->threads[0].context, t->threads[0].context_size, &arch_x86);
    CHECK_EQ(regset_slot(&rs, arch_x86.pc_slot), 0x82001234);
    CHECK_EQ(regset_slot(&rs, arch_x86.sp_slot), 0x8f000000);
    CHECK(reads_text(t, 0x82001000, "x86 triage block", false));
    CHECK_EQ(vread32(t, 0x8f000000), 0x8f000000);
    CHECK_EQ(vread32(t, 0x8f000074), 0xd00d0000);
    CHECK(reads_text(t, 0x85000000, "ETHREAD", false));
    CHECK(reads_text(t, 0x86000000, "EPROCESS", false));
    CHECK(!f->has_blobs);
    target_destroy(t);
}

/* ---- x64_rdmp.txt: the Windows 11 RDMP range list (DumpType 8) ---- */

TEST(kdmp_x64_rdmp)
{
    struct target *t = fixture_open("x64_rdmp");
    if (!t)
        return;
    const struct kdmp_file *f = kdmp_file_of(t);
    CHECK_EQ(f->hdr.dump_type, 8);
    CHECK_EQ(f->memory, KDMP_MEMORY_RUNS);
    /* memory (1,4) and (0x10,4) minus PFN 0x11. */
    static const uint64_t runs[][2] = {{1, 4}, {0x10, 1}, {0x12, 2}};
    CHECK_EQ(f->nruns, 3);
    for (size_t i = 0; i < 3 && i < f->nruns; i++) {
        CHECK_EQ(f->runs[i].base_page, runs[i][0]);
        CHECK_EQ(f->runs[i].page_count, runs[i][1]);
    }
    CHECK(reads_text(t, 0x12010, "rdmp page 0x12", true));
    CHECK(reads_text(t, 0xfffff80000002010ull, "rdmp page 0x12", false));
    CHECK_EQ(vread64(t, 0xfffff80000003ff8ull), PATTERN | 0x13ff8);
    CHECK(read_fails(t, 0xfffff80000001000ull, false));
    CHECK(read_fails(t, 0x11000, true));
    target_destroy(t);
}
