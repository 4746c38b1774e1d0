/*
 * The status-code tables of src/analyze/error_names.h. Spot values come from the headers the
 * tables are generated from (mingw-w64's ntstatus.h, winerror.h, bugcodes.h, winnt.h) and from
 * the documentation's bug check reference; when those headers are installed
 * (/usr/share/mingw-w64/include, Debian's mingw-w64-common), every name in them must also map
 * both ways.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/error_names.h"
#include "analyze/error_tables.h"
#include "analyze/status_names.h"
#include "check.h"

#define MINGW_INCLUDE "/usr/share/mingw-w64/include"

TEST(error_names_ntstatus)
{
    CHECK_STR(ntstatus_name(0xC0000005u), "STATUS_ACCESS_VIOLATION");
    CHECK_STR(ntstatus_name(0xC0000374u), "STATUS_HEAP_CORRUPTION");
    CHECK_STR(ntstatus_name(0x80000003u), "STATUS_BREAKPOINT");
    CHECK_STR(ntstatus_name(0x40010005u), "DBG_CONTROL_C");
    CHECK_STR(ntstatus_name(0u), "STATUS_SUCCESS"); /* first of STATUS_SUCCESS, STATUS_WAIT_0 */
    CHECK(ntstatus_name(0xC0FFEE01u) == NULL);
    CHECK(ntstatus_name(0xE06D7363u) == NULL); /* a C++ exception: a text, no NTSTATUS name */
    CHECK_STR(ntstatus_text(0xC0000005u), "Access violation");
    CHECK_STR(ntstatus_text(0xE06D7363u), "C++ EH exception");
    CHECK(ntstatus_text(0xC0000034u) == NULL);
    CHECK_STR(ntstatus_message(0xC0000005u),
              "The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.");
    uint32_t v = 0;
    CHECK(ntstatus_from_name("STATUS_WAIT_0", &v) && v == 0);
    CHECK(ntstatus_from_name("STATUS_STACK_BUFFER_OVERRUN", &v) && v == 0xC0000409u);
    CHECK(!ntstatus_from_name("STATUS_NO_SUCH_THING", &v));
    CHECK(!ntstatus_from_name(NULL, &v));
    /* The existing API keeps its answers. */
    CHECK_STR(status_exception_text(0xC00000FDu), "Stack overflow");
    CHECK_STR(status_fastfail_name(3), "FAST_FAIL_CORRUPT_LIST_ENTRY");
    CHECK_STR(status_fastfail_name(0xFFFFFFFFu), "FAST_FAIL_INVALID_FAST_FAIL_CODE");
    CHECK(status_fastfail_name(15) == NULL);
    CHECK(status_fastfail_name(0x100000000ull) == NULL);
}

TEST(error_names_win32_hresult)
{
    CHECK_STR(win32_error_name(0), "ERROR_SUCCESS"); /* not NO_ERROR */
    CHECK_STR(win32_error_name(2), "ERROR_FILE_NOT_FOUND");
    CHECK_STR(win32_error_name(998), "ERROR_NOACCESS");
    CHECK_STR(win32_error_name(10054), "WSAECONNRESET");
    CHECK_STR(win32_error_name(1722), "RPC_S_SERVER_UNAVAILABLE");
    CHECK_STR(win32_error_message(2), "The system cannot find the file specified.");
    uint32_t v = 0;
    CHECK(win32_error_from_name("NO_ERROR", &v) && v == 0);
    CHECK(win32_error_from_name("WAIT_TIMEOUT", &v) && v == 258);
    CHECK_STR(hresult_name(0), "S_OK");
    CHECK_STR(hresult_name(0x80070005u), "E_ACCESSDENIED");
    CHECK_STR(hresult_name(0x80004005u), "E_FAIL");
    CHECK(hresult_from_name("E_NOT_SUFFICIENT_BUFFER", &v) && v == 0x8007007Au);
    CHECK_STR(hresult_message(0x80070002u), "The system cannot find the file specified.");
    CHECK_STR(hresult_facility_name(7), "FACILITY_WIN32");
    CHECK_STR(hresult_facility_name(4), "FACILITY_ITF");
    CHECK(hresult_facility_name(9999) == NULL);
}

TEST(error_names_nt_to_win32)
{
    bool found = false;
    /* RtlNtStatusToDosError's documented results for common statuses. */
    CHECK_EQ(ntstatus_to_win32(0xC0000005u, &found), 998);
    CHECK(found);
    CHECK_EQ(ntstatus_to_win32(0xC0000034u, NULL), 2);
    CHECK_EQ(ntstatus_to_win32(0xC0000022u, NULL), 5);
    CHECK_EQ(ntstatus_to_win32(0x00000103u, NULL), 997); /* STATUS_PENDING -> ERROR_IO_PENDING */
    CHECK_EQ(ntstatus_to_win32(0u, &found), 0);
    CHECK(found);
    CHECK_EQ(ntstatus_to_win32(0xC0070005u, &found), 5); /* NTSTATUS_FROM_WIN32(5) */
    CHECK(found);
    CHECK_EQ(ntstatus_to_win32(0xC0FFEE01u, &found), 317);
    CHECK(!found);
}

TEST(error_names_bugcheck)
{
    CHECK_STR(bugcheck_name(0x0A), "IRQL_NOT_LESS_OR_EQUAL");
    CHECK_STR(bugcheck_name(0x133), "DPC_WATCHDOG_VIOLATION");
    CHECK_STR(bugcheck_name(0x1000007Eu), "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M");
    CHECK_STR(bugcheck_name(0xC000021Au), "STATUS_SYSTEM_PROCESS_TERMINATED");
    CHECK_STR(bugcheck_name(0xFA), "HTTP_DRIVER_CORRUPTED"); /* the documentation, not bugcodes.h */
    CHECK(bugcheck_name(0x4000007Eu) == NULL); /* WINDOWS_NT_BANNER is a message, not a bug check */
    CHECK(bugcheck_info(0x12345678u) == NULL);
    const struct bugcheck_info *b = bugcheck_info(0x7E);
    CHECK(b && b->has_params && b->params[0] && b->params[3]);
    const struct bugcheck_info *m = bugcheck_info(0x1000007Eu);
    CHECK(m && m->has_params);
    for (int i = 0; b && m && i < 4; i++)
        CHECK_STR(m->params[i], b->params[i]);
    b = bugcheck_info(0x3B);
    CHECK(b && b->params[2] && b->params[3] == NULL); /* parameter 4 is zero */
    b = bugcheck_info(0x02);
    CHECK(b && !b->has_params && b->params[0] == NULL);
    /* The bug checks seen most in crash dumps all have their parameters described. */
    static const uint32_t common[] = {
        0x0A,  0x19,  0x1A,  0x1E,  0x24,        0x3B,        0x4E,       0x50,  0x7A,  0x7B,
        0x7E,  0x7F,  0x8E,  0x9F,  0xA0,        0xBE,        0xC2,       0xC4,  0xC5,  0xD1,
        0xD5,  0xEA,  0xEF,  0xF4,  0xFC,        0x101,       0x109,      0x116, 0x117, 0x124,
        0x133, 0x139, 0x13A, 0x154, 0x1000007Eu, 0x1000008Eu, 0xC000021Au};
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        const struct bugcheck_info *c = bugcheck_info(common[i]);
        if (!c || !c->has_params)
            check_fail(__FILE__, __LINE__, "bug check %#x has no parameter meanings", common[i]);
    }
}

TEST(error_names_classify)
{
    CHECK_EQ(error_source_classify(2), ERROR_SOURCE_WIN32);
    CHECK_EQ(error_source_classify(0xC0000005u), ERROR_SOURCE_NTSTATUS);
    CHECK_EQ(error_source_classify(0xD0000005u), ERROR_SOURCE_NTSTATUS);
    CHECK_EQ(error_source_classify(0x80070005u), ERROR_SOURCE_HRESULT);
    CHECK_EQ(error_source_classify(0x80000003u), ERROR_SOURCE_HRESULT);
    CHECK_STR(error_source_label(ERROR_SOURCE_HRESULT), "HRESULT");
    /* The text, else the name, else nothing. */
    CHECK_STR(error_describe(0xC0000374u, ERROR_SOURCE_NTSTATUS), "A heap has been corrupted.");
    CHECK_STR(error_describe(0xD0000374u, ERROR_SOURCE_NTSTATUS), "A heap has been corrupted.");
    CHECK_STR(error_describe(0xC0000034u, ERROR_SOURCE_NTSTATUS), "STATUS_OBJECT_NAME_NOT_FOUND");
    CHECK(error_describe(0x01234567u, ERROR_SOURCE_WIN32) == NULL);
}

/* Each table is sorted by its key, with no key twice (the lookups binary-search them); a table
 * written in parts is sorted across its parts too. Returns the rows counted. */
static size_t check_entry_parts(const struct error_table_entry_part *p, size_t n)
{
    const struct error_table_entry *prev = NULL;
    size_t rows = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < p[k].count; i++, rows++) {
            if (prev && prev->code >= p[k].rows[i].code)
                check_fail(__FILE__, __LINE__, "part %zu unsorted at %zu", k, i);
            prev = &p[k].rows[i];
        }
    return rows;
}

static size_t check_name_parts(const struct error_table_name_part *p, size_t n)
{
    const struct error_table_name *prev = NULL;
    size_t rows = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < p[k].count; i++, rows++) {
            if (prev && strcmp(prev->name, p[k].rows[i].name) >= 0)
                check_fail(__FILE__, __LINE__, "name part %zu unsorted at %s", k, p[k].rows[i].name);
            prev = &p[k].rows[i];
        }
    return rows;
}

TEST(error_names_tables_sorted)
{
    size_t ntstatus_rows = check_entry_parts(error_table_ntstatus_parts, error_table_ntstatus_parts_count);
    size_t win32_rows = check_entry_parts(error_table_win32_parts, error_table_win32_parts_count);
    struct error_table_entry_part hresult = {error_table_hresult, error_table_hresult_count};
    check_entry_parts(&hresult, 1);
    check_name_parts(error_table_ntstatus_names_parts, error_table_ntstatus_names_parts_count);
    check_name_parts(error_table_win32_names_parts, error_table_win32_names_parts_count);
    struct error_table_name_part hresult_names = {error_table_hresult_names,
                                                  error_table_hresult_names_count};
    check_name_parts(&hresult_names, 1);
    for (size_t i = 1; i < error_table_bugchecks_count; i++)
        CHECK(error_table_bugchecks[i - 1].code < error_table_bugchecks[i].code);
    for (size_t i = 1; i < error_table_nt_to_win32_count; i++)
        CHECK(error_table_nt_to_win32[i - 1].status < error_table_nt_to_win32[i].status);
    for (size_t i = 1; i < error_table_facilities_count; i++)
        CHECK(error_table_facilities[i - 1].code < error_table_facilities[i].code);
    for (size_t i = 1; i < error_table_fastfail_count; i++)
        CHECK(error_table_fastfail[i - 1].code < error_table_fastfail[i].code);
    CHECK(ntstatus_rows > 1700);
    CHECK(win32_rows > 2000);
    CHECK(error_table_bugchecks_count > 400);
}

/* --- every name of the installed headers ----------------------------------------------------- */

enum header_kind { HK_NTSTATUS, HK_WIN32, HK_HRESULT, HK_BUGCHECK, HK_FASTFAIL };

/* Reads "#define NAME VALUE" when VALUE has the form KIND's header gives its codes. */
static bool header_define(const char *line, enum header_kind kind, char *name, size_t len,
                          uint32_t *ret)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (strncmp(line, "#define", 7) != 0)
        return false;
    const char *p = line + 7;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, " \t(\r\n");
    if (n == 0 || n >= len || p[n] == '(')
        return false;
    memcpy(name, p, n);
    name[n] = '\0';
    p += n;
    while (*p == ' ' || *p == '\t')
        p++;
    static const char *const prefix[] = {"((NTSTATUS)", "__MSABI_LONG(", "_HRESULT_TYPEDEF_(",
                                         "((ULONG)", ""};
    const char *want = prefix[kind];
    if (strncmp(p, want, strlen(want)) != 0)
        return false;
    p += strlen(want);
    if (kind == HK_FASTFAIL && strncmp(name, "FAST_FAIL_", 10) != 0)
        return false;
    if (kind == HK_WIN32 && (strstr(name, "_FIRST") || strstr(name, "_LAST")))
        return false; /* COM ranges written with __MSABI_LONG(0x8004...) */
    char *end;
    unsigned long v = strtoul(p, &end, 0);
    if (end == p)
        return false;
    *ret = (uint32_t)v;
    return true;
}

static FILE *header_open(const char *file)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", MINGW_INCLUDE, file);
    return fopen(path, "r");
}

TEST(error_names_match_mingw_headers)
{
    FILE *f = header_open("ntstatus.h");
    if (!f) {
        check_skip("%s not installed (Debian mingw-w64-common)", MINGW_INCLUDE);
        return;
    }
    fclose(f);
    static const struct {
        const char *file;
        enum header_kind kind;
        size_t min;
    } headers[] = {{"ntstatus.h", HK_NTSTATUS, 1700},
                   {"winerror.h", HK_WIN32, 1800},
                   {"winerror.h", HK_HRESULT, 1300},
                   {"bugcodes.h", HK_BUGCHECK, 150},
                   {"winnt.h", HK_FASTFAIL, 10}};
    for (size_t h = 0; h < sizeof(headers) / sizeof(headers[0]); h++) {
        f = header_open(headers[h].file);
        CHECK(f != NULL);
        if (!f)
            continue;
        char line[512], name[160];
        size_t seen = 0;
        uint32_t code, got;
        while (fgets(line, sizeof(line), f)) {
            if (!header_define(line, headers[h].kind, name, sizeof(name), &code))
                continue;
            seen++;
            const char *back = NULL;
            bool ok = true;
            switch (headers[h].kind) {
            case HK_NTSTATUS:
                ok = ntstatus_from_name(name, &got) && got == code;
                back = ntstatus_name(code);
                ok = ok && back && ntstatus_from_name(back, &got) && got == code;
                break;
            case HK_WIN32:
                ok = win32_error_from_name(name, &got) && got == code;
                back = win32_error_name(code);
                ok = ok && back && win32_error_from_name(back, &got) && got == code;
                break;
            case HK_HRESULT:
                ok = hresult_from_name(name, &got) && got == code;
                back = hresult_name(code);
                ok = ok && back && hresult_from_name(back, &got) && got == code;
                break;
            case HK_BUGCHECK:
                /* bugcodes.mc also numbers the kernel's banner messages (0x4000007E...). */
                if ((code & 0xC0000000u) && code != 0x4000008Au)
                    continue;
                back = bugcheck_name(code);
                /* Two codes where ReactOS's bugcodes.mc and the documentation disagree. */
                ok = back && (strcmp(back, name) == 0 || code == 0x1D || code == 0xFA);
                break;
            case HK_FASTFAIL:
                back = fastfail_name(code);
                ok = back && strcmp(back, name) == 0;
                break;
            }
            if (!ok)
                check_fail(__FILE__, __LINE__, "%s: %s = %#x maps back to %s", headers[h].file,
                           name, code, back ? back : "(null)");
        }
        fclose(f);
        if (seen < headers[h].min)
            check_fail(__FILE__, __LINE__, "%s: only %zu names read", headers[h].file, seen);
    }
}
