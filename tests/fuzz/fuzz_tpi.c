/*
 * libFuzzer target: the input is a raw TPI/IPI stream (header + records). When the header's hash
 * stream number is 0, the bytes after the records are taken as the hash stream (index offsets,
 * hash values, adjusters), so seeds carry both. Then what dt and ?? would do runs on the first
 * and last records: decode, names in every style, sizeof, field lists, forward references, hashes
 * and lookups by name. Any crash, sanitizer report, leak or hang is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/writer.h"
#include "pdb/tpi.h"
#include "pdb/tpi_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Work per input stays bounded whatever the record count. */
#define FUZZ_RECORDS 256u
#define FUZZ_FIELDS 20000u

static void drop(struct dd_error *err)
{
    dd_error_destroy(err);
}

static struct dd_error *count_field(void *ctx, const struct pdb_type_field *f)
{
    uint32_t *n = ctx;
    return ++*n >= FUZZ_FIELDS ? &dd_error_stop : NULL;
}

static struct dd_error *count_udt(void *ctx, const struct pdb_type *type)
{
    uint32_t *n = ctx;
    return ++*n >= FUZZ_RECORDS ? &dd_error_stop : NULL;
}

static void exercise(struct pdb_types *t, uint32_t index, char *name, size_t name_size)
{
    struct pdb_type type;
    struct dd_error *err = pdb_types_get(t, index, &type);
    if (err) {
        drop(err);
        return;
    }
    if (pdb_leaf_is_udt(type.leaf) && !name[0]) {
        size_t n = strlen(type.name);
        if (n < name_size)
            memcpy(name, type.name, n + 1);
    }
    for (uint32_t i = 0; type.leaf == PDB_LF_ARGLIST && i < type.u.list.count; i++)
        (void)pdb_type_list_item(&type, i);
    struct dd_strbuf sb = {0};
    drop(pdb_types_name(t, index, PDB_TYPES_NAME_DT, &sb));
    drop(pdb_types_name(t, index, PDB_TYPES_NAME_DT_VERBOSE, &sb));
    drop(pdb_types_name(t, index, PDB_TYPES_NAME_C, &sb));
    dd_strbuf_deinit(&sb);
    uint64_t size;
    drop(pdb_types_size_of(t, index, &size));
    uint32_t n = 0, def, hash, under;
    const char *enumerator;
    drop(pdb_types_iterate_fields(t, index, count_field, &n));
    drop(pdb_types_underlying(t, index, &under));
    drop(pdb_types_array_length(t, index, &size));
    if (type.leaf == PDB_LF_ENUM)
        drop(pdb_types_enum_name(t, index, 1, &enumerator));
    if (index < PDB_TYPE_FIRST_INDEX)
        (void)pdb_primitive_class(index & 0xff);
    drop(pdb_types_resolve_forward(t, index, &def));
    drop(pdb_types_hash_record(t, index, &hash));
    drop(pdb_types_stored_hash(t, index, &hash));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdb_types *t = NULL;
    struct dd_error *err = pdb_types_open_memory(data, size, &t);
    if (err) {
        drop(err);
        return 0;
    }
    const struct pdb_types_header *h = pdb_types_header(t);
    size_t used = (size_t)h->header_size + h->record_bytes;
    if (h->hash_stream == 0 && used <= size &&
        (err = tpi_hash_load(t, data + used, (uint32_t)(size - used)))) {
        drop(err);
        pdb_types_destroy(t);
        return 0;
    }
    char name[256] = "";
    uint32_t count = h->index_end - h->index_begin;
    for (uint32_t i = 0; i < count && i < FUZZ_RECORDS / 2; i++)
        exercise(t, h->index_begin + i, name, sizeof(name));
    for (uint32_t i = count > FUZZ_RECORDS / 2 ? count - FUZZ_RECORDS / 2 : count; i < count; i++)
        exercise(t, h->index_begin + i, name, sizeof(name));
    for (uint32_t simple = 0; simple < 0x800; simple += 0x71)
        exercise(t, simple, name, sizeof(name));
    uint32_t found;
    drop(pdb_types_find_by_name(t, name[0] ? name : "_LIST_ENTRY", 0, &found));
    drop(pdb_types_find_by_name(t, "_list_entry", PDB_TYPES_FIND_FORWARD, &found));
    uint32_t n = 0;
    drop(pdb_types_scan_names(t, "*a*", 0, count_udt, &n));
    pdb_types_destroy(t);
    return 0;
}
