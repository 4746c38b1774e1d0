/*
 * Splitting a STACK CFI rule string into "register: expression" pairs (Breakpad
 * docs/symbol_files.md, "STACK CFI records"): register names end with a colon, expressions are
 * postfix token runs that never contain a token ending with a colon. Evaluating the expressions
 * is the unwinder's job.
 */
#include "sym/breakpad_internal.h"

struct dd_error *breakpad_cfi_rules_parse(const char *text, size_t len,
                                          struct breakpad_cfi_rule *rules, size_t max,
                                          size_t *ret)
{
    struct bp_fields f = {text, text + len};
    const char *tok;
    size_t tok_len, n = 0;
    struct breakpad_cfi_rule *cur = NULL;
    while (bp_token(&f, &tok, &tok_len)) {
        if (tok[tok_len - 1] == ':') {
            if (cur && cur->expr == NULL)
                return dd_error_create(DD_ERR_SYNTAX, "CFI rule for \"%.*s\" has no expression",
                                       (int)cur->reg_len, cur->reg);
            if (tok_len == 1)
                return dd_error_create(DD_ERR_SYNTAX, "CFI rule with an empty register name");
            if (n == max)
                return dd_error_create(DD_ERR_SYNTAX, "more than %zu CFI rules", max);
            cur = &rules[n++];
            cur->reg = tok;
            cur->reg_len = tok_len - 1;
            cur->expr = NULL;
            cur->expr_len = 0;
            continue;
        }
        if (!cur)
            return dd_error_create(DD_ERR_SYNTAX, "CFI expression \"%.*s\" before any register",
                                   (int)(tok_len > 64 ? 64 : tok_len), tok);
        /* The expression runs from its first token to the end of its last one. */
        if (!cur->expr)
            cur->expr = tok;
        cur->expr_len = (size_t)(tok + tok_len - cur->expr);
    }
    if (cur && cur->expr == NULL)
        return dd_error_create(DD_ERR_SYNTAX, "CFI rule for \"%.*s\" has no expression",
                               (int)cur->reg_len, cur->reg);
    *ret = n;
    return NULL;
}
