#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dd_error dd_error_no_memory = {DD_ERR_NO_MEMORY, "out of memory", DD_NO_OFFSET, 0, 1};
struct dd_error dd_error_not_found = {DD_ERR_NOT_FOUND, "not found", DD_NO_OFFSET, 0, 1};
struct dd_error dd_error_stop = {DD_ERR_STOP, "stop", DD_NO_OFFSET, 0, 1};

__attribute__((format(printf, 3, 0))) static struct dd_error *
error_vcreate(enum dd_error_code code, uint64_t offset, const char *fmt,
                                      va_list ap)
{
    struct dd_error *err = calloc(1, sizeof(*err));
    if (!err)
        return &dd_error_no_memory;
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    err->message = strdup(buf);
    if (!err->message) {
        free(err);
        return &dd_error_no_memory;
    }
    err->code = code;
    err->file_offset = offset;
    return err;
}

struct dd_error *dd_error_create(enum dd_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct dd_error *err = error_vcreate(code, DD_NO_OFFSET, fmt, ap);
    va_end(ap);
    return err;
}

struct dd_error *dd_error_at(enum dd_error_code code, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct dd_error *err = error_vcreate(code, offset, fmt, ap);
    va_end(ap);
    return err;
}

struct dd_error *dd_error_memory(uint64_t addr)
{
    /* Built without printf: stack scans and displays probe many addresses a dump lacks. */
    static const char prefix[] = "memory at 0x", suffix[] = " is not in the dump";
    char digits[16];
    size_t n = 0;
    uint64_t v = addr;
    do {
        digits[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    struct dd_error *err = calloc(1, sizeof(*err));
    char *msg = malloc(sizeof(prefix) - 1 + n + sizeof(suffix));
    if (!err || !msg) {
        free(err);
        free(msg);
        return &dd_error_no_memory;
    }
    memcpy(msg, prefix, sizeof(prefix) - 1);
    for (size_t i = 0; i < n; i++)
        msg[sizeof(prefix) - 1 + i] = digits[n - 1 - i];
    memcpy(msg + sizeof(prefix) - 1 + n, suffix, sizeof(suffix));
    err->code = DD_ERR_MEMORY;
    err->message = msg;
    err->file_offset = DD_NO_OFFSET;
    err->address = addr;
    return err;
}

struct dd_error *dd_error_wrap(struct dd_error *err, const char *fmt, ...)
{
    if (!err)
        return NULL;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    size_t len = strlen(prefix) + 2 + strlen(err->message) + 1;
    char *msg = malloc(len);
    if (!msg)
        return err;
    snprintf(msg, len, "%s: %s", prefix, err->message);
    if (err->is_static) {
        struct dd_error *copy = calloc(1, sizeof(*copy));
        if (!copy) {
            free(msg);
            return err;
        }
        *copy = *err;
        copy->is_static = 0;
        copy->message = msg;
        return copy;
    }
    free(err->message);
    err->message = msg;
    return err;
}

void dd_error_destroy(struct dd_error *err)
{
    if (!err || err->is_static)
        return;
    free(err->message);
    free(err);
}

bool dd_error_drop(struct dd_error *err)
{
    bool had = err != NULL;
    dd_error_destroy(err);
    return had;
}
