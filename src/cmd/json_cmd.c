/*
 * The JSON-mode dispatcher: one document per command. A document is an object whose "command"
 * is the command as typed, with the builder's fields beside it, or "error" when the command
 * failed or has no JSON form (then "text" holds what the text command printed, and the command
 * did run: `~2s` or `.ecxr` still change the session). `~ SEL CMD` runs CMD's builder once per
 * selected thread into one document ("threads": [...]). The session's json field says whether
 * JSON mode is on; `.json on|off|pretty` switches it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/expr.h"
#include "cmd/json_cmd.h"

#define JSON_CMD_MAX 4096 /* as command.c's CMD_MAX */

static const struct json_cmd_def *const json_tables[] = {
    json_table_stack, json_table_thread, json_table_target, json_table_report, json_table_json,
};

struct dd_error json_error_no_form = {DD_ERR_UNSUPPORTED, "no JSON form", DD_NO_OFFSET, 0, 1};

static const char *error_code_id(enum dd_error_code code)
{
    switch (code) {
    case DD_ERR_NO_MEMORY:
        return "no_memory";
    case DD_ERR_NOT_FOUND:
        return "not_found";
    case DD_ERR_FORMAT:
        return "format";
    case DD_ERR_IO:
        return "io";
    case DD_ERR_MEMORY:
        return "memory";
    case DD_ERR_SYNTAX:
        return "syntax";
    case DD_ERR_UNSUPPORTED:
        return "unsupported";
    case DD_ERR_STOP:
        return "stop";
    case DD_ERR_OTHER:
        break;
    }
    return "other";
}

void json_error_add(struct session *s, struct json_doc *doc, cJSON *o, const struct dd_error *err)
{
    cJSON *e = json_add_object(doc, o, "error");
    json_add_string(doc, e, "code", error_code_id(err->code));
    json_add_string(doc, e, "message", err->message);
    /* The words WinDbg would print ("Memory read error 00000000`00000045"). */
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    struct dd_writer *saved = s->out;
    s->out = &w;
    session_report_error(s, err);
    s->out = saved;
    while (sb.len && (sb.data[sb.len - 1] == '\n' || sb.data[sb.len - 1] == ' '))
        sb.data[--sb.len] = '\0';
    json_add_string(doc, e, "text", sb.data ? sb.data : "");
    dd_strbuf_deinit(&sb);
    if (err->code == DD_ERR_MEMORY)
        json_add_addr(doc, e, "address", err->address);
}

/* The command's table name as cmd_run reads it: "|", "||", ".name", "!name", "?" or a word. */
static const char *split_name(const char *text, char *name, size_t len)
{
    size_t n = 0;
    const char *p = text;
    if (*p == '?') {
        name[n++] = *p++;
    } else if (*p == '|') {
        name[n++] = *p++;
        if (*p == '|')
            name[n++] = *p++;
    } else if (*p == '.' || *p == '!') {
        name[n++] = *p++;
        while (*p && !isspace((unsigned char)*p) && n + 1 < len)
            name[n++] = *p++;
    } else {
        while (*p && isalnum((unsigned char)*p) && n + 1 < len)
            name[n++] = *p++;
    }
    name[n] = '\0';
    return p;
}

static const struct json_cmd_def *lookup(const char *name, const char **suffix)
{
    const size_t ntables = sizeof(json_tables) / sizeof(json_tables[0]);
    for (size_t t = 0; t < ntables; t++)
        for (const struct json_cmd_def *d = json_tables[t]; d->name; d++)
            if (dd_strcasecmp(d->name, name) == 0) {
                *suffix = "";
                return d;
            }
    const struct json_cmd_def *best = NULL;
    size_t best_len = 0;
    for (size_t t = 0; t < ntables; t++)
        for (const struct json_cmd_def *d = json_tables[t]; d->name; d++) {
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

/* Runs TEXT as a text command with its output captured in SB (JSON mode off meanwhile). */
static void run_captured(struct session *s, const char *text, struct dd_strbuf *sb)
{
    struct dd_writer w = dd_writer_strbuf(sb);
    struct dd_writer *saved_out = s->out;
    uint8_t mode = s->json;
    s->out = &w;
    s->json = JSON_MODE_OFF;
    cmd_execute(s, text);
    s->json = mode;
    s->out = saved_out;
}

/* A command without a JSON form: it runs as text; the document says so and holds the text. */
static void add_no_json_form(struct session *s, struct json_doc *doc, cJSON *o, const char *text)
{
    struct dd_strbuf sb = {0};
    run_captured(s, text, &sb);
    cJSON *e = json_add_object(doc, o, "error");
    json_add_string(doc, e, "code", "no_json_form");
    char msg[160];
    snprintf(msg, sizeof(msg), "'%.64s' has no JSON form; it ran as text (see \"text\")", text);
    json_add_string(doc, e, "message", msg);
    json_add_string(doc, o, "text", sb.data ? sb.data : "");
    dd_strbuf_deinit(&sb);
}

/* Fills O with the result of command TEXT (not a `~` command): a builder's fields or an error. */
static void build(struct session *s, struct json_doc *doc, cJSON *o, const char *text)
{
    char name[64];
    const char *p = split_name(text, name, sizeof(name));
    const char *suffix = "";
    const struct json_cmd_def *def = name[0] ? lookup(name, &suffix) : NULL;
    if (!def) {
        add_no_json_form(s, doc, o, text);
        return;
    }
    char rest[JSON_CMD_MAX];
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strlen(p);
    while (len && isspace((unsigned char)p[len - 1]))
        len--;
    struct dd_error *err;
    if (len >= sizeof(rest)) {
        err = dd_error_create(DD_ERR_SYNTAX, "Command too long in '%.40s...'", text);
    } else {
        memcpy(rest, p, len);
        rest[len] = '\0';
        struct cmd_args a = {name, suffix, rest, text};
        err = def->build(s, &a, doc, o);
    }
    if (err == &json_error_no_form)
        add_no_json_form(s, doc, o, text);
    else if (err)
        json_error_add(s, doc, o, err);
    dd_error_destroy(err);
}

enum tilde_sel { TILDE_NONE, TILDE_ONE, TILDE_ALL };

/* Thread selectors of `~`: "*", ".", "#", "N" (decimal), "~[EXPR]" (a thread id). */
static struct dd_error *parse_selector(struct session *s, const char **pp, enum tilde_sel *kind,
                                       size_t *idx)
{
    const char *p = *pp;
    const struct target *t = s->target;
    *kind = TILDE_ONE;
    if (*p == '*') {
        *kind = TILDE_ALL;
        p++;
    } else if (*p == '.' || *p == '#') {
        long i = *p == '.' ? (long)s->cur_thread : s->event_thread;
        if (i < 0 || (size_t)i >= t->nthreads)
            return dd_error_create(DD_ERR_NOT_FOUND, "Illegal thread error in '~%s'", p);
        *idx = (size_t)i;
        p++;
    } else if (*p == '~' && p[1] == '[') {
        const char *close = strchr(p + 2, ']');
        char expr[256];
        size_t n = close ? (size_t)(close - (p + 2)) : sizeof(expr);
        if (n >= sizeof(expr))
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", p);
        memcpy(expr, p + 2, n);
        expr[n] = '\0';
        uint64_t tid;
        struct dd_error *err = expr_eval(s, expr, &tid);
        if (err)
            return err;
        long i = tid <= UINT32_MAX ? target_thread_by_tid(t, (uint32_t)tid) : -1;
        if (i < 0)
            return dd_error_create(DD_ERR_NOT_FOUND, "Illegal thread error in '%s'", p);
        *idx = (size_t)i;
        p = close + 1;
    } else if (isdigit((unsigned char)*p)) {
        char *end;
        unsigned long long v = strtoull(p, &end, 10); /* thread numbers are always decimal */
        if (v >= t->nthreads)
            return dd_error_create(DD_ERR_NOT_FOUND, "Illegal thread error in '~%s'", p);
        *idx = (size_t)v;
        p = end;
    } else {
        *kind = TILDE_NONE;
    }
    *pp = p;
    return NULL;
}

/* `~`, `~N`, `~*`: thread lists; `~Ns`: switch; `~N CMD`, `~* CMD`: CMD per thread. */
static void build_tilde(struct session *s, struct json_doc *doc, const char *text)
{
    cJSON *root = doc->root;
    const struct target *t = s->target;
    const char *p = text + 1;
    while (*p == ' ')
        p++;
    enum tilde_sel kind;
    size_t idx = 0;
    struct dd_error *err = parse_selector(s, &p, &kind, &idx);
    while (!err && *p == ' ')
        p++;
    if (!err && kind == TILDE_NONE && *p)
        err = dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", text);
    if (err) {
        json_error_add(s, doc, root, err);
        dd_error_destroy(err);
        return;
    }
    size_t first = kind == TILDE_ONE ? idx : 0;
    size_t last = kind == TILDE_ONE ? idx + 1 : t->nthreads;
    if (*p == '\0') {
        cJSON *arr = json_add_array(doc, root, "threads");
        for (size_t i = first; i < last; i++)
            json_thread_add(s, doc, json_add_object(doc, arr, NULL), i);
        return;
    }
    if ((*p == 's' || *p == 'S') && p[1] == '\0') {
        if (kind != TILDE_ONE) {
            err = dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", text);
            json_error_add(s, doc, root, err);
            dd_error_destroy(err);
            return;
        }
        session_set_thread(s, idx);
        json_add_number(doc, root, "current_thread", (double)idx);
        build(s, doc, root, "r"); /* as `~Ns` prints the new thread's registers */
        return;
    }
    size_t saved = s->cur_thread;
    enum session_ctx_source saved_src = s->ctx_source;
    struct regset saved_ctx = s->ctx;
    cJSON *arr = json_add_array(doc, root, "threads");
    for (size_t i = first; i < last && !s->quit; i++) {
        cJSON *o = json_add_object(doc, arr, NULL);
        json_add_number(doc, o, "index", (double)i);
        json_add_number(doc, o, "thread_id", t->threads[i].tid);
        json_add_string(doc, o, "thread_name", t->threads[i].name);
        session_set_thread(s, i);
        build(s, doc, o, p);
    }
    s->cur_thread = saved;
    s->ctx_source = saved_src;
    s->ctx = saved_ctx;
}

/* q, qq, qd end the session and print nothing, in JSON mode as in text mode. */
static bool is_quit(const char *text)
{
    char name[8];
    const char *p = split_name(text, name, sizeof(name));
    while (*p == ' ' || *p == '\t')
        p++;
    return (strcmp(name, "q") == 0 || strcmp(name, "qq") == 0 || strcmp(name, "qd") == 0) && !*p;
}

bool json_cmd_run(struct session *s, const char *text)
{
    if (s->json == JSON_MODE_OFF)
        return false;
    while (*text == ' ' || *text == '\t')
        text++;
    if (!*text)
        return true;
    if (is_quit(text)) {
        s->quit = true;
        return true;
    }
    struct json_doc doc;
    bool pretty = s->json == JSON_MODE_PRETTY;
    if (json_doc_init(&doc, session_ptr_size(s))) {
        json_add_string(&doc, doc.root, "command", text);
        if (*text == '~')
            build_tilde(s, &doc, text);
        else
            build(s, &doc, doc.root, text);
    }
    struct dd_error *err = json_doc_write(&doc, pretty, s->out);
    json_doc_deinit(&doc);
    if (err) {
        /* Even without memory for the document, the output stays one JSON line. */
        dd_puts(s->out, "{\"error\":{\"code\":\"no_memory\",\"message\":\"out of memory\"}}\n");
        dd_error_destroy(err);
    }
    return true;
}

/* .json [on|off|pretty]: switch JSON mode; without an argument, say which mode is on. */
static struct dd_error *cmd_json(struct session *s, const struct cmd_args *a)
{
    uint8_t mode = s->json;
    if (strcmp(a->rest, "on") == 0 || strcmp(a->rest, "1") == 0)
        mode = JSON_MODE_LINES;
    else if (strcmp(a->rest, "pretty") == 0)
        mode = JSON_MODE_PRETTY;
    else if (strcmp(a->rest, "off") == 0 || strcmp(a->rest, "0") == 0)
        mode = JSON_MODE_OFF;
    else if (a->rest[0])
        return dd_error_create(DD_ERR_SYNTAX, "Usage: .json [on|off|pretty]");
    s->json = mode;
    if (mode == JSON_MODE_OFF)
        dd_puts(s->out, "JSON output is off\n");
    return NULL;
}

/* `.json` in JSON mode: the same switch, answered with a document while JSON mode lasts. */
static struct dd_error *json_json(struct session *s, const struct cmd_args *a, struct json_doc *doc,
                                  cJSON *o)
{
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    struct dd_writer *saved = s->out;
    s->out = &w;
    struct dd_error *err = cmd_json(s, a);
    s->out = saved;
    dd_strbuf_deinit(&sb);
    if (err)
        return err;
    json_add_string(doc, o, "json",
                    s->json == JSON_MODE_PRETTY ? "pretty"
                    : s->json                   ? "on"
                                                : "off");
    return NULL;
}

const struct json_cmd_def json_table_json[] = {
    {".json", json_json, 0},
    {NULL, NULL, 0},
};

const struct cmd_def cmd_table_json[] = {
    {".json", cmd_json, 0, ".json [on|off|pretty] - print each command's result as JSON"},
    {".report", json_report_cmd, 0,
     ".report - the crash report (rust-minidump JSON fields and more)"},
    {NULL, NULL, 0, NULL},
};
