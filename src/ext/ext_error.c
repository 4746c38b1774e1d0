/*
 * !error VALUE [FLAGS]: decodes an error value, after the debugger reference page "!error"
 * ("!error 2" -> "Error code: (Win32) 0x2 (2) - The system cannot find the file specified.",
 * "!error 2 1" -> "Error code: (NTSTATUS) 0x2 - STATUS_WAIT_2": FLAGS 1 reads VALUE as an
 * NTSTATUS) and published transcripts:
 * - "2: kd> !error 00000000c0000005" and "2: kd> !ERROR ffffffffc000014c" (Bug Check 0x1E and
 *   0x51 pages): a 64-bit value is cut to its low 32 bits;
 * - "(HRESULT) 0x80072023 (2147950627) - The size limit for this request was exceeded.": an
 *   HRESULT of FACILITY_WIN32 shows the Win32 error's text;
 * - "(Win32) 0 (0) - The operation completed successfully." (!analyze's EXCEPTION_CODE, which
 *   prints the same way): the value is printed with "%#x", so zero is "0", not "0x0";
 * - "<Unable to get error code text>" when the message tables have no text.
 * Where the message text is not known here but the code's symbolic name is, the name is
 * printed instead (ntdll's own text for a few codes, STATUS_WAIT_2 among them, is the name).
 */

#include "analyze/error_names.h"
#include "cmd/expr.h"
#include "ext/ext.h"

#define NO_TEXT "<Unable to get error code text>"
/* FLAGS bit 0: read VALUE as an NTSTATUS. */
#define ERROR_FLAG_NTSTATUS 1u

static struct dd_error *ext_error(struct session *s, const struct cmd_args *a)
{
    if (!*a->rest)
        return dd_error_create(DD_ERR_SYNTAX, "Usage: !error VALUE [FLAGS]");
    uint64_t value64;
    const char *end;
    struct dd_error *err = expr_eval_prefix(s, a->rest, &end, &value64);
    if (err)
        return err;
    uint64_t flags = 0;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end) {
        err = expr_eval(s, end, &flags);
        if (err)
            return err;
    }
    uint32_t value = (uint32_t)value64;
    if (flags & ERROR_FLAG_NTSTATUS) {
        const char *text = error_describe(value, ERROR_SOURCE_NTSTATUS);
        dd_printf(s->out, "Error code: (NTSTATUS) %#x - %s\n", value, text ? text : NO_TEXT);
        return NULL;
    }
    enum error_source source = error_source_classify(value);
    const char *text = error_describe(value, source);
    dd_printf(s->out, "Error code: (%s) %#x (%u) - %s\n", error_source_label(source), value, value,
              text ? text : NO_TEXT);
    return NULL;
}

const struct cmd_def ext_table_error[] = {
    {"!error", ext_error, 0, "!error VALUE [FLAGS] - decode a Win32, NTSTATUS or HRESULT value"},
    {NULL, NULL, 0, NULL},
};
