/*
 * The hang pass of !analyze: runs for `!analyze -hang` and, as WinDbg does, for a dump that
 * stores no exception (a dump taken of a process that stopped responding). It builds the hang
 * report (hang.h) and turns it into the verdict's blame and bucket.
 *
 * Bucket: modern WinDbg names a hang "APPLICATION_HANG_cfffffff_<image>!<function>"
 * (dotnet/runtime#89297: "APPLICATION_HANG_cfffffff_coreclr.dll!Thread::DoAppropriateWaitWorker";
 * cfffffff stands for "no exception: a hang"); older versions put the kind of hang in the
 * problem class (DEFAULT_BUCKET_ID "APPLICATION_HANG_DeadLock", "APPLICATION_HANG_BusyHang").
 * dumpdbg keeps both: <PROBLEM_CLASS>_cfffffff_<image>!<function>, e.g.
 * "APPLICATION_HANG_DeadLock_cfffffff_hang_deadlock.exe!take_both", so a deadlock and a
 * message box in the same function get different buckets. The blamed function is where the
 * blocking thread (the one the wait chains end at, or the first thread of a deadlock cycle)
 * left its own code for the wait: the first frame outside the system modules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/hang.h"
#include "base/fmt.h"
#include "cmd/session.h"

#define HANG_CODE "cfffffff"

/* Adds the blocking thread's stack to V->threads (walked like the exception's stack). */
static struct dd_error *add_stack(struct session *s, struct analyze_verdict *v, size_t idx)
{
    for (size_t i = 0; i < v->nthreads; i++)
        if (v->threads[i].index == idx && !v->threads[i].from_exception) {
            v->hang_stack = (long)i;
            return NULL;
        }
    struct regset rs;
    if (dd_error_drop(session_thread_regs(s, idx, &rs)))
        return NULL;
    long stack = v->stack ? (long)(v->stack - v->threads) : -1;
    struct analyze_thread *n = realloc(v->threads, (v->nthreads + 1) * sizeof(*n));
    if (!n)
        return &dd_error_no_memory;
    v->threads = n;
    if (stack >= 0)
        v->stack = &v->threads[stack];
    struct analyze_thread *th = &v->threads[v->nthreads];
    memset(th, 0, sizeof(*th));
    th->index = idx;
    th->tid = s->target->threads[idx].tid;
    th->name = s->target->threads[idx].name;
    v->nthreads++;
    v->hang_stack = (long)(v->nthreads - 1);
    return analyze_verdict_walk(s, v, (long)idx, &rs, th);
}

/* Bucket-safe: WinDbg's "<", ">", "&" and dumpdbg's blanks and "*" become "_" (bucket.c). */
static void bucket_clean(char *p)
{
    for (; *p; p++)
        if (strchr("<>& *", *p))
            *p = '_';
}

struct dd_error *analyze_hang(struct session *s, const struct analyze_options *opts,
                              struct analyze_verdict *v)
{
    v->hang_stack = -1;
    if (v->has_exception && !(opts && opts->hang))
        return NULL;
    if (s->target->kind == TARGET_KERNEL || !s->target->nthreads)
        return NULL;
    struct dd_error *err = hang_analyze(s, &v->hang);
    if (err)
        return err;
    const struct hang_report *r = v->hang;
    v->is_hang = true;
    if (r->cls == HANG_CLASS_NONE || r->blocking < 0) {
        analyze_verdict_add_note(v, "no thread is blocked in a wait that the stacks show");
        v->problem_class = NULL;
        v->bucket = NULL;
        return NULL;
    }
    const struct hang_thread *th = &r->threads[r->blocking];
    if ((err = add_stack(s, v, th->index)) != NULL)
        return err;
    v->blamed_frame = -1; /* the blame below is the hang's, not a frame of v->stack */
    v->problem_class = hang_class_name(r->cls);
    long f = th->caller_frame >= 0 ? th->caller_frame : 0;
    char func[1100] = "Unknown", sym[1200] = "", module[300] = "", image[300] = "";
    if (f < (long)th->nframes && th->frames[f].module >= 0) {
        const struct hang_frame *hf = &th->frames[f];
        const struct target_module *m = &s->target->modules[hf->module];
        snprintf(module, sizeof(module), "%s", m->name);
        snprintf(image, sizeof(image), "%s", m->path ? dd_path_basename(m->path) : m->name);
        uint64_t lookup = f ? hf->ip - 1 : hf->ip;
        struct symbols_hit hit;
        if (s->syms && !dd_error_drop(symbols_find_by_addr(s->syms, lookup, &hit)) &&
            hit.has_name) {
            snprintf(func, sizeof(func), "%s", hit.name);
            snprintf(sym, sizeof(sym), "%s!%s+%llx", m->name, hit.name,
                     (unsigned long long)(hf->ip - hit.addr));
        } else {
            snprintf(sym, sizeof(sym), "%s+%llx", m->name, (unsigned long long)(hf->ip - m->base));
        }
    }
    char bucket[2048];
    snprintf(bucket, sizeof(bucket), "%s_" HANG_CODE "_%s!%s", v->problem_class,
             image[0] ? image : "Unknown_Image", func);
    bucket_clean(bucket);
    v->bucket = dd_arena_strdup(&v->arena, bucket);
    v->symbol_name = sym[0] ? dd_arena_strdup(&v->arena, sym) : "unknown!noop";
    v->module_name = module[0] ? dd_arena_strdup(&v->arena, module) : "Unknown_Module";
    v->image_name = image[0] ? dd_arena_strdup(&v->arena, image) : "Unknown_Image";
    if (!v->bucket || !v->symbol_name || !v->module_name || !v->image_name)
        return &dd_error_no_memory;
    analyze_bucket_hash(v->bucket, v->hash);
    return NULL;
}
