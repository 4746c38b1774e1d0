/* Address ranges as commands take them (debugger reference "Address and Address Range Syntax"). */
#ifndef DD_CMD_CMD_RANGE_H
#define DD_CMD_CMD_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "cmd/session.h"

/*
 * Without L?, a range longer than this is refused as a typing error ("Address
 * and Address Range Syntax": "Typically, there is a range limit of 256 MB").
 */
#define CMD_RANGE_LIMIT 0x10000000ULL

struct cmd_range {
    uint64_t start;     /* first address, wrapped to the effective machine's pointer width */
    uint64_t count;     /* elements in the range; 0 when has_count is false */
    bool has_count;     /* false when only START was given */
    const char *rest;   /* the text after the range, blanks skipped; never NULL */
};

/*
 * Parses the range at the start of TEXT for elements of SIZE bytes: "START",
 * "START END" (END inclusive), "START L COUNT", "START L?COUNT" (no 256 MB
 * limit) or "START L-COUNT" (the COUNT elements that end just before START).
 * Each address or count is one MASM expression; parsing stops where the range
 * ends, so a command may take more arguments after it (ret.rest). A span over
 * CMD_RANGE_LIMIT bytes without L?, an END below START or a range that runs
 * past the top of the address space is a DD_ERR_SYNTAX "Range error in 'LINE'";
 * expression errors are passed on. Sets ret on success.
 */
struct dd_error *cmd_range_parse(struct session *s, const char *text, const char *line,
                                 unsigned size, struct cmd_range *ret);

/* Mask of the effective machine's addresses: 0xffffffff for 32-bit, all ones for 64-bit. */
uint64_t cmd_range_addr_mask(const struct session *s);

#endif
