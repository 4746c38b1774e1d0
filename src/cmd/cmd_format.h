/* Number formatting commands shared between the display family's files. */
#ifndef DD_CMD_CMD_FORMAT_H
#define DD_CMD_CMD_FORMAT_H

#include "cmd/command.h"

/* `.formats EXPR`: prints the value in WinDbg's .formats layout. */
struct dd_error *cmd_format_formats(struct session *s, const struct cmd_args *args);

/*
 * Pointer size of the effective machine (4 or 8), falling back to the target's
 * when the machine's ops table does not say.
 */
unsigned cmd_format_ptr_size(const struct session *s);

/*
 * Formats V as a float or double the way the debugger's C runtime prints %g:
 * three-digit exponents ("2.547e-041") and "1.#QNAN"/"-1.#IND"/"1.#INF" for
 * the special values. BITS is the raw IEEE value; IS_DOUBLE selects the width.
 * Returns BUF.
 */
char *cmd_format_msvc_g(char *buf, size_t len, uint64_t bits, bool is_double);

#endif
