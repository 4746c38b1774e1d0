/*
 * libFuzzer target: the ISF JSON reader (src/nt/isf.c) and layout lookups over it. The input is
 * the JSON text (or an xz stream of it); every lookup the kernel layout makes is then tried,
 * with sizes, subtypes and enums of whatever the paths reach.
 */
#include <stddef.h>
#include <stdint.h>

#include "nt/isf.h"
#include "nt/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct isf *isf = NULL;
    if (dd_error_drop(isf_open_memory(data, size, &isf)))
        return 0;
    for (unsigned f = 0; f < NT_FIELD_COUNT; f++) {
        struct nt_layout_hit h;
        dd_error_drop(nt_layout_isf_lookup(isf, nt_field_path((enum nt_field)f), &h));
    }
    static const char *const paths[] = {"_T.A", "_T.A.B", "_T.A.B.C", "_EPROCESS.Pcb.X", "a.b"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct isf_field fl;
        if (dd_error_drop(isf_field_lookup(isf, paths[i], &fl)))
            continue;
        uint64_t v;
        dd_error_drop(isf_type_size(isf, &fl.type, &v));
        struct isf_type sub;
        if (!dd_error_drop(isf_type_subtype(isf, &fl.type, &sub)))
            dd_error_drop(isf_type_size(isf, &sub, &v));
        if (fl.type.kind == ISF_KIND_ENUM && fl.type.name) {
            const char *name;
            dd_error_drop(isf_enum_name(isf, fl.type.name, 1, &name));
        }
    }
    uint64_t v;
    dd_error_drop(isf_struct_size(isf, "_T", &v));
    dd_error_drop(isf_symbol_rva(isf, "S", &v));
    int64_t e;
    dd_error_drop(isf_enum_value(isf, "E", "A", &e));
    isf_destroy(isf);
    return 0;
}
