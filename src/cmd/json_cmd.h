/*
 * JSON mode (`dumpdbg --json`, `.json on`): every command prints one JSON document instead of
 * text (docs/json-schema.md). The dispatcher (json_cmd.c) finds the command's JSON builder in
 * the tables below; a command without one runs as text and its document is an error object
 * saying so, with the text it printed. Builders live one family per file: json_stack.c (k),
 * json_thread.c (r, ~, .exr), json_target.c (vertarget, |, ||, lm, ?, !error), json_report.c
 * (!analyze, .report: the crash report).
 */
#ifndef DD_CMD_JSON_CMD_H
#define DD_CMD_JSON_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/command.h"
#include "cmd/json_doc.h"
#include "unwind/unwind.h"

/* session.json values. */
#define JSON_MODE_OFF 0
#define JSON_MODE_LINES 1  /* each document on one line (JSON Lines) */
#define JSON_MODE_PRETTY 2 /* each document indented */

/*
 * Fills O (the document's root, or one thread's entry under `~* CMD`) with command A's result;
 * an error is reported by the dispatcher as the document's "error" object.
 */
typedef struct dd_error *(*json_cmd_builder)(struct session *s, const struct cmd_args *a,
                                             struct json_doc *doc, cJSON *o);

struct json_cmd_def {
    const char *name;
    json_cmd_builder build;
    unsigned flags; /* CMD_PREFIX: option letters may follow the name (kb, lmv) */
};

/* The builder tables, each ending with a row whose name is NULL. */
extern const struct json_cmd_def json_table_stack[];  /* k kb kv kn kc kL kf kp kP */
extern const struct json_cmd_def json_table_thread[]; /* r .exr */
extern const struct json_cmd_def json_table_target[]; /* vertarget | || lm ? !error */
extern const struct json_cmd_def json_table_report[]; /* !analyze .report */
extern const struct json_cmd_def json_table_json[];   /* .json */

/* Text-mode rows: `.json on|off|pretty` and `.report` (the crash report as indented JSON). */
extern const struct cmd_def cmd_table_json[];

/*
 * Runs command TEXT (no ';') in JSON mode: prints one document for it through s->out, or
 * nothing for q. Returns false, doing nothing, when the session is not in JSON mode.
 */
bool json_cmd_run(struct session *s, const char *text);

/*
 * What a builder returns for a form of its command it cannot express (an option it does not
 * know): the dispatcher then runs the command as text, as for a command without a JSON form.
 */
extern struct dd_error json_error_no_form;

/* Adds command error ERR to O as "error": {code, message, text (as WinDbg prints it), address}. */
void json_error_add(struct session *s, struct json_doc *doc, cJSON *o, const struct dd_error *err);

/*
 * Adds the stack of the context commands use now (.cxr/.ecxr, else the current thread) to O:
 * "context", "frame_count", "frames" (at most MAX), "stop"; with ARGS each frame's first
 * parameters (kb). Errors when there is no context to walk from.
 */
struct dd_error *json_stack_add(struct session *s, struct json_doc *doc, cJSON *o, size_t max,
                                bool args);
/* Stable name of FOUND_BY: "context", "unwind_info", "frame_data", "frame_pointer", "leaf", "scan".
 */
const char *json_found_by_id(enum unwind_found_by found_by);
/* rust-minidump's frame trust for FOUND_BY: "context", "cfi", "frame_pointer" or "scan". */
const char *json_trust_name(enum unwind_found_by found_by);

/* Adds thread IDX's facts to O: index, thread_id, name, suspend count, priority, TEB, stack. */
void json_thread_add(struct session *s, struct json_doc *doc, cJSON *o, size_t idx);
/*
 * Adds the registers of RS to a new object KEY in O, "name": "0x..." for each general, flags,
 * segment, debug and control register that is valid.
 */
void json_regs_add(struct json_doc *doc, cJSON *o, const char *key, const struct regset *rs);
/* Adds module IDX's facts to O: rust-minidump's module fields and lm's (see json-schema.md). */
void json_module_add(struct session *s, struct json_doc *doc, cJSON *o, size_t idx);
/* Adds unloaded module IDX to O: rust-minidump's unloaded_modules fields, timestamp, checksum. */
void json_unloaded_module_add(struct session *s, struct json_doc *doc, cJSON *o, size_t idx);
/* Adds the dump's system facts to O: rust-minidump's system_info fields and vertarget's. */
void json_system_add(struct session *s, struct json_doc *doc, cJSON *o);
/* Adds the dump file's facts to O: path, format, kind, flags, time, comments. */
void json_dump_add(struct session *s, struct json_doc *doc, cJSON *o);

/*
 * Adds the crash report (docs/json-schema.md: rust-minidump's minidump-stackwalk --json fields,
 * every thread's stack, dumpdbg's verdict as "analysis") to O.
 */
struct dd_error *json_report_add(struct session *s, struct json_doc *doc, cJSON *o);
struct analyze_verdict;
/* Like json_report_add for verdict V, already made with analyze_options.all_threads. */
struct dd_error *json_report_add_verdict(struct session *s, const struct analyze_verdict *v,
                                         struct json_doc *doc, cJSON *o);
/*
 * Writes the crash report of V (NULL: analyzes the dump now) to OUT as one document, indented
 * when PRETTY. Errors only for lack of memory.
 */
struct dd_error *json_report_write(struct session *s, const struct analyze_verdict *v, bool pretty,
                                   struct dd_writer *out);
/* `.report`: prints the crash report as an indented JSON document. */
struct dd_error *json_report_cmd(struct session *s, const struct cmd_args *a);

#endif
