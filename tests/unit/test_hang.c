/*
 * Hang analysis building blocks: the cycle finder and chain follower of the wait graph on
 * synthetic graphs (a self-loop, a two-thread deadlock, a 1000-node cycle, tails into cycles,
 * several cycles), the bounded LIST_ENTRY walk on synthetic memory (a proper list, a list
 * that loops without its head, a cut link, a NULL link, the cap), and RTL_CRITICAL_SECTION
 * decoding on synthetic minidumps in both LockCount styles (the -22 example of the debugger
 * documentation's "Displaying a Critical Section"), and ntdll!RtlCriticalSectionList found
 * through a Breakpad symbol file and walked in list order, a loop in it reported.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/hang.h"
#include "check.h"
#include "cmd/session.h"
#include "mdmp_builder.h"
#include "pdb/pdb.h"
#include "pdb/tpi.h"
#include "pe/pe_debug.h"

/* ---- wait graph ---- */

TEST(hang_cycles_self_loop)
{
    long next[3] = {0, -1, 0};
    long cyc[3];
    CHECK_EQ(hang_cycles_find(next, 3, cyc), 1);
    CHECK_EQ(cyc[0], 0);
    CHECK_EQ(cyc[1], -1);
    CHECK_EQ(cyc[2], -1); /* waits for a deadlocked thread, but is not on the cycle */
    size_t m[3];
    CHECK_EQ(hang_cycle_members(next, cyc, 3, 0, m), 1);
    CHECK_EQ(m[0], 0);
}

TEST(hang_cycles_two_threads_and_tails)
{
    /* 3 -> 1 -> 2 -> 1 (deadlock of 1 and 2), 0 -> nobody, 4 -> 3 */
    long next[5] = {-1, 2, 1, 1, 3};
    long cyc[5];
    CHECK_EQ(hang_cycles_find(next, 5, cyc), 1);
    CHECK_EQ(cyc[0], -1);
    CHECK_EQ(cyc[1], 0);
    CHECK_EQ(cyc[2], 0);
    CHECK_EQ(cyc[3], -1);
    CHECK_EQ(cyc[4], -1);
    size_t m[5];
    CHECK_EQ(hang_cycle_members(next, cyc, 5, 0, m), 2);
    CHECK_EQ(m[0], 1);
    CHECK_EQ(m[1], 2);
    size_t len;
    CHECK_EQ(hang_chain_end(next, 5, 4, &len), 1); /* the first cycle node reached */
    CHECK_EQ(len, 2);
    CHECK_EQ(hang_chain_end(next, 5, 0, &len), 0);
    CHECK_EQ(len, 0);
}

TEST(hang_cycles_long_cycle)
{
    enum { N = 1000 };
    long *next = malloc(N * sizeof(*next));
    long *cyc = malloc(N * sizeof(*cyc));
    size_t *m = malloc(N * sizeof(*m));
    CHECK(next && cyc && m);
    if (!next || !cyc || !m)
        goto out;
    /* One ring through every node in a scrambled order: 0 -> 7 -> 14 ... (7 and N coprime). */
    for (size_t i = 0; i < N; i++)
        next[(i * 7) % N] = (long)(((i + 1) * 7) % N);
    CHECK_EQ(hang_cycles_find(next, N, cyc), 1);
    for (size_t i = 0; i < N; i++)
        CHECK_EQ(cyc[i], 0);
    CHECK_EQ(hang_cycle_members(next, cyc, N, 0, m), N);
    CHECK_EQ(m[0], 0); /* starts at the lowest index */
    CHECK_EQ(m[1], 7);
    size_t len;
    CHECK_EQ(hang_chain_end(next, N, 500, &len), 500);
    CHECK_EQ(len, 0);
out:
    free(next);
    free(cyc);
    free(m);
}

TEST(hang_cycles_several_and_none)
{
    /* 0 <-> 1, 2 -> 3 -> 4 -> 2, 5 -> 9 (outside the graph), 6 -> 5 */
    long next[7] = {1, 0, 3, 4, 2, 9, 5};
    long cyc[7];
    CHECK_EQ(hang_cycles_find(next, 7, cyc), 2);
    CHECK(cyc[0] == cyc[1] && cyc[0] >= 0);
    CHECK(cyc[2] == cyc[3] && cyc[3] == cyc[4] && cyc[2] >= 0 && cyc[2] != cyc[0]);
    CHECK_EQ(cyc[5], -1);
    CHECK_EQ(cyc[6], -1);
    size_t len;
    CHECK_EQ(hang_chain_end(next, 7, 6, &len), 5);
    CHECK_EQ(len, 1);
    long none[4] = {-1, 0, 1, 2};
    CHECK_EQ(hang_cycles_find(none, 4, cyc), 0);
    CHECK_EQ(hang_chain_end(none, 4, 3, &len), 0);
    CHECK_EQ(len, 3);
}

/* ---- bounded list walks ---- */

struct fake_mem {
    uint64_t addr[16];
    uint64_t value[16];
    size_t n;
};

static bool fake_read(void *ctx, uint64_t addr, uint64_t *ret)
{
    struct fake_mem *m = ctx;
    for (size_t i = 0; i < m->n; i++)
        if (m->addr[i] == addr) {
            *ret = m->value[i];
            return true;
        }
    return false;
}

static void fake_link(struct fake_mem *m, uint64_t at, uint64_t flink)
{
    m->addr[m->n] = at;
    m->value[m->n++] = flink;
}

static void count_visit(void *ctx, uint64_t entry)
{
    (void)entry;
    (*(size_t *)ctx)++;
}

TEST(hang_list_walk_proper_list)
{
    struct fake_mem m = {{0}, {0}, 0};
    fake_link(&m, 0x1000, 0x2000); /* head */
    fake_link(&m, 0x2000, 0x3000);
    fake_link(&m, 0x3000, 0x4000);
    fake_link(&m, 0x4000, 0x1000);
    size_t visits = 0;
    struct hang_list_walk w;
    CHECK_OK(hang_list_walk(fake_read, &m, 0x1000, 100, count_visit, &visits, &w));
    CHECK_EQ(w.stop, HANG_LIST_END);
    CHECK_EQ(w.count, 3);
    CHECK_EQ(visits, 3);
    /* An empty list: the head points at itself. */
    struct fake_mem e = {{0}, {0}, 0};
    fake_link(&e, 0x1000, 0x1000);
    CHECK_OK(hang_list_walk(fake_read, &e, 0x1000, 100, NULL, NULL, &w));
    CHECK_EQ(w.stop, HANG_LIST_END);
    CHECK_EQ(w.count, 0);
}

TEST(hang_list_walk_loop_without_head)
{
    /* head -> A -> B -> C -> B: a corrupt list that never comes back to the head. */
    struct fake_mem m = {{0}, {0}, 0};
    fake_link(&m, 0x1000, 0xa000);
    fake_link(&m, 0xa000, 0xb000);
    fake_link(&m, 0xb000, 0xc000);
    fake_link(&m, 0xc000, 0xb000);
    size_t visits = 0;
    struct hang_list_walk w;
    CHECK_OK(hang_list_walk(fake_read, &m, 0x1000, 100, count_visit, &visits, &w));
    CHECK_EQ(w.stop, HANG_LIST_LOOP);
    CHECK_EQ(w.stop_address, 0xb000);
    CHECK_EQ(w.count, 3);
    CHECK_EQ(visits, 3); /* each entry once */
    CHECK_STR(hang_list_stop_name(w.stop), "loop");
    /* A self-loop entry. */
    struct fake_mem s = {{0}, {0}, 0};
    fake_link(&s, 0x1000, 0xa000);
    fake_link(&s, 0xa000, 0xa000);
    CHECK_OK(hang_list_walk(fake_read, &s, 0x1000, 100, NULL, NULL, &w));
    CHECK_EQ(w.stop, HANG_LIST_LOOP);
    CHECK_EQ(w.count, 1);
}

TEST(hang_list_walk_cut_null_and_cap)
{
    struct fake_mem m = {{0}, {0}, 0};
    fake_link(&m, 0x1000, 0xa000);
    fake_link(&m, 0xa000, 0xb000); /* 0xb000 is not in memory */
    struct hang_list_walk w;
    CHECK_OK(hang_list_walk(fake_read, &m, 0x1000, 100, NULL, NULL, &w));
    CHECK_EQ(w.stop, HANG_LIST_READ);
    CHECK_EQ(w.stop_address, 0xb000);
    CHECK_EQ(w.count, 2);
    struct fake_mem z = {{0}, {0}, 0};
    fake_link(&z, 0x1000, 0xa000);
    fake_link(&z, 0xa000, 0);
    CHECK_OK(hang_list_walk(fake_read, &z, 0x1000, 100, NULL, NULL, &w));
    CHECK_EQ(w.stop, HANG_LIST_NULL);
    CHECK_EQ(w.stop_address, 0xa000);
    /* A long proper list cut by the cap. */
    struct fake_mem c = {{0}, {0}, 0};
    fake_link(&c, 0x1000, 0x2000);
    for (uint64_t a = 0x2000; a < 0xa000; a += 0x1000)
        fake_link(&c, a, a + 0x1000);
    fake_link(&c, 0xa000, 0x1000);
    CHECK_OK(hang_list_walk(fake_read, &c, 0x1000, 4, NULL, NULL, &w));
    CHECK_EQ(w.stop, HANG_LIST_CAP);
    CHECK_EQ(w.count, 4);
    CHECK_OK(hang_list_walk(fake_read, &c, 0x1000, 9, NULL, NULL, &w));
    CHECK_EQ(w.stop, HANG_LIST_END);
    CHECK_EQ(w.count, 9);
}

/* ---- RTL_CRITICAL_SECTION decoding ---- */

static void discard(void *ctx, const char *d, size_t n)
{
    (void)ctx;
    (void)d;
    (void)n;
}

/* A synthetic x64 dump of Windows MAJOR.MINOR with one thread (tid 0x77) and the 0x28-byte
 * critical section CS at 0x10000 (winnt.h layout: DebugInfo, LockCount, RecursionCount,
 * OwningThread, LockSemaphore, SpinCount). */
static struct target *cs_dump(struct mdmp_builder *b, uint32_t major, uint32_t minor,
                              int32_t lock_count, int32_t recursion, uint64_t owner)
{
    mdmp_builder_init(b);
    mdmp_builder_system_info(b, 9, major, minor, 2600, "");
    struct mdmp_builder_thread th = {0x77, 0x1000, 0, NULL, 0, NULL, 0};
    mdmp_builder_thread_list(b, &th, 1);
    static uint8_t cs[0x28];
    memset(cs, 0, sizeof(cs));
    uint64_t debug = 0x20000, sem = 0x1c;
    memcpy(cs + 0x00, &debug, 8);
    memcpy(cs + 0x08, &lock_count, 4);
    memcpy(cs + 0x0c, &recursion, 4);
    memcpy(cs + 0x10, &owner, 8);
    memcpy(cs + 0x18, &sem, 8);
    struct mdmp_builder_range r = {0x10000, cs, sizeof(cs)};
    mdmp_builder_memory_list(b, &r, 1);
    struct target *t = NULL;
    struct dd_error *err = mdmp_builder_open(b, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open: %s", err->message);
        dd_error_destroy(err);
    }
    return t;
}

TEST(hang_cs_decode_bits_style)
{
    struct mdmp_builder b;
    /* LockCount -22: locked, no waiter woken, five waiters (the documentation's example). */
    struct target *t = cs_dump(&b, 10, 0, -22, 1, 0x77);
    if (!t) {
        mdmp_builder_deinit(&b);
        return;
    }
    struct dd_writer out = {0};
    out.write = discard;
    struct session s;
    session_init(&s, t, &out, "cs.dmp");
    struct hang_cs_layout l;
    hang_cs_layout_get(&s, &l);
    CHECK_EQ(l.size, 0x28);
    CHECK_EQ(l.owning_thread, 0x10);
    CHECK(!l.from_pdb);
    CHECK_EQ(hang_cs_style_get(&s), HANG_CS_STYLE_BITS);
    struct hang_cs cs;
    CHECK_OK(hang_cs_read(&s, &l, HANG_CS_STYLE_BITS, 0x10000, &cs));
    CHECK(cs.locked);
    CHECK(!cs.waiter_woken);
    CHECK_EQ(cs.waiters, 5);
    CHECK_EQ(cs.owning_thread, 0x77);
    CHECK_EQ(cs.owner, 0);
    CHECK_EQ(cs.lock_semaphore, 0x1c);
    CHECK_EQ(cs.debug_info, 0x20000);
    CHECK(!cs.has_debug); /* the debug block is not in the dump */
    CHECK(hang_cs_plausible_locked(&cs, 8));
    /* Not in the dump: a memory error. */
    struct dd_error *err = hang_cs_read(&s, &l, HANG_CS_STYLE_BITS, 0x30000, &cs);
    CHECK(err && err->code == DD_ERR_MEMORY);
    dd_error_destroy(err);
    session_deinit(&s);
    target_destroy(t);
    mdmp_builder_deinit(&b);
}

TEST(hang_cs_decode_count_style)
{
    struct mdmp_builder b;
    /* Windows XP: LockCount 2 with RecursionCount 1 is the owner plus two waiters. */
    struct target *t = cs_dump(&b, 5, 1, 2, 1, 0x77);
    if (!t) {
        mdmp_builder_deinit(&b);
        return;
    }
    struct dd_writer out = {0};
    out.write = discard;
    struct session s;
    session_init(&s, t, &out, "cs.dmp");
    CHECK_EQ(hang_cs_style_get(&s), HANG_CS_STYLE_COUNT);
    struct hang_cs_layout l;
    hang_cs_layout_get(&s, &l);
    struct hang_cs cs;
    CHECK_OK(hang_cs_read(&s, &l, HANG_CS_STYLE_COUNT, 0x10000, &cs));
    CHECK(cs.locked);
    CHECK_EQ(cs.waiters, 2);
    /* Free: LockCount -1. */
    session_deinit(&s);
    target_destroy(t);
    mdmp_builder_deinit(&b);
    t = cs_dump(&b, 5, 1, -1, 0, 0);
    if (!t) {
        mdmp_builder_deinit(&b);
        return;
    }
    session_init(&s, t, &out, "cs.dmp");
    CHECK_OK(hang_cs_read(&s, &l, HANG_CS_STYLE_COUNT, 0x10000, &cs));
    CHECK(!cs.locked);
    CHECK_EQ(cs.waiters, 0);
    CHECK_EQ(cs.owner, -1);
    CHECK(!hang_cs_plausible_locked(&cs, 8));
    session_deinit(&s);
    target_destroy(t);
    mdmp_builder_deinit(&b);
}

TEST(hang_class_and_kind_names)
{
    CHECK_STR(hang_class_name(HANG_CLASS_DEADLOCK), "APPLICATION_HANG_DeadLock");
    CHECK(hang_class_name(HANG_CLASS_NONE) == NULL);
    CHECK_STR(hang_wait_kind_name(HANG_WAIT_CRITSEC), "Critical Section");
    CHECK_STR(hang_wait_kind_name(HANG_WAIT_MESSAGE_BOX), "Message Box");
}

/* ---- ntdll!RtlCriticalSectionList through symbols ---- */

/*
 * A synthetic x64 dump whose ntdll.dll (RSDS ntdll.pdb) names RtlCriticalSectionList in a
 * Breakpad symbol file ("PUBLIC 1000 0 RtlCriticalSectionList", Breakpad symbol_files.md) put in
 * a temporary store (ntdll.pdb/<debug id>/ntdll.sym). The list: head -> debug block 1 ->
 * debug block 2 -> head, each RTL_CRITICAL_SECTION_DEBUG (x64: CriticalSection at 8,
 * ProcessLocksList at 0x10) naming its section; section 1 is held by thread 0x77. With LOOP, block
 * 2's Flink points back at block 1 instead of the head.
 */
struct list_fixture {
    char dir[256];
    struct mdmp_builder b;
    struct target *t;
};

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static bool list_fixture_open(struct list_fixture *f, bool loop)
{
    static const uint8_t guid[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const uint64_t base = 0x7ff800000000ull, head = base + 0x1000;
    const uint64_t dbg1 = 0x50000, dbg2 = 0x50100, cs1 = 0x50200, cs2 = 0x50300;
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/dumpdbg-test-hang-XXXXXX");
    if (!mkdtemp(f->dir))
        return false;
    char id[PE_KEY_MAX], path[512];
    pe_pdb_key_format(id, guid, 1);
    snprintf(path, sizeof(path), "%s/ntdll.pdb", f->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/ntdll.pdb/%s", f->dir, id);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/ntdll.pdb/%s/ntdll.sym", f->dir, id);
    FILE *sym = fopen(path, "w");
    if (!sym)
        return false;
    fprintf(sym, "MODULE windows x86_64 %s ntdll.pdb\nPUBLIC 1000 0 RtlCriticalSectionList\n", id);
    fclose(sym);

    mdmp_builder_init(&f->b);
    mdmp_builder_system_info(&f->b, 9, 10, 0, 19041, "");
    struct mdmp_builder_thread th = {0x77, 0x1000, 0, NULL, 0, NULL, 0};
    mdmp_builder_thread_list(&f->b, &th, 1);
    struct mdmp_builder_module m = {
        base, 0x100000, 0, 0x12345678, "C:\\Windows\\System32\\ntdll.dll", guid, 1, "ntdll.pdb"};
    mdmp_builder_module_list(&f->b, 4, &m, 1);
    static uint8_t head_bytes[16], mem[0x400];
    memset(mem, 0, sizeof(mem));
    put64(head_bytes, dbg1 + 0x10);
    put64(head_bytes + 8, dbg2 + 0x10);
    /* debug block 1 */
    put64(mem + 0x000 + 8, cs1);
    put64(mem + 0x000 + 0x10, dbg2 + 0x10);
    put64(mem + 0x000 + 0x18, head);
    mem[0x000 + 0x20] = 5; /* EntryCount */
    /* debug block 2 */
    put64(mem + 0x100 + 8, cs2);
    put64(mem + 0x100 + 0x10, loop ? dbg1 + 0x10 : head);
    put64(mem + 0x100 + 0x18, dbg1 + 0x10);
    /* section 1: held by 0x77, LockCount -6 (locked, one waiter); section 2: free (-1) */
    put64(mem + 0x200, dbg1);
    int32_t lc1 = -6, rc1 = 1, lc2 = -1;
    memcpy(mem + 0x200 + 8, &lc1, 4);
    memcpy(mem + 0x200 + 0xc, &rc1, 4);
    put64(mem + 0x200 + 0x10, 0x77);
    put64(mem + 0x300, dbg2);
    memcpy(mem + 0x300 + 8, &lc2, 4);
    struct mdmp_builder_range r[2] = {{head, head_bytes, sizeof(head_bytes)},
                                      {dbg1, mem, sizeof(mem)}};
    mdmp_builder_memory_list(&f->b, r, 2);
    struct dd_error *err = mdmp_builder_open(&f->b, &f->t);
    if (err) {
        check_fail(__FILE__, __LINE__, "open: %s", err->message);
        dd_error_destroy(err);
        return false;
    }
    return true;
}

static void list_fixture_close(struct list_fixture *f)
{
    char path[512], id[PE_KEY_MAX];
    static const uint8_t guid[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    pe_pdb_key_format(id, guid, 1);
    snprintf(path, sizeof(path), "%s/ntdll.pdb/%s/ntdll.sym", f->dir, id);
    unlink(path);
    snprintf(path, sizeof(path), "%s/ntdll.pdb/%s", f->dir, id);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/ntdll.pdb", f->dir);
    rmdir(path);
    rmdir(f->dir);
    target_destroy(f->t);
    mdmp_builder_deinit(&f->b);
}

static struct hang_report *list_report(struct list_fixture *f, struct session *s,
                                       struct dd_writer *out)
{
    out->write = discard;
    session_init(s, f->t, out, "list.dmp");
    if (s->syms)
        CHECK_OK(symbols_set_path(s->syms, f->dir));
    struct hang_report *r = NULL;
    CHECK_OK(hang_analyze(s, &r));
    return r;
}

TEST(hang_cs_list_through_symbols)
{
    struct list_fixture f;
    if (!list_fixture_open(&f, false)) {
        check_skip("cannot build the list fixture");
        return;
    }
    struct dd_writer out = {0};
    struct session s;
    struct hang_report *r = list_report(&f, &s, &out);
    if (r) {
        CHECK(r->has_list);
        CHECK_EQ(r->list_head, 0x7ff800001000ull);
        CHECK_EQ(r->list.stop, HANG_LIST_END);
        CHECK_EQ(r->list.count, 2);
        CHECK_EQ(r->ncs, 2);
        if (r->ncs == 2) {
            /* List order, not address order. */
            CHECK_EQ(r->cs[0].address, 0x50200);
            CHECK(r->cs[0].locked);
            CHECK_EQ(r->cs[0].owner, 0);
            CHECK(r->cs[0].has_debug);
            CHECK_EQ(r->cs[0].entry_count, 5);
            CHECK_EQ(r->cs[0].found, HANG_FOUND_LIST);
            CHECK_EQ(r->cs[1].address, 0x50300);
            CHECK(!r->cs[1].locked);
        }
        hang_report_destroy(r);
    }
    session_deinit(&s);
    list_fixture_close(&f);
}

TEST(hang_cs_list_loop_reported)
{
    struct list_fixture f;
    if (!list_fixture_open(&f, true)) {
        check_skip("cannot build the list fixture");
        return;
    }
    struct dd_writer out = {0};
    struct session s;
    struct hang_report *r = list_report(&f, &s, &out);
    if (r) {
        CHECK(r->has_list);
        CHECK_EQ(r->list.stop, HANG_LIST_LOOP);
        CHECK_EQ(r->list.stop_address, 0x50010);
        CHECK_EQ(r->ncs, 2); /* both sections, each once */
        bool noted = false;
        for (size_t i = 0; i < r->nnotes; i++)
            noted |= strstr(r->notes[i], "ended after 2 entries: loop at") != NULL;
        CHECK(noted);
        hang_report_destroy(r);
    }
    session_deinit(&s);
    list_fixture_close(&f);
}

/* The layout from PDB type records: hang_deadlock.pdb (tests/fixtures/dumps) carries
 * _RTL_CRITICAL_SECTION and _RTL_CRITICAL_SECTION_DEBUG from the mingw-w64 winnt.h the fixture
 * was built with; the x64 offsets of winnt.h (hang_cs.c) must come out. */
TEST(hang_cs_layout_from_pdb_types)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/dumps/hang_deadlock.pdb", check_fixtures_dir());
    struct pdb *pdb = NULL;
    CHECK_OK(pdb_open(path, &pdb));
    if (!pdb)
        return;
    struct pdb_types *types = NULL;
    CHECK_OK(pdb_types_open(pdb_msf(pdb), PDB_TYPES_TPI, &types));
    struct hang_cs_layout l;
    CHECK(types && hang_cs_layout_from_types(types, 8, &l));
    if (types) {
        CHECK(l.from_pdb);
        CHECK_EQ(l.size, 0x28);
        CHECK_EQ(l.debug_info, 0);
        CHECK_EQ(l.lock_count, 8);
        CHECK_EQ(l.recursion_count, 0xc);
        CHECK_EQ(l.owning_thread, 0x10);
        CHECK_EQ(l.lock_semaphore, 0x18);
        CHECK_EQ(l.spin_count, 0x20);
        CHECK_EQ(l.debug_size, 0x30);
        CHECK_EQ(l.dbg_critical_section, 8);
        CHECK_EQ(l.dbg_locks_list, 0x10);
        CHECK_EQ(l.dbg_entry_count, 0x20);
        CHECK_EQ(l.dbg_contention_count, 0x24);
    }
    pdb_types_destroy(types);
    pdb_destroy(pdb);
}
