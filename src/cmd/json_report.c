/*
 * The crash report: one JSON document whose fields are a superset of rust-minidump's
 * `minidump-stackwalk --json` output (its json-schema.md and print_json: crash_info,
 * crashing_thread, threads with frames, modules, unloaded_modules, system_info, pid, ...), with
 * dumpdbg's verdict as "analysis" (docs/json-schema.md). The verdict's own document
 * (analyze_json_build) is the base; this file adds what rust-minidump has and the verdict does
 * not know about (module symbol facts, unloaded modules, last error values, the fields that are
 * always null for a Windows dump) and how each frame was found. Printed by `!analyze -json`,
 * `.report`, `!analyze` in JSON mode and `dumpdbg --json-report DUMP`.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/error_names.h"
#include "base/cursor.h"
#include "cmd/json_cmd.h"

static cJSON *child(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* Adds KEY: null unless O already has KEY. */
static void ensure_null(struct json_doc *doc, cJSON *o, const char *key)
{
    if (o && !child(o, key))
        json_add_null(doc, o, key);
}

/* Replaces (or adds) O's KEY with ITEM (owned from now on). */
static void replace(struct json_doc *doc, cJSON *o, const char *key, cJSON *item)
{
    if (!item) {
        doc->oom = true;
        return;
    }
    if (child(o, key)) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(o, key, item)) {
            cJSON_Delete(item);
            doc->oom = true;
        }
        return;
    }
    json_add_item(doc, o, key, item);
}

/*
 * The thread's GetLastError() value, from its TEB (NT_TEB.LastErrorValue at 0x34 in a 32-bit
 * TEB, 0x68 in a 64-bit one), named as rust-minidump names it; NULL when the TEB is not in the
 * dump.
 */
static void add_last_error(struct session *s, struct json_doc *doc, cJSON *o, size_t idx)
{
    const struct target *t = s->target;
    uint8_t b[4];
    if (idx >= t->nthreads || !t->threads[idx].teb ||
        dd_error_drop(target_read_exact(
            s->target, t->threads[idx].teb + (target_ptr_size(t) == 8 ? 0x68 : 0x34), b, 4))) {
        json_add_null(doc, o, "last_error_value");
        return;
    }
    uint32_t v = dd_le32(b);
    const char *name = win32_error_name(v);
    char buf[16];
    if (!name) {
        snprintf(buf, sizeof(buf), "0x%08x", v);
        name = buf;
    }
    json_add_string(doc, o, "last_error_value", name);
}

/* Adds to each frame of FRAMES rust-minidump's inlines and unloaded_modules, found_by and
 * whether its unwind data was refused. */
static void augment_frames(struct json_doc *doc, cJSON *frames, const struct analyze_thread *th)
{
    size_t i = 0;
    for (cJSON *f = frames ? frames->child : NULL; f; f = f->next, i++) {
        ensure_null(doc, f, "inlines");
        ensure_null(doc, f, "unloaded_modules");
        if (th && i < th->nframes && !child(f, "found_by"))
            json_add_string(doc, f, "found_by", json_found_by_id(th->frames[i].found_by));
        if (th && i < th->nframes && !child(f, "unwind_data_unusable"))
            json_add_bool(doc, f, "unwind_data_unusable", th->frames[i].unwind_unusable);
        if (th && i < th->nframes && !child(f, "return_address")) {
            if (th->frames[i].has_return_address)
                json_add_addr(doc, f, "return_address", th->frames[i].return_address);
            else
                json_add_null(doc, f, "return_address");
        }
    }
}

static const struct analyze_thread *verdict_thread(const struct analyze_verdict *v, size_t idx)
{
    for (size_t k = 0; k < v->nthreads; k++)
        if (v->threads[k].index == idx)
            return &v->threads[k];
    return NULL;
}

static void augment_thread(struct session *s, struct json_doc *doc, cJSON *o, size_t idx,
                           const struct analyze_thread *th)
{
    if (!o || !cJSON_IsObject(o))
        return;
    if (!child(o, "last_error_value"))
        add_last_error(s, doc, o, idx);
    augment_frames(doc, child(o, "frames"), th);
}

/* handles: the HandleData stream's entries, or null when the dump has none. */
static void add_handles(struct session *s, struct json_doc *doc, cJSON *o)
{
    const struct target *t = s->target;
    if (!t->nhandles) {
        json_add_null(doc, o, "handles");
        return;
    }
    cJSON *arr = json_add_array(doc, o, "handles");
    for (size_t i = 0; i < t->nhandles; i++) {
        const struct target_handle *h = &t->handles[i];
        cJSON *e = json_add_object(doc, arr, NULL);
        json_add_hex(doc, e, "handle", h->handle, 0);
        json_add_string(doc, e, "type_name", h->type_name);
        json_add_string(doc, e, "object_name", h->object_name);
        json_add_hex(doc, e, "granted_access", h->granted_access, 8);
        json_add_number(doc, e, "handle_count", h->handle_count);
        json_add_number(doc, e, "pointer_count", h->pointer_count);
    }
}

static void augment(struct session *s, struct json_doc *doc, cJSON *o,
                    const struct analyze_verdict *v)
{
    const struct target *t = s->target;
    cJSON *ci = child(o, "crash_info");
    if (ci && !child(ci, "crash_inconsistencies"))
        json_add_array(doc, ci, "crash_inconsistencies");
    ensure_null(doc, ci, "instruction_pointer_update");
    ensure_null(doc, ci, "memory_accesses");
    ensure_null(doc, ci, "possible_bit_flips");

    cJSON *ct = child(o, "crashing_thread");
    if (ct && cJSON_IsObject(ct))
        augment_thread(s, doc, ct, v->faulting_thread >= 0 ? (size_t)v->faulting_thread : SIZE_MAX,
                       v->stack);
    size_t i = 0;
    cJSON *threads = child(o, "threads");
    for (cJSON *th = threads ? threads->child : NULL; th; th = th->next, i++)
        augment_thread(s, doc, th, i, verdict_thread(v, i));

    /* Modules and system info with every fact lm and vertarget know, in rust-minidump's names. */
    cJSON *mods = cJSON_CreateArray();
    for (size_t m = 0; mods && m < t->nmodules; m++)
        json_module_add(s, doc, json_add_object(doc, mods, NULL), m);
    replace(doc, o, "modules", mods);
    cJSON *unl = cJSON_CreateArray();
    for (size_t m = 0; unl && m < t->nunloaded; m++)
        json_unloaded_module_add(s, doc, json_add_object(doc, unl, NULL), m);
    replace(doc, o, "unloaded_modules", unl);
    cJSON *sys = cJSON_CreateObject();
    if (sys)
        json_system_add(s, doc, sys);
    replace(doc, o, "system_info", sys);

    json_add_bool(doc, o, "modules_contains_cert_info", false);
    add_handles(s, doc, o);
    if (t->proc.has_times && t->proc.create_time && t->proc.dump_time >= t->proc.create_time)
        json_add_number(doc, o, "process_uptime", t->proc.dump_time - t->proc.create_time);
    else
        json_add_null(doc, o, "process_uptime");
    /* Linux and macOS streams: never in a Windows dump. */
    static const char *const absent[] = {"linux_memory_map_count", "lsb_release", "mac_boot_args",
                                         "mac_crash_info",         "proc_limits", "soft_errors"};
    for (size_t k = 0; k < sizeof(absent) / sizeof(absent[0]); k++)
        ensure_null(doc, o, absent[k]);
    json_dump_add(s, doc, json_add_object(doc, o, "dump"));
}

struct dd_error *json_report_add_verdict(struct session *s, const struct analyze_verdict *v,
                                         struct json_doc *doc, cJSON *o)
{
    cJSON *tree = NULL;
    struct dd_error *err = analyze_json_build(s, v, &tree);
    if (err)
        return err;
    /* The report is in the target's pointer width, whatever .effmach says. */
    unsigned saved_ps = doc->ptr_size;
    doc->ptr_size = s->arch ? s->arch->ptr_size : target_ptr_size(s->target);
    for (cJSON *c = tree->child; c; c = tree->child) {
        cJSON_DetachItemViaPointer(tree, c);
        json_add_item(doc, o, c->string, c);
    }
    cJSON_Delete(tree);
    augment(s, doc, o, v);
    doc->ptr_size = saved_ps;
    return NULL;
}

struct dd_error *json_report_add(struct session *s, struct json_doc *doc, cJSON *o)
{
    struct analyze_options opts;
    memset(&opts, 0, sizeof(opts));
    opts.all_threads = true;
    struct analyze_verdict v;
    struct dd_error *err = analyze_run(s, &opts, &v);
    if (err)
        return err;
    err = json_report_add_verdict(s, &v, doc, o);
    analyze_verdict_deinit(&v);
    return err;
}

struct dd_error *json_report_write(struct session *s, const struct analyze_verdict *v, bool pretty,
                                   struct dd_writer *out)
{
    struct json_doc doc;
    if (!json_doc_init(&doc, s->arch ? s->arch->ptr_size : target_ptr_size(s->target)))
        return &dd_error_no_memory;
    struct dd_error *err =
        v ? json_report_add_verdict(s, v, &doc, doc.root) : json_report_add(s, &doc, doc.root);
    if (!err)
        err = json_doc_write(&doc, pretty, out);
    json_doc_deinit(&doc);
    return err;
}

/* !analyze [-v] [-json] [-f] in JSON mode: the crash report, whatever the verbosity. */
static struct dd_error *json_analyze(struct session *s, const struct cmd_args *a,
                                     struct json_doc *doc, cJSON *o)
{
    const char *rest = a->rest;
    char word[64];
    while (*rest) {
        rest = cmd_next_word(rest, word, sizeof(word));
        bool verbose = strcmp(word, "-v") == 0 || strcmp(word, "-vv") == 0 ||
                       (word[0] == '-' && word[1] == 'v' && isdigit((unsigned char)word[2]));
        if (!verbose && strcmp(word, "-json") != 0 && strcmp(word, "-f") != 0)
            return &json_error_no_form; /* -hang and the rest: the text command's own answer */
    }
    return json_report_add(s, doc, o);
}

static struct dd_error *json_report(struct session *s, const struct cmd_args *a,
                                    struct json_doc *doc, cJSON *o)
{
    if (*a->rest)
        return dd_error_create(DD_ERR_SYNTAX, "Usage: .report");
    return json_report_add(s, doc, o);
}

struct dd_error *json_report_cmd(struct session *s, const struct cmd_args *a)
{
    if (*a->rest)
        return dd_error_create(DD_ERR_SYNTAX, "Usage: .report");
    return json_report_write(s, NULL, true, s->out);
}

const struct json_cmd_def json_table_report[] = {
    {"!analyze", json_analyze, 0},
    {".report", json_report, 0},
    {NULL, NULL, 0},
};
