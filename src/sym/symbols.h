/*
 * The symbol resolver: for each module of a target, finds and loads its symbols on first use
 * (deferred, as WinDbg does) from the symbol path: a matching PDB, else a Breakpad .sym, else the
 * image's export table. Also finds image files (dump memory, image path, symbol stores) so code
 * bytes and unwind data a small dump lacks can be read from them.
 */
#ifndef DD_SYM_SYMBOLS_H
#define DD_SYM_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/writer.h"
#include "core/target.h"

struct pdb;
struct pe_image;
struct breakpad_sym;
struct isf;
struct pdb_types;

/* A module's symbol state, as lm shows it. */
enum symbols_state {
    SYMBOLS_DEFERRED,    /* not tried yet */
    SYMBOLS_NONE,        /* nothing found */
    SYMBOLS_EXPORT,      /* the image's export table */
    SYMBOLS_PDB,         /* a public (stripped) PDB */
    SYMBOLS_PRIVATE_PDB, /* a full PDB: procedures, lines, types */
    SYMBOLS_BREAKPAD,    /* a Breakpad .sym file */
    SYMBOLS_ISF,         /* a Volatility ISF file's symbols and types (the kernel, no PDB) */
};

struct symbols;

/* What an address resolves to. */
struct symbols_hit {
    size_t module;       /* index into target->modules */
    bool has_name;       /* false: only the module is known ("mod+0x1234") */
    char name[1024];     /* display name, undecorated ("Foo::Bar", "main") */
    uint64_t addr;       /* start of the symbol (the module base when !has_name) */
    uint64_t disp;       /* ADDR - addr */
};

/* Source position of an address. */
struct symbols_line {
    char file[1024];
    uint32_t line;
    uint64_t addr;       /* start of the line's code */
};

/* Creates the resolver for T (not owned) with an empty symbol path; installs T's fallback read. */
struct dd_error *symbols_create(struct target *t, struct symbols **ret);
/* Frees S and all loaded files and removes T's fallback read; NULL is a no-op. */
void symbols_destroy(struct symbols *s);

/* Replaces the symbol path with TEXT (WinDbg syntax); modules loaded before stay loaded. */
struct dd_error *symbols_set_path(struct symbols *s, const char *text);
/* Appends TEXT to the symbol path (.sympath+). */
struct dd_error *symbols_append_path(struct symbols *s, const char *text);
/* Returns the symbol path as given (never NULL; "" when empty); owned by S. */
const char *symbols_path_text(struct symbols *s);
/* Replaces / appends the image path (-i, .exepath). */
struct dd_error *symbols_set_image_path(struct symbols *s, const char *text);
struct dd_error *symbols_append_image_path(struct symbols *s, const char *text);
/* Returns the image path as given ("" when empty); owned by S. */
const char *symbols_image_path_text(struct symbols *s);
/* With ON, a PDB whose GUID/age differ is loaded anyway and marked 'M' (SYMOPT_LOAD_ANYTHING). */
void symbols_set_load_anything(struct symbols *s, bool on);
/* Sends a line per probe ("!sym noisy") to W, or stops when W is NULL. */
void symbols_set_noisy(struct symbols *s, struct dd_writer *w);
/* True while noisy output is on. */
bool symbols_noisy(const struct symbols *s);

/* Loads module IDX's symbols if it is still deferred (never fails: failure is SYMBOLS_NONE). */
void symbols_module_load(struct symbols *s, size_t idx);
/* Unloads module IDX (back to deferred); with LOAD_NOW, loads it again at once (.reload /f). */
void symbols_module_reload(struct symbols *s, size_t idx, bool load_now);
/* Returns module IDX's state without loading anything. */
enum symbols_state symbols_module_state(const struct symbols *s, size_t idx);
/* Returns the loaded symbol file's path, or NULL. */
const char *symbols_module_file(const struct symbols *s, size_t idx);
/* Returns lm's status letter for module IDX: ' ', 'C' (checksum zero), 'M' (mismatch allowed). */
char symbols_module_flag(const struct symbols *s, size_t idx);
/* Returns module IDX's image (from dump memory or an image file), loading it on first use; NULL
 * when neither has its headers. Owned by S. */
struct pe_image *symbols_module_image(struct symbols *s, size_t idx);
/* Returns the image file used for module IDX (NULL when the image came from the dump). */
const char *symbols_module_image_file(struct symbols *s, size_t idx);
/* Returns the loaded PDB of module IDX (loading symbols first), or NULL. */
struct pdb *symbols_module_pdb(struct symbols *s, size_t idx);
/* Returns the loaded Breakpad file of module IDX (loading symbols first), or NULL. */
struct breakpad_sym *symbols_module_breakpad(struct symbols *s, size_t idx);

/* Returns the ISF file module IDX's symbols come from (loading symbols first), or NULL. */
struct isf *symbols_module_isf(struct symbols *s, size_t idx);
/* Returns module IDX's types made from its ISF file (built on first use, owned by S), or NULL. */
struct pdb_types *symbols_module_isf_types(struct symbols *s, size_t idx);

/* Resolves ADDR to the nearest symbol at or below it in its module; DD_ERR_NOT_FOUND outside every
 * module. A module without symbols gives has_name == false. */
struct dd_error *symbols_find_by_addr(struct symbols *s, uint64_t addr, struct symbols_hit *ret);
/* Sets ret to the source file and line of ADDR; DD_ERR_NOT_FOUND without line information. */
struct dd_error *symbols_find_line(struct symbols *s, uint64_t addr, struct symbols_line *ret);
/* Resolves "mod!name" or "name" (searched in every module, lowest module first) to an address. */
struct dd_error *symbols_find_by_name(struct symbols *s, const char *name, uint64_t *ret);
/*
 * Calls FN for each symbol whose module matches MODULE_PATTERN and name matches NAME_PATTERN
 * (WinDbg wildcards), module by module in address order; NAME is valid during the callback.
 * FN returns false to stop.
 */
struct dd_error *symbols_iterate(struct symbols *s, const char *module_pattern,
                                 const char *name_pattern,
                                 bool (*fn)(void *ctx, size_t module, const char *name,
                                            uint64_t addr, uint64_t size),
                                 void *ctx);

struct unwind_x86_frame_info;
/* The x86 unwinder's frame-data source (struct unwind_x86_frame_info_source.find) with CTX the
 * struct symbols: PDB FrameData/FPO, else Breakpad STACK WIN/CFI at ADDR; false when none. */
bool symbols_x86_frame_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret);
/* The Breakpad half of symbols_x86_frame_info: STACK WIN (else the FUNC/PUBLIC parameter size) and
 * STACK CFI rows of SYM at module-relative RVA; false when the file has none of them there. */
bool symbols_breakpad_x86_frame_info(struct breakpad_sym *sym, uint64_t rva,
                                     struct unwind_x86_frame_info *ret);

/* Writes the display form of PDB/Breakpad NAME as WinDbg shows it into BUF: publics undecorated,
 * Breakpad parameter lists dropped. X86 selects the 32-bit public-name rules. */
void symbols_display_name(const char *name, bool is_public, bool x86, char *buf, size_t len);

#endif
