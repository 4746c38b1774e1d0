/*
 * Triage ("small memory", DumpType 4) dumps: the TRIAGE_DUMP32 header at 0x1000 or
 * TRIAGE_DUMP64 at 0x2000 (ntiodump.h), and the virtual memory they carry, mapped the way
 * dbgeng's KernelTriageDumpTargetInfo::MapMemoryRegions maps it: the KDDEBUGGER_DATA64 copy at
 * the header's KdDebuggerDataBlock, the ETHREAD and EPROCESS copies at the addresses the PRCB
 * copy names, the data page, every TRIAGE_DATA_BLOCK, and the saved call stack at TopOfStack.
 * Offsets in the triage header are absolute file offsets.
 */
#include <stdio.h>

#include "base/fmt.h"
#include "dump/kdmp/kdmp_internal.h"

/* KDDEBUGGER_DATA64 field offsets (wdbgexts.h); the triage copy is never encoded. */
#define KDBG_OFFSET_KTHREAD_APC_PROCESS 0x2a0
#define KDBG_SIZE_EPROCESS 0x2a8
#define KDBG_SIZE_PRCB 0x2b0
#define KDBG_OFFSET_PRCB_CURRENT_THREAD 0x2b4
#define KDBG_OFFSET_PRCB_NUMBER 0x2be
#define KDBG_SIZE_ETHREAD 0x2c0

/* TRIAGE_DATA_BLOCK (ntiodump.h, one layout for both headers): Address u64, Offset, Size. */
#define KDMP_TRIAGE_BLOCK_SIZE 16u

static void parse64(struct kdmp_triage *tr, const uint8_t *p)
{
    tr->top_of_stack = dd_le64(p + 0x48);
    tr->bstore_offset = dd_le32(p + 0x50);
    tr->size_of_bstore = dd_le32(p + 0x54);
    tr->limit_of_bstore = dd_le64(p + 0x58);
    tr->data_page_address = dd_le64(p + 0x60);
    tr->data_page_offset = dd_le32(p + 0x68);
    tr->data_page_size = dd_le32(p + 0x6c);
    tr->debugger_data_offset = dd_le32(p + 0x70);
    tr->debugger_data_size = dd_le32(p + 0x74);
    tr->data_blocks_offset = dd_le32(p + 0x78);
    tr->data_blocks_count = dd_le32(p + 0x7c);
}

static void parse32(struct kdmp_triage *tr, const uint8_t *p)
{
    tr->top_of_stack = dd_le32(p + 0x48);
    tr->data_page_address = dd_le32(p + 0x4c);
    tr->data_page_offset = dd_le32(p + 0x50);
    tr->data_page_size = dd_le32(p + 0x54);
    tr->debugger_data_offset = dd_le32(p + 0x58);
    tr->debugger_data_size = dd_le32(p + 0x5c);
    tr->data_blocks_offset = dd_le32(p + 0x60);
    tr->data_blocks_count = dd_le32(p + 0x64);
}

/* Maps SIZE bytes at file OFFSET as virtual memory at ADDR; a warning when they are not in the
 * file. */
static struct dd_error *map_region(struct target *t, const char *what, uint64_t addr,
                                   uint64_t offset, uint64_t size)
{
    if (size == 0)
        return NULL;
    const uint8_t *p = kdmp_file_range(t, offset, size);
    if (!p || offset == 0) {
        kdmp_warn(t, "%s (0x%llx bytes at offset 0x%llx) is not in the file", what,
                  (unsigned long long)size, (unsigned long long)offset);
        return NULL;
    }
    uint64_t end;
    if (dd_add_overflows(addr, size, UINT64_MAX, &end)) {
        kdmp_warn(t, "%s at 0x%llx wraps the address space", what, (unsigned long long)addr);
        return NULL;
    }
    return dd_memmap_add(&t->memory, addr, size, p);
}

/* Reads a pointer of the dump's size at file offset OFF; false when out of the file. */
static bool file_ptr(const struct target *t, uint64_t off, bool is64, uint64_t *ret)
{
    const uint8_t *p = kdmp_file_range(t, off, is64 ? 8 : 4);
    if (!p)
        return false;
    *ret = is64 ? dd_le64(p) : dd_le32(p);
    return true;
}

static uint16_t kdbg_u16(const struct target *t, size_t off)
{
    if (!t->kernel.kdbg_copy || off + 2 > t->kernel.kdbg_copy_size)
        return 0;
    return dd_le16(t->kernel.kdbg_copy + off);
}

/* The PRCB copy's processor number and current thread, the thread's process (KDBG offsets). */
static struct dd_error *map_thread_process(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    struct kdmp_triage *tr = &f->triage;
    bool is64 = f->hdr.is64;
    if (!tr->prcb_offset)
        return NULL;
    uint16_t num_off = kdbg_u16(t, KDBG_OFFSET_PRCB_NUMBER);
    const uint8_t *num =
        num_off ? kdmp_file_range(t, (uint64_t)tr->prcb_offset + num_off, 2) : NULL;
    if (num) {
        /* KPRCB.Number: a USHORT on x64/ARM64, a UCHAR at the same place on x86. */
        uint32_t n = is64 ? dd_le16(num) : num[0];
        if (n < f->hdr.number_processors || f->hdr.number_processors == 0)
            tr->processor = n;
        else
            kdmp_warn(t, "PRCB copy: processor number %u, but the dump has %u processors", n,
                      f->hdr.number_processors);
    }
    uint16_t cur_off = kdbg_u16(t, KDBG_OFFSET_PRCB_CURRENT_THREAD);
    uint64_t thread = 0, process = 0;
    if (!tr->thread_offset || !cur_off ||
        !file_ptr(t, (uint64_t)tr->prcb_offset + cur_off, is64, &thread) || !thread)
        return NULL;
    tr->thread_address = thread;
    struct dd_error *err =
        map_region(t, "ETHREAD copy", thread, tr->thread_offset, kdbg_u16(t, KDBG_SIZE_ETHREAD));
    if (err)
        return err;
    uint16_t apc_off = kdbg_u16(t, KDBG_OFFSET_KTHREAD_APC_PROCESS);
    if (!tr->process_offset || !apc_off ||
        !file_ptr(t, (uint64_t)tr->thread_offset + apc_off, is64, &process) || !process)
        return NULL;
    tr->process_address = process;
    return map_region(t, "EPROCESS copy", process, tr->process_offset,
                      kdbg_u16(t, KDBG_SIZE_EPROCESS));
}

/* The TRIAGE_DATA_BLOCK array: blocks outside the file are dropped (one warning for all). */
static struct dd_error *map_blocks(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    struct kdmp_triage *tr = &f->triage;
    uint64_t count = tr->data_blocks_count;
    if (!count)
        return NULL;
    if (count > t->file.size / KDMP_TRIAGE_BLOCK_SIZE ||
        !kdmp_file_range(t, tr->data_blocks_offset, count * KDMP_TRIAGE_BLOCK_SIZE)) {
        kdmp_warn(t,
                  "triage data block list (0x%llx entries at 0x%x) runs past the end of the "
                  "file; no data blocks",
                  (unsigned long long)count, tr->data_blocks_offset);
        return NULL;
    }
    tr->blocks = dd_arena_calloc(&t->arena, (size_t)count, sizeof(*tr->blocks));
    if (!tr->blocks)
        return &dd_error_no_memory;
    const uint8_t *p = t->file.data + tr->data_blocks_offset;
    size_t bad = 0;
    for (uint64_t i = 0; i < count; i++, p += KDMP_TRIAGE_BLOCK_SIZE) {
        struct kdmp_triage_block b = {dd_le64(p), dd_le32(p + 8), dd_le32(p + 12)};
        if (b.size == 0)
            continue;
        const uint8_t *data = kdmp_file_range(t, b.offset, b.size);
        uint64_t end;
        if (!data || b.offset == 0 || dd_add_overflows(b.address, b.size, UINT64_MAX, &end)) {
            bad++;
            continue;
        }
        tr->blocks[tr->nblocks++] = b;
        struct dd_error *err = dd_memmap_add(&t->memory, b.address, b.size, data);
        if (err)
            return err;
        err = kdmp_stream_add(t, KDMP_STREAM_DATA_BLOCK, "DataBlock", b.offset, b.size);
        if (err)
            return err;
    }
    if (bad)
        kdmp_warn(t, "%zu triage data blocks lie outside the file and were ignored", bad);
    return NULL;
}

/* A u32 at file offset OFF, or 0 when it is not in the file. */
static uint32_t file_u32(const struct target *t, uint64_t off)
{
    const uint8_t *p = off ? kdmp_file_range(t, off, 4) : NULL;
    return p ? dd_le32(p) : 0;
}

/* Stream rows for the triage header's areas (offset 0 = absent). */
static struct dd_error *add_streams(struct target *t)
{
    const struct kdmp_triage *tr = &kdmp_impl(t)->triage;
    const struct kdmp_header *h = &kdmp_impl(t)->hdr;
    bool is64 = h->is64;
    /* CONTEXT sizes (winnt.h): x86 0x2cc, ARM 0x1a0, ARM64 0x390, x64 0x4d0. */
    uint32_t ctx = h->machine_image_type == 0x14c    ? 0x2cc
                   : h->machine_image_type == 0x1c4  ? 0x1a0
                   : h->machine_image_type == 0xaa64 ? 0x390
                                                     : 0x4d0;
    /* DUMP_MM_STORAGE.Size; the unloaded list is a ULONG count then 40/56-byte entries. */
    uint32_t mm = file_u32(t, tr->mm_offset ? (uint64_t)tr->mm_offset + 4 : 0);
    uint64_t unloaded =
        tr->unloaded_drivers_offset
            ? (is64 ? 8 : 4) + (uint64_t)file_u32(t, tr->unloaded_drivers_offset) * (is64 ? 56 : 40)
            : 0;
    struct {
        uint32_t type;
        const char *name;
        uint64_t offset, size;
    } rows[] = {
        {KDMP_STREAM_TRIAGE_HEADER, is64 ? "TRIAGE_DUMP64" : "TRIAGE_DUMP32", tr->header_offset,
         is64 ? 0x80 : 0x68},
        {KDMP_STREAM_CONTEXT, "Context", tr->context_offset, ctx},
        {KDMP_STREAM_EXCEPTION, "Exception", tr->exception_offset, is64 ? 0x98 : 0x50},
        {KDMP_STREAM_MM_INFO, "MmInfo", tr->mm_offset, mm},
        {KDMP_STREAM_UNLOADED_DRIVERS, "UnloadedDrivers", tr->unloaded_drivers_offset, unloaded},
        {KDMP_STREAM_PRCB, "Prcb", tr->prcb_offset, kdbg_u16(t, KDBG_SIZE_PRCB)},
        {KDMP_STREAM_PROCESS, "Process", tr->process_offset, kdbg_u16(t, KDBG_SIZE_EPROCESS)},
        {KDMP_STREAM_THREAD, "Thread", tr->thread_offset, kdbg_u16(t, KDBG_SIZE_ETHREAD)},
        {KDMP_STREAM_CALL_STACK, "CallStack", tr->call_stack_offset, tr->size_of_call_stack},
        {KDMP_STREAM_DRIVER_LIST, "DriverList", tr->driver_list_offset,
         (uint64_t)tr->driver_count * (is64 ? 0x90 : 0x4c)},
        {KDMP_STREAM_STRING_POOL, "StringPool", tr->string_pool_offset, tr->string_pool_size},
        {KDMP_STREAM_DATA_PAGE, "DataPage", tr->data_page_offset, tr->data_page_size},
        {KDMP_STREAM_DEBUGGER_DATA, "DebuggerData", tr->debugger_data_offset,
         tr->debugger_data_size},
        {KDMP_STREAM_DATA_BLOCK_LIST, "DataBlocks", tr->data_blocks_offset,
         (uint64_t)tr->data_blocks_count * KDMP_TRIAGE_BLOCK_SIZE},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!rows[i].offset)
            continue;
        struct dd_error *err =
            kdmp_stream_add(t, rows[i].type, rows[i].name, rows[i].offset, rows[i].size);
        if (err)
            return err;
    }
    return NULL;
}

struct dd_error *kdmp_triage_parse(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    struct kdmp_triage *tr = &f->triage;
    const struct kdmp_header *h = &f->hdr;
    tr->header_offset = h->header_size;
    size_t need = h->is64 ? 0x80 : 0x68;
    const uint8_t *p = kdmp_file_range(t, tr->header_offset, need);
    if (!p)
        return dd_error_at(DD_ERR_FORMAT, tr->header_offset,
                           "triage dump: TRIAGE_DUMP%s header truncated", h->is64 ? "64" : "32");
    tr->present = true;
    uint32_t *fields[] = {
        &tr->service_pack_build,      &tr->size_of_dump,         &tr->valid_offset,
        &tr->context_offset,          &tr->exception_offset,     &tr->mm_offset,
        &tr->unloaded_drivers_offset, &tr->prcb_offset,          &tr->process_offset,
        &tr->thread_offset,           &tr->call_stack_offset,    &tr->size_of_call_stack,
        &tr->driver_list_offset,      &tr->driver_count,         &tr->string_pool_offset,
        &tr->string_pool_size,        &tr->broken_driver_offset, &tr->triage_options,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        *fields[i] = dd_le32(p + 4 * i);
    if (h->is64)
        parse64(tr, p);
    else
        parse32(tr, p);
    /* dbgeng only trusts the optional parts when MiniDumpFields says they were written. */
    uint32_t mf = h->mini_dump_fields;
    bool basic = (mf & KDMP_TRIAGE_BASIC_INFO) == KDMP_TRIAGE_BASIC_INFO;
    if (!basic || !(mf & KDMP_TRIAGE_DATAPAGE))
        tr->data_page_address = tr->data_page_offset = tr->data_page_size = 0;
    if (!basic || !(mf & KDMP_TRIAGE_DEBUGGER_DATA))
        tr->debugger_data_offset = tr->debugger_data_size = 0;
    if (!basic || !(mf & KDMP_TRIAGE_DATA_BLOCKS))
        tr->data_blocks_offset = tr->data_blocks_count = 0;
    const uint8_t *valid =
        tr->size_of_dump >= 4 ? kdmp_file_range(t, tr->size_of_dump - 4, 4) : NULL;
    if (!valid || dd_le32(valid) != KDMP_SIG_TRGD)
        kdmp_warn(t,
                  "triage dump: no TRGD signature at SizeOfDump - 4 (0x%x); the dump may be "
                  "truncated or corrupt",
                  tr->size_of_dump);
    f->data_end = tr->size_of_dump;
    f->memory = KDMP_MEMORY_TRIAGE;

    /* The KDBG copy first: its offsets place the thread and process copies. */
    struct dd_error *err;
    if (tr->debugger_data_size) {
        const uint8_t *kd = kdmp_file_range(t, tr->debugger_data_offset, tr->debugger_data_size);
        if (kd && tr->debugger_data_offset) {
            t->kernel.kdbg_copy = kd;
            t->kernel.kdbg_copy_size = tr->debugger_data_size;
            if (h->kd_debugger_data_block &&
                (err = map_region(t, "KDDEBUGGER_DATA64 copy", h->kd_debugger_data_block,
                                  tr->debugger_data_offset, tr->debugger_data_size)))
                return err;
        } else {
            kdmp_warn(t,
                      "triage dump: the KDDEBUGGER_DATA64 copy (0x%x bytes at 0x%x) is not "
                      "in the file",
                      tr->debugger_data_size, tr->debugger_data_offset);
        }
    }
    if ((err = map_thread_process(t)) || (err = add_streams(t)))
        return err;
    if (tr->data_page_address && (err = map_region(t, "data page", tr->data_page_address,
                                                   tr->data_page_offset, tr->data_page_size)))
        return err;
    if ((err = map_blocks(t)))
        return err;
    if (tr->size_of_call_stack && (err = map_region(t, "saved call stack", tr->top_of_stack,
                                                    tr->call_stack_offset, tr->size_of_call_stack)))
        return err;
    t->kernel.top_of_stack = tr->top_of_stack;
    return NULL;
}
