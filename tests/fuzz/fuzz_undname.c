/* libFuzzer target: undecorate each line of the input as an MSVC name, in both spellings, and as
 * an x86 and an x64 public. Any crash, sanitizer report, leak or hang is a bug; so is a result
 * that is empty or longer than the documented output cap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sym/undname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(struct dd_error *err, char *r)
{
    if (!err && (!r || strlen(r) > 32768))
        abort();
    dd_error_destroy(err);
    free(r);
}

static void one_name(const char *name)
{
    for (int mode = 0; mode < 6; mode++) {
        char *r = NULL;
        struct dd_error *err;
        switch (mode) {
        case 0:
            err = undname_demangle(name, UNDNAME_NAME_ONLY, &r);
            break;
        case 1:
            err = undname_demangle(name, UNDNAME_FULL, &r);
            break;
        case 2:
            err = undname_name_only(name, &r);
            break;
        case 3:
            err = undname_full(name, &r);
            break;
        case 4:
            err = undname_public(name, UNDNAME_X86, &r);
            break;
        default:
            err = undname_public(name, 0, &r);
            break;
        }
        /* a successful demangling is never empty */
        if (!err && mode < 2 && !r[0])
            abort();
        check_result(err, r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    /* one name per line, so that a seed file can hold several */
    char *line = buf;
    for (;;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        one_name(line);
        if (!nl)
            break;
        line = nl + 1;
    }
    free(buf);
    return 0;
}
