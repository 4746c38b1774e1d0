/* Lookups over the generated bug check parameter table (bugcheck_table.c). */
#include "analyze/bugcheck_table.h"

/* Index of the first row whose code is >= CODE. */
static size_t lower_bound(uint32_t code)
{
    size_t lo = 0, hi = bugcheck_table_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (bugcheck_table[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct bugcheck_entry *bugcheck_table_find(uint32_t code)
{
    size_t i = lower_bound(code);
    if (i < bugcheck_table_count && bugcheck_table[i].code == code &&
        !bugcheck_table[i].has_subcode)
        return &bugcheck_table[i];
    return NULL;
}

const struct bugcheck_entry *bugcheck_table_find_subcode(uint32_t code, uint64_t p1)
{
    for (size_t i = lower_bound(code); i < bugcheck_table_count && bugcheck_table[i].code == code;
         i++)
        if (bugcheck_table[i].has_subcode && bugcheck_table[i].subcode == p1)
            return &bugcheck_table[i];
    return NULL;
}

int bugcheck_role_param(uint32_t code, uint64_t p1, enum bugcheck_role role)
{
    const struct bugcheck_entry *rows[2] = {bugcheck_table_find_subcode(code, p1),
                                            bugcheck_table_find(code)};
    for (int r = 0; r < 2; r++)
        for (int i = 0; rows[r] && i < 4; i++)
            if (rows[r]->params[i].role == role)
                return i;
    return -1;
}

uint32_t bugcheck_shown_code(uint32_t code)
{
    const struct bugcheck_entry *e = bugcheck_table_find(code);
    return e ? e->base_code : code;
}

const char *bugcheck_role_name(enum bugcheck_role role)
{
    static const char *const names[] = {
        [BUGCHECK_ROLE_NONE] = "",
        [BUGCHECK_ROLE_EXCEPTION_CODE] = "exception_code",
        [BUGCHECK_ROLE_FAULTING_IP] = "faulting_ip",
        [BUGCHECK_ROLE_EXCEPTION_RECORD] = "exception_record",
        [BUGCHECK_ROLE_CONTEXT_RECORD] = "context_record",
        [BUGCHECK_ROLE_TRAP_FRAME] = "trap_frame",
        [BUGCHECK_ROLE_REFERENCED] = "referenced",
        [BUGCHECK_ROLE_IRQL] = "irql",
        [BUGCHECK_ROLE_ACCESS] = "access",
        [BUGCHECK_ROLE_DRIVER_NAME] = "driver_name",
        [BUGCHECK_ROLE_DRIVER_ADDRESS] = "driver_address",
        [BUGCHECK_ROLE_PROCESS] = "process",
        [BUGCHECK_ROLE_THREAD] = "thread",
        [BUGCHECK_ROLE_IRP] = "irp",
        [BUGCHECK_ROLE_DEVICE_OBJECT] = "device_object",
        [BUGCHECK_ROLE_STATUS] = "status",
        [BUGCHECK_ROLE_FAST_FAIL] = "fast_fail",
        [BUGCHECK_ROLE_SUBCODE] = "subcode",
    };
    return (unsigned)role < sizeof(names) / sizeof(names[0]) && names[role] ? names[role] : "";
}

enum bugcheck_access bugcheck_access_decode(uint64_t value)
{
    if (value & 8)
        return BUGCHECK_ACCESS_EXECUTE;
    if (value & 3)
        return BUGCHECK_ACCESS_WRITE;
    return BUGCHECK_ACCESS_READ;
}
