/* KiProcessorBlock and KPRCB/KPCR readers (see kprcb.h). */
#include "nt/kprcb.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

uint32_t nt_processor_count(const struct nt_kernel *k)
{
    uint32_t n = k->target->kernel.number_processors;
    if (!n)
        n = k->target->sys.number_of_processors;
    return n > NT_MAX_PROCESSORS ? NT_MAX_PROCESSORS : n;
}

static bool get(struct nt_kernel *k, uint64_t base, enum nt_field f, uint64_t *ret)
{
    return nt_field_read(k, base, f, ret);
}

struct dd_error *nt_processor_read(struct nt_kernel *k, uint32_t index, struct nt_processor *ret)
{
    if (!k->ki_processor_block)
        return dd_error_create(DD_ERR_NOT_FOUND, "KiProcessorBlock is unknown");
    uint32_t count = nt_processor_count(k);
    if (count && index >= count)
        return dd_error_create(DD_ERR_NOT_FOUND, "processor %u is out of range (0..%u)", index,
                               count - 1);
    if (index >= NT_MAX_PROCESSORS)
        return dd_error_create(DD_ERR_NOT_FOUND, "processor %u is out of range", index);
    uint64_t prcb;
    struct dd_error *err = nt_read_ptr(k, k->ki_processor_block + (uint64_t)index * k->ptr_size,
                                       &prcb);
    if (err)
        return dd_error_wrap(err, "reading KiProcessorBlock[%u]", index);
    if (!prcb)
        return dd_error_create(DD_ERR_NOT_FOUND, "KiProcessorBlock[%u] is empty", index);
    const struct nt_layout *l = &k->layout;
    struct nt_processor p;
    memset(&p, 0, sizeof(p));
    p.index = index;
    p.prcb = prcb;
    if (nt_layout_has(l, NT_KPCR_PRCB) && prcb >= l->off[NT_KPCR_PRCB]) {
        p.pcr = prcb - l->off[NT_KPCR_PRCB];
        p.have |= NT_CPU_PCR;
    }
    uint64_t v, a, b, c, d;
    if (get(k, prcb, NT_KPRCB_CURRENT_THREAD, &p.current_thread))
        p.have |= NT_CPU_CURRENT_THREAD;
    if (get(k, prcb, NT_KPRCB_NEXT_THREAD, &p.next_thread))
        p.have |= NT_CPU_NEXT_THREAD;
    if (get(k, prcb, NT_KPRCB_IDLE_THREAD, &p.idle_thread))
        p.have |= NT_CPU_IDLE_THREAD;
    if (get(k, prcb, NT_KPRCB_NUMBER, &v)) {
        p.number = (uint32_t)v;
        p.have |= NT_CPU_NUMBER;
    }
    if (get(k, prcb, NT_KPRCB_GROUP, &a) && get(k, prcb, NT_KPRCB_GROUP_INDEX, &b)) {
        p.group = (uint8_t)a;
        p.group_index = (uint8_t)b;
        p.have |= NT_CPU_GROUP;
    }
    if (get(k, prcb, NT_KPRCB_GROUP_SET_MEMBER, &p.group_set_member))
        p.have |= NT_CPU_GROUP_SET_MEMBER;
    if (get(k, prcb, NT_KPRCB_DEBUGGER_SAVED_IRQL, &v)) {
        p.saved_irql = (uint8_t)v;
        p.have |= NT_CPU_SAVED_IRQL;
    }
    if ((p.have & NT_CPU_PCR) && get(k, p.pcr, NT_KPCR_IRQL, &v)) {
        p.pcr_irql = (uint8_t)v;
        p.have |= NT_CPU_PCR_IRQL;
    }
    if ((p.have & NT_CPU_PCR) && get(k, p.pcr, NT_KPCR_MAJOR_VERSION, &a) &&
        get(k, p.pcr, NT_KPCR_MINOR_VERSION, &b)) {
        p.major_version = (uint16_t)a;
        p.minor_version = (uint16_t)b;
        p.have |= NT_CPU_VERSION;
    }
    if (get(k, prcb, NT_KPRCB_INTERRUPT_COUNT, &v) && get(k, prcb, NT_KPRCB_KERNEL_TIME, &a) &&
        get(k, prcb, NT_KPRCB_USER_TIME, &b) && get(k, prcb, NT_KPRCB_DPC_TIME, &c) &&
        get(k, prcb, NT_KPRCB_INTERRUPT_TIME, &d)) {
        p.interrupt_count = (uint32_t)v;
        p.kernel_time = (uint32_t)a;
        p.user_time = (uint32_t)b;
        p.dpc_time = (uint32_t)c;
        p.interrupt_time = (uint32_t)d;
        p.have |= NT_CPU_TIMES;
    }
    if (get(k, prcb, NT_KPRCB_MHZ, &v)) {
        p.mhz = (uint32_t)v;
        p.have |= NT_CPU_MHZ;
    }
    if (nt_layout_has(l, NT_KPRCB_VENDOR_STRING) &&
        !dd_error_drop(target_read_exact(k->target, prcb + l->off[NT_KPRCB_VENDOR_STRING],
                                         p.vendor, 12))) {
        p.vendor[12] = 0;
        for (int i = 0; i < 12; i++)
            if (p.vendor[i] && (p.vendor[i] < 0x20 || p.vendor[i] >= 0x7f))
                p.vendor[i] = '?';
        p.have |= NT_CPU_VENDOR;
    }
    *ret = p;
    return NULL;
}

/* Reads and decodes a CONTEXT of the target CPU at ADDR (at most LIMIT bytes when not 0). */
static struct dd_error *context_at(struct nt_kernel *k, const struct arch_ops *arch, uint64_t addr,
                                   uint32_t limit, struct regset *ret)
{
    uint32_t size = arch->context_size;
    if (limit && limit < size)
        size = limit;
    uint8_t *raw = malloc(size);
    if (!raw)
        return &dd_error_no_memory;
    struct dd_error *err = target_read_exact(k->target, addr, raw, size);
    if (!err)
        err = arch->context_decode(raw, size, ret);
    free(raw);
    return err;
}

struct dd_error *nt_processor_context(struct nt_kernel *k, const struct nt_processor *p,
                                      struct regset *ret)
{
    const struct arch_ops *arch = arch_for_cpu(k->cpu);
    if (!arch || !arch->context_decode)
        return dd_error_create(DD_ERR_UNSUPPORTED, "no CONTEXT decoder for this CPU");
    const struct nt_layout *l = &k->layout;
    /*
     * Windows 7 and later save the crashing or frozen processor's registers through the
     * KPRCB.Context pointer (KDDEBUGGER_DATA64 OffsetPrcbContext was added for it); the corpus
     * triage dump has ProcessorState.ContextFrame all zero and the KeBugCheckEx context behind
     * Context. Older kernels fill ProcessorState.ContextFrame.
     */
    uint64_t ptr = 0;
    struct dd_error *first = NULL;
    if (nt_field_read(k, p->prcb, NT_KPRCB_CONTEXT, &ptr) && ptr) {
        struct regset rs;
        first = context_at(k, arch, ptr, 0, &rs);
        if (!first && regset_slot(&rs, arch->pc_slot)) {
            *ret = rs;
            return NULL;
        }
    }
    if (!nt_layout_has(l, NT_KPRCB_CONTEXT_FRAME)) {
        if (first)
            return dd_error_wrap(first, "processor %u's saved context", p->index);
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "the offsets of KPRCB.Context and ProcessorState.ContextFrame are "
                               "unknown");
    }
    struct regset rs;
    struct dd_error *err = context_at(k, arch, p->prcb + l->off[NT_KPRCB_CONTEXT_FRAME],
                                      l->width[NT_KPRCB_CONTEXT_FRAME], &rs);
    if (err) {
        dd_error_destroy(first);
        return dd_error_wrap(err, "processor %u's saved context", p->index);
    }
    dd_error_destroy(first);
    *ret = rs;
    return NULL;
}

struct dd_error *nt_processor_context_address(struct nt_kernel *k, const struct nt_processor *p,
                                              uint64_t *ret)
{
    const struct arch_ops *arch = arch_for_cpu(k->cpu);
    if (!arch || !arch->context_decode)
        return dd_error_create(DD_ERR_UNSUPPORTED, "no CONTEXT decoder for this CPU");
    uint64_t ptr = 0;
    struct regset rs;
    if (nt_field_read(k, p->prcb, NT_KPRCB_CONTEXT, &ptr) && ptr &&
        !dd_error_drop(context_at(k, arch, ptr, 0, &rs)) && regset_slot(&rs, arch->pc_slot)) {
        *ret = ptr;
        return NULL;
    }
    if (!nt_layout_has(&k->layout, NT_KPRCB_CONTEXT_FRAME))
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "the offsets of KPRCB.Context and ProcessorState.ContextFrame are "
                               "unknown");
    *ret = p->prcb + k->layout.off[NT_KPRCB_CONTEXT_FRAME];
    return NULL;
}

/* True when the CONTEXT bytes A and B (SIZE each) give the same program and stack pointers. */
static bool same_pc_sp(const struct arch_ops *arch, const uint8_t *a, const uint8_t *b,
                       uint32_t size)
{
    struct regset ra, rb;
    if (dd_error_drop(arch->context_decode(a, size, &ra)) ||
        dd_error_drop(arch->context_decode(b, size, &rb)))
        return false;
    return regset_slot(&ra, arch->pc_slot) == regset_slot(&rb, arch->pc_slot) &&
           regset_slot(&ra, arch->sp_slot) == regset_slot(&rb, arch->sp_slot);
}

void nt_processor_threads_attach(struct nt_kernel *k, uint32_t *ret)
{
    struct target *t = k->target;
    const struct arch_ops *arch = arch_for_cpu(k->cpu);
    uint32_t n = nt_processor_count(k);
    uint32_t found = 0;
    struct target_thread *threads = NULL;
    if (arch && arch->context_decode && n >= 2 && k->ki_processor_block)
        threads = dd_arena_calloc(&t->arena, n, sizeof(*threads));
    uint32_t size = arch ? arch->context_size : 0;
    const struct target_thread *first = t->nthreads ? &t->threads[0] : NULL;
    const uint8_t *header = first && first->context_size >= size ? first->context : NULL;
    bool header_used = false;
    for (uint32_t i = 0; threads && i < n; i++) {
        threads[i].tid = i;
        struct nt_processor p;
        uint64_t at;
        uint8_t *raw;
        if (dd_error_drop(nt_processor_read(k, i, &p)) ||
            dd_error_drop(nt_processor_context_address(k, &p, &at)) ||
            !(raw = dd_arena_alloc(&t->arena, size)) ||
            dd_error_drop(target_read_exact(t, at, raw, size)))
            continue;
        found++;
        /* The crashing processor: the header holds the same registers, and maybe more of them. */
        if (header && !header_used && same_pc_sp(arch, header, raw, size)) {
            threads[i].context = header;
            threads[i].context_size = first->context_size;
            header_used = true;
        } else {
            threads[i].context = raw;
            threads[i].context_size = size;
        }
    }
    if (found) {
        t->threads = threads;
        t->nthreads = n;
    }
    if (ret)
        *ret = found;
}
