/*
 * dt: display a type from a module's PDB, after the debugger reference "dt (Display Type)":
 *
 *   dt [-r[N]] [-b] [-a[N]] [-v] [-l Field.Path] [mod!]Type [Field] [Address]
 *   dt [mod!]*Pattern*            lists the matching type names ("          mod!Name")
 *
 * Without "mod!" the modules are searched in address order and the first line names where the
 * type was found ("mod!Type"), as WinDbg does. A word after the type that names one of its
 * members (wildcards allowed) is a field filter; anything else is the address, a MASM
 * expression ("@rdi", "fffff960`002f3520"). -l walks a linked list: the pointer at Field.Path of
 * each node leads to the next (minus the offset of the path's parent, so "ListEntry.Flink" goes
 * from list entry to list entry); the walk is bounded, stops at the head, at a null or unreadable
 * pointer and at a node seen before, and says why it stopped. Type streams are opened for the
 * command and closed after it (cmd_types.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "base/interrupt.h"
#include "cmd/cmd_dt.h"
#include "cmd/cmd_types.h"
#include "cmd/command.h"
#include "cmd/expr.h"

/* Nodes dt -l shows at most ("dt -l" has no documented limit; a corrupt list must end). */
#define DT_LIST_MAX 4096

struct dt_request {
    struct cmd_dt_options opt;
    char module[256]; /* "" when not given */
    char type[512];
    char words[2][512]; /* field and/or address, in the order typed */
    size_t nwords;
    char list[256]; /* -l Field.Path, "" when not given */
};

static unsigned dt_option_number(const char **o)
{
    unsigned n = 0;
    while ((*o)[1] >= '0' && (*o)[1] <= '9' && n < 100000) {
        n = n * 10 + (unsigned)((*o)[1] - '0');
        (*o)++;
    }
    return n;
}

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
        p = next;
        for (const char *o = word + 1; *o; o++) {
            if (*o == 'r') {
                r.opt.recurse = 1;
                if (o[1] >= '0' && o[1] <= '9')
                    r.opt.recurse = dt_option_number(&o);
            } else if (*o == 'a') {
                r.opt.arrays = true;
                r.opt.array_max = dt_option_number(&o);
            } else if (*o == 'b') {
                r.opt.expand = true;
            } else if (*o == 'v') {
                r.opt.verbose = true;
            } else if (*o == 'l' && !o[1]) {
                p = cmd_next_word(p, r.list, sizeof(r.list));
                if (!r.list[0])
                    return dd_error_create(DD_ERR_SYNTAX, "dt: -l needs a field name");
            } else {
                return dd_error_create(DD_ERR_SYNTAX, "dt: unsupported option -%c", *o);
            }
        }
    }
    p = cmd_next_word(p, word, sizeof(word));
    if (!word[0])
        return dd_error_create(DD_ERR_SYNTAX, "usage: dt [-r[N]] [-b] [-a[N]] [-v] [-l Field] "
                                              "[mod!]Type [Field] [Address]");
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

/* Finds member NAME of UDT INDEX (bases included); false when it has none. */
static bool dt_member_find(struct pdb_types *types, uint32_t index, const char *name, bool exact,
                           uint64_t *ret_offset, uint32_t *ret_type)
{
    struct cmd_types_member m;
    struct dd_error *err = cmd_types_member_find(types, index, name, !exact, &m);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    *ret_offset = m.offset;
    *ret_type = m.field.type;
    return true;
}

/*
 * Resolves "-l A.B.C" in UDT INDEX: ret_link is the offset of the pointer C, ret_parent the
 * offset of A.B (what the pointer points at in the next node), ret_size the pointer's size.
 */
static struct dd_error *dt_list_path(struct pdb_types *types, uint32_t index, const char *path,
                                     uint64_t *ret_link, uint64_t *ret_parent, unsigned *ret_size)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    uint32_t cur = index;
    uint64_t off = 0, parent = 0;
    uint32_t type = 0;
    char *save = NULL;
    for (char *step = strtok_r(buf, ".", &save); step; step = strtok_r(NULL, ".", &save)) {
        uint32_t under = cur;
        struct pdb_type t;
        struct dd_error *err = pdb_types_underlying(types, cur, &under);
        if (!err)
            err = pdb_types_get(types, under, &t);
        if (err)
            return err;
        uint64_t moff = 0;
        if (!pdb_leaf_is_udt(t.leaf) || !dt_member_find(types, under, step, true, &moff, &type))
            return dd_error_create(DD_ERR_NOT_FOUND, "dt: no field '%s' in -l %s", step, path);
        parent = off;
        off += moff;
        cur = type;
    }
    uint32_t under = type;
    struct pdb_type t;
    struct dd_error *err = pdb_types_underlying(types, type, &under);
    if (!err)
        err = pdb_types_get(types, under, &t);
    if (err)
        return err;
    unsigned size = 0;
    if (t.leaf == PDB_LF_POINTER)
        size = t.u.pointer.size;
    else if (under < PDB_TYPE_FIRST_INDEX && (under >> 8) != 0)
        size = pdb_primitive_size(under);
    if (size != 4 && size != 8)
        return dd_error_create(DD_ERR_SYNTAX, "dt: -l %s is not a pointer", path);
    *ret_link = off;
    *ret_parent = parent;
    *ret_size = size;
    return NULL;
}

/* A set of node addresses for the list walk's loop check (open addressing, no removal). */
struct dt_seen {
    uint64_t slots[2 * DT_LIST_MAX];
};

static bool dt_seen_add(struct dt_seen *seen, uint64_t addr)
{
    size_t n = sizeof(seen->slots) / sizeof(seen->slots[0]);
    size_t i = (size_t)((addr * 0x9e3779b97f4a7c15ULL) >> 40) % n;
    uint64_t key = addr + 1; /* 0 marks an empty slot */
    while (seen->slots[i]) {
        if (seen->slots[i] == key)
            return false;
        i = (i + 1) % n;
    }
    seen->slots[i] = key;
    return true;
}

/* dt -l: each node with a header line, following the pointer at the list path. */
static struct dd_error *dt_walk(struct session *s, struct pdb_types *types, uint32_t index,
                                struct dt_request *r, const struct cmd_dt_memory *mem,
                                uint64_t head)
{
    uint64_t link = 0, parent = 0;
    unsigned size = 0;
    struct dd_error *err = dt_list_path(types, index, r->list, &link, &parent, &size);
    if (err)
        return err;
    struct dt_seen *seen = calloc(1, sizeof(*seen));
    if (!seen)
        return &dd_error_no_memory;
    char abuf[DD_ADDR_BUF];
    uint64_t node = head;
    size_t shown = 0;
    const char *why = NULL;
    while (!dd_interrupt_pending()) {
        if (shown == DT_LIST_MAX) {
            why = "stopped after the node limit";
            break;
        }
        if (!dt_seen_add(seen, node)) {
            dd_printf(s->out, "Loop: %s was shown before\n", session_fmt_addr(s, abuf, node));
            break;
        }
        dd_printf(s->out, "%s at 0x%s\n", r->list, session_fmt_addr(s, abuf, node + link));
        dd_puts(s->out, "---------------------------------------------\n");
        if ((err = cmd_dt_format(types, index, &r->opt, mem, node, s->out)))
            break;
        dd_puts(s->out, "\n");
        shown++;
        uint8_t b[8];
        if (target_read_exact(s->target, node + link, b, size)) {
            dd_printf(s->out, "Memory read error %s\n", session_fmt_addr(s, abuf, node + link));
            break;
        }
        uint64_t next = size == 8 ? dd_le64(b) : dd_le32(b);
        if (next == 0)
            break;
        next -= parent;
        if (next == head)
            break;
        node = next;
    }
    if (why)
        dd_printf(s->out, "dt -l %s: %s (%u nodes)\n", r->list, why, (unsigned)DT_LIST_MAX);
    free(seen);
    return err;
}

/* Shows type INDEX of TYPES for request R: splits its words into field and address. */
static struct dd_error *dt_show(struct session *s, struct cmd_types *c, struct pdb_types *types,
                                uint32_t index, struct dt_request *r)
{
    bool has_addr = false;
    uint64_t addr = 0;
    for (size_t i = 0; i < r->nwords; i++) {
        uint64_t off;
        uint32_t type;
        if (!r->opt.field && dt_member_find(types, index, r->words[i], false, &off, &type)) {
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
    r->opt.symbolize = cmd_types_symbolize;
    r->opt.static_addr = cmd_types_static_addr;
    r->opt.ctx = c;
    r->opt.ptr_size = session_ptr_size(s);
    struct cmd_dt_memory mem = {dt_session_read, s->target, session_ptr_size(s)};
    if (r->list[0]) {
        if (!has_addr)
            return dd_error_create(DD_ERR_SYNTAX, "dt -l needs the address of the first node");
        return dt_walk(s, types, index, r, &mem, addr);
    }
    return cmd_dt_format(types, index, &r->opt, has_addr ? &mem : NULL, addr, s->out);
}

static struct dd_error *cmd_dt(struct session *s, const struct cmd_args *args)
{
    struct dt_request *r = calloc(1, sizeof(*r));
    if (!r)
        return &dd_error_no_memory;
    struct cmd_types c;
    memset(&c, 0, sizeof(c));
    struct dd_error *err = dt_parse(args->rest, r);
    if (err)
        goto out;
    if (!s->syms) {
        err = dd_error_create(DD_ERR_NOT_FOUND, "no symbols");
        goto out;
    }
    if ((err = cmd_types_init(&c, s)))
        goto out;
    bool listed = false, shown = false;
    struct target *t = s->target;
    for (size_t i = 0; i < t->nmodules && !shown; i++) {
        if (r->module[0] && !dd_wildcard_match(r->module, t->modules[i].name))
            continue;
        struct pdb_types *types = cmd_types_module(&c, i);
        if (!types)
            continue;
        if (dt_has_wildcard(r->type)) {
            struct dt_list_ctx lc = {s->out, t->modules[i].name};
            err = pdb_types_scan_names(types, r->type, PDB_TYPES_SCAN_DEFINITIONS, dt_list_cb, &lc);
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
                err = dt_show(s, &c, types, index, r);
                shown = true;
            }
        }
        if (err)
            goto out;
    }
    if (!shown && !listed)
        /* WinDbg's words when no loaded module knows the type. */
        dd_printf(s->out, "Symbol %s%s%s not found.\n", r->module, r->module[0] ? "!" : "",
                  r->type);
out:
    cmd_types_deinit(&c);
    free(r);
    return err;
}

const struct cmd_def cmd_table_dt[] = {
    {"dt", cmd_dt, 0,
     "dt [-r[N]] [-b] [-a[N]] [-v] [-l Field] [mod!]Type [Field] [Address] - display a type"},
    {NULL, NULL, 0, NULL},
};
