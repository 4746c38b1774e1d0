/*
 * !cs and !locks: the process's critical sections (src/analyze/hang.h gathers them).
 *
 * !cs [-s] [-l] [-o] [Address | StartAddress EndAddress | -d InfoAddress] (exts.dll, "!cs" in
 * the debugger reference). Each section prints in the layout of WinDbg 6.11's !cs quoted in
 * the seed ("!cs -l -o -s"):
 *     -----------------------------------------
 *     DebugInfo          = 0x00151e20
 *     Critical section   = 0x00455bd0 (ServiceA!g_CritSec+0x0)
 *     LOCKED
 *     LockCount          = 0x20
 *     WaiterWoken        = No
 *     OwningThread       = 0x00005774
 *     RecursionCount     = 0x1
 *     LockSemaphore      = 0x18
 *     SpinCount          = 0x00000000
 *     OwningThread DbgId = ~24s
 *     OwningThread Stack =
 *     <kb of the owner>
 * and an unlocked one as "NOT LOCKED" followed by LockSemaphore and SpinCount. LockCount shows
 * the number of waiters on systems whose LockCount packs bits (Server 2003 SP1 and later), the
 * raw count elsewhere (XP, Wine). -s prints "No stack trace saved" when the DebugInfo block
 * names no creator stack (dumps do not carry the user-mode stack trace database).
 *
 * !locks [-v] (ntsdexts.dll, "!locks (!ntsdexts.locks)"): the held sections, all with -v:
 *     CritSec ntdll!FastPebLock+0 at 77FC49E0
 *     LockCount          0
 *     RecursionCount     1
 *     OwningThread       c78
 *     EntryCount         0
 *     ContentionCount    0
 *     *** Locked
 *     ...
 *     Scanned 37 critical sections
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analyze/hang.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/expr.h"
#include "ext/ext.h"

static const char separator[] = "-----------------------------------------\n";

/* "(mod!sym+0x0)" as !cs names a section: module and symbol, else module+offset. */
static void cs_name(struct session *s, uint64_t addr, char *buf, size_t len, bool locks_style)
{
    const struct target_module *m = target_module_by_addr(s->target, addr);
    struct symbols_hit hit;
    if (m && s->syms && !dd_error_drop(symbols_find_by_addr(s->syms, addr, &hit)) && hit.has_name)
        snprintf(buf, len, locks_style ? "%s!%s+%llx" : "%s!%s+0x%llx", m->name, hit.name,
                 (unsigned long long)hit.disp);
    else if (m)
        snprintf(buf, len, locks_style ? "%s+%llx" : "%s+0x%llx", m->name,
                 (unsigned long long)(addr - m->base));
    else
        snprintf(buf, len, locks_style ? "+%llx" : "+0x%llx", (unsigned long long)addr);
}

/* Prints thread IDX's stack as kb does, then restores the session's thread and context. */
static void owner_stack(struct session *s, size_t idx)
{
    size_t saved_thread = s->cur_thread, saved_frame = s->cur_frame;
    enum session_ctx_source saved_src = s->ctx_source;
    struct regset saved_ctx = s->ctx;
    s->cur_thread = idx;
    s->cur_frame = 0;
    s->ctx_source = SESSION_CTX_THREAD;
    cmd_execute(s, "kb");
    s->cur_thread = saved_thread;
    s->cur_frame = saved_frame;
    s->ctx_source = saved_src;
    s->ctx = saved_ctx;
}

struct cs_options {
    bool locked_only; /* -l */
    bool owner_stack; /* -o */
    bool creator;     /* -s */
};

static void print_cs(struct session *s, const struct hang_report *r, const struct hang_cs *cs,
                     const struct cs_options *o)
{
    struct dd_writer *out = s->out;
    int w = (int)r->layout.ptr_size * 2;
    char name[1200];
    cs_name(s, cs->address, name, sizeof(name), false);
    dd_puts(out, separator);
    dd_printf(out, "DebugInfo          = 0x%0*llx\n", w, (unsigned long long)cs->debug_info);
    dd_printf(out, "Critical section   = 0x%0*llx (%s)\n", w, (unsigned long long)cs->address,
              name);
    if (!cs->locked) {
        dd_puts(out, "NOT LOCKED\n");
    } else {
        dd_puts(out, "LOCKED\n");
        uint32_t count = r->style == HANG_CS_STYLE_BITS ? cs->waiters : (uint32_t)cs->lock_count;
        dd_printf(out, "LockCount          = 0x%x\n", count);
        dd_printf(out, "WaiterWoken        = %s\n", cs->waiter_woken ? "Yes" : "No");
        dd_printf(out, "OwningThread       = 0x%0*llx\n", w, (unsigned long long)cs->owning_thread);
        dd_printf(out, "RecursionCount     = 0x%x\n", (uint32_t)cs->recursion_count);
    }
    dd_printf(out, "LockSemaphore      = 0x%llX\n", (unsigned long long)cs->lock_semaphore);
    dd_printf(out, "SpinCount          = 0x%0*llx\n", w, (unsigned long long)cs->spin_count);
    if (cs->locked && o->owner_stack) {
        if (cs->owner >= 0) {
            dd_printf(out, "OwningThread DbgId = ~%lds\nOwningThread Stack =\n", cs->owner);
            owner_stack(s, (size_t)cs->owner);
        } else {
            dd_puts(out, "OwningThread DbgId = <the owner is not a thread of this dump>\n");
        }
    }
    if (o->creator)
        dd_puts(out, "No stack trace saved\n");
}

/* One token of the command line as an address. */
static struct dd_error *parse_addr(struct session *s, const char *text, uint64_t *ret)
{
    struct dd_error *err = expr_eval(s, text, ret);
    if (err && err->code == DD_ERR_SYNTAX) {
        dd_error_destroy(err);
        return dd_error_create(DD_ERR_SYNTAX, "Invalid address '%s'", text);
    }
    return err;
}

static void print_notes(struct session *s, const struct hang_report *r)
{
    for (size_t i = 0; i < r->nnotes; i++)
        dd_printf(s->out, "dumpdbg: %s\n", r->notes[i]);
}

static struct dd_error *ext_cs(struct session *s, const struct cmd_args *a)
{
    struct cs_options o = {false, false, false};
    const char *rest = a->rest;
    char word[128];
    const char *addrs[2] = {NULL, NULL};
    char addr_text[2][128];
    size_t naddrs = 0;
    bool by_debug = false;
    while (*rest) {
        rest = cmd_next_word(rest, word, sizeof(word));
        if (word[0] == '-' && word[1]) {
            for (const char *c = word + 1; *c; c++) {
                if (*c == 'l')
                    o.locked_only = true;
                else if (*c == 'o')
                    o.owner_stack = true;
                else if (*c == 's')
                    o.creator = true;
                else if (*c == 'd')
                    by_debug = true;
                else if (*c == '?') {
                    dd_puts(s->out, "!cs [-s] [-l] [-o] [Address | StartAddress EndAddress | "
                                    "-d InfoAddress]\n");
                    return NULL;
                } else
                    return dd_error_create(DD_ERR_SYNTAX, "Unknown option '-%c'", *c);
            }
        } else if (naddrs < 2) {
            snprintf(addr_text[naddrs], sizeof(addr_text[0]), "%s", word);
            addrs[naddrs] = addr_text[naddrs];
            naddrs++;
        } else {
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
        }
    }
    struct hang_report *r;
    struct dd_error *err = hang_analyze(s, &r);
    if (err)
        return err;
    if (naddrs == 1) {
        uint64_t addr;
        if ((err = parse_addr(s, addrs[0], &addr)) == NULL && by_debug) {
            /* -d: the DebugInfo block names its section (RTL_CRITICAL_SECTION_DEBUG). */
            uint8_t b[8];
            unsigned ps = r->layout.ptr_size;
            err = target_read_exact(s->target, addr + r->layout.dbg_critical_section, b, ps);
            addr = ps == 8 ? dd_le64(b) : dd_le32(b);
        }
        long idx = -1;
        if (!err)
            err = hang_report_add_cs(s, r, addr, HANG_FOUND_ADDRESS, &idx);
        if (!err && idx < 0)
            err = dd_error_at(DD_ERR_MEMORY, addr, "Cannot read critical section at %llx",
                              (unsigned long long)addr);
        if (!err)
            print_cs(s, r, &r->cs[idx], &o);
    } else if (naddrs == 2) {
        /* A range: the sections whose DebugInfo points back at them, or that a thread holds. */
        uint64_t lo, hi;
        unsigned ps = r->layout.ptr_size;
        if ((err = parse_addr(s, addrs[0], &lo)) == NULL &&
            (err = parse_addr(s, addrs[1], &hi)) == NULL) {
            if (hi < lo || hi - lo > 0x100000) /* 1 MB: a range search reads every slot */
                err = dd_error_create(DD_ERR_SYNTAX, "Invalid range %llx %llx",
                                      (unsigned long long)lo, (unsigned long long)hi);
            for (uint64_t p = lo - lo % ps; !err && p + r->layout.size <= hi; p += ps) {
                struct hang_cs cs;
                if (dd_error_drop(hang_cs_read(s, &r->layout, r->style, p, &cs)))
                    continue;
                bool backed = cs.has_debug && cs.debug_cs == p;
                if ((backed || hang_cs_plausible_locked(&cs, ps)) && (!o.locked_only || cs.locked))
                    print_cs(s, r, &cs, &o);
            }
        }
    } else {
        for (size_t i = 0; i < r->ncs; i++)
            if (!o.locked_only || r->cs[i].locked)
                print_cs(s, r, &r->cs[i], &o);
        if (r->ncs)
            dd_puts(s->out, separator);
        print_notes(s, r);
    }
    hang_report_destroy(r);
    return err;
}

static struct dd_error *ext_locks(struct session *s, const struct cmd_args *a)
{
    bool all = false;
    const char *rest = a->rest;
    char word[64];
    while (*rest) {
        rest = cmd_next_word(rest, word, sizeof(word));
        if (strcmp(word, "-v") == 0)
            all = true;
        else if (strcmp(word, "-o") != 0) /* -o: orphaned entries, none are kept */
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    }
    struct hang_report *r;
    struct dd_error *err = hang_analyze(s, &r);
    if (err)
        return err;
    struct dd_writer *out = s->out;
    int w = (int)r->layout.ptr_size * 2;
    for (size_t i = 0; i < r->ncs; i++) {
        const struct hang_cs *cs = &r->cs[i];
        if (!all && !cs->locked)
            continue;
        char name[1200];
        cs_name(s, cs->address, name, sizeof(name), true);
        dd_printf(out, "CritSec %s at %0*llX\n", name, w, (unsigned long long)cs->address);
        dd_printf(out, "LockCount          %d\n", cs->lock_count);
        dd_printf(out, "RecursionCount     %d\n", cs->recursion_count);
        dd_printf(out, "OwningThread       %llx\n", (unsigned long long)cs->owning_thread);
        if (cs->has_debug)
            dd_printf(out, "EntryCount         %x\nContentionCount    %x\n", cs->entry_count,
                      cs->contention_count);
        else
            dd_puts(out, "EntryCount         ?\nContentionCount    ?\n");
        if (cs->locked)
            dd_puts(out, "*** Locked\n");
        dd_puts(out, "\n");
    }
    dd_printf(out, "Scanned %zu critical sections\n", r->ncs);
    print_notes(s, r);
    hang_report_destroy(r);
    return NULL;
}

const struct cmd_def ext_table_locks[] = {
    {"!cs", ext_cs, 0,
     "!cs [-s] [-l] [-o] [Address | Start End | -d InfoAddress] - critical sections"},
    {"!locks", ext_locks, 0, "!locks [-v] - held critical sections (all with -v)"},
    {"!ntsdexts.locks", ext_locks, 0, "!ntsdexts.locks [-v] - same as !locks"},
    {NULL, NULL, 0, NULL},
};
