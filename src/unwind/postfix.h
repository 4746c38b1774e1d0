/*
 * The postfix (reverse Polish) language of x86 frame programs: Microsoft FrameData ("new FPO")
 * program strings from PDBs, Breakpad STACK WIN program strings and STACK CFI rule expressions
 * (Breakpad docs/symbol_files.md). Example: "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ =
 * $esp $T0 8 + =".
 *
 * Tokens are separated by white space; an '=' glued to the next token ("=$eip") is split, as
 * some MSVC 2010 /LTCG program strings need. Tokens: decimal numbers (a leading '-' negates),
 * names (registers "$ebp", temporaries "$T0", "$L", "$P", CodeView register numbers "$23",
 * constants ".cbLocals", ".raSearch" ...), binary operators + - * / % and @ (align: a & ~(b-1)),
 * unary ^ (dereference: the WIDTH-byte little-endian value at the address), and = (pops a value,
 * then a name starting with '$', and assigns). Arithmetic wraps at WIDTH bytes. Reading a name
 * that has no value, dividing by zero, an operator without enough operands, or (for programs)
 * values left on the stack are errors, as in Breakpad's postfix_evaluator-inl.h.
 *
 * Everything is bounded: POSTFIX_MAX_TOKENS tokens per run, POSTFIX_MAX_DEPTH stack entries,
 * POSTFIX_MAX_VARS names, names shorter than POSTFIX_MAX_NAME bytes.
 */
#ifndef DD_UNWIND_POSTFIX_H
#define DD_UNWIND_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define POSTFIX_MAX_TOKENS 1024 /* real programs have < 100 tokens */
#define POSTFIX_MAX_DEPTH 64    /* evaluation stack entries */
#define POSTFIX_MAX_VARS 48     /* preset and assigned names together */
#define POSTFIX_MAX_NAME 32     /* bytes of a name, NUL included */

/* A value, with where it was read from when it is the unchanged result of a dereference. */
struct postfix_value {
    uint64_t value;
    bool from_memory; /* VALUE was read from target memory at ADDR */
    uint64_t addr;
};

/* One named value. */
struct postfix_var {
    char name[POSTFIX_MAX_NAME];
    struct postfix_value v;
    bool assigned; /* set by a program (postfix_run/postfix_eval), not only preset */
};

/* The evaluator's state: the width, target memory, and the named values. */
struct postfix_machine {
    unsigned width; /* 4 (x86) or 8 bytes */
    /* Reads target memory at ADDR; returns the bytes read (0..LEN). May be NULL: ^ fails. */
    size_t (*read_memory)(void *ctx, uint64_t addr, void *buf, size_t len);
    void *ctx;
    struct postfix_var vars[POSTFIX_MAX_VARS];
    size_t nvars;
};

/* Initializes M with no names for values of WIDTH bytes (4 or 8; others mean 8). */
void postfix_init(struct postfix_machine *m, unsigned width,
                  size_t (*read_memory)(void *ctx, uint64_t addr, void *buf, size_t len),
                  void *ctx);

/* Gives NAME (NUL-terminated) the value VALUE (truncated to the width); errors when M is full
 * or NAME is empty or too long. The name is not marked assigned. */
struct dd_error *postfix_define(struct postfix_machine *m, const char *name, uint64_t value);

/* The variable named NAME[0..LEN), or NULL when M has none. */
const struct postfix_var *postfix_lookup(const struct postfix_machine *m, const char *name,
                                         size_t len);
/* Like postfix_lookup, but NULL unless a program assigned the name. */
const struct postfix_var *postfix_assigned(const struct postfix_machine *m, const char *name);

/*
 * Runs the assignment program TEXT[0..LEN) over M. On success every assignment is kept in M;
 * on error M is left as it was. A failed dereference gives a DD_ERR_MEMORY error whose address
 * is the first unreadable byte; malformed programs give DD_ERR_SYNTAX; a program past one of the
 * POSTFIX_MAX_* limits gives DD_ERR_UNSUPPORTED (docs/limits.md: the frame is flagged).
 */
struct dd_error *postfix_run(struct postfix_machine *m, const char *text, size_t len);

/*
 * Evaluates the expression TEXT[0..LEN), which must leave exactly one value, and sets ret to it
 * (assignments inside it are kept in M). Errors as postfix_run; M unchanged on error.
 */
struct dd_error *postfix_eval(struct postfix_machine *m, const char *text, size_t len,
                              struct postfix_value *ret);

#endif
