/*
 * The minidump reader on synthetic dumps built in memory (tests/unit/mdmp_builder):
 * each stream family, versioned layouts, and malformed input (truncation, count
 * overflow, RVAs out of bounds).
 */
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "check.h"
#include "core/target.h"
#include "dump/mdmp/mdmp.h"
#include "mdmp_builder.h"

/* Opens B, failing the test on error; NULL when it failed. */
static struct target *open_ok(struct mdmp_builder *b)
{
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(b, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open failed: %s", err->message);
        dd_error_destroy(err);
        return NULL;
    }
    return t;
}

/* Opens B expecting a DD_ERR_FORMAT error whose message contains WANT. */
static void open_fails(struct mdmp_builder *b, const char *want, int line)
{
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(b, &t);
    if (!err) {
        check_fail(__FILE__, line, "open succeeded, expected \"%s\"", want);
        target_destroy(t);
        return;
    }
    if (err->code != DD_ERR_FORMAT || !strstr(err->message, want))
        check_fail(__FILE__, line, "error %d \"%s\", expected \"%s\"", err->code, err->message,
                   want);
    dd_error_destroy(err);
}

static bool has_warning(const struct target *t, const char *want)
{
    const struct mdmp_file *f = mdmp_file_of(t);
    for (size_t i = 0; f && i < f->nwarnings; i++)
        if (strstr(f->warnings[i], want))
            return true;
    return false;
}

TEST(mdmp_synth_zero_streams)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    b.timestamp = 0x61234567;
    b.flags = 0x0000000100000002ULL;
    struct target *t = open_ok(&b);
    if (t) {
        CHECK_STR(t->format_name, "minidump");
        CHECK_EQ(t->nstreams, 0);
        CHECK_EQ(t->nthreads, 0);
        CHECK_EQ(t->nmodules, 0);
        CHECK(!t->has_exception);
        CHECK_EQ(t->sys.cpu, DD_CPU_UNKNOWN);
        CHECK_STR(t->sys.csd_version, "");
        CHECK_EQ(t->proc.dump_time, 0x61234567);
        CHECK_EQ(t->dump_flags, 2);
        CHECK_EQ(mdmp_file_of(t)->flags, 0x0000000100000002ULL);
        CHECK_EQ(t->kind, TARGET_USER_MINI);
        CHECK(has_warning(t, "no SystemInfoStream"));
        uint8_t byte;
        size_t got = 1;
        struct dd_error *err = target_read(t, 0x1000, &byte, 1, &got);
        CHECK(err && err->code == DD_ERR_MEMORY && got == 0);
        dd_error_destroy(err);
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_truncated_header_and_directory)
{
    static const uint8_t small[20] = {'M', 'D', 'M', 'P', 0x93, 0xa7};
    struct target *t = NULL;
    struct dd_error *err = mdmp_test_open_bytes(small, sizeof(small), &t);
    CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "header truncated"));
    dd_error_destroy(err);

    /* A file cut inside its directory. */
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_system_info(&b, 9, 10, 0, 19041, "");
    size_t size;
    const uint8_t *data = mdmp_builder_finish(&b, &size);
    err = mdmp_test_open_bytes(data, 40, &t);
    CHECK(err && err->code == DD_ERR_FORMAT);
    CHECK(err && strstr(err->message, "stream directory at offset 0x20: 1 entries of 12 bytes "
                                      "exceed the file size 0x28"));
    dd_error_destroy(err);
    /* The same file cut in the middle of the SystemInfo stream: its entry is out of the file. */
    err = mdmp_test_open_bytes(data, size - 8, &t);
    CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "SystemInfoStream") &&
          strstr(err->message, "lies outside the file"));
    dd_error_destroy(err);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_truncated_memory_is_clipped)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_system_info(&b, 0, 6, 1, 7601, "Service Pack 1");
    uint8_t bytes[64];
    for (int i = 0; i < 64; i++)
        bytes[i] = (uint8_t)i;
    /* The descriptors come after the data, so cutting the file's tail cuts the data only if
       the stream is placed first: write the list stream, then point it at data at the end. */
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 1);
    mdmp_blob_u64(&s, 0x10000);
    mdmp_blob_u32(&s, 64);
    size_t rva_at = s.size;
    mdmp_blob_u32(&s, 0);
    uint32_t stream_rva = mdmp_builder_stream_blob(&b, 5, &s);
    uint32_t data_rva = mdmp_builder_append(&b, bytes, sizeof(bytes));
    dd_put_le32(b.file.data + stream_rva + rva_at, data_rva);
    size_t size;
    const uint8_t *data = mdmp_builder_finish(&b, &size);
    struct target *t = NULL;
    CHECK_OK(mdmp_test_open_bytes(data, size - 24, &t));
    if (t) {
        uint8_t buf[64];
        size_t got = 0;
        struct dd_error *err = target_read(t, 0x10000, buf, 64, &got);
        CHECK(err && err->code == DD_ERR_MEMORY && err->address == 0x10000 + 40);
        CHECK_EQ(got, 40);
        CHECK(memcmp(buf, bytes, 40) == 0);
        dd_error_destroy(err);
        CHECK(has_warning(t, "cut short by the end of the file"));
        target_destroy(t);
    }
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_directory_entry_outside_file)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_dir_entry(&b, 3, 0x64, 0x7fff0000);
    open_fails(&b,
               "stream directory entry 0 (ThreadListStream) at offset 0x20: data at rva "
               "0x7fff0000, size 0x64, lies outside the file",
               __LINE__);
    mdmp_builder_deinit(&b);

    /* RVA + size overflowing 32 bits is caught too; an empty entry anywhere is harmless. */
    mdmp_builder_init(&b);
    mdmp_builder_dir_entry(&b, 0x12345678, 0, 0xffffffff);
    mdmp_builder_dir_entry(&b, 0x12345679, 0x10, 0xfffffff8);
    open_fails(&b, "stream directory entry 1 (type 0x12345679)", __LINE__);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_count_overflow)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 4000000);
    mdmp_blob_zero(&s, 48);
    uint32_t rva = mdmp_builder_stream_blob(&b, 3, &s);
    char want[200];
    snprintf(want, sizeof(want),
             "ThreadListStream at offset 0x%x: count 4000000 entries of 48 bytes exceed the "
             "stream size 0x34",
             rva);
    open_fails(&b, want, __LINE__);
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);

    /* A 64-bit count in Memory64List that would overflow count * 16. */
    mdmp_builder_init(&b);
    mdmp_blob_init(&s);
    mdmp_blob_u64(&s, 0x1000000000000001ULL);
    mdmp_blob_u64(&s, 0);
    mdmp_builder_stream_blob(&b, 9, &s);
    open_fails(&b, "Memory64ListStream", __LINE__);
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);

    /* Header-sized lists: an entry size too small for the format is rejected. */
    mdmp_builder_init(&b);
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 16);
    mdmp_blob_u32(&s, 8); /* SizeOfDescriptor < 32 */
    mdmp_blob_u32(&s, 1);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_zero(&s, 8);
    mdmp_builder_stream_blob(&b, 12, &s);
    open_fails(&b, "HandleDataStream", __LINE__);
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_threads_modules_and_bad_rvas)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_system_info(&b, 9, 10, 0, 19041, "");
    uint8_t stack[32], ctx[1232];
    memset(stack, 0xab, sizeof(stack));
    memset(ctx, 0, sizeof(ctx));
    struct mdmp_builder_thread th[2] = {
        {0x100, 0x7ff000, 0x20000, stack, sizeof(stack), ctx, sizeof(ctx)},
        {0x200, 0x7fe000, 0x30000, NULL, 0x1000, ctx, sizeof(ctx)},
    };
    mdmp_builder_thread_list(&b, th, 2);
    static const uint8_t guid[16] = {0xb5, 0x5f, 0x51, 0x36, 0x43, 0xd0, 0xe4, 0x45,
                                     0x91, 0xf6, 0x72, 0xfa, 0x2e, 0x28, 0x78, 0xc0};
    struct mdmp_builder_module mods[4] = {
        {0x7ff800000000, 0x1000, 1, 2, "C:\\Windows\\System32\\ntdll.dll", guid, 2, "ntdll.pdb"},
        {0x400000, 0x2000, 3, 4, "C:\\app\\My App.exe", NULL, 0, NULL},
        {0x10000000, 0x1000, 0, 0, "C:\\x\\api-ms-win-core-synch-l1-2-0.dll", NULL, 0, NULL},
        {0x77000000, 0x1000, 0, 0, "C:\\Windows\\SysWOW64\\ntdll.dll", NULL, 0, NULL},
    };
    mdmp_builder_module_list(&b, 4, mods, 4);
    size_t size;
    mdmp_builder_finish(&b, &size);
    /* Corrupt: module 1's name RVA and thread 1's context RVA point past the end. */
    uint32_t mod_rva = b.dir_rva[2], thr_rva = b.dir_rva[1];
    dd_put_le32(b.file.data + mod_rva + 4 + 108 + 20, 0xfffffff0);
    dd_put_le32(b.file.data + thr_rva + 4 + 48 + 44, (uint32_t)size);
    struct target *t = open_ok(&b);
    if (!t) {
        mdmp_builder_deinit(&b);
        return;
    }
    CHECK_EQ(t->nthreads, 2);
    CHECK(t->threads[0].context != NULL && t->threads[0].context_size == sizeof(ctx));
    CHECK(t->threads[1].context == NULL && t->threads[1].context_size == 0);
    CHECK(has_warning(t, "thread 0x200: context"));
    /* Thread 0's stack is readable; thread 1's (RVA 0) is not in the dump. */
    uint32_t v = 0;
    CHECK_OK(target_read_exact(t, 0x20000, &v, 4));
    CHECK_EQ(v, 0xabababab);
    size_t got;
    struct dd_error *err = target_read(t, 0x30000, &v, 4, &got);
    CHECK(err != NULL);
    dd_error_destroy(err);

    CHECK_EQ(t->nmodules, 4);
    /* Sorted by base. */
    CHECK_EQ(t->modules[0].base, 0x400000);
    CHECK_EQ(t->modules[3].base, 0x7ff800000000);
    CHECK_STR(t->modules[0].path, "<name unavailable>");
    CHECK_STR(t->modules[0].name, "unknown_400000");
    CHECK(has_warning(t, "name at rva 0xfffffff0"));
    CHECK_STR(t->modules[1].name, "api_ms_win_core_synch_l1_2_0");
    /* The second "ntdll" in list order gets WinDbg's base suffix. */
    CHECK_STR(t->modules[3].name, "ntdll");
    CHECK_STR(t->modules[2].name, "ntdll_77000000");
    CHECK_EQ(t->modules[3].cv_kind, TARGET_CV_RSDS);
    CHECK(memcmp(t->modules[3].pdb_guid, guid, 16) == 0);
    CHECK_EQ(t->modules[3].pdb_age, 2);
    CHECK_STR(t->modules[3].pdb_name, "ntdll.pdb");
    CHECK(t->modules[3].has_version);
    CHECK_EQ(t->modules[3].version.file_version_ms, 0x000a0000);
    CHECK_EQ(t->modules[2].cv_kind, TARGET_CV_NONE);
    CHECK(t->modules[2].pdb_name == NULL);
    target_destroy(t);
    mdmp_builder_deinit(&b);
}

/* A MiscInfo stream of SIZE bytes (a MINIDUMP_MISC_INFO_N prefix) with every field set. */
static void misc_blob(struct mdmp_blob *s, uint32_t size, uint32_t flags)
{
    mdmp_blob_u32(s, size);
    mdmp_blob_u32(s, flags);
    mdmp_blob_u32(s, 1234);       /* ProcessId */
    mdmp_blob_u32(s, 1600000000); /* ProcessCreateTime */
    mdmp_blob_u32(s, 5);          /* ProcessUserTime */
    mdmp_blob_u32(s, 6);          /* ProcessKernelTime */
    mdmp_blob_u32(s, 3000);       /* ProcessorMaxMhz */
    mdmp_blob_u32(s, 2900);
    mdmp_blob_u32(s, 3100);
    mdmp_blob_u32(s, 3);
    mdmp_blob_u32(s, 1);
    mdmp_blob_u32(s, 0x2000);        /* ProcessIntegrityLevel: medium */
    mdmp_blob_u32(s, 0x4d);          /* ProcessExecuteFlags */
    mdmp_blob_u32(s, 0);             /* ProtectedProcess */
    mdmp_blob_u32(s, 2);             /* TimeZoneId: daylight */
    mdmp_blob_u32(s, (uint32_t)-60); /* Bias */
    mdmp_blob_utf16_fixed(s, "Mitteleuropäische Zeit", 32);
    for (int i = 0; i < 8; i++)
        mdmp_blob_u16(s, (uint16_t)(i == 1 ? 10 : 0)); /* StandardDate: October */
    mdmp_blob_u32(s, 0);
    mdmp_blob_utf16_fixed(s, "Mitteleuropäische Sommerzeit", 32);
    for (int i = 0; i < 8; i++)
        mdmp_blob_u16(s, (uint16_t)(i == 1 ? 3 : 0));
    mdmp_blob_u32(s, (uint32_t)-60);
    mdmp_blob_utf16_fixed(s, "19041.1.amd64fre.vb_release.191206-1406", 260);
    mdmp_blob_utf16_fixed(s, "dbgcore.amd64fre", 40);
    mdmp_blob_u32(s, 528);   /* XSTATE SizeOfInfo */
    mdmp_blob_u32(s, 0x8e0); /* ContextSize */
    mdmp_blob_u64(s, 0x7);   /* x87, SSE, AVX */
    for (int i = 0; i < 64; i++) {
        mdmp_blob_u32(s, i == 2 ? 0x340 : 0);
        mdmp_blob_u32(s, i == 2 ? 0x100 : 0);
    }
    mdmp_blob_u32(s, 0xc0ffee); /* ProcessCookie */
    s->size = size < s->size ? size : s->size;
}

TEST(mdmp_synth_misc_info_versions)
{
    static const uint32_t sizes[] = {24, 44, 232, 832, 1364};
    for (unsigned v = 0; v < 5; v++) {
        struct mdmp_builder b;
        mdmp_builder_init(&b);
        struct mdmp_blob s;
        mdmp_blob_init(&s);
        misc_blob(&s, sizes[v], 0x3f7);
        mdmp_builder_stream_blob(&b, 15, &s);
        struct target *t = open_ok(&b);
        if (t) {
            const struct mdmp_file *f = mdmp_file_of(t);
            CHECK_EQ(f->misc.level, v + 1);
            CHECK(t->proc.has_pid && t->proc.pid == 1234);
            CHECK(t->proc.has_times && t->proc.create_time == 1600000000);
            CHECK_EQ(t->proc.user_time, 5);
            CHECK_EQ(t->proc.kernel_time, 6);
            CHECK_EQ(t->proc.has_processor_power, v >= 1);
            if (v >= 1) {
                CHECK_EQ(t->proc.processor_max_mhz, 3000);
                CHECK_EQ(t->proc.processor_mhz_limit, 3100);
                CHECK_EQ(t->proc.processor_current_idle_state, 1);
            }
            CHECK_EQ(t->proc.has_time_zone, v >= 2);
            CHECK_EQ(f->misc.has_integrity, v >= 2);
            if (v >= 2) {
                CHECK_EQ(f->misc.process_integrity_level, 0x2000);
                CHECK_EQ(f->misc.process_execute_flags, 0x4d);
                CHECK_EQ(f->misc.time_zone_id, 2);
                CHECK_EQ(t->proc.tz_bias, -60);
                CHECK_STR(t->proc.tz_standard_name, "Mitteleuropäische Zeit");
                CHECK_STR(t->proc.tz_daylight_name, "Mitteleuropäische Sommerzeit");
                CHECK_EQ(f->misc.tz_standard_date[1], 10);
                CHECK_EQ(f->misc.tz_daylight_bias, -60);
            }
            if (v >= 3) {
                CHECK_STR(t->sys.build_string, "19041.1.amd64fre.vb_release.191206-1406");
                CHECK_STR(t->sys.dbg_build_string, "dbgcore.amd64fre");
            } else {
                CHECK(t->sys.build_string == NULL);
            }
            CHECK_EQ(f->xstate.present, v >= 4);
            CHECK_EQ(f->misc.has_process_cookie, v >= 4);
            if (v >= 4) {
                CHECK_EQ(f->xstate.context_size, 0x8e0);
                CHECK_EQ(f->xstate.enabled_features, 7);
                CHECK_EQ(f->xstate.offset[2], 0x340);
                CHECK_EQ(f->xstate.size[2], 0x100);
                CHECK_EQ(f->misc.process_cookie, 0xc0ffee);
            }
            target_destroy(t);
        }
        mdmp_blob_deinit(&s);
        mdmp_builder_deinit(&b);
    }

    /* SizeOfInfo larger than the stream: only what the stream holds is used. */
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    misc_blob(&s, 232, 0x3f7);
    mdmp_blob_put_u32(&s, 0, 1364);
    mdmp_builder_stream_blob(&b, 15, &s);
    struct target *t = open_ok(&b);
    if (t) {
        CHECK_EQ(mdmp_file_of(t)->misc.level, 3);
        CHECK_EQ(mdmp_file_of(t)->misc.size_of_info, 1364);
        CHECK(t->sys.build_string == NULL);
        target_destroy(t);
    }
    /* Flags gate the fields: no PROCESS_ID flag, no pid. */
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
    mdmp_builder_init(&b);
    mdmp_blob_init(&s);
    misc_blob(&s, 24, 0x2);
    mdmp_builder_stream_blob(&b, 15, &s);
    t = open_ok(&b);
    if (t) {
        CHECK(!t->proc.has_pid);
        CHECK(t->proc.has_times);
        target_destroy(t);
    }
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_memory64_full_dump)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    b.flags = 0x2; /* MiniDumpWithFullMemory */
    mdmp_builder_system_info(&b, 9, 10, 0, 22000, "");
    uint8_t ctx[1232] = {0};
    /* Full-memory writers leave the stack RVA 0: the stack lives in the Memory64List. */
    struct mdmp_builder_thread th = {0x42, 0x1000, 0x7f000, NULL, 0x1000, ctx, sizeof(ctx)};
    mdmp_builder_thread_list(&b, &th, 1);
    static uint8_t page1[0x1000], page2[0x800], page3[0x10];
    for (size_t i = 0; i < sizeof(page1); i++)
        page1[i] = (uint8_t)(i * 7);
    memset(page2, 0x5a, sizeof(page2));
    memset(page3, 0x77, sizeof(page3));
    struct mdmp_builder_range r[3] = {
        {0x7f000, page1, sizeof(page1)},
        {0x80000, page2, sizeof(page2)}, /* adjacent to the first: reads join them */
        {0x7ffe0000, page3, sizeof(page3)},
    };
    mdmp_builder_memory64_list(&b, r, 3);
    struct target *t = open_ok(&b);
    if (!t) {
        mdmp_builder_deinit(&b);
        return;
    }
    CHECK_EQ(t->kind, TARGET_USER_FULL);
    CHECK_STR(t->kind_text,
              "User Mini Dump File with Full Memory: Only application data is available");
    CHECK_EQ(t->memory.count, 3);
    uint8_t buf[0x20];
    CHECK_OK(target_read_exact(t, 0x7f000 + 0x10, buf, 4));
    CHECK_EQ(buf[0], (uint8_t)(0x10 * 7));
    size_t got = 0;
    CHECK_OK(target_read(t, 0x80000 - 0x10, buf, 0x20, &got));
    CHECK_EQ(got, 0x20);
    CHECK_EQ(buf[0x0f], (uint8_t)(0xfff * 7));
    CHECK_EQ(buf[0x10], 0x5a);
    CHECK_OK(target_read_exact(t, 0x7ffe0000, buf, 0x10));
    CHECK_EQ(buf[0xf], 0x77);
    /* The thread's stack (RVA 0 in the thread list) is readable through the Memory64List. */
    CHECK_EQ(t->threads[0].stack_start, 0x7f000);
    CHECK_OK(target_read_exact(t, t->threads[0].stack_start, buf, 8));
    struct dd_error *err = target_read(t, 0x80800, buf, 1, &got);
    CHECK(err && err->code == DD_ERR_MEMORY && err->address == 0x80800);
    dd_error_destroy(err);
    CHECK_EQ(mdmp_file_of(t)->nwarnings, 0);
    target_destroy(t);

    /* BaseRva past the end of the file: ranges are dropped with a warning, no crash. */
    size_t size;
    mdmp_builder_finish(&b, &size);
    uint32_t m64 = b.dir_rva[b.ndir - 1];
    dd_put_le64(b.file.data + m64 + 8, 0xfffffffffffff000ULL);
    t = open_ok(&b);
    if (t) {
        CHECK_EQ(t->memory.count, 0);
        CHECK(has_warning(t, "past the end of the file"));
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_handle_data_v2)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    uint32_t type_rva = mdmp_builder_string(&b, "Event");
    uint32_t name_rva = mdmp_builder_string(&b, "\\BaseNamedObjects\\Ready");
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 16);
    mdmp_blob_u32(&s, 40); /* MINIDUMP_HANDLE_DESCRIPTOR_2 */
    mdmp_blob_u32(&s, 3);
    mdmp_blob_u32(&s, 0);
    const uint32_t types[3] = {type_rva, type_rva, 0xfffffff0};
    const uint32_t names[3] = {name_rva, 0, 0};
    for (int i = 0; i < 3; i++) {
        mdmp_blob_u64(&s, 4 + 4 * (uint64_t)i);
        mdmp_blob_u32(&s, types[i]);
        mdmp_blob_u32(&s, names[i]);
        mdmp_blob_u32(&s, 0x2);      /* Attributes */
        mdmp_blob_u32(&s, 0x1f0003); /* GrantedAccess */
        mdmp_blob_u32(&s, 1 + (uint32_t)i);
        mdmp_blob_u32(&s, 32769);
        mdmp_blob_u32(&s, 0); /* ObjectInfoRva */
        mdmp_blob_u32(&s, 0);
    }
    mdmp_builder_stream_blob(&b, 12, &s);
    struct target *t = open_ok(&b);
    if (t) {
        CHECK_EQ(mdmp_file_of(t)->handle_descriptor_size, 40);
        CHECK_EQ(t->nhandles, 3);
        CHECK_EQ(t->handles[0].handle, 4);
        CHECK_STR(t->handles[0].type_name, "Event");
        CHECK_STR(t->handles[0].object_name, "\\BaseNamedObjects\\Ready");
        CHECK_EQ(t->handles[0].granted_access, 0x1f0003);
        CHECK_EQ(t->handles[1].handle_count, 2);
        CHECK_EQ(t->handles[1].pointer_count, 32769);
        CHECK(t->handles[1].object_name == NULL); /* RVA 0: no name */
        CHECK(t->handles[2].type_name == NULL);   /* RVA outside the file */
        CHECK(has_warning(t, "handle 0xc: type name"));
        target_destroy(t);
    }
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_comments)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    struct mdmp_blob w;
    mdmp_blob_init(&w);
    mdmp_blob_utf16_fixed(&w, "Grüße € 𝄞", 11);
    mdmp_builder_stream_blob(&b, 11, &w);
    mdmp_builder_stream(&b, 10, "plain ANSI comment\0junk", 23);
    struct target *t = open_ok(&b);
    if (t) {
        CHECK_EQ(t->ncomments, 2);
        CHECK_STR(t->comments[0], "Grüße € 𝄞");
        CHECK_STR(t->comments[1], "plain ANSI comment");
        CHECK_STR(t->streams[0].name, "CommentStreamW");
        CHECK_STR(t->streams[1].name, "CommentStreamA");
        target_destroy(t);
    }
    mdmp_blob_deinit(&w);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_exception_and_unknown_streams)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_system_info(&b, 12, 10, 0, 22621, "");
    uint8_t ctx[0x390] = {0};
    uint32_t ctx_rva = mdmp_builder_append(&b, ctx, sizeof(ctx));
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 0x1234);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u32(&s, 0xc0000409);
    mdmp_blob_u32(&s, 1);
    mdmp_blob_u64(&s, 0);
    mdmp_blob_u64(&s, 0x7ff612345678);
    mdmp_blob_u32(&s, 99); /* NumberParameters beyond EXCEPTION_MAXIMUM_PARAMETERS */
    mdmp_blob_u32(&s, 0);
    for (int i = 0; i < 15; i++)
        mdmp_blob_u64(&s, 100 + (uint64_t)i);
    mdmp_blob_u32(&s, sizeof(ctx));
    mdmp_blob_u32(&s, ctx_rva);
    mdmp_builder_stream_blob(&b, 6, &s);
    mdmp_builder_stream(&b, 0x47670009, "maps", 4); /* Breakpad LinuxMaps: listed only */
    mdmp_builder_stream(&b, 0x7777, "?", 1);        /* unknown: listed without a name */
    struct target *t = open_ok(&b);
    if (t) {
        CHECK_EQ(t->sys.cpu, DD_CPU_ARM64);
        CHECK(t->has_exception);
        CHECK_EQ(t->exception.thread_id, 0x1234);
        CHECK_EQ(t->exception.code, 0xc0000409);
        CHECK_EQ(t->exception.flags, 1);
        CHECK_EQ(t->exception.address, 0x7ff612345678);
        CHECK_EQ(t->exception.num_params, 99);
        CHECK_EQ(t->exception.params[14], 114);
        CHECK(t->exception.context == t->file.data + ctx_rva);
        CHECK_EQ(t->exception.context_size, sizeof(ctx));
        CHECK_EQ(t->nstreams, 4);
        CHECK_STR(t->streams[2].name, "LinuxMapsStream");
        CHECK(t->streams[3].name == NULL && t->streams[3].type == 0x7777);
        target_destroy(t);
    }
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_thread_info_and_names)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    uint8_t ctx[16] = {0};
    struct mdmp_builder_thread th[3] = {
        {30, 0, 0, NULL, 0, ctx, sizeof(ctx)},
        {10, 0, 0, NULL, 0, ctx, sizeof(ctx)},
        {20, 0, 0, NULL, 0, ctx, sizeof(ctx)},
    };
    mdmp_builder_thread_list(&b, th, 3);
    uint32_t n1 = mdmp_builder_string(&b, "worker");
    uint32_t n2 = mdmp_builder_string(&b, "");
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 4);
    const uint32_t tids[4] = {20, 10, 99, 30};
    const uint64_t rvas[4] = {n1, n2, n1, 0x1ffffffffULL};
    for (int i = 0; i < 4; i++) {
        mdmp_blob_u32(&s, tids[i]);
        mdmp_blob_u64(&s, rvas[i]);
    }
    mdmp_builder_stream_blob(&b, 24, &s);
    mdmp_blob_deinit(&s);
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 12);
    mdmp_blob_u32(&s, 64);
    mdmp_blob_u32(&s, 1);
    mdmp_blob_u32(&s, 10);
    mdmp_blob_u32(&s, 0x4); /* DumpFlags */
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u32(&s, 259); /* STILL_ACTIVE */
    mdmp_blob_u64(&s, 132000000000000000ULL);
    mdmp_blob_u64(&s, 0);
    mdmp_blob_u64(&s, 1000);
    mdmp_blob_u64(&s, 2000);
    mdmp_blob_u64(&s, 0x401000);
    mdmp_blob_u64(&s, 0xff);
    mdmp_builder_stream_blob(&b, 17, &s);
    struct target *t = open_ok(&b);
    if (t) {
        long k = target_thread_by_tid(t, 20);
        CHECK(k >= 0 && t->threads[k].name && strcmp(t->threads[k].name, "worker") == 0);
        k = target_thread_by_tid(t, 10);
        CHECK(k >= 0 && t->threads[k].name == NULL); /* empty name = no name */
        CHECK(k >= 0 && t->threads[k].has_info && t->threads[k].start_address == 0x401000 &&
              t->threads[k].exit_status == 259 && t->threads[k].user_time == 2000);
        k = target_thread_by_tid(t, 30);
        CHECK(k >= 0 && t->threads[k].name == NULL && !t->threads[k].has_info);
        CHECK(has_warning(t, "thread 0x1e: name"));
        target_destroy(t);
    }
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_wine)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    /* SystemInfo, then Wine's block, then the CSD string (as Wine's dbghelp lays it out). */
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u16(&s, 9);
    mdmp_blob_u16(&s, 6);
    mdmp_blob_u16(&s, 0);
    mdmp_blob_u8(&s, 8);
    mdmp_blob_u8(&s, 1);
    mdmp_blob_u32(&s, 10);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u32(&s, 19045);
    mdmp_blob_u32(&s, 2);
    size_t csd_at = s.size;
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u16(&s, 0x100);
    mdmp_blob_u16(&s, 0);
    mdmp_blob_zero(&s, 24);
    struct mdmp_blob wine;
    mdmp_blob_init(&wine);
    static const char build[] = "wine-8.0", sysname[] = "Linux", release[] = "6.1.0";
    mdmp_blob_bytes(&wine, "WINE", 4);
    mdmp_blob_u32(&wine, 3);
    mdmp_blob_u32(&wine, 16);
    mdmp_blob_u32(&wine, 16 + sizeof(build));
    mdmp_blob_u32(&wine, 16 + sizeof(build) + sizeof(sysname));
    mdmp_blob_bytes(&wine, build, sizeof(build));
    mdmp_blob_bytes(&wine, sysname, sizeof(sysname));
    mdmp_blob_bytes(&wine, release, sizeof(release));
    /* CSD string right after: its RVA is stream RVA + 56 + block size (all 4-aligned). */
    while (wine.size % 4)
        mdmp_blob_u8(&wine, 0);
    uint32_t sys_rva = mdmp_builder_stream_blob(&b, 7, &s);
    mdmp_builder_append(&b, wine.data, wine.size);
    uint32_t csd_rva = mdmp_builder_string(&b, "");
    dd_put_le32(b.file.data + sys_rva + csd_at, csd_rva);
    struct mdmp_builder_module host = {0x7f0000000000,           0x1000, 0, 0,
                                       "/usr/lib/wine/ntdll.so", NULL,   0, NULL};
    mdmp_builder_module_list(&b, 0xfff0, &host, 1);
    struct target *t = open_ok(&b);
    if (t) {
        const struct mdmp_file *f = mdmp_file_of(t);
        CHECK(t->sys.is_wine);
        CHECK_STR(t->sys.wine_version, "wine-8.0");
        CHECK_STR(f->wine_host_sysname, "Linux");
        CHECK_STR(f->wine_host_release, "6.1.0");
        CHECK_STR(t->sys.csd_version, "");
        CHECK_EQ(f->nwine_host_modules, 1);
        CHECK_STR(f->wine_host_modules[0].path, "/usr/lib/wine/ntdll.so");
        CHECK_EQ(t->nmodules, 0); /* host modules are not Windows modules */
        target_destroy(t);
    }
    mdmp_blob_deinit(&wine);
    mdmp_blob_deinit(&s);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_crashpad_nested_lists)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    struct mdmp_builder_module mod = {0x400000, 0x1000, 0, 0, "C:\\app\\app.exe", NULL, 0, NULL};
    mdmp_builder_module_list(&b, 4, &mod, 1);
    /* Process dictionary with one good entry and one whose value RVA is outside the file. */
    uint32_t k1 = mdmp_builder_utf8(&b, "prod"), v1 = mdmp_builder_utf8(&b, "App");
    struct mdmp_blob d;
    mdmp_blob_init(&d);
    mdmp_blob_u32(&d, 2);
    mdmp_blob_u32(&d, k1);
    mdmp_blob_u32(&d, v1);
    mdmp_blob_u32(&d, k1);
    mdmp_blob_u32(&d, 0xfffffff0);
    uint32_t dict_rva = mdmp_builder_append(&b, d.data, d.size);
    /* Module info: a list annotation and an annotation object. */
    uint32_t l1 = mdmp_builder_utf8(&b, "first");
    struct mdmp_blob list;
    mdmp_blob_init(&list);
    mdmp_blob_u32(&list, 1);
    mdmp_blob_u32(&list, l1);
    uint32_t list_rva = mdmp_builder_append(&b, list.data, list.size);
    uint32_t on = mdmp_builder_utf8(&b, "channel"), ov = mdmp_builder_utf8(&b, "beta");
    struct mdmp_blob objs;
    mdmp_blob_init(&objs);
    mdmp_blob_u32(&objs, 2);
    mdmp_blob_u32(&objs, on);
    mdmp_blob_u16(&objs, 1); /* kString */
    mdmp_blob_u16(&objs, 0);
    mdmp_blob_u32(&objs, ov);
    mdmp_blob_u32(&objs, on);
    mdmp_blob_u16(&objs, 0x8001); /* user-defined type */
    mdmp_blob_u16(&objs, 0);
    mdmp_blob_u32(&objs, ov);
    uint32_t objs_rva = mdmp_builder_append(&b, objs.data, objs.size);
    struct mdmp_blob mi;
    mdmp_blob_init(&mi);
    mdmp_blob_u32(&mi, 1);
    mdmp_blob_u32(&mi, (uint32_t)list.size);
    mdmp_blob_u32(&mi, list_rva);
    mdmp_blob_u32(&mi, 0);
    mdmp_blob_u32(&mi, 0);
    mdmp_blob_u32(&mi, (uint32_t)objs.size);
    mdmp_blob_u32(&mi, objs_rva);
    uint32_t mi_rva = mdmp_builder_append(&b, mi.data, mi.size);
    struct mdmp_blob links;
    mdmp_blob_init(&links);
    mdmp_blob_u32(&links, 3);
    mdmp_blob_u32(&links, 0);
    mdmp_blob_u32(&links, (uint32_t)mi.size);
    mdmp_blob_u32(&links, mi_rva);
    mdmp_blob_u32(&links, 7); /* module index out of range */
    mdmp_blob_u32(&links, 0);
    mdmp_blob_u32(&links, 0);
    mdmp_blob_u32(&links, 0); /* location outside the file */
    mdmp_blob_u32(&links, 0x10000);
    mdmp_blob_u32(&links, 0xffffff00);
    uint32_t links_rva = mdmp_builder_append(&b, links.data, links.size);
    struct mdmp_blob ci;
    mdmp_blob_init(&ci);
    mdmp_blob_u32(&ci, 1);
    mdmp_blob_zero(&ci, 32);
    mdmp_blob_u32(&ci, (uint32_t)d.size);
    mdmp_blob_u32(&ci, dict_rva);
    mdmp_blob_u32(&ci, (uint32_t)links.size);
    mdmp_blob_u32(&ci, links_rva);
    mdmp_blob_u32(&ci, 0);
    mdmp_blob_u64(&ci, 0xffffffffffffULL);
    mdmp_builder_stream_blob(&b, 0x43500001, &ci);
    struct target *t = open_ok(&b);
    if (t) {
        const struct mdmp_file *f = mdmp_file_of(t);
        CHECK(f->crashpad.present && f->crashpad.has_address_mask);
        CHECK_EQ(f->crashpad.address_mask, 0xffffffffffffULL);
        CHECK_EQ(t->nannotations, 4);
        if (t->nannotations == 4) {
            CHECK_STR(t->annotations[0].source, "crashpad");
            CHECK_STR(t->annotations[0].key, "prod");
            CHECK_STR(t->annotations[0].value, "App");
            CHECK_STR(t->annotations[1].source, "crashpad:app.exe");
            CHECK_STR(t->annotations[1].key, "[0]");
            CHECK_STR(t->annotations[1].value, "first");
            CHECK_STR(t->annotations[2].key, "channel");
            CHECK_STR(t->annotations[2].value, "beta");
            CHECK_STR(t->annotations[3].value, "<type 0x8001, 4 bytes>");
        }
        CHECK(has_warning(t, "module info 2"));
        target_destroy(t);
    }
    mdmp_blob_deinit(&ci);
    mdmp_blob_deinit(&links);
    mdmp_blob_deinit(&mi);
    mdmp_blob_deinit(&objs);
    mdmp_blob_deinit(&list);
    mdmp_blob_deinit(&d);
    mdmp_builder_deinit(&b);
}

TEST(mdmp_synth_open_in_place)
{
    /* The fuzz entry point: a buffer opened without a file, every prefix of a real dump. */
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_system_info(&b, 0, 6, 1, 7601, "Service Pack 1");
    uint8_t stack[64] = {1};
    uint8_t ctx[0x2cc] = {0};
    struct mdmp_builder_thread th = {7,   0x7ffdf000, 0x12f000, stack, sizeof(stack),
                                     ctx, sizeof(ctx)};
    mdmp_builder_thread_list(&b, &th, 1);
    struct mdmp_builder_module mod = {0x400000, 0x1000, 0, 0, "C:\\a.exe", NULL, 0, NULL};
    mdmp_builder_module_list(&b, 4, &mod, 1);
    size_t size;
    const uint8_t *data = mdmp_builder_finish(&b, &size);
    int opened = 0;
    for (size_t n = 0; n <= size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, data, n);
        struct target *t = NULL;
        struct dd_error *err = mdmp_test_open_buffer(copy, n, &t);
        if (!err) {
            opened++;
            target_destroy(t);
        } else {
            CHECK(err->code == DD_ERR_FORMAT);
            dd_error_destroy(err);
        }
        free(copy);
    }
    CHECK(opened >= 1); /* at least the whole file */
    struct target *t = NULL;
    CHECK_OK(mdmp_test_open_buffer(data, size, &t));
    if (t) {
        CHECK_EQ(t->nthreads, 1);
        CHECK_STR(t->modules[0].name, "a");
        CHECK_STR(t->sys.cpu_vendor, "GenuineIntel");
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
}
