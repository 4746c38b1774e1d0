/*
 * The PDB reader: a program database (MSF 7.0) opened lazily. Opening parses the PDB info stream,
 * the DBI header and its module list; everything else (publics, a module's symbols and lines,
 * frame data, OMAP) is read on first use, so resolving one address in a large PDB touches only
 * the pages it needs.
 *
 * Addresses: the PDB stores segment:offset pairs; this API speaks image RVAs (relative to the
 * image base of the module that was loaded). When the image was rewritten after linking (OMAP
 * streams present), RVAs are translated through OMAP both ways, as dbghelp does.
 *
 * Names returned in result structs stay valid until pdb_destroy unless the declaration says
 * "valid during the callback". A struct pdb is not safe to use from two threads at once.
 *
 * Format sources: LLVM's "The PDB File Format" pages, Microsoft's microsoft-pdb repository
 * (cvinfo.h, dbicommon.h, gsi.h) and winnt.h (FPO_DATA, IMAGE_SECTION_HEADER).
 */
#ifndef DD_PDB_PDB_H
#define DD_PDB_PDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct pdb;
struct msf_file;

/* ---- opening ---- */

/* Opens the PDB at PATH; errors name the file, the stream and the offset that is wrong. */
struct dd_error *pdb_open(const char *path, struct pdb **ret);
/* Like pdb_open on caller-owned bytes, which must outlive the result; NAME is for messages. */
struct dd_error *pdb_open_memory(const uint8_t *data, size_t size, const char *name,
                                 struct pdb **ret);
/* Like pdb_open on an opened MSF container, which the result owns from then on (also on error). */
struct dd_error *pdb_open_msf(struct msf_file *msf, struct pdb **ret);
/* Frees the PDB, its container and everything read from it; NULL is a no-op. */
void pdb_destroy(struct pdb *pdb);
/* Returns the MSF container (for the type reader); owned by PDB. */
struct msf_file *pdb_msf(struct pdb *pdb);

/* ---- PDB info stream (stream 1) ---- */

/* Feature codes that follow the named stream map (LLVM PdbRaw_FeatureSig). */
#define PDB_FEATURE_VC110 20091201u
#define PDB_FEATURE_VC140 20140508u
#define PDB_FEATURE_NO_TYPE_MERGE 0x4D544F4Eu /* "NOTM" */
#define PDB_FEATURE_MINIMAL_DEBUG_INFO 0x494E494Du /* "MINI": /DEBUG:FASTLINK */
#define PDB_MAX_FEATURES 8

struct pdb_info {
    uint32_t version;   /* 20000404 (VC70) for every PDB 7.0 */
    uint32_t signature; /* link time stamp */
    uint32_t age;       /* the info stream's age; see dbi_age */
    uint8_t guid[16];   /* as stored on disk (Data1..3 little-endian) */
    bool has_dbi;       /* a DBI stream is present */
    uint32_t dbi_age;   /* the DBI header's age: what dbghelp matches against the image */
    uint32_t features[PDB_MAX_FEATURES]; /* feature codes in file order */
    uint32_t feature_count;
    bool has_id_stream; /* VC110/VC140 feature: stream 4 holds IPI records */
    bool minimal_debug_info; /* /DEBUG:FASTLINK: symbols live in the .obj files */
};

/* Returns the parsed info stream (never NULL for an opened PDB). */
const struct pdb_info *pdb_info_get(const struct pdb *pdb);
/* Returns the age an image's CodeView record must match: the DBI age when present, else the info
 * stream age. */
uint32_t pdb_info_match_age(const struct pdb *pdb);
/* Writes GUID (on-disk byte order) as "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" into BUF; returns BUF. */
char *pdb_guid_format(const uint8_t guid[16], char buf[39]);
/* Sets ret to the stream index of named stream NAME ("/names", "/LinkInfo", "/src/headerblock");
 * DD_ERR_NOT_FOUND when absent. */
struct dd_error *pdb_named_stream_find(const struct pdb *pdb, const char *name, uint32_t *ret);
/* Calls FN for each named stream in hash table order; NAME is valid during the callback; FN
 * returns false to stop. */
void pdb_named_streams_iterate(const struct pdb *pdb,
                               bool (*fn)(void *ctx, const char *name, uint32_t stream),
                               void *ctx);

/* ---- DBI stream (stream 3) ---- */

/* Indices into the optional debug header (LLVM DbgHeaderType, microsoft-pdb dbi.h). */
enum pdb_dbg_stream {
    PDB_DBG_FPO = 0,
    PDB_DBG_EXCEPTION = 1,
    PDB_DBG_FIXUP = 2,
    PDB_DBG_OMAP_TO_SRC = 3,
    PDB_DBG_OMAP_FROM_SRC = 4,
    PDB_DBG_SECTION_HEADERS = 5,
    PDB_DBG_TOKEN_RID_MAP = 6,
    PDB_DBG_XDATA = 7,
    PDB_DBG_PDATA = 8,
    PDB_DBG_NEW_FPO = 9, /* FrameData */
    PDB_DBG_SECTION_HEADERS_ORIG = 10,
    PDB_DBG_COUNT = 11,
};

#define PDB_NO_STREAM 0xffffu

/* The DBI stream header (new format, V70). Sizes are of the substreams that follow it. */
struct pdb_dbi_header {
    int32_t version_signature;  /* -1 for the new format */
    uint32_t version;           /* 19990903 (V70) */
    uint32_t age;
    uint16_t global_stream;     /* globals GSI */
    uint16_t build_number;      /* bit 15 new format, 14..8 major, 7..0 minor */
    uint16_t public_stream;     /* publics PSI */
    uint16_t pdb_dll_version;
    uint16_t sym_record_stream; /* records referenced by both GSIs */
    uint16_t pdb_dll_rebuild;
    uint32_t module_info_size;
    uint32_t section_contrib_size;
    uint32_t section_map_size;
    uint32_t file_info_size;
    uint32_t type_server_map_size;
    uint32_t mfc_type_server_index;
    uint32_t optional_dbg_header_size;
    uint32_t ec_substream_size;
    uint16_t flags;             /* 1 incrementally linked, 2 private symbols stripped, 4 conflicting types */
    uint16_t machine;           /* IMAGE_FILE_MACHINE_* */
    uint16_t dbg_streams[PDB_DBG_COUNT]; /* PDB_NO_STREAM where absent */
};

/* A section contribution: a piece of a section that one module (object file) contributed. */
struct pdb_section_contrib {
    uint16_t section;  /* 1-based */
    uint32_t offset;
    uint32_t size;
    uint32_t characteristics;
    uint16_t module;   /* 0-based module index */
    uint32_t data_crc;
    uint32_t reloc_crc;
    uint32_t coff_section; /* V2 substream only, else 0 */
};

/* One module (compiland) of the DBI module info substream. */
struct pdb_module_info {
    uint32_t index;
    const char *name;     /* object or import name, e.g. "C:\b\foo.obj" or "KERNEL32.dll" */
    const char *obj_name; /* the file it came from (the .lib for archive members) */
    struct pdb_section_contrib contrib; /* the module's first section contribution */
    uint16_t flags;       /* bit 0 dirty, bit 1 has EC info, bits 8..15 type server index */
    uint16_t stream;      /* symbol stream, PDB_NO_STREAM when the module has none */
    uint32_t sym_bytes;   /* symbol substream size, including the 4-byte signature */
    uint32_t c11_bytes;   /* old-style line info size */
    uint32_t c13_bytes;   /* C13 debug subsections size */
    uint16_t source_file_count;
    uint32_t source_file_ni; /* EC names offsets */
    uint32_t pdb_file_ni;
};

/* One entry of the DBI section map. */
struct pdb_section_map_entry {
    uint16_t flags;
    uint16_t ovl;
    uint16_t group;
    uint16_t frame;
    uint16_t section_name;
    uint16_t class_name;
    uint32_t offset;
    uint32_t length;
};

/* One IMAGE_SECTION_HEADER from the section headers debug stream. */
struct pdb_section_header {
    char name[9];
    uint32_t virtual_size;
    uint32_t virtual_address;
    uint32_t size_of_raw_data;
    uint32_t pointer_to_raw_data;
    uint32_t pointer_to_relocations;
    uint32_t pointer_to_linenumbers;
    uint16_t number_of_relocations;
    uint16_t number_of_linenumbers;
    uint32_t characteristics;
};

/* Returns the DBI header, or NULL when the PDB has no DBI stream. */
const struct pdb_dbi_header *pdb_dbi_header_get(const struct pdb *pdb);
/* Returns the number of modules in the DBI module list (0 without DBI). */
uint32_t pdb_module_count(const struct pdb *pdb);
/* Returns module INDEX's info, or NULL when INDEX is out of range. */
const struct pdb_module_info *pdb_module_get(const struct pdb *pdb, uint32_t index);
/* Sets ret to why module INDEX's symbol stream is unusable (owned by PDB), or NULL when it loaded
 * or was never loaded; a damaged module stream disables only that module. */
const struct dd_error *pdb_module_error(const struct pdb *pdb, uint32_t index);
/* Calls FN for each section contribution in file order; FN returns false to stop. */
struct dd_error *pdb_section_contribs_iterate(struct pdb *pdb,
                                              bool (*fn)(void *ctx,
                                                         const struct pdb_section_contrib *sc),
                                              void *ctx);
/* Returns the section contribution substream's version (0xeffe0000 + 19970605 or + 20140516). */
uint32_t pdb_section_contrib_version(const struct pdb *pdb);
/* Sets ret_entries (owned by PDB) and ret_count to the DBI section map. */
struct dd_error *pdb_section_map_get(struct pdb *pdb, const struct pdb_section_map_entry **ret_entries,
                                     uint32_t *ret_count);
/* Calls FN with each source file name module MODULE lists in the DBI file info substream, in
 * order; NAME is valid until pdb_destroy; FN returns false to stop. */
struct dd_error *pdb_module_files_iterate(struct pdb *pdb, uint32_t module,
                                          bool (*fn)(void *ctx, const char *name), void *ctx);
/* Sets ret to the EC substream's string at OFFSET (a names table of source and PDB file names). */
struct dd_error *pdb_ec_name_get(struct pdb *pdb, uint32_t offset, const char **ret);
/* Returns the stream index of optional debug stream KIND, or PDB_NO_STREAM. */
uint16_t pdb_dbg_stream_get(const struct pdb *pdb, enum pdb_dbg_stream kind);
/* Sets ret_headers (owned by PDB) and ret_count to the image's section headers; ORIGINAL asks for
 * the pre-OMAP headers (empty when the image was not rewritten). */
struct dd_error *pdb_section_headers_get(struct pdb *pdb, bool original,
                                         const struct pdb_section_header **ret_headers,
                                         uint32_t *ret_count);

/* ---- addresses ---- */

/* True when the image was rewritten after linking and addresses go through OMAP. */
bool pdb_has_omap(struct pdb *pdb);
/* Sets ret to the image RVA of SEGMENT:OFFSET (through OMAP when present); DD_ERR_NOT_FOUND when
 * the segment is unknown or OMAP maps the address nowhere. */
struct dd_error *pdb_addr_to_rva(struct pdb *pdb, uint16_t segment, uint32_t offset, uint32_t *ret);
/* Sets ret_segment and ret_offset to the PDB address of image RVA (reverse of pdb_addr_to_rva). */
struct dd_error *pdb_rva_to_addr(struct pdb *pdb, uint32_t rva, uint16_t *ret_segment,
                                 uint32_t *ret_offset);
/* Sets ret to the 0-based index of the module whose section contribution holds RVA. */
struct dd_error *pdb_module_find_by_rva(struct pdb *pdb, uint32_t rva, uint32_t *ret);

/* ---- publics (PSI) and globals (GSI) ---- */

/* S_PUB32 flags (cvinfo.h CV_PUBSYMFLAGS). */
#define PDB_PUBLIC_CODE 0x1u
#define PDB_PUBLIC_FUNCTION 0x2u
#define PDB_PUBLIC_MANAGED 0x4u
#define PDB_PUBLIC_MSIL 0x8u

struct pdb_public {
    const char *name;   /* decorated, as stored ("?Bar@Foo@@QEAAXXZ", "_main") */
    uint32_t rva;       /* 0 when the address maps nowhere (see has_rva) */
    bool has_rva;
    uint16_t segment;
    uint32_t offset;
    uint32_t flags;     /* PDB_PUBLIC_* */
    uint32_t record_offset; /* in the symbol record stream */
};

/* Sets ret to the public with the greatest address at or below RVA. */
struct dd_error *pdb_publics_find_by_rva(struct pdb *pdb, uint32_t rva, struct pdb_public *ret);
/* Sets ret to the public named NAME (exact, decorated) found through the PSI hash. */
struct dd_error *pdb_publics_find_by_name(struct pdb *pdb, const char *name, struct pdb_public *ret);
/* Calls FN for each public in address order; the name is valid during the callback; FN returns
 * false to stop. */
struct dd_error *pdb_publics_iterate(struct pdb *pdb,
                                     bool (*fn)(void *ctx, const struct pdb_public *pub),
                                     void *ctx);
/* Returns the number of publics in the address map (0 when there is no publics stream). */
uint32_t pdb_publics_count(struct pdb *pdb);

/* Symbol record kinds that this API hands out (cvinfo.h SYM_ENUM_e). */
#define PDB_S_END 0x0006u
#define PDB_S_FRAMEPROC 0x1012u
#define PDB_S_THUNK32 0x1102u
#define PDB_S_BLOCK32 0x1103u
#define PDB_S_LABEL32 0x1105u
#define PDB_S_REGISTER 0x1106u
#define PDB_S_CONSTANT 0x1107u
#define PDB_S_UDT 0x1108u
#define PDB_S_BPREL32 0x110bu
#define PDB_S_LDATA32 0x110cu
#define PDB_S_GDATA32 0x110du
#define PDB_S_PUB32 0x110eu
#define PDB_S_LPROC32 0x110fu
#define PDB_S_GPROC32 0x1110u
#define PDB_S_REGREL32 0x1111u
#define PDB_S_LTHREAD32 0x1112u
#define PDB_S_GTHREAD32 0x1113u
#define PDB_S_PROCREF 0x1125u
#define PDB_S_DATAREF 0x1126u
#define PDB_S_LPROCREF 0x1127u
#define PDB_S_LOCAL 0x113eu
#define PDB_S_LPROC32_ID 0x1146u
#define PDB_S_GPROC32_ID 0x1147u
#define PDB_S_INLINESITE 0x114du
#define PDB_S_INLINESITE_END 0x114eu
#define PDB_S_PROC_ID_END 0x114fu
#define PDB_S_LPROC32_DPC 0x1155u
#define PDB_S_LPROC32_DPC_ID 0x1156u
#define PDB_S_INLINESITE2 0x115du

/* A global symbol record reached through the globals GSI. */
struct pdb_global {
    uint16_t kind;        /* PDB_S_PROCREF, PDB_S_LPROCREF, PDB_S_GDATA32, PDB_S_LDATA32, PDB_S_UDT,
                             PDB_S_CONSTANT, PDB_S_GTHREAD32, PDB_S_LTHREAD32, ... */
    const char *name;
    uint32_t type_index;  /* data, UDT and constant records */
    uint16_t segment;     /* data records */
    uint32_t offset;
    uint32_t rva;         /* data records, when has_rva */
    bool has_rva;
    uint32_t module;      /* procref records: 0-based module index */
    uint32_t module_offset; /* procref records: the procedure's offset in that module's stream */
    uint32_t record_offset; /* in the symbol record stream */
};

/* Calls FN for each globals record named NAME (exact) found through the GSI hash; the name is
 * valid during the callback; FN returns false to stop. DD_ERR_NOT_FOUND when none matched. */
struct dd_error *pdb_globals_find_by_name(struct pdb *pdb, const char *name,
                                          bool (*fn)(void *ctx, const struct pdb_global *g),
                                          void *ctx);
/* Calls FN for each record of the globals hash in hash order; FN returns false to stop. */
struct dd_error *pdb_globals_iterate(struct pdb *pdb,
                                     bool (*fn)(void *ctx, const struct pdb_global *g), void *ctx);

/* ---- procedures and module symbols ---- */

struct pdb_proc {
    const char *name;     /* as stored: "Foo::Bar", "main" */
    uint16_t kind;        /* PDB_S_GPROC32, PDB_S_LPROC32, the _ID/_DPC variants, PDB_S_THUNK32 */
    uint32_t rva;
    uint32_t length;
    uint32_t debug_start; /* offset of the end of the prolog */
    uint32_t debug_end;   /* offset of the start of the epilog */
    uint32_t type_index;  /* TPI function type; an IPI id for the _ID kinds (see type_is_id) */
    bool type_is_id;
    uint8_t flags;        /* CV_PROCFLAGS: 0x01 no FPO, 0x02 interrupt return, 0x04 far return,
                             0x08 never returns, 0x10 custom convention, ... */
    uint16_t segment;
    uint32_t offset;
    uint32_t module;      /* 0-based module index */
    uint32_t record_offset; /* offset of the record in the module's symbol stream */
    uint32_t end_offset;  /* offset of the matching S_END (pEnd) */
};

/* Sets ret to the procedure (or thunk) whose code holds RVA; the module's procedure index is built
 * on first use. */
struct dd_error *pdb_find_proc(struct pdb *pdb, uint32_t rva, struct pdb_proc *ret);
/* Sets ret to the procedure at OFFSET of module MODULE's stream (as S_PROCREF gives). */
struct dd_error *pdb_proc_from_ref(struct pdb *pdb, uint32_t module, uint32_t offset,
                                   struct pdb_proc *ret);
/* Sets ret to the procedure named NAME through the globals hash (S_PROCREF/S_LPROCREF); the first
 * one found when several modules define it. */
struct dd_error *pdb_find_proc_by_name(struct pdb *pdb, const char *name, struct pdb_proc *ret);
/* Calls FN for each procedure and thunk of module MODULE in stream order; FN returns false to
 * stop. */
struct dd_error *pdb_module_procs_iterate(struct pdb *pdb, uint32_t module,
                                          bool (*fn)(void *ctx, const struct pdb_proc *proc),
                                          void *ctx);

/* S_FRAMEPROC of a procedure. */
struct pdb_frameproc {
    uint32_t frame_bytes;
    uint32_t pad_bytes;
    uint32_t pad_offset;
    uint32_t saved_regs_bytes;
    uint32_t eh_offset;
    uint16_t eh_section;
    uint32_t flags;       /* bits 14..15 local base register, 16..17 param base register (encoded) */
};

/* Sets ret to the S_FRAMEPROC record of PROC; DD_ERR_NOT_FOUND when it has none. */
struct dd_error *pdb_proc_frameproc(struct pdb *pdb, const struct pdb_proc *proc,
                                    struct pdb_frameproc *ret);

/* Where a local lives. */
enum pdb_loc_kind {
    PDB_LOC_NONE,       /* S_LOCAL without ranges (optimized away) */
    PDB_LOC_REGISTER,   /* S_REGISTER: reg */
    PDB_LOC_REGREL,     /* S_REGREL32: [reg + offset] */
    PDB_LOC_BPREL,      /* S_BPREL32: [frame base + offset] */
    PDB_LOC_RANGES,     /* S_LOCAL: the S_DEFRANGE_* records in ranges[] */
    PDB_LOC_STATIC,     /* S_LDATA32/S_GDATA32 inside a procedure: at rva */
    PDB_LOC_TLS,        /* S_LTHREAD32/S_GTHREAD32 inside a procedure: TLS offset */
    PDB_LOC_CONSTANT,   /* S_CONSTANT: a value the compiler folded (value) */
};

/* A hole in a definition range. */
struct pdb_range_gap {
    uint32_t start;  /* offset from the range start */
    uint32_t length;
};

/* One S_DEFRANGE_* record that follows an S_LOCAL. */
struct pdb_defrange {
    uint16_t kind;          /* the record kind (0x113f..0x1145) */
    uint16_t reg;           /* CV_REG_* (register, subfield register, register-relative base) */
    int32_t offset;         /* frame-pointer or base-register relative offset */
    uint16_t parent_offset; /* subfield kinds: offset within the parent variable */
    bool spilled_udt_member;/* S_DEFRANGE_REGISTER_REL flag */
    bool may_have_no_name;  /* S_DEFRANGE_REGISTER/SUBFIELD_REGISTER attribute */
    bool full_scope;        /* S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE: valid in the whole procedure */
    uint32_t program;       /* S_DEFRANGE/S_DEFRANGE_SUBFIELD: DIA program index */
    uint32_t rva;           /* range start (0 when full_scope) */
    uint32_t length;
    const struct pdb_range_gap *gaps;
    uint32_t gap_count;
};

/* S_LOCAL flags (cvinfo.h CV_LVARFLAGS). */
#define PDB_LOCAL_IS_PARAM 0x0001u
#define PDB_LOCAL_ADDR_TAKEN 0x0002u
#define PDB_LOCAL_COMPILER_GENERATED 0x0004u
#define PDB_LOCAL_IS_AGGREGATE 0x0008u
#define PDB_LOCAL_IS_AGGREGATED 0x0010u
#define PDB_LOCAL_IS_ALIASED 0x0020u
#define PDB_LOCAL_IS_ALIAS 0x0040u
#define PDB_LOCAL_IS_RETURN_VALUE 0x0080u
#define PDB_LOCAL_OPTIMIZED_OUT 0x0100u
#define PDB_LOCAL_ENREG_GLOBAL 0x0200u
#define PDB_LOCAL_ENREG_STATIC 0x0400u

/* Whether a local is a parameter: S_LOCAL says so; the older records do not. */
enum pdb_param_state {
    PDB_PARAM_NO,
    PDB_PARAM_YES,
    PDB_PARAM_UNKNOWN, /* S_REGREL32/S_BPREL32/S_REGISTER: use the procedure's type */
};

/* A parameter or local variable with its location. */
struct pdb_local {
    const char *name;
    uint16_t kind;          /* the record kind */
    uint32_t type_index;
    uint16_t flags;         /* S_LOCAL flags (PDB_LOCAL_*), 0 for other kinds */
    enum pdb_param_state param;
    enum pdb_loc_kind loc;
    uint16_t reg;           /* REGISTER, REGREL */
    int32_t offset;         /* REGREL, BPREL, TLS */
    uint16_t segment;       /* STATIC, TLS */
    uint32_t rva;           /* STATIC */
    int64_t value;          /* CONSTANT (integer leaves; others read 0) */
    const struct pdb_defrange *ranges; /* RANGES */
    uint32_t range_count;
    uint32_t scope_rva;     /* the innermost enclosing block or procedure */
    uint32_t scope_length;
    uint32_t block_depth;   /* 0 in the procedure body, 1 in a block inside it, ... */
    uint32_t inlinee;       /* IPI id of the enclosing inline site, 0 outside one */
    uint32_t record_offset;
};

/* Calls FN for each parameter and local of PROC in record order (blocks and inline sites
 * included; see block_depth and inlinee); the local and its ranges are valid during the
 * callback; FN returns false to stop. */
struct dd_error *pdb_proc_locals(struct pdb *pdb, const struct pdb_proc *proc,
                                 bool (*fn)(void *ctx, const struct pdb_local *local), void *ctx);

/* A code label (S_LABEL32) inside a procedure. */
struct pdb_label {
    const char *name;
    uint32_t rva;
    uint8_t flags;
};

/* Calls FN for each S_LABEL32 of PROC; the name is valid during the callback. */
struct dd_error *pdb_proc_labels(struct pdb *pdb, const struct pdb_proc *proc,
                                 bool (*fn)(void *ctx, const struct pdb_label *label), void *ctx);

/* A call site (S_CALLSITEINFO) or heap allocation site (S_HEAPALLOCSITE) inside a procedure. */
struct pdb_callsite {
    uint16_t kind;
    uint32_t rva;
    uint16_t instr_length; /* heap allocation sites only */
    uint32_t type_index;   /* the callee's function type, or the allocated type */
};

/* Calls FN for each S_CALLSITEINFO and S_HEAPALLOCSITE of PROC. */
struct dd_error *pdb_proc_callsites(struct pdb *pdb, const struct pdb_proc *proc,
                                    bool (*fn)(void *ctx, const struct pdb_callsite *cs),
                                    void *ctx);

/* One inlined call active at an address. */
struct pdb_inline_frame {
    const char *name;       /* the inlinee's name from its IPI LF_FUNC_ID/LF_MFUNC_ID ("?" when
                               the id cannot be read), qualified with its scope or class */
    uint32_t inlinee;       /* the id as the site stores it (bit 31: another module's export,
                               resolved for the name through the cross-scope subsections) */
    const char *file;       /* position inside the inlinee at the address (NULL when unknown) */
    uint32_t line;
    const char *call_file;  /* the call site: the caller's position at the address */
    uint32_t call_line;
    uint32_t range_rva;     /* the annotation range of this site that holds the address */
    uint32_t range_length;
    uint32_t record_offset; /* the S_INLINESITE record in the module stream */
};

/* Fills FRAMES (up to MAX) with the inlined calls active at RVA, outermost first, and sets
 * ret_count to how many were found (0 when RVA is in no inline site). */
struct dd_error *pdb_inline_frames(struct pdb *pdb, uint32_t rva, struct pdb_inline_frame *frames,
                                   uint32_t max, uint32_t *ret_count);

/* One code range of an inline site, decoded from its binary annotations. */
struct pdb_inline_range {
    uint32_t rva;
    uint32_t length;
    uint32_t line;
    const char *file;
};

/* Calls FN with each line range of the inline site at RECORD_OFFSET of module MODULE (an
 * S_INLINESITE or S_INLINESITE2 inside the procedure PROC); FN returns false to stop. */
struct dd_error *pdb_inline_site_ranges(struct pdb *pdb, const struct pdb_proc *proc,
                                        uint32_t record_offset,
                                        bool (*fn)(void *ctx, const struct pdb_inline_range *r),
                                        void *ctx);

/* Sets ret to the name of IPI id ID (LF_FUNC_ID, LF_MFUNC_ID, LF_STRING_ID), scope-qualified. */
struct dd_error *pdb_id_name(struct pdb *pdb, uint32_t id, const char **ret);

/* ---- line numbers (C13) ---- */

struct pdb_line {
    const char *file;     /* from /names via the module's file checksums */
    uint32_t line;        /* 0xfeefee and 0xf00f00 mark hidden code */
    uint32_t line_end;    /* line + end delta */
    bool is_statement;
    uint16_t column_start; /* 0 when the table has no columns */
    uint16_t column_end;
    uint32_t rva;
    uint32_t length;      /* up to the next line entry of the same contribution */
    uint32_t module;
};

/* Sets ret to the line entry whose code holds RVA. */
struct dd_error *pdb_find_line(struct pdb *pdb, uint32_t rva, struct pdb_line *ret);
/* Calls FN for each line entry of the module holding RVA that overlaps [RVA, RVA+LENGTH), in
 * address order; FN returns false to stop. */
struct dd_error *pdb_lines_iterate_range(struct pdb *pdb, uint32_t rva, uint32_t length,
                                         bool (*fn)(void *ctx, const struct pdb_line *line),
                                         void *ctx);
/* Like pdb_lines_iterate_range over PROC's code. */
struct dd_error *pdb_proc_lines(struct pdb *pdb, const struct pdb_proc *proc,
                                bool (*fn)(void *ctx, const struct pdb_line *line), void *ctx);
/* Calls FN for each line entry of module MODULE in address order. */
struct dd_error *pdb_module_lines_iterate(struct pdb *pdb, uint32_t module,
                                          bool (*fn)(void *ctx, const struct pdb_line *line),
                                          void *ctx);

/* A DEBUG_S_FILECHKSMS entry. */
struct pdb_file_checksum {
    const char *name;
    uint8_t kind;         /* 0 none, 1 MD5, 2 SHA1, 3 SHA256 */
    uint8_t size;
    const uint8_t *bytes; /* valid until pdb_destroy */
    uint32_t offset;      /* the entry's offset in the subsection (the id lines refer to) */
};

/* Calls FN for each file checksum entry of module MODULE in order. */
struct dd_error *pdb_module_checksums_iterate(struct pdb *pdb, uint32_t module,
                                              bool (*fn)(void *ctx,
                                                         const struct pdb_file_checksum *c),
                                              void *ctx);
/* Sets ret to the string at OFFSET of the /names stream; DD_ERR_NOT_FOUND without /names. */
struct dd_error *pdb_names_get(struct pdb *pdb, uint32_t offset, const char **ret);

/* ---- frame data (x86) ---- */

/* An FPO_DATA record (winnt.h); the size fields are in the units the record stores. */
struct pdb_fpo {
    uint32_t rva;
    uint32_t size;        /* cbProcSize */
    uint32_t locals;      /* cdwLocals: dwords */
    uint16_t params;      /* cdwParams: dwords */
    uint8_t prolog;       /* cbProlog: bytes */
    uint8_t regs;         /* cbRegs: saved registers */
    bool has_seh;
    bool use_bp;
    uint8_t frame_type;   /* 0 FPO, 1 trap, 2 TSS, 3 non-FPO */
};

/* FrameData flags. */
#define PDB_FRAMEDATA_HAS_SEH 0x1u
#define PDB_FRAMEDATA_HAS_EH 0x2u
#define PDB_FRAMEDATA_FUNCTION_START 0x4u

/* A FrameData ("new FPO") record. */
struct pdb_framedata {
    uint32_t rva;
    uint32_t code_size;
    uint32_t local_size;
    uint32_t params_size;
    uint32_t max_stack_size;
    uint32_t frame_func;  /* offset of the program string in /names */
    const char *program;  /* the program string ("$T0 $ebp = ..."), "" when none */
    uint16_t prolog_size;
    uint16_t saved_regs_size;
    uint32_t flags;       /* PDB_FRAMEDATA_* */
};

/* Sets ret to the FPO record covering RVA (the innermost when records nest). */
struct dd_error *pdb_fpo_find(struct pdb *pdb, uint32_t rva, struct pdb_fpo *ret);
/* Sets ret to the FrameData record covering RVA (the innermost when records nest). */
struct dd_error *pdb_framedata_find(struct pdb *pdb, uint32_t rva, struct pdb_framedata *ret);
/* Calls FN for each FPO record in address order, RVAs translated; FN returns false to stop. */
struct dd_error *pdb_fpo_iterate(struct pdb *pdb, bool (*fn)(void *ctx, const struct pdb_fpo *f),
                                 void *ctx);
/* Calls FN for each FrameData record in address order, RVAs translated; FN returns false to
 * stop. */
struct dd_error *pdb_framedata_iterate(struct pdb *pdb,
                                       bool (*fn)(void *ctx, const struct pdb_framedata *f),
                                       void *ctx);

/* ---- symbols for the debugger ---- */

enum pdb_symbol_source {
    PDB_SYMBOL_PROC,   /* a procedure or thunk from a module stream: name as stored */
    PDB_SYMBOL_PUBLIC, /* S_PUB32: decorated name */
    PDB_SYMBOL_DATA,   /* S_GDATA32/S_LDATA32 from the globals */
};

struct pdb_symbol {
    const char *name;
    enum pdb_symbol_source source;
    uint32_t rva;
    uint32_t length;      /* procedures; 0 when unknown */
    uint32_t type_index;  /* procedures and data; 0 for publics */
    uint32_t flags;       /* publics: PDB_PUBLIC_*; procedures: CV_PROCFLAGS */
    uint32_t module;      /* procedures: 0-based module index; UINT32_MAX otherwise */
};

/* Sets ret to the symbol for RVA: the procedure holding it when there is one, else the public at
 * or below it; source tells which. */
struct dd_error *pdb_find_symbol(struct pdb *pdb, uint32_t rva, struct pdb_symbol *ret);
/* Calls FN for each procedure, public and global data symbol whose name matches the WinDbg
 * wildcard PATTERN (NULL matches all), in address order, without duplicates of address+name;
 * the symbol is valid during the callback; FN returns false to stop. Reads every module. */
struct dd_error *pdb_iterate_symbols(struct pdb *pdb, const char *pattern,
                                     bool (*fn)(void *ctx, const struct pdb_symbol *sym),
                                     void *ctx);

#endif
