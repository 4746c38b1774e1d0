/* Synthetic minidump builder for tests (see mdmp_builder.h). Aborts on OOM: test-only code. */
#include "mdmp_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cursor.h"
#include "dump/dump.h"
#include "dump/mdmp/mdmp.h"

void mdmp_blob_init(struct mdmp_blob *b)
{
    b->data = NULL;
    b->size = 0;
    b->cap = 0;
}

void mdmp_blob_deinit(struct mdmp_blob *b)
{
    free(b->data);
    mdmp_blob_init(b);
}

static uint8_t *blob_grow(struct mdmp_blob *b, size_t n)
{
    if (b->size + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->size + n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            fprintf(stderr, "mdmp_builder: out of memory\n");
            abort();
        }
        b->data = d;
        b->cap = cap;
    }
    uint8_t *p = b->data + b->size;
    b->size += n;
    return p;
}

void mdmp_blob_u8(struct mdmp_blob *b, uint8_t v)
{
    *blob_grow(b, 1) = v;
}

void mdmp_blob_u16(struct mdmp_blob *b, uint16_t v)
{
    uint8_t *p = blob_grow(b, 2);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void mdmp_blob_u32(struct mdmp_blob *b, uint32_t v)
{
    dd_put_le32(blob_grow(b, 4), v);
}

void mdmp_blob_u64(struct mdmp_blob *b, uint64_t v)
{
    dd_put_le64(blob_grow(b, 8), v);
}

void mdmp_blob_bytes(struct mdmp_blob *b, const void *p, size_t n)
{
    if (n)
        memcpy(blob_grow(b, n), p, n);
}

void mdmp_blob_zero(struct mdmp_blob *b, size_t n)
{
    if (n)
        memset(blob_grow(b, n), 0, n);
}

/* Decodes one UTF-8 sequence at *S (advancing it); invalid bytes become U+FFFD. */
static uint32_t utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (c >= 0x80 && c < 0xc0) {
        *s += 1;
        return 0xfffd;
    }
    if (extra)
        c &= 0x3f >> extra;
    int i = 1;
    for (; i <= extra && (p[i] & 0xc0) == 0x80; i++)
        c = (c << 6) | (p[i] & 0x3f);
    *s += i;
    return i == extra + 1 ? c : 0xfffd;
}

/* Encodes UTF-8 S as UTF-16LE into OUT (a blob); returns the number of code units. */
static size_t utf16_encode(struct mdmp_blob *out, const char *s)
{
    size_t units = 0;
    while (*s) {
        uint32_t c = utf8_next(&s);
        if (c >= 0x10000) {
            c -= 0x10000;
            mdmp_blob_u16(out, (uint16_t)(0xd800 + (c >> 10)));
            mdmp_blob_u16(out, (uint16_t)(0xdc00 + (c & 0x3ff)));
            units += 2;
        } else {
            mdmp_blob_u16(out, (uint16_t)c);
            units++;
        }
    }
    return units;
}

void mdmp_blob_utf16_fixed(struct mdmp_blob *b, const char *s, size_t n)
{
    struct mdmp_blob tmp;
    mdmp_blob_init(&tmp);
    size_t units = utf16_encode(&tmp, s);
    if (units > n)
        units = n;
    mdmp_blob_bytes(b, tmp.data, units * 2);
    mdmp_blob_zero(b, (n - units) * 2);
    mdmp_blob_deinit(&tmp);
}

void mdmp_blob_put_u32(struct mdmp_blob *b, size_t at, uint32_t v)
{
    if (at + 4 <= b->size)
        dd_put_le32(b->data + at, v);
}

void mdmp_builder_init(struct mdmp_builder *b)
{
    mdmp_blob_init(&b->file);
    b->ndir = 0;
    b->reserved = MDMP_BUILDER_MAX_STREAMS;
    b->timestamp = 0x5f000000;
    b->flags = 0;
    /* Header and directory are filled in by mdmp_builder_finish. */
    mdmp_blob_zero(&b->file, 32 + 12 * (size_t)b->reserved);
}

void mdmp_builder_deinit(struct mdmp_builder *b)
{
    mdmp_blob_deinit(&b->file);
}

uint32_t mdmp_builder_append(struct mdmp_builder *b, const void *p, size_t n)
{
    while (b->file.size % 4)
        mdmp_blob_u8(&b->file, 0);
    uint32_t rva = (uint32_t)b->file.size;
    mdmp_blob_bytes(&b->file, p, n);
    return rva;
}

uint32_t mdmp_builder_string(struct mdmp_builder *b, const char *s)
{
    struct mdmp_blob text;
    mdmp_blob_init(&text);
    size_t units = utf16_encode(&text, s);
    struct mdmp_blob ms;
    mdmp_blob_init(&ms);
    mdmp_blob_u32(&ms, (uint32_t)(units * 2));
    mdmp_blob_bytes(&ms, text.data, text.size);
    mdmp_blob_u16(&ms, 0);
    uint32_t rva = mdmp_builder_append(b, ms.data, ms.size);
    mdmp_blob_deinit(&ms);
    mdmp_blob_deinit(&text);
    return rva;
}

uint32_t mdmp_builder_utf8(struct mdmp_builder *b, const char *s)
{
    struct mdmp_blob ms;
    mdmp_blob_init(&ms);
    mdmp_blob_u32(&ms, (uint32_t)strlen(s));
    mdmp_blob_bytes(&ms, s, strlen(s) + 1);
    uint32_t rva = mdmp_builder_append(b, ms.data, ms.size);
    mdmp_blob_deinit(&ms);
    return rva;
}

void mdmp_builder_dir_entry(struct mdmp_builder *b, uint32_t type, uint32_t size, uint32_t rva)
{
    if (b->ndir >= MDMP_BUILDER_MAX_STREAMS) {
        fprintf(stderr, "mdmp_builder: too many streams\n");
        abort();
    }
    b->dir_type[b->ndir] = type;
    b->dir_size[b->ndir] = size;
    b->dir_rva[b->ndir] = rva;
    b->ndir++;
}

uint32_t mdmp_builder_stream(struct mdmp_builder *b, uint32_t type, const void *p, size_t n)
{
    uint32_t rva = mdmp_builder_append(b, p, n);
    mdmp_builder_dir_entry(b, type, (uint32_t)n, rva);
    return rva;
}

uint32_t mdmp_builder_stream_blob(struct mdmp_builder *b, uint32_t type,
                                  const struct mdmp_blob *blob)
{
    return mdmp_builder_stream(b, type, blob->data, blob->size);
}

void mdmp_builder_system_info(struct mdmp_builder *b, uint16_t arch, uint32_t major, uint32_t minor,
                              uint32_t build, const char *csd)
{
    uint32_t csd_rva = mdmp_builder_string(b, csd);
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u16(&s, arch);
    mdmp_blob_u16(&s, 6);      /* ProcessorLevel */
    mdmp_blob_u16(&s, 0x3a09); /* ProcessorRevision */
    mdmp_blob_u8(&s, 4);       /* NumberOfProcessors */
    mdmp_blob_u8(&s, 1);       /* ProductType: workstation */
    mdmp_blob_u32(&s, major);
    mdmp_blob_u32(&s, minor);
    mdmp_blob_u32(&s, build);
    mdmp_blob_u32(&s, 2); /* VER_PLATFORM_WIN32_NT */
    mdmp_blob_u32(&s, csd_rva);
    mdmp_blob_u16(&s, 0x100); /* SuiteMask */
    mdmp_blob_u16(&s, 0);
    if (arch == 0) {
        mdmp_blob_bytes(&s, "GenuineIntel", 12);
        mdmp_blob_u32(&s, 0x306a9);
        mdmp_blob_u32(&s, 0xbfebfbff);
        mdmp_blob_u32(&s, 0);
    } else {
        mdmp_blob_u64(&s, 0x1c2774cULL);
        mdmp_blob_u64(&s, 0);
        mdmp_blob_zero(&s, 8);
    }
    mdmp_builder_stream_blob(b, MDMP_STREAM_SYSTEM_INFO, &s);
    mdmp_blob_deinit(&s);
}

void mdmp_builder_thread_list(struct mdmp_builder *b, const struct mdmp_builder_thread *th,
                              size_t n)
{
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint32_t stack_rva =
            th[i].stack ? mdmp_builder_append(b, th[i].stack, th[i].stack_size) : 0;
        uint32_t ctx_rva =
            th[i].context ? mdmp_builder_append(b, th[i].context, th[i].context_size) : 0;
        mdmp_blob_u32(&s, th[i].tid);
        mdmp_blob_u32(&s, 0); /* SuspendCount */
        mdmp_blob_u32(&s, 0x20);
        mdmp_blob_u32(&s, 0);
        mdmp_blob_u64(&s, th[i].teb);
        mdmp_blob_u64(&s, th[i].stack_start);
        mdmp_blob_u32(&s, th[i].stack_size);
        mdmp_blob_u32(&s, stack_rva);
        mdmp_blob_u32(&s, th[i].context ? th[i].context_size : 0);
        mdmp_blob_u32(&s, ctx_rva);
    }
    mdmp_builder_stream_blob(b, MDMP_STREAM_THREAD_LIST, &s);
    mdmp_blob_deinit(&s);
}

void mdmp_builder_module_list(struct mdmp_builder *b, uint32_t type,
                              const struct mdmp_builder_module *m, size_t n)
{
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint32_t name_rva = mdmp_builder_string(b, m[i].path);
        uint32_t cv_rva = 0, cv_size = 0;
        if (m[i].guid) {
            struct mdmp_blob cv;
            mdmp_blob_init(&cv);
            mdmp_blob_bytes(&cv, "RSDS", 4);
            mdmp_blob_bytes(&cv, m[i].guid, 16);
            mdmp_blob_u32(&cv, m[i].age);
            mdmp_blob_bytes(&cv, m[i].pdb, strlen(m[i].pdb) + 1);
            cv_rva = mdmp_builder_append(b, cv.data, cv.size);
            cv_size = (uint32_t)cv.size;
            mdmp_blob_deinit(&cv);
        }
        mdmp_blob_u64(&s, m[i].base);
        mdmp_blob_u32(&s, m[i].size);
        mdmp_blob_u32(&s, m[i].checksum);
        mdmp_blob_u32(&s, m[i].timestamp);
        mdmp_blob_u32(&s, name_rva);
        mdmp_blob_u32(&s, 0xfeef04bd); /* VS_FIXEDFILEINFO.dwSignature */
        mdmp_blob_u32(&s, 0x10000);
        mdmp_blob_u32(&s, 0x000a0000); /* 10.0 */
        mdmp_blob_u32(&s, 0x4a610001); /* 19041.1 */
        mdmp_blob_zero(&s, 4 * 9);
        mdmp_blob_u32(&s, cv_size);
        mdmp_blob_u32(&s, cv_rva);
        mdmp_blob_zero(&s, 8 + 16); /* MiscRecord, Reserved0, Reserved1 */
    }
    mdmp_builder_stream_blob(b, type, &s);
    mdmp_blob_deinit(&s);
}

void mdmp_builder_memory_list(struct mdmp_builder *b, const struct mdmp_builder_range *r, size_t n)
{
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u32(&s, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint32_t rva = mdmp_builder_append(b, r[i].data, r[i].size);
        mdmp_blob_u64(&s, r[i].base);
        mdmp_blob_u32(&s, r[i].size);
        mdmp_blob_u32(&s, rva);
    }
    mdmp_builder_stream_blob(b, MDMP_STREAM_MEMORY_LIST, &s);
    mdmp_blob_deinit(&s);
}

void mdmp_builder_memory64_list(struct mdmp_builder *b, const struct mdmp_builder_range *r,
                                size_t n)
{
    /* The data goes right after the stream, so BaseRva = stream RVA + stream size. */
    while (b->file.size % 8)
        mdmp_blob_u8(&b->file, 0);
    uint64_t stream_size = 16 + 16 * (uint64_t)n;
    struct mdmp_blob s;
    mdmp_blob_init(&s);
    mdmp_blob_u64(&s, n);
    mdmp_blob_u64(&s, b->file.size + stream_size);
    for (size_t i = 0; i < n; i++) {
        mdmp_blob_u64(&s, r[i].base);
        mdmp_blob_u64(&s, r[i].size);
    }
    mdmp_builder_stream_blob(b, MDMP_STREAM_MEMORY64_LIST, &s);
    for (size_t i = 0; i < n; i++)
        mdmp_blob_bytes(&b->file, r[i].data, r[i].size);
    mdmp_blob_deinit(&s);
}

const uint8_t *mdmp_builder_finish(struct mdmp_builder *b, size_t *ret_size)
{
    uint8_t *h = b->file.data;
    memcpy(h, "MDMP", 4);
    dd_put_le32(h + 4, 0xa793);
    dd_put_le32(h + 8, (uint32_t)b->ndir);
    dd_put_le32(h + 12, 32);
    dd_put_le32(h + 16, 0);
    dd_put_le32(h + 20, b->timestamp);
    dd_put_le64(h + 24, b->flags);
    for (size_t i = 0; i < b->ndir; i++) {
        uint8_t *e = h + 32 + 12 * i;
        dd_put_le32(e, b->dir_type[i]);
        dd_put_le32(e + 4, b->dir_size[i]);
        dd_put_le32(e + 8, b->dir_rva[i]);
    }
    *ret_size = b->file.size;
    return b->file.data;
}

struct dd_error *mdmp_test_open_bytes(const uint8_t *data, size_t size, struct target **ret)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/dd-mdmp-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return dd_error_create(DD_ERR_IO, "cannot create a temporary file");
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    struct dd_error *err =
        done == size ? target_open(path, ret) : dd_error_create(DD_ERR_IO, "short temporary write");
    unlink(path);
    return err;
}

struct dd_error *mdmp_builder_open(struct mdmp_builder *b, struct target **ret)
{
    size_t size;
    const uint8_t *data = mdmp_builder_finish(b, &size);
    return mdmp_test_open_bytes(data, size, ret);
}

struct dd_error *mdmp_test_open_buffer(const uint8_t *data, size_t size, struct target **ret)
{
    return dump_open_memory(data, size, "synthetic.dmp", ret);
}
