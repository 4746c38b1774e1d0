/*
 * Register and call-site tracing over x86/x64 code (see pattern_trace.h). The instructions come
 * from the disassembler as `u` prints them (MASM syntax) plus its decoded memory operand; the
 * operands are split from that text, so this file reads what a person reading `ub` reads.
 *
 * Calling conventions: x64 Windows passes the first four integer arguments in rcx, rdx, r8,
 * r9 and the fifth on at [rsp+20h] at the call; rax rcx rdx r8-r11 are volatile across a call
 * (Microsoft "x64 calling convention"). x86 passes stdcall/cdecl arguments on the stack, the
 * first at [esp] at the call, i.e. just above the return address; eax ecx edx are volatile.
 */
#include "analyze/pattern_trace.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/session.h"
#include "disasm/disasm.h"
#include "sym/symbols.h"
#include "unwind/unwind.h"

/* How far back the code is read: a function's first 4 KB before the point, or this many. */
#define TRACE_MAX_BYTES 4096u
#define TRACE_MAX_INSNS 512u
#define TRACE_WINDOW 24u
#define TRACE_MAX_DEPTH 6u

struct pinsn {
    struct disasm_insn in;
    char mnem[24];
    char ops[3][160];
    unsigned nops;
};

struct tctx {
    struct session *s;
    const struct arch_ops *arch;
    const struct regset *regs; /* values known at the point */
    struct disasm_ctx dc;
    struct pinsn *w; /* the instructions before the point, in order */
    size_t n;
    bool from_start; /* w[0] is the function's first instruction */
    char function[256];
    struct pattern_trace *out;
};

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

/* The operand text and calling conventions read here are x86/x64 ones (MASM syntax). */
static bool cpu_traced(enum dd_cpu cpu)
{
    return cpu == DD_CPU_X86 || cpu == DD_CPU_X64;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    size_t k = 0;
    while (s[k] && isspace((unsigned char)s[k]))
        k++;
    if (k)
        memmove(s, s + k, n - k + 1);
}

/* Splits the disassembly text into the mnemonic (with a lock/rep prefix) and its operands. */
static void pinsn_parse(struct pinsn *p)
{
    static const char *const prefixes[] = {"lock", "rep",   "repe",    "repne",
                                           "repz", "repnz", "notrack", "bnd"};
    const char *t = p->in.text;
    p->mnem[0] = 0;
    p->nops = 0;
    for (;;) {
        while (*t == ' ')
            t++;
        size_t len = strcspn(t, " ");
        if (!len)
            break;
        size_t have = strlen(p->mnem);
        if (have + len + 2 < sizeof(p->mnem))
            snprintf(p->mnem + have, sizeof(p->mnem) - have, "%s%.*s", have ? " " : "", (int)len,
                     t);
        bool prefix = false;
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
            prefix |= strlen(prefixes[i]) == len && strncmp(t, prefixes[i], len) == 0;
        t += len;
        if (!prefix)
            break;
    }
    /* Operands: split at commas outside brackets and parentheses. */
    int depth = 0;
    const char *start = t;
    for (const char *c = t;; c++) {
        if (*c == '[' || *c == '(')
            depth++;
        else if ((*c == ']' || *c == ')') && depth > 0)
            depth--;
        if (*c == 0 || (*c == ',' && depth == 0)) {
            if (p->nops < 3) {
                snprintf(p->ops[p->nops], sizeof(p->ops[0]), "%.*s", (int)(c - start), start);
                trim(p->ops[p->nops]);
                if (p->ops[p->nops][0])
                    p->nops++;
            }
            start = c + 1;
            if (*c == 0)
                break;
        }
    }
}

/* The general-purpose register OP names, or NULL. */
static const struct arch_reg *gpr(const struct arch_ops *arch, const char *op)
{
    if (!op || !op[0] || strchr(op, ' ') || strchr(op, '['))
        return NULL;
    const struct arch_reg *r = arch_reg_find(arch, op);
    return r && r->kind == ARCH_REG_GPR ? r : NULL;
}

static bool is_mnem(const struct pinsn *p, const char *m)
{
    return strcmp(p->mnem, m) == 0;
}

/* A MASM number: "28h", "0FFFFFFF8h", "00000001`40004150", "8". */
static bool parse_number(const char *t, uint64_t *ret)
{
    char buf[40];
    size_t n = 0;
    bool neg = false;
    while (*t == ' ')
        t++;
    if (*t == '-') {
        neg = true;
        t++;
    }
    for (; *t && n + 1 < sizeof(buf); t++) {
        if (*t == '`')
            continue;
        if (isxdigit((unsigned char)*t))
            buf[n++] = *t;
        else if ((*t == 'h' || *t == 'H') && t[1] == 0)
            break;
        else
            return false;
    }
    if (!n)
        return false;
    buf[n] = 0;
    uint64_t v = strtoull(buf, NULL, 16);
    *ret = neg ? (uint64_t)0 - v : v;
    return true;
}

static bool reg_value(const struct regset *rs, const struct arch_reg *r, uint64_t *ret)
{
    return rs && r && regset_get(rs, r, ret);
}

/*
 * The address a bracketed operand names ("[rsp+20h]", "[rax+rcx*8-10h]", or a symbolized
 * "[mod!name (00000001`40004150)]"), from the registers in RS; false when a register used is
 * unknown.
 */
static bool bracket_address(const struct arch_ops *arch, const char *op, const struct regset *rs,
                            uint64_t *ret)
{
    const char *lb = strchr(op, '['), *rb = strrchr(op, ']');
    if (!lb || !rb || rb < lb)
        return false;
    char in[160];
    snprintf(in, sizeof(in), "%.*s", (int)(rb - lb - 1), lb + 1);
    const char *paren = strrchr(in, '(');
    if (paren && strchr(paren, ')')) {
        char num[40];
        snprintf(num, sizeof(num), "%.*s", (int)(strchr(paren, ')') - paren - 1), paren + 1);
        return parse_number(num, ret);
    }
    uint64_t sum = 0;
    const char *t = in;
    while (*t) {
        bool neg = false;
        if (*t == '+' || *t == '-') {
            neg = *t == '-';
            t++;
        }
        size_t len = strcspn(t, "+-");
        char term[64];
        snprintf(term, sizeof(term), "%.*s", (int)len, t);
        t += len;
        uint64_t v;
        char *star = strchr(term, '*');
        if (star) {
            *star = 0;
            uint64_t scale;
            if (!reg_value(rs, gpr(arch, term), &v) || !parse_number(star + 1, &scale))
                return false;
            v *= scale;
        } else if (gpr(arch, term)) {
            if (!reg_value(rs, gpr(arch, term), &v))
                return false;
        } else if (!parse_number(term, &v)) {
            return false;
        }
        sum = neg ? sum - v : sum + v;
    }
    *ret = arch->ptr_size == 4 ? sum & 0xffffffffu : sum;
    return true;
}

/* Reads SIZE (1..8) bytes at ADDR as a little-endian value. */
static bool read_value(struct session *s, uint64_t addr, unsigned size, uint64_t *ret)
{
    uint8_t b[8];
    if (size == 0 || size > 8)
        return false;
    size_t got = 0;
    struct dd_error *err = target_read(s->target, addr, b, size, &got);
    dd_error_destroy(err);
    if (got != size)
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)b[i] << (8 * i);
    *ret = v;
    return true;
}

static bool is_volatile(const struct tctx *t, uint16_t slot)
{
    static const char *const x64[] = {"rax", "rcx", "rdx", "r8", "r9", "r10", "r11"};
    static const char *const x86[] = {"eax", "ecx", "edx"};
    const char *const *names = t->arch->ptr_size == 8 ? x64 : x86;
    size_t n = t->arch->ptr_size == 8 ? 7 : 3;
    for (size_t i = 0; i < n; i++) {
        const struct arch_reg *r = arch_reg_find(t->arch, names[i]);
        if (r && r->slot == slot)
            return true;
    }
    return false;
}

static bool slot_is(const struct tctx *t, uint16_t slot, const char *name)
{
    const struct arch_reg *r = arch_reg_find(t->arch, name);
    return r && r->slot == slot;
}

static bool is_stack_reg(const struct tctx *t, uint16_t slot)
{
    return slot == t->arch->sp_slot || slot == t->arch->fp_slot;
}

/* True when instruction P writes register SLOT (explicitly or as an implicit operand). */
static bool writes(const struct tctx *t, const struct pinsn *p, uint16_t slot)
{
    if (p->in.flow == DISASM_FLOW_CALL)
        return is_volatile(t, slot);
    if (p->in.flow != DISASM_FLOW_NONE)
        return false;
    static const char *const readers[] = {"cmp", "test", "push", "bt", "nop"};
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
        if (is_mnem(p, readers[i]))
            return false;
    const struct arch_reg *r0 = p->nops ? gpr(t->arch, p->ops[0]) : NULL;
    if (r0 && r0->slot == slot)
        return true;
    if (is_mnem(p, "xchg") && p->nops == 2) {
        const struct arch_reg *r1 = gpr(t->arch, p->ops[1]);
        if (r1 && r1->slot == slot)
            return true;
    }
    bool ax = slot_is(t, slot, t->arch->ptr_size == 8 ? "rax" : "eax");
    bool dx = slot_is(t, slot, t->arch->ptr_size == 8 ? "rdx" : "edx");
    if ((is_mnem(p, "cdq") || is_mnem(p, "cqo") || is_mnem(p, "cwd")) && dx)
        return true;
    if ((is_mnem(p, "mul") || is_mnem(p, "div") || is_mnem(p, "idiv") ||
         (is_mnem(p, "imul") && p->nops == 1)) &&
        (ax || dx))
        return true;
    if (strncmp(p->mnem, "rep", 3) == 0)
        return slot_is(t, slot, t->arch->ptr_size == 8 ? "rcx" : "ecx") ||
               slot_is(t, slot, t->arch->ptr_size == 8 ? "rsi" : "esi") ||
               slot_is(t, slot, t->arch->ptr_size == 8 ? "rdi" : "edi");
    return false;
}

/* True when nothing in w[from+1 .. n) writes SLOT: its value at the point is its value there. */
static bool stable_after(const struct tctx *t, size_t from, uint16_t slot)
{
    for (size_t i = from + 1; i < t->n; i++)
        if (writes(t, &t->w[i], slot))
            return false;
    return true;
}

/* The register values usable at w[i]: those known at the point that nothing after i changes. */
static void regs_at(const struct tctx *t, size_t i, struct regset *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->arch = t->arch;
    if (!t->regs)
        return;
    for (size_t k = 0; k < t->arch->nregs; k++) {
        const struct arch_reg *r = &t->arch->regs[k];
        if (r->kind != ARCH_REG_GPR || r->slot >= ARCH_MAX_REGS || !t->regs->valid[r->slot])
            continue;
        if (stable_after(t, i, r->slot))
            regset_put(ret, r->slot, t->regs->r[r->slot]);
    }
}

static void add_step(struct tctx *t, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_step(struct tctx *t, size_t i, const char *fmt, ...)
{
    struct pattern_trace *o = t->out;
    for (size_t k = 0; k < o->nsteps; k++)
        if (o->steps[k].addr == t->w[i].in.addr)
            return;
    if (o->nsteps == PATTERN_TRACE_MAX_STEPS) {
        o->steps_dropped++; /* pattern_add_trace_lines says so (docs/limits.md) */
        return;
    }
    struct pattern_trace_step *st = &o->steps[o->nsteps++];
    st->addr = t->w[i].in.addr;
    disasm_line_format(&t->dc, &t->w[i].in, st->line, sizeof(st->line));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->note, sizeof(st->note), fmt, ap);
    va_end(ap);
}

struct tval {
    bool has;
    uint64_t v;
};

static const char *fmt_value(const struct tctx *t, char buf[DD_ADDR_BUF], uint64_t v)
{
    return dd_fmt_addr(buf, v, t->arch->ptr_size);
}

/* The argument number (1-based) of x64 argument register SLOT, 0 when it is none. */
static unsigned x64_argument(const struct tctx *t, uint16_t slot)
{
    static const char *const names[] = {"rcx", "rdx", "r8", "r9"};
    if (t->arch->ptr_size != 8)
        return 0;
    for (unsigned i = 0; i < 4; i++)
        if (slot_is(t, slot, names[i]))
            return i + 1;
    return 0;
}

static void set_origin(struct tctx *t, enum pattern_origin o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_origin(struct tctx *t, enum pattern_origin o, const char *fmt, ...)
{
    /* The first (outermost-level) origin found describes the value; deeper ones are steps. */
    if (t->out->origin != PATTERN_ORIGIN_UNKNOWN)
        return;
    t->out->origin = o;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->out->origin_text, sizeof(t->out->origin_text), fmt, ap);
    va_end(ap);
}

static struct tval trace_from(struct tctx *t, size_t end, uint16_t slot, unsigned depth);

/* The store to the same stack slot as the load w[i] (operand OP), searched before i. */
static long find_store(const struct tctx *t, size_t i, const char *op)
{
    for (size_t k = i; k-- > 0;) {
        const struct pinsn *p = &t->w[k];
        if (p->in.flow == DISASM_FLOW_CALL)
            continue; /* calls do not write the caller's locals (in code this simple) */
        if (strncmp(p->mnem, "mov", 3) == 0 && p->nops == 2 && strcmp(p->ops[0], op) == 0)
            return (long)k;
    }
    return -1;
}

/* W[i] writes SLOT: what it puts there. */
static struct tval explain(struct tctx *t, size_t i, uint16_t slot, unsigned depth)
{
    const struct pinsn *p = &t->w[i];
    struct tval r = {false, 0};
    char a[DD_ADDR_BUF], b[DD_ADDR_BUF];
    const char *rname = p->nops ? p->ops[0] : "?";
    struct regset rs;
    regs_at(t, i, &rs);
    if (p->in.flow == DISASM_FLOW_CALL) {
        char sym[256] = "";
        if (p->in.has_target)
            session_symbolize(t->s, p->in.target, sym, sizeof(sym));
        if (slot_is(t, slot, t->arch->ptr_size == 8 ? "rax" : "eax")) {
            add_step(t, i, "%s = the return value", rname);
            set_origin(t, PATTERN_ORIGIN_RETURN, "the return value of %s", sym[0] ? sym : "a call");
        } else {
            add_step(t, i, "a call: volatile registers change");
            set_origin(t, PATTERN_ORIGIN_UNKNOWN, "changed by a call");
        }
        return r;
    }
    const struct arch_reg *src = p->nops == 2 ? gpr(t->arch, p->ops[1]) : NULL;
    bool zeroing = (is_mnem(p, "xor") || is_mnem(p, "sub")) && src && p->nops == 2 &&
                   gpr(t->arch, p->ops[0]) && src->slot == gpr(t->arch, p->ops[0])->slot;
    if (zeroing) {
        add_step(t, i, "%s = 0", rname);
        set_origin(t, PATTERN_ORIGIN_CONSTANT, "set to 0 by %s", p->mnem);
        r.has = true;
        return r;
    }
    uint64_t imm;
    if (strncmp(p->mnem, "mov", 3) == 0 && p->nops == 2 && !strchr(p->ops[1], '[') && !src &&
        parse_number(p->ops[1], &imm)) {
        add_step(t, i, "%s = %s", rname, fmt_value(t, a, imm));
        set_origin(t, PATTERN_ORIGIN_CONSTANT, "the constant %s", fmt_value(t, a, imm));
        r.has = true;
        r.v = imm;
        return r;
    }
    if (strncmp(p->mnem, "mov", 3) == 0 && p->nops == 2 && src) {
        add_step(t, i, "%s = %s", rname, p->ops[1]);
        return depth < TRACE_MAX_DEPTH ? trace_from(t, i, src->slot, depth + 1) : r;
    }
    if (is_mnem(p, "lea") && p->nops == 2) {
        uint64_t ea;
        if (bracket_address(t->arch, p->ops[1], &rs, &ea)) {
            add_step(t, i, "%s = %s", rname, fmt_value(t, a, ea));
            r.has = true;
            r.v = ea;
        } else {
            add_step(t, i, "%s = the address %s", rname, p->ops[1]);
        }
        set_origin(t, PATTERN_ORIGIN_ADDRESS, "the address %s", p->ops[1]);
        return r;
    }
    if (is_mnem(p, "pop")) {
        add_step(t, i, "%s = a value popped from the stack", rname);
        set_origin(t, PATTERN_ORIGIN_LOCAL, "popped from the stack");
        return r;
    }
    bool load = (strncmp(p->mnem, "mov", 3) == 0 || is_mnem(p, "cmove") || is_mnem(p, "cmovne")) &&
                p->nops == 2 && strchr(p->ops[1], '[') && p->in.mem.present;
    if (!load) {
        add_step(t, i, "%s is computed here", rname);
        set_origin(t, PATTERN_ORIGIN_COMPUTED, "computed by `%s`", p->in.text);
        return r;
    }
    /* A load: its value is in memory now when the address can be computed. */
    uint64_t ea, v;
    bool has_ea = disasm_effective_address(&p->in, &rs, &ea);
    if (has_ea && read_value(t->s, ea, p->in.mem.size, &v)) {
        add_step(t, i, "%s = [%s] = %s", rname, fmt_value(t, a, ea), fmt_value(t, b, v));
        r.has = true;
        r.v = v;
    } else if (has_ea) {
        add_step(t, i, "%s = [%s] (not in the dump)", rname, fmt_value(t, a, ea));
    } else {
        add_step(t, i, "%s = %s", rname, p->ops[1]);
    }
    const struct arch_reg *base = p->in.mem.base[0] ? arch_reg_find(t->arch, p->in.mem.base) : NULL;
    if (base && is_stack_reg(t, base->slot) && !p->in.mem.index[0]) {
        /* A local or a spilled argument: follow the store that filled the slot. */
        long k = find_store(t, i, p->ops[1]);
        if (k >= 0) {
            const struct pinsn *st = &t->w[k];
            const struct arch_reg *from = gpr(t->arch, st->ops[1]);
            if (from) {
                add_step(t, (size_t)k, "%s = %s", p->ops[1], st->ops[1]);
                if (depth < TRACE_MAX_DEPTH) {
                    struct tval inner = trace_from(t, (size_t)k, from->slot, depth + 1);
                    if (!r.has)
                        r = inner;
                }
                return r;
            }
            if (parse_number(st->ops[1], &imm)) {
                add_step(t, (size_t)k, "%s = %s", p->ops[1], fmt_value(t, a, imm));
                set_origin(t, PATTERN_ORIGIN_CONSTANT, "the constant %s stored at %s",
                           fmt_value(t, a, imm), p->ops[1]);
                if (!r.has) {
                    r.has = true;
                    r.v = imm;
                }
                return r;
            }
        }
        /* x86 frames: [ebp+8] is the first argument, [ebp+0Ch] the second ... */
        if (t->arch->ptr_size == 4 && base->slot == t->arch->fp_slot && p->in.mem.disp >= 8 &&
            p->in.mem.disp % 4 == 0) {
            unsigned n = (unsigned)(p->in.mem.disp - 8) / 4 + 1;
            t->out->argument = n;
            set_origin(t, PATTERN_ORIGIN_ARGUMENT, "argument %u of %s", n,
                       t->function[0] ? t->function : "the function");
        } else {
            set_origin(t, PATTERN_ORIGIN_LOCAL, "the stack slot %s", p->ops[1]);
        }
        return r;
    }
    /* A load through another register: the chain of dereferences goes on with that register. */
    set_origin(t, PATTERN_ORIGIN_LOAD, "loaded from %s", p->ops[1]);
    if (base && !t->out->base_reg[0])
        snprintf(t->out->base_reg, sizeof(t->out->base_reg), "%s", base->name);
    if (base && depth < TRACE_MAX_DEPTH)
        trace_from(t, i, base->slot, depth + 1);
    return r;
}

/* The value of SLOT just before w[end]: the nearest instruction before END that writes it. */
static struct tval trace_from(struct tctx *t, size_t end, uint16_t slot, unsigned depth)
{
    for (size_t i = end; i-- > 0;)
        if (writes(t, &t->w[i], slot))
            return explain(t, i, slot, depth);
    struct tval r = {false, 0};
    unsigned n = x64_argument(t, slot);
    if (n && t->from_start) {
        t->out->argument = n;
        set_origin(t, PATTERN_ORIGIN_ARGUMENT, "argument %u of %s", n,
                   t->function[0] ? t->function : "the function");
    }
    return r;
}

/* Reads the instructions from START up to AT into t->w; false unless they end exactly at AT. */
static bool read_window(struct tctx *t, uint64_t start, uint64_t at)
{
    t->n = 0;
    for (uint64_t a = start; a < at && t->n < TRACE_MAX_INSNS;) {
        struct pinsn *p = &t->w[t->n];
        memset(p, 0, sizeof(*p));
        struct dd_error *err = disasm_decode(&t->dc, a, &p->in);
        if (err) {
            dd_error_destroy(err);
            return false;
        }
        if (p->in.missing || p->in.invalid)
            return false;
        pinsn_parse(p);
        t->n++;
        a += p->in.size;
        if (a == at)
            return true;
    }
    return false;
}

static bool tctx_init(struct tctx *t, struct session *s, const struct regset *regs,
                      uint64_t function_start, uint64_t at, struct pattern_trace *out)
{
    memset(t, 0, sizeof(*t));
    t->s = s;
    t->arch = regs->arch;
    t->regs = regs;
    t->out = out;
    t->dc.cpu = t->arch->cpu;
    t->dc.target = s->target;
    t->dc.symbolize = symbolize_cb;
    t->dc.symbolize_arg = s;
    if (!cpu_traced(t->arch->cpu) || !disasm_cpu_supported(t->arch->cpu))
        return false;
    t->w = calloc(TRACE_MAX_INSNS, sizeof(*t->w));
    if (!t->w)
        return false;
    if (function_start && function_start < at && at - function_start <= TRACE_MAX_BYTES &&
        read_window(t, function_start, at)) {
        t->from_start = true;
        if (s->syms) {
            struct symbols_hit hit;
            if (!dd_error_drop(symbols_find_by_addr(s->syms, function_start, &hit)) &&
                hit.has_name) {
                const struct target_module *m = target_module_by_addr(s->target, function_start);
                snprintf(t->function, sizeof(t->function), "%.64s!%.180s", m ? m->name : "?",
                         hit.name);
            }
        }
        return true;
    }
    uint64_t start;
    if (dd_error_drop(disasm_find_back(&t->dc, at, TRACE_WINDOW, &start)) ||
        !read_window(t, start, at)) {
        free(t->w);
        t->w = NULL;
        return false;
    }
    return true;
}

/* Reverses the steps into execution order. */
static void steps_in_order(struct pattern_trace *o)
{
    for (size_t i = 0; i < o->nsteps; i++)
        for (size_t k = i + 1; k < o->nsteps; k++)
            if (o->steps[k].addr < o->steps[i].addr) {
                struct pattern_trace_step tmp = o->steps[i];
                o->steps[i] = o->steps[k];
                o->steps[k] = tmp;
            }
}

bool pattern_trace_register(struct session *s, const struct regset *regs, uint64_t function_start,
                            uint64_t at, const char *reg, struct pattern_trace *ret)
{
    struct pattern_trace out;
    memset(&out, 0, sizeof(out));
    if (!regs || !regs->arch)
        return false;
    const struct arch_reg *r = gpr(regs->arch, reg);
    struct tctx t;
    if (!r || !tctx_init(&t, s, regs, function_start, at, &out))
        return false;
    struct tval v = trace_from(&t, t.n, r->slot, 0);
    free(t.w);
    uint64_t known;
    if (reg_value(regs, r, &known)) {
        out.has_value = true; /* the register itself, when the point's registers have it */
        out.value = known;
    } else if (v.has) {
        out.has_value = true;
        out.value = v.v;
    }
    if (out.nsteps == 0 && out.origin == PATTERN_ORIGIN_UNKNOWN)
        return false;
    steps_in_order(&out);
    *ret = out;
    return true;
}

void pattern_symbol_api_name(const char *symbol, char *buf, size_t len)
{
    const char *bang = strchr(symbol, '!');
    const char *n = bang ? bang + 1 : symbol;
    static const char *const prefixes[] = {"__imp__", "__imp_", "_imp__", "_imp_"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0) {
            n += strlen(prefixes[i]);
            break;
        }
    /* x86 stdcall decoration: "_EnterCriticalSection@4". */
    size_t l = strcspn(n, "+@ ");
    if (n[0] == '_' && n[l] == '@')
        n++, l--;
    snprintf(buf, len, "%.*s", (int)l, n);
}

/* Names the function at ADDR into SYM and its API name into NAME; false outside modules. */
static bool name_function(struct session *s, uint64_t addr, char *sym, size_t slen, char *name,
                          size_t nlen)
{
    if (!session_symbolize(s, addr, sym, slen))
        return false;
    if (!strchr(sym, '!')) {
        name[0] = 0; /* "mod+0x1234": no name */
        return true;
    }
    pattern_symbol_api_name(sym, name, nlen);
    return true;
}

bool pattern_call_at_return(struct session *s, uint64_t return_address, struct pattern_call *ret)
{
    const struct arch_ops *arch = s->effmach ? s->effmach : s->arch;
    if (!arch || !cpu_traced(arch->cpu) || !disasm_cpu_supported(arch->cpu))
        return false;
    struct disasm_ctx dc = {arch->cpu, s->target, symbolize_cb, s};
    /* ff 15 disp32, e8 rel32, ff d0, ff 55 xx, ff 94 24 disp32, ff 50 xx ... */
    static const unsigned lengths[] = {6, 5, 2, 3, 7, 4};
    struct disasm_insn in;
    bool found = false;
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]) && !found; i++) {
        if (return_address < lengths[i])
            continue;
        if (dd_error_drop(disasm_decode(&dc, return_address - lengths[i], &in)))
            continue;
        found = !in.missing && !in.invalid && in.size == lengths[i] && in.flow == DISASM_FLOW_CALL;
    }
    if (!found)
        return false;
    struct pattern_call c;
    memset(&c, 0, sizeof(c));
    c.address = in.addr;
    c.next = return_address;
    disasm_line_format(&dc, &in, c.line, sizeof(c.line));
    if (in.has_target) {
        name_function(s, in.target, c.symbol, sizeof(c.symbol), c.target, sizeof(c.target));
        /* An import thunk: "jmp qword ptr [__imp_Foo]" names the real target. */
        struct disasm_insn th;
        struct regset none;
        memset(&none, 0, sizeof(none));
        none.arch = arch;
        uint64_t slot;
        if (!dd_error_drop(disasm_decode(&dc, in.target, &th)) && !th.missing &&
            th.flow == DISASM_FLOW_JUMP && !th.has_target &&
            disasm_effective_address(&th, &none, &slot)) {
            char sym[512], name[256];
            if (name_function(s, slot, sym, sizeof(sym), name, sizeof(name)) && name[0]) {
                snprintf(c.symbol, sizeof(c.symbol), "%s", sym);
                snprintf(c.target, sizeof(c.target), "%s", name);
            }
        }
    } else if (in.mem.present) {
        struct regset none;
        memset(&none, 0, sizeof(none));
        none.arch = arch;
        uint64_t slot, fn;
        if (disasm_effective_address(&in, &none, &slot)) {
            char sym[512], name[256];
            bool named = name_function(s, slot, sym, sizeof(sym), name, sizeof(name)) &&
                         strstr(sym, "imp_") != NULL;
            if (named) {
                snprintf(c.symbol, sizeof(c.symbol), "%s", sym);
                snprintf(c.target, sizeof(c.target), "%s", name);
            } else if (read_value(s, slot, arch->ptr_size, &fn) &&
                       name_function(s, fn, sym, sizeof(sym), name, sizeof(name))) {
                snprintf(c.symbol, sizeof(c.symbol), "%s", sym); /* the IAT slot's value */
                snprintf(c.target, sizeof(c.target), "%s", name);
            }
        }
    }
    if (s->syms) {
        struct symbols_hit hit;
        if (!dd_error_drop(symbols_find_by_addr(s->syms, c.address, &hit)) && hit.has_name)
            c.function_start = hit.addr;
    }
    *ret = c;
    return true;
}

bool pattern_call_argument(struct session *s, const struct pattern_call *call,
                           const struct unwind_frame *caller, uint64_t ret_slot, unsigned n,
                           uint64_t *ret, char *evidence, size_t len)
{
    const struct arch_ops *arch = s->effmach ? s->effmach : s->arch;
    if (!arch || !cpu_traced(arch->cpu))
        return false;
    char a[DD_ADDR_BUF], b[DD_ADDR_BUF];
    uint64_t v;
    if (arch->ptr_size == 4) {
        /* The arguments were pushed last to first: the first is just above the return address. */
        if (!ret_slot || !read_value(s, ret_slot + 4 + 4ull * n, 4, &v))
            return false;
        snprintf(evidence, len, "argument %u on the stack at %s = %s", n + 1,
                 dd_fmt_addr(a, ret_slot + 4 + 4ull * n, 4), dd_fmt_addr(b, v, 4));
        *ret = v;
        return true;
    }
    if (n >= 4) {
        uint64_t at = caller->sp + 8ull * n;
        if (!read_value(s, at, 8, &v))
            return false;
        snprintf(evidence, len, "argument %u on the stack at %s = %s", n + 1, dd_fmt_addr(a, at, 8),
                 dd_fmt_addr(b, v, 8));
        *ret = v;
        return true;
    }
    static const char *const regs[] = {"rcx", "rdx", "r8", "r9"};
    /* At the call only the stack pointer is certain in an outer frame. */
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = arch;
    regset_put(&rs, arch->sp_slot, caller->sp);
    struct pattern_trace tr;
    if (!pattern_trace_register(s, &rs, call->function_start, call->address, regs[n], &tr) ||
        !tr.has_value || tr.nsteps == 0)
        return false;
    const struct pattern_trace_step *last = &tr.steps[tr.nsteps - 1];
    char where[600];
    if (!session_symbolize(s, last->addr, where, sizeof(where)))
        snprintf(where, sizeof(where), "%s", dd_fmt_addr(a, last->addr, 8));
    /* The instruction text: what follows the address and byte columns of the `u` line. */
    const char *text = last->line;
    for (int col = 0; col < 2 && strchr(text, ' '); col++) {
        text = strchr(text, ' ');
        while (*text == ' ')
            text++;
    }
    snprintf(evidence, len, "%s at the call, set by `%s` at %s: %s", regs[n], text, where,
             last->note);
    *ret = tr.value;
    return true;
}
