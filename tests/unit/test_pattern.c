/*
 * Named patterns and hang verdicts. Expected values come from the fixture programs
 * (tests/fixtures/gen/hang_*.c, crash_null_write.c) through their .expect files (what each
 * program printed about itself: thread ids, critical-section addresses, the message text), and
 * from synthetic minidumps whose contents the test writes (ThreadInfoList CPU times, exception
 * codes, a call through a NULL register). Corpus dumps: Breakpad's null_read_av.dmp (a read of
 * address 0 after `mov eax,0`, MANIFEST) and stack_exhaustion.dmp (STATUS_STACK_OVERFLOW).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/hang.h"
#include "analyze/pattern_trace.h"
#include "check.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "mdmp_builder.h"

/* ---- fixture facts ---- */

/* Value of KEY in tests/fixtures/dumps/NAME.expect into BUF; false when absent. */
static bool expect_value(const char *name, const char *key, char *buf, size_t len)
{
    char path[1024], line[2048];
    snprintf(path, sizeof(path), "%s/dumps/%s.expect", check_fixtures_dir(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t klen = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':' && line[klen + 1] == ' ') {
            snprintf(buf, len, "%s", line + klen + 2);
            buf[strcspn(buf, "\r\n")] = 0;
            found = true;
        }
    }
    fclose(f);
    return found;
}

static uint64_t expect_hex(const char *name, const char *key)
{
    char v[64];
    return expect_value(name, key, v, sizeof(v)) ? strtoull(v, NULL, 16) : UINT64_MAX;
}

static uint64_t expect_dec(const char *name, const char *key)
{
    char v[64];
    return expect_value(name, key, v, sizeof(v)) ? strtoull(v, NULL, 10) : UINT64_MAX;
}

struct fx {
    struct target *t;
    struct dd_strbuf text;
    struct dd_writer out;
    struct session s;
    struct analyze_verdict v;
    bool has_verdict;
};

/* Opens a fixture (or a corpus dump when CORPUS) with its directory as symbol and image path
 * and runs !analyze with HANG; false (after reporting) when it cannot. */
static bool fx_open(const char *path, bool hang, struct fx *f)
{
    memset(f, 0, sizeof(*f));
    struct dd_error *err = target_open(path, &f->t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open %s: %s", path, err->message);
        dd_error_destroy(err);
        return false;
    }
    f->out = dd_writer_strbuf(&f->text);
    session_init(&f->s, f->t, &f->out, path);
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    if (f->s.syms) {
        CHECK_OK(symbols_set_path(f->s.syms, dir));
        CHECK_OK(symbols_set_image_path(f->s.syms, dir));
    }
    struct analyze_options o = {.hang = hang};
    err = analyze_run(&f->s, &o, &f->v);
    if (err) {
        check_fail(__FILE__, __LINE__, "analyze_run: %s", err->message);
        dd_error_destroy(err);
        return false;
    }
    f->has_verdict = true;
    return true;
}

static void fx_close(struct fx *f)
{
    if (f->has_verdict)
        analyze_verdict_deinit(&f->v);
    if (f->t) {
        session_deinit(&f->s);
        target_destroy(f->t);
    }
    dd_strbuf_deinit(&f->text);
}

static char *fixture_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/dumps/%s.dmp", check_fixtures_dir(), name);
    return buf;
}

static const struct analyze_pattern *find_pattern(const struct analyze_verdict *v, const char *name)
{
    for (size_t i = 0; i < v->npatterns; i++)
        if (strcmp(v->patterns[i].name, name) == 0)
            return &v->patterns[i];
    return NULL;
}

/* True when some evidence line of P contains NEEDLE. */
static bool pattern_says(const struct analyze_pattern *p, const char *needle)
{
    if (!p)
        return false;
    if (strstr(p->evidence, needle))
        return true;
    for (size_t i = 0; i < p->nlines; i++)
        if (strstr(p->lines[i], needle))
            return true;
    return false;
}

static long thread_by_tid(const struct target *t, uint64_t tid)
{
    return tid == UINT64_MAX ? -1 : target_thread_by_tid(t, (uint32_t)tid);
}

/* hang_deadlock.c: worker A holds lock_a and waits for lock_b, worker B the reverse. */
TEST(pattern_hang_deadlock_fixture)
{
    char path[1024];
    struct fx f;
    if (!fx_open(fixture_path("hang_deadlock", path, sizeof(path)), false, &f)) {
        fx_close(&f);
        return;
    }
    const char *n = "hang_deadlock";
    uint64_t lock_a = expect_hex(n, "lock_a_address"), lock_b = expect_hex(n, "lock_b_address");
    long a = thread_by_tid(f.t, expect_dec(n, "worker_a_tid"));
    long b = thread_by_tid(f.t, expect_dec(n, "worker_b_tid"));
    CHECK(a >= 0 && b >= 0);
    CHECK(f.v.is_hang);
    const struct hang_report *r = f.v.hang;
    CHECK(r != NULL);
    if (!r || a < 0 || b < 0)
        goto out;
    CHECK_EQ(r->cls, HANG_CLASS_DEADLOCK);
    CHECK_EQ(r->ncycles, 1);
    CHECK_EQ(r->threads[a].kind, HANG_WAIT_CRITSEC);
    CHECK_EQ(r->threads[a].object, lock_b);
    CHECK_EQ(r->threads[a].waits_for, b);
    CHECK_EQ(r->threads[b].object, lock_a);
    CHECK_EQ(r->threads[b].waits_for, a);
    CHECK(r->threads[a].cycle >= 0 && r->threads[a].cycle == r->threads[b].cycle);
    /* The sections as the program read them just before the dump. */
    for (size_t i = 0; i < r->ncs; i++) {
        const struct hang_cs *cs = &r->cs[i];
        const char *lock = cs->address == lock_a   ? "lock_a"
                           : cs->address == lock_b ? "lock_b"
                                                   : NULL;
        CHECK(lock != NULL);
        if (!lock)
            continue;
        char key[64];
        snprintf(key, sizeof(key), "%s_owning_thread", lock);
        CHECK_EQ(cs->owning_thread, expect_hex(n, key));
        snprintf(key, sizeof(key), "%s_debug_info", lock);
        CHECK_EQ(cs->debug_info, expect_hex(n, key));
        snprintf(key, sizeof(key), "%s_lock_count", lock);
        CHECK_EQ((uint32_t)cs->lock_count, expect_hex(n, key));
        CHECK(cs->locked);
        CHECK_EQ(cs->waiters, 1);
    }
    CHECK_EQ(r->ncs, 2);
    CHECK_STR(f.v.bucket, "APPLICATION_HANG_DeadLock_cfffffff_hang_deadlock.exe!take_both");
    char h[39];
    analyze_bucket_hash(f.v.bucket, h);
    CHECK_STR(f.v.hash, h);
    CHECK(find_pattern(&f.v, "Wait Chain") != NULL);
    CHECK(pattern_says(find_pattern(&f.v, "Wait Chain"), "deadlock"));
    CHECK(find_pattern(&f.v, "Blocked Thread") != NULL);
out:
    fx_close(&f);
}

/* hang_msgbox.c: the UI thread holds the lock and shows a message box; two threads wait. */
TEST(pattern_hang_msgbox_fixture)
{
    char path[1024], text[512], caption[128];
    struct fx f;
    if (!fx_open(fixture_path("hang_msgbox", path, sizeof(path)), false, &f)) {
        fx_close(&f);
        return;
    }
    const char *n = "hang_msgbox";
    CHECK(expect_value(n, "message_box_text", text, sizeof(text)));
    CHECK(expect_value(n, "message_box_caption", caption, sizeof(caption)));
    long ui = thread_by_tid(f.t, expect_dec(n, "ui_tid"));
    long w1 = thread_by_tid(f.t, expect_dec(n, "waiter_1_tid"));
    long w2 = thread_by_tid(f.t, expect_dec(n, "waiter_2_tid"));
    const struct hang_report *r = f.v.hang;
    CHECK(r && ui >= 0 && w1 >= 0 && w2 >= 0);
    if (!r || ui < 0 || w1 < 0 || w2 < 0)
        goto out;
    CHECK_EQ(r->cls, HANG_CLASS_MESSAGE_BOX);
    CHECK_EQ(r->blocking, ui);
    CHECK_EQ(r->threads[ui].kind, HANG_WAIT_MESSAGE_BOX);
    CHECK_STR(r->threads[ui].text, text);
    CHECK_STR(r->threads[ui].caption, caption);
    CHECK_EQ(r->threads[ui].text_address, expect_hex(n, "message_box_text_address"));
    CHECK_EQ(r->threads[w1].waits_for, ui);
    CHECK_EQ(r->threads[w2].waits_for, ui);
    CHECK_EQ(r->threads[w1].object, expect_hex(n, "lock_address"));
    CHECK_EQ(r->blocked, 2);
    CHECK_EQ(r->ncycles, 0);
    const struct analyze_pattern *p = find_pattern(&f.v, "Message Box");
    CHECK(pattern_says(p, text));
    CHECK(pattern_says(p, "2 threads are blocked"));
    CHECK_STR(f.v.bucket, "APPLICATION_HANG_BlockedOn_MessageBox_cfffffff_hang_msgbox.exe!"
                          "report_install_failure");
out:
    fx_close(&f);
}

/* hang_wait_spin.c: an event wait (handle printed by the program), a spinner, a sleeper. */
TEST(pattern_hang_wait_spin_fixture)
{
    char path[1024];
    struct fx f;
    if (!fx_open(fixture_path("hang_wait_spin", path, sizeof(path)), false, &f)) {
        fx_close(&f);
        return;
    }
    const char *n = "hang_wait_spin";
    long waiter = thread_by_tid(f.t, expect_dec(n, "waiter_tid"));
    long spinner = thread_by_tid(f.t, expect_dec(n, "spinner_tid"));
    long sleeper = thread_by_tid(f.t, expect_dec(n, "sleeper_tid"));
    const struct hang_report *r = f.v.hang;
    CHECK(r && waiter >= 0 && spinner >= 0 && sleeper >= 0);
    if (!r || waiter < 0 || spinner < 0 || sleeper < 0)
        goto out;
    CHECK_EQ(r->threads[waiter].kind, HANG_WAIT_OBJECT);
    CHECK_EQ(r->threads[waiter].object, expect_hex(n, "config_ready_handle"));
    CHECK_EQ(r->threads[waiter].timeout, 0xffffffffu); /* INFINITE */
    CHECK_EQ(r->threads[spinner].kind, HANG_WAIT_RUNNING);
    CHECK_EQ(r->threads[sleeper].kind, HANG_WAIT_SLEEP);
    CHECK_EQ(r->cls, HANG_CLASS_BUSY);
    CHECK_EQ(r->blocking, spinner);
    CHECK(find_pattern(&f.v, "Spiking Thread") == NULL); /* Wine writes no CPU times */
out:
    fx_close(&f);
}

/* crash_null_write.c: level_two passes target = NULL to crash_here, which stores through it. */
TEST(pattern_null_data_chain_fixture)
{
    char path[1024];
    struct fx f;
    if (!fx_open(fixture_path("crash_null_write", path, sizeof(path)), false, &f)) {
        fx_close(&f);
        return;
    }
    const struct analyze_pattern *p = find_pattern(&f.v, "NULL Data Pointer");
    CHECK(p != NULL);
    CHECK(pattern_says(p, "write to 00000000`00000000"));
    CHECK(pattern_says(p, "argument 1 of crash_null_write!crash_here"));
    /* level_two: "int *target = NULL;" is the store of 0 into its stack slot. */
    CHECK(pattern_says(p, "mov     qword ptr [rsp+28h],0"));
    CHECK(pattern_says(p, "crash_null_write!level_two"));
    CHECK(!f.v.is_hang);
    CHECK(f.v.hang == NULL);
    fx_close(&f);
}

TEST(pattern_hang_on_crash_dump)
{
    /* -hang analyzes the hang even when the dump has an exception. */
    char path[1024];
    struct fx f;
    if (!fx_open(fixture_path("crash_null_write", path, sizeof(path)), true, &f)) {
        fx_close(&f);
        return;
    }
    CHECK(f.v.is_hang);
    CHECK(f.v.hang != NULL);
    CHECK(f.v.bucket && strncmp(f.v.bucket, "APPLICATION_HANG_", 17) == 0);
    fx_close(&f);
}

/* !locks prints "CritSec <name> at <ADDR>" with the address in upper case, as the debugger
 * reference's example ("CritSec ntdll!FastPebLock+0 at 77FC49E0"); the golden
 * locks_deadlock.t checks the rest of the layout. */
TEST(pattern_locks_output_exact)
{
    char path[1024];
    struct fx f;
    if (!fx_open(fixture_path("hang_deadlock", path, sizeof(path)), false, &f)) {
        fx_close(&f);
        return;
    }
    dd_strbuf_reset(&f.text);
    cmd_execute(&f.s, "!locks");
    uint64_t lock_a = expect_hex("hang_deadlock", "lock_a_address");
    char want[128];
    snprintf(want, sizeof(want), "CritSec +%llx at %016llX\nLockCount          %lld\n",
             (unsigned long long)lock_a, (unsigned long long)lock_a,
             (long long)expect_hex("hang_deadlock", "lock_a_lock_count"));
    CHECK(f.text.data && strstr(f.text.data, want));
    if (!f.text.data || !strstr(f.text.data, want))
        check_fail(__FILE__, __LINE__, "wanted %s in %s", want, f.text.data ? f.text.data : "");
    fx_close(&f);
}

/* ---- corpus ---- */

TEST(pattern_corpus_null_read_av)
{
    const char *c = check_corpus_dir();
    if (!c) {
        check_skip("shared corpus not found");
        return;
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/null_read_av.dmp", c);
    struct fx f;
    if (fx_open(path, false, &f)) {
        const struct analyze_pattern *p = find_pattern(&f.v, "NULL Data Pointer");
        CHECK(p != NULL);
        CHECK(pattern_says(p, "read from 00000000"));
        /* The code before the fault: "mov eax,0" then "mov eax,dword ptr [eax]". */
        CHECK(pattern_says(p, "mov     eax,0"));
        CHECK(pattern_says(p, "the constant 00000000"));
        CHECK(find_pattern(&f.v, "Invalid Pointer") == NULL);
    }
    fx_close(&f);
}

TEST(pattern_corpus_stack_exhaustion)
{
    const char *c = check_corpus_dir();
    if (!c) {
        check_skip("shared corpus not found");
        return;
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/stack_exhaustion.dmp", c);
    struct fx f;
    if (fx_open(path, false, &f)) {
        const struct analyze_pattern *p = find_pattern(&f.v, "Stack Overflow");
        CHECK(p != NULL);
        /* ExceptionInformation[1] = 0x102000 (MANIFEST: params 0, 0x102000). */
        CHECK(pattern_says(p, "could not grow to 00102000"));
        CHECK(find_pattern(&f.v, "NULL Data Pointer") == NULL);
    }
    fx_close(&f);
}

TEST(pattern_corpus_invalid_pointer_classes)
{
    const char *c = check_corpus_dir();
    if (!c) {
        check_skip("shared corpus not found");
        return;
    }
    /* ascii_read_av: 0x41414141; minidump1: 0xdddddde1, freed-memory poison (MANIFEST). */
    static const struct {
        const char *file, *says;
    } cases[] = {
        {"ascii_read_av.dmp", "ASCII text \"AAAA\""},
        {"minidump1.dmp", "0xDDDDDDDD: freed heap memory"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/user/google-breakpad/%s", c, cases[i].file);
        struct fx f;
        if (fx_open(path, false, &f)) {
            const struct analyze_pattern *p = find_pattern(&f.v, "Invalid Pointer");
            CHECK(pattern_says(p, cases[i].says));
        }
        fx_close(&f);
    }
}

/* ---- synthetic dumps ---- */

static void discard(void *ctx, const char *d, size_t n)
{
    (void)ctx;
    (void)d;
    (void)n;
}

/* Two threads with the CPU times given (100 ns units) in a ThreadInfoList, no exception. */
static struct target *times_dump(struct mdmp_builder *b, uint64_t user0, uint64_t user1)
{
    mdmp_builder_init(b);
    mdmp_builder_system_info(b, 9, 10, 0, 19041, "");
    struct mdmp_builder_thread th[2] = {{0x10, 0x1000, 0, NULL, 0, NULL, 0},
                                        {0x20, 0x2000, 0, NULL, 0, NULL, 0}};
    mdmp_builder_thread_list(b, th, 2);
    /* MINIDUMP_THREAD_INFO_LIST (minidumpapiset.h): SizeOfHeader, SizeOfEntry, NumberOfEntries;
     * MINIDUMP_THREAD_INFO: ThreadId, DumpFlags, DumpError, ExitStatus, CreateTime, ExitTime,
     * KernelTime, UserTime, StartAddress, Affinity. */
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 12);
    mdmp_blob_u32(&s, 64);
    mdmp_blob_u32(&s, 2);
    uint64_t user[2] = {user0, user1};
    uint32_t tid[2] = {0x10, 0x20};
    for (int i = 0; i < 2; i++) {
        mdmp_blob_u32(&s, tid[i]);
        mdmp_blob_u32(&s, 0);
        mdmp_blob_u32(&s, 0);
        mdmp_blob_u32(&s, 0);
        mdmp_blob_u64(&s, 0);
        mdmp_blob_u64(&s, 0);
        mdmp_blob_u64(&s, 1000000); /* 0.1 s kernel */
        mdmp_blob_u64(&s, user[i]);
        mdmp_blob_u64(&s, 0);
        mdmp_blob_u64(&s, 1);
    }
    mdmp_builder_stream_blob(b, 17, &s);
    mdmp_blob_deinit(&s);
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(b, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open: %s", err->message);
        dd_error_destroy(err);
    }
    return t;
}

static void run_synthetic(struct target *t, struct analyze_verdict *v, bool *ok)
{
    struct dd_writer out = {0};
    out.write = discard;
    struct session s;
    session_init(&s, t, &out, "synthetic.dmp");
    struct analyze_options o = {.hang = false};
    struct dd_error *err = analyze_run(&s, &o, v);
    *ok = err == NULL;
    if (err) {
        check_fail(__FILE__, __LINE__, "analyze_run: %s", err->message);
        dd_error_destroy(err);
    }
    session_deinit(&s);
}

TEST(pattern_spiking_thread_times)
{
    struct mdmp_builder b;
    /* Thread 0x20 used 20 s of user time, thread 0x10 0.5 s: the spiking one is ~1s. */
    struct target *t = times_dump(&b, 5000000, 200000000);
    if (t) {
        struct analyze_verdict v;
        bool ok;
        run_synthetic(t, &v, &ok);
        if (ok) {
            const struct analyze_pattern *p = find_pattern(&v, "Spiking Thread");
            CHECK(p != NULL);
            CHECK(pattern_says(p, "~1s (tid 20) used 20.100 s"));
            CHECK(pattern_says(p, "user 20.000 s, kernel 0.100 s"));
            analyze_verdict_deinit(&v);
        }
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
    /* Two threads sharing the time evenly (and under a second): no spike. */
    t = times_dump(&b, 3000000, 3000000);
    if (t) {
        struct analyze_verdict v;
        bool ok;
        run_synthetic(t, &v, &ok);
        if (ok) {
            CHECK(find_pattern(&v, "Spiking Thread") == NULL);
            analyze_verdict_deinit(&v);
        }
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
}

/* An x64 dump whose only thread raised CODE (exception parameter 0: PARAM0). */
static struct target *exception_dump(struct mdmp_builder *b, uint32_t code, uint64_t param0)
{
    mdmp_builder_init(b);
    mdmp_builder_system_info(b, 9, 10, 0, 19041, "");
    static uint8_t ctx[1232];
    memset(ctx, 0, sizeof(ctx));
    uint32_t flags = 0x100003; /* CONTEXT_AMD64 | CONTROL | INTEGER; Rsp 0x98, Rip 0xf8 */
    uint64_t rsp = 0x7ff000, rip = 0x7ffe0000;
    memcpy(ctx + 0x30, &flags, 4);
    memcpy(ctx + 0x98, &rsp, 8);
    memcpy(ctx + 0xf8, &rip, 8);
    struct mdmp_builder_thread th = {0x1234, 0x1000, rsp, NULL, 0, ctx, sizeof(ctx)};
    mdmp_builder_thread_list(b, &th, 1);
    uint32_t ctx_rva = mdmp_builder_append(b, ctx, sizeof(ctx));
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 0x1234);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u32(&s, code);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u64(&s, 0);
    mdmp_blob_u64(&s, rip);
    mdmp_blob_u32(&s, 1);
    mdmp_blob_u32(&s, 0);
    for (int i = 0; i < 15; i++)
        mdmp_blob_u64(&s, i == 0 ? param0 : 0);
    mdmp_blob_u32(&s, sizeof(ctx));
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

TEST(pattern_heap_corruption_codes)
{
    static const struct {
        uint32_t code;
        uint64_t param0;
        bool expected;
    } cases[] = {
        {0xc0000374u, 0, true},    /* STATUS_HEAP_CORRUPTION */
        {0xc0000409u, 0x32, true}, /* FAST_FAIL_HEAP_METADATA_CORRUPTION */
        {0xc0000409u, 7, false},   /* FAST_FAIL_FATAL_APP_EXIT */
        {0x80000003u, 0, false},   /* a breakpoint */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mdmp_builder b;
        struct target *t = exception_dump(&b, cases[i].code, cases[i].param0);
        if (t) {
            struct analyze_verdict v;
            bool ok;
            run_synthetic(t, &v, &ok);
            if (ok) {
                CHECK_EQ(find_pattern(&v, "Dynamic Memory Corruption") != NULL, cases[i].expected);
                CHECK(!v.is_hang);
                analyze_verdict_deinit(&v);
            }
            target_destroy(t);
        }
        mdmp_builder_deinit(&b);
    }
}

TEST(pattern_api_names)
{
    char buf[64];
    pattern_symbol_api_name("hang_deadlock!__imp_EnterCriticalSection", buf, sizeof(buf));
    CHECK_STR(buf, "EnterCriticalSection");
    pattern_symbol_api_name("app!_imp__EnterCriticalSection@4", buf, sizeof(buf));
    CHECK_STR(buf, "EnterCriticalSection");
    pattern_symbol_api_name("user32!MessageBoxW+0x45", buf, sizeof(buf));
    CHECK_STR(buf, "MessageBoxW");
    pattern_symbol_api_name("Sleep", buf, sizeof(buf));
    CHECK_STR(buf, "Sleep");
}

/*
 * NULL Code Pointer: "call rax" with rax = 0 (synthetic x64 dump). The exception says execute
 * at 0 (ExceptionInformation 8, 0), rip is 0, and the return address the call pushed,
 * 0x140001002, is at [rsp]; the code before it is 90 90 ... ff d0 (nops, `call rax`).
 */
TEST(pattern_null_code_call_register)
{
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_system_info(&b, 9, 10, 0, 19041, "");
    struct mdmp_builder_module m = {0x140000000ull,     0x10000, 0, 0x5f000000,
                                    "C:\\app\\app.exe", NULL,    0, NULL};
    mdmp_builder_module_list(&b, 4, &m, 1);
    static uint8_t ctx[1232], stack[0x100], code[0x20];
    memset(ctx, 0, sizeof(ctx));
    memset(stack, 0, sizeof(stack));
    memset(code, 0x90, sizeof(code));
    code[0x10] = 0xff; /* call rax at 0x140001000 */
    code[0x11] = 0xd0;
    code[0x12] = 0xc3;
    uint32_t flags = 0x100003;
    uint64_t rsp = 0x7ff000, rip = 0, ret = 0x140001002ull;
    memcpy(ctx + 0x30, &flags, 4);
    memcpy(ctx + 0x98, &rsp, 8);
    memcpy(ctx + 0xf8, &rip, 8);
    memcpy(stack, &ret, 8);
    struct mdmp_builder_thread th = {0x1234, 0x1000, rsp, stack, sizeof(stack), ctx, sizeof(ctx)};
    mdmp_builder_thread_list(&b, &th, 1);
    struct mdmp_builder_range r = {0x140000ff0ull, code, sizeof(code)};
    mdmp_builder_memory_list(&b, &r, 1);
    uint32_t ctx_rva = mdmp_builder_append(&b, ctx, sizeof(ctx));
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, 0x1234);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u32(&s, 0xc0000005u);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u64(&s, 0);
    mdmp_blob_u64(&s, 0); /* ExceptionAddress: 0 */
    mdmp_blob_u32(&s, 2);
    mdmp_blob_u32(&s, 0);
    mdmp_blob_u64(&s, 8); /* EXCEPTION_EXECUTE_FAULT */
    mdmp_blob_u64(&s, 0);
    for (int i = 2; i < 15; i++)
        mdmp_blob_u64(&s, 0);
    mdmp_blob_u32(&s, sizeof(ctx));
    mdmp_blob_u32(&s, ctx_rva);
    mdmp_builder_stream_blob(&b, 6, &s);
    mdmp_blob_deinit(&s);
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(&b, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open: %s", err->message);
        dd_error_destroy(err);
    }
    if (t) {
        struct analyze_verdict v;
        bool ok;
        run_synthetic(t, &v, &ok);
        if (ok) {
            const struct analyze_pattern *p = find_pattern(&v, "NULL Code Pointer");
            CHECK(pattern_says(p, "execution at 00000000`00000000"));
            CHECK(pattern_says(p, "called from app+0x1000"));
            CHECK(pattern_says(p, "call    rax"));
            CHECK(find_pattern(&v, "NULL Data Pointer") == NULL);
            analyze_verdict_deinit(&v);
        }
        target_destroy(t);
    }
    mdmp_builder_deinit(&b);
}
