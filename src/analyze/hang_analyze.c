/*
 * The hang report: critical sections gathered three ways, every thread's wait, and the wait
 * graph between threads.
 *
 * Critical sections come from (1) ntdll's RtlCriticalSectionList, the LIST_ENTRY head that
 * links every RTL_CRITICAL_SECTION_DEBUG block through ProcessLocksList (what !locks and !cs
 * walk; needs ntdll's symbols), (2) the sections threads wait for (hang_wait.c), and (3) when
 * there is no list, pointers on the threads' stacks to sections a thread of the dump holds.
 * Wine links no list (its RtlInitializeCriticalSectionEx leaves ProcessLocksList pointing at
 * itself), so Wine dumps use (2) and (3).
 *
 * Who blocks whom: a thread waiting for a critical section waits for its owner. The thread the
 * most chains end at is the blocking thread; a cycle is a deadlock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/hang.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/session.h"
#include "sym/symbols.h"

/* How much of each stack the scan for critical sections reads, from the stack pointer up. */
#define STACK_SCAN_BYTES 0x10000u

void hang_report_note(struct hang_report *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (r->nnotes == r->notes_cap) {
        size_t cap = r->notes_cap ? r->notes_cap * 2 : 8;
        const char **n = dd_arena_calloc(&r->arena, cap, sizeof(*n));
        if (!n)
            return;
        if (r->nnotes)
            memcpy(n, r->notes, r->nnotes * sizeof(*n));
        r->notes = n;
        r->notes_cap = cap;
    }
    const char *text = dd_arena_strdup(&r->arena, buf);
    if (text)
        r->notes[r->nnotes++] = text;
}

const char *hang_class_name(enum hang_class c)
{
    switch (c) {
    case HANG_CLASS_DEADLOCK:
        return "APPLICATION_HANG_DeadLock";
    case HANG_CLASS_MESSAGE_BOX:
        return "APPLICATION_HANG_BlockedOn_MessageBox";
    case HANG_CLASS_CRITICAL_SECTION:
        return "APPLICATION_HANG_BlockedOn_CriticalSection";
    case HANG_CLASS_BUSY:
        return "APPLICATION_HANG_BusyHang";
    case HANG_CLASS_WAIT:
        return "APPLICATION_HANG_Wait";
    case HANG_CLASS_NONE:
        break;
    }
    return NULL;
}

void hang_report_destroy(struct hang_report *r)
{
    if (!r)
        return;
    free(r->cs);
    free(r->cs_dropped);
    dd_arena_deinit(&r->arena);
    free(r);
}

/* Counts the section at ADDR left out of a full report, each address once (docs/limits.md). */
static struct dd_error *cs_drop(struct hang_report *r, uint64_t addr)
{
    size_t kept = r->ncs_dropped < HANG_MAX_CS ? r->ncs_dropped : HANG_MAX_CS;
    for (size_t i = 0; i < kept; i++)
        if (r->cs_dropped[i] == addr)
            return NULL;
    if (r->ncs_dropped < HANG_MAX_CS) {
        if (!r->cs_dropped && !(r->cs_dropped = malloc(HANG_MAX_CS * sizeof(*r->cs_dropped))))
            return &dd_error_no_memory;
        r->cs_dropped[r->ncs_dropped] = addr;
    }
    r->ncs_dropped++;
    return NULL;
}

struct dd_error *hang_report_add_cs(struct session *s, struct hang_report *r, uint64_t addr,
                                    unsigned found, long *ret)
{
    for (size_t i = 0; i < r->ncs; i++)
        if (r->cs[i].address == addr) {
            r->cs[i].found |= found;
            *ret = (long)i;
            return NULL;
        }
    *ret = -1;
    if (r->ncs >= HANG_MAX_CS)
        return cs_drop(r, addr);
    struct hang_cs cs;
    if (dd_error_drop(hang_cs_read(s, &r->layout, r->style, addr, &cs)))
        return NULL;
    cs.found = found;
    if (r->ncs == r->cs_cap) {
        /* Doubling: a list of thousands of sections is not thousands of copies. */
        size_t cap = r->cs_cap ? 2 * r->cs_cap : 16;
        struct hang_cs *n = realloc(r->cs, cap * sizeof(*n));
        if (!n)
            return &dd_error_no_memory;
        r->cs = n;
        r->cs_cap = cap;
    }
    r->cs[r->ncs] = cs;
    *ret = (long)r->ncs++;
    return NULL;
}

struct list_ctx {
    struct session *s;
    struct hang_report *r;
    struct dd_error *err;
};

static bool read_ptr(void *ctx, uint64_t addr, uint64_t *ret)
{
    struct list_ctx *lc = ctx;
    unsigned ps = lc->r->layout.ptr_size;
    uint8_t b[8];
    if (dd_error_drop(target_read_exact(lc->s->target, addr, b, ps)))
        return false;
    *ret = ps == 8 ? dd_le64(b) : dd_le32(b);
    return true;
}

/* One ProcessLocksList entry: its debug block names the critical section. */
static void list_visit(void *ctx, uint64_t entry)
{
    struct list_ctx *lc = ctx;
    const struct hang_cs_layout *l = &lc->r->layout;
    uint64_t cs;
    if (lc->err || entry < l->dbg_locks_list ||
        !read_ptr(ctx, entry - l->dbg_locks_list + l->dbg_critical_section, &cs) || !cs)
        return;
    long idx;
    lc->err = hang_report_add_cs(lc->s, lc->r, cs, HANG_FOUND_LIST, &idx);
}

/* Walks ntdll!RtlCriticalSectionList when ntdll's symbols name it. */
static struct dd_error *gather_list(struct session *s, struct hang_report *r)
{
    uint64_t head;
    if (!s->syms ||
        dd_error_drop(symbols_find_by_name(s->syms, "ntdll!RtlCriticalSectionList", &head)))
        return NULL;
    r->has_list = true;
    r->list_head = head;
    struct list_ctx lc = {s, r, NULL};
    struct dd_error *err =
        hang_list_walk(read_ptr, &lc, head, HANG_MAX_CS, list_visit, &lc, &r->list);
    if (err)
        return err;
    if (lc.err)
        return lc.err;
    char a[DD_ADDR_BUF];
    if (r->list.stop != HANG_LIST_END)
        hang_report_note(r,
                         "the critical section list (ntdll!RtlCriticalSectionList) ended "
                         "after %zu entries: %s at %s",
                         r->list.count, hang_list_stop_name(r->list.stop),
                         dd_fmt_addr(a, r->list.stop_address, r->layout.ptr_size));
    return NULL;
}

/* Pointers on the threads' stacks to critical sections a thread of the dump holds. */
static struct dd_error *gather_stacks(struct session *s, struct hang_report *r)
{
    unsigned ps = r->layout.ptr_size;
    for (size_t i = 0; i < r->nthreads; i++) {
        const struct hang_thread *th = &r->threads[i];
        const struct target_thread *tt = &s->target->threads[th->index];
        if (!th->nframes || !tt->stack_size)
            continue;
        uint64_t lo = th->frames[0].sp, hi = tt->stack_start + tt->stack_size;
        if (lo < tt->stack_start || lo >= hi)
            lo = tt->stack_start;
        if (hi - lo > STACK_SCAN_BYTES)
            hi = lo + STACK_SCAN_BYTES;
        uint8_t *buf = malloc((size_t)(hi - lo));
        if (!buf)
            return &dd_error_no_memory;
        size_t got = 0;
        dd_error_drop(target_read(s->target, lo, buf, (size_t)(hi - lo), &got));
        for (size_t k = (size_t)((ps - lo % ps) % ps); k + ps <= got; k += ps) {
            uint64_t v = ps == 8 ? dd_le64(buf + k) : dd_le32(buf + k);
            /* Only sections in the dump's own memory: one an image file supplies is as built. */
            if (v < 0x10000 || v % ps || !dd_memmap_find(&s->target->memory, v))
                continue;
            struct hang_cs cs;
            if (dd_error_drop(hang_cs_read(s, &r->layout, r->style, v, &cs)) ||
                !hang_cs_plausible_locked(&cs, ps))
                continue;
            long idx;
            struct dd_error *err = hang_report_add_cs(s, r, v, HANG_FOUND_STACK, &idx);
            if (err) {
                free(buf);
                return err;
            }
        }
        free(buf);
    }
    return NULL;
}

static int cs_by_address(const void *a, const void *b)
{
    const struct hang_cs *x = a, *y = b;
    return x->address < y->address ? -1 : x->address > y->address;
}

/* Links each wait to the thread it waits for, finds cycles, the blocking thread and the class. */
static struct dd_error *link_waits(struct hang_report *r)
{
    size_t n = r->nthreads;
    long *next = calloc(n ? n : 1, sizeof(*next));
    long *cycle_of = calloc(n ? n : 1, sizeof(*cycle_of));
    size_t *count = calloc(n ? n : 1, sizeof(*count));
    if (!next || !cycle_of || !count) {
        free(next);
        free(cycle_of);
        free(count);
        return &dd_error_no_memory;
    }
    r->blocked = 0;
    for (size_t i = 0; i < n; i++) {
        struct hang_thread *th = &r->threads[i];
        th->waits_for = -1;
        if (th->kind == HANG_WAIT_CRITSEC && th->cs >= 0 && r->cs[th->cs].locked &&
            r->cs[th->cs].owner >= 0)
            th->waits_for = r->cs[th->cs].owner; /* threads[] follows target->threads */
        next[i] = th->waits_for;
        r->blocked += th->waits_for >= 0;
    }
    r->ncycles = hang_cycles_find(next, n, cycle_of);
    for (size_t i = 0; i < n; i++)
        r->threads[i].cycle = cycle_of[i];
    r->blocking = -1;
    if (r->ncycles) {
        for (size_t i = 0; i < n && r->blocking < 0; i++)
            if (cycle_of[i] == 0)
                r->blocking = (long)i;
        r->cls = HANG_CLASS_DEADLOCK;
    } else if (r->blocked) {
        for (size_t i = 0; i < n; i++) {
            size_t len;
            if (next[i] >= 0)
                count[hang_chain_end(next, n, i, &len)]++;
        }
        for (size_t i = 0; i < n; i++)
            if (count[i] && (r->blocking < 0 || count[i] > count[r->blocking]))
                r->blocking = (long)i;
        enum hang_wait_kind k = r->threads[r->blocking].kind;
        r->cls = k == HANG_WAIT_MESSAGE_BOX || k == HANG_WAIT_DIALOG ? HANG_CLASS_MESSAGE_BOX
                 : k == HANG_WAIT_RUNNING                            ? HANG_CLASS_BUSY
                                                                     : HANG_CLASS_CRITICAL_SECTION;
    } else {
        long box = -1, run = -1, wait = -1;
        for (size_t i = 0; i < n; i++) {
            enum hang_wait_kind k = r->threads[i].kind;
            if (box < 0 && (k == HANG_WAIT_MESSAGE_BOX || k == HANG_WAIT_DIALOG))
                box = (long)i;
            if (run < 0 && k == HANG_WAIT_RUNNING)
                run = (long)i;
            if (wait < 0 && k != HANG_WAIT_NONE && k != HANG_WAIT_RUNNING)
                wait = (long)i;
        }
        r->blocking = box >= 0 ? box : run >= 0 ? run : wait;
        r->cls = box >= 0    ? HANG_CLASS_MESSAGE_BOX
                 : run >= 0  ? HANG_CLASS_BUSY
                 : wait >= 0 ? HANG_CLASS_WAIT
                             : HANG_CLASS_NONE;
    }
    free(next);
    free(cycle_of);
    free(count);
    return NULL;
}

struct dd_error *hang_analyze(struct session *s, struct hang_report **ret)
{
    struct hang_report *r = calloc(1, sizeof(*r));
    if (!r)
        return &dd_error_no_memory;
    dd_arena_init(&r->arena);
    r->blocking = -1;
    hang_cs_layout_get(s, &r->layout);
    r->style = hang_cs_style_get(s);
    const struct target *t = s->target;
    struct dd_error *err = gather_list(s, r);
    r->nthreads = t->nthreads;
    r->threads = t->nthreads ? dd_arena_calloc(&r->arena, t->nthreads, sizeof(*r->threads)) : NULL;
    if (!err && t->nthreads && !r->threads)
        err = &dd_error_no_memory;
    for (size_t i = 0; !err && i < t->nthreads; i++)
        err = hang_thread_walk(s, r, i, &r->threads[i]);
    for (size_t i = 0; !err && i < t->nthreads; i++)
        err = hang_thread_classify(s, r, &r->threads[i]);
    if (!err && !r->has_list)
        err = gather_stacks(s, r);
    if (!err && !r->has_list && r->ncs > 1) {
        /* No list order to keep: by address, with the threads' indexes remapped. */
        uint64_t *addr = malloc(r->nthreads * sizeof(*addr) + 1);
        if (!addr) {
            err = &dd_error_no_memory;
        } else {
            for (size_t i = 0; i < r->nthreads; i++)
                addr[i] = r->threads[i].cs >= 0 ? r->cs[r->threads[i].cs].address : 0;
            qsort(r->cs, r->ncs, sizeof(*r->cs), cs_by_address);
            for (size_t i = 0; i < r->nthreads; i++)
                for (size_t k = 0; addr[i] && k < r->ncs; k++)
                    if (r->cs[k].address == addr[i])
                        r->threads[i].cs = (long)k;
            free(addr);
        }
    }
    if (!err)
        err = link_waits(r);
    if (err) {
        hang_report_destroy(r);
        return err;
    }
    if (!r->has_list)
        hang_report_note(r, "ntdll!RtlCriticalSectionList is not available (ntdll has no "
                            "symbols here): critical sections were found through the threads' "
                            "waits and stacks");
    if (t->sys.is_wine)
        hang_report_note(r, "the dump was written under Wine, whose critical sections count "
                            "LockCount as Windows XP did (-1 free, then one per entry)");
    if (r->layout.from_pdb)
        hang_report_note(r, "critical section layouts from ntdll's PDB types");
    if (r->ncs_dropped)
        hang_report_note(r,
                         "%zu critical section(s) found past the first %u were not analyzed "
                         "(the report keeps %u)",
                         r->ncs_dropped, HANG_MAX_CS, HANG_MAX_CS);
    *ret = r;
    return NULL;
}
