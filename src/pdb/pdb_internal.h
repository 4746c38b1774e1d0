/* Shared state of the PDB reader's files (src/pdb/pdb_*.c); not for use outside src/pdb. */
#ifndef DD_PDB_PDB_INTERNAL_H
#define DD_PDB_PDB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/cursor.h"
#include "pdb/msf.h"
#include "pdb/pdb.h"

/* Fixed stream numbers (LLVM "The PDB File Format": stream 1 PDB, 2 TPI, 3 DBI, 4 IPI). */
#define PDB_STREAM_INFO 1u
#define PDB_STREAM_TPI 2u
#define PDB_STREAM_DBI 3u
#define PDB_STREAM_IPI 4u

/* Section contribution substream versions (LLVM DbiStreamSectionContribVersion) and the entry
 * sizes that go with them. */
#define PDB_SC_VER60 (0xeffe0000u + 19970605u)
#define PDB_SC_V2 (0xeffe0000u + 20140516u)
#define PDB_SC_ENTRY_SIZE 28u

/* Largest CodeView record: a 16-bit length plus the length field itself. */
#define PDB_MAX_RECORD (0xffffu + 2u)

/* Lazy state: not tried yet, loaded, or failed (the error is kept). */
enum pdb_lazy { PDB_LAZY_NO, PDB_LAZY_OK, PDB_LAZY_FAILED };

/* One entry of a module's procedure index, sorted by rva (pre-OMAP "source" RVA). */
struct pdb_proc_ref {
    uint32_t src_rva;
    uint32_t length;
    uint32_t record_offset;
};

/* One entry of a module's line index, sorted by src_rva. */
struct pdb_line_ref {
    uint32_t src_rva;
    uint32_t length;
    uint32_t file_id;    /* offset into the module's file checksums */
    uint32_t bits;       /* line start (24), end delta (7), statement (1) */
    uint16_t col_start;
    uint16_t col_end;
};

struct pdb_module_state {
    struct pdb_module_info info;
    enum pdb_lazy loaded;
    struct dd_error *error;
    const uint8_t *syms; /* the symbol substream, signature included (in the stream's view) */
    uint32_t syms_size;
    const uint8_t *c13;  /* the C13 debug subsections (in the stream's view) */
    uint32_t c13_size;
    uint32_t checksums_off; /* DEBUG_S_FILECHKSMS payload within c13, size 0 when absent */
    uint32_t checksums_size;
    enum pdb_lazy procs_state;
    struct pdb_proc_ref *procs;
    uint32_t nprocs;
    enum pdb_lazy lines_state;
    struct pdb_line_ref *lines;
    uint32_t nlines;
};

/* A section contribution reduced to what address lookup needs. */
struct pdb_contrib_ref {
    uint32_t src_rva;
    uint32_t size;
    uint32_t module;
};

struct pdb_omap_entry {
    uint32_t rva;
    uint32_t to;
};

/* A string table in the /names layout (also the DBI EC substream). */
struct pdb_strtab {
    const uint8_t *buf;
    uint32_t size;
};

/* A loaded GSI hash (publics or globals): records and the compressed bucket array. */
struct pdb_gsi {
    enum pdb_lazy state;
    struct dd_error *error;
    uint32_t stream;
    uint32_t hash_offset;  /* where the GSI hash header starts in its stream */
    uint32_t records_at;   /* where the hash records {u32 offset + 1, u32 refs} start */
    uint32_t nrecords;
    uint32_t bucket_map[129]; /* bitmap of non-empty buckets, 4096 + 1 bits */
    uint32_t *buckets;        /* hash record index where each non-empty bucket starts */
    uint32_t nbuckets;
};

struct pdb_intern_slot {
    uint64_t key;
    const char *s;
};

struct pdb {
    struct msf_file *msf;
    const char *name;
    struct dd_arena arena;
    struct pdb_info info;
    /* the named stream map (name offset and stream pairs over the string buffer) */
    char *ns_buf;
    uint32_t ns_buf_size;
    uint32_t *ns_entries;   /* pairs */
    uint32_t ns_count;
    /* DBI */
    bool has_dbi;
    struct pdb_dbi_header dbi;
    uint32_t dbi_size;
    uint32_t mod_off, sc_off, secmap_off, fileinfo_off, tsmap_off, ec_off, dbghdr_off;
    uint32_t nmodules;
    struct pdb_module_state *modules;
    uint8_t *modinfo;       /* the module info substream (names point into it) */
    uint32_t sc_version;
    enum pdb_lazy secmap_state;
    struct pdb_section_map_entry *secmap;
    uint32_t nsecmap;
    enum pdb_lazy fileinfo_state;
    struct dd_error *fileinfo_error;
    uint8_t *fileinfo;
    uint32_t fileinfo_size;
    uint32_t fi_nmods;
    uint32_t *fi_mod_start;  /* per module: first index into fi_name_offsets */
    uint16_t *fi_mod_count;
    uint32_t fi_nfiles;
    uint32_t fi_offsets_at;  /* where the name offsets start in fileinfo */
    uint32_t fi_names_at;    /* where the names buffer starts in fileinfo */
    enum pdb_lazy ec_state;
    struct pdb_strtab ec;
    uint8_t *ec_buf;
    /* sections and OMAP */
    enum pdb_lazy sections_state;
    struct dd_error *sections_error;
    struct pdb_section_header *sections;
    uint32_t nsections;
    struct pdb_section_header *orig_sections;
    uint32_t norig_sections;
    uint64_t image_end;     /* OMAP targets at or past these map nowhere */
    uint64_t orig_end;
    struct pdb_omap_entry *omap_to_src;
    uint32_t nomap_to_src;
    struct pdb_omap_entry *omap_from_src;
    uint32_t nomap_from_src;
    enum pdb_lazy omap_inverse_state;
    struct omap_range *omap_inverse; /* OMAP to source ordered by source address */
    uint32_t nomap_inverse;
    /* section contributions sorted by address */
    enum pdb_lazy contribs_state;
    struct dd_error *contribs_error;
    struct pdb_contrib_ref *contribs;
    uint32_t ncontribs;
    /* /names */
    enum pdb_lazy names_state;
    struct pdb_strtab names;
    /* publics and globals */
    struct pdb_gsi publics_gsi;
    uint32_t publics_addrmap_off; /* in the publics stream */
    uint32_t publics_naddr;
    struct pdb_gsi globals_gsi;
    struct msf_stream symrec;
    bool has_symrec;
    uint8_t *scratch;       /* PDB_MAX_RECORD bytes for one symbol record */
    /* frame data */
    enum pdb_lazy fpo_state;
    struct pdb_fpo *fpo;     /* sorted by source rva */
    uint32_t nfpo;
    enum pdb_lazy fd_state;
    struct pdb_framedata *fd; /* sorted by source rva */
    uint32_t nfd;
    /* IPI/TPI record index (for inlinee names) */
    struct pdb_typeidx {
        enum pdb_lazy state;
        struct msf_stream s;
        uint32_t header_size, begin, end, record_bytes;
        uint32_t *idx_ti, *idx_off; /* index offset buffer: sampled type index -> offset */
        uint32_t nidx;
    } tpi_idx, ipi_idx;
    /* interned strings */
    struct pdb_intern_slot *intern;
    uint32_t intern_cap, intern_count;
};

/* ---- pdb.c: stream helpers and interning ---- */

/* Reads LEN bytes at OFF of stream INDEX into a new malloc'd buffer; errors name WHAT. */
struct dd_error *pdb_stream_copy(struct pdb *pdb, uint32_t index, uint64_t off, uint32_t len,
                                 const char *what, uint8_t **ret);
/* Reads exactly LEN bytes at OFF of S into BUF; errors name WHAT. */
struct dd_error *pdb_stream_read_exact(const struct msf_stream *s, uint64_t off, void *buf,
                                       size_t len, const char *what);
/* Returns a copy of the NUL-terminated string at S (at most MAX bytes) kept until pdb_destroy,
 * the same pointer for the same KEY; NULL when out of memory. */
const char *pdb_intern(struct pdb *pdb, uint64_t key, const uint8_t *s, size_t max);
/* Returns the interned string for KEY, or NULL when none was interned. */
const char *pdb_intern_find(const struct pdb *pdb, uint64_t key);
/* Returns the length of the string at S before a NUL within MAX bytes, or MAX when none. */
size_t pdb_strnlen(const uint8_t *s, size_t max);

/* Keys for pdb_intern: the source in the top byte. */
#define PDB_KEY_SYMREC(off) ((1ull << 56) | (uint64_t)(off))
#define PDB_KEY_MODULE(m, off) ((2ull << 56) | ((uint64_t)(m) << 32) | (uint64_t)(off))
#define PDB_KEY_ID(stream, id) ((3ull << 56) | ((uint64_t)(stream) << 32) | (uint64_t)(id))

/* ---- pdb_info.c ---- */
struct dd_error *pdb_info_parse(struct pdb *pdb);

/* ---- pdb_dbi.c ---- */
struct dd_error *pdb_dbi_parse(struct pdb *pdb);
/* Makes sure module M's streams are loaded; errors are kept in the module state. */
struct dd_error *pdb_module_load(struct pdb *pdb, uint32_t m, struct pdb_module_state **ret);

/* ---- pdb_addr.c ---- */
/* Loads section headers and OMAP on first use; every translation below needs it first. */
struct dd_error *pdb_sections_ready(struct pdb *pdb);
/* Converts SEGMENT:OFFSET to a pre-OMAP ("source") RVA using the original section headers when
 * OMAP is present. */
struct dd_error *pdb_addr_to_src(struct pdb *pdb, uint16_t segment, uint32_t offset, uint32_t *ret);
/* Image RVA -> source RVA (identity without OMAP); false when OMAP maps it nowhere. */
bool pdb_rva_to_src(struct pdb *pdb, uint32_t rva, uint32_t *ret);
/* Source RVA -> image RVA (identity without OMAP); false when OMAP maps it nowhere. */
bool pdb_src_to_rva(struct pdb *pdb, uint32_t src, uint32_t *ret);
/* Sets ret to the module whose contribution holds source RVA SRC. */
struct dd_error *pdb_module_find_by_src(struct pdb *pdb, uint32_t src, uint32_t *ret);

/* ---- pdb_names.c ---- */
/* Parses a names-layout string table (header 0xEFFEEFFE, version, size, buffer...). */
struct dd_error *pdb_strtab_parse(const uint8_t *data, uint32_t size, const char *what,
                                  struct pdb_strtab *ret);
/* Sets ret to the string at OFFSET of T. */
struct dd_error *pdb_strtab_get(const struct pdb_strtab *t, uint32_t offset, const char *what,
                                const char **ret);

/* ---- pdb_gsi.c ---- */
/* The GSI name hash: lhashPbCb / LLVM hashStringV1. */
uint32_t pdb_hash_v1(const char *s, size_t len);
/* Loads the GSI hash at HASH_OFFSET (size HASH_SIZE) of stream STREAM into G. */
struct dd_error *pdb_gsi_load(struct pdb *pdb, struct pdb_gsi *g, uint32_t stream,
                              uint32_t hash_offset, uint32_t hash_size, const char *what);
/* Calls FN with the symbol record offset of each hash record in NAME's bucket (all records when
 * NAME is NULL); FN returns false to stop. */
struct dd_error *pdb_gsi_walk(struct pdb *pdb, const struct pdb_gsi *g, const char *name,
                              bool (*fn)(void *ctx, uint32_t symrec_off), void *ctx);
/* Reads the symbol record at OFF of the symbol record stream into pdb->scratch; sets ret_kind and
 * ret_len (bytes after the kind field) and returns the record's data (after the kind). */
struct dd_error *pdb_symrec_read(struct pdb *pdb, uint32_t off, uint16_t *ret_kind,
                                 uint32_t *ret_len, const uint8_t **ret_data);
struct dd_error *pdb_symrec_open(struct pdb *pdb);

/* ---- pdb_modsyms.c ---- */
/* Fills ret from the procedure record at OFF of module state MS. */
struct dd_error *pdb_proc_decode(struct pdb *pdb, struct pdb_module_state *ms, uint32_t off,
                                 struct pdb_proc *ret);
/* Walks a symbol record header at OFF of a module's symbols: kind, data and record end. */
struct dd_error *pdb_modsym_record(const struct pdb_module_state *ms, uint32_t off,
                                   uint16_t *ret_kind, const uint8_t **ret_data,
                                   uint32_t *ret_len, uint32_t *ret_next);
/* Returns the name at D + AT of the record at OFF (LEN data bytes) of MS, always terminated. */
const char *pdb_modsym_name(struct pdb *pdb, const struct pdb_module_state *ms, uint32_t off,
                            const uint8_t *d, uint32_t len, uint32_t at);
/* Loads module M with its procedure index. */
struct dd_error *pdb_module_procs_ready(struct pdb *pdb, uint32_t m, struct pdb_module_state **ret);
/* Sets ret_off to the record offset of MS's procedure holding source RVA SRC. */
bool pdb_module_proc_at(const struct pdb_module_state *ms, uint32_t src, uint32_t *ret_off);
/* Like pdb_find_proc for a source RVA; also returns the module state. */
struct dd_error *pdb_find_proc_src(struct pdb *pdb, uint32_t src, struct pdb_module_state **ret_ms,
                                   struct pdb_proc *ret);
/* Calls FN for PROC's record and every record inside it with its nesting depth (the procedure at
 * 0, its direct children at 1); scope ends are passed with the depth of the scope they close. */
struct dd_error *pdb_proc_walk(struct pdb *pdb, const struct pdb_proc *proc,
                               struct pdb_module_state **ret_ms,
                               bool (*fn)(void *ctx, struct pdb_module_state *ms, uint32_t off,
                                          uint16_t kind, const uint8_t *d, uint32_t len,
                                          uint32_t depth),
                               void *ctx);
/* True for record kinds that open a scope closed by S_END/S_PROC_ID_END/S_INLINESITE_END. */
bool pdb_symkind_opens_scope(uint16_t kind);
bool pdb_symkind_closes_scope(uint16_t kind);
bool pdb_symkind_is_proc(uint16_t kind);

/* ---- pdb_lines.c ---- */
/* Calls FN with each C13 debug subsection of MS (kind, payload); FN returns false to stop. */
void pdb_c13_walk(const struct pdb_module_state *ms,
                  bool (*fn)(void *ctx, uint32_t kind, const uint8_t *d, uint32_t len), void *ctx);
/* Sets ret to the file name of checksum entry FILE_ID of module MS ("?" when unreadable). */
const char *pdb_module_file_name(struct pdb *pdb, struct pdb_module_state *ms, uint32_t file_id);
/* Finds DEBUG_S_INLINEELINES entry for INLINEE in MS: base line and file id. */
bool pdb_inlinee_lines_find(struct pdb *pdb, struct pdb_module_state *ms, uint32_t inlinee,
                            uint32_t *ret_line, uint32_t *ret_file_id);
/* Sets ret to the line entry of module MS holding source RVA SRC. */
bool pdb_module_line_at(struct pdb *pdb, struct pdb_module_state *ms, uint32_t src,
                        struct pdb_line *ret);

/* ---- pdb_inline.c ---- */
/* Sets ret to the name of inlinee ID as module MS refers to it (cross-module ids resolved). */
struct dd_error *pdb_inlinee_name(struct pdb *pdb, struct pdb_module_state *ms, uint32_t id,
                                  const char **ret);

/* ---- pdb_idname.c ---- */
/* Reads type record TI of STREAM (PDB_STREAM_TPI or PDB_STREAM_IPI) into BUF (PDB_MAX_RECORD
 * bytes; the data after the leaf, NUL-terminated) and sets ret_leaf and ret_len. */
struct dd_error *pdb_typerec_read(struct pdb *pdb, uint32_t stream, uint32_t ti, uint8_t *buf,
                                  uint16_t *ret_leaf, uint32_t *ret_len);
/* Sets ret_size to the bytes a numeric leaf at D (LEN bytes available) occupies; false when it
 * is unknown or runs past LEN. */
bool pdb_numeric_skip(const uint8_t *d, uint32_t len, uint32_t *ret_size);
/* Like pdb_numeric_skip, also decoding integer leaves into ret_value (other leaves read 0). */
bool pdb_numeric_value(const uint8_t *d, uint32_t len, uint32_t *ret_size, int64_t *ret_value);

/* Wraps an error with the PDB name. */
struct dd_error *pdb_error(struct pdb *pdb, enum dd_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
