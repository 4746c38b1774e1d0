/*
 * Virtual reads: full, bitmap and RDMP dumps translate through the page tables of the header's
 * DirectoryTableBase (mm/, over this reader's physical reads); triage dumps read the virtual
 * memory blocks they carry (t->memory).
 */
#include "dump/kdmp/kdmp_internal.h"
#include "mm/mm.h"
#include "mm/mm_target.h"

struct dd_error *kdmp_vm_init(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    if (f->memory != KDMP_MEMORY_RUNS && f->memory != KDMP_MEMORY_BITMAP)
        return NULL;
    if (!f->hdr.directory_table_base) {
        kdmp_warn(t, "DirectoryTableBase is 0: virtual addresses cannot be translated");
        return NULL;
    }
    struct dd_error *err = mm_space_for_target(t, f->hdr.directory_table_base, &f->space);
    if (err && err->code != DD_ERR_NO_MEMORY) {
        kdmp_warn(t, "virtual addresses cannot be translated: %s", err->message);
        dd_error_destroy(err);
        return NULL;
    }
    if (!err)
        kdmp_target_add_processors(t); /* needs virtual reads: the KPRCBs */
    return err;
}

void kdmp_vm_free(struct kdmp_file *f)
{
    mm_space_destroy(f->space);
    f->space = NULL;
}

struct dd_error *kdmp_read_virtual(struct target *t, uint64_t addr, void *buf, size_t n,
                                   size_t *ret_read)
{
    struct kdmp_file *f = kdmp_impl(t);
    if (f->space)
        return mm_space_read(f->space, addr, buf, n, ret_read);
    if (f->memory == KDMP_MEMORY_TRIAGE)
        return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
    *ret_read = 0;
    return n ? dd_error_memory(addr) : NULL;
}

struct dd_error *kdmp_set_directory_table_base(struct target *t, uint64_t dtb)
{
    struct kdmp_file *f = (struct kdmp_file *)kdmp_file_of(t);
    if (!f || (f->memory != KDMP_MEMORY_RUNS && f->memory != KDMP_MEMORY_BITMAP))
        return dd_error_create(DD_ERR_UNSUPPORTED, "this dump has no page tables to switch");
    struct mm_space *space;
    struct dd_error *err = mm_space_for_target(t, dtb, &space);
    if (err)
        return err;
    mm_space_destroy(f->space);
    f->space = space;
    return NULL;
}
