/*
 * dv [/i] [/t] [/v] [/V] [Pattern]: the parameters and locals of the frame .frame selected
 * (debugger reference "dv (Display Local Variables)"), parameters first. Each line:
 *   [/i: "prv param  " | "prv local  "] [/v: address or register] [/V: address and
 *   "@rsp+0x0030" (register-relative, 4 hex digits) or "@rbx"] [/t: "int "] name = value
 * Names are right-aligned in 15 columns without /t, as in WinDbg's "           argc = 0n1".
 * A value whose location is not proven at the frame's address prints "<value unavailable>".
 * Without private symbols WinDbg's three lines explain why nothing is listed.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_vars.h"
#include "cmd/command.h"

struct dv_options {
    bool kinds;    /* /i */
    bool types;    /* /t */
    bool location; /* /v */
    bool relative; /* /V */
    const char *pattern;
};

static struct dd_error *dv_memory_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    return target_read_exact(ctx, addr, buf, n);
}

/* Writes one variable line of dv. */
static void dv_print_var(struct session *s, const struct cmd_frame_vars *fv,
                         const struct cmd_var *v, const struct dv_options *o)
{
    struct dd_writer *out = s->out;
    char abuf[DD_ADDR_BUF];
    unsigned ps = session_ptr_size(s);
    if (o->kinds)
        dd_printf(out, "prv %-7s", v->is_param ? "param" : "local");
    if (o->location || o->relative) {
        if (v->in_memory)
            dd_printf(out, "%s ", session_fmt_addr(s, abuf, v->address));
        else
            dd_printf(out, "%*s ", ps == 8 ? 17 : 8, "");
        if (o->relative)
            dd_printf(out, "%-16s ", v->where[0] && v->where[0] == '@' ? v->where : "");
        else if (!v->in_memory)
            dd_printf(out, "%-8s ", v->where);
    }
    if (o->types) {
        struct dd_strbuf t = {0};
        cmd_value_type_name(fv->types, v->type_index, &t);
        dd_write(out, t.data ? t.data : "", t.len);
        dd_strbuf_deinit(&t);
        dd_printf(out, " %s = ", v->name ? v->name : "");
    } else {
        dd_printf(out, "%15s = ", v->name ? v->name : "");
    }
    if (!v->available) {
        dd_puts(out, "<value unavailable>\n");
        return;
    }
    struct cmd_dt_memory mem = {dv_memory_read, s->target, ps};
    cmd_value_format(fv->types, v->type_index, v->value,
                     v->size < CMD_VAR_MAX_BYTES ? v->size : CMD_VAR_MAX_BYTES, &mem, out);
    dd_puts(out, "\n");
}

static struct dd_error *dv_parse(const char *rest, struct dv_options *ret)
{
    struct dv_options o;
    memset(&o, 0, sizeof(o));
    const char *p = rest;
    char word[256];
    for (;;) {
        const char *next = cmd_next_word(p, word, sizeof(word));
        if (!word[0])
            break;
        if (word[0] != '/') {
            if (*next)
                return dd_error_create(DD_ERR_SYNTAX, "Syntax error in 'dv %s'", rest);
            o.pattern = p; /* the rest of the line, trimmed by the dispatcher */
            break;
        }
        for (const char *c = word + 1; *c; c++) {
            switch (*c) {
            case 'i':
                o.kinds = true;
                break;
            case 't':
                o.types = true;
                break;
            case 'v':
                o.location = true;
                break;
            case 'V':
                o.relative = true;
                break;
            case 'r': /* shadowed locals: we list every record already */
            case 'a':
            case 'A':
            case 'n':
            case 'N':
            case 'z':
            case 'Z':
                break; /* sort orders: the declaration order is kept */
            default:
                return dd_error_create(DD_ERR_SYNTAX, "Syntax error in 'dv %s'", rest);
            }
        }
        p = next;
    }
    *ret = o;
    return NULL;
}

static struct dd_error *cmd_dv(struct session *s, const struct cmd_args *a)
{
    struct dv_options o = {false, false, false, false, NULL};
    struct dd_error *err = dv_parse(a->rest, &o);
    if (err)
        return err;
    struct cmd_frames fs;
    err = cmd_frames_collect(s, s->cur_frame + 1, &fs);
    if (err)
        return err;
    if (s->cur_frame >= fs.count) {
        cmd_frames_deinit(&fs);
        return dd_error_create(DD_ERR_NOT_FOUND, "the current frame is no longer on the stack");
    }
    struct cmd_frame_vars fv;
    err = cmd_frame_vars_get(s, &fs, s->cur_frame, &fv);
    if (err) {
        dd_error_destroy(err);
        cmd_frames_deinit(&fs);
        /* WinDbg's words when the frame's module has no private symbols. */
        dd_puts(s->out, "Unable to enumerate locals, HRESULT 0x80004005\n"
                        "Private symbols (symbols.pri) are required for locals.\n"
                        "Type \".hh dbgerr005\" for details.\n");
        return NULL;
    }
    for (size_t i = 0; i < fv.count; i++) {
        const struct cmd_var *v = &fv.vars[i];
        if (o.pattern && !dd_wildcard_match(o.pattern, v->name ? v->name : ""))
            continue;
        dv_print_var(s, &fv, v, &o);
    }
    cmd_frame_vars_deinit(&fv);
    cmd_frames_deinit(&fs);
    return NULL;
}

const struct cmd_def cmd_table_locals[] = {
    {"dv", cmd_dv, 0, "dv [/i] [/t] [/v] [/V] [Pattern] - display the current frame's locals"},
    {NULL, NULL, 0, NULL},
};
