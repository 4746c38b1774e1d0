/* PsLoadedModuleList walker (see kmodules.h). */
#include "nt/kmodules.h"

#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/cursor.h"

bool nt_image_header_read(struct nt_kernel *k, uint64_t base, uint32_t *ret_timestamp,
                          uint32_t *ret_checksum)
{
    uint8_t dos[0x40];
    if (dd_error_drop(target_read_exact(k->target, base, dos, sizeof(dos))) || dos[0] != 'M' ||
        dos[1] != 'Z')
        return false;
    uint32_t lfanew = dd_le32(dos + 0x3c);
    if (lfanew < sizeof(dos) || lfanew > 0x1000)
        return false;
    /* Signature (4) + IMAGE_FILE_HEADER (20) + the optional header through CheckSum (68). */
    uint8_t nt[4 + 20 + 68];
    if (dd_error_drop(target_read_exact(k->target, base + lfanew, nt, sizeof(nt))) ||
        memcmp(nt, "PE\0\0", 4) != 0)
        return false;
    uint16_t magic = dd_le16(nt + 24);
    if (magic != 0x10b && magic != 0x20b)
        return false;
    *ret_timestamp = dd_le32(nt + 4 + 4);
    *ret_checksum = dd_le32(nt + 24 + 64);
    return true;
}

struct kmod_ctx {
    struct nt_kernel *k;
    struct nt_kmodule *items;
    size_t count, cap;
    bool oom;
};

static bool kmod_add(void *ctx, uint64_t entry)
{
    struct kmod_ctx *c = ctx;
    void *grown = dd_array_grow(c->items, &c->cap, c->count, sizeof(*c->items), 64);
    if (!grown) {
        c->oom = true;
        return false;
    }
    c->items = grown;
    nt_kmodule_read(c->k, entry, &c->items[c->count++]);
    return true;
}

void nt_kmodule_read(struct nt_kernel *k, uint64_t entry, struct nt_kmodule *m)
{
    const struct nt_layout *l = &k->layout;
    memset(m, 0, sizeof(*m));
    m->entry = entry; /* InLoadOrderLinks is the first member */
    uint64_t v;
    if (nt_field_read(k, entry, NT_LDR_DLL_BASE, &v))
        m->base = v;
    if (nt_field_read(k, entry, NT_LDR_SIZE_OF_IMAGE, &v))
        m->size = (uint32_t)v;
    if (nt_layout_has(l, NT_LDR_BASE_DLL_NAME))
        nt_read_unicode_string(k, entry + l->off[NT_LDR_BASE_DLL_NAME], m->name, sizeof(m->name));
    if (nt_layout_has(l, NT_LDR_FULL_DLL_NAME))
        nt_read_unicode_string(k, entry + l->off[NT_LDR_FULL_DLL_NAME], m->path, sizeof(m->path));
    if (m->base)
        m->has_header = nt_image_header_read(k, m->base, &m->timestamp, &m->checksum);
}

struct dd_error *nt_kmodules_list(struct nt_kernel *k, struct nt_kmodule_list *ret)
{
    if (!k->ps_loaded_module_list)
        return dd_error_create(DD_ERR_NOT_FOUND, "PsLoadedModuleList is unknown");
    if (!nt_layout_has(&k->layout, NT_LDR_DLL_BASE))
        return dd_error_create(DD_ERR_NOT_FOUND, "the loader entry layout is unknown");
    struct kmod_ctx c = {.k = k};
    struct nt_list_status st;
    nt_list_walk(k, k->ps_loaded_module_list, 0, kmod_add, &c, &st);
    if (c.oom) {
        free(c.items);
        return &dd_error_no_memory;
    }
    ret->items = c.items;
    ret->count = c.count;
    ret->status = st;
    return NULL;
}

void nt_kmodule_list_free(struct nt_kmodule_list *l)
{
    free(l->items);
    l->items = NULL;
    l->count = 0;
}
