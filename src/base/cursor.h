/* A bounds-checked little-endian reader over untrusted bytes. */
#ifndef DD_BASE_CURSOR_H
#define DD_BASE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/*
 * A view of SIZE bytes at DATA, which sit at file offset BASE_OFFSET (used only
 * in error messages). Reads never go past the end; a failed read leaves the
 * position unchanged and returns an error naming WHAT and the offset.
 */
struct dd_cursor {
    const uint8_t *data;
    size_t size;
    size_t pos;
    uint64_t base_offset;
    const char *what; /* e.g. "ThreadList stream"; static string or NULL */
};

/* Initializes C over DATA[0..SIZE) located at file offset BASE_OFFSET. */
void dd_cursor_init(struct dd_cursor *c, const uint8_t *data, size_t size, uint64_t base_offset,
                    const char *what);

/* Sets ret to a cursor over [OFFSET, OFFSET+SIZE) of C; errors if that is out of bounds. */
struct dd_error *dd_cursor_sub(const struct dd_cursor *c, uint64_t offset, uint64_t size,
                               const char *what, struct dd_cursor *ret);

/* Moves to absolute position POS (relative to the cursor start); POS may equal size. */
struct dd_error *dd_cursor_seek(struct dd_cursor *c, uint64_t pos);
/* Advances by N bytes. */
struct dd_error *dd_cursor_skip(struct dd_cursor *c, uint64_t n);

struct dd_error *dd_cursor_u8(struct dd_cursor *c, uint8_t *ret);
struct dd_error *dd_cursor_u16(struct dd_cursor *c, uint16_t *ret);
struct dd_error *dd_cursor_u32(struct dd_cursor *c, uint32_t *ret);
struct dd_error *dd_cursor_u64(struct dd_cursor *c, uint64_t *ret);
/* Sets ret to point at the next N bytes (inside the mapped data) and advances. */
struct dd_error *dd_cursor_bytes(struct dd_cursor *c, size_t n, const uint8_t **ret);
/* Copies the next N bytes into OUT and advances. */
struct dd_error *dd_cursor_copy(struct dd_cursor *c, void *out, size_t n);

/* Bytes left after the current position. */
static inline size_t dd_cursor_left(const struct dd_cursor *c)
{
    return c->size - c->pos;
}

/* Little-endian loads from a known-good buffer (callers check the length first). */
static inline uint16_t dd_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t dd_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t dd_le64(const uint8_t *p)
{
    return (uint64_t)dd_le32(p) | ((uint64_t)dd_le32(p + 4) << 32);
}
static inline void dd_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void dd_put_le64(uint8_t *p, uint64_t v)
{
    dd_put_le32(p, (uint32_t)v);
    dd_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* True when A + B overflows or exceeds LIMIT; otherwise stores the sum in ret. */
static inline bool dd_add_overflows(uint64_t a, uint64_t b, uint64_t limit, uint64_t *ret)
{
    uint64_t s = a + b;
    if (s < a || s > limit)
        return true;
    *ret = s;
    return false;
}

#endif
