/* Errors: a fallible function returns struct dd_error *; NULL means success. */
#ifndef DD_BASE_ERROR_H
#define DD_BASE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum dd_error_code {
    DD_ERR_OTHER = 1,
    DD_ERR_NO_MEMORY,  /* allocation failed */
    DD_ERR_NOT_FOUND,  /* the thing asked for does not exist */
    DD_ERR_FORMAT,     /* the input file is malformed */
    DD_ERR_IO,         /* the OS refused a read/open/mmap */
    DD_ERR_MEMORY,     /* target memory not available in the dump */
    DD_ERR_SYNTAX,     /* a command or expression could not be parsed */
    DD_ERR_UNSUPPORTED,/* valid input this build cannot handle */
    DD_ERR_STOP,       /* the user asked to stop (q) */
};

#define DD_NO_OFFSET UINT64_MAX

struct dd_error {
    enum dd_error_code code;
    char *message;       /* owned; full text including added context */
    uint64_t file_offset;/* DD_NO_OFFSET when not about a file position */
    uint64_t address;    /* faulting target address for DD_ERR_MEMORY */
    int is_static;       /* static errors are never freed */
};

/* Returns a new error with a printf-style message; never NULL (falls back to the static OOM). */
struct dd_error *dd_error_create(enum dd_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like dd_error_create, recording the file offset the problem is at. */
struct dd_error *dd_error_at(enum dd_error_code code, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A "memory not available" error for target address ADDR. */
struct dd_error *dd_error_memory(uint64_t addr);

/* Prefixes "CONTEXT: " to ERR's message and returns ERR (or a new copy if ERR is static). */
struct dd_error *dd_error_wrap(struct dd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees ERR; NULL and static errors are no-ops. */
void dd_error_destroy(struct dd_error *err);
/* Destroys ERR (NULL is fine) and returns whether there was one: for callers that fall back. */
bool dd_error_drop(struct dd_error *err);

/* Static errors, usable without allocating. */
extern struct dd_error dd_error_no_memory;
extern struct dd_error dd_error_not_found;
extern struct dd_error dd_error_stop;

#endif
