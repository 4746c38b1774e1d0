/* Address spaces over a kernel target's physical memory (the glue between core/ and mm/). */
#ifndef DD_MM_MM_TARGET_H
#define DD_MM_MM_TARGET_H

#include "core/target.h"
#include "mm/mm.h"

/*
 * Sets ret to T's paging mode: from t->sys.cpu (or, when that is unknown, the kernel header's
 * machine_image_type) and, for x86, t->kernel.pae_enabled. x64 is 4-level: a dump does not say
 * whether CR4.LA57 was set, so a reader that knows it creates the space with MM_PAGING_X64_LA57
 * itself. DD_ERR_UNSUPPORTED for CPUs without a walker (32-bit ARM).
 */
struct dd_error *mm_paging_for_target(const struct target *t, enum mm_paging *ret);
/* Reads T's physical memory (target_read_physical); an mm_phys_read_fn with CTX = the target. */
struct dd_error *mm_target_read_physical(void *ctx, uint64_t pa, void *buf, size_t n,
                                         size_t *ret_read);
/* Creates a space of T's paging mode rooted at DTB over T's physical memory; sets ret. */
struct dd_error *mm_space_for_target(struct target *t, uint64_t dtb, struct mm_space **ret);

#endif
