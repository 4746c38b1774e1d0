/*
 * !analyze's verdict: MD5 and FAILURE_ID_HASH against published values, bucket classes,
 * determinism and exploitability on synthetic x64 minidumps (built with mdmp_builder), the
 * JSON document's fields, and the shared corpus: Breakpad's exploitability expectations
 * (restated in corpus/user/MANIFEST.md) and rust-minidump's JSON snapshot of minidump2.dmp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "analyze/md5.h"
#include "check.h"
#include "cmd/session.h"
#include "mdmp_builder.h"

/* ---- MD5 (RFC 1321 appendix A.5 test suite) ---- */

static void md5_hex(const char *s, char out[33])
{
    uint8_t d[16];
    md5_digest(s, strlen(s), d);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

TEST(analyze_md5_rfc1321)
{
    char h[33];
    md5_hex("", h);
    CHECK_STR(h, "d41d8cd98f00b204e9800998ecf8427e");
    md5_hex("abc", h);
    CHECK_STR(h, "900150983cd24fb0d6963f7d28e17f72");
    md5_hex("message digest", h);
    CHECK_STR(h, "f96b697d7cb7938d525a2f31aaf161d0");
    md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", h);
    CHECK_STR(h, "d174ab98d277d9f5a5611c2c9f419d9f");
    md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890", h);
    CHECK_STR(h, "57edf4a22be3c955ac49da2e2107b67a");
}

/*
 * FAILURE_BUCKET_ID -> FAILURE_ID_HASH pairs printed by WinDbg in published transcripts:
 * pjsip/cirunner README, a Falcon BMS crash report, GWToolboxpp#1509, windirstat#93, and
 * BREAKPOINT reports (win32u, fastrtps). The hash must come out identical.
 */
TEST(analyze_hash_matches_windbg_transcripts)
{
    static const struct {
        const char *bucket, *hash;
    } cases[] = {
        {"NULL_CLASS_PTR_WRITE_c0000005_pjlib-test-i386-Win32-vc14-Debug.exe!capacity_test",
         "{296b5e72-5b8d-2395-c93f-74f7e3cb5d90}"},
        {"NULL_POINTER_READ_c0000005_msctf.dll!CThreadInputMgr::_SetFocus",
         "{823abd64-b0f4-24a9-8251-720f78701681}"},
        {"BREAKPOINT_80000003_win32u.dll!NtUserWaitMessage",
         "{a106cd41-a8b1-c51d-6d94-a75661270841}"},
        {"BREAKPOINT_80000003_fastrtps-2.6.dll!Unknown", "{4679187c-69b1-73ea-b190-e9d20e7a3a92}"},
        {"INVALID_POINTER_READ_c0000005_Gw.exe!Unknown", "{edaade2d-e7c7-68e3-7919-8ecabe3f321a}"},
        {"NULL_CLASS_PTR_READ_c0000005_MFResident.exe!Unknown",
         "{208cd7a1-ccca-e190-4a85-055a2fe1f518}"},
        {"STACK_OVERFLOW_STACK_POINTER_MISMATCH_c00000fd_unknown!noop",
         "{9ef5735f-78ee-0757-0797-ccfa8cb3d560}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char h[39];
        analyze_bucket_hash(cases[i].bucket, h);
        CHECK_STR(h, cases[i].hash);
    }
}

/* ---- synthetic x64 dumps ---- */

struct synth {
    uint32_t code;
    uint32_t nparams;
    uint64_t params[4];
    const uint8_t *insn; /* code bytes at rip (NULL: none in the dump) */
    size_t ninsn;
    uint64_t image_base; /* rip is image_base + 0x1234 unless rip is set */
    uint64_t rip;
    uint64_t rax, rcx, rsp;
    bool no_exception;
    uint64_t extra_addr; /* one more memory range (EH data) */
    const uint8_t *extra;
    size_t nextra;
    bool assertion; /* add a Breakpad AssertionInfo stream */
};

static void discard(void *ctx, const char *d, size_t n)
{
    (void)ctx;
    (void)d;
    (void)n;
}

static struct target *synth_open(const struct synth *sy, struct mdmp_builder *b)
{
    mdmp_builder_init(b);
    mdmp_builder_system_info(b, 9, 10, 0, 19041, "");
    uint64_t base = sy->image_base ? sy->image_base : 0x140000000u;
    uint64_t rip = sy->rip ? sy->rip : base + 0x1234;
    struct mdmp_builder_module m = {base, 0x10000, 0,   0x5f000000, "C:\\app\\app.exe",
                                    NULL, 0,       NULL};
    mdmp_builder_module_list(b, 4, &m, 1);
    /* AMD64 CONTEXT (winnt.h): ContextFlags at 0x30, Rax 0x78, Rcx 0x80, Rsp 0x98, Rip 0xf8. */
    static uint8_t ctx[1232];
    memset(ctx, 0, sizeof(ctx));
    uint32_t flags = 0x100003; /* CONTEXT_AMD64 | CONTROL | INTEGER */
    memcpy(ctx + 0x30, &flags, 4);
    uint64_t rsp = sy->rsp ? sy->rsp : 0x7ff000;
    memcpy(ctx + 0x78, &sy->rax, 8);
    memcpy(ctx + 0x80, &sy->rcx, 8);
    memcpy(ctx + 0x98, &rsp, 8);
    memcpy(ctx + 0xf8, &rip, 8);
    static uint8_t stack[0x100];
    memset(stack, 0, sizeof(stack));
    struct mdmp_builder_thread th = {0x1234, 0x1000, rsp, stack, sizeof(stack), ctx, sizeof(ctx)};
    mdmp_builder_thread_list(b, &th, 1);
    struct mdmp_builder_range r[2];
    size_t nr = 0;
    if (sy->insn)
        r[nr++] = (struct mdmp_builder_range){rip, sy->insn, (uint32_t)sy->ninsn};
    if (sy->extra)
        r[nr++] = (struct mdmp_builder_range){sy->extra_addr, sy->extra, (uint32_t)sy->nextra};
    if (nr)
        mdmp_builder_memory_list(b, r, nr);
    if (sy->assertion) {
        /* MDRawAssertionInfo (Breakpad minidump_format.h): three 128-unit UTF-16 strings,
         * line, type. */
        struct mdmp_blob a;
        mdmp_blob_init(&a);
        mdmp_blob_utf16_fixed(&a, "p != NULL", 128);
        mdmp_blob_utf16_fixed(&a, "copy_name", 128);
        mdmp_blob_utf16_fixed(&a, "names.c", 128);
        mdmp_blob_u32(&a, 42);
        mdmp_blob_u32(&a, 1); /* MD_ASSERTION_INFO_TYPE_INVALID_PARAMETER */
        mdmp_builder_stream_blob(b, 0x47670002, &a);
        mdmp_blob_deinit(&a);
    }
    if (!sy->no_exception) {
        uint32_t ctx_rva = mdmp_builder_append(b, ctx, sizeof(ctx));
        struct mdmp_blob s;
        mdmp_blob_init(&s);
        /* MINIDUMP_EXCEPTION_STREAM: ThreadId, alignment, MINIDUMP_EXCEPTION, context location. */
        mdmp_blob_u32(&s, 0x1234);
        mdmp_blob_u32(&s, 0);
        mdmp_blob_u32(&s, sy->code);
        mdmp_blob_u32(&s, 0);
        mdmp_blob_u64(&s, 0);
        mdmp_blob_u64(&s, rip);
        mdmp_blob_u32(&s, sy->nparams);
        mdmp_blob_u32(&s, 0);
        for (int i = 0; i < 15; i++)
            mdmp_blob_u64(&s, i < 4 ? sy->params[i] : 0);
        mdmp_blob_u32(&s, sizeof(ctx));
        mdmp_blob_u32(&s, ctx_rva);
        mdmp_builder_stream_blob(b, 6, &s);
        mdmp_blob_deinit(&s);
    }
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(b, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "opening the synthetic dump: %s", err->message);
        dd_error_destroy(err);
        return NULL;
    }
    return t;
}

/* Analyzes a synthetic dump; false (after reporting) when it cannot. */
struct run {
    struct mdmp_builder b;
    struct target *t;
    struct dd_writer out;
    struct session s;
    struct analyze_verdict v;
};

static bool run_open(const struct synth *sy, struct run *r, bool all_threads)
{
    memset(r, 0, sizeof(*r));
    r->t = synth_open(sy, &r->b);
    if (!r->t) {
        mdmp_builder_deinit(&r->b);
        return false;
    }
    r->out.write = discard;
    session_init(&r->s, r->t, &r->out, "synthetic.dmp");
    struct analyze_options o = {.all_threads = all_threads};
    struct dd_error *err = analyze_run(&r->s, &o, &r->v);
    if (err) {
        check_fail(__FILE__, __LINE__, "analyze_run: %s", err->message);
        dd_error_destroy(err);
        session_deinit(&r->s);
        target_destroy(r->t);
        mdmp_builder_deinit(&r->b);
        return false;
    }
    return true;
}

static void run_close(struct run *r)
{
    analyze_verdict_deinit(&r->v);
    session_deinit(&r->s);
    target_destroy(r->t);
    mdmp_builder_deinit(&r->b);
}

/* mov dword ptr [rax],0BADF00Dh */
static const uint8_t insn_store[] = {0xc7, 0x00, 0x0d, 0xf0, 0xad, 0x0b};
/* mov rax,qword ptr [rcx] */
static const uint8_t insn_load[] = {0x48, 0x8b, 0x01};
/* rep movs byte ptr [rdi],byte ptr [rsi] */
static const uint8_t insn_rep_movsb[] = {0xf3, 0xa4};
/* call qword ptr [rax] */
static const uint8_t insn_call_mem[] = {0xff, 0x10};

struct av_case {
    const char *label;
    uint64_t kind, addr;
    const uint8_t *insn;
    size_t ninsn;
    const char *problem_class;
    enum analyze_rating rating;
};

TEST(analyze_access_violation_classes)
{
    static const struct av_case cases[] = {
        {"write to 0", 1, 0, insn_store, sizeof(insn_store), "NULL_POINTER_WRITE",
         ANALYZE_RATING_NONE},
        {"read of 0x10", 0, 0x10, insn_load, sizeof(insn_load), "NULL_CLASS_PTR_READ",
         ANALYZE_RATING_NONE},
        {"read of 0x41414141", 0, 0x41414141, insn_load, sizeof(insn_load), "INVALID_POINTER_READ",
         ANALYZE_RATING_HIGH},
        {"read of 0x4e3c9", 0, 0x4e3c9, insn_load, sizeof(insn_load), "INVALID_POINTER_READ",
         ANALYZE_RATING_LOW},
        {"write to 0x4e3c9", 1, 0x4e3c9, insn_store, sizeof(insn_store), "INVALID_POINTER_WRITE",
         ANALYZE_RATING_MEDIUM},
        {"rep movsb to 0x4e3c9", 1, 0x4e3c9, insn_rep_movsb, sizeof(insn_rep_movsb),
         "INVALID_POINTER_WRITE", ANALYZE_RATING_HIGH},
        {"call through 0x4e3c9", 0, 0x4e3c9, insn_call_mem, sizeof(insn_call_mem),
         "INVALID_POINTER_READ", ANALYZE_RATING_HIGH},
        {"execute 0x7ff612340000", 8, 0x7ff612340000, NULL, 0,
         "SOFTWARE_NX_FAULT_INVALID_POINTER_EXECUTE", ANALYZE_RATING_HIGH},
        {"execute 0", 8, 0, NULL, 0, "SOFTWARE_NX_FAULT_NULL_POINTER_EXECUTE", ANALYZE_RATING_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct av_case *c = &cases[i];
        struct synth sy = {0};
        sy.code = 0xc0000005;
        sy.nparams = 2;
        sy.params[0] = c->kind;
        sy.params[1] = c->addr;
        sy.insn = c->insn;
        sy.ninsn = c->ninsn;
        sy.rax = c->addr;
        sy.rcx = c->addr;
        struct run r;
        if (!run_open(&sy, &r, false))
            continue;
        if (!r.v.problem_class || strcmp(r.v.problem_class, c->problem_class) != 0 ||
            r.v.rating != c->rating)
            check_fail(__FILE__, __LINE__, "%s: class %s rating %s (%s), expected %s %s", c->label,
                       r.v.problem_class ? r.v.problem_class : "(null)",
                       analyze_rating_name(r.v.rating), r.v.rating_reason ? r.v.rating_reason : "",
                       c->problem_class, analyze_rating_name(c->rating));
        run_close(&r);
    }
}

TEST(analyze_bucket_and_blame_without_symbols)
{
    struct synth sy = {0};
    sy.code = 0xc0000005;
    sy.nparams = 2;
    sy.params[0] = 1;
    sy.insn = insn_store;
    sy.ninsn = sizeof(insn_store);
    struct run r;
    if (!run_open(&sy, &r, false))
        return;
    CHECK(r.v.has_exception);
    CHECK_EQ(r.v.exception.access, ANALYZE_ACCESS_WRITE);
    CHECK_EQ(r.v.faulting_thread, 0);
    CHECK_EQ(r.v.blamed_frame, 0);
    /* No symbols: WinDbg's "Unknown" function and "module+offset" symbol. */
    CHECK_STR(r.v.bucket, "NULL_POINTER_WRITE_c0000005_app.exe!Unknown");
    CHECK_STR(r.v.symbol_name, "app+1234");
    CHECK_STR(r.v.module_name, "app");
    CHECK_STR(r.v.image_name, "app.exe");
    CHECK_STR(r.v.process_name, "app.exe");
    CHECK_STR(r.v.exception.crash_type, "EXCEPTION_ACCESS_VIOLATION_WRITE");
    CHECK(r.v.has_instruction);
    CHECK_STR(r.v.instruction, "mov     dword ptr [rax],0BADF00Dh");
    CHECK(r.v.operand_base_null);
    char h[39];
    analyze_bucket_hash(r.v.bucket, h);
    CHECK_STR(r.v.hash, h);
    run_close(&r);
}

/* The same crash at other load addresses (ASLR) and stack addresses gets the same bucket. */
TEST(analyze_bucket_is_stable_across_runs)
{
    struct synth a = {0};
    a.code = 0xc0000005;
    a.nparams = 2;
    a.params[0] = 0;
    a.params[1] = 0x18;
    a.insn = insn_load;
    a.ninsn = sizeof(insn_load);
    a.rcx = 0x18;
    struct synth b = a;
    b.image_base = 0x7ff712340000;
    b.rsp = 0x2bf0a8;
    struct run ra, rb;
    if (!run_open(&a, &ra, false))
        return;
    if (!run_open(&b, &rb, false)) {
        run_close(&ra);
        return;
    }
    CHECK_STR(ra.v.bucket, rb.v.bucket);
    CHECK_STR(ra.v.hash, rb.v.hash);
    CHECK_STR(ra.v.bucket, "NULL_CLASS_PTR_READ_c0000005_app.exe!Unknown");
    run_close(&rb);
    /* A different cause in the same place gets a different bucket and hash. */
    struct synth c = a;
    c.params[0] = 1;
    c.params[1] = 0x7ff612340000;
    if (run_open(&c, &rb, false)) {
        CHECK(strcmp(ra.v.bucket, rb.v.bucket) != 0);
        CHECK(strcmp(ra.v.hash, rb.v.hash) != 0);
        run_close(&rb);
    }
    run_close(&ra);
}

TEST(analyze_non_canonical_gp_fault)
{
    /* A GP fault reports ffffffffffffffff; the operand [rcx] says what was really read. */
    struct synth sy = {0};
    sy.code = 0xc0000005;
    sy.nparams = 2;
    sy.params[0] = 0;
    sy.params[1] = UINT64_MAX;
    sy.insn = insn_load;
    sy.ninsn = sizeof(insn_load);
    sy.rcx = 0x8000000000000010ull;
    struct run r;
    if (!run_open(&sy, &r, false))
        return;
    CHECK(r.v.exception.data_address_recovered);
    CHECK_EQ(r.v.exception.data_address, 0x8000000000000010ull);
    CHECK_STR(r.v.problem_class, "INVALID_POINTER_READ");
    CHECK(r.v.nnotes >= 1);
    run_close(&r);
}

TEST(analyze_other_exception_classes)
{
    static const struct {
        uint32_t code;
        uint32_t nparams;
        uint64_t p0;
        const char *problem_class, *crash_type;
        enum analyze_rating rating;
    } cases[] = {
        {0x80000003, 1, 0, "BREAKPOINT", "EXCEPTION_BREAKPOINT", ANALYZE_RATING_NONE},
        {0xc00000fd, 2, 0, "STACK_OVERFLOW", "EXCEPTION_STACK_OVERFLOW", ANALYZE_RATING_NONE},
        {0xc0000409, 1, 7, "FAIL_FAST_FATAL_APP_EXIT", "FAST_FAIL_FATAL_APP_EXIT",
         ANALYZE_RATING_NONE},
        {0xc0000409, 1, 2, "FAIL_FAST_STACK_COOKIE_CHECK_FAILURE",
         "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE", ANALYZE_RATING_HIGH},
        {0xc0000374, 0, 0, "HEAP_CORRUPTION", "EXCEPTION_HEAP_CORRUPTION", ANALYZE_RATING_MEDIUM},
        {0xc000001d, 0, 0, "ILLEGAL_INSTRUCTION", "EXCEPTION_ILLEGAL_INSTRUCTION",
         ANALYZE_RATING_LOW},
        {0xe06d7363, 3, 0x19930520, "CPP_EXCEPTION", "Unhandled C++ Exception",
         ANALYZE_RATING_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct synth sy = {0};
        sy.code = cases[i].code;
        sy.nparams = cases[i].nparams;
        sy.params[0] = cases[i].p0;
        struct run r;
        if (!run_open(&sy, &r, false))
            continue;
        CHECK_STR(r.v.problem_class, cases[i].problem_class);
        CHECK_STR(r.v.exception.crash_type, cases[i].crash_type);
        if (r.v.rating != cases[i].rating)
            check_fail(__FILE__, __LINE__, "%08x: rating %s (%s)", cases[i].code,
                       analyze_rating_name(r.v.rating), r.v.rating_reason);
        run_close(&r);
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* the test host is little-endian like the dumps */
}

/* A C++ throw in a 64-bit process: the EH data's 4-byte references are image-relative. */
TEST(analyze_cpp_exception_type)
{
    static uint8_t eh[0x400];
    memset(eh, 0, sizeof(eh));
    uint64_t base = 0x140000000u;
    put32(eh + 0x000 + 12, 0x3100); /* ThrowInfo.pCatchableTypeArray */
    put32(eh + 0x100, 1);           /* CatchableTypeArray.nCatchableTypes */
    put32(eh + 0x104, 0x3200);      /* arrayOfCatchableTypes[0] */
    put32(eh + 0x200 + 4, 0x3300);  /* CatchableType.pType */
    strcpy((char *)eh + 0x300 + 16, ".?AVruntime_error@std@@"); /* TypeDescriptor.name */
    struct synth sy = {0};
    sy.code = 0xe06d7363;
    sy.nparams = 4;
    sy.params[0] = 0x19930520;
    sy.params[1] = 0x2bf000;
    sy.params[2] = base + 0x3000;
    sy.params[3] = base;
    sy.extra_addr = base + 0x3000;
    sy.extra = eh;
    sy.nextra = sizeof(eh);
    struct run r;
    if (!run_open(&sy, &r, false))
        return;
    CHECK_STR(r.v.cpp_exception_type, "std::runtime_error");
    CHECK_STR(r.v.problem_class, "CPP_EXCEPTION");
    run_close(&r);
    /* Without the EH data in the dump: a note, no type. */
    sy.extra = NULL;
    if (!run_open(&sy, &r, false))
        return;
    CHECK(r.v.cpp_exception_type == NULL);
    CHECK(r.v.nnotes >= 1);
    run_close(&r);
}

/* Breakpad minidump_processor.cc GetAssertion's wording, which rust-minidump repeats. */
TEST(analyze_breakpad_assertion)
{
    struct synth sy = {0};
    sy.code = 0xc0000417; /* STATUS_INVALID_CRUNTIME_PARAMETER */
    sy.assertion = true;
    struct run r;
    if (!run_open(&sy, &r, false))
        return;
    CHECK_STR(r.v.assertion, "Invalid parameter passed to library function p != NULL in function "
                             "copy_name, in file names.c at line 42");
    CHECK_STR(r.v.problem_class, "INVALID_CRUNTIME_PARAMETER");
    run_close(&r);
}

TEST(analyze_without_exception)
{
    struct synth sy = {0};
    sy.no_exception = true;
    struct run r;
    if (!run_open(&sy, &r, false))
        return;
    CHECK(!r.v.has_exception);
    /* No crash bucket: a dump without an exception gets the hang analysis (hang_verdict.c). */
    CHECK(r.v.bucket == NULL || strncmp(r.v.bucket, "APPLICATION_HANG_", 17) == 0);
    CHECK_EQ(r.v.rating, ANALYZE_RATING_UNKNOWN);
    CHECK(r.v.nnotes >= 1);
    run_close(&r);
}

/* Renders V as JSON and parses it back; NULL (after reporting) when it does not parse. */
static cJSON *json_of(struct run *r)
{
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    CHECK_OK(analyze_render_json(&r->s, &r->v, false, &w));
    cJSON *doc = sb.data ? cJSON_Parse(sb.data) : NULL;
    if (!doc)
        check_fail(__FILE__, __LINE__, "the JSON does not parse: %.200s", sb.data ? sb.data : "");
    dd_strbuf_deinit(&sb);
    return doc;
}

static const char *jstr_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

TEST(analyze_json_document)
{
    struct synth sy = {0};
    sy.code = 0xc0000005;
    sy.nparams = 2;
    sy.params[0] = 0;
    sy.params[1] = 0x41414141;
    sy.insn = insn_load;
    sy.ninsn = sizeof(insn_load);
    sy.rcx = 0x41414141;
    struct run r;
    if (!run_open(&sy, &r, true))
        return;
    cJSON *doc = json_of(&r);
    if (doc) {
        CHECK_STR(jstr_at(doc, "status", NULL), "OK");
        CHECK_STR(jstr_at(doc, "crash_info", "type"), "EXCEPTION_ACCESS_VIOLATION_READ");
        CHECK_STR(jstr_at(doc, "crash_info", "address"), "0x0000000041414141");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(doc, "crash_info");
        CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(ci, "crashing_thread")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ci, "assertion")));
        const cJSON *ct = cJSON_GetObjectItemCaseSensitive(doc, "crashing_thread");
        const cJSON *frames = cJSON_GetObjectItemCaseSensitive(ct, "frames");
        CHECK(cJSON_GetArraySize(frames) >= 1);
        const cJSON *f0 = cJSON_GetArrayItem(frames, 0);
        CHECK_STR(jstr_at(f0, "module", NULL), "app.exe");
        CHECK_STR(jstr_at(f0, "module_offset", NULL), "0x0000000000001234");
        CHECK_STR(jstr_at(f0, "trust", NULL), "context");
        CHECK_STR(jstr_at(f0, "registers", "rcx"), "0x0000000041414141");
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "threads")) == 1);
        const cJSON *mods = cJSON_GetObjectItemCaseSensitive(doc, "modules");
        CHECK_STR(jstr_at(cJSON_GetArrayItem(mods, 0), "filename", NULL), "app.exe");
        CHECK_STR(jstr_at(cJSON_GetArrayItem(mods, 0), "code_id", NULL), "5f00000010000");
        CHECK_STR(jstr_at(doc, "system_info", "os_ver"), "10.0.19041");
        CHECK_STR(jstr_at(doc, "system_info", "cpu_arch"), "amd64");
        CHECK_STR(jstr_at(doc, "analysis", "bucket"), r.v.bucket);
        CHECK_STR(jstr_at(doc, "analysis", "hash"), r.v.hash);
        CHECK_STR(jstr_at(doc, "analysis", "problem_class"), "INVALID_POINTER_READ");
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(doc, "analysis");
        CHECK_STR(jstr_at(an, "exploitability", "rating"), "high");
        CHECK_STR(jstr_at(an, "exception", "access"), "read");
        CHECK_STR(jstr_at(an, "blamed_frame", "symbol"), "app+1234");
        CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(an, "notes")));
        cJSON_Delete(doc);
    }
    run_close(&r);
}

/* ---- the shared corpus ---- */

static bool corpus_run(const char *rel, const char *sympath, struct run *r, bool all_threads)
{
    memset(r, 0, sizeof(*r));
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return false;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/%s", dir, rel);
    struct dd_error *err = target_open(path, &r->t);
    if (err) {
        check_fail(__FILE__, __LINE__, "opening %s: %s", rel, err->message);
        dd_error_destroy(err);
        return false;
    }
    r->out.write = discard;
    session_init(&r->s, r->t, &r->out, path);
    if (sympath && r->s.syms) {
        snprintf(path, sizeof(path), "%s/user/%s", dir, sympath);
        CHECK_OK(symbols_set_path(r->s.syms, path));
    }
    struct analyze_options o = {.all_threads = all_threads};
    err = analyze_run(&r->s, &o, &r->v);
    if (err) {
        check_fail(__FILE__, __LINE__, "analyze_run %s: %s", rel, err->message);
        dd_error_destroy(err);
        session_deinit(&r->s);
        target_destroy(r->t);
        return false;
    }
    return true;
}

static void corpus_close(struct run *r)
{
    analyze_verdict_deinit(&r->v);
    session_deinit(&r->s);
    target_destroy(r->t);
}

/* Breakpad's exploitability_unittest expectations, as the MANIFEST restates them. */
TEST(analyze_corpus_breakpad_exploitability)
{
    static const struct {
        const char *dump;
        enum analyze_rating rating;
    } cases[] = {
        {"ascii_read_av.dmp", ANALYZE_RATING_HIGH},
        {"ascii_read_av_block_write.dmp", ANALYZE_RATING_HIGH},
        {"ascii_read_av_clobber_write.dmp", ANALYZE_RATING_HIGH},
        {"ascii_read_av_conditional.dmp", ANALYZE_RATING_HIGH},
        {"ascii_read_av_then_jmp.dmp", ANALYZE_RATING_HIGH},
        {"ascii_read_av_xchg_write.dmp", ANALYZE_RATING_HIGH},
        {"ascii_write_av.dmp", ANALYZE_RATING_HIGH},
        {"null_read_av.dmp", ANALYZE_RATING_NONE},
        {"null_write_av.dmp", ANALYZE_RATING_NONE},
        {"read_av_non_null.dmp", ANALYZE_RATING_LOW},
        {"read_av_clobber_write.dmp", ANALYZE_RATING_LOW},
        {"write_av_non_null.dmp", ANALYZE_RATING_MEDIUM},
        {"stack_exhaustion.dmp", ANALYZE_RATING_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "google-breakpad/%s", cases[i].dump);
        struct run r;
        if (!corpus_run(rel, NULL, &r, false))
            return;
        if (r.v.rating != cases[i].rating)
            check_fail(__FILE__, __LINE__, "%s: rated %s (%s), Breakpad expects %s", cases[i].dump,
                       analyze_rating_name(r.v.rating), r.v.rating_reason,
                       analyze_rating_name(cases[i].rating));
        corpus_close(&r);
    }
}

/* Upstream facts from the MANIFEST: crash reasons and addresses. */
TEST(analyze_corpus_crash_reasons)
{
    struct run r;
    /* minidump_processor_unittest: the sign-extended 32-bit address is 0x45. */
    if (!corpus_run("google-breakpad/minidump_32bit_crash_addr.dmp", NULL, &r, false))
        return;
    CHECK_STR(r.v.exception.crash_type, "EXCEPTION_ACCESS_VIOLATION_WRITE");
    CHECK_EQ(r.v.exception.data_address, 0x45);
    CHECK_STR(r.v.problem_class, "NULL_CLASS_PTR_WRITE");
    corpus_close(&r);
    /* Breakpad: crash_reason "FAST_FAIL_FATAL_APP_EXIT". */
    if (!corpus_run("google-breakpad/tiny-exe-fastfail.dmp", NULL, &r, false))
        return;
    CHECK_STR(r.v.exception.crash_type, "FAST_FAIL_FATAL_APP_EXIT");
    CHECK_STR(r.v.problem_class, "FAIL_FAST_FATAL_APP_EXIT");
    CHECK_STR(r.v.bucket, "FAIL_FAST_FATAL_APP_EXIT_c0000409_tiny.exe!Unknown");
    corpus_close(&r);
    /* Breakpad: not crashed (no exception stream). */
    if (!corpus_run("google-breakpad/tiny-exe-with-cet-xsave.dmp", NULL, &r, false))
        return;
    CHECK(!r.v.has_exception);
    corpus_close(&r);
    /* stack_exhaustion: STATUS_STACK_OVERFLOW. */
    if (!corpus_run("google-breakpad/stack_exhaustion.dmp", NULL, &r, false))
        return;
    CHECK_STR(r.v.problem_class, "STACK_OVERFLOW");
    CHECK_STR(r.v.exception.crash_type, "EXCEPTION_STACK_OVERFLOW");
    /* The whole 1 MB stack is in the dump: one function fills the frames walked. */
    CHECK(r.v.recursion != NULL);
    CHECK(r.v.recursion_count >= 100);
    /* Stack Overflow first; more patterns may follow (pattern.c: Exception Stack Trace). */
    CHECK(r.v.npatterns >= 1 && strcmp(r.v.patterns[0].name, "Stack Overflow") == 0);
    corpus_close(&r);
}

/* Reads a whole file; NULL when it cannot. */
static char *slurp_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static void check_same_string(const cJSON *want, const cJSON *got, const char *key,
                              const char *where);

/* Every member of WANT's object KEY has the same value in GOT's (key order aside). */
static void check_same_members(const cJSON *want, const cJSON *got, const char *key,
                               const char *where)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(want, key);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, key);
    if (!cJSON_IsObject(w) || !cJSON_IsObject(g)) {
        check_fail(__FILE__, __LINE__, "%s.%s: not an object in both", where, key);
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, w)
    {
        if (strcmp(m->string, "cpu_microcode_version") == 0)
            continue; /* rust-minidump only: read from Linux /proc/cpuinfo */
        check_same_string(w, g, m->string, key);
    }
}

static void check_same_string(const cJSON *want, const cJSON *got, const char *key,
                              const char *where)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(want, key);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(got, key);
    char *sa = a ? cJSON_PrintUnformatted(a) : NULL;
    char *sb = b ? cJSON_PrintUnformatted(b) : NULL;
    if (!sa || !sb || strcmp(sa, sb) != 0)
        check_fail(__FILE__, __LINE__, "%s.%s: rust-minidump %s, dumpdbg %s", where, key,
                   sa ? sa : "(absent)", sb ? sb : "(absent)");
    cJSON_free(sa);
    cJSON_free(sb);
}

/*
 * minidump2.dmp against rust-minidump's `minidump-stackwalk --json --pretty test.dmp symbols/`
 * snapshot (test.dmp is the same file): the fields both tools compute must agree.
 */
TEST(analyze_corpus_json_matches_rust_minidump)
{
    struct run r;
    if (!corpus_run("google-breakpad/minidump2.dmp", "google-breakpad/symbols", &r, true))
        return;
    char path[4096];
    snprintf(path, sizeof(path),
             "%s/user/rust-minidump/goldens/"
             "test_minidump_stackwalk__json-pretty-symbols.snap",
             check_corpus_dir());
    char *snap = slurp_text(path);
    /* An insta snapshot: a YAML header between "---" lines, then the JSON. */
    char *body = snap ? strstr(snap, "\n---\n") : NULL;
    cJSON *want = body ? cJSON_Parse(body + 5) : NULL;
    cJSON *got = json_of(&r);
    if (!want)
        check_fail(__FILE__, __LINE__, "cannot read %s", path);
    if (want && got) {
        const cJSON *wc = cJSON_GetObjectItemCaseSensitive(want, "crash_info");
        const cJSON *gc = cJSON_GetObjectItemCaseSensitive(got, "crash_info");
        static const char *const crash_keys[] = {"address", "type", "crashing_thread", "assertion"};
        for (size_t i = 0; i < 4; i++)
            check_same_string(wc, gc, crash_keys[i], "crash_info");
        check_same_string(want, got, "pid", "");
        check_same_string(want, got, "thread_count", "");
        check_same_members(want, got, "system_info", "");
        /*
         * Every frame of the crashing thread (the x86 walk uses test_app.sym's STACK WIN
         * records as Breakpad does), and the first frame's registers. Trust is not compared:
         * rust-minidump says "cfi" where the frame came from STACK WIN frame data too.
         */
        const cJSON *wframes = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(want, "crashing_thread"), "frames");
        const cJSON *gframes = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(got, "crashing_thread"), "frames");
        CHECK_EQ(cJSON_GetArraySize(wframes), cJSON_GetArraySize(gframes));
        static const char *const frame_keys[] = {
            "file", "frame",  "function",      "function_offset",
            "line", "module", "module_offset", "offset"};
        for (int k = 0; k < cJSON_GetArraySize(wframes) && k < cJSON_GetArraySize(gframes); k++) {
            char where[64];
            snprintf(where, sizeof(where), "crashing_thread.frames[%d]", k);
            const cJSON *w = cJSON_GetArrayItem(wframes, k);
            for (size_t i = 0; i < sizeof(frame_keys) / sizeof(frame_keys[0]); i++) {
                /*
                 * rust-minidump's run had no kernel32.sym (frame 3 is unsymbolized there);
                 * Breakpad's own golden, with it, names kernel32!BaseProcessStart.
                 */
                if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(w, "function")) &&
                    (strcmp(frame_keys[i], "function") == 0 ||
                     strcmp(frame_keys[i], "function_offset") == 0))
                    continue;
                check_same_string(w, cJSON_GetArrayItem(gframes, k), frame_keys[i], where);
            }
        }
        const cJSON *wf = cJSON_GetArrayItem(wframes, 0), *gf = cJSON_GetArrayItem(gframes, 0);
        check_same_string(wf, gf, "trust", "crashing_thread.frames[0]");
        check_same_members(wf, gf, "registers", "crashing_thread.frames[0]");
        check_same_string(cJSON_GetObjectItemCaseSensitive(want, "crashing_thread"),
                          cJSON_GetObjectItemCaseSensitive(got, "crashing_thread"), "thread_id",
                          "crashing_thread");
        /* Modules, matched by base address (dumpdbg lists them sorted by base). */
        const cJSON *wm, *gm;
        cJSON_ArrayForEach(wm, cJSON_GetObjectItemCaseSensitive(want, "modules"))
        {
            const char *base = jstr_at(wm, "base_addr", NULL);
            const cJSON *match = NULL;
            cJSON_ArrayForEach(gm, cJSON_GetObjectItemCaseSensitive(got, "modules"))
            {
                const char *gb = jstr_at(gm, "base_addr", NULL);
                if (base && gb && strcmp(base, gb) == 0)
                    match = gm;
            }
            if (!match) {
                check_fail(__FILE__, __LINE__, "module at %s missing", base ? base : "?");
                continue;
            }
            static const char *const mod_keys[] = {"end_addr",   "filename", "code_id",
                                                   "debug_file", "debug_id", "version"};
            for (size_t i = 0; i < sizeof(mod_keys) / sizeof(mod_keys[0]); i++)
                check_same_string(wm, match, mod_keys[i], base);
        }
        /* Thread ids in thread-list order. */
        const cJSON *wt = cJSON_GetObjectItemCaseSensitive(want, "threads");
        const cJSON *gt = cJSON_GetObjectItemCaseSensitive(got, "threads");
        CHECK_EQ(cJSON_GetArraySize(wt), cJSON_GetArraySize(gt));
        for (int i = 0; i < cJSON_GetArraySize(wt) && i < cJSON_GetArraySize(gt); i++)
            check_same_string(cJSON_GetArrayItem(wt, i), cJSON_GetArrayItem(gt, i), "thread_id",
                              "threads[]");
    }
    /* The bucket names the function the Breakpad symbols give. */
    CHECK_STR(r.v.bucket,
              "NULL_CLASS_PTR_WRITE_c0000005_test_app.exe!`anonymous_namespace'::CrashFunction");
    cJSON_Delete(want);
    cJSON_Delete(got);
    free(snap);
    corpus_close(&r);
}
