/*
 * Symbol commands: .sympath[+], .symfix[+], .exepath[+], .reload, ld, !sym, x, ln.
 * Layouts follow WinDbg's documentation pages of the same names and cdb transcripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "sym/sympath.h"
#include "sym/symbols.h"

static struct dd_error *need_symbols(struct session *s)
{
    if (!s->syms)
        return dd_error_create(DD_ERR_NO_MEMORY, "the symbol engine could not start");
    return NULL;
}

/* "Symbol search path is: ..." plus the expanded form, as .sympath prints after any change. */
static void print_path(struct session *s, const char *what, const char *text)
{
    if (!*text) {
        dd_printf(s->out, "%s search path is: <empty>\n", what);
        return;
    }
    dd_printf(s->out, "%s search path is: %s\n", what, text);
    struct sympath *p;
    char *expanded = NULL;
    if (!sympath_parse(text, &p)) {
        if (!sympath_format(p, SYMPATH_FORMAT_EXPANDED, &expanded))
            dd_printf(s->out, "Expanded %s search path is: %s\n", what, expanded);
        free(expanded);
        sympath_destroy(p);
    }
}

static struct dd_error *cmd_sympath(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    bool append = a->name[strlen(a->name) - 1] == '+';
    if (*a->rest) {
        err = append ? symbols_append_path(s->syms, a->rest) : symbols_set_path(s->syms, a->rest);
        if (err)
            return err;
    }
    print_path(s, "Symbol", symbols_path_text(s->syms));
    return NULL;
}

static struct dd_error *cmd_exepath(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    bool append = a->name[strlen(a->name) - 1] == '+';
    if (*a->rest) {
        err = append ? symbols_append_image_path(s->syms, a->rest)
                     : symbols_set_image_path(s->syms, a->rest);
        if (err)
            return err;
    }
    print_path(s, "Executable image", symbols_image_path_text(s->syms));
    return NULL;
}

/* .symfix [cache]: the Microsoft symbol server behind a local cache. */
static struct dd_error *cmd_symfix(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    bool append = a->name[strlen(a->name) - 1] == '+';
    char text[4096];
    snprintf(text, sizeof(text), "srv*%s%s%s", a->rest, *a->rest ? "*" : "", SYMPATH_MSDL_URL);
    if (!*a->rest)
        snprintf(text, sizeof(text), "srv*");
    err = append ? symbols_append_path(s->syms, text) : symbols_set_path(s->syms, text);
    if (err)
        return err;
    print_path(s, "Symbol", symbols_path_text(s->syms));
    return NULL;
}

/* Finds the module a .reload/ld argument names: module name or image file name. */
static long module_by_arg(const struct target *t, const char *arg)
{
    char want[256];
    snprintf(want, sizeof(want), "%s", arg);
    /* .reload /f foo.dll=base,size: only the name part matters for a dump. */
    char *eq = strchr(want, '=');
    if (eq)
        *eq = '\0';
    for (size_t i = 0; i < t->nmodules; i++) {
        const struct target_module *m = &t->modules[i];
        const char *file = dd_path_basename(m->path ? m->path : "");
        if ((m->name && dd_strcasecmp(m->name, want) == 0) || dd_strcasecmp(file, want) == 0)
            return (long)i;
    }
    return -1;
}

static struct dd_error *cmd_reload(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    bool force = false, unload = false;
    const char *rest = a->rest;
    char word[256];
    const char *target_name = NULL;
    char name_buf[256];
    while (*rest) {
        rest = cmd_next_word(rest, word, sizeof(word));
        if (word[0] == '/' || word[0] == '-') {
            for (const char *c = word + 1; *c; c++) {
                if (*c == 'f')
                    force = true;
                else if (*c == 'u')
                    unload = true;
                /* /v, /i, /n, /s, /user, /d: accepted; a dump has nothing more to refresh. */
            }
        } else {
            snprintf(name_buf, sizeof(name_buf), "%s", word);
            target_name = name_buf;
        }
    }
    const struct target *t = s->target;
    if (target_name) {
        long idx = module_by_arg(t, target_name);
        if (idx < 0)
            return dd_error_create(DD_ERR_NOT_FOUND,
                                   "\"%s\" was not found in the image list.\n"
                                   "Debugger will attempt to load \"%s\" at given base 00000000`00000000.",
                                   target_name, target_name);
        symbols_module_reload(s->syms, (size_t)idx, force && !unload);
        if (unload)
            dd_printf(s->out, "Unloaded %s\n", t->modules[idx].name);
        return NULL;
    }
    /* One dot per module, as cdb prints while reloading a dump's module list. */
    for (size_t i = 0; i < t->nmodules; i++) {
        symbols_module_reload(s->syms, i, force && !unload);
        dd_puts(s->out, ".");
    }
    dd_puts(s->out, "\n");
    return NULL;
}

static struct dd_error *cmd_ld(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    const struct target *t = s->target;
    for (size_t i = 0; i < t->nmodules; i++) {
        const struct target_module *m = &t->modules[i];
        if (*a->rest && !(m->name && dd_wildcard_match(a->rest, m->name)) &&
            module_by_arg(t, a->rest) != (long)i)
            continue;
        symbols_module_load(s->syms, i);
        enum symbols_state st = symbols_module_state(s->syms, i);
        if (st == SYMBOLS_NONE)
            dd_printf(s->out, "Symbols not found for %s\n", m->name);
        else
            dd_printf(s->out, "Symbols loaded for %s\n", m->name);
    }
    return NULL;
}

static struct dd_error *cmd_bang_sym(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    if (dd_strcasecmp(a->rest, "noisy") == 0) {
        symbols_set_noisy(s->syms, s->out);
        dd_puts(s->out, "noisy mode - symbol prompts on\n");
    } else if (dd_strcasecmp(a->rest, "quiet") == 0) {
        symbols_set_noisy(s->syms, NULL);
        dd_puts(s->out, "quiet mode - symbol prompts on\n");
    } else if (!*a->rest) {
        dd_printf(s->out, "%s mode - symbol prompts on\n",
                  symbols_noisy(s->syms) ? "noisy" : "quiet");
    } else {
        dd_puts(s->out, "!sym <noisy|quiet>\n");
    }
    return NULL;
}

struct x_ctx {
    struct session *s;
    size_t count;
};

static bool x_print(void *arg, size_t module, const char *name, uint64_t addr, uint64_t size)
{
    struct x_ctx *c = arg;
    char abuf[DD_ADDR_BUF];
    const struct target_module *m = &c->s->target->modules[module];
    dd_printf(c->s->out, "%s %s!%s\n", session_fmt_addr(c->s, abuf, addr), m->name, name);
    c->count++;
    return true;
}

/* x [mod!]pattern: the symbols whose names match, module by module. */
static struct dd_error *cmd_x(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    const char *arg = a->rest;
    /* Options (/a /n /z /v /t ...) only sort or decorate; accepted and ignored for now. */
    char word[512];
    while (*arg == '/') {
        const char *next = cmd_next_word(arg, word, sizeof(word));
        arg = next;
    }
    if (!*arg)
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    char mod[256] = "*";
    const char *pattern = arg;
    const char *bang = strchr(arg, '!');
    if (bang) {
        snprintf(mod, sizeof(mod), "%.*s", (int)(bang - arg), arg);
        pattern = bang + 1;
        if (!*pattern)
            pattern = "*";
    }
    struct x_ctx c = {s, 0};
    return symbols_iterate(s->syms, mod, pattern, x_print, &c);
}

struct ln_ctx {
    uint64_t addr;
    bool has_next;
    uint64_t next;
    char next_name[1024];
};

static bool ln_next(void *arg, size_t module, const char *name, uint64_t addr, uint64_t size)
{
    struct ln_ctx *c = arg;
    if (addr > c->addr && (!c->has_next || addr < c->next)) {
        c->has_next = true;
        c->next = addr;
        snprintf(c->next_name, sizeof(c->next_name), "%s", name);
    }
    return true;
}

/* ln ADDR: the nearest symbols around ADDR. */
static struct dd_error *cmd_ln(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    uint64_t addr;
    if (*a->rest)
        err = expr_eval(s, a->rest, &addr);
    else
        err = expr_eval(s, "@$ip", &addr);
    if (err)
        return err;
    struct symbols_hit hit;
    if (symbols_find_by_addr(s->syms, addr, &hit) || !hit.has_name)
        return NULL; /* WinDbg prints nothing when no symbol is near */
    const struct target_module *m = &s->target->modules[hit.module];
    char abuf[DD_ADDR_BUF], nbuf[DD_ADDR_BUF];
    struct ln_ctx c;
    memset(&c, 0, sizeof(c));
    c.addr = hit.addr;
    char mod_pattern[256];
    snprintf(mod_pattern, sizeof(mod_pattern), "%s", m->name);
    err = symbols_iterate(s->syms, mod_pattern, "*", ln_next, &c);
    dd_error_destroy(err);
    dd_printf(s->out, "(%s)   %s!%s", session_fmt_addr(s, abuf, hit.addr), m->name, hit.name);
    if (hit.disp)
        dd_printf(s->out, "+0x%llx", (unsigned long long)hit.disp);
    if (c.has_next)
        dd_printf(s->out, "   |  (%s)   %s!%s", session_fmt_addr(s, nbuf, c.next), m->name,
                  c.next_name);
    dd_puts(s->out, "\n");
    if (hit.disp == 0) {
        dd_puts(s->out, "Exact matches:\n");
        dd_printf(s->out, "    %s!%s\n", m->name, hit.name);
    }
    return NULL;
}

/* dbghelp's SYMOPT_* bits (dbghelp.h) as .symopt lists them. */
static const struct {
    uint32_t bit;
    const char *name;
} symopt_names[] = {
    {0x00000001, "SYMOPT_CASE_INSENSITIVE"},  {0x00000002, "SYMOPT_UNDNAME"},
    {0x00000004, "SYMOPT_DEFERRED_LOADS"},    {0x00000008, "SYMOPT_NO_CPP"},
    {0x00000010, "SYMOPT_LOAD_LINES"},        {0x00000020, "SYMOPT_OMAP_FIND_NEAREST"},
    {0x00000040, "SYMOPT_LOAD_ANYTHING"},     {0x00000080, "SYMOPT_IGNORE_CVREC"},
    {0x00000100, "SYMOPT_NO_UNQUALIFIED_LOADS"}, {0x00000200, "SYMOPT_FAIL_CRITICAL_ERRORS"},
    {0x00000400, "SYMOPT_EXACT_SYMBOLS"},     {0x00000800, "SYMOPT_ALLOW_ABSOLUTE_SYMBOLS"},
    {0x00001000, "SYMOPT_IGNORE_NT_SYMPATH"}, {0x00002000, "SYMOPT_INCLUDE_32BIT_MODULES"},
    {0x00004000, "SYMOPT_PUBLICS_ONLY"},      {0x00008000, "SYMOPT_NO_PUBLICS"},
    {0x00010000, "SYMOPT_AUTO_PUBLICS"},      {0x00020000, "SYMOPT_NO_IMAGE_SEARCH"},
    {0x00040000, "SYMOPT_SECURE"},            {0x00080000, "SYMOPT_NO_PROMPTS"},
    {0x80000000, "SYMOPT_DEBUG"},
};

/* .symopt[+|-] [FLAGS]: only SYMOPT_LOAD_ANYTHING changes what dumpdbg does. */
static struct dd_error *cmd_symopt(struct session *s, const struct cmd_args *a)
{
    struct dd_error *err = need_symbols(s);
    if (err)
        return err;
    char op = a->name[7];
    if (*a->rest) {
        uint64_t v;
        err = expr_eval(s, a->rest, &v);
        if (err)
            return err;
        if (op == '+')
            s->symopt |= (uint32_t)v;
        else if (op == '-')
            s->symopt &= ~(uint32_t)v;
        else
            s->symopt = (uint32_t)v;
        symbols_set_load_anything(s->syms, (s->symopt & 0x40) != 0);
    }
    dd_printf(s->out, "Symbol options are 0x%X:\n", s->symopt);
    for (size_t i = 0; i < sizeof(symopt_names) / sizeof(symopt_names[0]); i++)
        if (s->symopt & symopt_names[i].bit)
            dd_printf(s->out, "  0x%08x - %s\n", symopt_names[i].bit, symopt_names[i].name);
    return NULL;
}

const struct cmd_def cmd_table_symbols[] = {
    {".symopt", cmd_symopt, 0, ".symopt [FLAGS] - show or set symbol options"},
    {".symopt+", cmd_symopt, 0, ".symopt+ FLAGS - set symbol option bits (0x40: load mismatched)"},
    {".symopt-", cmd_symopt, 0, ".symopt- FLAGS - clear symbol option bits"},
    {".sympath", cmd_sympath, 0, ".sympath [PATH] - show or set the symbol path"},
    {".sympath+", cmd_sympath, 0, ".sympath+ PATH - append to the symbol path"},
    {".symfix", cmd_symfix, 0, ".symfix [CACHE] - use the Microsoft symbol server"},
    {".symfix+", cmd_symfix, 0, ".symfix+ [CACHE] - append the Microsoft symbol server"},
    {".exepath", cmd_exepath, 0, ".exepath [PATH] - show or set the image path"},
    {".exepath+", cmd_exepath, 0, ".exepath+ PATH - append to the image path"},
    {".reload", cmd_reload, 0, ".reload [/f] [/u] [MODULE] - reload symbols"},
    {"ld", cmd_ld, 0, "ld MODULE - load symbols now"},
    {"!sym", cmd_bang_sym, 0, "!sym noisy|quiet - show every symbol probe"},
    {"x", cmd_x, 0, "x [MOD!]PATTERN - list matching symbols"},
    {"ln", cmd_ln, 0, "ln [ADDR] - list nearest symbols"},
    {NULL, NULL, 0, NULL},
};
