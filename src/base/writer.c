#include "base/writer.h"

#include <stdlib.h>
#include <string.h>

void dd_write(struct dd_writer *w, const char *s, size_t len)
{
    if (len)
        w->write(w->ctx, s, len);
}

void dd_puts(struct dd_writer *w, const char *s)
{
    dd_write(w, s, strlen(s));
}

void dd_vprintf(struct dd_writer *w, const char *fmt, va_list ap)
{
    char small[512];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof(small), fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        dd_write(w, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        return;
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    dd_write(w, big, (size_t)n);
    free(big);
}

void dd_printf(struct dd_writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dd_vprintf(w, fmt, ap);
    va_end(ap);
}

static void file_write(void *ctx, const char *data, size_t len)
{
    fwrite(data, 1, len, (FILE *)ctx);
}

struct dd_writer dd_writer_file(FILE *f)
{
    struct dd_writer w = {file_write, f};
    return w;
}

void dd_strbuf_append(struct dd_strbuf *sb, const char *data, size_t len)
{
    if (sb->failed)
        return;
    if (sb->len + len + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 256;
        while (cap < sb->len + len + 1)
            cap *= 2;
        char *p = realloc(sb->data, cap);
        if (!p) {
            sb->failed = 1;
            return;
        }
        sb->data = p;
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void dd_strbuf_printf(struct dd_strbuf *sb, const char *fmt, ...)
{
    struct dd_writer w = dd_writer_strbuf(sb);
    va_list ap;
    va_start(ap, fmt);
    dd_vprintf(&w, fmt, ap);
    va_end(ap);
}

static void strbuf_write(void *ctx, const char *data, size_t len)
{
    dd_strbuf_append((struct dd_strbuf *)ctx, data, len);
}

struct dd_writer dd_writer_strbuf(struct dd_strbuf *sb)
{
    struct dd_writer w = {strbuf_write, sb};
    return w;
}

void dd_strbuf_deinit(struct dd_strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0;
}

void dd_strbuf_reset(struct dd_strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}
