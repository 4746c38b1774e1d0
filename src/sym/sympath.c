/* Symbol path parsing and formatting; syntax after WinDbg's "Symbol path for Windows debuggers". */
#include "sym/sympath.h"

#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fmt.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool sympath_is_foreign_path(const char *s)
{
    bool letter = (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z');
    if (letter && s[1] == ':')
        return true;
    return s[0] == '\\' && s[1] == '\\';
}

static bool is_url(const char *s)
{
    return dd_strncasecmp(s, "http://", 7) == 0 || dd_strncasecmp(s, "https://", 8) == 0;
}

/* A string being built; on OOM `failed` is set and later appends are ignored. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool failed;
};

static void sbuf_add(struct sbuf *b, const char *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sbuf_str(struct sbuf *b, const char *s)
{
    sbuf_add(b, s, strlen(s));
}

/*
 * Returns the length of the segment of S[0..n) up to the first SEP outside double quotes
 * (n when there is none). An unterminated quote runs to the end.
 */
static size_t segment_len(const char *s, size_t n, char sep)
{
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == sep && !quoted)
            return i;
    }
    return n;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Returns a new string with S[0..n) trimmed and its quote characters removed; NULL on OOM. */
static char *unquote(const char *s, size_t n)
{
    trim(&s, &n);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '"')
            out[k++] = s[i];
    out[k] = '\0';
    return out;
}

static void tier_free(struct sympath_tier *t)
{
    free(t->location);
}

static void elem_free(struct sympath_elem *e)
{
    free(e->text);
    free(e->dir);
    for (size_t i = 0; i < e->tier_count; i++)
        tier_free(&e->tiers[i]);
    free(e->tiers);
}

void sympath_destroy(struct sympath *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        elem_free(&p->elems[i]);
    free(p->elems);
    free(p);
}

static struct dd_error *tier_push(struct sympath_elem *e, enum sympath_tier_kind kind, char *loc,
                                  bool implicit)
{
    struct sympath_tier *t = realloc(e->tiers, (e->tier_count + 1) * sizeof(*t));
    if (!t) {
        free(loc);
        return &dd_error_no_memory;
    }
    e->tiers = t;
    if (loc && kind == SYMPATH_TIER_URL) {
        /* Drop trailing '/' but never into the scheme's "//". */
        size_t keep = (size_t)(strstr(loc, "://") - loc) + 3, n = strlen(loc);
        while (n > keep && loc[n - 1] == '/')
            loc[--n] = '\0';
    }
    e->tiers[e->tier_count++] = (struct sympath_tier){
        .kind = kind,
        .location = loc,
        .implicit = implicit,
        .foreign = kind == SYMPATH_TIER_DIR && sympath_is_foreign_path(loc),
    };
    return NULL;
}

/* Fills E's tiers from PARTS[0..n) (the parts after "srv" or "symsrv*dll"). */
static struct dd_error *elem_set_tiers(struct sympath_elem *e, char **parts, size_t n)
{
    struct dd_error *err = NULL;
    bool all_empty = true;
    for (size_t i = 0; i < n; i++)
        all_empty &= parts[i][0] == '\0';
    for (size_t i = 0; i < n && !err && !all_empty; i++) {
        char *part = parts[i];
        parts[i] = NULL;
        if (part[0] == '\0') {
            /* Two asterisks in a row name the default downstream store where it can be one. */
            free(part);
            if (e->tier_count == 0)
                err = tier_push(e, SYMPATH_TIER_DEFAULT, NULL, false);
            continue;
        }
        if (is_url(part)) {
            if (e->tier_count == 0)
                err = tier_push(e, SYMPATH_TIER_DEFAULT, NULL, true);
            if (!err)
                err = tier_push(e, SYMPATH_TIER_URL, part, false);
            else
                free(part);
        } else {
            err = tier_push(e, SYMPATH_TIER_DIR, part, false);
        }
    }
    if (err)
        return err;
    if (all_empty) {
        /* "srv*" alone: Microsoft's server through the default downstream store. */
        char *url = strdup(SYMPATH_MSDL_URL);
        if (!url)
            return &dd_error_no_memory;
        if ((err = tier_push(e, SYMPATH_TIER_DEFAULT, NULL, true)) != NULL) {
            free(url);
            return err;
        }
        return tier_push(e, SYMPATH_TIER_URL, url, false);
    }
    return NULL;
}

/* Parses one trimmed, non-empty element S[0..n) into E. */
static struct dd_error *elem_parse(const char *s, size_t n, struct sympath_elem *e)
{
    memset(e, 0, sizeof(*e));
    e->text = strndup(s, n);
    if (!e->text)
        return &dd_error_no_memory;

    /* Split at '*' outside quotes. */
    size_t count = 1;
    for (size_t i = 0, len; (len = segment_len(s + i, n - i, '*')) < n - i; i += len + 1)
        count++;
    char **parts = calloc(count, sizeof(*parts));
    if (!parts)
        return &dd_error_no_memory;
    struct dd_error *err = NULL;
    size_t pos = 0;
    for (size_t k = 0; k < count; k++) {
        size_t len = segment_len(s + pos, n - pos, '*');
        if (!(parts[k] = unquote(s + pos, len))) {
            err = &dd_error_no_memory;
            goto out;
        }
        pos += len + 1;
    }

    if (count == 1) {
        if (parts[0][0] == '\0') {
            err = dd_error_create(DD_ERR_SYNTAX, "empty symbol path element '%s'", e->text);
        } else if (is_url(parts[0])) {
            e->kind = SYMPATH_ELEM_SRV;
            err = elem_set_tiers(e, parts, 1);
        } else {
            e->kind = SYMPATH_ELEM_DIR;
            e->dir = parts[0];
            e->foreign = sympath_is_foreign_path(e->dir);
            parts[0] = NULL;
        }
    } else if (dd_strcasecmp(parts[0], "srv") == 0) {
        e->kind = SYMPATH_ELEM_SRV;
        err = elem_set_tiers(e, parts + 1, count - 1);
    } else if (dd_strcasecmp(parts[0], "symsrv") == 0) {
        e->kind = SYMPATH_ELEM_SRV;
        err = elem_set_tiers(e, parts + 2, count - 2);
    } else if (dd_strcasecmp(parts[0], "cache") == 0) {
        e->kind = SYMPATH_ELEM_CACHE;
        if (count > 2) {
            err = dd_error_create(DD_ERR_SYNTAX, "cache* takes one directory: '%s'", e->text);
        } else if (parts[1][0] != '\0') {
            e->dir = parts[1];
            e->foreign = sympath_is_foreign_path(e->dir);
            parts[1] = NULL;
        }
    } else {
        err = dd_error_create(DD_ERR_SYNTAX,
                              "unknown symbol path keyword '%.64s*' (srv*, symsrv*, cache*; "
                              "quote a directory whose name has a '*')",
                              parts[0]);
    }
out:
    for (size_t k = 0; k < count; k++)
        free(parts[k]);
    free(parts);
    return err;
}

/* Appends the parsed elements of TEXT to the array *ELEMS of *COUNT entries. */
static struct dd_error *parse_into(const char *text, struct sympath_elem **elems, size_t *count)
{
    size_t n = strlen(text);
    for (size_t pos = 0; pos <= n;) {
        size_t len = segment_len(text + pos, n - pos, ';');
        const char *s = text + pos;
        size_t m = len;
        pos += len + 1;
        trim(&s, &m);
        if (m == 0)
            continue;
        struct sympath_elem e;
        struct dd_error *err = elem_parse(s, m, &e);
        if (!err) {
            struct sympath_elem *grown = realloc(*elems, (*count + 1) * sizeof(*grown));
            if (grown) {
                *elems = grown;
                grown[(*count)++] = e;
                continue;
            }
            err = &dd_error_no_memory;
        }
        elem_free(&e);
        return err;
    }
    return NULL;
}

struct dd_error *sympath_parse(const char *text, struct sympath **ret)
{
    struct sympath *p = calloc(1, sizeof(*p));
    if (!p)
        return &dd_error_no_memory;
    struct dd_error *err = parse_into(text, &p->elems, &p->count);
    if (err) {
        sympath_destroy(p);
        return err;
    }
    *ret = p;
    return NULL;
}

struct dd_error *sympath_append(struct sympath *p, const char *text)
{
    struct sympath *add;
    struct dd_error *err = sympath_parse(text, &add);
    if (err)
        return err;
    if (add->count > 0) {
        struct sympath_elem *grown = realloc(p->elems, (p->count + add->count) * sizeof(*grown));
        if (!grown) {
            sympath_destroy(add);
            return &dd_error_no_memory;
        }
        memcpy(grown + p->count, add->elems, add->count * sizeof(*grown));
        p->elems = grown;
        p->count += add->count;
        add->count = 0;
    }
    sympath_destroy(add);
    return NULL;
}

/* Appends S, in double quotes when a separator or edge whitespace would change its meaning. */
static void add_quoted(struct sbuf *b, const char *s)
{
    size_t n = strlen(s);
    bool quote = n > 0 && (is_space(s[0]) || is_space(s[n - 1]) || strchr(s, ';') || strchr(s, '*'));
    if (quote)
        sbuf_str(b, "\"");
    sbuf_str(b, s);
    if (quote)
        sbuf_str(b, "\"");
}

static void format_expanded(struct sbuf *b, const struct sympath_elem *e)
{
    switch (e->kind) {
    case SYMPATH_ELEM_DIR:
        add_quoted(b, e->dir);
        break;
    case SYMPATH_ELEM_CACHE:
        sbuf_str(b, "cache*");
        if (e->dir)
            add_quoted(b, e->dir);
        break;
    case SYMPATH_ELEM_SRV:
        sbuf_str(b, "SRV");
        for (size_t i = 0; i < e->tier_count; i++) {
            const struct sympath_tier *t = &e->tiers[i];
            if (t->implicit)
                continue;
            sbuf_str(b, "*");
            if (t->location)
                add_quoted(b, t->location);
        }
        break;
    }
}

struct dd_error *sympath_format(const struct sympath *p, enum sympath_format_style style,
                                char **ret)
{
    struct sbuf b = {0};
    sbuf_add(&b, "", 0);
    for (size_t i = 0; i < p->count; i++) {
        if (i > 0)
            sbuf_str(&b, ";");
        if (style == SYMPATH_FORMAT_ORIGINAL)
            sbuf_str(&b, p->elems[i].text);
        else
            format_expanded(&b, &p->elems[i]);
    }
    if (b.failed) {
        free(b.s);
        return &dd_error_no_memory;
    }
    *ret = b.s;
    return NULL;
}

struct dd_error *sympath_compose_env(const char *nt, const char *alt, char **ret)
{
    /* dbghelp searches _NT_ALT_SYMBOL_PATH before _NT_SYMBOL_PATH. */
    struct sbuf b = {0};
    sbuf_add(&b, "", 0);
    if (alt && alt[0])
        sbuf_str(&b, alt);
    if (nt && nt[0]) {
        if (b.len > 0)
            sbuf_str(&b, ";");
        sbuf_str(&b, nt);
    }
    if (b.failed) {
        free(b.s);
        return &dd_error_no_memory;
    }
    *ret = b.s;
    return NULL;
}

struct dd_error *sympath_default_store(char **ret)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    struct sbuf b = {0};
    /* XDG Base Directory spec: a relative XDG_CACHE_HOME is invalid and must be ignored. */
    if (xdg && xdg[0] == '/') {
        sbuf_str(&b, xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || home[0] != '/') {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home || home[0] != '/')
            return dd_error_create(DD_ERR_NOT_FOUND,
                                   "no default symbol store: neither XDG_CACHE_HOME nor HOME is set");
        sbuf_str(&b, home);
        while (b.len > 0 && b.s && b.s[b.len - 1] == '/')
            b.s[--b.len] = '\0';
        sbuf_str(&b, "/.cache");
    }
    while (b.len > 0 && b.s && b.s[b.len - 1] == '/')
        b.s[--b.len] = '\0';
    sbuf_str(&b, "/dumpdbg/symbols");
    if (b.failed) {
        free(b.s);
        return &dd_error_no_memory;
    }
    *ret = b.s;
    return NULL;
}
