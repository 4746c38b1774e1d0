/* Finding the dumps below a directory for `dumpdbg triage --batch DIR`. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "triage/triage.h"

/* Directory levels followed at most: deeper trees are unusual and a bound keeps the walk finite. */
#define TRIAGE_MAX_DEPTH 64

struct path_list {
    char **items;
    size_t n, cap;
};

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t k = strlen(suffix);
    return len >= k && strncasecmp(s + len - k, suffix, k) == 0;
}

/* A dump's file name: NAME.dmp/.mdmp/.hdmp/.kdmp, optionally xz-compressed (NAME.dmp.xz). */
static bool is_dump_name(const char *name)
{
    static const char *const exts[] = {".dmp", ".mdmp", ".hdmp", ".kdmp"};
    size_t len = strlen(name);
    if (ends_with(name, len, ".xz"))
        len -= 3;
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (len > strlen(exts[i]) && ends_with(name, len, exts[i]))
            return true;
    return false;
}

static bool list_add(struct path_list *l, char *path)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->items, ncap * sizeof(*p));
        if (!p)
            return false;
        l->items = p;
        l->cap = ncap;
    }
    l->items[l->n++] = path;
    return true;
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    bool slash = a && dir[a - 1] != '/';
    char *p = malloc(a + slash + b + 1);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (slash)
        p[a] = '/';
    memcpy(p + a + slash, name, b + 1);
    return p;
}

static struct dd_error *walk(const char *dir, unsigned depth, struct path_list *l)
{
    DIR *d = opendir(dir);
    if (!d)
        return dd_error_create(DD_ERR_IO, "cannot read directory '%s': %s", dir, strerror(errno));
    struct dd_error *err = NULL;
    struct dirent *e;
    while (!err && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = join(dir, e->d_name);
        if (!path) {
            err = &dd_error_no_memory;
            break;
        }
        struct stat st;
        /* lstat: a link to a directory is not followed (no loops); a link to a file is. */
        bool ok = lstat(path, &st) == 0;
        if (ok && S_ISLNK(st.st_mode) && is_dump_name(e->d_name))
            ok = stat(path, &st) == 0;
        if (ok && S_ISDIR(st.st_mode) && depth >= TRIAGE_MAX_DEPTH) {
            /* Skipped, and said so: the records alone would not show it (docs/limits.md). */
            fprintf(stderr, "dumpdbg triage: skipped directory '%s': deeper than %d levels\n", path,
                    TRIAGE_MAX_DEPTH);
            free(path);
        } else if (ok && S_ISDIR(st.st_mode)) {
            /* An unreadable subdirectory is skipped: the rest of the tree is still triaged. */
            struct dd_error *sub = walk(path, depth + 1, l);
            if (sub && sub->code == DD_ERR_NO_MEMORY) {
                err = sub;
            } else if (sub) {
                fprintf(stderr, "dumpdbg triage: skipped: %s\n", sub->message);
                dd_error_destroy(sub);
            }
            free(path);
        } else if (ok && S_ISREG(st.st_mode) && is_dump_name(e->d_name)) {
            if (!list_add(l, path)) {
                free(path);
                err = &dd_error_no_memory;
            }
        } else {
            free(path);
        }
    }
    closedir(d);
    return err;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct dd_error *triage_collect(const char *dir, char ***ret, size_t *ret_n)
{
    struct path_list l = {NULL, 0, 0};
    struct dd_error *err = walk(dir, 0, &l);
    if (err) {
        triage_paths_free(l.items, l.n);
        return err;
    }
    if (l.n)
        qsort(l.items, l.n, sizeof(*l.items), cmp_path);
    *ret = l.items;
    *ret_n = l.n;
    return NULL;
}

void triage_paths_free(char **paths, size_t n)
{
    if (!paths)
        return;
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}
