#include "sym/symfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *symfile_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 1 && a[la - 1] == '/')
        la--;
    char *s = malloc(la + 1 + lb + 1);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    size_t n = la;
    if (la == 0 || a[la - 1] != '/')
        s[n++] = '/';
    memcpy(s + n, b, lb + 1);
    return s;
}

struct dd_error *symfile_mkdirs(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? NULL
                                   : dd_error_create(DD_ERR_IO, "%s: not a directory", dir);
    char *copy = strdup(dir);
    if (!copy)
        return &dd_error_no_memory;
    /* Create each prefix in turn; EEXIST is a race with another process and harmless. */
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            struct dd_error *err =
                dd_error_create(DD_ERR_IO, "cannot create directory %s: %s", copy, strerror(errno));
            free(copy);
            return err;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(copy);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dd_error_create(DD_ERR_IO, "cannot create directory %s", dir);
    return NULL;
}

bool symfile_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static uint64_t temp_random(void)
{
    /* Not for security: O_EXCL makes a collision harmless; this only makes one unlikely. */
    static uint64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (++counter * 0x9e3779b97f4a7c15ull);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

struct dd_error *symfile_temp_open(const char *final_path, struct symfile_temp *ret)
{
    const char *slash = strrchr(final_path, '/');
    if (slash && slash != final_path) {
        char *dir = strndup(final_path, (size_t)(slash - final_path));
        if (!dir)
            return &dd_error_no_memory;
        struct dd_error *err = symfile_mkdirs(dir);
        free(dir);
        if (err)
            return err;
    }
    size_t cap = strlen(final_path) + 64;
    char *tmp = malloc(cap);
    char *fin = strdup(final_path);
    if (!tmp || !fin) {
        free(tmp);
        free(fin);
        return &dd_error_no_memory;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, cap, "%s.partial-%ld-%08x", final_path, (long)getpid(),
                 (unsigned)(temp_random() & 0xffffffffu));
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ret->fd = fd;
            ret->tmp_path = tmp;
            ret->final_path = fin;
            return NULL;
        }
        if (errno != EEXIST) {
            struct dd_error *err =
                dd_error_create(DD_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
            free(tmp);
            free(fin);
            return err;
        }
    }
    free(tmp);
    free(fin);
    return dd_error_create(DD_ERR_IO, "cannot create a temporary file beside %s", final_path);
}

struct dd_error *symfile_temp_write(struct symfile_temp *t, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n > 0) {
        ssize_t w = write(t->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return dd_error_create(DD_ERR_IO, "writing %s: %s", t->tmp_path, strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
    return NULL;
}

static void temp_release(struct symfile_temp *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    free(t->tmp_path);
    free(t->final_path);
    t->tmp_path = NULL;
    t->final_path = NULL;
}

void symfile_temp_abort(struct symfile_temp *t)
{
    if (!t->tmp_path)
        return;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    unlink(t->tmp_path);
    temp_release(t);
}

struct dd_error *symfile_temp_commit(struct symfile_temp *t)
{
    struct dd_error *err = NULL;
    if (fsync(t->fd) != 0)
        err = dd_error_create(DD_ERR_IO, "flushing %s: %s", t->tmp_path, strerror(errno));
    else if (close(t->fd) != 0)
        err = dd_error_create(DD_ERR_IO, "closing %s: %s", t->tmp_path, strerror(errno));
    t->fd = -1;
    if (!err && rename(t->tmp_path, t->final_path) != 0)
        err = dd_error_create(DD_ERR_IO, "renaming %s: %s", t->tmp_path, strerror(errno));
    if (err) {
        symfile_temp_abort(t);
        return err;
    }
    temp_release(t);
    return NULL;
}

struct dd_error *symfile_copy(const char *src, const char *dest)
{
    if (symfile_is_file(dest))
        return NULL;
    const char *slash = strrchr(dest, '/');
    if (slash && slash != dest) {
        char *dir = strndup(dest, (size_t)(slash - dest));
        if (!dir)
            return &dd_error_no_memory;
        struct dd_error *err = symfile_mkdirs(dir);
        free(dir);
        if (err)
            return err;
    }
    /* link() creates DEST completely or not at all, so it is atomic by itself. */
    if (link(src, dest) == 0 || errno == EEXIST)
        return NULL;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return dd_error_create(DD_ERR_IO, "cannot open %s: %s", src, strerror(errno));
    struct symfile_temp t;
    struct dd_error *err = symfile_temp_open(dest, &t);
    if (err) {
        close(in);
        return err;
    }
    char buf[65536];
    for (;;) {
        ssize_t r = read(in, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err = dd_error_create(DD_ERR_IO, "reading %s: %s", src, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        if ((err = symfile_temp_write(&t, buf, (size_t)r)) != NULL)
            break;
    }
    close(in);
    if (err) {
        symfile_temp_abort(&t);
        return err;
    }
    return symfile_temp_commit(&t);
}
