/* MSVC name undecorator internals: the parse tree shared by the parser (undname_parse.c) and the
 * two printers (undname_print.c). Not part of the public API; see undname.h. */
#ifndef DD_SYM_UNDNAME_INTERNAL_H
#define DD_SYM_UNDNAME_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* Limits that keep hostile input from recursing, allocating or printing without bound. */
#define UND_MAX_DEPTH 48     /* nested types/names/symbols at once */
#define UND_MAX_NODES 20000  /* parse-tree nodes per name */
#define UND_MAX_OUTPUT 32768 /* characters of undecorated text; longer output counts as invalid */
#define UND_MAX_BACKREFS 10  /* the mangling has ten back-reference slots of each kind (0-9) */

enum und_kind {
    /* identifiers: one component of a qualified name */
    UND_ID_NAMED,        /* text, + template arguments */
    UND_ID_ANON_NS,      /* `anonymous namespace' */
    UND_ID_LOCAL_SCOPE,  /* `<symbol>'::`N' (scope of a function-local entity) */
    UND_ID_INTRINSIC,    /* operator or compiler-generated function; text from a table */
    UND_ID_STRUCTOR,     /* constructor or destructor; name is the enclosing class identifier */
    UND_ID_CONVERSION,   /* operator <type>; type is filled from the function's return type */
    UND_ID_LITERAL_OP,   /* operator ""text */
    UND_ID_VCALL,        /* `vcall'{N, {flat}} */
    UND_ID_RTTI_BCD,     /* `RTTI Base Class Descriptor at (a, b, c, d)' */
    UND_ID_GUARD,        /* `local static guard'{N} */
    UND_ID_DYN_STRUCTOR, /* `dynamic initializer for ...' / `dynamic atexit destructor for ...' */
    UND_QNAME,           /* list of identifiers, outermost first */
    /* types */
    UND_TY_PRIMITIVE,
    UND_TY_TAG,      /* class/struct/union/enum; name */
    UND_TY_POINTER,  /* pointer or reference; type = pointee, parent = class of a member pointer */
    UND_TY_ARRAY,    /* type = element; nums = dimensions */
    UND_TY_FUNCTION, /* function signature (also the signature of a function symbol) */
    UND_TY_CUSTOM,   /* ?<name>@ */
    /* template arguments that are not types */
    UND_ARG_INT,    /* integer literal */
    UND_ARG_SYMREF, /* &symbol, symbol, or {symbol, offsets...} */
    /* symbols: the root of a parse */
    UND_SYM_FUNCTION, /* name + type (UND_TY_FUNCTION) */
    UND_SYM_VARIABLE, /* name + type (may be NULL) */
    UND_SYM_TABLE,    /* vftable & co: name, quals, parent = "for" target name or NULL */
    UND_SYM_STRING,   /* string literal */
    UND_SYM_MD5,      /* ??@hash@: text */
    UND_SYM_GUARD,    /* local static guard variable: name */
};

/* cv-qualifiers and pointer extended qualifiers */
#define UND_Q_CONST 0x1u
#define UND_Q_VOLATILE 0x2u
#define UND_Q_RESTRICT 0x4u
#define UND_Q_UNALIGNED 0x8u
#define UND_Q_PTR64 0x10u

/* Function class bits (MS ABI <function-class>). */
#define UND_FC_PUBLIC 0x1u
#define UND_FC_PROTECTED 0x2u
#define UND_FC_PRIVATE 0x4u
#define UND_FC_GLOBAL 0x8u
#define UND_FC_STATIC 0x10u
#define UND_FC_VIRTUAL 0x20u
#define UND_FC_FAR 0x40u
#define UND_FC_EXTERN_C 0x80u
#define UND_FC_NO_PARAMS 0x100u
#define UND_FC_VTHIS_ADJUST 0x200u
#define UND_FC_VTHIS_ADJUST_EX 0x400u
#define UND_FC_STHIS_ADJUST 0x800u

enum und_cc {
    UND_CC_NONE,
    UND_CC_CDECL,
    UND_CC_PASCAL,
    UND_CC_THISCALL,
    UND_CC_STDCALL,
    UND_CC_FASTCALL,
    UND_CC_CLRCALL,
    UND_CC_EABI,
    UND_CC_VECTORCALL,
    UND_CC_SWIFT,
    UND_CC_SWIFT_ASYNC,
};

enum und_affinity { UND_PTR, UND_REF, UND_RREF };
enum und_tag { UND_TAG_CLASS, UND_TAG_STRUCT, UND_TAG_UNION, UND_TAG_ENUM };
enum und_storage {
    UND_SC_NONE,
    UND_SC_PRIVATE_STATIC,
    UND_SC_PROTECTED_STATIC,
    UND_SC_PUBLIC_STATIC,
    UND_SC_GLOBAL,
    UND_SC_LOCAL_STATIC
};

struct und_node;

struct und_list {
    struct und_node *node;
    struct und_list *next;
};

struct und_node {
    enum und_kind kind;
    unsigned quals;
    const char *text; /* NAMED/LITERAL_OP/MD5 text, INTRINSIC operator text (not NUL-terminated) */
    size_t text_len;
    const char *key; /* back-reference identity of an identifier: its mangled spelling */
    size_t key_len;
    int has_targs; /* the identifier has a template argument list (possibly empty) */
    struct und_list *targs;
    struct und_list *list;   /* QNAME components (outermost first); function parameters */
    size_t count;            /* entries in list */
    struct und_node *name;   /* qualified name of a symbol/tag/custom type; class of a structor */
    struct und_node *type;   /* variable type, pointee, array element, return type, conversion
                              * target, signature of a function symbol */
    struct und_node *parent; /* member-pointer class; special-table "for" target */
    struct und_node *symbol; /* LOCAL_SCOPE and SYMREF symbol; DYN_STRUCTOR variable */
    const uint64_t *dims;    /* array dimensions (num_count of them) */
    uint64_t nums[4];        /* RTTI numbers */
    int64_t snums[4];        /* this-adjustments, template-argument offsets, RTTI vbptr offset */
    size_t num_count;        /* array rank, or entries used in snums */
    uint64_t value;          /* ARG_INT magnitude, VCALL offset, GUARD scope index, scope number */
    int negative;            /* ARG_INT sign */
    int flag;                /* destructor / thread guard / params-are-void / is-reference symref */
    unsigned fclass;
    enum und_cc cc;
    int refqual; /* 0, 1 (&), 2 (&&) */
    int variadic;
    int noexcept_;
    enum und_affinity affinity;
    enum und_tag tag;
    int prim; /* index into the primitive name table */
    enum und_storage storage;
    int params_void; /* function parameter list is (void) */
};

struct und_backrefs {
    struct und_node *names[UND_MAX_BACKREFS];
    size_t names_count;
    struct und_node *params[UND_MAX_BACKREFS];
    size_t params_count;
};

struct und_parser {
    const char *p;
    const char *end;
    struct dd_arena *arena;
    int error;
    int oom;
    unsigned depth;
    unsigned nodes;
    struct und_backrefs br;
};

/* Parses one complete symbol from P->p (trailing characters are left unread, as MSVC's and LLVM's
 * undecorators do); returns the symbol or NULL with P->error set. */
struct und_node *und_parse_symbol(struct und_parser *p);

/* Parser internals shared by undname_parse.c, undname_types.c and undname_symbols.c. Every
 * function that returns a node returns NULL (or a partial node) with P->error set on failure. */

/* How a type's leading cv-qualifiers are mangled (LLVM's QualifierMangleMode). */
enum und_qual_mode { UND_QM_DROP, UND_QM_MANGLE, UND_QM_RESULT };

/* Whether the input is used up. */
int und_at_end(const struct und_parser *p);
/* The next character, or '\0' at the end. */
char und_peek(const struct und_parser *p);
/* Takes the next character; at the end sets P->error and returns '\0'. */
char und_pop(struct und_parser *p);
/* Whether the input continues with S. */
int und_starts(const struct und_parser *p, const char *s);
/* Takes S if the input continues with it; returns whether it did. */
int und_consume(struct und_parser *p, const char *s);
/* Takes C if it is next; returns whether it did. */
int und_consume_char(struct und_parser *p, char c);
/* Whether the next character is a decimal digit (a back-reference). */
int und_starts_digit(const struct und_parser *p);
/* Offset of the next C from the cursor, or -1. */
long und_find_char(const struct und_parser *p, char c);
/* A zeroed node of KIND, or NULL when the node cap or memory runs out (P->error set). */
struct und_node *und_new_node(struct und_parser *p, enum und_kind kind);
/* A list cell holding NODE, or NULL when out of memory. */
struct und_list *und_new_cell(struct und_parser *p, struct und_node *node);
/* Enters one level of recursion; returns 0 (P->error set) past UND_MAX_DEPTH. */
int und_enter(struct und_parser *p);
/* Leaves the level und_enter entered. */
void und_leave(struct und_parser *p);
/* <number>: a digit 0-9 meaning 1-10 or hex digits A-P ending in @, after an optional ? that sets
 * *NEGATIVE; returns the magnitude. */
uint64_t und_parse_number(struct und_parser *p, int *negative);
/* A <number> that must not be negative. */
uint64_t und_parse_unsigned(struct und_parser *p);
/* A <number> that fits int64_t, with its sign applied. */
int64_t und_parse_signed(struct und_parser *p);
/* Adds identifier IDENT to the name back-references 0-9 unless full or already there. */
void und_memorize(struct und_parser *p, struct und_node *ident);
/* cv-qualifiers A-D (non-member) or Q-T (member, *IS_MEMBER set); returns UND_Q_* bits. */
unsigned und_parse_qualifiers(struct und_parser *p, int *is_member);
/* Pointer extended qualifiers E (__ptr64), I (__restrict), F (__unaligned). */
unsigned und_parse_ptr_ext_quals(struct und_parser *p);
/* A calling convention letter; unknown letters give UND_CC_NONE. */
enum und_cc und_parse_cc(struct und_parser *p);
/* A NAMED identifier with TEXT (not copied) as name and back-reference key. */
struct und_node *und_make_named(struct und_parser *p, const char *text, size_t len);
/* The enclosing scopes after IDENT up to the terminating @; returns the QNAME. */
struct und_node *und_parse_name_scope_chain(struct und_parser *p, struct und_node *ident);
/* The innermost (last) identifier of QNAME QN, or NULL. */
struct und_node *und_last_component(const struct und_node *qn);
/* A symbol's qualified name; a constructor/destructor is tied to its class. */
struct und_node *und_parse_fq_symbol_name(struct und_parser *p);
/* A type's unqualified name: back-reference, template or simple name (memorized if MEMO). */
struct und_node *und_parse_unqualified_type_name(struct und_parser *p, int memo);
/* A type's qualified name. */
struct und_node *und_parse_fq_type_name(struct und_parser *p);
/* A type, its leading qualifiers mangled per QM. */
struct und_node *und_parse_type(struct und_parser *p, enum und_qual_mode qm);
/* A function signature (after the function class), with this-qualifiers if HAS_THIS_QUALS. */
struct und_node *und_parse_function_type(struct und_parser *p, int has_this_quals);

/* Primitive type names indexed by und_node.prim. */
extern const char *const und_primitive_names[];

enum und_style {
    UND_STYLE_FULL,      /* complete declaration, LLVM llvm-undname spelling */
    UND_STYLE_NAME_ONLY, /* [scope::]name<args> as dbghelp/WinDbg show it (MSVC spelling) */
};

struct und_out {
    char *buf;
    size_t len;
    size_t cap;
    int overflow; /* output passed UND_MAX_OUTPUT */
    int oom;
};

/* Appends the undecorated text of SYM in STYLE to OUT. */
void und_print_symbol(struct und_out *out, const struct und_node *sym, enum und_style style);

#endif
