/*
 * .process and .thread on kernel targets: the process and register context later commands use
 * (debugger reference ".process (Set Process Context)", ".thread (Set Register Context)"; the
 * output lines as kd sessions show them):
 *
 *   0: kd> .process /p /r fffffa80079e4b30
 *   Implicit process is now fffffa80`079e4b30
 *   .cache forcedecodeuser done
 *   Loading User Symbols
 *   1: kd> .thread /w fffffa8001b00660
 *   Implicit thread is now fffffa80`01b00660
 *   x86 context set
 *
 * The process context decides the page tables user addresses go through: on a dump with page
 * tables (complete, kernel, bitmap) .process ADDR switches the translation to the process's
 * DirectoryTableBase, with or without /p (the documentation: "the debugger uses this process's
 * page tables to interpret all user-mode memory addresses"; /p adds transition-PTE decoding, which a
 * dump's page tables do not need). /r then reads the process's PEB loader list and adds its
 * modules to the module list (lm, lm u) with symbols loaded as for any module. .process 0 and
 * .thread 0 go back to the defaults: the current processor's thread and its process.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/expr.h"
#include "ext/ext.h"
#include "ext/ext_kernel.h"
#include "nt/kprocess.h"
#include "nt/kthread.h"
#include "nt/wow64.h"

struct ctx_options {
    bool invasive; /* /i */
    bool p, r, w;  /* /p /r /w */
    bool all_ptes; /* /P */
    bool has_addr;
    uint64_t addr;
};

/* Parses "[/i] [/p] [/r] [/w] [/P] [ADDR]" (options may be combined, "/p/r" or "/pr"). */
static struct dd_error *parse_options(struct session *s, const char *cmd, const char *rest,
                                      const char *allowed, struct ctx_options *ret)
{
    struct ctx_options o;
    memset(&o, 0, sizeof(o));
    char word[256];
    while (*rest) {
        rest = cmd_next_word(rest, word, sizeof(word));
        if (!word[0])
            break;
        if (word[0] == '/') {
            for (const char *c = word; *c; c++) {
                if (*c == '/')
                    continue;
                if (!strchr(allowed, *c))
                    return dd_error_create(DD_ERR_SYNTAX, "Unknown option '%c' in '%s'", *c, cmd);
                o.invasive |= *c == 'i';
                o.p |= *c == 'p';
                o.r |= *c == 'r';
                o.w |= *c == 'w';
                o.all_ptes |= *c == 'P';
            }
            continue;
        }
        if (o.has_addr)
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s %s'", cmd, word);
        struct dd_error *err = expr_eval(s, word, &o.addr);
        if (err)
            return err;
        o.has_addr = true;
    }
    *ret = o;
    return NULL;
}

static const char *fmt_addr(struct ext_kernel *ek, char buf[DD_ADDR_BUF], uint64_t v)
{
    return dd_fmt_addr(buf, v, ek->k.ptr_size);
}

/* The module name WinDbg gives an image: its file name without the extension. */
static const char *module_name(struct dd_arena *a, const char *file)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", file);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = 0;
    return dd_arena_strdup(a, buf);
}

static int module_cmp(const void *a, const void *b)
{
    const struct target_module *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/*
 * Replaces the target's module list with MODS (N entries) and recreates the session's symbols
 * over it, keeping the symbol and image paths: the old symbols index the old list, so they go
 * first. The kernel's type sources (ext_state) may hold the old symbols' PDB: they go too.
 */
static void modules_replace(struct session *s, struct target_module *mods, size_t n)
{
    char *path = s->syms && symbols_path_text(s->syms) ? strdup(symbols_path_text(s->syms)) : NULL;
    char *images = s->syms && symbols_image_path_text(s->syms)
                       ? strdup(symbols_image_path_text(s->syms))
                       : NULL;
    session_ext_state_drop(s);
    symbols_destroy(s->syms);
    s->syms = NULL;
    s->target->modules = mods;
    s->target->nmodules = n;
    if (dd_error_drop(symbols_create(s->target, &s->syms)))
        s->syms = NULL;
    if (s->syms && path)
        dd_error_drop(symbols_set_path(s->syms, path));
    if (s->syms && images)
        dd_error_drop(symbols_set_image_path(s->syms, images));
    free(path);
    free(images);
}

/* The module at BASE among the first N of MODS, or NULL. */
static const struct target_module *module_at(const struct target_module *mods, size_t n,
                                             uint64_t base)
{
    for (size_t i = 0; i < n; i++)
        if (mods[i].base == base)
            return &mods[i];
    return NULL;
}

static bool module_named(const struct target_module *mods, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (mods[i].name && dd_strcasecmp(mods[i].name, name) == 0)
            return true;
    return false;
}

/*
 * Appends the user-mode modules of UL to MODS (N entries so far, room for all), printing a dot
 * each: a base already listed (a WoW64 process's main image is in both loader lists) is
 * skipped, and a name already taken gets "_BASE" after it as WinDbg names the 32-bit ntdll
 * ("ntdll_77d30000"). Then reports a walk that did not end at its head.
 */
static struct dd_error *modules_append(struct ext_kernel *ek, const struct nt_kmodule_list *ul,
                                       const char *what, struct target_module *mods, size_t *n)
{
    struct session *s = ek->s;
    struct target *t = s->target;
    size_t added = 0;
    for (size_t i = 0; i < ul->count; i++) {
        const struct nt_kmodule *u = &ul->items[i];
        if (!u->base || !u->size || u->base >= ek->k.mm_system_range_start ||
            module_at(mods, *n, u->base))
            continue;
        struct target_module *m = &mods[*n];
        memset(m, 0, sizeof(*m));
        m->base = u->base;
        m->size = u->size;
        m->timestamp = u->timestamp;
        m->checksum = u->checksum;
        const char *file = u->name[0] ? u->name : dd_path_basename(u->path);
        m->path = dd_arena_strdup(&t->arena, u->path[0] ? u->path : file);
        m->name = module_name(&t->arena, file[0] ? file : "unknown");
        if (m->name && module_named(mods, *n, m->name)) {
            char buf[160];
            snprintf(buf, sizeof(buf), "%s_%08" PRIx64, m->name, m->base);
            m->name = dd_arena_strdup(&t->arena, buf);
        }
        if (!m->path || !m->name)
            return &dd_error_no_memory;
        (*n)++;
        added++;
        dd_puts(s->out, ".");
    }
    if (added)
        dd_puts(s->out, "\n");
    if (ul->status.end != NT_LIST_END_HEAD) {
        char why[256];
        nt_list_status_format(&ul->status, ek->k.ptr_size, why, sizeof(why));
        dd_printf(s->out, "*** %s: %s\n", what, why);
    }
    return NULL;
}

/*
 * Replaces the user-mode modules of the module list (those below the kernel's range) with
 * process P's loader list, then renews the symbols. Prints WinDbg's "Loading User Symbols" and
 * a dot per module; a WoW64 process's 32-bit loader list follows under "Loading Wow64 Symbols"
 * (the words of the debugger engine's .reload).
 */
static struct dd_error *reload_user(struct ext_kernel *ek, const struct nt_process *p)
{
    struct session *s = ek->s;
    struct target *t = s->target;
    struct nt_kmodule_list ul = {0}, ul32 = {0};
    dd_puts(s->out, "Loading User Symbols\n");
    struct dd_error *err = nt_process_user_modules(&ek->k, p, &ul);
    if (err)
        return err;
    /* Not a WoW64 process, or its 32-bit list is not in the dump: the native list only. */
    bool wow64 = !dd_error_drop(nt_process_wow64_modules(&ek->k, p, &ul32));
    size_t kept = 0;
    for (size_t i = 0; i < t->nmodules; i++)
        kept += t->modules[i].base >= ek->k.mm_system_range_start;
    struct target_module *mods =
        dd_arena_calloc(&t->arena, kept + ul.count + ul32.count + 1, sizeof(*mods));
    if (!mods) {
        err = &dd_error_no_memory;
        goto out;
    }
    size_t n = 0;
    for (size_t i = 0; i < t->nmodules; i++)
        if (t->modules[i].base >= ek->k.mm_system_range_start)
            mods[n++] = t->modules[i];
    if ((err = modules_append(ek, &ul, "user module list", mods, &n)) != NULL)
        goto out;
    if (wow64) {
        dd_puts(s->out, "Loading Wow64 Symbols\n");
        if ((err = modules_append(ek, &ul32, "32-bit user module list", mods, &n)) != NULL)
            goto out;
    }
    qsort(mods, n, sizeof(*mods), module_cmp);
    modules_replace(s, mods, n);
out:
    nt_kmodule_list_free(&ul);
    nt_kmodule_list_free(&ul32);
    return err;
}

/* Makes EPROCESS the implicit process: its page tables (when the dump has them) and /r. */
static struct dd_error *process_switch(struct ext_kernel *ek, uint64_t eprocess,
                                       const struct ctx_options *o, bool quiet_dtb)
{
    struct session *s = ek->s;
    char a[DD_ADDR_BUF];
    struct nt_process p;
    struct dd_error *err = nt_process_read(&ek->k, eprocess, &p);
    if (err)
        return err;
    if (!(p.have & (NT_PROC_PID | NT_PROC_DTB | NT_PROC_IMAGE_NAME)))
        return dd_error_create(DD_ERR_MEMORY, "Unable to read nt!_EPROCESS at %s",
                               fmt_addr(ek, a, eprocess));
    s->implicit_process = eprocess;
    dd_printf(s->out, "Implicit process is now %s\n", fmt_addr(ek, a, eprocess));
    if (p.have & NT_PROC_DTB) {
        err = ext_kernel_set_dtb(s, p.dtb);
        /* Page tables that do not map the kernel always say so; a dump without page tables
         * (triage) only when the user asked for user translation. */
        if (err && (err->code == DD_ERR_OTHER || ((o->p || o->r) && !quiet_dtb)))
            dd_printf(s->out, "User addresses stay untranslated: %s\n", err->message);
        dd_error_destroy(err);
    }
    if (o->p)
        dd_puts(s->out, ".cache forcedecodeuser done\n");
    if (o->r)
        return reload_user(ek, &p);
    return NULL;
}

/* Back to the default process: the header's page tables, the kernel's modules. */
static struct dd_error *process_reset(struct ext_kernel *ek, const struct ctx_options *o)
{
    struct session *s = ek->s;
    char a[DD_ADDR_BUF];
    s->implicit_process = 0;
    if (s->process_dtb)
        dd_error_drop(ext_kernel_set_dtb(s, 0));
    uint64_t def = 0;
    struct dd_error *err = ext_kernel_current_process(ek, &def);
    if (err)
        return err;
    dd_printf(s->out, "Implicit process is now %s\n", fmt_addr(ek, a, def));
    if (o->p)
        dd_puts(s->out, ".cache noforcedecodeptes done\n");
    return NULL;
}

static struct dd_error *no_live_target(const char *cmd)
{
    /* Not WinDbg's words: /i makes a live target's OS switch processes, which a dump cannot. */
    return dd_error_create(DD_ERR_UNSUPPORTED,
                           "%s /i needs a live kernel target: a dump cannot be resumed to switch "
                           "processes; use .process /p /r ADDR instead",
                           cmd);
}

static struct dd_error *cmd_process(struct session *s, const struct cmd_args *args)
{
    struct ext_kernel ek;
    struct dd_error *err = ext_kernel_open(s, ".process", &ek);
    if (err)
        return err;
    struct ctx_options o;
    if ((err = parse_options(s, ".process", args->rest, "iprP", &o)) != NULL)
        return err;
    if (o.invasive)
        return no_live_target(".process");
    if (!o.has_addr || !o.addr)
        return process_reset(&ek, &o);
    return process_switch(&ek, o.addr, &o, false);
}

/* The x86 registers of WoW64 thread TH (its WOW64 CPU area, found through its TEB). */
static struct dd_error *wow64_regs(struct ext_kernel *ek, const struct nt_thread *th,
                                   struct regset *ret)
{
    if (!(th->have & NT_THR_TEB) || !th->teb)
        return dd_error_create(DD_ERR_NOT_FOUND, "the thread has no TEB: it is not a WoW64 thread");
    struct target_thread tt;
    memset(&tt, 0, sizeof(tt));
    tt.tid = (uint32_t)th->tid;
    tt.teb = th->teb;
    struct wow64_context c;
    struct dd_error *err = wow64_thread_context(ek->s->target, &tt, &c);
    if (err)
        return err;
    *ret = c.regs;
    return NULL;
}

static struct dd_error *cmd_thread(struct session *s, const struct cmd_args *args)
{
    struct ext_kernel ek;
    struct dd_error *err = ext_kernel_open(s, ".thread", &ek);
    if (err)
        return err;
    struct ctx_options o;
    if ((err = parse_options(s, ".thread", args->rest, "iprw", &o)) != NULL)
        return err;
    if (o.invasive)
        return no_live_target(".thread");
    char a[DD_ADDR_BUF];
    if (!o.has_addr || !o.addr) {
        /* Back to the processor's own context. */
        uint64_t def = 0;
        if ((err = ext_kernel_default_thread(&ek, &def)) != NULL)
            return err;
        s->implicit_thread = 0;
        s->ctx_source = SESSION_CTX_THREAD;
        s->cur_frame = 0;
        dd_printf(s->out, "Implicit thread is now %s\n", fmt_addr(&ek, a, def));
        return NULL;
    }
    struct nt_thread th;
    if ((err = nt_thread_read(&ek.k, o.addr, &th)) != NULL)
        return err;
    if (!(th.have & (NT_THR_CID | NT_THR_KERNEL_STACK | NT_THR_STATE)))
        return dd_error_create(DD_ERR_MEMORY, "Unable to read nt!_ETHREAD at %s",
                               fmt_addr(&ek, a, o.addr));
    /* /w reads the thread's TEB: its process's address space must be in force. */
    if (o.w && (th.have & NT_THR_PROCESS)) {
        struct nt_process p;
        if (!dd_error_drop(nt_process_read(&ek.k, th.process, &p)) && (p.have & NT_PROC_DTB) &&
            !dd_error_drop(ext_kernel_set_dtb(s, p.dtb)))
            s->implicit_process = th.process;
    }
    struct regset rs;
    err = o.w ? wow64_regs(&ek, &th, &rs) : nt_thread_context(&ek.k, &th, &rs);
    if (err)
        return dd_error_wrap(err, "Unable to get the context of thread %s",
                             fmt_addr(&ek, a, o.addr));
    s->implicit_thread = o.addr;
    s->ctx = rs;
    s->ctx_source = SESSION_CTX_OVERRIDE;
    s->cur_frame = 0;
    dd_printf(s->out, "Implicit thread is now %s\n", fmt_addr(&ek, a, o.addr));
    if (o.p && (th.have & NT_THR_PROCESS)) {
        if ((err = process_switch(&ek, th.process, &o, true)) != NULL)
            return err;
    }
    if (o.w) {
        s->effmach = rs.arch;
        dd_puts(s->out, "x86 context set\n");
    } else if (s->effmach != s->arch && rs.arch == s->arch) {
        /* The context is native: k and r need the native machine (the seed's ".thread" after
         * ".thread /w" kept kd:x86 and failed with a machine mismatch; this does not). */
        s->effmach = s->arch;
    }
    return NULL;
}

const struct cmd_def ext_table_kcontext[] = {
    {".process", cmd_process, 0,
     ".process [/p] [/r] [ADDR] - set the implicit process (kernel); 0 or none: the default"},
    {".thread", cmd_thread, 0,
     ".thread [/p] [/r] [/w] [ADDR] - set the register context to a kernel thread's"},
    {NULL, NULL, 0, NULL},
};
