/* The exception directory (.pdata) of x64, ARM64 and ARM (Thumb-2) images: function ranges and
 * where their unwind data is. Decoding UNWIND_INFO / .xdata is the unwinder's job; it reads those
 * bytes with pe_image_read_rva. */
#ifndef DD_PE_PDATA_H
#define DD_PE_PDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe/pe_image.h"

enum pe_pdata_kind {
    PE_PDATA_X64,   /* RUNTIME_FUNCTION: begin, end, UNWIND_INFO RVA (12 bytes) */
    PE_PDATA_ARM64, /* begin, unwind word (8 bytes) */
    PE_PDATA_ARM,   /* begin (Thumb bit set), unwind word (8 bytes) */
};

/* ARM/ARM64 Flag: how the second word of an entry is to be read. */
#define PE_PDATA_FLAG_XDATA 0u           /* the word is the .xdata RVA */
#define PE_PDATA_FLAG_PACKED 1u          /* packed unwind data */
#define PE_PDATA_FLAG_PACKED_FRAGMENT 2u /* packed, function without prologue (a fragment) */

struct pe_pdata_entry {
    uint32_t begin;       /* function start RVA (ARM: the Thumb bit cleared) */
    uint32_t end;         /* first RVA past the function; 0 while unknown (see below) */
    uint32_t unwind_rva;  /* x64: UNWIND_INFO (low bit set = chained entry, as stored);
                             ARM/ARM64 flag 0: the .xdata record; else 0 */
    uint32_t unwind_data; /* ARM/ARM64: the raw second word; x64: same as unwind_rva */
    uint8_t flag;         /* ARM/ARM64: unwind_data & 3; x64: 0 */
    uint32_t index;       /* position in the table as stored in the image */
};

struct pe_pdata {
    enum pe_pdata_kind kind;
    struct pe_pdata_entry *entries; /* sorted by begin; entries with .xdata have end 0 here */
    size_t count;
    size_t declared_count; /* directory size / entry size */
    size_t missing;        /* entries the dump did not hold (mapped images) */
    bool sorted_in_image;  /* false when the table had to be sorted */
};

/*
 * Reads the exception directory on first use and sets ret to it (owned by IMG). Errors:
 * DD_ERR_NOT_FOUND without one (or for a machine without .pdata, e.g. x86); DD_ERR_MEMORY when a
 * mapped image holds none of it; DD_ERR_FORMAT when malformed or past PDATA_MAX_ENTRIES (the
 * table is refused as a whole: the stack walk flags such frames, docs/limits.md). Entries a dump
 * lacks are left out.
 */
struct dd_error *pe_pdata_get(struct pe_image *img, const struct pe_pdata **ret);

/*
 * Finds the entry whose [begin, end) holds RVA and sets ret to a copy with end known (read from
 * the .xdata header for unpacked ARM/ARM64 entries). Errors: DD_ERR_NOT_FOUND (static) when no
 * entry covers RVA; the errors of pe_pdata_get; DD_ERR_MEMORY when the .xdata header needed to
 * know the function's length is not available.
 */
struct dd_error *pe_pdata_lookup(struct pe_image *img, uint32_t rva, struct pe_pdata_entry *ret);

/*
 * Sets ret to the end (exclusive) of entry E of IMG's table: from the entry itself, or the .xdata
 * header for ARM/ARM64 flag-0 entries. Errors as pe_pdata_lookup's.
 */
struct dd_error *pe_pdata_entry_end(const struct pe_image *img, enum pe_pdata_kind kind,
                                    const struct pe_pdata_entry *e, uint32_t *ret);

#endif
