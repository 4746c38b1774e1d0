/* PE headers and section table; reads by RVA in the file or the mapped layout. */
#include "pe/pe_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "pe/pe_internal.h"

/* PE Format: "MS-DOS Stub", "Signature (Image Only)", "COFF File Header", "Section Table". */
#define DOS_MAGIC 0x5a4du          /* "MZ" */
#define DOS_HEADER_SIZE 64u
#define DOS_LFANEW_OFFSET 0x3cu
#define NT_SIGNATURE 0x00004550u   /* "PE\0\0" */
#define FILE_HEADER_SIZE 20u
#define SECTION_HEADER_SIZE 40u
/* Offset of the data directories in the optional header: PE32 and PE32+. */
#define OPT_DIRS_PE32 96u
#define OPT_DIRS_PE32_PLUS 112u

/* Reads header bytes at OFF: a file offset or an RVA, the same thing for the headers. */
static size_t header_read(const struct pe_image *img, uint64_t off, void *buf, size_t len)
{
    if (img->layout == PE_LAYOUT_FILE)
        return pe_read_file_offset(img, off, buf, len);
    if (off >= img->rva_limit)
        return 0;
    return pe_image_read_rva(img, (uint32_t)off, buf, len);
}

/* Reads exactly LEN header bytes at OFF, or says which header is cut short. */
static struct dd_error *header_read_exact(const struct pe_image *img, uint64_t off, void *buf,
                                          size_t len, const char *what)
{
    size_t got = header_read(img, off, buf, len);
    if (got == len)
        return NULL;
    if (img->layout == PE_LAYOUT_MAPPED) {
        struct dd_error *err = dd_error_create(
            DD_ERR_MEMORY, "PE: %s at 0x%llx (0x%zx bytes) is not available (0x%zx bytes read)",
            what, (unsigned long long)off, len, got);
        if (!err->is_static)
            err->address = img->base + off;
        return err;
    }
    return dd_error_at(DD_ERR_FORMAT, off,
                       "PE: %s at 0x%llx (0x%zx bytes) extends past end of file (size 0x%zx)",
                       what, (unsigned long long)off, len, img->file.size);
}

static struct dd_error *optional_header_parse(struct pe_image *img, const uint8_t *p, size_t n,
                                              uint64_t off)
{
    struct pe_headers *h = &img->hdr;
    struct dd_cursor c;
    dd_cursor_init(&c, p, n, off, "PE optional header");
    struct dd_error *err = dd_cursor_u16(&c, &h->magic);
    if (err)
        return err;
    if (h->magic != PE_MAGIC_PE32 && h->magic != PE_MAGIC_PE32_PLUS)
        return dd_error_at(DD_ERR_FORMAT, off,
                           "PE: optional header at 0x%llx has magic 0x%x, neither PE32 (0x10b) nor "
                           "PE32+ (0x20b)",
                           (unsigned long long)off, h->magic);
    h->is_64 = h->magic == PE_MAGIC_PE32_PLUS;
    size_t dirs_at = h->is_64 ? OPT_DIRS_PE32_PLUS : OPT_DIRS_PE32;
    if (n < dirs_at)
        return dd_error_at(DD_ERR_FORMAT, off,
                           "PE: optional header at 0x%llx is 0x%zx bytes, too small for %s "
                           "(0x%zx)",
                           (unsigned long long)off, n, h->is_64 ? "PE32+" : "PE32", dirs_at);
    /* The fixed part is in bounds (checked above), so the field reads below cannot fail. */
    const uint8_t *q = p;
    h->linker_major = q[2];
    h->linker_minor = q[3];
    h->size_of_code = dd_le32(q + 4);
    h->size_of_initialized_data = dd_le32(q + 8);
    h->size_of_uninitialized_data = dd_le32(q + 12);
    h->entry_point = dd_le32(q + 16);
    h->base_of_code = dd_le32(q + 20);
    size_t at; /* offset of SectionAlignment */
    if (h->is_64) {
        h->image_base = dd_le64(q + 24);
        at = 32;
    } else {
        h->image_base = dd_le32(q + 28); /* after BaseOfData */
        at = 32;
    }
    h->section_alignment = dd_le32(q + at);
    h->file_alignment = dd_le32(q + at + 4);
    h->os_major = dd_le16(q + at + 8);
    h->os_minor = dd_le16(q + at + 10);
    h->image_major = dd_le16(q + at + 12);
    h->image_minor = dd_le16(q + at + 14);
    h->subsystem_major = dd_le16(q + at + 16);
    h->subsystem_minor = dd_le16(q + at + 18);
    /* + 20: Win32VersionValue (reserved) */
    h->size_of_image = dd_le32(q + at + 24);
    h->size_of_headers = dd_le32(q + at + 28);
    h->checksum = dd_le32(q + at + 32);
    h->subsystem = dd_le16(q + at + 36);
    h->dll_characteristics = dd_le16(q + at + 38);
    at += 40;
    if (h->is_64) {
        h->stack_reserve = dd_le64(q + at);
        h->stack_commit = dd_le64(q + at + 8);
        h->heap_reserve = dd_le64(q + at + 16);
        h->heap_commit = dd_le64(q + at + 24);
        at += 32;
    } else {
        h->stack_reserve = dd_le32(q + at);
        h->stack_commit = dd_le32(q + at + 4);
        h->heap_reserve = dd_le32(q + at + 8);
        h->heap_commit = dd_le32(q + at + 12);
        at += 16;
    }
    /* + 0: LoaderFlags */
    h->number_of_rva_and_sizes = dd_le32(q + at + 4);
    size_t ndirs = (n - dirs_at) / 8;
    if (ndirs > h->number_of_rva_and_sizes)
        ndirs = h->number_of_rva_and_sizes;
    if (ndirs > PE_DIR_COUNT)
        ndirs = PE_DIR_COUNT;
    for (size_t i = 0; i < ndirs; i++) {
        h->dirs[i].rva = dd_le32(q + dirs_at + 8 * i);
        h->dirs[i].size = dd_le32(q + dirs_at + 8 * i + 4);
    }
    return NULL;
}

static void section_decode(struct pe_section *s, const uint8_t *p)
{
    memcpy(s->name, p, 8);
    s->name[8] = '\0';
    s->virtual_size = dd_le32(p + 8);
    s->virtual_address = dd_le32(p + 12);
    s->raw_size = dd_le32(p + 16);
    s->raw_offset = dd_le32(p + 20);
    /* + 24 PointerToRelocations, + 28 PointerToLinenumbers, + 32/34 counts: object files only */
    s->characteristics = dd_le32(p + 36);
}

/* The mapped extent of S: VirtualSize (or SizeOfRawData when 0) rounded up to SectionAlignment. */
static uint64_t section_span(const struct pe_image *img, const struct pe_section *s)
{
    uint64_t n = s->virtual_size ? s->virtual_size : s->raw_size;
    uint64_t a = img->hdr.section_alignment;
    if (a > 1 && a <= 0x100000 && (a & (a - 1)) == 0)
        n = (n + a - 1) & ~(a - 1);
    return n;
}

/* TAKE_HEADER_SIZE: a mapped image opened without a size is bounded by the header's SizeOfImage. */
static struct dd_error *headers_parse(struct pe_image *img, bool take_header_size)
{
    struct pe_headers *h = &img->hdr;
    uint8_t dos[DOS_HEADER_SIZE];
    struct dd_error *err = header_read_exact(img, 0, dos, sizeof(dos), "DOS header");
    if (err)
        return err;
    if (dd_le16(dos) != DOS_MAGIC)
        return dd_error_at(DD_ERR_FORMAT, 0, "PE: no MZ signature at offset 0 (found 0x%04x)",
                           dd_le16(dos));
    h->nt_offset = dd_le32(dos + DOS_LFANEW_OFFSET);
    uint64_t limit = img->layout == PE_LAYOUT_FILE ? img->file.size : img->rva_limit;
    if ((uint64_t)h->nt_offset + 4 + FILE_HEADER_SIZE > limit)
        return dd_error_at(DD_ERR_FORMAT, DOS_LFANEW_OFFSET,
                           "PE: e_lfanew 0x%x points past end of %s (size 0x%llx)", h->nt_offset,
                           img->layout == PE_LAYOUT_FILE ? "file" : "image",
                           (unsigned long long)limit);
    uint8_t nt[4 + FILE_HEADER_SIZE];
    err = header_read_exact(img, h->nt_offset, nt, sizeof(nt), "NT headers");
    if (err)
        return err;
    if (dd_le32(nt) != NT_SIGNATURE)
        return dd_error_at(DD_ERR_FORMAT, h->nt_offset,
                           "PE: no PE signature at 0x%x (e_lfanew; found 0x%08x)", h->nt_offset,
                           dd_le32(nt));
    h->machine = dd_le16(nt + 4);
    h->number_of_sections = dd_le16(nt + 6);
    h->timestamp = dd_le32(nt + 8);
    h->symbol_table_offset = dd_le32(nt + 12);
    h->number_of_symbols = dd_le32(nt + 16);
    h->optional_header_size = dd_le16(nt + 20);
    h->characteristics = dd_le16(nt + 22);

    uint64_t opt_off = (uint64_t)h->nt_offset + sizeof(nt);
    uint8_t *opt = malloc(h->optional_header_size ? h->optional_header_size : 1);
    if (!opt)
        return &dd_error_no_memory;
    err = header_read_exact(img, opt_off, opt, h->optional_header_size, "optional header");
    if (!err)
        err = optional_header_parse(img, opt, h->optional_header_size, opt_off);
    free(opt);
    if (err)
        return err;

    /* A mapped image is bounded by the dump's size when given, else by the header. */
    if (take_header_size && h->size_of_image)
        img->rva_limit = h->size_of_image;

    uint64_t sec_off = opt_off + h->optional_header_size;
    size_t n = h->number_of_sections;
    uint64_t sec_size = (uint64_t)n * SECTION_HEADER_SIZE;
    if (sec_off + sec_size > limit)
        return dd_error_at(DD_ERR_FORMAT, sec_off,
                           "PE: section table at 0x%llx (%zu sections) extends past end of %s "
                           "(size 0x%llx)",
                           (unsigned long long)sec_off, n,
                           img->layout == PE_LAYOUT_FILE ? "file" : "image",
                           (unsigned long long)limit);
    if (n) {
        uint8_t *raw = malloc(sec_size);
        img->sections = dd_arena_calloc(&img->arena, n, sizeof(*img->sections));
        if (!raw || !img->sections) {
            free(raw);
            return &dd_error_no_memory;
        }
        err = header_read_exact(img, sec_off, raw, sec_size, "section table");
        if (!err)
            for (size_t i = 0; i < n; i++)
                section_decode(&img->sections[i], raw + i * SECTION_HEADER_SIZE);
        free(raw);
        if (err)
            return err;
    }
    img->nsections = n;

    if (img->layout == PE_LAYOUT_FILE) {
        /* SizeOfImage bounds reads; a zero one (broken header) falls back to the sections. */
        uint64_t end = h->size_of_image;
        if (end == 0) {
            end = h->size_of_headers;
            for (size_t i = 0; i < n; i++) {
                uint64_t e = img->sections[i].virtual_address + section_span(img, &img->sections[i]);
                if (e > end)
                    end = e;
            }
        }
        img->rva_limit = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
        img->base = h->image_base;
    }
    return NULL;
}

static struct pe_image *image_new(enum pe_layout layout)
{
    struct pe_image *img = calloc(1, sizeof(*img));
    if (!img)
        return NULL;
    img->layout = layout;
    dd_arena_init(&img->arena);
    return img;
}

static struct dd_error *image_finish(struct pe_image *img, bool take_header_size,
                                     struct pe_image **ret)
{
    struct dd_error *err = headers_parse(img, take_header_size);
    if (err) {
        err = dd_error_wrap(err, "%s", img->name ? img->name : "PE image");
        pe_image_destroy(img);
        return err;
    }
    *ret = img;
    return NULL;
}

struct dd_error *pe_image_open_file(const char *path, struct pe_image **ret)
{
    struct pe_image *img = image_new(PE_LAYOUT_FILE);
    if (!img)
        return &dd_error_no_memory;
    struct dd_error *err = dd_mapfile_open(path, &img->file);
    if (err) {
        pe_image_destroy(img);
        return err;
    }
    img->name = img->file.path;
    return image_finish(img, false, ret);
}

struct dd_error *pe_image_open_bytes(const uint8_t *data, size_t size, const char *name,
                                     struct pe_image **ret)
{
    struct pe_image *img = image_new(PE_LAYOUT_FILE);
    if (!img)
        return &dd_error_no_memory;
    struct dd_error *err = dd_mapfile_borrow(data, size, name ? name : "PE image", &img->file);
    if (err) {
        pe_image_destroy(img);
        return err;
    }
    img->name = img->file.path;
    return image_finish(img, false, ret);
}

struct dd_error *pe_image_open_reader(size_t (*read_fn)(void *ctx, uint32_t rva, void *buf,
                                                        size_t len),
                                      void *ctx, uint64_t base, uint32_t size_of_image,
                                      struct pe_image **ret)
{
    struct pe_image *img = image_new(PE_LAYOUT_MAPPED);
    if (!img)
        return &dd_error_no_memory;
    img->read_fn = read_fn;
    img->read_ctx = ctx;
    img->base = base;
    /* Until the header is read, the dump's size (or else the largest RVA) bounds the reads. */
    img->rva_limit = size_of_image ? size_of_image : UINT32_MAX;
    char buf[48];
    snprintf(buf, sizeof(buf), "image at 0x%llx", (unsigned long long)base);
    img->name = dd_arena_strdup(&img->arena, buf);
    if (!img->name) {
        pe_image_destroy(img);
        return &dd_error_no_memory;
    }
    return image_finish(img, size_of_image == 0, ret);
}

void pe_image_destroy(struct pe_image *img)
{
    if (!img)
        return;
    dd_mapfile_close(&img->file);
    dd_arena_deinit(&img->arena);
    free(img);
}

size_t pe_read_file_offset(const struct pe_image *img, uint64_t off, void *buf, size_t len)
{
    if (img->layout != PE_LAYOUT_FILE || off >= img->file.size)
        return 0;
    size_t n = img->file.size - (size_t)off;
    if (n > len)
        n = len;
    memcpy(buf, img->file.data + off, n);
    return n;
}

/* File layout: copies the bytes at RVA up to the end of the region holding it; 0 = unavailable. */
static size_t file_chunk(const struct pe_image *img, uint32_t rva, uint8_t *dst, size_t len)
{
    for (size_t i = 0; i < img->nsections; i++) {
        const struct pe_section *s = &img->sections[i];
        uint64_t span = section_span(img, s);
        if (rva < s->virtual_address || rva - (uint64_t)s->virtual_address >= span)
            continue;
        uint64_t off = rva - s->virtual_address;
        size_t n = len;
        if (off < s->raw_size) {
            if (n > s->raw_size - off)
                n = (size_t)(s->raw_size - off);
            return pe_read_file_offset(img, (uint64_t)s->raw_offset + off, dst, n);
        }
        /* Past the raw data the loader zero-fills up to the section's mapped size. */
        if (n > span - off)
            n = (size_t)(span - off);
        memset(dst, 0, n);
        return n;
    }
    /* The headers: SizeOfHeaders bytes of the file, zero-filled to the section alignment. */
    uint32_t hsize = img->hdr.size_of_headers;
    if (rva < hsize) {
        size_t n = len;
        if (n > hsize - rva)
            n = hsize - rva;
        return pe_read_file_offset(img, rva, dst, n);
    }
    struct pe_section hs = {"", hsize, 0, 0, 0, 0};
    uint64_t span = section_span(img, &hs);
    if (rva < span && hsize <= img->file.size) {
        size_t n = len;
        if (n > span - rva)
            n = (size_t)(span - rva);
        memset(dst, 0, n);
        return n;
    }
    return 0;
}

size_t pe_image_read_rva(const struct pe_image *img, uint32_t rva, void *buf, size_t len)
{
    if (rva >= img->rva_limit)
        return 0;
    if (len > img->rva_limit - rva)
        len = img->rva_limit - rva;
    if (img->layout == PE_LAYOUT_MAPPED) {
        size_t got = img->read_fn(img->read_ctx, rva, buf, len);
        return got > len ? len : got;
    }
    size_t done = 0;
    while (done < len) {
        size_t n = file_chunk(img, (uint32_t)(rva + done), (uint8_t *)buf + done, len - done);
        if (n == 0)
            break;
        done += n;
    }
    return done;
}

const struct pe_section *pe_image_section_by_rva(const struct pe_image *img, uint32_t rva)
{
    for (size_t i = 0; i < img->nsections; i++) {
        const struct pe_section *s = &img->sections[i];
        if (rva >= s->virtual_address && rva - (uint64_t)s->virtual_address < section_span(img, s))
            return s;
    }
    return NULL;
}

struct pe_data_dir pe_image_dir(const struct pe_image *img, unsigned idx)
{
    struct pe_data_dir none = {0, 0};
    return idx < PE_DIR_COUNT ? img->hdr.dirs[idx] : none;
}

const char *pe_machine_name(uint16_t machine)
{
    switch (machine) {
    case PE_MACHINE_I386:
        return "x86";
    case PE_MACHINE_AMD64:
        return "x64";
    case PE_MACHINE_ARM64:
        return "ARM64";
    case PE_MACHINE_ARMNT:
        return "ARM";
    default:
        return NULL;
    }
}

/* --- helpers shared by the other pe_*.c files ------------------------------------------- */

struct dd_error *pe_unavailable(const struct pe_image *img, uint32_t rva, size_t len, size_t got,
                                const char *what)
{
    if (img->layout == PE_LAYOUT_MAPPED) {
        struct dd_error *err = dd_error_create(
            DD_ERR_MEMORY,
            "PE: %s at RVA 0x%x (0x%zx bytes) is not available (0x%zx bytes read)", what, rva,
            len, got);
        if (!err->is_static)
            err->address = img->base + rva + got;
        return err;
    }
    return dd_error_create(DD_ERR_FORMAT,
                           "PE: %s at RVA 0x%x (0x%zx bytes) lies outside the file's sections "
                           "(0x%zx bytes readable)",
                           what, rva, len, got);
}

struct dd_error *pe_read_exact(const struct pe_image *img, uint32_t rva, void *buf, size_t len,
                               const char *what)
{
    size_t got = pe_image_read_rva(img, rva, buf, len);
    return got == len ? NULL : pe_unavailable(img, rva, len, got, what);
}

struct dd_error *pe_read_alloc(const struct pe_image *img, uint32_t rva, size_t len,
                               const char *what, uint8_t **ret)
{
    if (len == 0) {
        *ret = NULL;
        return NULL;
    }
    uint8_t *buf = malloc(len);
    if (!buf)
        return &dd_error_no_memory;
    struct dd_error *err = pe_read_exact(img, rva, buf, len, what);
    if (err) {
        free(buf);
        return err;
    }
    *ret = buf;
    return NULL;
}

struct dd_error *pe_read_cstr(struct pe_image *img, uint32_t rva, size_t max, const char *what,
                              const char **ret)
{
    /* A read returns the available prefix, so one read finds the NUL if the dump holds it; most
     * strings are short, so try a small read before the full one. */
    char small[256];
    char *buf = small;
    size_t want = max + 1 < sizeof(small) ? max + 1 : sizeof(small);
    size_t got = pe_image_read_rva(img, rva, buf, want);
    if (got == want && !memchr(buf, '\0', got) && want < max + 1) {
        buf = malloc(max + 1);
        if (!buf)
            return &dd_error_no_memory;
        want = max + 1;
        got = pe_image_read_rva(img, rva, buf, want);
    }
    const char *nul = memchr(buf, '\0', got);
    struct dd_error *err = NULL;
    if (nul) {
        const char *s = dd_arena_strndup(&img->arena, buf, (size_t)(nul - buf));
        if (s)
            *ret = s;
        else
            err = &dd_error_no_memory;
    } else if (got == want) {
        err = dd_error_create(DD_ERR_FORMAT, "PE: %s at RVA 0x%x is longer than %zu bytes", what,
                              rva, max);
    } else {
        err = pe_unavailable(img, rva, got + 1, got, what);
    }
    if (buf != small)
        free(buf);
    return err;
}

struct dd_error *pe_lazy_replay(const struct pe_lazy *l)
{
    struct dd_error *err = l->file_offset == DD_NO_OFFSET
                               ? dd_error_create(l->code, "%s", l->message)
                               : dd_error_at(l->code, l->file_offset, "%s", l->message);
    return err;
}

struct dd_error *pe_lazy_fail(struct pe_image *img, struct pe_lazy *l, struct dd_error *err)
{
    if (!err || err->code == DD_ERR_NO_MEMORY)
        return err;
    const char *msg = dd_arena_strdup(&img->arena, err->message);
    if (!msg)
        return err;
    l->state = 2;
    l->code = err->code;
    l->message = msg;
    l->file_offset = err->file_offset;
    return err;
}
