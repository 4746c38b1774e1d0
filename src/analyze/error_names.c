/*
 * Lookups over the generated tables of src/analyze/error_tables.c (see gen/gen_error_tables.py
 * for where each table comes from). All tables are sorted; every lookup is a binary search.
 */
#include "analyze/error_names.h"

#include <string.h>

#include "analyze/error_tables.h"

/* winerror.h: FACILITY_WIN32, and the answer RtlNtStatusToDosError gives for an unmapped status. */
#define FACILITY_WIN32 7u
#define ERROR_MR_MID_NOT_FOUND 317u
/* winerror.h FACILITY_NT_BIT, the "customer" bit HRESULT_FROM_NT sets on an NTSTATUS. */
#define FACILITY_NT_BIT 0x10000000u

static const struct error_table_entry *entry_find(const struct error_table_entry *t, size_t n,
                                                  uint32_t code)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && t[lo].code == code ? &t[lo] : NULL;
}

static const char *pair_find(const struct error_table_pair *t, size_t n, uint32_t code)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && t[lo].code == code ? t[lo].name : NULL;
}

/* A table written in parts (error_tables.h): the part that would hold CODE, searched. */
static const struct error_table_entry *parts_entry_find(const struct error_table_entry_part *p,
                                                        size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].count && p[i].rows[p[i].count - 1].code >= code)
            return entry_find(p[i].rows, p[i].count, code);
    return NULL;
}

static bool name_find(const struct error_table_name *t, size_t n, const char *name, uint32_t *ret);

static bool parts_name_find(const struct error_table_name_part *p, size_t n, const char *name,
                            uint32_t *ret)
{
    if (!name)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i].count && strcmp(p[i].rows[p[i].count - 1].name, name) >= 0)
            return name_find(p[i].rows, p[i].count, name, ret);
    return false;
}

/* Names are sorted by their bytes (the generator sorts them as UTF-8, i.e. as strcmp does). */
static bool name_find(const struct error_table_name *t, size_t n, const char *name, uint32_t *ret)
{
    if (!name)
        return false;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(t[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && strcmp(t[lo].name, name) == 0) {
        *ret = t[lo].code;
        return true;
    }
    return false;
}

static const struct error_table_entry *ntstatus_entry(uint32_t code)
{
    return parts_entry_find(error_table_ntstatus_parts, error_table_ntstatus_parts_count, code);
}

const char *ntstatus_name(uint32_t code)
{
    const struct error_table_entry *e = ntstatus_entry(code);
    return e ? e->name : NULL;
}

const char *ntstatus_text(uint32_t code)
{
    const struct error_table_entry *e = ntstatus_entry(code);
    return e ? e->text : NULL;
}

const char *ntstatus_message(uint32_t code)
{
    const struct error_table_entry *e = ntstatus_entry(code);
    return e ? e->message : NULL;
}

bool ntstatus_from_name(const char *name, uint32_t *ret)
{
    return parts_name_find(error_table_ntstatus_names_parts, error_table_ntstatus_names_parts_count, name,
                           ret);
}

uint32_t ntstatus_to_win32(uint32_t status, bool *found)
{
    /* A Win32 error wrapped as an NTSTATUS (winerror.h __NTSTATUS_FROM_WIN32: facility
     * FACILITY_NTWIN32 = 7) gives back its low 16 bits. */
    if ((status & 0xffff0000u) == 0xc0070000u || (status & 0xffff0000u) == 0x80070000u) {
        if (found)
            *found = true;
        return status & 0xffffu;
    }
    const struct error_table_nt_win32 *t = error_table_nt_to_win32;
    size_t lo = 0, hi = error_table_nt_to_win32_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].status < status)
            lo = mid + 1;
        else
            hi = mid;
    }
    bool hit = lo < error_table_nt_to_win32_count && t[lo].status == status;
    if (found)
        *found = hit;
    return hit ? t[lo].win32 : ERROR_MR_MID_NOT_FOUND;
}

const char *win32_error_name(uint32_t code)
{
    const struct error_table_entry *e =
        parts_entry_find(error_table_win32_parts, error_table_win32_parts_count, code);
    return e ? e->name : NULL;
}

const char *win32_error_message(uint32_t code)
{
    const struct error_table_entry *e =
        parts_entry_find(error_table_win32_parts, error_table_win32_parts_count, code);
    return e ? e->message : NULL;
}

bool win32_error_from_name(const char *name, uint32_t *ret)
{
    return parts_name_find(error_table_win32_names_parts, error_table_win32_names_parts_count, name,
                           ret);
}

const char *hresult_name(uint32_t code)
{
    const struct error_table_entry *e =
        entry_find(error_table_hresult, error_table_hresult_count, code);
    return e ? e->name : NULL;
}

const char *hresult_message(uint32_t code)
{
    const struct error_table_entry *e =
        entry_find(error_table_hresult, error_table_hresult_count, code);
    if (e && e->message)
        return e->message;
    /* HRESULT_FROM_WIN32: the system message table answers with the Win32 error's text. */
    if ((code & 0xffff0000u) == (0x80000000u | FACILITY_WIN32 << 16))
        return win32_error_message(code & 0xffffu);
    return NULL;
}

bool hresult_from_name(const char *name, uint32_t *ret)
{
    return name_find(error_table_hresult_names, error_table_hresult_names_count, name, ret);
}

const char *hresult_facility_name(uint32_t facility)
{
    return pair_find(error_table_facilities, error_table_facilities_count, facility);
}

const struct bugcheck_info *bugcheck_info(uint32_t code)
{
    const struct bugcheck_info *t = error_table_bugchecks;
    size_t lo = 0, hi = error_table_bugchecks_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < error_table_bugchecks_count && t[lo].code == code ? &t[lo] : NULL;
}

const char *bugcheck_name(uint32_t code)
{
    const struct bugcheck_info *b = bugcheck_info(code);
    return b ? b->name : NULL;
}

const char *fastfail_name(uint64_t code)
{
    if (code > 0xffffffffu)
        return NULL;
    return pair_find(error_table_fastfail, error_table_fastfail_count, (uint32_t)code);
}

enum error_source error_source_classify(uint32_t value)
{
    /* The split ext.dll's status formatter makes (seen in its disassembly, published with the
     * "FormatAnyStatus" write-ups): error severity or the N bit -> ntdll's NTSTATUS table;
     * the transcripts then label a lone top bit HRESULT ("(HRESULT) 0x80072023") and the rest
     * Win32 ("(Win32) 0x2 (2)"). */
    if ((value & 0xc0000000u) == 0xc0000000u || (value & FACILITY_NT_BIT))
        return ERROR_SOURCE_NTSTATUS;
    if (value & 0x80000000u)
        return ERROR_SOURCE_HRESULT;
    return ERROR_SOURCE_WIN32;
}

const char *error_source_label(enum error_source source)
{
    switch (source) {
    case ERROR_SOURCE_NTSTATUS:
        return "NTSTATUS";
    case ERROR_SOURCE_HRESULT:
        return "HRESULT";
    case ERROR_SOURCE_WIN32:
        break;
    }
    return "Win32";
}

const char *error_describe(uint32_t value, enum error_source source)
{
    const char *text = NULL, *name = NULL;
    switch (source) {
    case ERROR_SOURCE_NTSTATUS: {
        /* HRESULT_FROM_NT: ntdll is asked for the status without the N bit. */
        uint32_t status = value & ~FACILITY_NT_BIT;
        text = ntstatus_message(status);
        name = ntstatus_name(status);
        break;
    }
    case ERROR_SOURCE_HRESULT:
        text = hresult_message(value);
        name = hresult_name(value);
        break;
    case ERROR_SOURCE_WIN32:
        text = win32_error_message(value);
        name = win32_error_name(value);
        break;
    }
    return text ? text : name;
}
