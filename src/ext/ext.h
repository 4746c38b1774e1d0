/* Extension commands (`!name`): rows in tables like the built-in commands, one table per family. */
#ifndef DD_EXT_EXT_H
#define DD_EXT_EXT_H

#include "cmd/command.h"

extern const struct cmd_def ext_table_memory[]; /* !address !vprot */
extern const struct cmd_def ext_table_error[];  /* !error */
extern const struct cmd_def ext_table_analyze[]; /* !analyze */
extern const struct cmd_def ext_table_teb[];     /* !teb */
extern const struct cmd_def ext_table_wow64[];   /* .effmach !wow64exts.sw .k .info */
extern const struct cmd_def ext_table_kernel[];  /* !process !thread !pcr !prcb !irql */
extern const struct cmd_def ext_table_kcontext[]; /* .process .thread (kernel) */
extern const struct cmd_def ext_table_kmem[];   /* !vtop !pte !db !dc !dd !dq !dw (physical) */
extern const struct cmd_def ext_table_locks[];   /* !cs !locks (critical sections) */

#endif
