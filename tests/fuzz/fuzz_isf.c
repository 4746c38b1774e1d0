/*
 * libFuzzer target: the ISF JSON reader (src/nt/isf.c) and layout lookups over it. The input is
 * the JSON text (or an xz stream of it); every lookup the kernel layout makes is then tried,
 * with sizes, subtypes and enums of whatever the paths reach. Then the file's types are turned
 * into a TPI stream (nt/isf_tpi.h) and dt lays out the first user types and enums from it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/writer.h"
#include "cmd/cmd_dt.h"
#include "nt/isf.h"
#include "nt/isf_tpi.h"
#include "nt/layout.h"
#include "pdb/tpi.h"

/* dt's layout of the first types of ISF, through the TPI adapter. */
static void fuzz_tpi(struct isf *isf)
{
    uint8_t *tpi = NULL;
    size_t n = 0;
    struct pdb_types *types = NULL;
    if (dd_error_drop(isf_tpi_build(isf, 8, &tpi, &n)) ||
        dd_error_drop(pdb_types_open_memory(tpi, n, &types))) {
        free(tpi);
        return;
    }
    size_t count = isf_user_type_count(isf) + isf_enum_count(isf);
    struct cmd_dt_options opt = {0};
    opt.recurse = 2;
    opt.ptr_size = 8;
    for (size_t i = 0; i < count && i < 32; i++) {
        struct dd_strbuf out = {0};
        struct dd_writer w = dd_writer_strbuf(&out);
        dd_error_drop(cmd_dt_format(types, (uint32_t)(0x1000 + i), &opt, NULL, 0, &w));
        dd_strbuf_deinit(&out);
    }
    pdb_types_destroy(types);
    free(tpi);
}

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
    fuzz_tpi(isf);
    isf_destroy(isf);
    return 0;
}
