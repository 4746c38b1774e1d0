/*
 * !analyze [-v] [-json]: the verdict of src/analyze/ on the dump's stored exception.
 * `!analyze` prints the short form ("Probably caused by"), `!analyze -v` the verbose
 * WinDbg layout, and `-json` (with or without -v) one JSON document (docs/json-schema.md)
 * with every thread's stack. Options after the debugger reference page "!analyze":
 * -v[0..99] and -vv are verbose; -f analyzes the exception as usual (there is always one to
 * analyze here when the dump stores one); -hang analyzes why the process hangs (blocked
 * threads, wait chains, deadlocks: src/analyze/hang*.c) instead of the exception, which is
 * what a dump without an exception gets anyway.
 */
#include <ctype.h>
#include <string.h>

#include "analyze/analyze.h"
#include "cmd/json_cmd.h"
#include "ext/ext.h"

static struct dd_error *ext_analyze(struct session *s, const struct cmd_args *a)
{
    bool verbose = false, json = false, hang = false;
    const char *rest = a->rest;
    char word[64];
    while (*rest) {
        rest = cmd_next_word(rest, word, sizeof(word));
        if (strcmp(word, "-v") == 0 || strcmp(word, "-vv") == 0) {
            verbose = true;
        } else if (word[0] == '-' && word[1] == 'v' && isdigit((unsigned char)word[2])) {
            verbose = true;
        } else if (strcmp(word, "-json") == 0) {
            json = true;
        } else if (strcmp(word, "-f") == 0) {
            /* the stored exception is analyzed whether or not -f is given */
        } else if (strcmp(word, "-hang") == 0) {
            hang = true;
        } else {
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
        }
    }
    struct analyze_options opts = {.all_threads = json, .hang = hang};
    struct analyze_verdict v;
    struct dd_error *err = analyze_run(s, &opts, &v);
    if (err)
        return err;
    if (json)
        err = json_report_write(s, &v, true, s->out); /* the crash report (cmd/json_report.c) */
    else
        analyze_render_text(s, &v, verbose);
    analyze_verdict_deinit(&v);
    return err;
}

const struct cmd_def ext_table_analyze[] = {
    {"!analyze", ext_analyze, 0,
     "!analyze [-v] [-hang] [-json] - analyze the stored exception (-hang: why it hangs)"},
    {NULL, NULL, 0, NULL},
};
