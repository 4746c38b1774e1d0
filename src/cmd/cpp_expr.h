/*
 * The C++ expression evaluator (`??`, `@@c++()`), for what people ask of a dump: typed
 * variables and registers, casts to PDB types, member access, indexing, sizeof, pointer
 * arithmetic, C operators with C precedence. Values keep their types (from the module's PDB
 * TPI stream) so `??` can print them the way WinDbg does.
 */
#ifndef DD_CMD_CPP_EXPR_H
#define DD_CMD_CPP_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/writer.h"
#include "cmd/cmd_types.h"
#include "cmd/cmd_vars.h"
#include "cmd/session.h"

/* A type: INDEX of TYPES (or a simple index, TYPES may then be NULL) with PTRS pointer levels on
 * top, for pointers the PDB has no record of ("&x", an array that decays to a pointer). */
struct cpp_type {
    struct pdb_types *types;
    uint32_t index;
    unsigned ptrs;
};

/* A value: an object in target memory (an lvalue at addr) or a computed scalar (bits). */
struct cpp_value {
    struct cpp_type type;
    bool is_lvalue;
    uint64_t addr; /* lvalues */
    uint64_t bits; /* rvalues: the integer or pointer, zero- or sign-extended to 64 bits */
};

enum cpp_kind {
    CPP_KIND_VOID,
    CPP_KIND_INT, /* integers, chars, bools, enums */
    CPP_KIND_REAL,
    CPP_KIND_PTR,
    CPP_KIND_ARRAY,
    CPP_KIND_UDT,
    CPP_KIND_FUNC,
    CPP_KIND_OTHER,
};

/* What a type is: its kind, size and signedness, and for pointers and arrays the type pointed
 * at or held. */
struct cpp_info {
    enum cpp_kind kind;
    uint64_t size;
    bool is_signed;
    uint32_t under;         /* the type index with modifiers and aliases skipped */
    struct cpp_type target; /* pointers: the pointee; arrays: the element */
    uint64_t count;         /* arrays: elements */
};

/* One evaluation context: the session, the type streams it opened, the current frame's
 * variables (collected on first use). */
struct cpp_eval {
    struct session *s;
    struct cmd_types types;
    bool frame_tried;
    bool have_frame;
    struct cmd_frames frames;
    struct cmd_frame_vars vars;
    int depth; /* recursion guard */
};

/* Prepares E over S. Errors only when out of memory. */
struct dd_error *cpp_eval_init(struct cpp_eval *e, struct session *s);
/* Frees what E opened; E may be zeroed. */
void cpp_eval_deinit(struct cpp_eval *e);

/*
 * Evaluates the C++ expression at the start of TEXT into ret; sets *END (when not NULL) to the
 * first character not consumed. Errors are DD_ERR_SYNTAX with WinDbg's "... error at '...'"
 * text, DD_ERR_NOT_FOUND for unknown names and types, DD_ERR_MEMORY for unreadable values.
 */
struct dd_error *cpp_eval_expr(struct cpp_eval *e, const char *text, const char **end,
                               struct cpp_value *ret);
/* Sets ret to V as a number for commands and MASM: integers and pointers by value, objects
 * (structures, arrays) by address. */
struct dd_error *cpp_value_number(struct cpp_eval *e, const struct cpp_value *v, uint64_t *ret);
/* Decodes type T into ret. Errors for malformed type records. */
struct dd_error *cpp_type_info(struct cpp_eval *e, const struct cpp_type *t, struct cpp_info *ret);
/* Replaces V by its scalar value when it is an integer, pointer or float object in memory
 * (arrays and functions become pointers); structures stay objects. DD_ERR_MEMORY when the
 * bytes are not in the dump. */
struct dd_error *cpp_value_load(struct cpp_eval *e, struct cpp_value *v);
/* Appends V's type as `??` names it ("struct _PEB *", "unsigned int64") to OUT. */
void cpp_type_name(struct cpp_eval *e, const struct cpp_type *t, struct dd_strbuf *out);
/* Sets ret to sizeof(T); DD_ERR_UNSUPPORTED for functions and void. */
struct dd_error *cpp_type_size(struct cpp_eval *e, const struct cpp_type *t, uint64_t *ret);

/* Evaluates TEXT (all of it) as a C++ expression to a number, for MASM's @@c++(...). */
struct dd_error *cpp_expr_eval_number(struct session *s, const char *text, uint64_t *ret);

#endif
