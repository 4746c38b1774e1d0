#include "base/interrupt.h"
#include "base/fmt.h"
#include "cmd/command.h"
#include "cmd/json_cmd.h"
#include "ext/ext.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The longest single command we accept; longer input is an error, not a truncation. */
#define CMD_MAX 4096

static const struct cmd_def *const cmd_tables[] = {
    cmd_table_target,
    cmd_table_thread,
    cmd_table_module,
    cmd_table_display,
    cmd_table_disasm,
    cmd_table_uf,
    cmd_table_symbols,
    cmd_table_stack,
    cmd_table_search,
    cmd_table_dt,
    cmd_table_locals,
    cmd_table_bugcheck,
    cmd_table_json,
    ext_table_memory,
    ext_table_error,
    ext_table_analyze,
    ext_table_teb,
    ext_table_wow64,
    ext_table_kernel,
    ext_table_kcontext,
    ext_table_kmem,
    ext_table_locks,
};

const char *cmd_next_word(const char *rest, char *word, size_t len)
{
    while (*rest == ' ' || *rest == '\t')
        rest++;
    size_t n = 0;
    while (*rest && *rest != ' ' && *rest != '\t') {
        if (n + 1 < len)
            word[n++] = *rest;
        rest++;
    }
    if (len)
        word[n] = '\0';
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return rest;
}

static const struct cmd_def *cmd_lookup(const char *name, const char **suffix)
{
    for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++)
        for (const struct cmd_def *d = cmd_tables[t]; d->name; d++)
            if (dd_strcasecmp(d->name, name) == 0) {
                *suffix = "";
                return d;
            }
    /* Option letters glued to the name ("lmvm"): the longest prefix row wins. */
    const struct cmd_def *best = NULL;
    size_t best_len = 0;
    for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++)
        for (const struct cmd_def *d = cmd_tables[t]; d->name; d++) {
            size_t n = strlen(d->name);
            if ((d->flags & CMD_PREFIX) && n > best_len && dd_strncasecmp(d->name, name, n) == 0) {
                best = d;
                best_len = n;
            }
        }
    if (best)
        *suffix = name + best_len;
    return best;
}

static void cmd_run(struct session *s, const char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    if (!*text)
        return;
    if (json_cmd_run(s, text)) { /* JSON mode: one document per command (cmd/json_cmd.c) */
        dd_arena_deinit(&s->scratch);
        return;
    }

    char name[64];
    size_t n = 0;
    const char *p = text;
    struct dd_error *err = NULL;

    if (*p == '~') {
        err = cmd_thread_tilde(s, p);
        goto done;
    }
    if (*p == '?') {
        if (p[1] == '?') {
            struct cmd_args a = {"??", "", p + 2, text};
            while (*a.rest == ' ' || *a.rest == '\t')
                a.rest++;
            err = cmd_cpp_evaluate(s, &a);
            goto done;
        }
        struct cmd_args a = {"?", "", p + 1, text};
        while (*a.rest == ' ' || *a.rest == '\t')
            a.rest++;
        err = cmd_display_evaluate(s, &a);
        goto done;
    }
    if (*p == '|') {
        name[n++] = *p++;
        if (*p == '|')
            name[n++] = *p++;
    } else if (*p == '.' || *p == '!') {
        name[n++] = *p++;
        while (*p && !isspace((unsigned char)*p) && n + 1 < sizeof(name))
            name[n++] = *p++;
    } else {
        while (*p && isalnum((unsigned char)*p) && n + 1 < sizeof(name))
            name[n++] = *p++;
    }
    name[n] = '\0';

    const char *suffix = "";
    const struct cmd_def *def = n ? cmd_lookup(name, &suffix) : NULL;
    if (!def) {
        if (name[0] == '!')
            dd_printf(s->out, "No export %s found\n", name + 1);
        else
            dd_printf(s->out, "       ^ Syntax error in '%s'\n", text);
        return;
    }

    /* Arguments without surrounding blanks. */
    char rest[CMD_MAX];
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' ||
                   p[len - 1] == '\n'))
        len--;
    if (len >= sizeof(rest)) {
        dd_printf(s->out, "       ^ Command too long in '%.40s...'\n", text);
        return;
    }
    memcpy(rest, p, len);
    rest[len] = '\0';

    struct cmd_args a = {name, suffix, rest, text};
    err = def->handler(s, &a);

done:
    if (err) {
        if (err->code == DD_ERR_STOP)
            s->quit = true;
        else
            session_report_error(s, err);
        dd_error_destroy(err);
    }
    dd_arena_deinit(&s->scratch);
}

void cmd_execute(struct session *s, const char *cmd)
{
    cmd_run(s, cmd);
}

void cmd_execute_line(struct session *s, const char *line)
{
    /* Split on ';' outside double quotes, as cdb does for -c and typed lines. */
    char buf[CMD_MAX];
    size_t n = 0;
    bool quoted = false, too_long = false;
    dd_interrupt_clear(); /* an interrupt stops the rest of its own line only */
    for (const char *p = line;; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (*p == '\0' || (*p == ';' && !quoted)) {
            buf[n] = '\0';
            /* A command cut at CMD_MAX would run as a different command: refuse it instead. */
            if (too_long)
                dd_printf(s->out,
                          "       ^ Command too long (more than %d characters) in '%.40s...'\n",
                          CMD_MAX - 1, buf);
            else
                cmd_run(s, buf);
            n = 0;
            too_long = false;
            if (*p == '\0' || s->quit || dd_interrupt_pending())
                break;
            continue;
        }
        if (n + 1 < sizeof(buf))
            buf[n++] = *p;
        else
            too_long = true;
    }
}
