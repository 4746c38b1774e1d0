/*
 * `k` in JSON mode: the frames of the public stack walk (session_stack_walk) with how each was
 * found, symbolized the way rust-minidump reports frames (offset, module_offset, function,
 * function_offset, file, line, trust) plus what `k` shows (Child-SP, RetAddr, call site).
 */
#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/expr.h"
#include "cmd/json_cmd.h"
#include "nt/wow64.h"
#include "sym/symbols.h"

const char *json_trust_name(enum unwind_found_by found_by)
{
    switch (found_by) {
    case UNWIND_FOUND_CONTEXT:
        return "context";
    case UNWIND_FOUND_FRAME_POINTER:
        return "frame_pointer";
    case UNWIND_FOUND_SCAN:
        return "scan";
    case UNWIND_FOUND_UNWIND_INFO:
    case UNWIND_FOUND_FRAME_DATA:
    case UNWIND_FOUND_LEAF:
        break;
    }
    return "cfi"; /* unwind data, frame data, or a leaf proven by complete unwind data */
}

const char *json_found_by_id(enum unwind_found_by found_by)
{
    switch (found_by) {
    case UNWIND_FOUND_CONTEXT:
        return "context";
    case UNWIND_FOUND_UNWIND_INFO:
        return "unwind_info";
    case UNWIND_FOUND_FRAME_DATA:
        return "frame_data";
    case UNWIND_FOUND_FRAME_POINTER:
        return "frame_pointer";
    case UNWIND_FOUND_LEAF:
        return "leaf";
    case UNWIND_FOUND_SCAN:
        return "scan";
    }
    return "unknown";
}

static const char *stop_id(enum unwind_stop stop)
{
    switch (stop) {
    case UNWIND_STOP_NONE:
        return "none";
    case UNWIND_STOP_END:
        return "end";
    case UNWIND_STOP_MAX_FRAMES:
        return "max_frames";
    case UNWIND_STOP_NO_PROGRESS:
        return "no_progress";
    case UNWIND_STOP_FAULT:
        return "fault";
    case UNWIND_STOP_NO_CALLER:
        return "no_caller";
    case UNWIND_STOP_BAD_START:
        return "bad_start";
    }
    return "unknown";
}

/* Reads up to N pointer-sized values at ADDR into RET; returns how many were read. */
static unsigned read_ptrs(struct session *s, uint64_t addr, unsigned ps, uint64_t *ret, unsigned n)
{
    uint8_t b[32];
    size_t got = 0;
    dd_error_destroy(target_read(s->target, addr, b, (size_t)n * ps, &got));
    unsigned k = 0;
    for (; k < n && got >= (size_t)(k + 1) * ps; k++)
        ret[k] = ps == 8 ? dd_le64(b + 8 * k) : dd_le32(b + 4 * k);
    return k;
}

static void add_frame(struct session *s, struct json_doc *doc, cJSON *frames,
                      const struct unwind_frame *f, size_t idx, bool args)
{
    const struct target *t = s->target;
    unsigned ps = session_ptr_size(s);
    cJSON *o = json_add_object(doc, frames, NULL);
    json_add_number(doc, o, "frame", (double)idx);
    json_add_addr(doc, o, "child_sp", f->sp);
    json_add_addr(doc, o, "instruction_pointer", f->ip);
    if (f->has_return_address)
        json_add_addr(doc, o, "return_address", f->return_address);
    else
        json_add_null(doc, o, "return_address");
    uint16_t fp = s->effmach ? s->effmach->fp_slot : UNWIND_MAX_REGS;
    if (unwind_regs_has(&f->regs, fp))
        json_add_addr(doc, o, "frame_pointer", f->regs.r[fp]);
    else
        json_add_null(doc, o, "frame_pointer");
    json_add_string(doc, o, "found_by", json_found_by_id(f->found_by));
    json_add_string(doc, o, "trust", json_trust_name(f->found_by));
    /* The frame's own unwind data was refused, so its caller came another way (limits.md). */
    json_add_bool(doc, o, "unwind_data_unusable", (f->flags & UNWIND_FRAME_BAD_UNWIND) != 0);
    char site[1200];
    json_add_string(doc, o, "call_site",
                    session_symbolize(s, f->ip, site, sizeof(site)) ? site : NULL);

    /* A return address follows its call: symbols and lines are looked up one byte back. */
    bool exact = idx == 0 || (f->flags & UNWIND_FRAME_TRAP);
    uint64_t lookup = exact || f->ip == 0 ? f->ip : f->ip - 1;
    json_add_addr(doc, o, "offset", lookup);
    const struct target_module *m = target_module_by_addr(t, lookup);
    struct symbols_hit hit;
    bool has_name =
        m && s->syms && !dd_error_drop(symbols_find_by_addr(s->syms, lookup, &hit)) && hit.has_name;
    struct symbols_line line;
    bool has_line =
        m && s->syms && !dd_error_drop(symbols_find_line(s->syms, lookup, &line)) && line.file[0];
    json_add_string(doc, o, "module", m ? dd_path_basename(m->path) : NULL);
    if (m)
        json_add_addr(doc, o, "module_offset", lookup - m->base);
    else
        json_add_null(doc, o, "module_offset");
    json_add_string(doc, o, "function", has_name ? hit.name : NULL);
    if (has_name)
        json_add_addr(doc, o, "function_offset", hit.disp);
    else
        json_add_null(doc, o, "function_offset");
    json_add_string(doc, o, "file", has_line ? line.file : NULL);
    if (has_line)
        json_add_number(doc, o, "line", line.line);
    else
        json_add_null(doc, o, "line");
    json_add_bool(doc, o, "missing_symbols", m && !has_name);
    if (args) {
        /* kb: x64 shows the callee's home space above the return address, x86 [ebp+8]... */
        uint64_t v[4];
        unsigned n = 0;
        if (ps == 8)
            n = read_ptrs(s, f->sp + 8, 8, v, 4);
        else if (unwind_regs_has(&f->regs, fp))
            n = read_ptrs(s, f->regs.r[fp] + 8, 4, v, 3);
        cJSON *arr = json_add_array(doc, o, "args");
        for (unsigned k = 0; k < n; k++)
            json_add_addr(doc, arr, NULL, v[k]);
    }
}

/* Walks the current context with the effective machine and adds frame_count, frames, stop. */
static struct dd_error *add_walk(struct session *s, struct json_doc *doc, cJSON *o, size_t max,
                                 bool args)
{
    struct unwind_walk w;
    struct dd_error *err = session_stack_walk(s, max, &w);
    if (err)
        return err;
    json_add_number(doc, o, "frame_count", (double)w.nframes);
    cJSON *frames = json_add_array(doc, o, "frames");
    for (size_t i = 0; i < w.nframes; i++)
        add_frame(s, doc, frames, &w.frames[i], i, args);
    json_add_string(doc, o, "stop", stop_id(w.stop));
    json_add_string(doc, o, "stop_text", unwind_stop_name(w.stop));
    if (w.stop == UNWIND_STOP_FAULT)
        json_add_addr(doc, o, "fault_address", w.fault_address);
    else
        json_add_null(doc, o, "fault_address");
    unwind_walk_deinit(&w);
    return NULL;
}

/* A WoW64 thread seen in 64-bit mode: `k` adds its 32-bit stack, and so does the document. */
static void add_wow64(struct session *s, struct json_doc *doc, cJSON *o, size_t max, bool args)
{
    cJSON *w = json_add_object(doc, o, "wow64");
    struct wow64_context c;
    struct dd_error *err = wow64_thread_context(s->target, &s->target->threads[s->cur_thread], &c);
    if (err) {
        json_error_add(s, doc, w, err);
        dd_error_destroy(err);
        return;
    }
    json_add_string(doc, w, "context_source",
                    c.source == WOW64_CONTEXT_NATIVE ? "native" : "cpu_area");
    const struct arch_ops *saved = s->effmach;
    unsigned saved_ps = doc->ptr_size;
    s->effmach = &arch_x86;
    doc->ptr_size = 4;
    err = add_walk(s, doc, w, max, args);
    doc->ptr_size = saved_ps;
    s->effmach = saved;
    if (err) {
        json_error_add(s, doc, w, err);
        dd_error_destroy(err);
    }
}

struct dd_error *json_stack_add(struct session *s, struct json_doc *doc, cJSON *o, size_t max,
                                bool args)
{
    bool own = s->ctx_source == SESSION_CTX_THREAD;
    json_add_string(doc, o, "context", own ? "thread" : "override");
    if (s->cur_thread < s->target->nthreads) {
        json_add_number(doc, o, "thread_index", (double)s->cur_thread);
        json_add_number(doc, o, "thread_id", s->target->threads[s->cur_thread].tid);
    } else {
        json_add_null(doc, o, "thread_index");
        json_add_null(doc, o, "thread_id");
    }
    struct dd_error *err = add_walk(s, doc, o, max, args);
    if (err)
        return err;
    if (own && s->effmach == s->arch && s->cur_thread < s->target->nthreads && session_is_wow64(s))
        add_wow64(s, doc, o, max, args);
    return NULL;
}

/* k[b|v|c|L|f|n|p|P|d] [COUNT]: the same letters as the text command; kb/kv add "args". */
static struct dd_error *json_k(struct session *s, const struct cmd_args *a, struct json_doc *doc,
                               cJSON *o)
{
    bool args = false;
    for (const char *c = a->suffix; *c; c++) {
        if (*c == 'b' || *c == 'v')
            args = true;
        else if (!strchr("cLfnpPd", *c))
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    }
    size_t count = 256;
    if (*a->rest) {
        if (a->rest[0] == '=')
            return dd_error_create(DD_ERR_UNSUPPORTED, "k = BP SP IP is not supported yet");
        uint64_t n;
        struct dd_error *err = expr_eval(s, a->rest, &n);
        if (err)
            return err;
        count = n ? (size_t)(n > 0xffff ? 0xffff : n) : 1;
    }
    return json_stack_add(s, doc, o, count, args);
}

const struct json_cmd_def json_table_stack[] = {
    {"k", json_k, CMD_PREFIX},
    {NULL, NULL, 0},
};
