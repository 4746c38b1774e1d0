/*
 * NULL Data Pointer: an access violation reading or writing inside the NULL page (below
 * 0x10000): a NULL pointer, or a NULL structure pointer plus a field offset. The evidence is
 * the chain of loads that produced the NULL register, read backwards from the faulting
 * instruction as the seed does with `ub` (pattern.c: pattern_add_operand_chain), and, when the
 * NULL came in as an argument, how the caller set it.
 */
#include <stdio.h>

#include "analyze/pattern.h"
#include "base/fmt.h"
#include "cmd/session.h"

struct dd_error *pattern_null_data(struct session *s, struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    if (!v->has_exception || e->code != 0xc0000005u || !e->has_data_address ||
        (e->access != ANALYZE_ACCESS_READ && e->access != ANALYZE_ACCESS_WRITE) ||
        e->data_address >= ANALYZE_NULL_PAGE_LIMIT || e->data_address == e->address)
        return NULL;
    unsigned ps = session_ptr_size(s);
    char a[DD_ADDR_BUF], where[1200], what[64];
    if (!session_symbolize(s, e->address, where, sizeof(where)))
        snprintf(where, sizeof(where), "%s", dd_fmt_addr(a, e->address, ps));
    if (e->data_address == 0)
        snprintf(what, sizeof(what), "a NULL pointer");
    else
        snprintf(what, sizeof(what), "a NULL pointer plus 0x%llx",
                 (unsigned long long)e->data_address);
    analyze_verdict_add_pattern(v, "NULL Data Pointer", "%s %s (%s) at %s",
                                e->access == ANALYZE_ACCESS_WRITE ? "write to" : "read from",
                                dd_fmt_addr(a, e->data_address, ps), what, where);
    if (!pattern_add_operand_chain(s, v) && v->has_instruction)
        analyze_verdict_add_pattern_line(v, "  %-60s ; the fault", v->instruction_line);
    return NULL;
}
