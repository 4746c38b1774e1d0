/*
 * Frame lists cut by a limit say how much was left out (docs/limits.md): `k` past the 16 inline
 * frames a physical frame shows, and the Exception Stack Trace pattern past the 12 frames it
 * lists. Synthetic x64 minidumps written here (CONTEXT offsets from winnt.h: ContextFlags 0x30,
 * Rsp 0x98, Rip 0xf8; MINIDUMP_EXCEPTION_STREAM from minidumpapiset.h) and a Breakpad .sym
 * (docs/symbol_files.md: INLINE_ORIGIN, INLINE nest_level call_line call_file origin ranges) in
 * a temporary symbol store, so the expected counts follow from what is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "base/writer.h"
#include "check.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "mdmp_builder.h"
#include "sym/symbols.h"

#define FL_BASE 0x140000000ull
#define FL_STACK 0x7ff000ull
#define FL_CTX_SIZE 1232u

static void put_context(uint8_t *ctx, uint64_t rip, uint64_t rsp)
{
    uint32_t flags = 0x100003; /* CONTEXT_AMD64 | CONTROL | INTEGER */
    memset(ctx, 0, FL_CTX_SIZE);
    memcpy(ctx + 0x30, &flags, 4);
    memcpy(ctx + 0x98, &rsp, 8);
    memcpy(ctx + 0xf8, &rip, 8);
}

/* RSDS GUID bytes: Data1 0x11223344, Data2 0x5566, Data3 0x7788, Data4 99 aa .. 00; age 1. */
static const uint8_t fl_guid[16] = {0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77,
                                    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00};
#define FL_DEBUG_ID "112233445566778899AABBCCDDEEFF001"

/* Writes DIR/app.pdb/ID/app.sym: FUNC main at 0x1000 with NLEVELS nested inlined calls. */
static bool write_sym(const char *dir, int nlevels)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/app.pdb", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/app.pdb/" FL_DEBUG_ID, dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/app.pdb/" FL_DEBUG_ID "/app.sym", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "MODULE windows x86_64 " FL_DEBUG_ID " app.pdb\nFILE 0 a.c\n");
    for (int i = 0; i < nlevels; i++)
        fprintf(f, "INLINE_ORIGIN %d inl%d\n", i, i);
    fprintf(f, "FUNC 1000 100 0 main\n");
    for (int i = 0; i < nlevels; i++)
        fprintf(f, "INLINE %d %d 0 %d 1000 100\n", i, 10 + i, i);
    fprintf(f, "1000 100 5 0\n");
    fclose(f);
    return true;
}

/* A dump of app.exe (with FL_GUID) whose one thread stopped at app+0x1010. */
static struct target *inline_dump(struct mdmp_builder *b)
{
    mdmp_builder_init(b);
    mdmp_builder_system_info(b, 9, 10, 0, 19041, "");
    struct mdmp_builder_module m = {FL_BASE, 0x10000, 0,        0x5f000000, "C:\\app\\app.exe",
                                    fl_guid, 1,       "app.pdb"};
    mdmp_builder_module_list(b, 4, &m, 1);
    static uint8_t ctx[FL_CTX_SIZE], stack[0x100];
    memset(stack, 0, sizeof(stack));
    put_context(ctx, FL_BASE + 0x1010, FL_STACK);
    struct mdmp_builder_thread th = {0x1234,        0x1000, FL_STACK,   stack,
                                     sizeof(stack), ctx,    sizeof(ctx)};
    mdmp_builder_thread_list(b, &th, 1);
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(b, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open: %s", err->message);
        dd_error_destroy(err);
    }
    return t;
}

/* Runs `k` over the dump with symbols from DIR and returns its output (malloc'd). */
static char *run_k(struct target *t, const char *dir)
{
    struct dd_strbuf text = {0};
    struct dd_writer out = dd_writer_strbuf(&text);
    struct session s;
    session_init(&s, t, &out, "synthetic.dmp");
    if (s.syms)
        CHECK_OK(symbols_set_path(s.syms, dir));
    cmd_execute(&s, "k");
    session_deinit(&s);
    char *r = strdup(text.data ? text.data : "");
    dd_strbuf_deinit(&text);
    return r;
}

static size_t count_lines_with(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

TEST(frames_limits_inline_more_line)
{
    char dir[] = "/tmp/dd-frames-limits-XXXXXX";
    if (!mkdtemp(dir)) {
        check_fail(__FILE__, __LINE__, "mkdtemp failed");
        return;
    }
    struct mdmp_builder b;
    struct target *t = inline_dump(&b);
    if (t) {
        /* 20 levels: the 16 outermost are shown (inl0 .. inl15), the 4 deeper are counted. */
        CHECK(write_sym(dir, 20));
        char *out = run_k(t, dir);
        CHECK(strstr(out, "app!inl15") != NULL);
        CHECK(strstr(out, "app!inl16") == NULL);
        CHECK_EQ(count_lines_with(out, "app!inl"), 16);
        const char *want = "(frame 10: 4 deeper inline frames not shown - a physical frame "
                           "shows at most 16 inlined calls)\n";
        if (!strstr(out, want))
            check_fail(__FILE__, __LINE__, "wanted %s in:\n%s", want, out);
        free(out);
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);

    /* Control: 16 levels are all shown, with no such line. */
    t = inline_dump(&b);
    if (t) {
        CHECK(write_sym(dir, 16));
        char *out = run_k(t, dir);
        CHECK_EQ(count_lines_with(out, "app!inl"), 16);
        CHECK(strstr(out, "deeper inline frames") == NULL);
        free(out);
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK_EQ(system(cmd), 0);
}

/*
 * The faulting thread's own context is NRET frames deeper than the exception context: its stack
 * at FL_STACK holds NRET return addresses, each right after a `call rel32` (E8 00000000: its
 * target is the next instruction, inside the module) in code at app+0x1000.
 */
static struct target *deep_exception_dump(struct mdmp_builder *b, unsigned nret)
{
    mdmp_builder_init(b);
    mdmp_builder_system_info(b, 9, 10, 0, 19041, "");
    struct mdmp_builder_module m = {FL_BASE, 0x10000, 0,   0x5f000000, "C:\\app\\app.exe",
                                    NULL,    0,       NULL};
    mdmp_builder_module_list(b, 4, &m, 1);
    static uint8_t own[FL_CTX_SIZE], exc[FL_CTX_SIZE], stack[0x400], code[0x200];
    memset(stack, 0, sizeof(stack));
    memset(code, 0x90, sizeof(code));
    for (unsigned k = 0; k < 32; k++)
        memcpy(code + 0x10 + 5 * k, "\xe8\x00\x00\x00\x00", 5);
    for (unsigned k = 0; k < nret; k++) {
        uint64_t ra = FL_BASE + 0x1000 + 0x10 + 5 * (k + 1);
        memcpy(stack + 8 * k, &ra, 8);
    }
    put_context(own, FL_BASE + 0x1000, FL_STACK);
    put_context(exc, FL_BASE + 0x1008, FL_STACK + 0x300); /* the fault: above them all */
    struct mdmp_builder_thread th = {0x1234,        0x1000, FL_STACK,   stack,
                                     sizeof(stack), own,    sizeof(own)};
    mdmp_builder_thread_list(b, &th, 1);
    struct mdmp_builder_range r = {FL_BASE + 0x1000, code, sizeof(code)};
    mdmp_builder_memory_list(b, &r, 1);
    uint32_t ctx_rva = mdmp_builder_append(b, exc, sizeof(exc));
    /* MINIDUMP_EXCEPTION_STREAM: ThreadId, alignment, then MINIDUMP_EXCEPTION (code, flags,
     * record, address, NumberParameters, alignment, 15 parameters), then the context's
     * MINIDUMP_LOCATION_DESCRIPTOR. */
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 0x1234);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u32(&s, 0xc0000005u);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u64(&s, 0);
    mdmp_blob_u64(&s, FL_BASE + 0x1008);
    mdmp_blob_u32(&s, 2);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u64(&s, 0); /* a read */
    mdmp_blob_u64(&s, 0x10);
    for (int i = 2; i < 15; i++)
        mdmp_blob_u64(&s, 0);
    mdmp_blob_u32(&s, sizeof(exc));
    mdmp_blob_u32(&s, ctx_rva);
    mdmp_builder_stream_blob(b, 6, &s);
    mdmp_blob_deinit(&s);
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(b, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open: %s", err->message);
        dd_error_destroy(err);
    }
    return t;
}

static void discard(void *ctx, const char *d, size_t n)
{
    (void)ctx, (void)d, (void)n;
}

/* The Exception Stack Trace pattern's lines for a dump with NRET deeper return addresses. */
static void exception_stack_lines(unsigned nret, size_t *ret_frames, char *more, size_t more_len)
{
    *ret_frames = 0;
    more[0] = 0;
    struct mdmp_builder b;
    struct target *t = deep_exception_dump(&b, nret);
    if (t) {
        struct dd_writer out = {0};
        out.write = discard;
        struct session s;
        session_init(&s, t, &out, "synthetic.dmp");
        struct analyze_options o = {.hang = false};
        struct analyze_verdict v;
        struct dd_error *err = analyze_run(&s, &o, &v);
        CHECK_OK(err);
        if (!err) {
            const struct analyze_pattern *p = NULL;
            for (size_t i = 0; i < v.npatterns; i++)
                if (strcmp(v.patterns[i].name, "Exception Stack Trace") == 0)
                    p = &v.patterns[i];
            CHECK(p != NULL);
            for (size_t i = 0; p && i < p->nlines; i++) {
                if (strncmp(p->lines[i], "... ", 4) == 0)
                    snprintf(more, more_len, "%s", p->lines[i]);
                else
                    ++*ret_frames;
            }
            analyze_verdict_deinit(&v);
        }
        session_deinit(&s);
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
}

TEST(frames_limits_pattern_more_line)
{
    /* The context frame and 16 callers lie below the fault: 17 frames, 12 listed, 5 counted. */
    size_t frames;
    char more[256];
    exception_stack_lines(16, &frames, more, sizeof(more));
    CHECK_EQ(frames, 12);
    CHECK_STR(more, "... 5 more frames not shown (a pattern lists 12)");

    /* Control: 11 callers (12 frames) are all listed, with no such line. */
    exception_stack_lines(11, &frames, more, sizeof(more));
    CHECK_EQ(frames, 12);
    CHECK_STR(more, "");
}
