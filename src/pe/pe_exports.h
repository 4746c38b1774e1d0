/* The export directory of a PE image: named and ordinal-only exports and forwarders, for
 * "export symbols" when no PDB is found and for `x mod!pattern`. */
#ifndef DD_PE_EXPORTS_H
#define DD_PE_EXPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "pe/pe_image.h"

/* One export. A function with several names appears once per name. */
struct pe_export {
    const char *name;      /* NULL for an ordinal-only export */
    uint32_t ordinal;      /* biased: OrdinalBase + index in the address table */
    uint32_t rva;          /* the function or data RVA; for a forwarder, where its string is */
    const char *forwarder; /* "NTDLL.RtlAllocateHeap" for a forwarded export, else NULL */
};

struct pe_exports {
    const char *dll_name; /* the Name field ("KERNEL32.dll"), NULL when unreadable */
    uint32_t ordinal_base;
    uint32_t timestamp;
    uint32_t number_of_functions; /* as declared */
    uint32_t number_of_names;     /* as declared */
    size_t unreadable_names;      /* names the image (or dump) does not hold; left out */
    struct pe_export *entries;    /* by ordinal, then name; unused (RVA 0) slots left out */
    size_t count;
    /* internal */
    struct pe_export **by_rva; /* non-forwarders by RVA, named before ordinal-only, by name */
    size_t nby_rva;
    struct pe_export **by_name; /* named exports by strcmp */
    size_t nby_name;
};

/*
 * Parses the export directory on first use and sets ret to it (owned by IMG). Errors:
 * DD_ERR_NOT_FOUND when the image has no export directory; DD_ERR_MEMORY when a mapped image
 * does not hold it ("not available"); DD_ERR_FORMAT when it is malformed. A failure is
 * remembered and returned again on later calls.
 */
struct dd_error *pe_exports_get(struct pe_image *img, const struct pe_exports **ret);

/*
 * Returns the export nearest at or below RVA (forwarders excluded; of several at the same RVA
 * the first named one), or NULL when every export is above RVA.
 */
const struct pe_export *pe_exports_find_by_rva(const struct pe_exports *ex, uint32_t rva);

/* Returns the export named exactly NAME (case-sensitive), or NULL. */
const struct pe_export *pe_exports_find_by_name(const struct pe_exports *ex, const char *name);

/* Returns the first export with biased ordinal ORDINAL, or NULL. */
const struct pe_export *pe_exports_find_by_ordinal(const struct pe_exports *ex, uint32_t ordinal);

/*
 * Calls FN(CTX, e) for every named export matching the WinDbg wildcard PATTERN ('*', '?',
 * case-insensitive; NULL matches all), in name order; stops early and returns FN's value when it
 * is non-zero, else returns 0.
 */
int pe_exports_each(const struct pe_exports *ex, const char *pattern,
                    int (*fn)(void *ctx, const struct pe_export *e), void *ctx);

#endif
