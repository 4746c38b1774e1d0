/*
 * Range parsing shared by the commands that take an address range (s; the
 * display family parses the same forms), after "Address and Address Range
 * Syntax": "START END", "START L COUNT", "START L?COUNT", "START L-COUNT".
 */
#include "cmd/cmd_range.h"

#include "cmd/cmd_format.h"
#include "cmd/expr.h"

uint64_t cmd_range_addr_mask(const struct session *s)
{
    return cmd_format_ptr_size(s) == 4 ? 0xffffffffULL : UINT64_MAX;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static struct dd_error *range_error(const char *line)
{
    return dd_error_create(DD_ERR_SYNTAX, "Range error in '%s'", line);
}

struct dd_error *cmd_range_parse(struct session *s, const char *text, const char *line,
                                 unsigned size, struct cmd_range *ret)
{
    uint64_t mask = cmd_range_addr_mask(s);
    if (size == 0)
        size = 1;
    const char *p = skip_blanks(text);
    if (!*p)
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", line);

    uint64_t addr, n = 0;
    const char *end;
    struct dd_error *err = expr_eval_prefix(s, p, &end, &addr);
    if (err)
        return err;
    addr &= mask;
    p = skip_blanks(end);
    bool has_count = false;

    if (*p == 'l' || *p == 'L') {
        const char *q = p + 1;
        bool unlimited = false, backwards = false;
        if (*q == '?') {
            unlimited = true;
            q++;
        }
        if (*q == '-') {
            backwards = true;
            q++;
        }
        err = expr_eval_prefix(s, q, &end, &n);
        if (err)
            return err;
        if (n > UINT64_MAX / size || (!unlimited && n * size > CMD_RANGE_LIMIT))
            return range_error(line);
        if (backwards) {
            if (n * size > addr)
                return range_error(line);
            addr -= n * size;
        }
        has_count = true;
        p = skip_blanks(end);
    } else if (*p) {
        /* A second address: the range's last address (inclusive). */
        uint64_t last;
        const char *q = p;
        err = expr_eval_prefix(s, q, &end, &last);
        if (err)
            return err;
        last &= mask;
        if (last < addr || last - addr >= CMD_RANGE_LIMIT)
            return range_error(line);
        n = (last - addr) / size + 1;
        has_count = true;
        p = skip_blanks(end);
    }
    /* The range may not run past the top of the address space. */
    if (n && (n - 1) * size > mask - addr)
        return range_error(line);
    ret->start = addr;
    ret->count = n;
    ret->has_count = has_count;
    ret->rest = p;
    return NULL;
}
