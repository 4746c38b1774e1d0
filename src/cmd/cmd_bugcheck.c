/*
 * .bugcheck: the bug check code and its four parameters, in WinDbg's two lines (debugger
 * reference ".bugcheck (Display Bug Check Data)"; layout from published kd transcripts):
 *   Bugcheck code 0000009F
 *   Arguments 00000000`00000003 ffff948f`e9be4060 ffffe381`3d0ef040 ffff948f`ee90eba0
 * The code is the one stored in the dump header (1000007E stays 1000007E, as in
 * "Bugcheck code 1000007E"); 32-bit targets print 8-digit arguments.
 * The command is kernel-mode only; a user-mode dump gets the engine's answer for an operation
 * its session does not support.
 */
#include <string.h>

#include "base/fmt.h"
#include "cmd/command.h"

static struct dd_error *cmd_bugcheck(struct session *s, const struct cmd_args *a)
{
    const struct target *t = s->target;
    if (t->kind != TARGET_KERNEL) {
        dd_printf(s->out, "       ^ Operation not supported in current debug session '%s'\n",
                  a->line);
        return NULL;
    }
    unsigned ps = target_ptr_size(t);
    char buf[DD_ADDR_BUF];
    dd_printf(s->out, "Bugcheck code %08X\nArguments", t->kernel.bugcheck_code);
    for (int i = 0; i < 4; i++) {
        uint64_t v = t->kernel.bugcheck_params[i];
        dd_printf(s->out, " %s", dd_fmt_addr(buf, ps == 8 ? v : (uint32_t)v, ps));
    }
    dd_puts(s->out, "\n");
    return NULL;
}

const struct cmd_def cmd_table_bugcheck[] = {
    {".bugcheck", cmd_bugcheck, 0, ".bugcheck - show the bug check code and its parameters"},
    {NULL, NULL, 0, NULL},
};
