/* Shared state of symbols.c (loading) and symbols_lookup.c (queries). */
#ifndef DD_SYM_SYMBOLS_INTERNAL_H
#define DD_SYM_SYMBOLS_INTERNAL_H

#include "sym/symbols.h"
#include "sym/sympath.h"

struct symsrv_http;
struct symbols_isf;
struct pe_codeview;

/* Reads one module's bytes from the dump for a memory-layout pe_image. */
struct symbols_image_reader {
    struct target *t;
    uint64_t base;
};

struct symbols_module {
    enum symbols_state state;
    bool mismatch;        /* a mismatched symbol file was loaded on request */
    char *symbol_file;    /* path of the loaded PDB or .sym */
    struct pdb *pdb;
    struct breakpad_sym *breakpad;
    struct symbols_isf *isf; /* an ISF file's symbols (the kernel without its PDB) */
    struct symbols_image_reader reader;
    struct pe_image *mem_image;  /* headers from dump memory */
    bool mem_image_tried;
    struct pe_image *file_image; /* a matching image file */
    char *image_file;
    bool file_image_tried;
};

struct symbols {
    struct target *target;
    bool x86;             /* 32-bit x86 public-name rules */
    struct sympath *path;
    char *path_text;
    struct sympath *image_path;
    char *image_path_text;
    struct symsrv_http *http;
    bool http_failed;
    struct dd_writer *noisy;
    bool load_anything;   /* SYMOPT_LOAD_ANYTHING: accept mismatched PDBs (flag 'M') */
    struct symbols_module *mods; /* one per target module */
};

/* Prints a "!sym noisy" line when noisy output is on. */
void symbols_log(struct symbols *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Looks for module IDX's image file on the image and symbol paths (once). */
void symbols_find_image_file(struct symbols *s, size_t idx);

/* Sets ret to module IDX's CodeView identity: the dump's module record, else the image's. */
bool symbols_module_codeview(struct symbols *s, size_t idx, struct pe_codeview *ret);

/* symbols_isf.c: for the kernel module IDX without a PDB, loads the ISF file the symbol path has
 * for it (by PDB identity, else by the dump's symbol addresses); false when there is none. */
bool symbols_isf_load(struct symbols *s, size_t idx);
/* Frees X; NULL is a no-op. */
void symbols_isf_destroy(struct symbols_isf *x);
/* Sets ret_name (owned by X) and ret_rva to the nearest symbol at or below RVA; false if none. */
bool symbols_isf_find_by_rva(const struct symbols_isf *x, uint64_t rva, const char **ret_name,
                             uint32_t *ret_rva);
/* Sets ret to the address of symbol NAME (exact) in the image at BASE of SIZE bytes. */
bool symbols_isf_find_by_name(const struct symbols_isf *x, const char *name, uint64_t base,
                              uint64_t size, uint64_t *ret);
/* Calls FN for each address-indexed symbol in address order; false when FN stopped it. */
bool symbols_isf_each(const struct symbols_isf *x,
                      bool (*fn)(void *ctx, const char *name, uint32_t rva), void *ctx);

#endif
