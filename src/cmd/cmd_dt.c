/*
 * dt: display a type from a module's PDB, after the debugger reference "dt (Display Type)":
 *
 *   dt [-r[N]] [-b] [-v] [mod!]Type [Field] [Address]
 *   dt [mod!]*Pattern*            lists the matching type names ("          mod!Name")
 *
 * Without "mod!" the modules are searched in address order and the first line names where the
 * type was found ("mod!Type"), as WinDbg does. A word after the type that names one of its
 * members (wildcards allowed) is a field filter; anything else is the address, a MASM
 * expression ("@rdi", "fffff960`002f3520"). The type stream is opened for the command and
 * closed after it (its header and hash stream only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_dt.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "pdb/pdb.h"

struct dt_request {
    struct cmd_dt_options opt;
    char module[256]; /* "" when not given */
    char type[512];
    char words[2][512]; /* field and/or address, in the order typed */
    size_t nwords;
};

static struct dd_error *dt_parse(const char *rest, struct dt_request *ret)
{
    struct dt_request r;
    memset(&r, 0, sizeof(r));
    char word[512];
    const char *p = rest;
    for (;;) {
        const char *next = cmd_next_word(p, word, sizeof(word));
        if (word[0] != '-')
            break;
        for (const char *o = word + 1; *o; o++) {
            if (*o == 'r') {
                r.opt.recurse = 1;
                if (o[1] >= '0' && o[1] <= '9') {
                    r.opt.recurse = (unsigned)(o[1] - '0');
                    o++;
                }
            } else if (*o == 'b') {
                r.opt.expand = true;
            } else if (*o == 'v') {
                r.opt.verbose = true;
            } else {
                return dd_error_create(DD_ERR_SYNTAX, "dt: unsupported option -%c", *o);
            }
        }
        p = next;
    }
    p = cmd_next_word(p, word, sizeof(word));
    if (!word[0])
        return dd_error_create(DD_ERR_SYNTAX, "usage: dt [-r[N]] [-b] [-v] [mod!]Type [Field] [Address]");
    const char *bang = strchr(word, '!');
    if (bang) {
        size_t n = (size_t)(bang - word);
        if (n >= sizeof(r.module))
            return dd_error_create(DD_ERR_SYNTAX, "dt: module name too long");
        memcpy(r.module, word, n);
        r.module[n] = 0;
        snprintf(r.type, sizeof(r.type), "%s", bang + 1);
    } else {
        snprintf(r.type, sizeof(r.type), "%s", word);
    }
    while (r.nwords < 2) {
        p = cmd_next_word(p, r.words[r.nwords], sizeof(r.words[0]));
        if (!r.words[r.nwords][0])
            break;
        r.nwords++;
    }
    if (*p)
        return dd_error_create(DD_ERR_SYNTAX, "dt: too many arguments at '%s'", p);
    *ret = r;
    return NULL;
}

static struct dd_error *dt_session_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    return target_read_exact(ctx, addr, buf, n);
}

/* Opens module IDX's type stream; NULL result (no error) when the module has no PDB types. */
static struct pdb_types *dt_open_types(struct session *s, size_t idx)
{
    struct pdb *pdb = symbols_module_pdb(s->syms, idx);
    if (!pdb)
        return NULL;
    struct pdb_types *types = NULL;
    struct dd_error *err = pdb_types_open(pdb_msf(pdb), PDB_TYPES_TPI, &types);
    if (err) {
        dd_error_destroy(err);
        return NULL;
    }
    return types;
}

struct dt_list_ctx {
    struct dd_writer *out;
    const char *module;
};

static struct dd_error *dt_list_cb(void *ctx, const struct pdb_type *type)
{
    struct dt_list_ctx *lc = ctx;
    dd_printf(lc->out, "          %s!%s\n", lc->module, type->name);
    return NULL;
}

static bool dt_has_wildcard(const char *s)
{
    return strpbrk(s, "*?") != NULL;
}

struct dt_field_probe {
    const char *name;
    bool found;
};

static struct dd_error *dt_probe_cb(void *ctx, const struct pdb_type_field *f)
{
    struct dt_field_probe *fp = ctx;
    if (f->leaf == PDB_LF_MEMBER && dd_wildcard_match(fp->name, f->name)) {
        fp->found = true;
        return &dd_error_stop;
    }
    return NULL;
}

/* Shows type INDEX of module IDX for request R: splits its words into field and address. */
static struct dd_error *dt_show(struct session *s, struct pdb_types *types, uint32_t index,
                                struct dt_request *r)
{
    bool has_addr = false;
    uint64_t addr = 0;
    for (size_t i = 0; i < r->nwords; i++) {
        struct dt_field_probe fp = {r->words[i], false};
        if (!r->opt.field) {
            struct dd_error *err = pdb_types_iterate_fields(types, index, dt_probe_cb, &fp);
            dd_error_destroy(err);
        }
        if (fp.found) {
            r->opt.field = r->words[i];
            continue;
        }
        if (has_addr)
            return dd_error_create(DD_ERR_SYNTAX, "dt: '%s' is not a member of %s", r->words[i],
                                   r->type);
        struct dd_error *err = expr_eval(s, r->words[i], &addr);
        if (err)
            return err;
        has_addr = true;
    }
    struct cmd_dt_memory mem = {dt_session_read, s->target, session_ptr_size(s)};
    return cmd_dt_format(types, index, &r->opt, has_addr ? &mem : NULL, addr, s->out);
}

static struct dd_error *cmd_dt(struct session *s, const struct cmd_args *args)
{
    struct dt_request *r = calloc(1, sizeof(*r));
    if (!r)
        return &dd_error_no_memory;
    struct dd_error *err = dt_parse(args->rest, r);
    if (err)
        goto out;
    if (!s->syms) {
        err = dd_error_create(DD_ERR_NOT_FOUND, "no symbols");
        goto out;
    }
    bool listed = false, shown = false;
    struct target *t = s->target;
    for (size_t i = 0; i < t->nmodules && !shown; i++) {
        if (r->module[0] && !dd_wildcard_match(r->module, t->modules[i].name))
            continue;
        struct pdb_types *types = dt_open_types(s, i);
        if (!types)
            continue;
        if (dt_has_wildcard(r->type)) {
            struct dt_list_ctx lc = {s->out, t->modules[i].name};
            err = pdb_types_scan_names(types, r->type, PDB_TYPES_SCAN_DEFINITIONS, dt_list_cb,
                                       &lc);
            listed = true;
        } else {
            uint32_t index = 0;
            err = pdb_types_find_by_name(types, r->type, 0, &index);
            if (err && err->code == DD_ERR_NOT_FOUND) {
                dd_error_destroy(err);
                err = NULL;
            } else if (!err) {
                if (!r->module[0])
                    dd_printf(s->out, "%s!%s\n", t->modules[i].name, r->type);
                err = dt_show(s, types, index, r);
                shown = true;
            }
        }
        pdb_types_destroy(types);
        if (err)
            goto out;
    }
    if (!shown && !listed)
        /* WinDbg's words when no loaded module knows the type. */
        dd_printf(s->out, "Symbol %s%s%s not found.\n", r->module, r->module[0] ? "!" : "",
                  r->type);
out:
    free(r);
    return err;
}

const struct cmd_def cmd_table_dt[] = {
    {"dt", cmd_dt, 0, "dt [-r[N]] [-b] [-v] [mod!]Type [Field] [Address] - display a type"},
    {NULL, NULL, 0, NULL},
};
