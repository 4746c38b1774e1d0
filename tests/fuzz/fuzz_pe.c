/* libFuzzer target: parse the input as a PE image, in the file layout and in the mapped layout
 * (the bytes served by RVA, as dump memory would be), and call every src/pe API on it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pe/pe_debug.h"
#include "pe/pe_exports.h"
#include "pe/pe_image.h"
#include "pe/pe_pdata.h"
#include "pe/pe_resource.h"
#include "pe/pe_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct served {
    const uint8_t *data;
    size_t size;
};

static size_t served_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
    const struct served *s = ctx;
    if (rva >= s->size)
        return 0;
    size_t n = s->size - rva < len ? s->size - rva : len;
    memcpy(buf, s->data + rva, n);
    return n;
}

static int touch_export(void *ctx, const struct pe_export *e)
{
    size_t *sum = ctx;
    *sum += strlen(e->name) + (e->forwarder ? strlen(e->forwarder) : 0);
    return 0;
}

static void exercise(struct pe_image *img)
{
    uint8_t buf[64];
    volatile size_t sink = 0;
    sink += pe_image_read_rva(img, img->hdr.entry_point, buf, sizeof(buf));
    sink += pe_image_read_rva(img, img->rva_limit - 8, buf, sizeof(buf));
    for (size_t i = 0; i < img->nsections && i < 64; i++)
        sink += pe_image_section_by_rva(img, img->sections[i].virtual_address) != NULL;
    sink += pe_machine_name(img->hdr.machine) != NULL;

    const struct pe_exports *ex = NULL;
    struct dd_error *err = pe_exports_get(img, &ex);
    dd_error_destroy(err);
    if (ex) {
        size_t sum = 0;
        pe_exports_each(ex, NULL, touch_export, &sum);
        pe_exports_each(ex, "*a?c*", touch_export, &sum);
        for (size_t i = 0; i < ex->count && i < 256; i++) {
            const struct pe_export *e = &ex->entries[i];
            sink += pe_exports_find_by_rva(ex, e->rva + 1) != NULL;
            sink += pe_exports_find_by_ordinal(ex, e->ordinal) != NULL;
            if (e->name)
                sink += pe_exports_find_by_name(ex, e->name) != NULL;
        }
        sink += sum;
    }
    err = pe_exports_get(img, &ex); /* the cached result or the replayed error */
    dd_error_destroy(err);

    const struct pe_debug_info *dbg = NULL;
    err = pe_debug_get(img, &dbg);
    dd_error_destroy(err);
    if (dbg) {
        char key[PE_KEY_MAX], guid[PE_GUID_TEXT_MAX];
        if (pe_codeview_key_format(key, &dbg->codeview))
            sink += strlen(key);
        sink += strlen(pe_guid_format(guid, dbg->codeview.guid));
        for (size_t i = 0; i < dbg->count; i++)
            sink += pe_debug_type_name(dbg->entries[i].type) != NULL;
        if (dbg->codeview.pdb_path)
            sink += strlen(dbg->codeview.pdb_path);
    }
    char key[PE_KEY_MAX];
    sink += strlen(pe_image_key_format(key, img->hdr.timestamp, img->hdr.size_of_image));

    const struct pe_pdata *pd = NULL;
    err = pe_pdata_get(img, &pd);
    dd_error_destroy(err);
    if (pd) {
        for (size_t i = 0; i < pd->count && i < 256; i++) {
            struct pe_pdata_entry e;
            err = pe_pdata_lookup(img, pd->entries[i].begin, &e);
            dd_error_destroy(err);
            if (!err && e.unwind_rva)
                sink += pe_image_read_rva(img, e.unwind_rva, buf, sizeof(buf));
        }
    }
    struct pe_pdata_entry e;
    err = pe_pdata_lookup(img, img->hdr.entry_point, &e);
    dd_error_destroy(err);

    struct pe_resource res;
    err = pe_resource_find(img, PE_RT_VERSION, &res);
    dd_error_destroy(err);
    const struct pe_version_info *v = NULL;
    err = pe_version_get(img, &v);
    dd_error_destroy(err);
    if (v) {
        for (size_t i = 0; i < v->ntables; i++)
            for (size_t j = 0; j < v->tables[i].count; j++)
                sink += strlen(v->tables[i].strings[j].key) + strlen(v->tables[i].strings[j].value);
        const char *s = pe_version_string(v, "CompanyName");
        if (s)
            sink += strlen(s);
    }
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pe_image *img = NULL;
    struct dd_error *err = pe_image_open_bytes(data, size, "fuzz.dll", &img);
    dd_error_destroy(err);
    if (img) {
        exercise(img);
        pe_image_destroy(img);
    }
    struct served s = {data, size};
    img = NULL;
    err = pe_image_open_reader(served_read, &s, 0x180000000ull, 0, &img);
    dd_error_destroy(err);
    if (img) {
        exercise(img);
        pe_image_destroy(img);
    }
    return 0;
}
