/*
 * String tables in the /names layout (LLVM "The PDB String Table"): {u32 Signature 0xEFFEEFFE,
 * u32 HashVersion, u32 ByteSize, char Strings[ByteSize], u32 BucketCount, u32 Buckets[], u32
 * NameCount}. Strings are looked up by their offset; the hash is not needed for that.
 */
#include <string.h>

#include "pdb/pdb_internal.h"

#define STRTAB_SIGNATURE 0xEFFEEFFEu

struct dd_error *pdb_strtab_parse(const uint8_t *data, uint32_t size, const char *what,
                                  struct pdb_strtab *ret)
{
    if (size < 12)
        return dd_error_create(DD_ERR_FORMAT, "%s: %u bytes, shorter than the 12-byte string "
                               "table header", what, size);
    uint32_t sig = dd_le32(data), version = dd_le32(data + 4), len = dd_le32(data + 8);
    if (sig != STRTAB_SIGNATURE)
        return dd_error_at(DD_ERR_FORMAT, 0, "%s: bad string table signature 0x%08x (want "
                           "0xeffeeffe)", what, sig);
    if (version != 1 && version != 2)
        return dd_error_at(DD_ERR_FORMAT, 4, "%s: unknown string table hash version %u", what,
                           version);
    if (len > size - 12)
        return dd_error_at(DD_ERR_FORMAT, 8, "%s: string buffer of %u bytes runs past the end "
                           "(%u bytes)", what, len, size);
    ret->buf = data + 12;
    ret->size = len;
    return NULL;
}

struct dd_error *pdb_strtab_get(const struct pdb_strtab *t, uint32_t offset, const char *what,
                                const char **ret)
{
    if (offset >= t->size || pdb_strnlen(t->buf + offset, t->size - offset) == t->size - offset)
        return dd_error_create(DD_ERR_FORMAT, "%s: string offset %u is outside the %u-byte string "
                               "buffer", what, offset, t->size);
    *ret = (const char *)t->buf + offset;
    return NULL;
}

static struct dd_error *names_load(struct pdb *pdb)
{
    uint32_t stream;
    struct dd_error *err = pdb_named_stream_find(pdb, "/names", &stream);
    if (err)
        return err;
    const uint8_t *data;
    uint32_t size;
    err = msf_stream_load(pdb->msf, stream, &data, &size);
    if (!err)
        err = pdb_strtab_parse(data, size, "/names stream", &pdb->names);
    return err ? dd_error_wrap(err, "%s", pdb->name) : NULL;
}

struct dd_error *pdb_names_get(struct pdb *pdb, uint32_t offset, const char **ret)
{
    if (pdb->names_state == PDB_LAZY_NO) {
        pdb->names_state = PDB_LAZY_FAILED;
        struct dd_error *err = names_load(pdb);
        if (err)
            return err;
        pdb->names_state = PDB_LAZY_OK;
    }
    if (pdb->names_state != PDB_LAZY_OK)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "/names stream is missing or unreadable");
    struct dd_error *err = pdb_strtab_get(&pdb->names, offset, "/names stream", ret);
    return err ? dd_error_wrap(err, "%s", pdb->name) : NULL;
}
