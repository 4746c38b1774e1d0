/* The version resource (VS_VERSIONINFO) of a PE image: fixed file info, StringFileInfo tables
 * and VarFileInfo translations, as `lmv` shows them. */
#ifndef DD_PE_VERSION_H
#define DD_PE_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe/pe_image.h"

#define PE_VS_FFI_SIGNATURE 0xfeef04bdu

/* VS_FIXEDFILEINFO, field for field. */
struct pe_fixed_file_info {
    uint32_t signature; /* PE_VS_FFI_SIGNATURE */
    uint32_t struct_version;
    uint32_t file_version_ms, file_version_ls;
    uint32_t product_version_ms, product_version_ls;
    uint32_t file_flags_mask;
    uint32_t file_flags;
    uint32_t file_os;
    uint32_t file_type;
    uint32_t file_subtype;
    uint32_t file_date_ms, file_date_ls;
};

struct pe_version_string {
    const char *key;   /* UTF-8, e.g. "CompanyName" */
    const char *value; /* UTF-8, up to the first NUL */
};

/* One StringTable of StringFileInfo. */
struct pe_version_table {
    const char *name;       /* the key as stored: language + code page in hex, "040904b0" */
    uint16_t language;      /* parsed from name (0x0409); 0 when name is not 8 hex digits */
    uint16_t codepage;      /* parsed from name (0x04b0) */
    struct pe_version_string *strings; /* in stored order */
    size_t count;
};

struct pe_version_info {
    bool has_fixed; /* a VS_FIXEDFILEINFO with the right signature was present */
    struct pe_fixed_file_info fixed;
    struct pe_version_table *tables;
    size_t ntables;
    uint32_t *translations; /* VarFileInfo\Translation: language (low 16) | code page (high 16) */
    size_t ntranslations;
    bool truncated; /* a block was cut short; what came before it is kept */
};

/*
 * Parses the RT_VERSION resource (first name, first language) on first use and sets ret to it
 * (owned by IMG). Errors: DD_ERR_NOT_FOUND when there is none; DD_ERR_MEMORY when a mapped image
 * lacks the bytes; DD_ERR_FORMAT when even the root block is malformed.
 */
struct dd_error *pe_version_get(struct pe_image *img, const struct pe_version_info **ret);

/*
 * Returns the value of string KEY (exact, case-sensitive) from the table of the first
 * translation, else from the first table having it; NULL when absent.
 */
const char *pe_version_string(const struct pe_version_info *v, const char *key);

#endif
