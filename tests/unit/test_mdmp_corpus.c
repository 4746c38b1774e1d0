/*
 * The minidump reader against the shared corpus of real dumps. Expected values
 * come from independent sources: Breakpad's minidump_dump golden for
 * minidump2.dmp (parsed at run time) and the facts in corpus/user/MANIFEST.md
 * (upstream test assertions and descriptions). Skipped when the corpus is absent.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "core/target.h"
#include "dump/mdmp/mdmp.h"

/* Reads a whole stream into memory; NULL when it cannot. */
static uint8_t *slurp(FILE *f, size_t *ret_size)
{
    size_t cap = 1 << 16, size = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + size, 1, cap - size, f);
        size += n;
        if (size < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            return NULL;
        }
        buf = nb;
        cap *= 2;
    }
    *ret_size = size;
    return buf;
}

/* Opens corpus/user/REL; NULL (with the test marked skipped) when the corpus is missing. */
static struct target *corpus_open(const char *rel)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/%s", dir, rel);
    struct target *t = NULL;
    struct dd_error *err = target_open(path, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "opening %s: %s", rel, err->message);
        dd_error_destroy(err);
        return NULL;
    }
    return t;
}

/* ---- every dump in the corpus opens; the malformed ones fail with a precise error ---- */

struct walk {
    int opened, rejected;
};

static void walk_dir(const char *dir, struct walk *w)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk_dir(path, w);
            continue;
        }
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".dmp") != 0)
            continue;
        struct target *t = NULL;
        struct dd_error *err = target_open(path, &t);
        bool malformed = strstr(path, "/malformed/") != NULL;
        if (malformed) {
            if (!err) {
                check_fail(__FILE__, __LINE__, "%s: malformed dump opened", path);
                target_destroy(t);
            } else {
                if (err->code != DD_ERR_FORMAT)
                    check_fail(__FILE__, __LINE__, "%s: error code %d", path, err->code);
                w->rejected++;
                dd_error_destroy(err);
            }
        } else if (err) {
            check_fail(__FILE__, __LINE__, "%s: %s", path, err->message);
            dd_error_destroy(err);
        } else {
            if (!mdmp_file_of(t))
                check_fail(__FILE__, __LINE__, "%s: not opened by the minidump reader", path);
            w->opened++;
            target_destroy(t);
        }
    }
    closedir(d);
}

TEST(mdmp_corpus_every_dump_opens)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user", dir);
    struct walk w = {0, 0};
    walk_dir(path, &w);
    /* MANIFEST.md: 33 real Windows user-mode dumps (two of them still xz-compressed, which
       dump_open decompresses) + 2 malformed robustness inputs. */
    CHECK_EQ(w.opened, 33);
    CHECK_EQ(w.rejected, 2);
}

/* Error text of opening a malformed corpus file. */
static void check_malformed(const char *rel, const char *want1, const char *want2)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/%s", dir, rel);
    struct target *t = NULL;
    struct dd_error *err = target_open(path, &t);
    CHECK(err != NULL);
    if (!err) {
        target_destroy(t);
        return;
    }
    CHECK_EQ(err->code, DD_ERR_FORMAT);
    if (!strstr(err->message, want1) || !strstr(err->message, want2))
        check_fail(__FILE__, __LINE__, "%s: unexpected message \"%s\"", rel, err->message);
    dd_error_destroy(err);
}

TEST(mdmp_corpus_malformed_rejected)
{
    /* xxd: directory at rva 2 (overlapping the header); entry 0 claims 0x4000e bytes at
       rva 0x20000 of a 0x114-byte file. */
    check_malformed("rust-minidump/malformed/invalid-range.dmp",
                    "stream directory entry 0 (type 0xa793504d) at offset 0x2",
                    "rva 0x20000, size 0x4000e, lies outside the file (size 0x114)");
    /* xxd: 16 entries at rva 0x1e; entry 0 claims 0x93504d44 bytes at rva 0x100015a7. */
    check_malformed("rust-minidump/malformed/invalid-record-count.dmp",
                    "stream directory entry 0 (type 0x4d7a0001) at offset 0x1e",
                    "rva 0x100015a7, size 0x93504d44, lies outside the file (size 0xeb)");
}

/* ---- minidump2.dmp against Breakpad's minidump_dump golden ---- */

struct golden {
    char *text;
};

static bool golden_load(struct golden *g, const char *rel)
{
    g->text = NULL;
    const char *dir = check_corpus_dir();
    if (!dir)
        return false;
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t size = 0;
    uint8_t *data = slurp(f, &size);
    fclose(f);
    if (!data)
        return false;
    /* slurp stops with size < capacity, so the terminator fits. */
    g->text = (char *)data;
    g->text[size] = '\0';
    return true;
}

/*
 * Value of "  KEY = value" inside the block that starts with line SECTION (up
 * to the next blank line); copied into BUF without surrounding quotes. NULL when absent.
 */
static const char *golden_get(const struct golden *g, const char *section, const char *key,
                              char *buf, size_t len)
{
    size_t slen = strlen(section);
    const char *p = g->text;
    while (p && *p) {
        if (strncmp(p, section, slen) == 0 && p[slen] == '\n')
            break;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        return NULL;
    size_t klen = strlen(key);
    for (p = strchr(p, '\n'); p && p[1] && p[1] != '\n'; p = strchr(p + 1, '\n')) {
        const char *line = p + 1;
        while (*line == ' ')
            line++;
        if (strncmp(line, key, klen) != 0 || (line[klen] != ' ' && line[klen] != '='))
            continue;
        const char *v = strchr(line, '=');
        const char *end = strchr(line, '\n');
        if (!v || (end && v > end))
            return NULL;
        v++;
        while (*v == ' ')
            v++;
        size_t n = end ? (size_t)(end - v) : strlen(v);
        if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
            v++;
            n -= 2;
        }
        if (n >= len)
            n = len - 1;
        memcpy(buf, v, n);
        buf[n] = '\0';
        return buf;
    }
    return NULL;
}

static uint64_t golden_u64(const struct golden *g, const char *section, const char *key)
{
    char buf[256];
    const char *v = golden_get(g, section, key, buf, sizeof(buf));
    if (!v) {
        check_fail(__FILE__, __LINE__, "golden has no %s / %s", section, key);
        return 0;
    }
    return strtoull(v, NULL, 0);
}

/* Formats an on-disk GUID as Breakpad prints it: 36515fb5-d043-45e4-91f6-72fa2e2878c0. */
static void guid_format(const uint8_t g[16], char out[40])
{
    snprintf(out, 40, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             (unsigned)(g[0] | g[1] << 8 | g[2] << 16 | (unsigned)g[3] << 24),
             (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11],
             g[12], g[13], g[14], g[15]);
}

TEST(mdmp_corpus_minidump2_matches_breakpad_golden)
{
    struct target *t = corpus_open("google-breakpad/minidump2.dmp");
    if (!t)
        return;
    struct golden g;
    if (!golden_load(&g, "google-breakpad/goldens/minidump2.dump.out")) {
        check_fail(__FILE__, __LINE__, "golden minidump2.dump.out missing");
        target_destroy(t);
        return;
    }
    char sec[64], buf[512];
    const struct mdmp_file *f = mdmp_file_of(t);

    /* Header and directory. */
    CHECK_EQ(t->nstreams, golden_u64(&g, "MDRawHeader", "stream_count"));
    CHECK_EQ(f->version, golden_u64(&g, "MDRawHeader", "version"));
    CHECK_EQ(t->proc.dump_time, golden_u64(&g, "MDRawHeader", "time_date_stamp"));
    CHECK_EQ(f->flags, golden_u64(&g, "MDRawHeader", "flags"));
    for (size_t i = 0; i < t->nstreams; i++) {
        snprintf(sec, sizeof(sec), "mDirectory[%zu]\nMDRawDirectory", i);
        CHECK_EQ(t->streams[i].type, golden_u64(&g, sec, "stream_type"));
        CHECK_EQ(t->streams[i].size, golden_u64(&g, sec, "location.data_size"));
        CHECK_EQ(t->streams[i].offset, golden_u64(&g, sec, "location.rva"));
    }
    CHECK_STR(t->streams[0].name, "ThreadListStream");
    CHECK_STR(t->streams[6].name, "BreakpadInfoStream");
    CHECK_STR(t->streams[7].name, "UnusedStream");

    /* Threads. */
    CHECK_EQ(t->nthreads, golden_u64(&g, "MinidumpThreadList", "thread_count"));
    for (size_t i = 0; i < t->nthreads; i++) {
        const struct target_thread *th = &t->threads[i];
        snprintf(sec, sizeof(sec), "thread[%zu]\nMDRawThread", i);
        CHECK_EQ(th->tid, golden_u64(&g, sec, "thread_id"));
        CHECK_EQ(th->suspend_count, golden_u64(&g, sec, "suspend_count"));
        CHECK_EQ(th->priority_class, golden_u64(&g, sec, "priority_class"));
        CHECK_EQ(th->priority, golden_u64(&g, sec, "priority"));
        CHECK_EQ(th->teb, golden_u64(&g, sec, "teb"));
        CHECK_EQ(th->stack_start, golden_u64(&g, sec, "stack.start_of_memory_range"));
        CHECK_EQ(th->stack_size, golden_u64(&g, sec, "stack.memory.data_size"));
        CHECK_EQ(th->context_size, golden_u64(&g, sec, "thread_context.data_size"));
        CHECK(th->context == t->file.data + golden_u64(&g, sec, "thread_context.rva"));
        CHECK(th->name == NULL);
    }

    /* Modules, in dump order in the golden, sorted by base in the target. */
    size_t nmod = golden_u64(&g, "MinidumpModuleList", "module_count");
    CHECK_EQ(t->nmodules, nmod);
    for (size_t i = 1; i < t->nmodules; i++)
        CHECK(t->modules[i - 1].base < t->modules[i].base);
    for (size_t i = 0; i < nmod; i++) {
        snprintf(sec, sizeof(sec), "module[%zu]\nMDRawModule", i);
        uint64_t base = golden_u64(&g, sec, "base_of_image");
        const struct target_module *m = target_module_by_addr(t, base);
        CHECK(m != NULL);
        if (!m)
            continue;
        CHECK_EQ(m->base, base);
        CHECK_EQ(m->size, golden_u64(&g, sec, "size_of_image"));
        CHECK_EQ(m->checksum, golden_u64(&g, sec, "checksum"));
        CHECK_EQ(m->timestamp, golden_u64(&g, sec, "time_date_stamp"));
        CHECK_EQ(m->version.signature, golden_u64(&g, sec, "version_info.signature"));
        CHECK_EQ(m->has_version, m->version.signature == 0xfeef04bd);
        CHECK_EQ(m->version.file_type, golden_u64(&g, sec, "version_info.file_type"));
        CHECK_EQ(m->version.file_os, golden_u64(&g, sec, "version_info.file_os"));
        CHECK_STR(m->path, golden_get(&g, sec, "(code_file)", buf, sizeof(buf)));
        CHECK_EQ(m->cv_kind, TARGET_CV_RSDS);
        char guid[40];
        guid_format(m->pdb_guid, guid);
        CHECK_STR(guid, golden_get(&g, sec, "(cv_record).signature", buf, sizeof(buf)));
        CHECK_EQ(m->pdb_age, golden_u64(&g, sec, "(cv_record).age"));
        CHECK_STR(m->pdb_name, golden_get(&g, sec, "(cv_record).pdb_file_name", buf, sizeof(buf)));
    }
    /* Display names: file name without directory or extension. */
    const struct target_module *m = target_module_by_addr(t, 0x400000);
    CHECK(m && strcmp(m->name, "test_app") == 0);
    m = target_module_by_addr(t, 0x7c800000);
    CHECK(m && strcmp(m->name, "kernel32") == 0);

    /* Memory: every MemoryList region reads back the bytes at its RVA. */
    size_t nreg = golden_u64(&g, "MinidumpMemoryList", "region_count");
    CHECK(nreg == 3);
    for (size_t i = 0; i < nreg; i++) {
        snprintf(sec, sizeof(sec), "region[%zu]\nMDMemoryDescriptor", i);
        uint64_t base = golden_u64(&g, sec, "start_of_memory_range");
        uint64_t size = golden_u64(&g, sec, "memory.data_size");
        uint64_t rva = golden_u64(&g, sec, "memory.rva");
        uint8_t *tmp = malloc(size);
        size_t got = 0;
        CHECK_OK(target_read(t, base, tmp, size, &got));
        CHECK_EQ(got, size);
        CHECK(memcmp(tmp, t->file.data + rva, size) == 0);
        free(tmp);
        /* The byte just past the region is not in the dump. */
        uint8_t b;
        struct dd_error *err = target_read(t, base + size, &b, 1, &got);
        CHECK(err != NULL && err->code == DD_ERR_MEMORY && got == 0);
        dd_error_destroy(err);
    }
    CHECK_EQ(t->memory.count, 3);

    /* Exception. */
    CHECK(t->has_exception);
    CHECK_EQ(t->exception.thread_id, golden_u64(&g, "MDException", "thread_id"));
    CHECK_EQ(t->exception.code, golden_u64(&g, "MDException", "exception_record.exception_code"));
    CHECK_EQ(t->exception.flags, golden_u64(&g, "MDException", "exception_record.exception_flags"));
    CHECK_EQ(t->exception.record,
             golden_u64(&g, "MDException", "exception_record.exception_record"));
    CHECK_EQ(t->exception.address,
             golden_u64(&g, "MDException", "exception_record.exception_address"));
    CHECK_EQ(t->exception.num_params,
             golden_u64(&g, "MDException", "exception_record.number_parameters"));
    CHECK_EQ(t->exception.params[0],
             golden_u64(&g, "MDException", "exception_record.exception_information[ 0]"));
    CHECK_EQ(t->exception.params[1],
             golden_u64(&g, "MDException", "exception_record.exception_information[ 1]"));
    CHECK_EQ(t->exception.context_size, golden_u64(&g, "MDException", "thread_context.data_size"));
    CHECK(t->exception.context ==
          t->file.data + golden_u64(&g, "MDException", "thread_context.rva"));

    /* System info. */
    const char *si = "MDRawSystemInfo";
    CHECK_EQ(t->sys.cpu, DD_CPU_X86);
    CHECK_EQ(t->sys.processor_architecture, golden_u64(&g, si, "processor_architecture"));
    CHECK_EQ(t->sys.processor_level, golden_u64(&g, si, "processor_level"));
    CHECK_EQ(t->sys.processor_revision, golden_u64(&g, si, "processor_revision"));
    CHECK_EQ(t->sys.number_of_processors, golden_u64(&g, si, "number_of_processors"));
    CHECK_EQ(t->sys.product_type, golden_u64(&g, si, "product_type"));
    CHECK_EQ(t->sys.major_version, golden_u64(&g, si, "major_version"));
    CHECK_EQ(t->sys.minor_version, golden_u64(&g, si, "minor_version"));
    CHECK_EQ(t->sys.build_number, golden_u64(&g, si, "build_number"));
    CHECK_EQ(t->sys.platform_id, golden_u64(&g, si, "platform_id"));
    CHECK_EQ(t->sys.suite_mask, golden_u64(&g, si, "suite_mask"));
    CHECK_EQ(t->sys.cpu_version_information,
             golden_u64(&g, si, "cpu.x86_cpu_info.version_information"));
    CHECK_EQ(t->sys.cpu_feature_information,
             golden_u64(&g, si, "cpu.x86_cpu_info.feature_information"));
    CHECK_EQ(t->sys.cpu_amd_extended_features,
             golden_u64(&g, si, "cpu.x86_cpu_info.amd_extended_cpu_features"));
    CHECK_STR(t->sys.csd_version, golden_get(&g, si, "(csd_version)", buf, sizeof(buf)));
    CHECK_STR(t->sys.cpu_vendor, golden_get(&g, si, "(cpu_vendor)", buf, sizeof(buf)));
    CHECK(!t->sys.is_wine);

    /* MiscInfo (version 1: 24 bytes). */
    CHECK_EQ(f->misc.size_of_info, golden_u64(&g, "MDRawMiscInfo", "size_of_info"));
    CHECK_EQ(f->misc.level, 1);
    CHECK_EQ(f->misc.flags1, golden_u64(&g, "MDRawMiscInfo", "flags1"));
    CHECK(t->proc.has_pid && t->proc.has_times);
    CHECK_EQ(t->proc.pid, golden_u64(&g, "MDRawMiscInfo", "process_id"));
    CHECK_EQ(t->proc.create_time, golden_u64(&g, "MDRawMiscInfo", "process_create_time"));
    CHECK_EQ(t->proc.user_time, golden_u64(&g, "MDRawMiscInfo", "process_user_time"));
    CHECK_EQ(t->proc.kernel_time, golden_u64(&g, "MDRawMiscInfo", "process_kernel_time"));
    CHECK(!t->proc.has_processor_power && !t->proc.has_time_zone);

    /* BreakpadInfo. */
    CHECK(t->has_breakpad_info);
    CHECK_EQ(f->breakpad_validity, golden_u64(&g, "MDRawBreakpadInfo", "validity"));
    CHECK_EQ(t->breakpad_dump_thread, golden_u64(&g, "MDRawBreakpadInfo", "dump_thread_id"));
    CHECK_EQ(t->breakpad_requesting_thread,
             golden_u64(&g, "MDRawBreakpadInfo", "requesting_thread_id"));

    CHECK_EQ(t->kind, TARGET_USER_MINI);
    CHECK_STR(t->kind_text,
              "User Mini Dump File: Only registers, stack and portions of memory are available");
    CHECK_EQ(f->nwarnings, 0);
    free(g.text);
    target_destroy(t);
}

/* ---- facts from MANIFEST.md ---- */

struct dump_fact {
    const char *path;
    enum dd_cpu cpu;
    size_t threads, modules;
    bool has_exception;
    uint32_t code;
    uint64_t address; /* exception address (eip/rip); 0 = not checked */
    int param_index;  /* -1 = none checked */
    uint64_t param;
};

/* MANIFEST.md: threads, modules, exception code, "at"/eip address, fault address parameter. */
static const struct dump_fact dump_facts[] = {
    {"google-breakpad/minidump_32bit_crash_addr.dmp", DD_CPU_X86, 2, 13, true, 0xc0000005, 0x40429e,
     1, 0xffffffff00000045ULL},
    {"google-breakpad/ascii_read_av.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x00d6a6cd, 1,
     0x41414141},
    {"google-breakpad/ascii_read_av_block_write.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005,
     0x0111a6cd, 1, 0x41414141},
    {"google-breakpad/ascii_read_av_clobber_write.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005,
     0x0096a6cd, 1, 0x41414141},
    {"google-breakpad/ascii_read_av_conditional.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005,
     0x0015a80d, 1, 0x41414141},
    {"google-breakpad/ascii_read_av_then_jmp.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x00e2a6cd,
     1, 0x41414141},
    {"google-breakpad/ascii_read_av_xchg_write.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005,
     0x00a3a6cd, 1, 0x41414141},
    {"google-breakpad/ascii_write_av.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x0003a6cd, 1,
     0x41414141},
    {"google-breakpad/null_read_av.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x0090a6cd, 1, 0},
    {"google-breakpad/null_write_av.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x0103a6cd, 1, 0},
    {"google-breakpad/read_av_non_null.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x00991098, 1,
     0x4e3c9},
    {"google-breakpad/read_av_clobber_write.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x00101098,
     1, 0x4e3c9},
    {"google-breakpad/write_av_non_null.dmp", DD_CPU_X86, 2, 26, true, 0xc0000005, 0x00c11097, 1,
     0x4e3c9},
    {"google-breakpad/stack_exhaustion.dmp", DD_CPU_X86, 2, 26, true, 0xc00000fd, 0x00dea637, 1,
     0x102000},
    {"google-breakpad/thread_name_list.dmp", DD_CPU_X86, 6, 17, true, 0xc0000005, 0x004015fd, 1,
     0xf1004},
    {"google-breakpad/tiny-exe-fastfail.dmp", DD_CPU_X64, 4, 21, true, 0xc0000409, 0x7ff75355af42,
     0, 7},
    {"google-breakpad/tiny-exe-with-cet-xsave.dmp", DD_CPU_X64, 1, 25, false, 0, 0, -1, 0},
    {"google-breakpad/minidump1.dmp", DD_CPU_X86, 9, 111, true, 0xc0000005, 0x020a1515, 1,
     0xffffffffdddddde1ULL},
    {"google-syzygy/notepad-32bit.dmp", DD_CPU_X86, 2, 26, true, 0x80000003, 0, -1, 0},
    {"google-syzygy/notepad-64bit.dmp", DD_CPU_X64, 2, 25, true, 0x80000003, 0, -1, 0},
    {"google-syzygy/notepad-small-32bit.dmp", DD_CPU_X86, 1, 22, true, 0x80000003, 0, -1, 0},
    {"google-syzygy/notepad-small-64bit.dmp", DD_CPU_X64, 1, 5, true, 0x80000003, 0, -1, 0},
    {"google-syzygy/notepad-larger-32bit.dmp", DD_CPU_X86, 1, 22, true, 0x80000003, 0, -1, 0},
    {"google-syzygy/use-after-free.dmp", DD_CPU_X86, 39, 107, true, 0xc000008c, 0x02cf98c5, -1, 0},
    {"getsentry-sentry-desktop-crash-reporter/minidump.dmp", DD_CPU_X64, 5, 34, true, 0xc0000005,
     0x7ffe2c7f0476, 1, 0x20},
    {"getsentry-symbolicator/windows.dmp", DD_CPU_X86, 4, 17, true, 0xc0000005, 0x2a2a3d, 1, 0x45},
    {"electron-node-minidump/windows.dmp", DD_CPU_X64, 14, 58, true, 0xc0000005, 0x7ff7215f8da4, 1,
     0},
    {"llvm-lldb/fizzbuzz_no_heap.dmp", DD_CPU_X86, 1, 6, true, 0xc0000005, 0x164d14, 1, 0},
    {"rust-minidump/stability-report.dmp", DD_CPU_X64, 19, 42, true, 0xc0000005, 0x7ff6127dc480, 1,
     0},
    {"mozilla-minidump-stackwalk/windows-x86.dmp", DD_CPU_X86, 95, 154, true, 0x80000003,
     0x5cdbc66d, -1, 0},
    {"mozilla-minidump-stackwalk/windows-aarch64.dmp", DD_CPU_ARM64, 104, 131, true, 0x80000003,
     0x7ffed46446f8, -1, 0},
};

TEST(mdmp_corpus_manifest_facts)
{
    for (size_t i = 0; i < sizeof(dump_facts) / sizeof(dump_facts[0]); i++) {
        const struct dump_fact *d = &dump_facts[i];
        struct target *t = corpus_open(d->path);
        if (!t) {
            if (!check_corpus_dir())
                return;
            continue;
        }
        if (t->sys.cpu != d->cpu || t->nthreads != d->threads || t->nmodules != d->modules ||
            t->has_exception != d->has_exception)
            check_fail(__FILE__, __LINE__, "%s: cpu %d threads %zu modules %zu exception %d",
                       d->path, t->sys.cpu, t->nthreads, t->nmodules, t->has_exception);
        if (d->has_exception) {
            if (t->exception.code != d->code)
                check_fail(__FILE__, __LINE__, "%s: code 0x%x", d->path, t->exception.code);
            if (d->address && t->exception.address != d->address)
                check_fail(__FILE__, __LINE__, "%s: address 0x%llx", d->path,
                           (unsigned long long)t->exception.address);
            if (d->param_index >= 0 && t->exception.params[d->param_index] != d->param)
                check_fail(__FILE__, __LINE__, "%s: param[%d] 0x%llx", d->path, d->param_index,
                           (unsigned long long)t->exception.params[d->param_index]);
            /* The exception thread is one of the dump's threads and has its context. */
            CHECK(target_thread_by_tid(t, t->exception.thread_id) >= 0);
            CHECK(t->exception.context != NULL);
        }
        for (size_t k = 0; k < t->nthreads; k++)
            if (!t->threads[k].context)
                check_fail(__FILE__, __LINE__, "%s: thread 0x%x has no context", d->path,
                           t->threads[k].tid);
        target_destroy(t);
    }
}

TEST(mdmp_corpus_thread_names)
{
    /* MANIFEST: ThreadNames stream with 0x19a4 "main thread", 0x2274 "sleep thread",
       0x2ae0 "overflow thread" (the crashing thread). */
    struct target *t = corpus_open("google-breakpad/thread_name_list.dmp");
    if (!t)
        return;
    static const struct {
        uint32_t tid;
        const char *name;
    } names[] = {{0x19a4, "main thread"}, {0x2274, "sleep thread"}, {0x2ae0, "overflow thread"}};
    size_t named = 0;
    for (size_t i = 0; i < t->nthreads; i++)
        named += t->threads[i].name != NULL;
    CHECK_EQ(named, 3);
    for (size_t i = 0; i < 3; i++) {
        long k = target_thread_by_tid(t, names[i].tid);
        CHECK(k >= 0);
        if (k >= 0)
            CHECK_STR(t->threads[k].name, names[i].name);
    }
    CHECK_EQ(t->exception.thread_id, 0x2ae0);
    target_destroy(t);

    /* MANIFEST: windows-x86.dmp has 84 thread names; crashing thread 0x2c48 = "MainThread". */
    t = corpus_open("mozilla-minidump-stackwalk/windows-x86.dmp");
    if (!t)
        return;
    named = 0;
    for (size_t i = 0; i < t->nthreads; i++)
        named += t->threads[i].name != NULL;
    CHECK_EQ(named, 84);
    CHECK_EQ(t->exception.thread_id, 0x2c48);
    long k = target_thread_by_tid(t, 0x2c48);
    CHECK(k >= 0 && t->threads[k].name && strcmp(t->threads[k].name, "MainThread") == 0);
    CHECK(t->nunloaded > 0 && t->nregions > 0 && t->has_breakpad_info);
    target_destroy(t);
}

TEST(mdmp_corpus_sentry_misc_info)
{
    /* MANIFEST (sentry MinidumpTests.cs): AMD64, CpuLevel 25, CpuRevision 8448, 12 CPUs,
       ProductType 1, 10.0.22621, platform 2; pid 33180, ProcessCreateTime 1729543080,
       user/kernel time 0, MHz max/cur/limit 3701, idle state max 2 cur 1. */
    struct target *t = corpus_open("getsentry-sentry-desktop-crash-reporter/minidump.dmp");
    if (!t)
        return;
    const struct mdmp_file *f = mdmp_file_of(t);
    CHECK_EQ(t->sys.processor_architecture, 9);
    CHECK_EQ(t->sys.processor_level, 25);
    CHECK_EQ(t->sys.processor_revision, 8448);
    CHECK_EQ(t->sys.number_of_processors, 12);
    CHECK_EQ(t->sys.product_type, 1);
    CHECK_EQ(t->sys.major_version, 10);
    CHECK_EQ(t->sys.minor_version, 0);
    CHECK_EQ(t->sys.build_number, 22621);
    CHECK_EQ(t->sys.platform_id, 2);
    CHECK(t->proc.has_pid && t->proc.has_times && t->proc.has_processor_power);
    CHECK_EQ(t->proc.pid, 33180);
    CHECK_EQ(t->proc.create_time, 1729543080);
    CHECK_EQ(t->proc.user_time, 0);
    CHECK_EQ(t->proc.kernel_time, 0);
    CHECK_EQ(t->proc.processor_max_mhz, 3701);
    CHECK_EQ(t->proc.processor_current_mhz, 3701);
    CHECK_EQ(t->proc.processor_mhz_limit, 3701);
    CHECK_EQ(t->proc.processor_max_idle_state, 2);
    CHECK_EQ(t->proc.processor_current_idle_state, 1);
    /* Stream sizes 0x554 (MiscInfo 5): build string and XSTATE layout present. */
    CHECK_EQ(f->misc.level, 5);
    CHECK(t->sys.build_string && strncmp(t->sys.build_string, "22621.", 6) == 0);
    CHECK(f->xstate.present && f->xstate.context_size > 0);
    /* SystemMemoryInfo agrees with SystemInfo on the CPU count; pages are 4 KiB on x64. */
    CHECK(f->system_memory.present);
    CHECK_EQ(f->system_memory.number_of_processors, 12);
    CHECK_EQ(f->system_memory.page_size, 4096);
    CHECK(f->vm_counters.present && f->vm_counters.revision == 2);
    /* MANIFEST: FunctionTable, ThreadNames, BreakpadInfo streams; flags 0x200000. */
    CHECK(f->nfunction_tables > 0);
    for (size_t i = 0; i < f->nfunction_tables; i++) {
        const struct mdmp_function_table *ft = &f->function_tables[i];
        CHECK(ft->minimum_address <= ft->maximum_address);
        CHECK_EQ(ft->entry_size, 12); /* RUNTIME_FUNCTION */
        CHECK(ft->entries >= t->file.data && ft->entries < t->file.data + t->file.size);
    }
    CHECK_EQ(t->dump_flags, 0x200000);
    CHECK(t->has_breakpad_info);
    CHECK(mdmp_file_of(t)->nwarnings == 0);
    target_destroy(t);
}

TEST(mdmp_corpus_tiny_exe_cet_xsave)
{
    /* MANIFEST: AMD64 Windows 11 22000, CSD "282", no exception stream, 1 thread, 25
       modules, UnloadedModuleList, MemoryInfoList, HandleData, MemoryList(65), flags 0x200000;
       upstream expects os_version "10.0.22000 282". */
    struct target *t = corpus_open("google-breakpad/tiny-exe-with-cet-xsave.dmp");
    if (!t)
        return;
    CHECK_EQ(t->sys.cpu, DD_CPU_X64);
    CHECK_EQ(t->sys.major_version, 10);
    CHECK_EQ(t->sys.build_number, 22000);
    CHECK_STR(t->sys.csd_version, "282");
    CHECK(!t->has_exception);
    CHECK_EQ(t->nthreads, 1);
    CHECK_EQ(t->nmodules, 25);
    CHECK(t->nunloaded > 0);
    CHECK(t->nregions > 0);
    for (size_t i = 1; i < t->nregions; i++)
        CHECK(t->regions[i - 1].base <= t->regions[i].base);
    CHECK(t->nhandles > 0);
    CHECK_EQ(mdmp_file_of(t)->handle_descriptor_size, 32);
    CHECK_EQ(t->memory.count, 65);
    CHECK_EQ(t->dump_flags, 0x200000);
    CHECK(mdmp_file_of(t)->xstate.present);
    target_destroy(t);
}

TEST(mdmp_corpus_fizzbuzz_lldb)
{
    /* MANIFEST (lldb TestMiniDump.py): 1 thread, pid 4440, exception 0xc0000005, module
       UUIDs (GUID-age) for the six modules; ThreadInfoList present. */
    struct target *t = corpus_open("llvm-lldb/fizzbuzz_no_heap.dmp");
    if (!t)
        return;
    CHECK_EQ(t->nthreads, 1);
    CHECK(t->proc.has_pid);
    CHECK_EQ(t->proc.pid, 4440);
    CHECK_EQ(t->exception.code, 0xc0000005);
    CHECK(t->threads[0].has_info);
    static const struct {
        const char *name;
        const char *uuid; /* lldb: GUID in text byte order, then -AGE */
    } mods[] = {
        {"fizzbuzz", "0F45B791-9A96-46F9-BF8F-2D6076EA421A-00000011"},
        {"ntdll", "BBB0846A-402C-4052-A16B-67650BBFE6B0-00000002"},
        {"kernel32", "E5CB7E1B-005E-4113-AB98-98D6913B52D8-00000002"},
        {"KERNELBASE", "0BF95241-CB0D-4BD4-AC5D-186A6452E522-00000001"},
        {"MSVCP120D", "3C05516E-57E7-40EB-8D3F-9722C5BD80DD-00000001"},
        {"MSVCR120D", "6382FB86-46C4-4046-AE42-8D97B3F91FF2-00000001"},
    };
    CHECK_EQ(t->nmodules, 6);
    for (size_t i = 0; i < 6; i++) {
        const struct target_module *m = NULL;
        for (size_t k = 0; k < t->nmodules; k++)
            if (strcmp(t->modules[k].name, mods[i].name) == 0)
                m = &t->modules[k];
        CHECK(m != NULL);
        if (!m)
            continue;
        CHECK_EQ(m->cv_kind, TARGET_CV_RSDS);
        const uint8_t *g = m->pdb_guid;
        char uuid[64];
        snprintf(uuid, sizeof(uuid), "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X-%08X",
                 (unsigned)(g[0] | g[1] << 8 | g[2] << 16 | (unsigned)g[3] << 24),
                 (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10],
                 g[11], g[12], g[13], g[14], g[15], m->pdb_age);
        CHECK_STR(uuid, mods[i].uuid);
    }
    target_destroy(t);
}

TEST(mdmp_corpus_architectures)
{
    /* MANIFEST: windows-aarch64.dmp is ARM64; notepad-small-64bit.dmp is AMD64 seen from
       the 64-bit side (notepad.exe + 64-bit ntdll + wow64*.dll) with a Token stream. */
    struct target *t = corpus_open("mozilla-minidump-stackwalk/windows-aarch64.dmp");
    if (t) {
        CHECK_EQ(t->sys.processor_architecture, 12);
        CHECK_EQ(t->sys.cpu, DD_CPU_ARM64);
        CHECK_EQ(t->sys.build_number, 19042);
        CHECK(t->exception.context != NULL);
        target_destroy(t);
    } else if (!check_corpus_dir()) {
        return;
    }
    t = corpus_open("google-syzygy/notepad-small-64bit.dmp");
    if (!t)
        return;
    CHECK_EQ(t->sys.processor_architecture, 9);
    CHECK_EQ(t->sys.cpu, DD_CPU_X64);
    const char *want[] = {"notepad", "ntdll", "wow64", "wow64win", "wow64cpu"};
    for (size_t i = 0; i < 5; i++) {
        bool found = false;
        for (size_t k = 0; k < t->nmodules; k++)
            found = found || strcmp(t->modules[k].name, want[i]) == 0;
        if (!found)
            check_fail(__FILE__, __LINE__, "module %s missing", want[i]);
    }
    CHECK_EQ(mdmp_file_of(t)->ntokens, 1);
    CHECK_EQ(t->dump_flags, 0x40120);
    target_destroy(t);
}

TEST(mdmp_corpus_crashpad_stability_report)
{
    /* MANIFEST: Crashpad-written, Windows 11 22631 CSD "4751", 19 threads, 42 modules,
       ThreadNames, MemoryInfoList, HandleData, CrashpadInfo, MemoryList(151); upstream
       asserted the stability report's process_id 15212 and handle count 302. */
    struct target *t = corpus_open("rust-minidump/stability-report.dmp");
    if (!t)
        return;
    const struct mdmp_file *f = mdmp_file_of(t);
    CHECK_EQ(t->sys.build_number, 22631);
    CHECK_STR(t->sys.csd_version, "4751");
    CHECK(f->crashpad.present);
    CHECK_EQ(f->crashpad.version, 1);
    CHECK_EQ(t->proc.pid, 15212);
    CHECK_EQ(t->nhandles, 302);
    CHECK(t->nregions > 0);
    /* The stream list includes the unknown StabilityReport stream, without a name. */
    bool stability = false;
    for (size_t i = 0; i < t->nstreams; i++)
        if (t->streams[i].type == 0x4b6b0002)
            stability = t->streams[i].name == NULL;
    CHECK(stability);
    /* Crashpad module annotations: the renderer reports its own pid. */
    bool pid_found = false, process_annotation = false;
    for (size_t i = 0; i < t->nannotations; i++) {
        const struct target_annotation *a = &t->annotations[i];
        if (strcmp(a->source, "crashpad:electron.exe") == 0 && strcmp(a->key, "pid") == 0)
            pid_found = strcmp(a->value, "15212") == 0;
        if (strcmp(a->source, "crashpad") == 0 && strcmp(a->key, "prod") == 0)
            process_annotation = strcmp(a->value, "Electron") == 0;
    }
    CHECK(pid_found);
    CHECK(process_annotation);
    size_t named = 0;
    for (size_t i = 0; i < t->nthreads; i++)
        named += t->threads[i].name != NULL;
    CHECK(named > 0);
    target_destroy(t);
}

TEST(mdmp_corpus_electron_breakpad_streams)
{
    /* MANIFEST: Breakpad-written, FunctionTable stream, BreakpadInfo, AssertionInfo; flags
       0x120; a module ending in \electron.exe. */
    struct target *t = corpus_open("electron-node-minidump/windows.dmp");
    if (!t)
        return;
    const struct mdmp_file *f = mdmp_file_of(t);
    CHECK_EQ(t->dump_flags, 0x120);
    CHECK(t->has_breakpad_info);
    CHECK(f->assertion.present);
    CHECK(f->nfunction_tables > 0);
    bool found = false;
    for (size_t i = 0; i < t->nmodules; i++) {
        size_t n = strlen(t->modules[i].path);
        found = found || (n > 13 && strcmp(t->modules[i].path + n - 13, "\\electron.exe") == 0);
    }
    CHECK(found);
    target_destroy(t);
}
