/* Paging mode of a target and spaces over its physical memory. */
#include "mm/mm_target.h"

/* IMAGE_FILE_MACHINE_* (PE/COFF "Machine Types"), as DUMP_HEADER.MachineImageType holds them. */
#define MACHINE_I386 0x014c
#define MACHINE_AMD64 0x8664
#define MACHINE_ARM64 0xaa64

struct dd_error *mm_paging_for_target(const struct target *t, enum mm_paging *ret)
{
    enum dd_cpu cpu = t->sys.cpu;
    if (cpu == DD_CPU_UNKNOWN) {
        switch (t->kernel.machine_image_type) {
        case MACHINE_I386:
            cpu = DD_CPU_X86;
            break;
        case MACHINE_AMD64:
            cpu = DD_CPU_X64;
            break;
        case MACHINE_ARM64:
            cpu = DD_CPU_ARM64;
            break;
        default:
            break;
        }
    }
    switch (cpu) {
    case DD_CPU_X86:
        *ret = t->kernel.pae_enabled ? MM_PAGING_X86_PAE : MM_PAGING_X86;
        return NULL;
    case DD_CPU_X64:
        *ret = MM_PAGING_X64;
        return NULL;
    case DD_CPU_ARM64:
        *ret = MM_PAGING_ARM64;
        return NULL;
    default:
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "address translation is not supported for this processor");
    }
}

struct dd_error *mm_target_read_physical(void *ctx, uint64_t pa, void *buf, size_t n,
                                         size_t *ret_read)
{
    return target_read_physical(ctx, pa, buf, n, ret_read);
}

struct dd_error *mm_space_for_target(struct target *t, uint64_t dtb, struct mm_space **ret)
{
    enum mm_paging paging;
    struct dd_error *err = mm_paging_for_target(t, &paging);
    if (err)
        return err;
    return mm_space_create(paging, dtb, mm_target_read_physical, t, ret);
}
