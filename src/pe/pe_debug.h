/* The debug directory of a PE image (CodeView RSDS/NB10, repro, POGO, ...) and the symbol-store
 * keys built from it (PE Format, "The .debug Section"). */
#ifndef DD_PE_DEBUG_H
#define DD_PE_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe/pe_image.h"

/* IMAGE_DEBUG_TYPE_* values (PE Format, "Debug Type"). */
#define PE_DEBUG_TYPE_COFF 1u
#define PE_DEBUG_TYPE_CODEVIEW 2u
#define PE_DEBUG_TYPE_FPO 3u
#define PE_DEBUG_TYPE_MISC 4u
#define PE_DEBUG_TYPE_VC_FEATURE 12u
#define PE_DEBUG_TYPE_POGO 13u
#define PE_DEBUG_TYPE_ILTCG 14u
#define PE_DEBUG_TYPE_REPRO 16u
#define PE_DEBUG_TYPE_EX_DLLCHARACTERISTICS 20u

/* One IMAGE_DEBUG_DIRECTORY entry. */
struct pe_debug_entry {
    uint32_t characteristics;
    uint32_t timestamp;
    uint16_t major_version, minor_version;
    uint32_t type;
    uint32_t size;        /* SizeOfData */
    uint32_t rva;         /* AddressOfRawData (0 when not mapped) */
    uint32_t file_offset; /* PointerToRawData */
};

enum pe_cv_kind {
    PE_CV_NONE,
    PE_CV_RSDS, /* PDB 7.0: GUID + age */
    PE_CV_NB10, /* PDB 2.0: signature + age */
};

/* The first CodeView record of the debug directory. */
struct pe_codeview {
    enum pe_cv_kind kind;
    uint8_t guid[16];   /* RSDS: the GUID bytes as stored (Data1..3 little-endian) */
    uint32_t signature; /* NB10 */
    uint32_t age;
    const char *pdb_path; /* as stored (UTF-8 or the build machine's code page) */
};

struct pe_debug_info {
    struct pe_debug_entry *entries;
    size_t count;
    struct pe_codeview codeview; /* kind PE_CV_NONE when there is no readable record */
    bool has_repro;              /* built with /Brepro: the timestamp is a hash */
    uint32_t repro_size;         /* SizeOfData of the repro entry (0 or a hash length + hash) */
    bool has_pogo;
    uint32_t pogo_signature; /* first u32 of the POGO data ("PGU\0", "LTCG", ...), 0 if unread */
};

/*
 * Parses the debug directory on first use and sets ret to it (owned by IMG). Errors:
 * DD_ERR_NOT_FOUND without a debug directory; DD_ERR_MEMORY when a mapped image lacks it;
 * DD_ERR_FORMAT when malformed. A CodeView record that cannot be read leaves codeview.kind
 * PE_CV_NONE rather than failing.
 */
struct dd_error *pe_debug_get(struct pe_image *img, const struct pe_debug_info **ret);

/* Returns a name for debug entry TYPE ("CodeView", "Repro", "POGO", ...) or NULL. */
const char *pe_debug_type_name(uint32_t type);

/* Room for a symbol-store key: 32 GUID digits + 8 age digits + NUL. */
#define PE_KEY_MAX 41
/* Room for "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" + NUL. */
#define PE_GUID_TEXT_MAX 39

/*
 * Writes the symbol-store directory key of a PDB 7.0 file: GUID (stored byte order in, textual
 * order out) as 32 uppercase hex digits followed by AGE in uppercase hex without leading zeros,
 * e.g. "5A9832E5287241C1838ED98914E9B7FF1". Returns BUF.
 */
char *pe_pdb_key_format(char buf[PE_KEY_MAX], const uint8_t guid[16], uint32_t age);

/* The key of a PDB 2.0 (NB10) file: SIGNATURE as %08X followed by AGE as %X. Returns BUF. */
char *pe_nb10_key_format(char buf[PE_KEY_MAX], uint32_t signature, uint32_t age);

/* The key of CV's PDB (RSDS or NB10) into BUF; returns BUF, or NULL for PE_CV_NONE. */
char *pe_codeview_key_format(char buf[PE_KEY_MAX], const struct pe_codeview *cv);

/*
 * Writes the symbol-store key of an image file: TIMESTAMP as %08X then SIZE_OF_IMAGE as %x
 * ("5F3E8B2A1d000", used as NAME/KEY/NAME). Returns BUF.
 */
char *pe_image_key_format(char buf[PE_KEY_MAX], uint32_t timestamp, uint32_t size_of_image);

/* Writes GUID (stored byte order) as "{64EB3FF4-26E6-7356-4C4C-44205044422E}". Returns BUF. */
char *pe_guid_format(char buf[PE_GUID_TEXT_MAX], const uint8_t guid[16]);

#endif
