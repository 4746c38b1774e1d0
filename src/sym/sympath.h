/*
 * WinDbg symbol paths: "dir;srv*cache*https://server;cache*dir;..." parsed into elements.
 *
 * Syntax (keywords case-insensitive, ';' separates elements, '*' separates the parts of one,
 * whitespace around elements and parts is trimmed, "double quotes" protect ';', '*' and spaces):
 *   DIR                          a plain directory: DIR/NAME, DIR/symbols/EXT/NAME, DIR/EXT/NAME
 *   srv*T1*T2*...                a symbol-server chain; each tier is a local store directory or an
 *                                http(s):// URL, searched left to right; a file found in a tier is
 *                                copied into the local tiers before it
 *   srv**URL                     an empty first tier is the default downstream store
 *   srv*URL                      a chain starting with a URL gets the default downstream store in
 *                                front of it (implicitly; a cache* in effect replaces it)
 *   srv*                         default downstream store + https://msdl.microsoft.com/download/symbols
 *   symsrv*symsrv.dll*T1*...     the same as srv*T1*... (the DLL name is ignored)
 *   cache*DIR, cache*            a cache (store) for the elements after it; empty DIR is the default
 *   https://server               a bare URL element is read as srv*https://server
 * The default downstream store is $XDG_CACHE_HOME/dumpdbg/symbols, or ~/.cache/dumpdbg/symbols
 * when XDG_CACHE_HOME is unset or not absolute (see sympath_default_store).
 * Windows paths (C:\x, \\server\share) are kept for display but flagged foreign: the finder skips
 * them, and a chain whose local tiers are all foreign downloads into the default store.
 */
#ifndef DD_SYM_SYMPATH_H
#define DD_SYM_SYMPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* The Microsoft public symbol server, used by "srv*" and .symfix. */
#define SYMPATH_MSDL_URL "https://msdl.microsoft.com/download/symbols"

enum sympath_elem_kind {
    SYMPATH_ELEM_DIR,   /* a plain directory */
    SYMPATH_ELEM_SRV,   /* srv*, symsrv*, or a bare URL */
    SYMPATH_ELEM_CACHE, /* cache*DIR */
};

enum sympath_tier_kind {
    SYMPATH_TIER_DIR,     /* a local store directory */
    SYMPATH_TIER_URL,     /* an http:// or https:// symbol server */
    SYMPATH_TIER_DEFAULT, /* the default downstream store */
};

struct sympath_tier {
    enum sympath_tier_kind kind;
    char *location; /* DIR or URL (no trailing '/'); NULL for DEFAULT */
    bool implicit;  /* a DEFAULT tier the parser put before a leading URL; not shown by format */
    bool foreign;   /* a Windows drive-letter or UNC path, unusable on this host */
};

struct sympath_elem {
    enum sympath_elem_kind kind;
    char *text;                 /* the element as written, trimmed (for the original display) */
    char *dir;                  /* DIR: the directory; CACHE: the directory or NULL for default */
    bool foreign;               /* DIR/CACHE: a Windows path */
    struct sympath_tier *tiers; /* SRV: the chain, nearest first */
    size_t tier_count;
};

struct sympath {
    struct sympath_elem *elems;
    size_t count;
};

/* Parses TEXT into a new path in ret (empty TEXT gives an empty path); errors on bad syntax. */
struct dd_error *sympath_parse(const char *text, struct sympath **ret);

/* Frees P and everything it owns; NULL is a no-op. */
void sympath_destroy(struct sympath *p);

/* Parses TEXT and appends its elements to P (.sympath+); P is unchanged on error. */
struct dd_error *sympath_append(struct sympath *p, const char *text);

enum sympath_format_style {
    SYMPATH_FORMAT_ORIGINAL, /* elements as written: "Symbol search path is: ..." */
    SYMPATH_FORMAT_EXPANDED, /* normalized: "SRV*dir*url", "cache*dir", quoted where needed */
};

/* Sets ret to a new string with P in STYLE, elements joined by ';' ("" for an empty path). */
struct dd_error *sympath_format(const struct sympath *p, enum sympath_format_style style,
                                char **ret);

/*
 * Sets ret to the path the environment gives: ALT (_NT_ALT_SYMBOL_PATH) first, then NT
 * (_NT_SYMBOL_PATH), joined by ';'; either may be NULL or empty; ret is "" when both are.
 */
struct dd_error *sympath_compose_env(const char *nt, const char *alt, char **ret);

/*
 * Sets ret to the default downstream store: $XDG_CACHE_HOME/dumpdbg/symbols when that variable
 * is an absolute path, else $HOME/.cache/dumpdbg/symbols (HOME from the password database when
 * unset). The directory is not created.
 */
struct dd_error *sympath_default_store(char **ret);

/* True when S is a Windows path: "C:\...", "C:/...", "C:" or "\\server\share". */
bool sympath_is_foreign_path(const char *s);

#endif
