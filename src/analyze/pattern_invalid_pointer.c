/*
 * Invalid Pointer: an access violation at an address outside the NULL page (NULL pointers are
 * pattern_null_data.c and pattern_null_code.c). The address is classified the way an analyst
 * reads it: non-canonical (x64), in kernel space, or carrying a fill value of the C runtime or
 * the heap (MSVC debug CRT "Magic numbers": 0xCDCDCDCD uninitialized heap, 0xDDDDDDDD freed,
 * 0xFDFDFDFD no-man's land, 0xCCCCCCCC uninitialized stack; HeapFree's 0xFEEEFEEE; LocalAlloc's
 * 0xBAADF00D; 0xABABABAB heap guard bytes) or ASCII text used as a pointer. The register chain
 * behind the operand is traced as for NULL pointers.
 */
#include <ctype.h>
#include <stdio.h>

#include "analyze/pattern.h"
#include "base/fmt.h"
#include "cmd/session.h"

static const struct {
    uint32_t value;
    const char *meaning;
} fills[] = {
    {0xcdcdcdcdu, "0xCDCDCDCD: uninitialized heap memory (MSVC debug heap)"},
    {0xddddddddu, "0xDDDDDDDD: freed heap memory (MSVC debug heap)"},
    {0xfdfdfdfdu, "0xFDFDFDFD: guard bytes around a debug heap block"},
    {0xccccccccu, "0xCCCCCCCC: uninitialized stack memory (MSVC /RTC)"},
    {0xfeeefeeeu, "0xFEEEFEEE: memory freed by HeapFree"},
    {0xbaadf00du, "0xBAADF00D: uninitialized LocalAlloc memory"},
    {0xababababu, "0xABABABAB: guard bytes after a heap block"},
};

/* What ADDR looks like, into BUF. */
static const char *classify(struct session *s, uint64_t addr, unsigned ps, char *buf, size_t len)
{
    uint64_t top = addr >> 47;
    if (ps == 8 && top != 0 && top != 0x1ffff) {
        snprintf(buf, len, "a non-canonical address");
        return buf;
    }
    uint32_t low = (uint32_t)addr;
    for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++)
        if ((ps == 4 || addr >> 32 == 0 || addr >> 32 == 0xffffffffu) &&
            low - fills[i].value < 0x1000u) {
            if (low == fills[i].value)
                snprintf(buf, len, "a fill value: %s", fills[i].meaning);
            else
                snprintf(buf, len, "a fill value plus 0x%x: %s", low - fills[i].value,
                         fills[i].meaning);
            return buf;
        }
    bool ascii = true;
    for (int i = 0; i < 4; i++) {
        unsigned c = (low >> (8 * i)) & 0xff;
        ascii &= isalnum((int)c) || c == ' ';
    }
    if (ascii && (ps == 4 || addr >> 32 == 0)) {
        snprintf(buf, len, "ASCII text \"%c%c%c%c\" used as a pointer", (int)(low & 0xff),
                 (int)((low >> 8) & 0xff), (int)((low >> 16) & 0xff), (int)(low >> 24));
        return buf;
    }
    if ((ps == 8 && addr >= 0xffff800000000000ull) ||
        (ps == 4 && addr >= 0x80000000u && !s->target->sys.is_wine)) {
        snprintf(buf, len, "a kernel-mode address");
        return buf;
    }
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (m) {
        snprintf(buf, len, "inside %s (a write to read-only or a read of no-access memory)",
                 m->name);
        return buf;
    }
    snprintf(buf, len, "an address outside every module");
    return buf;
}

struct dd_error *pattern_invalid_pointer(struct session *s, struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    if (!v->has_exception || e->code != 0xc0000005u || !e->has_data_address ||
        e->data_address < ANALYZE_NULL_PAGE_LIMIT)
        return NULL;
    unsigned ps = session_ptr_size(s);
    char a[DD_ADDR_BUF], where[1200], what[256];
    if (!session_symbolize(s, e->address, where, sizeof(where)))
        snprintf(where, sizeof(where), "%s", dd_fmt_addr(a, e->address, ps));
    classify(s, e->data_address, ps, what, sizeof(what));
    const char *verb = e->access == ANALYZE_ACCESS_WRITE     ? "write to"
                       : e->access == ANALYZE_ACCESS_EXECUTE ? "execution at"
                                                             : "read from";
    if (e->access == ANALYZE_ACCESS_EXECUTE || e->data_address == e->address)
        verb = "execution at";
    analyze_verdict_add_pattern(v, "Invalid Pointer", "%s %s (%s) at %s", verb,
                                dd_fmt_addr(a, e->data_address, ps), what, where);
    if (e->data_address_recovered)
        analyze_verdict_add_pattern_line(v, "the record said ffffffffffffffff (a general "
                                            "protection fault); the address was recomputed from "
                                            "the instruction");
    if (!pattern_add_operand_chain(s, v) && v->has_instruction)
        analyze_verdict_add_pattern_line(v, "  %-60s ; the fault", v->instruction_line);
    return NULL;
}
