/* Thread and context commands: ~, r, .exr, .ecxr, .cxr. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/status_names.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "nt/wow64.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "disasm/disasm.h"
#include "ext/ext_kernel.h"

/* The instruction-pointer line WinDbg prints after the registers ("test_app+0x429e:"). */
static void print_location(struct session *s, const struct regset *rs)
{
    char sym[512];
    uint64_t pc = regset_slot(rs, rs->arch->pc_slot);
    if (session_symbolize(s, pc, sym, sizeof(sym)))
        dd_printf(s->out, "%s:\n", sym);
}

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

/* The instruction at pc, as r shows it under the location (x86/x64 only for now). */
static void print_pc_insn(struct session *s, const struct regset *rs)
{
    if (!disasm_cpu_supported(rs->arch->cpu))
        return;
    struct disasm_ctx c = {rs->arch->cpu, s->target, symbolize_cb, s};
    struct disasm_insn in;
    struct dd_error *err = disasm_decode(&c, regset_slot(rs, rs->arch->pc_slot), &in);
    if (err) {
        dd_error_destroy(err);
        return;
    }
    char line[512];
    dd_printf(s->out, "%s\n", disasm_line_format_ea(&c, &in, rs, line, sizeof(line)));
}

static void print_regs(struct session *s, const struct regset *rs)
{
    rs->arch->print_regs(s->out, rs);
    print_location(s, rs);
    print_pc_insn(s, rs);
}

static void print_thread_line(struct session *s, size_t idx)
{
    const struct target *t = s->target;
    const struct target_thread *th = &t->threads[idx];
    char mark = ' ';
    if (idx == s->cur_thread)
        mark = '.';
    else if (s->event_thread >= 0 && (size_t)s->event_thread == idx)
        mark = '#';
    char teb[DD_ADDR_BUF];
    uint64_t teb_addr = th->teb;
    unsigned teb_size = target_ptr_size(t);
    /* In x86 mode on a WoW64 dump the thread's TEB is its 32-bit one (wow64exts' view). */
    uint64_t teb32;
    if (s->effmach && s->effmach->cpu == DD_CPU_X86 && t->sys.cpu == DD_CPU_X64 &&
        session_is_wow64(s) && th->teb && !dd_error_drop(wow64_teb32(s->target, th->teb, &teb32))) {
        teb_addr = teb32;
        teb_size = 4;
    }
    dd_printf(s->out, "%c%3zu  Id: %x.%x Suspend: %u Teb: %s Unfrozen", mark, idx,
              t->proc.has_pid ? t->proc.pid : 0, th->tid, th->suspend_count,
              dd_fmt_addr(teb, teb_addr, teb_size));
    if (th->name)
        dd_printf(s->out, " \"%s\"", th->name);
    dd_puts(s->out, "\n");
}

/* Parses a thread selector at *P: ".", "#", "*", "N", "~[tid]". Returns false on syntax error. */
enum thread_sel { SEL_ONE, SEL_ALL, SEL_NONE };

static struct dd_error *parse_selector(struct session *s, const char **pp, enum thread_sel *kind,
                                       size_t *idx)
{
    const char *p = *pp;
    const struct target *t = s->target;
    if (*p == '*') {
        *kind = SEL_ALL;
        *pp = p + 1;
        return NULL;
    }
    if (*p == '.') {
        /* A dump without threads has no current thread either. */
        if (s->cur_thread >= t->nthreads)
            return dd_error_create(DD_ERR_NOT_FOUND, "Illegal thread error in '~%s'", p);
        *kind = SEL_ONE;
        *idx = s->cur_thread;
        *pp = p + 1;
        return NULL;
    }
    if (*p == '#') {
        if (s->event_thread < 0)
            return dd_error_create(DD_ERR_NOT_FOUND, "No event thread");
        *kind = SEL_ONE;
        *idx = (size_t)s->event_thread;
        *pp = p + 1;
        return NULL;
    }
    if (*p == '~' && p[1] == '[') {
        const char *close = strchr(p + 2, ']');
        if (!close)
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", p);
        char expr[256];
        size_t n = (size_t)(close - (p + 2));
        if (n >= sizeof(expr))
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", p);
        memcpy(expr, p + 2, n);
        expr[n] = '\0';
        uint64_t tid;
        struct dd_error *err = expr_eval(s, expr, &tid);
        if (err)
            return err;
        long i = tid <= UINT32_MAX ? target_thread_by_tid(t, (uint32_t)tid) : -1;
        if (i < 0)
            return dd_error_create(DD_ERR_NOT_FOUND, "Illegal thread error in '%s'", *pp);
        *kind = SEL_ONE;
        *idx = (size_t)i;
        *pp = close + 1;
        return NULL;
    }
    if (isdigit((unsigned char)*p)) {
        /* Thread numbers are decimal in WinDbg regardless of the radix. */
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        if (v >= t->nthreads)
            return dd_error_create(DD_ERR_NOT_FOUND, "Illegal thread error in '~%s'", p);
        *kind = SEL_ONE;
        *idx = (size_t)v;
        *pp = end;
        return NULL;
    }
    *kind = SEL_NONE;
    return NULL;
}

struct dd_error *cmd_thread_tilde(struct session *s, const char *line)
{
    /* kd lists processors: add those only nt's symbols could find (an encoded KDBG). Best
     * effort: without them `~` shows the dump's own context. */
    if (s->target->kind == TARGET_KERNEL)
        dd_error_destroy(ext_kernel_processors_ensure(s));
    const struct target *t = s->target;
    const char *p = line + 1;
    while (*p == ' ')
        p++;
    enum thread_sel kind;
    size_t idx = 0;
    struct dd_error *err = parse_selector(s, &p, &kind, &idx);
    if (err)
        return err;
    while (*p == ' ')
        p++;
    if (kind == SEL_NONE) {
        if (*p)
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", line);
        for (size_t i = 0; i < t->nthreads; i++)
            print_thread_line(s, i);
        return NULL;
    }
    if (*p == '\0') {
        if (kind == SEL_ALL)
            for (size_t i = 0; i < t->nthreads; i++)
                print_thread_line(s, i);
        else
            print_thread_line(s, idx);
        return NULL;
    }
    if ((*p == 's' || *p == 'S') && p[1] == '\0') {
        if (kind != SEL_ONE)
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", line);
        session_set_thread(s, idx);
        struct regset rs;
        err = session_regs(s, &rs);
        if (err)
            return err;
        print_regs(s, &rs);
        return NULL;
    }
    /* "~N cmd" / "~* cmd": run CMD in each selected thread, then restore. */
    size_t saved = s->cur_thread;
    enum session_ctx_source saved_src = s->ctx_source;
    struct regset saved_ctx = s->ctx;
    size_t first = kind == SEL_ALL ? 0 : idx;
    size_t last = kind == SEL_ALL ? t->nthreads : idx + 1;
    for (size_t i = first; i < last && !s->quit; i++) {
        if (kind == SEL_ALL) {
            dd_puts(s->out, "\n");
            print_thread_line(s, i);
        }
        session_set_thread(s, i);
        cmd_execute(s, p);
    }
    s->cur_thread = saved;
    s->ctx_source = saved_src;
    s->ctx = saved_ctx;
    return NULL;
}

static struct dd_error *cmd_r(struct session *s, const struct cmd_args *a)
{
    if (!s->effmach)
        return dd_error_create(DD_ERR_UNSUPPORTED, "the dump's processor type is not supported");
    struct regset rs;
    struct dd_error *err = session_regs(s, &rs);
    if (err)
        return err;
    if (!a->rest[0] && !a->suffix[0]) {
        print_regs(s, &rs);
        return NULL;
    }
    /* "r rax", "r rax, rbx", "r @eflags": one name=value per register, on one line. */
    char names[4096];
    snprintf(names, sizeof(names), "%s", a->rest);
    const char *sep = "";
    for (char *tok = strtok(names, " ,\t"); tok; tok = strtok(NULL, " ,\t")) {
        if (strchr(tok, '='))
            return dd_error_create(DD_ERR_UNSUPPORTED,
                                   "changing registers is not supported in a dump ('%s')", tok);
        const struct arch_reg *reg = arch_reg_find(s->effmach, tok);
        if (!reg && (dd_strcasecmp(tok, "eflags") == 0 || dd_strcasecmp(tok, "@eflags") == 0))
            reg = arch_reg_find(s->effmach, "efl");
        if (!reg)
            return dd_error_create(DD_ERR_SYNTAX, "Bad register error in '%s'", a->line);
        dd_puts(s->out, sep);
        struct dd_strbuf sb = {0};
        struct dd_writer w = dd_writer_strbuf(&sb);
        arch_print_reg(&w, &rs, reg);
        if (sb.data) {
            size_t len = sb.len;
            if (len && sb.data[len - 1] == '\n')
                len--;
            dd_write(s->out, sb.data, len);
        }
        dd_strbuf_deinit(&sb);
        sep = " ";
    }
    dd_puts(s->out, "\n");
    return NULL;
}

/* Prints an exception record the way .exr does. */
static void print_exception(struct session *s, const struct target_exception *e)
{
    unsigned ps = session_ptr_size(s);
    int w = (int)ps * 2;
    struct dd_writer *o = s->out;
    char sym[512];
    dd_printf(o, "ExceptionAddress: %0*llx", w, (unsigned long long)e->address);
    /* WinDbg pads the displacement to the pointer width here: "(mod!func+0x0000001e)". */
    const struct target_module *m = target_module_by_addr(s->target, e->address);
    struct symbols_hit hit;
    if (m && s->syms && !symbols_find_by_addr(s->syms, e->address, &hit) && hit.has_name)
        dd_printf(o, " (%s!%s+0x%0*llx)", m->name, hit.name, w, (unsigned long long)hit.disp);
    else if (m)
        dd_printf(o, " (%s+0x%0*llx)", m->name, w, (unsigned long long)(e->address - m->base));
    (void)sym;
    dd_puts(o, "\n");
    const char *text = status_exception_text(e->code);
    dd_printf(o, "   ExceptionCode: %08x", e->code);
    if (text)
        dd_printf(o, " (%s)", text);
    dd_puts(o, "\n");
    dd_printf(o, "  ExceptionFlags: %08x\n", e->flags);
    dd_printf(o, "NumberParameters: %u\n", e->num_params);
    unsigned n = e->num_params < TARGET_EXCEPTION_MAX_PARAMS ? e->num_params
                                                             : TARGET_EXCEPTION_MAX_PARAMS;
    uint64_t mask = ps == 8 ? UINT64_MAX : UINT32_MAX;
    for (unsigned i = 0; i < n; i++)
        dd_printf(o, "   Parameter[%u]: %0*llx\n", i, w, (unsigned long long)(e->params[i] & mask));
    if ((e->code == 0xc0000005u || e->code == 0xc0000006u) && n >= 2) {
        /* ExceptionInformation[0]: 0 read, 1 write, 8 DEP (winnt.h EXCEPTION_*_FAULT). */
        uint64_t addr = e->params[1] & mask;
        const char *verb = e->params[0] == 1   ? "Attempt to write to address"
                           : e->params[0] == 8 ? "Attempt to execute non-executable address"
                                               : "Attempt to read from address";
        dd_printf(o, "%s %0*llx\n", verb, w, (unsigned long long)addr);
        if (e->code == 0xc0000006u && n >= 3)
            dd_printf(o, "Inpage operation failed at %0*llx, due to I/O error %0*llx\n", w,
                      (unsigned long long)addr, w, (unsigned long long)(e->params[2] & mask));
    }
    if (e->code == 0xc0000409u && n >= 1) {
        const char *ff = status_fastfail_name(e->params[0]);
        dd_printf(o, "Subcode: 0x%llx%s%s\n", (unsigned long long)e->params[0], ff ? " " : "",
                  ff ? ff : "");
    }
}

/* Decodes an EXCEPTION_RECORD32/64 read from target memory at ADDR. */
static struct dd_error *read_exception_record(struct session *s, uint64_t addr,
                                              struct target_exception *ret)
{
    unsigned ps = session_ptr_size(s);
    /* EXCEPTION_RECORD32 is 0x50 bytes, EXCEPTION_RECORD64 0x98 (winnt.h). */
    uint8_t buf[0x98];
    size_t size = ps == 8 ? 0x98 : 0x50;
    struct dd_error *err = target_read_exact(s->target, addr, buf, size);
    if (err)
        return err;
    struct target_exception e = {0};
    e.code = dd_le32(buf);
    e.flags = dd_le32(buf + 4);
    if (ps == 8) {
        e.record = dd_le64(buf + 8);
        e.address = dd_le64(buf + 16);
        e.num_params = dd_le32(buf + 24);
        for (unsigned i = 0; i < TARGET_EXCEPTION_MAX_PARAMS; i++)
            e.params[i] = dd_le64(buf + 32 + 8 * i);
    } else {
        e.record = dd_le32(buf + 8);
        e.address = dd_le32(buf + 12);
        e.num_params = dd_le32(buf + 16);
        for (unsigned i = 0; i < TARGET_EXCEPTION_MAX_PARAMS; i++)
            e.params[i] = dd_le32(buf + 20 + 4 * i);
    }
    *ret = e;
    return NULL;
}

static struct dd_error *cmd_exr(struct session *s, const struct cmd_args *a)
{
    if (!a->rest[0])
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '.exr'");
    if (strcmp(a->rest, "-1") == 0) {
        if (!s->target->has_exception)
            return dd_error_create(DD_ERR_NOT_FOUND, "Last event was not an exception");
        print_exception(s, &s->target->exception);
        return NULL;
    }
    uint64_t addr;
    struct dd_error *err = expr_eval(s, a->rest, &addr);
    if (err)
        return err;
    struct target_exception e;
    err = read_exception_record(s, addr, &e);
    if (err)
        return err;
    print_exception(s, &e);
    return NULL;
}

static struct dd_error *cmd_ecxr(struct session *s, const struct cmd_args *a)
{
    const struct target *t = s->target;
    if (!t->has_exception || !t->exception.context || !s->arch)
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "Unable to get exception context, HRESULT 0x8000FFFF");
    struct regset rs;
    struct dd_error *err =
        s->arch->context_decode(t->exception.context, t->exception.context_size, &rs);
    if (err)
        return err;
    s->ctx = rs;
    s->ctx_source = SESSION_CTX_OVERRIDE;
    if (s->event_thread >= 0)
        s->cur_thread = (size_t)s->event_thread;
    print_regs(s, &rs);
    return NULL;
}

static struct dd_error *cmd_cxr(struct session *s, const struct cmd_args *a)
{
    if (!a->rest[0]) {
        s->ctx_source = SESSION_CTX_THREAD;
        dd_puts(s->out, "Resetting default scope\n");
        return NULL;
    }
    /* The CONTEXT layout of the effective machine: an x86 CONTEXT under .effmach x86 (WoW64). */
    const struct arch_ops *arch = s->effmach ? s->effmach : s->arch;
    if (!arch)
        return dd_error_create(DD_ERR_UNSUPPORTED, "the dump's processor type is not supported");
    uint64_t addr;
    struct dd_error *err = expr_eval(s, a->rest, &addr);
    if (err)
        return err;
    uint8_t *buf = malloc(arch->context_size);
    if (!buf)
        return &dd_error_no_memory;
    size_t got = 0;
    err = target_read(s->target, addr, buf, arch->context_size, &got);
    if (err) {
        free(buf);
        dd_error_destroy(err);
        char abuf[DD_ADDR_BUF];
        return dd_error_create(DD_ERR_OTHER, "Unable to read context at %s",
                               session_fmt_addr(s, abuf, addr));
    }
    struct regset rs;
    err = arch->context_decode(buf, arch->context_size, &rs);
    free(buf);
    if (err)
        return err;
    s->ctx = rs;
    s->ctx_source = SESSION_CTX_OVERRIDE;
    print_regs(s, &rs);
    return NULL;
}

const struct cmd_def cmd_table_thread[] = {
    {"r", cmd_r, 0, "r [reg[,reg...]] - show registers"},
    {".exr", cmd_exr, 0, ".exr -1 | ADDR - show an exception record"},
    {".ecxr", cmd_ecxr, 0, ".ecxr - switch to the stored exception's context"},
    {".cxr", cmd_cxr, 0, ".cxr [ADDR] - switch to the CONTEXT at ADDR, or back to the thread's"},
    {NULL, NULL, 0, NULL},
};
