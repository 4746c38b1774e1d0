#include "base/cursor.h"

void dd_cursor_init(struct dd_cursor *c, const uint8_t *data, size_t size, uint64_t base_offset,
                    const char *what)
{
    c->data = data;
    c->size = size;
    c->pos = 0;
    c->base_offset = base_offset;
    c->what = what;
}

static struct dd_error *cursor_short(const struct dd_cursor *c, uint64_t want)
{
    return dd_error_at(DD_ERR_FORMAT, c->base_offset + c->pos,
                       "%s truncated: need %llu bytes at offset 0x%llx, only %zu left",
                       c->what ? c->what : "data", (unsigned long long)want,
                       (unsigned long long)(c->base_offset + c->pos), dd_cursor_left(c));
}

struct dd_error *dd_cursor_sub(const struct dd_cursor *c, uint64_t offset, uint64_t size,
                               const char *what, struct dd_cursor *ret)
{
    uint64_t end;
    if (dd_add_overflows(offset, size, c->size, &end))
        return dd_error_at(DD_ERR_FORMAT, c->base_offset + offset,
                           "%s at offset 0x%llx, size 0x%llx lies outside %s (size 0x%zx)",
                           what ? what : "data", (unsigned long long)(c->base_offset + offset),
                           (unsigned long long)size, c->what ? c->what : "the file", c->size);
    dd_cursor_init(ret, c->data + offset, (size_t)size, c->base_offset + offset, what);
    return NULL;
}

struct dd_error *dd_cursor_seek(struct dd_cursor *c, uint64_t pos)
{
    if (pos > c->size)
        return dd_error_at(DD_ERR_FORMAT, c->base_offset + pos,
                           "%s: offset 0x%llx is past its end (size 0x%zx)",
                           c->what ? c->what : "data", (unsigned long long)pos, c->size);
    c->pos = (size_t)pos;
    return NULL;
}

struct dd_error *dd_cursor_skip(struct dd_cursor *c, uint64_t n)
{
    if (n > dd_cursor_left(c))
        return cursor_short(c, n);
    c->pos += (size_t)n;
    return NULL;
}

struct dd_error *dd_cursor_bytes(struct dd_cursor *c, size_t n, const uint8_t **ret)
{
    if (n > dd_cursor_left(c))
        return cursor_short(c, n);
    *ret = c->data + c->pos;
    c->pos += n;
    return NULL;
}

struct dd_error *dd_cursor_copy(struct dd_cursor *c, void *out, size_t n)
{
    const uint8_t *p;
    struct dd_error *err = dd_cursor_bytes(c, n, &p);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)out)[i] = p[i];
    return NULL;
}

struct dd_error *dd_cursor_u8(struct dd_cursor *c, uint8_t *ret)
{
    const uint8_t *p;
    struct dd_error *err = dd_cursor_bytes(c, 1, &p);
    if (!err)
        *ret = p[0];
    return err;
}

struct dd_error *dd_cursor_u16(struct dd_cursor *c, uint16_t *ret)
{
    const uint8_t *p;
    struct dd_error *err = dd_cursor_bytes(c, 2, &p);
    if (!err)
        *ret = dd_le16(p);
    return err;
}

struct dd_error *dd_cursor_u32(struct dd_cursor *c, uint32_t *ret)
{
    const uint8_t *p;
    struct dd_error *err = dd_cursor_bytes(c, 4, &p);
    if (!err)
        *ret = dd_le32(p);
    return err;
}

struct dd_error *dd_cursor_u64(struct dd_cursor *c, uint64_t *ret)
{
    const uint8_t *p;
    struct dd_error *err = dd_cursor_bytes(c, 8, &p);
    if (!err)
        *ret = dd_le64(p);
    return err;
}
