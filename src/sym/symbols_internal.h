/* Shared state of symbols.c (loading) and symbols_lookup.c (queries). */
#ifndef DD_SYM_SYMBOLS_INTERNAL_H
#define DD_SYM_SYMBOLS_INTERNAL_H

#include "sym/symbols.h"
#include "sym/sympath.h"

struct symsrv_http;

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

#endif
