/*
 * DUMP_HEADER32 ("PAGEDUMP", 0x1000 bytes) and DUMP_HEADER64 ("PAGEDU64", 0x2000 bytes).
 * Offsets from ntiodump.h's DUMP_HEADER32/64 (4-byte packing for the 32-bit header, natural
 * alignment for the 64-bit one); the 64-bit tail after WriterStatus (KdSecondaryVersion,
 * Attributes, BootId) as kdmp-parser and rizin read it. The whole header is checked to be in
 * the file first, so fields load straight from the mapped bytes.
 */
#include <string.h>

#include "dump/kdmp/kdmp_internal.h"

#define KDMP_HEADER32_SIZE 0x1000u
#define KDMP_HEADER64_SIZE 0x2000u

/* True when a u32 field still holds the writer's "PAGE" fill. */
static bool absent32(uint32_t v)
{
    return v == KDMP_FIELD_ABSENT;
}

static bool absent64(uint64_t v)
{
    return v == ((uint64_t)KDMP_FIELD_ABSENT << 32 | KDMP_FIELD_ABSENT);
}

/* Copies a fixed CHAR[N] header string, or "" when it is unset (starts with NUL or "PAGE"). */
static void header_text(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    dst[0] = '\0';
    if (n >= 4 && dd_le32(src) == KDMP_FIELD_ABSENT)
        return;
    size_t len = 0;
    while (len < n && len + 1 < cap && src[len]) {
        /* Keep the text printable: a corrupt header must not put control bytes on screen. */
        dst[len] = (src[len] >= 0x20 && src[len] < 0x7f) ? (char)src[len] : '?';
        len++;
    }
    dst[len] = '\0';
}

static void exception64(struct kdmp_exception *e, const uint8_t *p)
{
    e->code = dd_le32(p);
    e->flags = dd_le32(p + 4);
    e->record = dd_le64(p + 8);
    e->address = dd_le64(p + 0x10);
    e->num_params = dd_le32(p + 0x18);
    for (unsigned i = 0; i < 15; i++)
        e->params[i] = dd_le64(p + 0x20 + 8 * i);
}

static void exception32(struct kdmp_exception *e, const uint8_t *p)
{
    e->code = dd_le32(p);
    e->flags = dd_le32(p + 4);
    e->record = dd_le32(p + 8);
    e->address = dd_le32(p + 0xc);
    e->num_params = dd_le32(p + 0x10);
    for (unsigned i = 0; i < 15; i++)
        e->params[i] = dd_le32(p + 0x14 + 4 * i);
}

static void parse64(struct kdmp_header *h, const uint8_t *p)
{
    h->is64 = true;
    h->header_size = KDMP_HEADER64_SIZE;
    h->major_version = dd_le32(p + 0x08);
    h->minor_version = dd_le32(p + 0x0c);
    h->directory_table_base = dd_le64(p + 0x10);
    h->pfn_database = dd_le64(p + 0x18);
    h->ps_loaded_module_list = dd_le64(p + 0x20);
    h->ps_active_process_head = dd_le64(p + 0x28);
    h->machine_image_type = dd_le32(p + 0x30);
    h->number_processors = dd_le32(p + 0x34);
    h->bugcheck_code = dd_le32(p + 0x38);
    for (unsigned i = 0; i < 4; i++)
        h->bugcheck_params[i] = dd_le64(p + 0x40 + 8 * i);
    header_text(h->version_user, sizeof(h->version_user), p + 0x60, 32);
    h->kd_debugger_data_block = dd_le64(p + 0x80);
    /* PHYSICAL_MEMORY_DESCRIPTOR64: NumberOfRuns, (pad), NumberOfPages, runs at +0x10. */
    h->memory_block_offset = 0x88;
    h->number_of_runs = dd_le32(p + 0x88);
    h->number_of_pages = dd_le64(p + 0x90);
    h->has_memory_block = !absent32(h->number_of_runs) && !absent64(h->number_of_pages);
    h->context_offset = 0x348;
    h->context_capacity = 3000;
    exception64(&h->exception, p + 0xf00);
    h->dump_type = dd_le32(p + 0xf98);
    h->required_dump_space = dd_le64(p + 0xfa0);
    h->system_time = dd_le64(p + 0xfa8);
    header_text(h->comment, sizeof(h->comment), p + 0xfb0, 128);
    h->system_up_time = dd_le64(p + 0x1030);
    h->mini_dump_fields = dd_le32(p + 0x1038);
    h->secondary_data_state = dd_le32(p + 0x103c);
    h->product_type = dd_le32(p + 0x1040);
    h->suite_mask = dd_le32(p + 0x1044);
    h->writer_status = dd_le32(p + 0x1048);
    h->kd_secondary_version = p[0x104d];
    h->attributes = absent32(dd_le32(p + 0x1050)) ? 0 : dd_le32(p + 0x1050);
    h->boot_id = absent32(dd_le32(p + 0x1054)) ? 0 : dd_le32(p + 0x1054);
}

static void parse32(struct kdmp_header *h, const uint8_t *p)
{
    h->is64 = false;
    h->header_size = KDMP_HEADER32_SIZE;
    h->major_version = dd_le32(p + 0x08);
    h->minor_version = dd_le32(p + 0x0c);
    h->directory_table_base = dd_le32(p + 0x10);
    h->pfn_database = dd_le32(p + 0x14);
    h->ps_loaded_module_list = dd_le32(p + 0x18);
    h->ps_active_process_head = dd_le32(p + 0x1c);
    h->machine_image_type = dd_le32(p + 0x20);
    h->number_processors = dd_le32(p + 0x24);
    h->bugcheck_code = dd_le32(p + 0x28);
    for (unsigned i = 0; i < 4; i++)
        h->bugcheck_params[i] = dd_le32(p + 0x2c + 4 * i);
    header_text(h->version_user, sizeof(h->version_user), p + 0x3c, 32);
    h->pae_enabled = p[0x5c];
    h->kd_secondary_version = p[0x5d];
    h->kd_debugger_data_block = dd_le32(p + 0x60);
    /* PHYSICAL_MEMORY_DESCRIPTOR32: NumberOfRuns, NumberOfPages, runs at +8. */
    h->memory_block_offset = 0x64;
    h->number_of_runs = dd_le32(p + 0x64);
    h->number_of_pages = dd_le32(p + 0x68);
    h->has_memory_block = !absent32(h->number_of_runs) && !absent32((uint32_t)h->number_of_pages);
    h->context_offset = 0x320;
    h->context_capacity = 1200;
    exception32(&h->exception, p + 0x7d0);
    header_text(h->comment, sizeof(h->comment), p + 0x820, 128);
    h->dump_type = dd_le32(p + 0xf88);
    h->mini_dump_fields = dd_le32(p + 0xf8c);
    h->secondary_data_state = dd_le32(p + 0xf90);
    h->product_type = dd_le32(p + 0xf94);
    h->suite_mask = dd_le32(p + 0xf98);
    h->writer_status = dd_le32(p + 0xf9c);
    h->required_dump_space = dd_le64(p + 0xfa0);
    h->system_up_time = dd_le64(p + 0xfb8);
    h->system_time = dd_le64(p + 0xfc0);
}

struct dd_error *kdmp_header_parse(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    struct kdmp_header *h = &f->hdr;
    const uint8_t *p = kdmp_file_range(t, 0, 8);
    if (!p || dd_le32(p) != KDMP_SIG_PAGE)
        return dd_error_at(DD_ERR_FORMAT, 0, "not a kernel dump (no PAGE signature at offset 0)");
    uint32_t valid = dd_le32(p + 4);
    if (valid != KDMP_SIG_DU64 && valid != KDMP_SIG_DUMP)
        return dd_error_at(DD_ERR_FORMAT, 4,
                           "kernel dump header: ValidDump is 0x%08x, not DUMP or DU64", valid);
    uint32_t need = valid == KDMP_SIG_DU64 ? KDMP_HEADER64_SIZE : KDMP_HEADER32_SIZE;
    p = kdmp_file_range(t, 0, need);
    if (!p)
        return dd_error_at(DD_ERR_FORMAT, 0,
                           "kernel dump header truncated: the file has 0x%zx bytes, %s needs 0x%x",
                           t->file.size, valid == KDMP_SIG_DU64 ? "DUMP_HEADER64" : "DUMP_HEADER32",
                           need);
    if (valid == KDMP_SIG_DU64)
        parse64(h, p);
    else
        parse32(h, p);
    /* Later-added fields: NT writes "PAGE" where it has nothing (dbgeng's DumpHeader32/64). */
    h->has_required_dump_space = !absent64(h->required_dump_space);
    h->has_system_time = h->system_time != 0 && !absent64(h->system_time);
    h->has_system_up_time = h->system_up_time != 0 && !absent64(h->system_up_time);
    h->has_secondary_data_state = !absent32(h->secondary_data_state);
    h->has_product_info = !absent32(h->product_type);
    h->has_writer_status = !absent32(h->writer_status);
    if (absent32(h->mini_dump_fields))
        h->mini_dump_fields = 0;
    if (h->is64 ? absent64(h->kd_debugger_data_block)
                : absent32((uint32_t)h->kd_debugger_data_block))
        h->kd_debugger_data_block = 0;
    return NULL;
}
