/* Command tables and the dispatcher. */
#ifndef DD_CMD_COMMAND_H
#define DD_CMD_COMMAND_H

#include <stdbool.h>

#include "base/error.h"
#include "cmd/session.h"

/* A parsed command: its table name, any letters after a prefix match, and the rest. */
struct cmd_args {
    const char *name;   /* the command as typed, up to its arguments ("dd", "lmvm", ".exr") */
    const char *suffix; /* for CMD_PREFIX rows: what followed the row's name ("vm" in "lmvm") */
    const char *rest;   /* the arguments, leading/trailing blanks removed; never NULL */
    const char *line;   /* the whole command text */
};

typedef struct dd_error *(*cmd_handler)(struct session *s, const struct cmd_args *args);

enum cmd_flags {
    CMD_PREFIX = 1, /* the name may be followed directly by option letters ("lmv", "lmvm") */
};

struct cmd_def {
    const char *name;
    cmd_handler handler;
    unsigned flags;
    const char *help; /* one line: "dd [range] - display dwords" */
};

/* Runs one command line (which may hold several commands separated by ';'). */
void cmd_execute_line(struct session *s, const char *line);
/* Runs a single command (no ';' splitting). */
void cmd_execute(struct session *s, const char *cmd);

/* Splits REST into the first blank-separated word (copied into WORD) and what follows. */
const char *cmd_next_word(const char *rest, char *word, size_t len);

/* The tables, one per family; each ends with a row whose name is NULL. */
extern const struct cmd_def cmd_table_target[];  /* vertarget | || .time q */
extern const struct cmd_def cmd_table_thread[];  /* r .exr .ecxr .cxr (~ is parsed separately) */
extern const struct cmd_def cmd_table_module[];  /* lm */
extern const struct cmd_def cmd_table_display[]; /* db dw dd dq dp da du dps dds dqs ? .formats n */
extern const struct cmd_def cmd_table_disasm[];  /* u ub */
extern const struct cmd_def cmd_table_uf[];      /* uf */
extern const struct cmd_def cmd_table_stack[];   /* k kb kv kc kL kf .frame */
extern const struct cmd_def cmd_table_symbols[]; /* .sympath .symfix .exepath .reload ld !sym x ln */
extern const struct cmd_def cmd_table_search[];  /* s */
extern const struct cmd_def cmd_table_dt[];      /* dt */
extern const struct cmd_def cmd_table_locals[];  /* dv */
extern const struct cmd_def cmd_table_bugcheck[]; /* .bugcheck */

/* `~` commands: "~", "~3s", "~~[1f4]s", "~*". */
struct dd_error *cmd_thread_tilde(struct session *s, const char *line);
/*
 * !wow64exts.k: "Walking 64bit Stack...", the current thread's 64-bit stack, then "Walking 32bit
 * Stack..." and its x86 stack (at most COUNT frames each; 0 = the default). On other targets,
 * the plain stack.
 */
struct dd_error *cmd_stack_wow64_k(struct session *s, size_t count);
/* `??` command: evaluate a C++ expression and print its typed value (cmd_cpp.c). */
struct dd_error *cmd_cpp_evaluate(struct session *s, const struct cmd_args *args);
/* `?` command: evaluate and print. */
struct dd_error *cmd_display_evaluate(struct session *s, const struct cmd_args *args);

#endif
