/*
 * PDB type records: the TPI stream (types, stream 2) and the IPI stream (ids, stream 4), with the
 * hash stream each header names, so one type is found by name or index without reading all types.
 * Built for `dt`, `??` and `sizeof`: decoded leaves, field lists, forward-reference resolution,
 * WinDbg's dt type column and a C-style name. Everything is read lazily from the stream bytes.
 *
 * Formats: Microsoft's cvinfo.h (leaf records, CV_prop_t, CV_fldattr_t, simple type indices) and
 * microsoft-pdb tpi.cpp/tpi.h (stream header HDR_16t, hash buckets, index offsets), as documented
 * in LLVM's "The PDB TPI and IPI Streams".
 */
#ifndef DD_PDB_TPI_H
#define DD_PDB_TPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/writer.h"

struct msf_file;

/* Fixed stream numbers (LLVM "PDB File Layout"): TPI and IPI. */
#define PDB_TYPES_TPI 2
#define PDB_TYPES_IPI 4
/* Indices below this are simple (primitive) types: kind | mode << 8 (cvinfo.h CV_typ_t). */
#define PDB_TYPE_FIRST_INDEX 0x1000u

/* Leaf kinds (cvinfo.h LEAF_ENUM_e). */
enum pdb_leaf {
    PDB_LF_PRIMITIVE = 0x0000, /* not a leaf: a simple type index < 0x1000 */
    PDB_LF_VTSHAPE = 0x000a,
    PDB_LF_MODIFIER = 0x1001,
    PDB_LF_POINTER = 0x1002,
    PDB_LF_PROCEDURE = 0x1008,
    PDB_LF_MFUNCTION = 0x1009,
    PDB_LF_ARGLIST = 0x1201,
    PDB_LF_FIELDLIST = 0x1203,
    PDB_LF_BITFIELD = 0x1205,
    PDB_LF_METHODLIST = 0x1206,
    PDB_LF_BCLASS = 0x1400,
    PDB_LF_VBCLASS = 0x1401,
    PDB_LF_IVBCLASS = 0x1402,
    PDB_LF_INDEX = 0x1404,
    PDB_LF_VFUNCTAB = 0x1409,
    PDB_LF_FRIENDCLS = 0x140a,
    PDB_LF_VFUNCOFF = 0x140c,
    PDB_LF_ENUMERATE = 0x1502,
    PDB_LF_ARRAY = 0x1503,
    PDB_LF_CLASS = 0x1504,
    PDB_LF_STRUCTURE = 0x1505,
    PDB_LF_UNION = 0x1506,
    PDB_LF_ENUM = 0x1507,
    PDB_LF_ALIAS = 0x150a,
    PDB_LF_FRIENDFCN = 0x150c,
    PDB_LF_MEMBER = 0x150d,
    PDB_LF_STMEMBER = 0x150e,
    PDB_LF_METHOD = 0x150f,
    PDB_LF_NESTTYPE = 0x1510,
    PDB_LF_ONEMETHOD = 0x1511,
    PDB_LF_NESTTYPEEX = 0x1512,
    PDB_LF_MEMBERMODIFY = 0x1513,
    PDB_LF_INTERFACE = 0x1519,
    PDB_LF_BINTERFACE = 0x151a,
    PDB_LF_FUNC_ID = 0x1601,
    PDB_LF_MFUNC_ID = 0x1602,
    PDB_LF_BUILDINFO = 0x1603,
    PDB_LF_SUBSTR_LIST = 0x1604,
    PDB_LF_STRING_ID = 0x1605,
    PDB_LF_UDT_SRC_LINE = 0x1606,
    PDB_LF_UDT_MOD_SRC_LINE = 0x1607,
    PDB_LF_CLASS2 = 0x1608,
    PDB_LF_STRUCTURE2 = 0x1609,
    PDB_LF_UNION2 = 0x160a,
    PDB_LF_INTERFACE2 = 0x160b,
};

/* CV_prop_t bits of a class, union or enum (cvinfo.h). */
#define PDB_PROP_PACKED 0x0001u
#define PDB_PROP_NESTED 0x0008u
#define PDB_PROP_FWDREF 0x0080u
#define PDB_PROP_SCOPED 0x0100u
#define PDB_PROP_UNIQUE_NAME 0x0200u

/* LF_MODIFIER flags (cvinfo.h CV_modifier_t). */
#define PDB_MOD_CONST 0x0001u
#define PDB_MOD_VOLATILE 0x0002u
#define PDB_MOD_UNALIGNED 0x0004u

/* LF_POINTER modes (cvinfo.h CV_ptrmode_e). */
enum pdb_ptr_mode {
    PDB_PTR_MODE_POINTER = 0,
    PDB_PTR_MODE_LVALUE_REF = 1,
    PDB_PTR_MODE_DATA_MEMBER = 2,
    PDB_PTR_MODE_MEMBER_FUNCTION = 3,
    PDB_PTR_MODE_RVALUE_REF = 4,
};

/* A numeric leaf (cvinfo.h LF_CHAR..LF_UQUADWORD or a literal below 0x8000). */
struct pdb_numeric {
    uint64_t value;  /* two's complement when is_signed */
    bool is_signed;  /* LF_CHAR, LF_SHORT, LF_LONG, LF_QUADWORD, LF_OCTWORD (low 64 bits) */
    bool is_integer; /* false for real/complex/string leaves, whose value reads 0 */
};

/* The TPI/IPI stream header (microsoft-pdb tpi.h HDR, version V80 = 20040203). */
struct pdb_types_header {
    uint32_t version;
    uint32_t header_size;
    uint32_t index_begin;  /* first type index, normally 0x1000 */
    uint32_t index_end;    /* one past the last */
    uint32_t record_bytes; /* bytes of records following the header */
    uint16_t hash_stream;  /* 0xffff when none */
    uint16_t hash_aux_stream;
    uint32_t hash_key_size; /* 4 */
    uint32_t num_buckets;
    uint32_t hash_values_offset, hash_values_length;
    uint32_t index_offsets_offset, index_offsets_length;
    uint32_t hash_adjusters_offset, hash_adjusters_length;
};

/* One record's bytes: the leaf and its body (after the 2-byte length and 2-byte leaf). */
struct pdb_type_record {
    uint32_t index;
    uint16_t leaf;
    const uint8_t *data; /* points into the stream bytes */
    uint32_t size;
    uint32_t offset; /* of the length field, from the first record */
};

/* A decoded type record; strings point into the stream bytes (NUL-terminated, checked). */
struct pdb_type {
    uint32_t index;
    uint16_t leaf;           /* enum pdb_leaf; PDB_LF_PRIMITIVE for a simple index */
    const char *name;        /* UDT/enum/array/alias/id name or string; "" when none */
    const char *unique_name; /* decorated name of a UDT with PDB_PROP_UNIQUE_NAME, else NULL */
    union {
        struct {
            uint8_t kind; /* cvinfo.h T_* low byte, e.g. 0x74 int */
            uint8_t mode; /* 0 direct; 4 32-bit pointer; 6 64-bit pointer (CV_prmode_e) */
        } primitive;
        struct {
            uint32_t type;
            uint16_t flags; /* PDB_MOD_* */
        } modifier;
        struct {
            uint32_t referent;
            uint32_t attributes; /* raw lfPointer attr */
            uint8_t ptr_kind;    /* CV_ptrtype_e: 0x0a near32, 0x0c 64-bit */
            uint8_t mode;        /* enum pdb_ptr_mode */
            uint8_t size;        /* bytes (from the attributes or the kind) */
            bool is_const, is_volatile, is_unaligned, is_restrict;
            uint32_t member_class; /* pointer to member: the containing class, else 0 */
            uint16_t member_repr;  /* pointer to member: CV_pmtype_e */
        } pointer;
        struct {
            uint32_t element;
            uint32_t index_type;
            uint64_t size; /* bytes of the whole array */
        } array;
        struct {
            uint16_t count;      /* members in the field list */
            uint32_t props;      /* PDB_PROP_* */
            uint32_t field_list; /* 0 for a forward reference */
            uint32_t derived;
            uint32_t vshape;
            uint64_t size;       /* class/union: bytes; enum: 0 (see underlying) */
            uint32_t underlying; /* enum: the underlying integer type */
        } udt; /* LF_CLASS, LF_STRUCTURE, LF_INTERFACE, LF_UNION, LF_ENUM and the *2 variants */
        struct {
            uint32_t return_type;
            uint32_t class_type; /* LF_MFUNCTION only */
            uint32_t this_type;  /* LF_MFUNCTION only */
            int32_t this_adjust; /* LF_MFUNCTION only */
            uint8_t call_conv;   /* CV_call_e */
            uint8_t func_attrs;
            uint16_t param_count;
            uint32_t arg_list;
        } proc; /* LF_PROCEDURE, LF_MFUNCTION */
        struct {
            uint32_t count;
            const uint8_t
                *items; /* COUNT little-endian u32 indices; read with pdb_type_list_item */
        } list;         /* LF_ARGLIST, LF_SUBSTR_LIST, LF_BUILDINFO */
        struct {
            uint32_t type;
            uint8_t length;
            uint8_t position;
        } bitfield;
        struct {
            uint16_t count;
        } vtshape;
        struct {
            uint32_t type;
        } alias;
        struct {
            uint32_t scope; /* LF_FUNC_ID: parent scope id; LF_MFUNC_ID: parent class type */
            uint32_t type;  /* the function's type (TPI) */
        } func_id;
        struct {
            uint32_t substrings; /* LF_SUBSTR_LIST id or 0; name holds the string */
        } string_id;
        struct {
            uint32_t udt;
            uint32_t source; /* LF_UDT_SRC_LINE: LF_STRING_ID; MOD variant: /names offset */
            uint32_t line;
            uint16_t module; /* LF_UDT_MOD_SRC_LINE only: 1-based module index */
        } udt_src_line;
    } u;
};

/* One entry of a field list, as pdb_types_iterate_fields reports it. */
struct pdb_type_field {
    uint16_t leaf;       /* PDB_LF_MEMBER, _STMEMBER, _BCLASS, _VBCLASS, _IVBCLASS, _ENUMERATE,
                          * _NESTTYPE, _ONEMETHOD, _METHOD, _VFUNCTAB, ... */
    uint16_t attributes; /* CV_fldattr_t: access in bits 0-1, method kind in bits 2-4 */
    const char *name;    /* "" for base classes and vtable pointers */
    uint32_t type;       /* member/base/nested/method type; LF_METHOD: its method list */
    uint64_t offset;     /* data member or base class offset in bytes */
    bool is_static;      /* LF_STMEMBER */
    bool is_bitfield;    /* the member's type is an LF_BITFIELD */
    uint8_t bit_position;
    uint8_t bit_length;
    uint32_t bit_type;        /* the bitfield's underlying integer type */
    struct pdb_numeric value; /* LF_ENUMERATE */
    uint32_t vbptr_type;      /* LF_VBCLASS/LF_IVBCLASS: virtual base pointer type */
    uint64_t vbptr_offset;
    uint64_t vbtable_index;
    int64_t vtable_offset; /* LF_ONEMETHOD introducing a virtual: its vtable slot offset, else -1 */
    uint16_t method_count; /* LF_METHOD: overloads */
};

/* Name styles for pdb_types_name. */
enum pdb_types_name_style {
    PDB_TYPES_NAME_DT, /* dt's type column: "Ptr64 _LIST_ENTRY", "[4] Uint4B", "Pos 3, 2 Bits" */
    PDB_TYPES_NAME_DT_VERBOSE, /* dt -v: "Ptr64 to struct _LIST_ENTRY, 2 elements, 0x10 bytes" */
    PDB_TYPES_NAME_C, /* ?? style: "struct _LIST_ENTRY *", "unsigned long", "wchar_t [4]" */
};

/* Flags for pdb_types_find_by_name. */
#define PDB_TYPES_FIND_FORWARD 0x1u /* accept a forward reference when there is no definition */
#define PDB_TYPES_FIND_SCAN 0x2u    /* when the hash finds nothing, read all records (slow) */

/* Flags for pdb_types_scan_names. */
#define PDB_TYPES_SCAN_DEFINITIONS 0x1u /* skip forward references */

/* Counters for tests and the benchmark: what a lookup touched. */
struct pdb_types_stats {
    uint64_t records_walked;  /* record headers stepped over to reach an index */
    uint64_t records_decoded; /* records decoded (pdb_types_get and lookups) */
    uint64_t hash_candidates; /* records compared by name during hash lookups */
    uint64_t full_scans;      /* lookups that read every record */
    bool has_hash;            /* a usable hash stream was found */
    bool full_offset_table;   /* the offset of every record is known (built on demand) */
};

struct pdb_types;

/* Opens the TPI (PDB_TYPES_TPI) or IPI (PDB_TYPES_IPI) stream of MSF and its hash stream; MSF
 * must outlive the result. DD_ERR_NOT_FOUND when the stream is absent or empty (a PDB without
 * IPI); other errors name the stream and what is wrong, in the hash stream too. A PDB without a
 * hash stream opens: its lookups by name then scan. */
struct dd_error *pdb_types_open(struct msf_file *msf, uint32_t stream, struct pdb_types **ret);
/* Opens a raw TPI/IPI stream image of SIZE bytes at DATA (no hash stream), which must outlive the
 * result. For tests and fuzzing. */
struct dd_error *pdb_types_open_memory(const uint8_t *data, size_t size, struct pdb_types **ret);
/* Frees TYPES; NULL is a no-op. */
void pdb_types_destroy(struct pdb_types *types);

/* Returns the parsed stream header. */
const struct pdb_types_header *pdb_types_header(const struct pdb_types *types);
/* Returns a copy of the lookup counters. */
struct pdb_types_stats pdb_types_get_stats(const struct pdb_types *types);
/* Records the offset of every record now (one pass), so later index lookups never walk. */
struct dd_error *pdb_types_build_offset_table(struct pdb_types *types);

/* Sets ret to the raw record INDEX (index_begin <= INDEX < index_end); DD_ERR_NOT_FOUND outside
 * that range, DD_ERR_FORMAT when the records on the way are malformed. */
struct dd_error *pdb_types_record(struct pdb_types *types, uint32_t index,
                                  struct pdb_type_record *ret);
/* Decodes type INDEX into ret; a simple index (< 0x1000) gives leaf PDB_LF_PRIMITIVE. Leaves this
 * reader does not decode come back with their leaf and an empty union. */
struct dd_error *pdb_types_get(struct pdb_types *types, uint32_t index, struct pdb_type *ret);
/* Returns item I of a decoded LF_ARGLIST/LF_SUBSTR_LIST/LF_BUILDINFO (I < list.count). */
uint32_t pdb_type_list_item(const struct pdb_type *type, uint32_t i);
/* True for LF_CLASS/STRUCTURE/INTERFACE/UNION/ENUM and their *2 variants. */
bool pdb_leaf_is_udt(uint16_t leaf);
/* Returns the leaf's cvinfo.h name ("LF_STRUCTURE"), or NULL when unknown. */
const char *pdb_leaf_name(uint16_t leaf);

/* Sets ret to the definition of the forward-referenced UDT INDEX, found through the hash of its
 * name; INDEX itself when it is not a forward reference or no definition exists. */
struct dd_error *pdb_types_resolve_forward(struct pdb_types *types, uint32_t index, uint32_t *ret);
/* Sets ret to the UDT named NAME (exact case preferred, else case-insensitive), reading only the
 * records in the name's hash bucket; the definition is preferred and hash adjusters are honoured.
 * DD_ERR_NOT_FOUND when there is none. FLAGS: PDB_TYPES_FIND_*. */
struct dd_error *pdb_types_find_by_name(struct pdb_types *types, const char *name, unsigned flags,
                                        uint32_t *ret);
/* Gives the hash adjusters (name -> index overrides) a way to read their names: LOOKUP returns the
 * NUL-terminated string at OFFSET of the PDB's /names string table, or NULL. */
void pdb_types_set_string_table(struct pdb_types *types,
                                const char *(*lookup)(void *ctx, uint32_t offset), void *ctx);
/* Reads every record (a full scan) and calls FN for each UDT whose name matches the WinDbg
 * wildcard PATTERN (case-insensitive; NULL matches all). FN's error stops the scan and is
 * returned, except dd_error_stop, which ends it with success. FLAGS: PDB_TYPES_SCAN_*. */
struct dd_error *
pdb_types_scan_names(struct pdb_types *types, const char *pattern, unsigned flags,
                     struct dd_error *(*fn)(void *ctx, const struct pdb_type *type), void *ctx);

/* Calls FN for every entry of the field list of INDEX (a UDT, resolved from a forward reference,
 * or an LF_FIELDLIST), following LF_INDEX continuations (bounded, cycles are an error). FN's
 * error stops the walk and is returned, except dd_error_stop, which ends it with success. */
struct dd_error *
pdb_types_iterate_fields(struct pdb_types *types, uint32_t index,
                         struct dd_error *(*fn)(void *ctx, const struct pdb_type_field *field),
                         void *ctx);

/* Sets ret to sizeof(type INDEX) in bytes; forward references are resolved (0 when there is no
 * definition). DD_ERR_UNSUPPORTED for function types. */
struct dd_error *pdb_types_size_of(struct pdb_types *types, uint32_t index, uint64_t *ret);
/* Appends the name of type INDEX in STYLE to OUT. Unknown or malformed types append "<error>"
 * and return the error. */
struct dd_error *pdb_types_name(struct pdb_types *types, uint32_t index,
                                enum pdb_types_name_style style, struct dd_strbuf *out);
/* Returns dt's name of a simple type kind ("Uint4B", "Wchar", "Void"), or NULL when unknown. */
const char *pdb_primitive_dt_name(uint8_t kind);
/* Returns the C name of a simple type kind ("unsigned long", "wchar_t"), or NULL when unknown. */
const char *pdb_primitive_c_name(uint8_t kind);
/* Returns the byte size of a simple type index (pointer modes included), 0 for void/unknown. */
uint32_t pdb_primitive_size(uint32_t index);

/* How a debugger shows a value of a simple type kind (dt: 0n-1 for signed, 0x.. for unsigned,
 * 0x41 'A' for chars). */
enum pdb_primitive_class {
    PDB_PRIM_UNKNOWN,
    PDB_PRIM_VOID,
    PDB_PRIM_SIGNED,   /* short, long, int, __int64, int8/16/32/64/128 */
    PDB_PRIM_UNSIGNED, /* unsigned variants */
    PDB_PRIM_CHAR,     /* char, signed char, unsigned char, char8_t */
    PDB_PRIM_WCHAR,    /* wchar_t, char16_t, char32_t */
    PDB_PRIM_BOOL,
    PDB_PRIM_REAL,
    PDB_PRIM_HRESULT,
};
/* Returns the class of simple type kind KIND (the low byte of a simple index). */
enum pdb_primitive_class pdb_primitive_class(uint8_t kind);

/* Sets ret to INDEX with LF_MODIFIER and LF_ALIAS records skipped and a UDT forward reference
 * resolved to its definition (bounded); simple indices come back as they are. */
struct dd_error *pdb_types_underlying(struct pdb_types *types, uint32_t index, uint32_t *ret);
/* Sets ret to the element count of array INDEX: its byte size over its element's (0 when the
 * element has no size). DD_ERR_UNSUPPORTED when INDEX is not an LF_ARRAY. */
struct dd_error *pdb_types_array_length(struct pdb_types *types, uint32_t index, uint64_t *ret);
/* Sets ret to the name of the first enumerator of enum INDEX whose value is VALUE, compared in
 * the enum's size (so -1 matches 0xffff in a 2-byte enum); DD_ERR_NOT_FOUND when none has it.
 * The name points into the stream. */
struct dd_error *pdb_types_enum_name(struct pdb_types *types, uint32_t index, uint64_t value,
                                     const char **ret);

/* Computes the PDB hash of a name (microsoft-pdb misc.h hashSz / LLVM hashStringV1), before the
 * bucket modulo. ASCII case does not change it. */
uint32_t pdb_types_hash_name(const char *s, size_t len);
/* Computes the hash a PDB writer stores for record INDEX (microsoft-pdb TPI1::hashPrec), before
 * the bucket modulo. */
struct dd_error *pdb_types_hash_record(struct pdb_types *types, uint32_t index, uint32_t *ret);
/* Sets ret to the bucket the hash stream stores for INDEX; DD_ERR_NOT_FOUND without a hash. */
struct dd_error *pdb_types_stored_hash(struct pdb_types *types, uint32_t index, uint32_t *ret);

#endif
