/*
 * Fills the generic target from a parsed kernel dump: sysinfo (CPU from MachineImageType,
 * processors, build, product type), target.kernel, the kind in WinDbg's words, the dump time,
 * and the processor thread with its register context.
 */
#include <stdio.h>
#include <string.h>

#include "arch/arch.h"
#include "base/fmt.h"
#include "dump/kdmp/kdmp_internal.h"
#include "nt/kernel.h"
#include "nt/kprcb.h"

/* IMAGE_FILE_MACHINE_* (PE/COFF "Machine Types"). */
#define MACHINE_I386 0x014cu
#define MACHINE_ARMNT 0x01c4u
#define MACHINE_AMD64 0x8664u
#define MACHINE_ARM64 0xaa64u

/* PROCESSOR_ARCHITECTURE_* (winnt.h). */
#define ARCH_INTEL 0
#define ARCH_ARM 5
#define ARCH_AMD64 9
#define ARCH_ARM64 12

/* KDDEBUGGER_DATA64 (wdbgexts.h): KernBase, and OffsetPrcbContext (Windows 7 and later). */
#define KDBG_KERN_BASE 0x18
#define KDBG_NT_BUILD_LAB 0x208
#define KDBG_OFFSET_PRCB_CONTEXT 0x338

/* WinDbg's banner line for each kind of kernel dump ("Loading Dump File [...]" is followed by it).
 */
static const char kind_full[] = "Kernel Complete Dump File: Full address space is available";
static const char kind_summary[] =
    "Kernel Summary Dump File: Only kernel address space is available";
static const char kind_triage[] =
    "Mini Kernel Dump File: Only registers and stack trace are available";
static const char kind_bitmap_kernel[] = "Kernel Bitmap Dump File: Kernel address space is "
                                         "available, User address space may not be available.";
static const char kind_bitmap_full[] = "Kernel Bitmap Dump File: Full address space is available";
/* Not WinDbg's words: a header-only or unknown dump has no banner we know of. */
static const char kind_header[] = "Kernel Dump File: Only the dump header is available";

static void set_kind(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const char *kind, *sys;
    switch (f->hdr.dump_type) {
    case KDMP_TYPE_FULL:
    case KDMP_FIELD_ABSENT: /* pre-Win2k full dumps leave DumpType unset */
        kind = kind_full, sys = "Full kernel dump";
        break;
    case KDMP_TYPE_SUMMARY:
        kind = kind_summary, sys = "Kernel summary dump";
        break;
    case KDMP_TYPE_TRIAGE:
        kind = kind_triage, sys = "Kernel triage dump";
        break;
    case KDMP_TYPE_BITMAP_FULL:
    case KDMP_TYPE_BITMAP_KERNEL:
        kind = f->bitmap.signature == KDMP_SIG_FDMP ? kind_bitmap_full : kind_bitmap_kernel;
        sys = "Kernel bitmap dump";
        break;
    case KDMP_TYPE_RDMP_KERNEL:
    case KDMP_TYPE_RDMP_KERNEL_USER:
        kind = kind_bitmap_kernel, sys = "Kernel bitmap dump";
        break;
    case KDMP_TYPE_RDMP_COMPLETE:
        kind = kind_bitmap_full, sys = "Kernel bitmap dump";
        break;
    default:
        kind = kind_header, sys = "Kernel dump";
        break;
    }
    char buf[64];
    snprintf(buf, sizeof(buf), "%s-bit %s", f->hdr.is64 ? "64" : "32", sys);
    t->kind = TARGET_KERNEL;
    t->kind_text = kind;
    t->kernel.dump_type_text = kind;
    t->kernel.system_text = dd_arena_strdup(&t->arena, buf);
}

/* The Windows version numbers WinDbg derives from the build number alone. */
static void version_from_build(uint32_t build, uint32_t *major, uint32_t *minor)
{
    static const struct {
        uint32_t build, major, minor;
    } v[] = {
        {10240, 10, 0}, {9600, 6, 3}, {9200, 6, 2}, {7600, 6, 1}, {6000, 6, 0},
        {3790, 5, 2},   {2600, 5, 1}, {2195, 5, 0}, {1381, 4, 0},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (build >= v[i].build) {
            *major = v[i].major;
            *minor = v[i].minor;
            return;
        }
    }
    *major = 4;
    *minor = 0;
}

static void fill_sysinfo(struct target *t)
{
    const struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_header *h = &f->hdr;
    struct target_sysinfo *si = &t->sys;
    switch (h->machine_image_type) {
    case MACHINE_I386:
        si->cpu = DD_CPU_X86, si->processor_architecture = ARCH_INTEL;
        break;
    case MACHINE_AMD64:
        si->cpu = DD_CPU_X64, si->processor_architecture = ARCH_AMD64;
        break;
    case MACHINE_ARM64:
        si->cpu = DD_CPU_ARM64, si->processor_architecture = ARCH_ARM64;
        break;
    case MACHINE_ARMNT:
        si->cpu = DD_CPU_ARM, si->processor_architecture = ARCH_ARM;
        break;
    default:
        si->cpu = DD_CPU_UNKNOWN, si->processor_architecture = 0xffff;
        kdmp_warn(t, "unknown MachineImageType 0x%x", h->machine_image_type);
        break;
    }
    si->number_of_processors = h->number_processors > 255 ? 255 : (uint8_t)h->number_processors;
    si->build_number = h->minor_version;
    si->platform_id = 2; /* VER_PLATFORM_WIN32_NT */
    version_from_build(h->minor_version, &si->major_version, &si->minor_version);
    if (h->has_product_info) {
        si->product_type = (uint8_t)h->product_type;
        si->suite_mask = (uint16_t)h->suite_mask;
    }
    si->csd_version = "";
    /* Triage dumps record the service pack (CmNtCSDVersion: major in bits 8..15). */
    uint32_t sp = (f->triage.service_pack_build >> 8) & 0xff;
    if (f->triage.present && sp) {
        char buf[32];
        snprintf(buf, sizeof(buf), "Service Pack %u", sp);
        const char *s = dd_arena_strdup(&t->arena, buf);
        if (s)
            si->csd_version = s;
    }
    si->cpu_vendor[0] = '\0';
}

/*
 * Triage dumps: the NtBuildLab string ("19041.1.amd64fre.vb_release.191206-1406") through the
 * KDDEBUGGER_DATA64 copy's NtBuildLab pointer, when the dump's memory holds it.
 */
static void triage_build_lab(struct target *t)
{
    const struct target_kernel *k = &t->kernel;
    bool is64 = kdmp_impl(t)->hdr.is64;
    if (!k->kdbg_copy || k->kdbg_copy_size < KDBG_NT_BUILD_LAB + 8)
        return;
    uint64_t va = is64 ? dd_le64(k->kdbg_copy + KDBG_NT_BUILD_LAB)
                       : dd_le32(k->kdbg_copy + KDBG_NT_BUILD_LAB);
    char buf[128];
    size_t got = 0;
    dd_error_drop(dd_memmap_read(&t->memory, va, buf, sizeof(buf) - 1, &got));
    size_t len = 0;
    while (len < got && buf[len] >= 0x20 && buf[len] < 0x7f)
        len++;
    if (len == 0 || len == got) /* no terminating NUL in what the dump holds: not trusted */
        return;
    t->sys.build_string = dd_arena_strndup(&t->arena, buf, len);
}

static void fill_kernel(struct target *t)
{
    const struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_header *h = &f->hdr;
    struct target_kernel *k = &t->kernel;
    k->dump_type = h->dump_type;
    k->machine_image_type = h->machine_image_type;
    k->major_version = h->major_version;
    k->minor_version = h->minor_version;
    k->number_processors = h->number_processors;
    k->bugcheck_code = h->bugcheck_code;
    memcpy(k->bugcheck_params, h->bugcheck_params, sizeof(k->bugcheck_params));
    k->directory_table_base = h->directory_table_base;
    k->pae_enabled = !h->is64 && h->pae_enabled == 1;
    k->pfn_database = h->pfn_database;
    k->ps_loaded_module_list = h->ps_loaded_module_list;
    k->ps_active_process_head = h->ps_active_process_head;
    k->kd_debugger_data_block = h->kd_debugger_data_block;
    k->system_time = h->has_system_time ? h->system_time : 0;
    k->system_up_time = h->has_system_up_time ? h->system_up_time : 0;
    if (h->has_product_info) {
        k->product_type = h->product_type;
        k->suite_mask = h->suite_mask;
    }
    if (k->kdbg_copy && k->kdbg_copy_size >= KDBG_KERN_BASE + 8)
        k->kernel_base = h->is64 ? dd_le64(k->kdbg_copy + KDBG_KERN_BASE)
                                 : dd_le32(k->kdbg_copy + KDBG_KERN_BASE);
    k->has_header_exception = true;
    struct target_exception *e = &k->header_exception;
    e->code = h->exception.code;
    e->flags = h->exception.flags;
    e->record = h->exception.record;
    e->address = h->exception.address;
    e->num_params = h->exception.num_params;
    unsigned np =
        e->num_params < TARGET_EXCEPTION_MAX_PARAMS ? e->num_params : TARGET_EXCEPTION_MAX_PARAMS;
    for (unsigned i = 0; i < np; i++)
        e->params[i] = h->exception.params[i];
    e->context = k->header_context;
    e->context_size = k->header_context_size;
    t->proc.dump_time = k->system_time ? (uint32_t)dd_filetime_to_unix(k->system_time) : 0;
}

/*
 * Triage dumps: the context KeBugCheckEx saved through KPRCB.Context (Windows 7 and later; the
 * CONTEXT itself is one of the data blocks), which is where WinDbg stops ("nt!KeBugCheckEx:").
 * NULL when the dump does not have it.
 */
static const uint8_t *triage_bugcheck_context(struct target *t, uint32_t size)
{
    const struct kdmp_file *f = kdmp_impl(t);
    const struct target_kernel *k = &t->kernel;
    if (!f->triage.prcb_offset || !k->kdbg_copy || k->kdbg_copy_size < KDBG_OFFSET_PRCB_CONTEXT + 2)
        return NULL;
    uint16_t off = dd_le16(k->kdbg_copy + KDBG_OFFSET_PRCB_CONTEXT);
    unsigned ps = f->hdr.is64 ? 8 : 4;
    const uint8_t *p = off ? kdmp_file_range(t, (uint64_t)f->triage.prcb_offset + off, ps) : NULL;
    if (!p)
        return NULL;
    uint64_t va = ps == 8 ? dd_le64(p) : dd_le32(p);
    const struct dd_memrange *r = va ? dd_memmap_find(&t->memory, va) : NULL;
    if (!r || va - r->base > r->size || r->size - (va - r->base) < size)
        return NULL;
    return r->data + (va - r->base);
}

static struct dd_error *fill_thread(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const struct arch_ops *arch = arch_for_cpu(t->sys.cpu);
    t->threads = dd_arena_calloc(&t->arena, 1, sizeof(*t->threads));
    if (!t->threads)
        return &dd_error_no_memory;
    t->nthreads = 1;
    struct target_thread *th = &t->threads[0];
    th->tid = f->triage.processor;
    if (!arch)
        return NULL;
    uint32_t size = arch->context_size;
    if (size > f->hdr.context_capacity)
        size = f->hdr.context_capacity;
    /* The header's ContextRecord (the triage header's ContextOffset points at the same place). */
    uint64_t ctx_off = f->hdr.context_offset;
    if (f->triage.present && f->triage.context_offset)
        ctx_off = f->triage.context_offset;
    const uint8_t *hc = kdmp_file_range(t, ctx_off, size);
    if (!hc) {
        kdmp_warn(t, "the context record (0x%x bytes at 0x%llx) is not in the file", size,
                  (unsigned long long)ctx_off);
        return NULL;
    }
    t->kernel.header_context = hc;
    t->kernel.header_context_size = size;
    t->kernel.header_exception.context = hc;
    t->kernel.header_exception.context_size = size;
    const uint8_t *bc = f->triage.present ? triage_bugcheck_context(t, size) : NULL;
    th->context = bc ? bc : hc;
    th->context_size = size;
    return NULL;
}

struct dd_error *kdmp_target_add_page_streams(struct target *t)
{
    const struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_header *h = &f->hdr;
    struct dd_error *err = NULL;
    if (f->memory == KDMP_MEMORY_BITMAP) {
        err = kdmp_stream_add(t, KDMP_STREAM_BITMAP_HEADER, "BitmapHeader", h->header_size,
                              f->bitmap.first_page_offset - h->header_size);
        if (!err)
            err = kdmp_stream_add(t, KDMP_STREAM_PHYSICAL_PAGES, "PhysicalMemory",
                                  f->bitmap.first_page_offset,
                                  f->data_end - f->bitmap.first_page_offset);
    } else if (f->memory == KDMP_MEMORY_RUNS && f->nruns) {
        uint64_t first = UINT64_MAX;
        for (size_t i = 0; i < f->nruns; i++)
            if (f->runs[i].file_offset < first)
                first = f->runs[i].file_offset;
        err = kdmp_stream_add(t, KDMP_STREAM_PHYSICAL_PAGES, "PhysicalMemory", first,
                              f->data_end - first);
    }
    return err;
}

struct dd_error *kdmp_target_fill(struct target *t)
{
    set_kind(t);
    fill_sysinfo(t);
    struct dd_error *err = fill_thread(t);
    if (err)
        return err;
    fill_kernel(t);
    if (kdmp_impl(t)->triage.present)
        triage_build_lab(t);
    return t->kernel.system_text ? NULL : &dd_error_no_memory;
}

/* Reads a pointer of PS bytes at ADDR through the dump's page tables; false when not there. */
static bool read_ptr(struct target *t, uint64_t addr, unsigned ps, uint64_t *ret)
{
    uint8_t b[8];
    size_t got = 0;
    if (dd_error_drop(t->ops->read_virtual(t, addr, b, ps, &got)) || got != ps)
        return false;
    *ret = ps == 8 ? dd_le64(b) : dd_le32(b);
    return true;
}

/* nt's base is page-aligned and below its own PsLoadedModuleList variable (nt's data), within
 * the largest kernel image size taken here (64 MiB; ntoskrnl 19041 is 0x1046000 bytes). */
static bool kernel_base_plausible(const struct target_kernel *k, uint64_t base)
{
    return base && (base & 0xfff) == 0 && k->ps_loaded_module_list > base &&
           k->ps_loaded_module_list - base < ((uint64_t)64 << 20);
}

/*
 * Full, kernel and bitmap dumps have no KDBG copy. nt's base comes from the debugger data block
 * the header points at when it is stored plain (DBGKD_DEBUG_DATA_HEADER64: OwnerTag "KDBG" at
 * +0x10; KDDEBUGGER_DATA64.KernBase, a ULONG64 on every CPU, at +0x18; wdbgexts.h), else from
 * the first PsLoadedModuleList entry, which is the kernel's (KLDR_DATA_TABLE_ENTRY.DllBase at
 * +0x30 on 64-bit, +0x18 on 32-bit: InLoadOrderLinks, ExceptionTable, ExceptionTableSize,
 * GpValue, NonPagedDebugInfo before it).
 */
void kdmp_target_kernel_base(struct target *t)
{
    struct target_kernel *k = &t->kernel;
    if (k->kernel_base || !k->ps_loaded_module_list)
        return;
    bool is64 = kdmp_impl(t)->hdr.is64;
    unsigned ps = is64 ? 8 : 4;
    uint8_t hdr[0x20];
    size_t got = 0;
    uint64_t kdbg = k->kd_debugger_data_block;
    if (kdbg && !dd_error_drop(t->ops->read_virtual(t, kdbg, hdr, sizeof(hdr), &got)) &&
        got == sizeof(hdr) && memcmp(hdr + 0x10, "KDBG", 4) == 0) {
        uint64_t base = dd_le64(hdr + 0x18);
        if (!is64)
            base &= 0xffffffffu;
        if (kernel_base_plausible(k, base)) {
            k->kernel_base = base;
            return;
        }
    }
    uint64_t first = 0, base = 0;
    if (read_ptr(t, k->ps_loaded_module_list, ps, &first) && first != k->ps_loaded_module_list &&
        read_ptr(t, first + (is64 ? 0x30 : 0x18), ps, &base) && kernel_base_plausible(k, base))
        k->kernel_base = base;
}

void kdmp_target_add_processors(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const struct arch_ops *arch = arch_for_cpu(t->sys.cpu);
    uint32_t n = f->hdr.number_processors;
    if (f->triage.present || !f->space || !arch || n < 2 || n > NT_MAX_PROCESSORS)
        return;
    /*
     * The header's KdDebuggerDataBlock and built-in layouts; symbols are not loaded yet, so an
     * encoded block gives no KiProcessorBlock here: the kernel extension adds the processors
     * once nt's symbols decode it (ext_kernel.c, kernel_processors_add).
     */
    struct nt_kernel_options opt = {.no_scan = true};
    struct nt_kernel k;
    if (dd_error_drop(nt_kernel_init(t, &opt, &k)) || !k.ki_processor_block)
        return;
    uint32_t found = 0;
    nt_processor_threads_attach(&k, &found);
    if (!found)
        kdmp_warn(t, "the %u processors' saved contexts cannot be read: only the header's is shown",
                  n);
}
