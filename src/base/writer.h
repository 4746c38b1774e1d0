/* All output goes through a writer, so tests can capture it exactly. */
#ifndef DD_BASE_WRITER_H
#define DD_BASE_WRITER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct dd_writer {
    void (*write)(void *ctx, const char *data, size_t len);
    void *ctx;
};

/* A growable string; data is NUL-terminated (or NULL while empty). */
struct dd_strbuf {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* set when an allocation failed; output was dropped */
};

/* Writes formatted text to W. */
void dd_printf(struct dd_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dd_vprintf(struct dd_writer *w, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Writes the NUL-terminated string S. */
void dd_puts(struct dd_writer *w, const char *s);
/* Writes LEN bytes of S. */
void dd_write(struct dd_writer *w, const char *s, size_t len);

/* Returns a writer to stdio stream F. */
struct dd_writer dd_writer_file(FILE *f);
/* Returns a writer that appends to SB. */
struct dd_writer dd_writer_strbuf(struct dd_strbuf *sb);

void dd_strbuf_append(struct dd_strbuf *sb, const char *data, size_t len);
void dd_strbuf_printf(struct dd_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Frees SB's storage and empties it. */
void dd_strbuf_deinit(struct dd_strbuf *sb);
/* Empties SB, keeping storage. */
void dd_strbuf_reset(struct dd_strbuf *sb);

#endif
