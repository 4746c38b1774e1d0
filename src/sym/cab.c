/*
 * CAB extraction through libmspack with our own mspack_system: the cabinet is read from memory
 * (a mapped file or a caller's buffer) and the output goes to a capped sink (a temporary file or
 * a growing buffer), so a hostile cabinet can neither write elsewhere nor grow without bound.
 */
#include "sym/cab.h"

#include <mspack.h>
#include <stdlib.h>
#include <string.h>

#include "base/mapfile.h"
#include "sym/symfile.h"

/* The names our open() understands; libmspack passes them through unchanged. */
#define CAB_IN_NAME "<cabinet>"
#define CAB_OUT_NAME "<output>"

struct cab_sink {
    struct symfile_temp *temp; /* file output, or NULL for memory */
    uint8_t *buf;
    size_t len, cap;
    uint64_t written, max;
    bool over_limit;
    struct dd_error *error; /* a write error from the file */
};

struct cab_system {
    struct mspack_system base; /* first: libmspack hands us back a pointer to it */
    const uint8_t *data;
    size_t size;
    struct cab_sink *sink;
};

/* One open() result; libmspack may open the cabinet more than once at a time. */
struct cab_handle {
    struct cab_system *sys;
    bool is_output;
    size_t pos;
};

static struct mspack_file *cab_open(struct mspack_system *self, const char *filename, int mode)
{
    struct cab_system *sys = (struct cab_system *)self;
    bool out;
    if (strcmp(filename, CAB_IN_NAME) == 0 && mode == MSPACK_SYS_OPEN_READ)
        out = false;
    else if (strcmp(filename, CAB_OUT_NAME) == 0 && mode == MSPACK_SYS_OPEN_WRITE && sys->sink)
        out = true;
    else
        return NULL;
    struct cab_handle *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->sys = sys;
    h->is_output = out;
    return (struct mspack_file *)h;
}

static void cab_close(struct mspack_file *file)
{
    free(file);
}

static int cab_read(struct mspack_file *file, void *buffer, int bytes)
{
    struct cab_handle *h = (struct cab_handle *)file;
    if (h->is_output || bytes < 0)
        return -1;
    size_t left = h->sys->size - h->pos;
    size_t n = (size_t)bytes < left ? (size_t)bytes : left;
    if (n > 0)
        memcpy(buffer, h->sys->data + h->pos, n);
    h->pos += n;
    return (int)n;
}

static int cab_write(struct mspack_file *file, void *buffer, int bytes)
{
    struct cab_handle *h = (struct cab_handle *)file;
    struct cab_sink *s = h->sys->sink;
    if (!h->is_output || bytes < 0)
        return -1;
    size_t n = (size_t)bytes;
    if (n == 0)
        return 0; /* an empty write: memcpy must not see the still-NULL buffer */
    if (n > s->max - s->written) {
        s->over_limit = true;
        return -1;
    }
    if (s->temp) {
        if ((s->error = symfile_temp_write(s->temp, buffer, n)) != NULL)
            return -1;
    } else {
        if (s->len + n > s->cap) {
            size_t cap = s->cap ? s->cap : 4096;
            while (cap < s->len + n)
                cap *= 2;
            uint8_t *b = realloc(s->buf, cap);
            if (!b)
                return -1;
            s->buf = b;
            s->cap = cap;
        }
        memcpy(s->buf + s->len, buffer, n);
        s->len += n;
    }
    s->written += n;
    return bytes;
}

static int cab_seek(struct mspack_file *file, off_t offset, int mode)
{
    struct cab_handle *h = (struct cab_handle *)file;
    if (h->is_output)
        return -1;
    off_t base;
    switch (mode) {
    case MSPACK_SYS_SEEK_START:
        base = 0;
        break;
    case MSPACK_SYS_SEEK_CUR:
        base = (off_t)h->pos;
        break;
    case MSPACK_SYS_SEEK_END:
        base = (off_t)h->sys->size;
        break;
    default:
        return -1;
    }
    /* Both operands are within [-size, size] or a caller's offset; check before adding. */
    if ((offset < 0 && -offset > base) || (offset > 0 && (uint64_t)offset > h->sys->size - (uint64_t)base))
        return -1;
    h->pos = (size_t)(base + offset);
    return 0;
}

static off_t cab_tell(struct mspack_file *file)
{
    return (off_t)((struct cab_handle *)file)->pos;
}

static void cab_message(struct mspack_file *file, const char *format, ...)
{
    /* libmspack's warnings are informational; the result code says what matters. */
}

static void *cab_alloc(struct mspack_system *self, size_t bytes)
{
    return malloc(bytes);
}

static void cab_free(void *ptr)
{
    free(ptr);
}

static void cab_copy(void *src, void *dest, size_t bytes)
{
    memcpy(dest, src, bytes);
}

bool cab_is_cabinet(const uint8_t *data, size_t size)
{
    /* CFHEADER.signature, MS-CAB specification section 2.1. */
    return size >= 4 && memcmp(data, "MSCF", 4) == 0;
}

static const char *mspack_error_text(int code)
{
    switch (code) {
    case MSPACK_ERR_OPEN: return "cannot open";
    case MSPACK_ERR_READ: return "truncated cabinet";
    case MSPACK_ERR_WRITE: return "write failed";
    case MSPACK_ERR_SEEK: return "bad offset in cabinet";
    case MSPACK_ERR_NOMEMORY: return "out of memory";
    case MSPACK_ERR_SIGNATURE: return "not a cabinet";
    case MSPACK_ERR_DATAFORMAT: return "malformed cabinet";
    case MSPACK_ERR_CHECKSUM: return "checksum mismatch";
    case MSPACK_ERR_DECRUNCH: return "corrupt compressed data";
    default: return "cabinet error";
    }
}

static bool cab_name_ok(const char *name)
{
    /* The name is not used to write anywhere, but one that points elsewhere means a bad file. */
    if (!name || !name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || *p == ':')
            return false;
    return true;
}

/* Extracts the single file of DATA[0..SIZE) into SINK. */
static struct dd_error *cab_extract(const uint8_t *data, size_t size, struct cab_sink *sink)
{
    int selftest;
    MSPACK_SYS_SELFTEST(selftest);
    if (selftest != MSPACK_ERR_OK)
        return dd_error_create(DD_ERR_UNSUPPORTED, "libmspack was built with another off_t");
    if (!cab_is_cabinet(data, size))
        return dd_error_create(DD_ERR_FORMAT, "not a cabinet (no MSCF signature)");
    struct cab_system sys = {
        .base = {cab_open, cab_close, cab_read, cab_write, cab_seek, cab_tell, cab_message,
                 cab_alloc, cab_free, cab_copy, NULL},
        .data = data,
        .size = size,
        .sink = sink,
    };
    struct mscab_decompressor *d = mspack_create_cab_decompressor(&sys.base);
    if (!d)
        return &dd_error_no_memory;
    struct dd_error *err = NULL;
    struct mscabd_cabinet *cab = d->open(d, CAB_IN_NAME);
    if (!cab) {
        err = dd_error_create(DD_ERR_FORMAT, "%s", mspack_error_text(d->last_error(d)));
        goto out;
    }
    if (cab->flags & (MSCAB_HDR_PREVCAB | MSCAB_HDR_NEXTCAB)) {
        err = dd_error_create(DD_ERR_UNSUPPORTED, "cabinet is part of a multi-cabinet set");
    } else if (!cab->files || cab->files->next) {
        err = dd_error_create(DD_ERR_FORMAT, "cabinet holds %s files; expected one",
                              cab->files ? "several" : "no");
    } else if (!cab_name_ok(cab->files->filename)) {
        err = dd_error_create(DD_ERR_FORMAT, "cabinet file name is not a plain file name");
    } else if (cab->files->length > sink->max) {
        err = dd_error_create(DD_ERR_FORMAT, "cabinet file is %u bytes, over the %llu-byte limit",
                              cab->files->length, (unsigned long long)sink->max);
    } else {
        int rc = d->extract(d, cab->files, CAB_OUT_NAME);
        if (sink->error) {
            err = sink->error;
            sink->error = NULL;
        } else if (sink->over_limit) {
            err = dd_error_create(DD_ERR_FORMAT, "cabinet output exceeds the %llu-byte limit",
                                  (unsigned long long)sink->max);
        } else if (rc != MSPACK_ERR_OK) {
            err = dd_error_create(DD_ERR_FORMAT, "%s", mspack_error_text(rc));
        } else if (sink->written != cab->files->length) {
            err = dd_error_create(DD_ERR_FORMAT, "cabinet produced %llu bytes, expected %u",
                                  (unsigned long long)sink->written, cab->files->length);
        }
    }
    d->close(d, cab);
out:
    mspack_destroy_cab_decompressor(d);
    return err;
}

struct dd_error *cab_extract_memory(const uint8_t *data, size_t size, uint64_t max_size,
                                    uint8_t **ret_data, size_t *ret_size)
{
    struct cab_sink sink = {.max = max_size};
    struct dd_error *err = cab_extract(data, size, &sink);
    if (err) {
        free(sink.buf);
        return err;
    }
    if (!sink.buf && !(sink.buf = malloc(1)))
        return &dd_error_no_memory;
    *ret_data = sink.buf;
    *ret_size = sink.len;
    return NULL;
}

struct dd_error *cab_extract_file(const char *cab_path, const char *out_path, uint64_t max_size)
{
    struct dd_mapfile m;
    struct dd_error *err = dd_mapfile_open(cab_path, &m);
    if (err)
        return err;
    struct symfile_temp temp;
    if ((err = symfile_temp_open(out_path, &temp)) != NULL) {
        dd_mapfile_close(&m);
        return err;
    }
    struct cab_sink sink = {.temp = &temp, .max = max_size};
    err = cab_extract(m.data ? m.data : (const uint8_t *)"", m.size, &sink);
    dd_mapfile_close(&m);
    if (err) {
        symfile_temp_abort(&temp);
        return dd_error_wrap(err, "%s", cab_path);
    }
    return symfile_temp_commit(&temp);
}
