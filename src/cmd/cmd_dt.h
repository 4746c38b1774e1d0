/* dt's formatter, apart from the command so tests can drive it over a PDB and a byte buffer. */
#ifndef DD_CMD_CMD_DT_H
#define DD_CMD_CMD_DT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/writer.h"
#include "pdb/tpi.h"

/* Resolves ADDR to "mod!name+0x10" in BUF (LEN bytes); false when it is in no module. */
typedef bool (*cmd_dt_symbolize_fn)(void *ctx, uint64_t addr, char *buf, size_t len);
/* Sets ret to the address of the static member QUALIFIED ("Class::member"); false when unknown. */
typedef bool (*cmd_dt_static_fn)(void *ctx, const char *qualified, uint64_t *ret);

/* What dt shows: -r[N], -b, -a[N], -v, a field filter, and how to name code and statics. */
struct cmd_dt_options {
    unsigned recurse;  /* -r N: levels of embedded and pointed-to UDTs to expand */
    bool expand;       /* -b: expand every embedded UDT and array, however deep (bounded) */
    bool arrays;       /* -a: array elements one per line with their index */
    unsigned array_max; /* -aN: at most N elements (0: all, bounded) */
    bool verbose;      /* -v: long type names and a header line */
    const char *field; /* only this member (WinDbg wildcards allowed), or NULL */
    cmd_dt_symbolize_fn symbolize; /* NULL: function pointers print without their symbol */
    cmd_dt_static_fn static_addr;  /* NULL: static members are not shown */
    void *ctx;                     /* for symbolize and static_addr */
    unsigned ptr_size; /* 4 or 8: how static addresses print without memory (0: 8) */
};

/* Where dt reads target memory: READ fills N bytes at ADDR or fails. */
struct cmd_dt_memory {
    struct dd_error *(*read)(void *ctx, uint64_t addr, void *buf, size_t n);
    void *ctx;
    unsigned ptr_size; /* 4 or 8: how pointers print */
};

/*
 * Writes dt's lines for type INDEX of TYPES to OUT: the layout when MEM is NULL, else the values
 * at ADDR read through MEM. A UDT prints its members, an enum its enumerators; unreadable values
 * print "??". Errors only for malformed type records or an unsupported type.
 */
struct dd_error *cmd_dt_format(struct pdb_types *types, uint32_t index,
                               const struct cmd_dt_options *opt, const struct cmd_dt_memory *mem,
                               uint64_t addr, struct dd_writer *out);

#endif
