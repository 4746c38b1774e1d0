/*
 * Unwinding by Breakpad STACK CFI rules (docs/symbol_files.md, "STACK CFI records"): the INIT
 * row gives a rule per register, each delta row up to the address replaces the rules it names.
 * ".cfa" (the caller's esp) is evaluated over the callee's registers, then ".ra" (the return
 * address) and every register rule with ".cfa" known; each is a postfix expression leaving one
 * value. As in Breakpad's CFIFrameInfo::FindCallerRegs and the x86 register map of
 * stackwalker_x86.cc: a register rule that fails is skipped, ebp/ebx/esi/edi keep the callee's
 * value when no rule names them, and eip, esp and ebp must all be known afterwards.
 */
#include <string.h>

#include "unwind/postfix.h"
#include "unwind/x86/x86_internal.h"

#define MAX_RULES 32

struct rule {
    const char *reg, *expr;
    size_t reg_len, expr_len;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Adds the "reg: expr ..." pairs of TEXT to RULES, a later rule replacing one of the same name.
 * X86_REFUSED when they name more than MAX_RULES registers, X86_FAIL when malformed. */
static enum x86_status rules_add(struct rule *rules, size_t *n, const char *text, size_t len)
{
    struct rule *cur = NULL;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_space(text[i]))
            i++;
        size_t start = i;
        while (i < len && !is_space(text[i]))
            i++;
        if (i == start)
            break;
        const char *tok = text + start;
        size_t tlen = i - start;
        if (tok[tlen - 1] == ':') { /* a register name ends with a colon */
            if ((cur && !cur->expr) || tlen == 1)
                return X86_FAIL;
            size_t k = 0;
            while (k < *n &&
                   !(rules[k].reg_len == tlen - 1 && !memcmp(rules[k].reg, tok, tlen - 1)))
                k++;
            if (k == *n) {
                if (*n == MAX_RULES)
                    return X86_REFUSED;
                (*n)++;
            }
            cur = &rules[k];
            cur->reg = tok;
            cur->reg_len = tlen - 1;
            cur->expr = NULL;
            cur->expr_len = 0;
            continue;
        }
        if (!cur)
            return X86_FAIL;
        if (!cur->expr)
            cur->expr = tok;
        cur->expr_len = (size_t)(tok + tlen - cur->expr);
    }
    return !cur || cur->expr ? X86_OK : X86_FAIL;
}

static const struct rule *rule_find(const struct rule *rules, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (rules[i].reg_len == len && !memcmp(rules[i].reg, name, len))
            return &rules[i];
    return NULL;
}

/* Evaluates EXPR over the callee's registers (and .cfa when HAS_CFA): a fresh machine each time,
 * so one rule's temporaries never leak into another. */
static struct dd_error *eval(const struct unwind_env *env, const struct unwind_regs *regs,
                             bool has_cfa, uint32_t cfa, const struct rule *r,
                             struct postfix_value *ret)
{
    struct postfix_machine m;
    postfix_init(&m, 4, env->read_memory, env->ctx);
    struct dd_error *err = x86_postfix_define_regs(&m, regs, true);
    if (!err && has_cfa)
        err = postfix_define(&m, ".cfa", cfa);
    if (!err)
        err = postfix_eval(&m, r->expr, r->expr_len, ret);
    return err;
}

/* The x86 slot a CFI register name stands for ("$ebx" or "ebx"); -1 when none. */
static int reg_slot(const struct rule *r)
{
    static const char *const names[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    const char *s = r->reg;
    size_t len = r->reg_len;
    if (len > 0 && s[0] == '$') {
        s++;
        len--;
    }
    for (int i = 0; i < 8; i++) /* enum x86_slot numbers eax..edi 0..7 in this order */
        if (len == 3 && !memcmp(s, names[i], 3))
            return i;
    return -1;
}

enum x86_status x86_unwind_cfi(const struct unwind_env *env, const struct unwind_frame *callee,
                               const struct unwind_x86_frame_info *info,
                               struct unwind_frame *ret_caller, uint64_t *ret_fault)
{
    struct rule rules[MAX_RULES];
    size_t n = 0;
    /* More rows than the info holds: the function's CFI is refused, not cut (docs/limits.md). */
    if (info->cfi_nrows > UNWIND_X86_MAX_CFI_ROWS)
        return X86_REFUSED;
    for (size_t i = 0; i < info->cfi_nrows; i++) {
        if (!info->cfi_rows[i].text)
            return X86_FAIL;
        enum x86_status st = rules_add(rules, &n, info->cfi_rows[i].text, info->cfi_rows[i].len);
        if (st != X86_OK)
            return st;
    }
    const struct rule *rcfa = rule_find(rules, n, ".cfa"), *rra = rule_find(rules, n, ".ra");
    if (!rcfa || !rra)
        return X86_FAIL;

    const struct unwind_regs *cr = &callee->regs;
    struct postfix_value cfa, ra;
    struct dd_error *err = eval(env, cr, false, 0, rcfa, &cfa);
    if (!err)
        err = eval(env, cr, true, (uint32_t)cfa.value, rra, &ra);
    if (err) {
        if (err->code == DD_ERR_MEMORY)
            *ret_fault = err->address;
        enum x86_status st = err->code == DD_ERR_UNSUPPORTED ? X86_REFUSED : X86_FAIL;
        dd_error_destroy(err);
        return st;
    }

    struct unwind_frame f;
    x86_caller_init(callee, &f);
    f.found_by = UNWIND_FOUND_FRAME_DATA;
    x86_caller_set_ra(&f, (uint32_t)ra.value, ra.from_memory, (uint32_t)ra.addr,
                      (uint32_t)cfa.value);
    for (size_t i = 0; i < n; i++) {
        int slot = reg_slot(&rules[i]);
        if (slot < 0 || slot == X86_ESP)
            continue; /* .cfa, .ra and registers this unwinder does not track */
        struct postfix_value v;
        err = eval(env, cr, true, (uint32_t)cfa.value, &rules[i], &v);
        if (err && err->code == DD_ERR_UNSUPPORTED) {
            dd_error_destroy(err);
            return X86_REFUSED; /* a rule past a postfix limit: the CFI is unusable */
        }
        if (err) {
            dd_error_destroy(err);
            unwind_regs_forget(&f.regs, (unsigned)slot);
            continue;
        }
        if (v.from_memory)
            unwind_regs_set_saved(&f.regs, (unsigned)slot, (uint32_t)v.value, v.addr);
        else
            unwind_regs_set(&f.regs, (unsigned)slot, (uint32_t)v.value);
    }
    if (!unwind_regs_has(&f.regs, X86_EBP))
        return X86_FAIL;
    *ret_caller = f;
    return X86_OK;
}
