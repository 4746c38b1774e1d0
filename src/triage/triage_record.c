/*
 * One triage record: open a dump, run the analysis (src/analyze/) on its faulting thread, and
 * summarize the verdict as one JSON line (docs/json-schema.md "Triage records"). A dump that
 * cannot be opened gets a record with status "error" and what is wrong with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analyze/analyze.h"
#include "base/fmt.h"
#include "cmd/json_doc.h"
#include "cmd/session.h"
#include "sym/symbols.h"
#include "triage/triage.h"

/* Frames of the faulting stack a record lists ("module!function+0x1e"), for grouping by eye. */
#define TRIAGE_STACK_FRAMES 8

static void discard_write(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
}

static double ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static const char *error_code_id(enum dd_error_code code)
{
    switch (code) {
    case DD_ERR_NO_MEMORY:
        return "no_memory";
    case DD_ERR_NOT_FOUND:
        return "not_found";
    case DD_ERR_FORMAT:
        return "format";
    case DD_ERR_IO:
        return "io";
    case DD_ERR_MEMORY:
        return "memory";
    case DD_ERR_UNSUPPORTED:
        return "unsupported";
    default:
        return "other";
    }
}

static void add_error(struct json_doc *doc, const struct dd_error *err)
{
    cJSON *e = json_add_object(doc, doc->root, "error");
    json_add_string(doc, e, "code", error_code_id(err->code));
    json_add_string(doc, e, "message", err->message);
    if (err->file_offset != DD_NO_OFFSET)
        json_add_hex(doc, e, "file_offset", err->file_offset, 0);
    else
        json_add_null(doc, e, "file_offset");
}

static void add_exception(struct json_doc *doc, const struct analyze_verdict *v)
{
    if (!v->has_exception) {
        json_add_null(doc, doc->root, "exception");
        return;
    }
    const struct analyze_exception *e = &v->exception;
    cJSON *o = json_add_object(doc, doc->root, "exception");
    json_add_hex(doc, o, "code", e->code, 8);
    json_add_string(doc, o, "name", e->name);
    json_add_string(doc, o, "text", e->text);
    json_add_string(doc, o, "crash_type", e->crash_type);
    json_add_addr(doc, o, "address", e->address);
    json_add_string(doc, o, "access",
                    e->access != ANALYZE_ACCESS_NONE ? analyze_access_name(e->access) : NULL);
    if (e->has_data_address)
        json_add_addr(doc, o, "data_address", e->data_address);
    else
        json_add_null(doc, o, "data_address");
    json_add_string(doc, o, "fast_fail", e->has_fast_fail ? e->fast_fail_name : NULL);
    json_add_string(doc, o, "cpp_type", v->cpp_exception_type);
}

/* The blamed frame (WinDbg's MODULE_NAME, IMAGE_NAME, SYMBOL_NAME) and the top of the stack. */
static void add_blame(struct session *s, struct json_doc *doc, const struct analyze_verdict *v)
{
    cJSON *root = doc->root;
    if (v->blamed_frame >= 0 && v->stack) {
        const struct analyze_frame *f = &v->stack->frames[v->blamed_frame];
        cJSON *b = json_add_object(doc, root, "blame");
        json_add_number(doc, b, "frame", (double)v->blamed_frame);
        json_add_string(doc, b, "module", v->module_name);
        json_add_string(doc, b, "image", v->image_name);
        json_add_string(doc, b, "function", f->function);
        json_add_string(doc, b, "symbol", v->symbol_name);
        json_add_addr(doc, b, "module_offset", f->module_offset);
        json_add_string(doc, b, "file", f->file);
        if (f->file)
            json_add_number(doc, b, "line", f->line);
        else
            json_add_null(doc, b, "line");
    } else {
        json_add_null(doc, root, "blame");
    }
    cJSON *stack = json_add_array(doc, root, "stack");
    for (size_t i = 0; v->stack && i < v->stack->nframes && i < TRIAGE_STACK_FRAMES; i++) {
        const struct analyze_frame *f = &v->stack->frames[i];
        const struct target_module *m = f->module >= 0 ? &s->target->modules[f->module] : NULL;
        char buf[1200];
        if (m && f->function)
            snprintf(buf, sizeof(buf), "%s!%s+0x%llx", m->name, f->function,
                     (unsigned long long)f->function_offset);
        else if (m)
            snprintf(buf, sizeof(buf), "%s+0x%llx", m->name, (unsigned long long)f->module_offset);
        else
            snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)f->ip);
        json_add_string(doc, stack, NULL, buf);
    }
}

static void add_verdict(struct session *s, struct json_doc *doc, const struct analyze_verdict *v)
{
    cJSON *root = doc->root;
    const struct target *t = s->target;
    json_add_string(doc, root, "process", v->process_name);
    if (t->proc.has_pid)
        json_add_number(doc, root, "pid", t->proc.pid);
    else
        json_add_null(doc, root, "pid");
    add_exception(doc, v);
    if (v->bugcheck) {
        cJSON *b = json_add_object(doc, root, "bugcheck");
        json_add_hex(doc, b, "code", v->bugcheck->code, 8);
        json_add_string(doc, b, "name", v->bugcheck->name);
    } else {
        json_add_null(doc, root, "bugcheck");
    }
    if (v->faulting_thread >= 0) {
        cJSON *ft = json_add_object(doc, root, "faulting_thread");
        json_add_number(doc, ft, "index", (double)v->faulting_thread);
        json_add_number(doc, ft, "thread_id", v->faulting_tid);
        json_add_string(doc, ft, "thread_name", t->threads[v->faulting_thread].name);
    } else {
        json_add_null(doc, root, "faulting_thread");
    }
    add_blame(s, doc, v);
    json_add_string(doc, root, "problem_class", v->problem_class);
    if (v->rating != ANALYZE_RATING_UNKNOWN) {
        cJSON *x = json_add_object(doc, root, "exploitability");
        json_add_string(doc, x, "rating", analyze_rating_name(v->rating));
        json_add_string(doc, x, "reason", v->rating_reason);
    } else {
        json_add_null(doc, root, "exploitability");
    }
    cJSON *pats = json_add_array(doc, root, "patterns");
    for (size_t i = 0; i < v->npatterns; i++)
        json_add_string(doc, pats, NULL, v->patterns[i].name);
    cJSON *notes = json_add_array(doc, root, "notes");
    for (size_t i = 0; i < v->nnotes; i++)
        json_add_string(doc, notes, NULL, v->notes[i]);
}

/* Opens PATH and analyzes it into DOC; a dump that cannot be read is an error (false). */
static bool analyze_dump(const struct triage_options *o, const char *path, struct json_doc *doc)
{
    struct target *t = NULL;
    struct dd_error *err = target_open(path, &t);
    if (err) {
        add_error(doc, err);
        dd_error_destroy(err);
        return false;
    }
    struct dd_writer quiet = {discard_write, NULL};
    struct session s;
    session_init(&s, t, &quiet, path);
    doc->ptr_size = s.arch ? s.arch->ptr_size : target_ptr_size(t);
    if (s.syms && o->sympath)
        dd_error_destroy(symbols_set_path(s.syms, o->sympath)); /* main.c checked the syntax */
    if (s.syms && o->imagepath)
        dd_error_destroy(symbols_set_image_path(s.syms, o->imagepath));
    struct analyze_verdict v;
    err = analyze_run(&s, NULL, &v);
    bool ok = err == NULL;
    if (err) {
        add_error(doc, err);
        dd_error_destroy(err);
    } else {
        json_add_string(doc, doc->root, "bucket", v.bucket);
        json_add_string(doc, doc->root, "hash", v.bucket ? v.hash : NULL);
        add_verdict(&s, doc, &v);
        json_add_null(doc, doc->root, "error");
        analyze_verdict_deinit(&v);
    }
    session_deinit(&s);
    target_destroy(t);
    return ok;
}

struct dd_error *triage_record(const struct triage_options *o, const char *path, char **ret,
                               bool *ret_ok)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct json_doc doc;
    if (!json_doc_init(&doc, 8))
        return &dd_error_no_memory;
    cJSON *root = doc.root;
    json_add_string(&doc, root, "path", path);
    cJSON *status = json_add_string(&doc, root, "status", "ok");
    bool ok = analyze_dump(o, path, &doc);
    if (!ok && status)
        cJSON_SetValuestring(status, "error");
    if (!cJSON_GetObjectItemCaseSensitive(root, "bucket")) { /* an error record */
        json_add_null(&doc, root, "bucket");
        json_add_null(&doc, root, "hash");
    }
    json_add_number(&doc, root, "time_ms", (double)(long long)(ms_since(&start) * 1000) / 1000);
    /* A forked worker's usage starts at zero (fork(2)): these are this dump's own figures. */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        json_add_number(&doc, root, "cpu_ms", (double)(long long)(cpu * 1000) / 1000);
        json_add_number(&doc, root, "max_rss_kb", (double)ru.ru_maxrss);
    }
    char *text = doc.oom ? NULL : cJSON_PrintUnformatted(root);
    json_doc_deinit(&doc);
    char *copy = text ? strdup(text) : NULL; /* the caller frees with free() */
    cJSON_free(text);
    if (!copy)
        return &dd_error_no_memory;
    *ret = copy;
    *ret_ok = ok;
    return NULL;
}
