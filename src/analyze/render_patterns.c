/*
 * Rendering of dumpdbg's patterns and hang verdicts: the PATTERNS: section of `!analyze -v`,
 * the `!analyze [-v] -hang` layout, and their JSON (docs/json-schema.md, "patterns" lines and
 * the "hang" object).
 *
 * The hang layout follows WinDbg's !analyze -v (banner, KEY_VALUES_STRING, STACK_TEXT,
 * SYMBOL_NAME ... FAILURE_ID_HASH, Followup) with the fields older WinDbg versions print for
 * hangs: DERIVED_WAIT_CHAIN (a table of the threads in the chain: "Dl" marks deadlocked
 * threads, Eid the thread number, Cid process.thread, WaitType what the thread waits in),
 * WAIT_CHAIN_COMMAND, BLOCKING_THREAD, DEFAULT_BUCKET_ID, PRIMARY_PROBLEM_CLASS and
 * CRITICAL_SECTION. The table's exact spacing is dumpdbg's.
 *
 * PATTERNS: is dumpdbg's own section, printed after the DUMPDBG_* lines:
 *     PATTERNS:
 *         NULL Data Pointer: write to 0000000000000000 (a NULL pointer) at mod!f+0x29
 *             rax = 0000000000000000 at the fault; the code before it (ub):
 *             00000001`40001564 488b442428      mov     rax,qword ptr [rsp+28h]   ; rax = ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "analyze/hang.h"
#include "base/fmt.h"
#include "cmd/session.h"

static const char banner[] =
    "*******************************************************************************\n"
    "*                                                                             *\n"
    "*                        Exception Analysis                                   *\n"
    "*                                                                             *\n"
    "*******************************************************************************\n";

void analyze_render_patterns_text(struct session *s, const struct analyze_verdict *v)
{
    if (!v->npatterns)
        return;
    dd_puts(s->out, "\nPATTERNS:\n");
    for (size_t i = 0; i < v->npatterns; i++) {
        const struct analyze_pattern *p = &v->patterns[i];
        dd_printf(s->out, "    %s: %s\n", p->name, p->evidence);
        for (size_t k = 0; k < p->nlines; k++)
            dd_printf(s->out, "        %s\n", p->lines[k]);
    }
    dd_puts(s->out, "\n");
}

/* The threads of the derived wait chain into RET (at least r->nthreads + 1); returns how many.
 * A deadlock lists its cycle and comes back to the first thread. */
static size_t chain_members(const struct hang_report *r, size_t *ret, bool *ret_cycle)
{
    size_t n = r->nthreads;
    *ret_cycle = false;
    if (!n || r->blocking < 0)
        return 0;
    long *next = malloc(n * sizeof(*next));
    long *cycle_of = malloc(n * sizeof(*cycle_of));
    size_t m = 0;
    if (next && cycle_of) {
        for (size_t i = 0; i < n; i++) {
            next[i] = r->threads[i].waits_for;
            cycle_of[i] = r->threads[i].cycle;
        }
        if (r->ncycles) {
            m = hang_cycle_members(next, cycle_of, n, 0, ret);
            ret[m++] = ret[0];
            *ret_cycle = true;
        } else {
            size_t best = (size_t)r->blocking, best_len = 0;
            for (size_t i = 0; i < n; i++) {
                size_t len;
                if (next[i] >= 0 && hang_chain_end(next, n, i, &len) == (size_t)r->blocking &&
                    len > best_len) {
                    best = i;
                    best_len = len;
                }
            }
            for (size_t j = best; m < n; j = (size_t)next[j]) {
                ret[m++] = j;
                if (next[j] < 0 || j == (size_t)r->blocking)
                    break;
            }
        }
    }
    free(next);
    free(cycle_of);
    return m;
}

/* The critical section the hang turns on: the one the blocking thread waits for (a deadlock),
 * else one it holds that others wait for. -1 when none. */
static long key_section(const struct hang_report *r)
{
    if (r->blocking < 0)
        return -1;
    const struct hang_thread *b = &r->threads[r->blocking];
    if (r->ncycles && b->cs >= 0)
        return b->cs;
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->threads[i].waits_for == r->blocking && r->threads[i].cs >= 0)
            return r->threads[i].cs;
    return -1;
}

static void print_wait_chain(struct session *s, const struct hang_report *r)
{
    struct dd_writer *o = s->out;
    size_t *members = malloc((r->nthreads + 1) * sizeof(*members));
    if (!members)
        return;
    bool cycle;
    size_t m = chain_members(r, members, &cycle);
    uint32_t pid = s->target->proc.has_pid ? s->target->proc.pid : 0;
    if (m) {
        dd_puts(o, "DERIVED_WAIT_CHAIN:  \n\nDl Eid Cid       WaitType\n"
                   "-- --- --------- --------------------------------------\n");
        for (size_t i = 0; i < m; i++) {
            const struct hang_thread *th = &r->threads[members[i]];
            char cid[32];
            snprintf(cid, sizeof(cid), "%x.%x", pid, th->tid);
            dd_printf(o, "%-2s %3zu %-9s %-22s%s\n", th->cycle >= 0 ? "x" : "", th->index, cid,
                      hang_wait_kind_name(th->kind), i + 1 < m ? " -->" : "");
        }
        dd_puts(o, "\nWAIT_CHAIN_COMMAND:  ");
        for (size_t i = 0; i < m - (cycle ? 1 : 0); i++)
            dd_printf(o, "~%zus;k;;", r->threads[members[i]].index);
        dd_puts(o, "\n\n");
    }
    free(members);
}

bool analyze_render_hang_text(struct session *s, const struct analyze_verdict *v, bool verbose)
{
    if (!v->is_hang || !v->hang)
        return false;
    const struct hang_report *r = v->hang;
    struct dd_writer *o = s->out;
    unsigned ps = session_ptr_size(s);
    dd_printf(o, "%s\n%s", banner, verbose ? "\n" : "");
    if (!verbose) {
        dd_puts(o, "Use !analyze -v to get detailed debugging information.\n\n");
        if (v->bucket)
            dd_printf(o, "Probably caused by : %s ( %s )\n\n", v->image_name, v->symbol_name);
        dd_puts(o, "Followup:     MachineOwner\n---------\n\n");
        analyze_text_additions(s, v, false);
        return true;
    }
    if (v->bucket) {
        /* KEY_VALUES_STRING keys in WinDbg's (ASCII) order. */
        dd_printf(o,
                  "KEY_VALUES_STRING: 1\n\n    Key  : Failure.Bucket\n    Value: %s\n\n"
                  "    Key  : Failure.Hash\n    Value: %s\n\n"
                  "    Key  : Failure.ProblemClass.Primary\n    Value: %s\n\n\n",
                  v->bucket, v->hash, v->problem_class);
    }
    if (v->process_name)
        dd_printf(o, "PROCESS_NAME:  %s\n\n", v->process_name);
    if (v->has_exception) {
        dd_puts(o, "EXCEPTION_RECORD:  (.exr -1)\n");
        analyze_text_exception_record(s, v);
    }
    print_wait_chain(s, r);
    if (r->blocking >= 0) {
        const struct hang_thread *b = &r->threads[r->blocking];
        dd_printf(o, "BLOCKING_THREAD:  %08x\n\n", b->tid);
        dd_printf(o, "DEFAULT_BUCKET_ID:  %s\n\nPRIMARY_PROBLEM_CLASS:  %s\n\n", v->problem_class,
                  v->problem_class);
        long cs = key_section(r);
        if (cs >= 0) {
            char a[DD_ADDR_BUF];
            dd_fmt_addr(a, r->cs[cs].address, ps);
            dd_printf(o, "CRITICAL_SECTION:  %s -- (!cs -s %s)\n\n", a, a);
        }
        if (v->hang_stack >= 0 && (size_t)v->hang_stack < v->nthreads &&
            v->threads[v->hang_stack].nframes) {
            const struct analyze_thread *st = &v->threads[v->hang_stack];
            dd_puts(o, "STACK_TEXT:  \n");
            for (size_t i = 0; i < st->nframes; i++)
                analyze_text_frame(s, &st->frames[i]);
            dd_puts(o, "\n\n");
        }
        dd_printf(o, "SYMBOL_NAME:  %s\n\nMODULE_NAME: %s\n\nIMAGE_NAME:  %s\n\n", v->symbol_name,
                  v->module_name, v->image_name);
        dd_printf(o, "STACK_COMMAND:  ~%zus ; kb\n\n", b->index);
    }
    if (v->bucket)
        dd_printf(o, "FAILURE_BUCKET_ID:  %s\n\n", v->bucket);
    analyze_text_os(s);
    if (v->bucket)
        dd_printf(o, "FAILURE_ID_HASH:  %s\n\n", v->hash);
    dd_puts(o, "Followup:     MachineOwner\n---------\n\n");
    for (size_t i = 0; i < r->nnotes; i++)
        dd_printf(o, "DUMPDBG_HANG_NOTE:  %s\n", r->notes[i]);
    analyze_text_additions(s, v, true);
    return true;
}

/* --- JSON -------------------------------------------------------------------------------- */

struct jctx {
    bool oom;
    unsigned ps;
};

static cJSON *jc(struct jctx *j, cJSON *item)
{
    if (!item)
        j->oom = true;
    return item;
}

static void jstr(struct jctx *j, cJSON *o, const char *key, const char *v)
{
    jc(j, v ? cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key));
}

static void jnum(struct jctx *j, cJSON *o, const char *key, double v)
{
    jc(j, cJSON_AddNumberToObject(o, key, v));
}

static void jaddr(struct jctx *j, cJSON *o, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%0*llx", (int)j->ps * 2, (unsigned long long)v);
    jstr(j, o, key, buf);
}

static cJSON *jarr_item(struct jctx *j, cJSON *arr)
{
    cJSON *o = jc(j, cJSON_CreateObject());
    if (o && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        j->oom = true;
        return NULL;
    }
    return o;
}

static void add_cs(struct jctx *j, cJSON *arr, const struct hang_report *r,
                   const struct hang_cs *cs)
{
    cJSON *o = jarr_item(j, arr);
    if (!o)
        return;
    jaddr(j, o, "address", cs->address);
    jaddr(j, o, "debug_info", cs->debug_info);
    jc(j, cJSON_AddBoolToObject(o, "locked", cs->locked));
    jnum(j, o, "lock_count", cs->lock_count);
    jnum(j, o, "recursion_count", cs->recursion_count);
    jnum(j, o, "waiters", cs->waiters);
    jnum(j, o, "owner_thread_id", (double)cs->owning_thread);
    if (cs->owner >= 0)
        jnum(j, o, "owner_index", cs->owner);
    else
        jc(j, cJSON_AddNullToObject(o, "owner_index"));
    cJSON *found = jc(j, cJSON_AddArrayToObject(o, "found"));
    static const struct {
        unsigned bit;
        const char *name;
    } how[] = {{HANG_FOUND_LIST, "list"},
               {HANG_FOUND_WAIT, "wait"},
               {HANG_FOUND_STACK, "stack"},
               {HANG_FOUND_ADDRESS, "address"}};
    for (size_t i = 0; found && i < sizeof(how) / sizeof(how[0]); i++)
        if (cs->found & how[i].bit) {
            cJSON *name = jc(j, cJSON_CreateString(how[i].name));
            if (name && !cJSON_AddItemToArray(found, name)) {
                cJSON_Delete(name);
                j->oom = true;
            }
        }
    (void)r;
}

static void add_thread(struct jctx *j, cJSON *arr, const struct hang_report *r,
                       const struct hang_thread *th)
{
    cJSON *o = jarr_item(j, arr);
    if (!o)
        return;
    jnum(j, o, "index", (double)th->index);
    jnum(j, o, "thread_id", th->tid);
    jstr(j, o, "wait", hang_wait_kind_name(th->kind));
    jstr(j, o, "api", th->api);
    jstr(j, o, "caller", th->caller_frame >= 0 ? th->frames[th->caller_frame].function : NULL);
    jstr(j, o, "call_site", th->call_site);
    if (th->has_object)
        jaddr(j, o, "object", th->object);
    else
        jc(j, cJSON_AddNullToObject(o, "object"));
    jstr(j, o, "object_evidence", th->object_evidence);
    if (th->has_timeout)
        jnum(j, o, "timeout_ms", (double)th->timeout);
    else
        jc(j, cJSON_AddNullToObject(o, "timeout_ms"));
    jstr(j, o, "text", th->text);
    jstr(j, o, "caption", th->caption);
    if (th->waits_for >= 0)
        jnum(j, o, "waits_for", (double)r->threads[th->waits_for].index);
    else
        jc(j, cJSON_AddNullToObject(o, "waits_for"));
    jc(j, cJSON_AddBoolToObject(o, "deadlocked", th->cycle >= 0));
}

static void add_hang(struct jctx *j, struct session *s, cJSON *a, const struct analyze_verdict *v)
{
    const struct hang_report *r = v->hang;
    if (!r) {
        jc(j, cJSON_AddNullToObject(a, "hang"));
        return;
    }
    cJSON *h = jc(j, cJSON_AddObjectToObject(a, "hang"));
    if (!h)
        return;
    jstr(j, h, "class", hang_class_name(r->cls));
    jc(j, cJSON_AddBoolToObject(h, "deadlock", r->ncycles > 0));
    jnum(j, h, "blocked_threads", (double)r->blocked);
    if (r->blocking >= 0) {
        cJSON *b = jc(j, cJSON_AddObjectToObject(h, "blocking_thread"));
        if (b) {
            jnum(j, b, "index", (double)r->threads[r->blocking].index);
            jnum(j, b, "thread_id", r->threads[r->blocking].tid);
        }
    } else {
        jc(j, cJSON_AddNullToObject(h, "blocking_thread"));
    }
    size_t *members = malloc((r->nthreads + 1) * sizeof(*members));
    cJSON *chain = jc(j, cJSON_AddArrayToObject(h, "wait_chain"));
    if (members && chain) {
        bool cycle;
        size_t m = chain_members(r, members, &cycle);
        for (size_t i = 0; i < m; i++) {
            cJSON *n = jc(j, cJSON_CreateNumber((double)r->threads[members[i]].index));
            if (n && !cJSON_AddItemToArray(chain, n)) {
                cJSON_Delete(n);
                j->oom = true;
            }
        }
    }
    free(members);
    cJSON *sections = jc(j, cJSON_AddArrayToObject(h, "critical_sections"));
    for (size_t i = 0; sections && i < r->ncs; i++)
        add_cs(j, sections, r, &r->cs[i]);
    cJSON *threads = jc(j, cJSON_AddArrayToObject(h, "threads"));
    for (size_t i = 0; threads && i < r->nthreads; i++)
        add_thread(j, threads, r, &r->threads[i]);
    cJSON *notes = jc(j, cJSON_AddArrayToObject(h, "notes"));
    for (size_t i = 0; notes && i < r->nnotes; i++) {
        cJSON *n = jc(j, cJSON_CreateString(r->notes[i]));
        if (n && !cJSON_AddItemToArray(notes, n)) {
            cJSON_Delete(n);
            j->oom = true;
        }
    }
    (void)s;
}

bool analyze_patterns_json(struct session *s, struct cJSON *analysis,
                           const struct analyze_verdict *v)
{
    struct jctx j = {false, session_ptr_size(s)};
    cJSON *pats = cJSON_GetObjectItemCaseSensitive(analysis, "patterns");
    if (!pats)
        pats = jc(&j, cJSON_AddArrayToObject(analysis, "patterns"));
    /* The patterns array lists v->patterns in order: give each its evidence lines. */
    for (size_t i = 0; pats && i < v->npatterns; i++) {
        cJSON *p = cJSON_GetArrayItem(pats, (int)i);
        if (!p) {
            p = jarr_item(&j, pats);
            if (!p)
                continue;
            jstr(&j, p, "name", v->patterns[i].name);
            jstr(&j, p, "evidence", v->patterns[i].evidence);
        }
        cJSON *lines = jc(&j, cJSON_AddArrayToObject(p, "lines"));
        for (size_t k = 0; lines && k < v->patterns[i].nlines; k++) {
            cJSON *l = jc(&j, cJSON_CreateString(v->patterns[i].lines[k]));
            if (l && !cJSON_AddItemToArray(lines, l)) {
                cJSON_Delete(l);
                j.oom = true;
            }
        }
    }
    add_hang(&j, s, analysis, v);
    return !j.oom;
}
