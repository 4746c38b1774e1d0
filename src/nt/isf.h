/*
 * Volatility 3 "Intermediate Symbol Format" (ISF) JSON type files, as an alternative source of
 * kernel structure layouts and symbol RVAs when the ntoskrnl PDB is not at hand. Format: the
 * volatility3 schema (volatility3/schemas/schema-6.*.json): top-level objects "metadata",
 * "base_types", "user_types", "enums" and "symbols"; a user type has "kind" (struct, union,
 * class), "size" and "fields" (name -> {"offset", "type"}); a type tree node has "kind" base,
 * pointer (+ "subtype"), array (+ "count", "subtype"), bitfield (+ "bit_position", "bit_length",
 * "type"), enum, struct, union, class (+ "name") or function; a symbol has "address" (an RVA).
 *
 * Files are `.json` or `.json.xz`, read whole (bounded by ISF_MAX_BYTES after decompression).
 * Every value is type-checked when it is used; a malformed part gives DD_ERR_FORMAT naming it.
 */
#ifndef DD_NT_ISF_H
#define DD_NT_ISF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Largest JSON text accepted (after xz decompression), and largest file read. */
#define ISF_MAX_BYTES ((size_t)256 << 20)
#define ISF_MAX_FILE ((size_t)64 << 20)
/* Deepest type tree (pointer to array of ...) and longest field path followed. */
#define ISF_MAX_DEPTH 32

struct isf;

/* What the "metadata" object says about the PDB the file was made from. */
struct isf_metadata {
    bool has_pdb;
    char pdb_name[64];  /* "ntkrnlmp.pdb" */
    char guid[33];      /* 32 uppercase hex digits as written in the file, "" when absent */
    uint32_t age;
    uint32_t machine_type; /* IMAGE_FILE_MACHINE_*, 0 when absent */
    char producer[32];  /* "volatility3", "" when absent */
};

enum isf_kind {
    ISF_KIND_BASE,
    ISF_KIND_POINTER,
    ISF_KIND_ARRAY,
    ISF_KIND_BITFIELD,
    ISF_KIND_ENUM,
    ISF_KIND_STRUCT,
    ISF_KIND_UNION,
    ISF_KIND_CLASS,
    ISF_KIND_FUNCTION,
};

/* One node of a type tree; NAME and NODE point into the ISF and live as long as it. */
struct isf_type {
    enum isf_kind kind;
    const char *name;     /* base, enum, struct, union, class: the type's name; else NULL */
    uint64_t count;       /* array: element count */
    uint32_t bit_position;/* bitfield */
    uint32_t bit_length;  /* bitfield */
    const void *node;     /* the JSON node, for isf_type_subtype */
};

/* A field found by path: its offset from the start of the outermost type, and its type. */
struct isf_field {
    uint64_t offset;
    struct isf_type type;
};

/* Opens the ISF file at PATH (`.json` or xz-compressed); DD_ERR_IO / DD_ERR_FORMAT on failure. */
struct dd_error *isf_open(const char *path, struct isf **ret);
/* Parses SIZE bytes of JSON (or an xz stream of it) at DATA, which is copied. */
struct dd_error *isf_open_memory(const uint8_t *data, size_t size, struct isf **ret);
/* Frees ISF; NULL is a no-op. */
void isf_destroy(struct isf *isf);

/* Returns the parsed metadata (all empty when the file has none). */
const struct isf_metadata *isf_get_metadata(const struct isf *isf);

/* Sets ret to the "size" of user type NAME (struct/union/class); DD_ERR_NOT_FOUND when absent. */
struct dd_error *isf_struct_size(struct isf *isf, const char *name, uint64_t *ret);
/*
 * Resolves PATH "TYPE.field.field..." (e.g. "_EPROCESS.Pcb.DirectoryTableBase") through
 * embedded structs and unions, summing offsets, into ret. DD_ERR_NOT_FOUND names the first
 * missing part; a field that is not the last may not be a pointer.
 */
struct dd_error *isf_field_lookup(struct isf *isf, const char *path, struct isf_field *ret);
/* Like isf_field_lookup, giving only the offset. */
struct dd_error *isf_field_offset(struct isf *isf, const char *path, uint64_t *ret);
/* Sets ret to the byte size of TYPE (pointers: base type "pointer"; arrays: count * element). */
struct dd_error *isf_type_size(struct isf *isf, const struct isf_type *type, uint64_t *ret);
/* Sets ret to the pointee, element or underlying type of a pointer, array or bitfield TYPE. */
struct dd_error *isf_type_subtype(struct isf *isf, const struct isf_type *type,
                                  struct isf_type *ret);

/* Sets ret to symbol NAME's "address" (an RVA from the image base); DD_ERR_NOT_FOUND if absent. */
struct dd_error *isf_symbol_rva(struct isf *isf, const char *name, uint64_t *ret);
/* Sets ret to the value of CONSTANT in enum ENUM_NAME. */
struct dd_error *isf_enum_value(struct isf *isf, const char *enum_name, const char *constant,
                                int64_t *ret);
/* Sets ret to the name of the (alphabetically first) constant of ENUM_NAME equal to VALUE. */
struct dd_error *isf_enum_name(struct isf *isf, const char *enum_name, int64_t value,
                               const char **ret);
/* Counts of the indexed sections, for tests and `!sym noisy`-style reports. */
void isf_counts(const struct isf *isf, size_t *ret_user_types, size_t *ret_symbols,
                size_t *ret_enums, size_t *ret_base_types);

/* ---- enumeration, for adapters that turn the whole file into another form ---- */

/* Number of entries of "symbols"; index I below runs over them in name order. */
size_t isf_symbol_count(const struct isf *isf);
/* Sets ret_name (owned by ISF) and ret_address ("address" as written) of symbol I; DD_ERR_FORMAT
 * when its address is not a non-negative integer, DD_ERR_NOT_FOUND when I is out of range. */
struct dd_error *isf_symbol_at(struct isf *isf, size_t i, const char **ret_name,
                               uint64_t *ret_address);

/* A user type (struct, union or class) by position. */
struct isf_user_type {
    const char *name; /* owned by the ISF */
    enum isf_kind kind;
    uint64_t size;
};
/* Number of "user_types"; positions run over them in name order. */
size_t isf_user_type_count(const struct isf *isf);
/* Sets ret to user type I; DD_ERR_FORMAT when its kind or size is malformed. */
struct dd_error *isf_user_type_at(struct isf *isf, size_t i, struct isf_user_type *ret);
/* Sets ret to the position of user type NAME; false when there is none. */
bool isf_user_type_find(const struct isf *isf, const char *name, size_t *ret);
/*
 * Calls FN for each field of user type I (in the file's order) with its name, offset and type;
 * FN returns false to stop. DD_ERR_FORMAT names a malformed field (fields before it were seen).
 */
struct dd_error *isf_user_type_fields(struct isf *isf, size_t i,
                                      bool (*fn)(void *ctx, const char *name, uint64_t offset,
                                                 const struct isf_type *type),
                                      void *ctx);

/* An enum by position. */
struct isf_enum_info {
    const char *name; /* owned by the ISF */
    const char *base; /* the base type's name ("int"), NULL when absent */
    uint64_t size;
};
/* Number of "enums"; positions run over them in name order. */
size_t isf_enum_count(const struct isf *isf);
/* Sets ret to enum I; DD_ERR_FORMAT when its size is malformed. */
struct dd_error *isf_enum_at(struct isf *isf, size_t i, struct isf_enum_info *ret);
/* Sets ret to the position of enum NAME; false when there is none. */
bool isf_enum_find(const struct isf *isf, const char *name, size_t *ret);
/* Calls FN for each integral constant of enum I in the file's order; FN returns false to stop. */
void isf_enum_constants(struct isf *isf, size_t i,
                        bool (*fn)(void *ctx, const char *name, int64_t value), void *ctx);

/* What "base_types" says of one base type. */
struct isf_base_info {
    const char *kind; /* "int", "char", "float", "bool", "void" (owned by the ISF; "" if absent) */
    uint64_t size;
    bool is_signed;
};
/* Sets ret to base type NAME's description; DD_ERR_NOT_FOUND when absent, DD_ERR_FORMAT if bad. */
struct dd_error *isf_base_type(struct isf *isf, const char *name, struct isf_base_info *ret);

/*
 * Looks for the ISF of PDB_NAME (e.g. "ntkrnlmp.pdb") with GUID (stored byte order) and AGE in
 * the local directories of the WinDbg SYMBOL_PATH: plain directories, cache* directories and the
 * local tiers of srv* chains (the default downstream store included), each as DIR/, DIR/windows/
 * and DIR/symbols/windows/, with the file names PDB_NAME/<GUID><AGE>.json[.xz] and
 * PDB_NAME/<GUID>-<AGE>.json[.xz]. Sets ret to a malloc'd path; DD_ERR_NOT_FOUND when none exists.
 */
struct dd_error *isf_find(const char *symbol_path, const char *pdb_name, const uint8_t guid[16],
                          uint32_t age, char **ret);

/* A symbol whose RVA a candidate ISF must have, for isf_find_by_symbols. */
struct isf_symbol_check {
    const char *name;
    uint64_t rva;
};

/* Most candidate files isf_find_by_symbols opens (each is parsed whole). */
#define ISF_FIND_MAX_CANDIDATES 64

/*
 * For a kernel whose PDB GUID is unknown (a small dump without the image's debug directory):
 * opens the ISF files of PDB_NAME in the same directories isf_find searches (at most
 * ISF_FIND_MAX_CANDIDATES, in name order per directory) and sets ret to the path of the first
 * whose symbols have every RVA in CHECKS (N >= 2 of them). DD_ERR_NOT_FOUND when none matches.
 */
struct dd_error *isf_find_by_symbols(const char *symbol_path, const char *pdb_name,
                                     const struct isf_symbol_check *checks, size_t n, char **ret);

#endif
