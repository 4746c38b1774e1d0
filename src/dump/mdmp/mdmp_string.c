/* MINIDUMP_STRING and fixed-size text fields, warnings, path helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "dump/mdmp/mdmp_internal.h"

/* Longest string decoded, in UTF-16 code units (Windows paths stop at 32767). */
#define MDMP_STRING_MAX_UNITS 32768u

/*
 * The budget keeps a hostile file (many entries naming one huge string) from
 * costing more memory than a small multiple of its own size.
 */
bool mdmp_budget_take(struct target *t, uint64_t n)
{
    struct mdmp_file *f = mdmp_impl(t);
    if (f->string_bytes + n > f->string_budget) {
        if (f->string_bytes <= f->string_budget)
            mdmp_warn(t, "string budget (0x%llx bytes) spent: further names are unavailable",
                      (unsigned long long)f->string_budget);
        f->string_bytes = f->string_budget + 1;
        return false;
    }
    f->string_bytes += n;
    return true;
}

const char *mdmp_utf16_dup(struct target *t, const uint8_t *p, size_t n)
{
    size_t len = 0;
    while (len < n && (p[2 * len] | p[2 * len + 1]) != 0)
        len++;
    char *tmp = dd_utf16_to_utf8(p, len);
    if (!tmp)
        return NULL;
    const char *s = dd_arena_strdup(&t->arena, tmp);
    free(tmp);
    return s;
}

const char *mdmp_text_dup(struct target *t, const uint8_t *p, size_t n)
{
    size_t len = 0;
    while (len < n && p[len] != 0)
        len++;
    return dd_arena_strndup(&t->arena, (const char *)p, len);
}

struct dd_error *mdmp_string_utf16_at(struct target *t, uint64_t rva, const char **ret)
{
    *ret = NULL;
    if (rva == 0)
        return NULL;
    const uint8_t *hdr = mdmp_file_range(t, rva, 4);
    if (!hdr)
        return NULL;
    uint32_t bytes = dd_le32(hdr);
    const uint8_t *text = mdmp_file_range(t, rva + 4, bytes);
    if (!text)
        return NULL;
    size_t units = bytes / 2;
    if (units > MDMP_STRING_MAX_UNITS) {
        mdmp_warn(t, "string at rva 0x%llx: %zu UTF-16 units cut to the first %u",
                  (unsigned long long)rva, units, MDMP_STRING_MAX_UNITS);
        units = MDMP_STRING_MAX_UNITS;
    }
    if (!mdmp_budget_take(t, (uint64_t)units * 3 + 1))
        return NULL;
    const char *s = mdmp_utf16_dup(t, text, units);
    if (!s)
        return &dd_error_no_memory;
    *ret = s;
    return NULL;
}

void mdmp_warn(struct target *t, const char *fmt, ...)
{
    struct mdmp_file *f = mdmp_impl(t);
    if (f->nwarnings >= MDMP_MAX_WARNINGS) {
        f->warnings_dropped++;
        return;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    const char *s = dd_arena_strdup(&t->arena, buf);
    if (!s) {
        f->warnings_dropped++;
        return;
    }
    f->warnings[f->nwarnings++] = s;
}

