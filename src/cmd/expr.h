/* The MASM expression evaluator (WinDbg's default syntax). */
#ifndef DD_CMD_EXPR_H
#define DD_CMD_EXPR_H

#include <stdint.h>

#include "base/error.h"

struct session;

/*
 * Evaluates one expression at the start of TEXT and sets ret; sets *END (when
 * END is not NULL) to the first character not consumed. Parsing stops where
 * the next token cannot continue the expression (so "1000 L8" stops before
 * "L8", while "1 + 2" is one expression). Errors are DD_ERR_SYNTAX with the
 * offending text, or DD_ERR_MEMORY for poi() of missing memory.
 */
struct dd_error *expr_eval_prefix(struct session *s, const char *text, const char **end,
                                  uint64_t *ret);
/* Evaluates all of TEXT as one expression (trailing blanks allowed). */
struct dd_error *expr_eval(struct session *s, const char *text, uint64_t *ret);

#endif
