/* Internals shared by the Breakpad .sym indexer, its lookups and its record parsers. */
#ifndef DD_SYM_BREAKPAD_INTERNAL_H
#define DD_SYM_BREAKPAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mapfile.h"
#include "sym/breakpad_sym.h"

/*
 * An address range [addr, end) and the largest end of any range at or before it in sorted
 * order, so a backwards search knows when no earlier range can reach an address. The first
 * member of every indexed record.
 */
struct bp_span {
    uint64_t addr, end, max_end;
};

struct bp_func {
    struct bp_span span;
    size_t rec_off; /* the FUNC line; orders duplicates by file position */
    size_t name_off, name_len;
    size_t body_off, body_end; /* its line and INLINE records; body_end == 0 when none */
    uint32_t param_size;
    bool multiple;
};

struct bp_public {
    uint64_t addr;
    size_t name_off, name_len; /* name_off also orders duplicates by file position */
    uint32_t param_size;
    bool multiple;
};

/* A FILE or INLINE_ORIGIN record: number -> name. */
struct bp_named {
    uint32_t num;
    size_t off, len;
};

/* A STACK WIN record, parsed again from its line when asked for. */
struct bp_win {
    struct bp_span span;
    size_t rec_off, rec_len;
};

/* A STACK CFI INIT record and the byte range holding its delta records. */
struct bp_cfi {
    struct bp_span span;
    size_t rec_off;
    size_t rules_off, rules_len;
    size_t delta_off, delta_end; /* delta_end == 0 when none */
};

struct breakpad_sym {
    struct dd_mapfile map;
    const char *text;
    size_t size;
    struct breakpad_module module;
    struct breakpad_sym_stats stats;
    struct bp_func *funcs;
    size_t nfuncs;
    struct bp_public *publics;
    size_t npublics;
    struct bp_named *files, *origins; /* sorted by number */
    size_t nfiles, norigins;
    struct bp_win *win4, *win0; /* FRAME_DATA and FPO records */
    size_t nwin4, nwin0;
    struct bp_cfi *cfi;
    size_t ncfi;
};

/* breakpad_index.c: builds SYM's index over its text; errors only for MODULE or memory. */
struct dd_error *bp_index_build(struct breakpad_sym *sym);

/* Index of the innermost span containing RVA in N sorted spans of STRIDE bytes, or SIZE_MAX. */
size_t bp_span_find(const void *base, size_t n, size_t stride, uint64_t rva);

/* ---- breakpad_record.c: tokens and record parsers over one line of text ---- */

/* The unread part of one line (no line terminator). */
struct bp_fields {
    const char *p, *end;
};

enum bp_kind {
    BP_EMPTY,
    BP_UNKNOWN,
    BP_MODULE,
    BP_INFO,
    BP_FILE,
    BP_INLINE_ORIGIN,
    BP_FUNC,
    BP_INLINE,
    BP_LINE,
    BP_PUBLIC,
    BP_STACK_WIN,
    BP_CFI_INIT,
    BP_CFI_DELTA,
};

/*
 * Sets LINE and LEN to the line starting at *POS in TEXT[0..SIZE) without its line end, and
 * moves *POS past it; false at the end of the text.
 */
bool bp_line_next(const char *text, size_t size, size_t *pos, const char **line, size_t *len);
/* Classifies a line by its keyword(s), leaving F after them (at the start for line records). */
enum bp_kind bp_classify(struct bp_fields *f);
/* Sets TOK and LEN to the next space-separated token; false when none is left. */
bool bp_token(struct bp_fields *f, const char **tok, size_t *len);
/* Sets S and N to the rest of the line after leading spaces; false when that is empty. */
bool bp_rest(struct bp_fields *f, const char **s, size_t *n);
/* Hex number of at most 64 bits (no prefix). */
bool bp_hex64(const char *s, size_t n, uint64_t *ret);
/* Decimal number of at most 32 bits. */
bool bp_dec32(const char *s, size_t n, uint32_t *ret);

struct bp_func_rec {
    uint64_t addr, size;
    uint32_t param_size;
    bool multiple;
    const char *name;
    size_t name_len;
};
/* FUNC [m] address size param_size name (F after "FUNC"). */
bool bp_parse_func(struct bp_fields *f, struct bp_func_rec *ret);
/* PUBLIC [m] address param_size name (F after "PUBLIC"); size is left 0. */
bool bp_parse_public(struct bp_fields *f, struct bp_func_rec *ret);
/* FILE / INLINE_ORIGIN: number name (F after the keyword). */
bool bp_parse_named(struct bp_fields *f, uint32_t *num, const char **name, size_t *len);

struct bp_line_rec {
    uint64_t addr, size;
    uint32_t line, file;
};
/* address size line filenum. */
bool bp_parse_line(struct bp_fields *f, struct bp_line_rec *ret);

struct bp_inline_rec {
    uint32_t nest_level, call_line, call_file, origin;
    bool has_call_file;
    struct bp_fields ranges; /* the "address size" pairs, for bp_inline_range_next */
};
/* INLINE nest_level call_line [call_file] origin (address size)+ (F after "INLINE"). */
bool bp_parse_inline(struct bp_fields *f, struct bp_inline_rec *ret);
/* Next range of a parsed INLINE record; false after the last. */
bool bp_inline_range_next(struct bp_fields *ranges, uint64_t *addr, uint64_t *size);

/* STACK WIN ... (F after "STACK WIN"). */
bool bp_parse_stack_win(struct bp_fields *f, struct breakpad_stack_win *ret);
/* STACK CFI INIT address size rules (F after "INIT"). */
bool bp_parse_cfi_init(struct bp_fields *f, uint64_t *addr, uint64_t *size, const char **rules,
                       size_t *rules_len);
/* STACK CFI address rules (F after "CFI"). */
bool bp_parse_cfi_delta(struct bp_fields *f, uint64_t *addr, const char **rules,
                        size_t *rules_len);

#endif
