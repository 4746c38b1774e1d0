/*
 * uf [/c] ADDR: the whole function, found by following its branches from its start (the symbol
 * or .pdata start), printed in address order as blocks labelled "mod!func+0xoff:" with source
 * line numbers in front when the symbols have lines, as WinDbg's uf does. /c lists the calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "disasm/disasm.h"
#include "pdb/pdb.h"
#include "pe/pe_image.h"
#include "pe/pe_pdata.h"
#include "sym/symbols.h"

/* Bound on the instructions of one function (a guard against runaway flow). */
#define UF_MAX_INSNS 20000

struct uf_insn {
    struct disasm_insn in;
    bool block_start;
};

struct uf_state {
    struct uf_insn *insns;
    size_t n, cap;
    uint64_t *work;
    size_t nwork, capwork;
    uint64_t lo, hi; /* the function's extent; hi == 0: unknown, follow within the module */
    uint64_t mod_lo, mod_hi;
    /* Address -> index into insns, open addressing (slot value 0 = empty, else index + 1), so
     * the flow walk asks "seen already?" in constant time however large the function is. */
    uint64_t *seen_addr;
    size_t *seen_idx;
    size_t seen_cap;
};

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

static int insn_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct uf_insn *)a)->in.addr, y = ((const struct uf_insn *)b)->in.addr;
    return x < y ? -1 : x > y;
}

static bool push_work(struct uf_state *u, uint64_t addr)
{
    if (u->hi ? (addr < u->lo || addr >= u->hi) : (addr < u->mod_lo || addr >= u->mod_hi))
        return true; /* a tail jump out of the function is not followed */
    if (u->nwork == u->capwork) {
        size_t cap = u->capwork ? u->capwork * 2 : 64;
        uint64_t *w = realloc(u->work, cap * sizeof(*w));
        if (!w)
            return false;
        u->work = w;
        u->capwork = cap;
    }
    u->work[u->nwork++] = addr;
    return true;
}

static size_t seen_slot(const struct uf_state *u, uint64_t addr)
{
    size_t i = (size_t)((addr * 0x9e3779b97f4a7c15ULL) >> 20) & (u->seen_cap - 1);
    while (u->seen_idx[i] && u->seen_addr[i] != addr)
        i = (i + 1) & (u->seen_cap - 1);
    return i;
}

/* Index of the decoded instruction at ADDR, or -1. */
static long find_insn(const struct uf_state *u, uint64_t addr)
{
    if (!u->seen_cap)
        return -1;
    size_t i = seen_slot(u, addr);
    return u->seen_idx[i] ? (long)(u->seen_idx[i] - 1) : -1;
}

/* Records that insns[IDX] is at ADDR, growing the table to stay at most half full. */
static bool remember_insn(struct uf_state *u, uint64_t addr, size_t idx)
{
    if (2 * (idx + 1) > u->seen_cap) {
        size_t cap = u->seen_cap ? u->seen_cap * 2 : 512;
        uint64_t *oa = u->seen_addr;
        size_t *oi = u->seen_idx, ocap = u->seen_cap;
        u->seen_addr = calloc(cap, sizeof(*u->seen_addr));
        u->seen_idx = calloc(cap, sizeof(*u->seen_idx));
        if (!u->seen_addr || !u->seen_idx) {
            free(u->seen_addr);
            free(u->seen_idx);
            u->seen_addr = oa;
            u->seen_idx = oi;
            return false;
        }
        u->seen_cap = cap;
        for (size_t k = 0; k < ocap; k++)
            if (oi[k]) {
                size_t j = seen_slot(u, oa[k]);
                u->seen_addr[j] = oa[k];
                u->seen_idx[j] = oi[k];
            }
        free(oa);
        free(oi);
    }
    size_t j = seen_slot(u, addr);
    u->seen_addr[j] = addr;
    u->seen_idx[j] = idx + 1;
    return true;
}

static struct dd_error *flow(struct uf_state *u, const struct disasm_ctx *c, uint64_t start)
{
    if (!push_work(u, start))
        return &dd_error_no_memory;
    while (u->nwork) {
        uint64_t a = u->work[--u->nwork];
        bool first = true;
        for (;;) {
            long seen = find_insn(u, a);
            if (seen >= 0) {
                if (first)
                    u->insns[seen].block_start = true;
                break;
            }
            if (u->n >= UF_MAX_INSNS)
                return dd_error_create(DD_ERR_OTHER, "Flow analysis stopped after %d instructions",
                                       UF_MAX_INSNS);
            if (u->n == u->cap) {
                size_t cap = u->cap ? u->cap * 2 : 256;
                struct uf_insn *p = realloc(u->insns, cap * sizeof(*p));
                if (!p)
                    return &dd_error_no_memory;
                u->insns = p;
                u->cap = cap;
            }
            struct uf_insn *ui = &u->insns[u->n++];
            memset(ui, 0, sizeof(*ui));
            struct dd_error *err = disasm_decode(c, a, &ui->in);
            if (err)
                return err;
            if (!remember_insn(u, a, u->n - 1))
                return &dd_error_no_memory;
            ui->block_start = first;
            first = false;
            if (ui->in.missing || ui->in.invalid || ui->in.flow == DISASM_FLOW_RET)
                break;
            if ((ui->in.flow == DISASM_FLOW_JUMP || ui->in.flow == DISASM_FLOW_COND) &&
                ui->in.has_target && !push_work(u, ui->in.target))
                return &dd_error_no_memory;
            if (ui->in.flow == DISASM_FLOW_JUMP)
                break;
            uint64_t next = a + ui->in.size;
            if (next <= a || (u->hi && next >= u->hi))
                break;
            a = next;
            /* After a conditional branch the fall-through starts a new block. */
            if (ui->in.flow == DISASM_FLOW_COND)
                first = true;
        }
    }
    return NULL;
}

/* The function around ADDR: its start and, when the symbols or .pdata say, its end. */
static void function_extent(struct session *s, uint64_t addr, uint64_t *start, uint64_t *end)
{
    *start = addr;
    *end = 0;
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m || !s->syms)
        return;
    size_t idx = (size_t)(m - s->target->modules);
    uint32_t rva = (uint32_t)(addr - m->base);
    struct pdb *pdb = symbols_module_pdb(s->syms, idx);
    struct pdb_proc proc;
    if (pdb) {
        struct dd_error *err = pdb_find_proc(pdb, rva, &proc);
        if (!err) {
            *start = m->base + proc.rva;
            *end = *start + proc.length;
            return;
        }
        dd_error_destroy(err);
    }
    struct pe_image *img = symbols_module_image(s->syms, idx);
    struct pe_pdata_entry e;
    if (img) {
        struct dd_error *err = pe_pdata_lookup(img, rva, &e);
        if (!err && e.end > e.begin) {
            *start = m->base + e.begin;
            *end = m->base + e.end;
            return;
        }
        dd_error_destroy(err);
    }
    struct symbols_hit hit;
    if (!symbols_find_by_addr(s->syms, addr, &hit) && hit.has_name)
        *start = hit.addr;
}

/* " [file @ line]" for ADDR, or "" without line information. */
static bool line_of(struct session *s, uint64_t addr, struct symbols_line *ret)
{
    return s->syms && symbols_find_line(s->syms, addr, ret) == NULL && ret->file[0];
}

static void print_label(struct session *s, uint64_t addr, bool with_addr)
{
    char sym[1024], abuf[DD_ADDR_BUF];
    if (!session_symbolize(s, addr, sym, sizeof(sym)))
        snprintf(sym, sizeof(sym), "%s", session_fmt_addr(s, abuf, addr));
    dd_puts(s->out, sym);
    if (with_addr)
        dd_printf(s->out, " (%s)", session_fmt_addr(s, abuf, addr));
    struct symbols_line line;
    if (line_of(s, addr, &line))
        dd_printf(s->out, " [%s @ %u]", line.file, line.line);
}

static struct dd_error *cmd_uf(struct session *s, const struct cmd_args *a)
{
    if (!s->effmach || !disasm_cpu_supported(s->effmach->cpu))
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "disassembly of this processor is not supported yet");
    const char *p = a->rest;
    bool calls_only = false;
    while (*p == '/') {
        char opt[32];
        p = cmd_next_word(p, opt, sizeof(opt));
        if (dd_strcasecmp(opt, "/c") == 0)
            calls_only = true;
        /* /o (sort by address: always so), /i, /m: accepted. */
    }
    if (!*p)
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    uint64_t addr;
    struct dd_error *err = expr_eval(s, p, &addr);
    if (err)
        return err;
    struct disasm_ctx c = {s->effmach->cpu, s->target, symbolize_cb, s};
    struct uf_state u;
    memset(&u, 0, sizeof(u));
    uint64_t start;
    function_extent(s, addr, &start, &u.hi);
    u.lo = start;
    const struct target_module *m = target_module_by_addr(s->target, start);
    u.mod_lo = m ? m->base : start;
    u.mod_hi = m ? m->base + m->size : start + 0x10000;
    err = flow(&u, &c, start);
    if (err) {
        free(u.insns);
        free(u.work);
        free(u.seen_addr);
        free(u.seen_idx);
        return err;
    }
    qsort(u.insns, u.n, sizeof(*u.insns), insn_cmp);
    /* A branch target is a block start wherever flow first reached it. */
    for (size_t i = 0; i < u.n; i++)
        if (u.insns[i].in.has_target && u.insns[i].in.flow != DISASM_FLOW_CALL) {
            struct uf_insn key = {.in = {.addr = u.insns[i].in.target}};
            struct uf_insn *t = bsearch(&key, u.insns, u.n, sizeof(*u.insns), insn_cmp);
            if (t)
                t->block_start = true;
        }
    bool have_lines = false;
    struct symbols_line line;
    if (u.n)
        have_lines = line_of(s, u.insns[0].in.addr, &line);
    char text[512];
    if (calls_only) {
        print_label(s, start, true);
        dd_puts(s->out, "\n");
        for (size_t i = 0; i < u.n; i++) {
            const struct disasm_insn *in = &u.insns[i].in;
            if (in->flow != DISASM_FLOW_CALL)
                continue;
            dd_puts(s->out, "  ");
            print_label(s, in->addr, true);
            dd_puts(s->out, ":\n");
            /* The call's operand: the text after the mnemonic and its padding (x86 pads the
             * mnemonic to 8 columns, ARM64 to 12). */
            const char *operand = in->text + strcspn(in->text, " ");
            operand += strspn(operand, " ");
            if (!*operand)
                operand = in->text;
            dd_printf(s->out, "    calls to %s\n", operand);
        }
    } else {
        for (size_t i = 0; i < u.n; i++) {
            const struct uf_insn *ui = &u.insns[i];
            bool contiguous = i > 0 && u.insns[i - 1].in.addr + u.insns[i - 1].in.size == ui->in.addr;
            if (i == 0 || ui->block_start || !contiguous) {
                if (i > 0)
                    dd_puts(s->out, "\n");
                print_label(s, ui->in.addr, false);
                dd_puts(s->out, ":\n");
            }
            if (have_lines) {
                if (line_of(s, ui->in.addr, &line))
                    dd_printf(s->out, "%5u ", line.line);
                else
                    dd_puts(s->out, "      ");
            }
            dd_printf(s->out, "%s\n", disasm_line_format(&c, &ui->in, text, sizeof(text)));
        }
    }
    free(u.insns);
    free(u.work);
    free(u.seen_addr);
    free(u.seen_idx);
    return NULL;
}

const struct cmd_def cmd_table_uf[] = {
    {"uf", cmd_uf, 0, "uf [/c] ADDR - disassemble the whole function (/c: its calls)"},
    {NULL, NULL, 0, NULL},
};
