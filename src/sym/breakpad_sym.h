/*
 * Breakpad text symbol files (.sym): MODULE, INFO, FILE, INLINE_ORIGIN, FUNC + line records,
 * INLINE, PUBLIC, STACK WIN and STACK CFI. Format: Breakpad docs/symbol_files.md.
 *
 * The file is mapped, not copied: one pass at open indexes FUNC, PUBLIC, STACK WIN and
 * STACK CFI INIT records (sorted by address) and FILE/INLINE_ORIGIN numbers; a function's line
 * and INLINE records, and a CFI INIT's delta records, are kept as a byte range of the file and
 * parsed when that function or address is asked for. Memory grows with the number of records,
 * not with the text. All addresses are RVAs (module-relative), as in the file.
 *
 * Strings returned as (pointer, length) point into the mapping, are not NUL-terminated, and
 * live as long as the breakpad_sym they came from.
 */
#ifndef DD_SYM_BREAKPAD_SYM_H
#define DD_SYM_BREAKPAD_SYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct breakpad_sym;

/* The MODULE and INFO CODE_ID records; owned NUL-terminated copies ("" when absent). */
struct breakpad_module {
    char *os;        /* "windows", "Linux", "mac", ... */
    char *arch;      /* "x86", "x86_64", "arm64", ... */
    char *debug_id;  /* GUID+age in hex, e.g. "5A9832E5287241C1838ED98914E9B7FF1" */
    char *name;      /* debug file name, e.g. "test_app.pdb" (may contain spaces) */
    char *code_id;   /* INFO CODE_ID: TIMESTAMP+SIZEOFIMAGE for PE, "" when absent */
    char *code_file; /* INFO CODE_ID's file name, "" when absent */
};

/* What each record type contributed, and what was skipped. */
struct breakpad_sym_stats {
    size_t funcs, publics, lines, inlines, files, inline_origins;
    size_t stack_win; /* every valid STACK WIN record, whatever its type */
    size_t cfi_init, cfi_delta;
    size_t malformed;            /* records skipped because a field did not parse */
    size_t unknown;              /* records of a type this reader does not know, skipped */
    size_t first_malformed_line; /* 1-based line number of the first malformed record, or 0 */
};

enum breakpad_symbol_kind {
    BREAKPAD_SYMBOL_FUNC,
    BREAKPAD_SYMBOL_PUBLIC,
};

/* A FUNC or PUBLIC record. */
struct breakpad_symbol {
    enum breakpad_symbol_kind kind;
    uint64_t addr;
    /* FUNC: its size. PUBLIC: bytes to the next FUNC or PUBLIC address (0 for the last one). */
    uint64_t size;
    uint32_t param_size;
    bool multiple; /* the "m" flag: identical code folding put several names here */
    const char *name;
    size_t name_len;
};

/* A line record with its source file resolved through the FILE records. */
struct breakpad_line {
    uint64_t addr, size; /* the machine-code range the record covers */
    uint32_t line;
    uint32_t file_num;
    const char *file; /* NULL when no FILE record has file_num */
    size_t file_len;
};

/*
 * One inlined call at an address. The call-site file and line are where the parent frame (the
 * enclosing function for nest level 0, else the next outer inline frame) made the call; the
 * innermost frame's own location is the line record at the address.
 */
struct breakpad_inline_frame {
    uint32_t nest_level;
    uint64_t addr, size; /* the INLINE range that contains the address */
    const char *name;    /* INLINE_ORIGIN name; NULL when the origin number is unknown */
    size_t name_len;
    uint32_t origin_num;
    uint32_t call_line;
    bool has_call_file;  /* false for the older INLINE form without a call-site file number */
    uint32_t call_file_num;
    const char *call_file; /* NULL when absent or no FILE record has call_file_num */
    size_t call_file_len;
};

/* STACK WIN frame types (DIA StackFrameTypeEnum); Breakpad uses only these two. */
#define BREAKPAD_STACK_WIN_FPO 0
#define BREAKPAD_STACK_WIN_FRAME_DATA 4

/* A parsed STACK WIN record. */
struct breakpad_stack_win {
    uint32_t type;
    uint64_t rva;
    uint32_t code_size, prolog_size, epilog_size, params_size, saved_regs_size, locals_size,
        max_stack_size;
    bool has_program_string;
    bool allocates_base_pointer; /* meaningful only without a program string */
    const char *program_string;  /* NULL without one */
    size_t program_string_len;
};

/* One row of STACK CFI: the INIT record or a delta record, and its unparsed rules. */
struct breakpad_cfi_row {
    uint64_t addr;
    const char *rules;
    size_t rules_len;
};

/* The CFI in force at an address: INIT's range, then rows (INIT first, deltas by address). */
struct breakpad_cfi {
    uint64_t init_addr, init_size;
    struct breakpad_cfi_row *rows; /* owned; free with breakpad_cfi_deinit */
    size_t count;
};

/* One "register: expression" pair of a CFI rule string (register without the colon). */
struct breakpad_cfi_rule {
    const char *reg;
    size_t reg_len;
    const char *expr;
    size_t expr_len;
};

/* Maps the .sym file PATH and indexes it into ret; a missing or bad MODULE line is an error. */
struct dd_error *breakpad_sym_open(const char *path, struct breakpad_sym **ret);
/* Like breakpad_sym_open over caller bytes DATA[0..SIZE), which must outlive ret. */
struct dd_error *breakpad_sym_open_memory(const uint8_t *data, size_t size,
                                          struct breakpad_sym **ret);
/* Unmaps and frees SYM; NULL is a no-op. */
void breakpad_sym_destroy(struct breakpad_sym *sym);

/* The module identity from the MODULE and INFO CODE_ID records. */
const struct breakpad_module *breakpad_sym_module(const struct breakpad_sym *sym);
/* Record counts and the count of skipped records. */
const struct breakpad_sym_stats *breakpad_sym_stats(const struct breakpad_sym *sym);

/* Sets ret to the FUNC containing RVA (the innermost when FUNCs overlap); not-found otherwise. */
struct dd_error *breakpad_sym_find_func(const struct breakpad_sym *sym, uint64_t rva,
                                        struct breakpad_symbol *ret);
/*
 * Sets ret to the PUBLIC at or below RVA as Breakpad resolves it: a PUBLIC covers up to the next
 * FUNC start (or PUBLIC); not-found when there is none or a FUNC starts between it and RVA.
 */
struct dd_error *breakpad_sym_find_public(const struct breakpad_sym *sym, uint64_t rva,
                                          struct breakpad_symbol *ret);
/* The FUNC containing RVA, else the PUBLIC covering it (Breakpad's symbol for an address). */
struct dd_error *breakpad_sym_lookup(const struct breakpad_sym *sym, uint64_t rva,
                                     struct breakpad_symbol *ret);
/* Sets ret to the line record covering RVA within its FUNC; not-found otherwise. */
struct dd_error *breakpad_sym_find_line(const struct breakpad_sym *sym, uint64_t rva,
                                        struct breakpad_line *ret);
/*
 * Fills FRAMES (capacity MAX) with the inlined calls at RVA, outermost (nest level 0) first, and
 * sets ret to how many; 0 when RVA's FUNC has no inlined call there. Deeper levels than MAX are
 * dropped.
 */
struct dd_error *breakpad_sym_find_inlines(const struct breakpad_sym *sym, uint64_t rva,
                                           struct breakpad_inline_frame *frames, size_t max,
                                           size_t *ret);
/* Sets ret to the innermost STACK WIN record containing RVA, type 4 preferred over type 0. */
struct dd_error *breakpad_sym_find_stack_win(const struct breakpad_sym *sym, uint64_t rva,
                                             struct breakpad_stack_win *ret);
/*
 * Sets ret to the STACK CFI INIT record containing RVA and the delta records of that INIT with
 * address <= RVA, sorted by address; not-found when no INIT contains RVA.
 */
struct dd_error *breakpad_sym_find_cfi(const struct breakpad_sym *sym, uint64_t rva,
                                       struct breakpad_cfi *ret);
/* Frees CFI's rows; a zeroed CFI is a no-op. */
void breakpad_cfi_deinit(struct breakpad_cfi *cfi);

/* Number of FUNC records (duplicates included), in address order. */
size_t breakpad_sym_func_count(const struct breakpad_sym *sym);
/* Sets ret to the INDEX-th FUNC in address order (INDEX < breakpad_sym_func_count). */
void breakpad_sym_func_at(const struct breakpad_sym *sym, size_t index,
                          struct breakpad_symbol *ret);
/* Number of PUBLIC records (duplicates included), in address order. */
size_t breakpad_sym_public_count(const struct breakpad_sym *sym);
/* Sets ret to the INDEX-th PUBLIC in address order (INDEX < breakpad_sym_public_count). */
void breakpad_sym_public_at(const struct breakpad_sym *sym, size_t index,
                            struct breakpad_symbol *ret);

/*
 * Calls FN for every FUNC and then every PUBLIC (each in address order) whose name matches the
 * WinDbg wildcard PATTERN (case-insensitive '*' and '?'); FN returns false to stop early.
 */
struct dd_error *breakpad_sym_match(const struct breakpad_sym *sym, const char *pattern,
                                    bool (*fn)(void *ctx, const struct breakpad_symbol *sym),
                                    void *ctx);
/*
 * Sets ret to the symbol named NAME: a FUNC before a PUBLIC, an exact-case match before a
 * case-insensitive one, the lowest address among equals; not-found otherwise.
 */
struct dd_error *breakpad_sym_find_name(const struct breakpad_sym *sym, const char *name,
                                        struct breakpad_symbol *ret);

/*
 * Splits a CFI rule string (".cfa: $rsp 8 + .ra: .cfa -8 + ^") into RULES (capacity MAX) and sets
 * ret to the count; errors on an expression without a register, a register without an
 * expression, or more than MAX rules. The pairs point into TEXT.
 */
struct dd_error *breakpad_cfi_rules_parse(const char *text, size_t len,
                                          struct breakpad_cfi_rule *rules, size_t max,
                                          size_t *ret);

/*
 * Sets ret to the malloc'd path of a symbol file in a Breakpad store:
 * ROOT/NAME/DEBUG_ID/NAME-with-.pdb-replaced-by-.sym (".sym" appended to other names). NAME is
 * DEBUG_FILE's last path component; names that could leave ROOT ("", ".", "..") and debug ids
 * that are not alphanumeric are refused.
 */
struct dd_error *breakpad_store_path(const char *root, const char *debug_file,
                                     const char *debug_id, char **ret);

#endif
