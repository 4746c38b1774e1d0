/*
 * Symbol store keys and local lookups.
 *
 * A file lives in a store at NAME/KEY/FILE (one-tier) or, when the store root holds index2.txt,
 * at NA/NAME/KEY/FILE (two-tier, NA = the first two characters of NAME), with KEY:
 *   PDB (RSDS)   GUID as 32 uppercase hex digits in textual order + age in hex ("...1")
 *   PDB (NB10)   signature %08X + age %x
 *   image        TimeDateStamp %08X + SizeOfImage %x
 *   Breakpad     the debug id in upper case; FILE is NAME without ".pdb" + ".sym"
 * A compressed copy has the last character of FILE replaced by '_' (ntdll.pd_, a CAB), and a
 * file.ptr in NAME/KEY/ redirects ("PATH:where") or refuses ("MSG:why").
 * Names from a dump are reduced to their file-name part and checked so that they can never
 * leave the store (no "..", separators, drive letters, control characters).
 * Stores made on Windows may differ in letter case: every path component is matched exactly,
 * then in lower case, then by a case-insensitive directory scan.
 */
#ifndef DD_SYM_SYMSTORE_H
#define DD_SYM_SYMSTORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Longest file name a key component may hold, excluding the NUL (NAME_MAX on Linux). */
#define SYMSTORE_NAME_MAX 255

/* A GUID in its textual fields ({data1-data2-data3-data4[0..1]-data4[2..7]}). */
struct sym_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
};

enum sym_key_kind {
    SYM_KEY_PDB,      /* RSDS CodeView record: name, guid, age */
    SYM_KEY_PDB_NB10, /* NB10 CodeView record: name, signature, age */
    SYM_KEY_IMAGE,    /* a PE image: name, timestamp, image_size */
    SYM_KEY_BREAKPAD, /* a Breakpad .sym: name (the debug file), debug_id */
};

/* What to look for; strings are borrowed. */
struct sym_file_key {
    enum sym_key_kind kind;
    const char *name; /* as recorded (may be a full Windows path); only the file name is used */
    struct sym_guid guid;
    uint32_t age;
    uint32_t signature;
    uint32_t timestamp;
    uint32_t image_size;
    const char *debug_id; /* Breakpad: alphanumeric (hex), e.g. "3A5C...1" */
};

/* A key resolved to the three path components of a store, all sanitized. */
struct symstore_key {
    char name[SYMSTORE_NAME_MAX + 1];       /* first component: "ntdll.pdb" */
    char index[80];                         /* second component: "1EB1E2...1" */
    char file[SYMSTORE_NAME_MAX + 1];       /* last component: "ntdll.pdb", "foo.sym" */
    char compressed[SYMSTORE_NAME_MAX + 1]; /* "ntdll.pd_", or "" when FILE has no extension */
    char ext[SYMSTORE_NAME_MAX + 1];        /* FILE's extension without the dot: "pdb", or "" */
};

/* A "noisy" log: every probe and why it failed; FN may be NULL. */
struct sym_log {
    void (*fn)(void *ctx, const char *message);
    void *ctx;
};

/* Sends a printf-style message to LOG when it has a function (LOG may be NULL). */
void sym_log_printf(const struct sym_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets ret to the GUID stored at RAW in its on-disk layout (RSDS: little-endian fields). */
void sym_guid_from_bytes(const uint8_t raw[16], struct sym_guid *ret);

/*
 * Writes the file-name part of RAW[0..LEN) (after the last '/' or '\', without a drive letter)
 * into BUF of BUF_LEN bytes; a DD_ERR_FORMAT error when that part is empty, "." or "..", holds a
 * NUL, a control character, ':' or a character Windows forbids in names, or does not fit.
 */
struct dd_error *symstore_name_sanitize(const char *raw, size_t len, char *buf, size_t buf_len);

/* Sets ret to KEY's store components; errors when the name or debug id is unusable. */
struct dd_error *symstore_key_make(const struct sym_file_key *key, struct symstore_key *ret);

/*
 * Joins BASE and the N components COMPS, matching each component case-insensitively (exact,
 * lower case, then a directory scan); ret is the new path of an existing entry, which must be a
 * regular file when WANT_FILE, else a directory. DD_ERR_NOT_FOUND when there is none.
 */
struct dd_error *symstore_resolve(const char *base, const char *const *comps, size_t n,
                                  bool want_file, char **ret);

/* True when the store at ROOT is two-tier (it has an index2.txt). */
bool symstore_is_two_tier(const char *root);

/*
 * Sets ret to the new path where the store at ROOT keeps FILE_NAME under KEY (two-tier when ROOT
 * has index2.txt), using existing directories whatever their case; nothing is created.
 */
struct dd_error *symstore_path(const char *root, const struct symstore_key *key,
                               const char *file_name, char **ret);

/*
 * Parses the contents of a file.ptr: "PATH:p" sets ret_path to p; "MSG:m" returns a
 * DD_ERR_NOT_FOUND error carrying m; anything else is a DD_ERR_FORMAT error.
 */
struct dd_error *symstore_fileptr_parse(const char *data, size_t len, char **ret_path);

/*
 * Looks KEY up in the store at ROOT: FILE, else the compressed FILE (decompressed into the store
 * DEST_ROOT, or into ROOT itself when DEST_ROOT is NULL), else file.ptr. ret is the new path of
 * a local file; DD_ERR_NOT_FOUND with the reason when absent.
 */
struct dd_error *symstore_lookup(const char *root, const struct symstore_key *key,
                                 const char *dest_root, const struct sym_log *log, char **ret);

/*
 * Looks for KEY's file in the plain directory DIR as WinDbg does: DIR/FILE, DIR/symbols/EXT/FILE,
 * DIR/EXT/FILE (letter case ignored). ret is the new path; DD_ERR_NOT_FOUND when absent.
 */
struct dd_error *symstore_lookup_dir(const char *dir, const struct symstore_key *key,
                                     const struct sym_log *log, char **ret);

/*
 * Puts a copy of the local file SRC into the store at ROOT under KEY (decompressing it when
 * DECOMPRESS: SRC is a CAB); ret is the new path of the stored file. Atomic.
 */
struct dd_error *symstore_put(const char *root, const struct symstore_key *key, const char *src,
                              bool decompress, char **ret);

#endif
