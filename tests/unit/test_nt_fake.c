/* Synthetic kernel targets for the src/nt tests (see test_nt_fake.h). */
#include "test_nt_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "check.h"
#include "nt/layout.h"

static struct dd_error *fake_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops fake_ops = {.read_virtual = fake_read};

void nt_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void nt_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void nt_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void nt_fake_init(struct nt_fake *f, enum dd_cpu cpu, uint32_t build)
{
    memset(f, 0, sizeof(*f));
    f->t.ops = &fake_ops;
    f->t.kind = TARGET_KERNEL;
    f->t.format_name = "fake kernel";
    f->t.sys.cpu = cpu;
    f->t.sys.build_number = build;
    f->t.kernel.minor_version = build;
    f->t.kernel.major_version = 0xf;
    dd_memmap_init(&f->t.memory);
    dd_arena_init(&f->t.arena);
}

uint8_t *nt_fake_block(struct nt_fake *f, uint64_t addr, size_t size)
{
    if (f->nowned >= NT_FAKE_MAX_BLOCKS)
        return NULL;
    uint8_t *b = calloc(1, size);
    if (!b)
        return NULL;
    f->owned[f->nowned++] = b;
    CHECK_OK(dd_memmap_add(&f->t.memory, addr, size, b));
    return b;
}

void nt_fake_finish(struct nt_fake *f)
{
    CHECK_OK(dd_memmap_finish(&f->t.memory));
}

void nt_fake_deinit(struct nt_fake *f)
{
    dd_memmap_deinit(&f->t.memory);
    dd_arena_deinit(&f->t.arena);
    for (size_t i = 0; i < f->nowned; i++)
        free(f->owned[i]);
    dd_mapfile_close(&f->file);
    memset(f, 0, sizeof(*f));
}

/* Facts about the corpus triage dump (shared/corpus/kernel/MANIFEST.md). */
#define TRIAGE_HEADER 0x2000
#define TRIAGE_PRCB_COPY 0x21b8
#define TRIAGE_PROCESS_COPY 0xd0b8
#define TRIAGE_THREAD_COPY 0xdaf8
#define TRIAGE_KDBG 0x104a8
#define TRIAGE_KDBG_SIZE 0x380

bool nt_fake_from_triage(struct nt_fake *f)
{
    const char *dir = check_corpus_dir();
    if (!dir)
        return false;
    char path[1024];
    snprintf(path, sizeof(path), "%s/kernel/rizin-testbins/triage_x64.dmp", dir);
    nt_fake_init(f, DD_CPU_X64, 19041);
    struct dd_error *err = dd_mapfile_open(path, &f->file);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    const uint8_t *d = f->file.data;
    size_t size = f->file.size;
    CHECK(size > 0x19438);
    /* DUMP_HEADER64: NumberProcessors 0x34, PsLoadedModuleList 0x20, PsActiveProcessHead 0x28,
     * KdDebuggerDataBlock 0x80 (the MANIFEST's offsets). */
    f->t.kernel.number_processors = dd_le32(d + 0x34);
    f->t.kernel.ps_loaded_module_list = dd_le64(d + 0x20);
    f->t.kernel.ps_active_process_head = dd_le64(d + 0x28);
    f->t.kernel.kd_debugger_data_block = dd_le64(d + 0x80);
    f->t.kernel.kdbg_copy = d + TRIAGE_KDBG;
    f->t.kernel.kdbg_copy_size = TRIAGE_KDBG_SIZE;
    f->t.kernel.dump_type = 4;
    /* TRIAGE_DUMP64: DataBlocksOffset at +0x78, DataBlocksCount at +0x7c (after TopOfStack at +0x48,
     * ArchitectureSpecific, DataPage*, DebuggerDataOffset/Size at +0x70/+0x74). */
    uint32_t blocks = dd_le32(d + TRIAGE_HEADER + 0x78);
    uint32_t count = dd_le32(d + TRIAGE_HEADER + 0x7c);
    for (uint32_t i = 0; i < count && blocks + 16ull * (i + 1) <= size; i++) {
        const uint8_t *b = d + blocks + 16 * i;
        uint64_t addr = dd_le64(b);
        uint32_t off = dd_le32(b + 8), len = dd_le32(b + 12);
        if ((uint64_t)off + len <= size)
            CHECK_OK(dd_memmap_add(&f->t.memory, addr, len, d + off));
    }
    /* The copies of the crashing processor's PRCB, its thread and that thread's process, at the
     * addresses they name (KiProcessorBlock[0] -> PRCB; PRCB+0x8 CurrentThread; KTHREAD+0x220
     * Process: offsets from the dump's own KDBG OffsetPrcbCurrentThread and the 19041 ISF). */
    uint64_t kpb = dd_le64(d + TRIAGE_KDBG + 0x218);
    uint8_t ptr[8];
    CHECK_OK(dd_memmap_finish(&f->t.memory));
    size_t got = 0;
    CHECK_OK(dd_memmap_read(&f->t.memory, kpb, ptr, 8, &got));
    uint64_t prcb = dd_le64(ptr);
    uint64_t thread = dd_le64(d + TRIAGE_PRCB_COPY + 0x8);
    uint64_t process = dd_le64(d + TRIAGE_THREAD_COPY + 0x220);
    CHECK_OK(dd_memmap_add(&f->t.memory, prcb, 0xaf00, d + TRIAGE_PRCB_COPY));
    CHECK_OK(dd_memmap_add(&f->t.memory, thread, 0x898, d + TRIAGE_THREAD_COPY));
    CHECK_OK(dd_memmap_add(&f->t.memory, process, 0xa40, d + TRIAGE_PROCESS_COPY));
    CHECK_OK(dd_memmap_finish(&f->t.memory));
    /* The kernel image, as the driver list names it. */
    f->nt_module = (struct target_module){.base = 0xfffff8047ba00000ULL,
                                          .size = 0x1046000,
                                          .timestamp = 0x0d8333e6,
                                          .path = "\\SystemRoot\\system32\\ntoskrnl.exe",
                                          .name = "nt"};
    f->t.modules = &f->nt_module;
    f->t.nmodules = 1;
    return true;
}

/* Writes a LIST_ENTRY at P (address AT) linking PREV and NEXT. */
static void links(uint8_t *p, uint64_t next, uint64_t prev)
{
    nt_put64(p, next);
    nt_put64(p + 8, prev);
}

/* Writes a UNICODE_STRING at P for TEXT stored (UTF-16LE) at BUF_ADDR in BUF. */
static void ustr(uint8_t *p, uint8_t *buf, uint64_t buf_addr, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++)
        buf[2 * i] = (uint8_t)text[i];
    nt_put16(p, (uint16_t)(2 * n));
    nt_put16(p + 2, (uint16_t)(2 * n + 2));
    nt_put64(p + 8, buf_addr);
}

void nt_fake_world_build(struct nt_fake *f, struct nt_fake_world *w)
{
    nt_fake_init(f, DD_CPU_X64, 19041);
    memset(w, 0, sizeof(*w));
    struct nt_layout_sources src = {.cpu = DD_CPU_X64, .build = 19041};
    struct nt_layout l;
    nt_layout_resolve(&src, &l);
    const uint32_t *o = l.off;

    f->t.kernel.kd_debugger_data_block = FK_KDBG;
    f->t.kernel.number_processors = 2;
    w->kdbg = nt_fake_block(f, FK_KDBG, 0x380);
    w->proc_head = nt_fake_block(f, FK_PROC_HEAD, 16);
    w->mod_head = nt_fake_block(f, FK_MOD_HEAD, 16);
    w->kpb = nt_fake_block(f, FK_KPB, 16);
    w->session = nt_fake_block(f, FK_SESSION, 0x100);
    for (int i = 0; i < 3; i++) {
        w->eproc[i] = nt_fake_block(f, FK_EPROC(i), 0xa40);
        w->ethread[i] = nt_fake_block(f, FK_ETHREAD(i), 0x898);
        w->stack[i] = nt_fake_block(f, FK_STACK(i), 0x100);
    }
    for (int i = 0; i < 2; i++) {
        w->ldr[i] = nt_fake_block(f, FK_LDR(i), 0x200);
        w->pcr[i] = nt_fake_block(f, FK_PCR(i), 0x180 + 0xaf00);
    }
    w->image0 = nt_fake_block(f, FK_IMAGE(0), 0x200);
    nt_fake_finish(f);

    /* KDDEBUGGER_DATA64 with the addresses only (wdbgexts.h offsets). */
    nt_put32(w->kdbg + 0x10, 0x4742444b);
    nt_put32(w->kdbg + 0x14, 0x380);
    nt_put64(w->kdbg + 0x18, FK_IMAGE(0));
    nt_put64(w->kdbg + 0x48, FK_MOD_HEAD);
    nt_put64(w->kdbg + 0x50, FK_PROC_HEAD);
    nt_put64(w->kdbg + 0x218, FK_KPB);

    /* Processes: head -> System -> smss -> explorer -> head. */
    static const char *const names[3] = {"System", "smss.exe", "explorer.exe"};
    static const uint64_t pids[3] = {4, 0x124, 0x910}, parents[3] = {0, 4, 0xa98};
    static const uint64_t dtbs[3] = {0x1aa000, 0x100595000ULL, 0x3fdba000};
    static const uint64_t pebs[3] = {0, 0x7ff7809df000ULL, 0x7ff669b8e000ULL};
    uint32_t apl = o[NT_EPROCESS_ACTIVE_PROCESS_LINKS];
    links(w->proc_head, FK_EPROC(0) + apl, FK_EPROC(2) + apl);
    for (int i = 0; i < 3; i++) {
        uint8_t *e = w->eproc[i];
        uint64_t next = i < 2 ? FK_EPROC(i + 1) + apl : FK_PROC_HEAD;
        uint64_t prev = i > 0 ? FK_EPROC(i - 1) + apl : FK_PROC_HEAD;
        links(e + apl, next, prev);
        nt_put64(e + o[NT_EPROCESS_UNIQUE_PROCESS_ID], pids[i]);
        nt_put64(e + o[NT_EPROCESS_INHERITED_FROM_UNIQUE_PROCESS_ID], parents[i]);
        nt_put64(e + o[NT_EPROCESS_DIRECTORY_TABLE_BASE], dtbs[i]);
        nt_put64(e + o[NT_EPROCESS_PEB], pebs[i]);
        nt_put64(e + o[NT_EPROCESS_OBJECT_TABLE], 0xffffb00000001000ULL + 0x100 * (uint64_t)i);
        nt_put64(e + o[NT_EPROCESS_SESSION], i == 2 ? FK_SESSION : 0);
        memcpy(e + o[NT_EPROCESS_IMAGE_FILE_NAME], names[i], strlen(names[i]));
        nt_put32(e + o[NT_EPROCESS_ACTIVE_THREADS], i == 0 ? 2 : i == 1 ? 1 : 0);
        uint64_t tlh = FK_EPROC(i) + o[NT_EPROCESS_THREAD_LIST_HEAD];
        links(e + o[NT_EPROCESS_THREAD_LIST_HEAD], tlh, tlh); /* empty unless threads below */
    }
    nt_put32(w->session + o[NT_MM_SESSION_SPACE_SESSION_ID], 1);

    /* Threads: t0 and t1 in System, t2 in smss. */
    uint32_t tle = o[NT_ETHREAD_THREAD_LIST_ENTRY];
    uint64_t tlh0 = FK_EPROC(0) + o[NT_EPROCESS_THREAD_LIST_HEAD];
    uint64_t tlh1 = FK_EPROC(1) + o[NT_EPROCESS_THREAD_LIST_HEAD];
    links(w->eproc[0] + o[NT_EPROCESS_THREAD_LIST_HEAD], FK_ETHREAD(0) + tle, FK_ETHREAD(1) + tle);
    links(w->ethread[0] + tle, FK_ETHREAD(1) + tle, tlh0);
    links(w->ethread[1] + tle, tlh0, FK_ETHREAD(0) + tle);
    links(w->eproc[1] + o[NT_EPROCESS_THREAD_LIST_HEAD], FK_ETHREAD(2) + tle, FK_ETHREAD(2) + tle);
    links(w->ethread[2] + tle, tlh1, tlh1);
    static const uint64_t owner[3] = {FK_EPROC(0), FK_EPROC(0), FK_EPROC(1)};
    static const uint64_t tids[3] = {0xc, 0x10, 0x128};
    static const uint8_t states[3] = {5, 2, 5}, reasons[3] = {15, 0, 6}, modes[3] = {0, 0, 1};
    for (int i = 0; i < 3; i++) {
        uint8_t *t = w->ethread[i];
        nt_put64(t + o[NT_ETHREAD_CID], owner[i] == FK_EPROC(0) ? 4 : 0x124);
        nt_put64(t + o[NT_ETHREAD_CID] + 8, tids[i]);
        nt_put64(t + o[NT_KTHREAD_TEB], i == 2 ? 0x7ff7809e0000ULL : 0);
        t[o[NT_KTHREAD_STATE]] = states[i];
        t[o[NT_KTHREAD_WAIT_REASON]] = reasons[i];
        t[o[NT_KTHREAD_WAIT_MODE]] = modes[i];
        if (i == 2)
            nt_put32(t + o[NT_KTHREAD_ALERTABLE], 1u << l.bit_pos[NT_KTHREAD_ALERTABLE]);
        nt_put64(t + o[NT_KTHREAD_PROCESS], owner[i]);
        nt_put64(t + o[NT_KTHREAD_APC_STATE_PROCESS], owner[i]);
        nt_put64(t + o[NT_KTHREAD_INITIAL_STACK], FK_STACK(i) + 0x7c90);
        nt_put64(t + o[NT_KTHREAD_STACK_BASE], FK_STACK(i) + 0x8000);
        nt_put64(t + o[NT_KTHREAD_STACK_LIMIT], FK_STACK(i) + 0x2000);
        nt_put64(t + o[NT_KTHREAD_KERNEL_STACK], FK_STACK(i));
        nt_put64(t + o[NT_ETHREAD_WIN32_START_ADDRESS], 0xfffff80000c06fb0ULL + (uint64_t)i);
        t[o[NT_KTHREAD_PRIORITY]] = (uint8_t)(i == 2 ? 8 : 12);
        t[o[NT_KTHREAD_BASE_PRIORITY]] = (uint8_t)(i == 2 ? 8 : 12);
        nt_put32(t + o[NT_KTHREAD_NEXT_PROCESSOR], 0);
        nt_put32(t + o[NT_KTHREAD_WAIT_TIME], 38053);
        nt_put32(t + o[NT_KTHREAD_CONTEXT_SWITCHES], 1565 + (uint32_t)i);
        /* ThreadIoPriority 2 and ThreadPagePriority 5 in CrossThreadFlags. */
        nt_put32(t + o[NT_ETHREAD_IO_PRIORITY], (2u << l.bit_pos[NT_ETHREAD_IO_PRIORITY]) |
                                                    (5u << l.bit_pos[NT_ETHREAD_PAGE_PRIORITY]));
        /* The x64 KSWITCH_FRAME at KernelStack: Rbp at 0x30, Return at 0x38. */
        nt_put64(w->stack[i] + 0x30, 0xffffa00000401111ULL + (uint64_t)i);
        nt_put64(w->stack[i] + 0x38, 0xfffff80000c01234ULL + (uint64_t)i);
    }

    /* Modules: head -> ntoskrnl -> amdppm -> head. */
    links(w->mod_head, FK_LDR(0), FK_LDR(1));
    links(w->ldr[0], FK_LDR(1), FK_MOD_HEAD);
    links(w->ldr[1], FK_MOD_HEAD, FK_LDR(0));
    static const char *const mods[2] = {"ntoskrnl.exe", "amdppm.sys"};
    static const char *const paths[2] = {"\\SystemRoot\\system32\\ntoskrnl.exe",
                                         "\\SystemRoot\\System32\\drivers\\amdppm.sys"};
    static const uint32_t sizes[2] = {0x1046000, 0x3b000};
    for (int i = 0; i < 2; i++) {
        uint8_t *e = w->ldr[i];
        nt_put64(e + o[NT_LDR_DLL_BASE], FK_IMAGE(i));
        nt_put32(e + o[NT_LDR_SIZE_OF_IMAGE], sizes[i]);
        ustr(e + o[NT_LDR_BASE_DLL_NAME], e + 0x100, FK_LDR(i) + 0x100, mods[i]);
        ustr(e + o[NT_LDR_FULL_DLL_NAME], e + 0x140, FK_LDR(i) + 0x140, paths[i]);
    }
    /* ntoskrnl's PE header: e_lfanew 0x80, TimeDateStamp, PE32+ magic, CheckSum. */
    w->image0[0] = 'M', w->image0[1] = 'Z';
    nt_put32(w->image0 + 0x3c, 0x80);
    memcpy(w->image0 + 0x80, "PE\0\0", 4);
    nt_put16(w->image0 + 0x84, 0x8664);
    nt_put32(w->image0 + 0x88, 0x0d8333e6);
    nt_put16(w->image0 + 0x98, 0x20b);
    nt_put32(w->image0 + 0x98 + 64, 0x00a5f1c1);

    /* Processors: KiProcessorBlock -> PRCBs inside their PCRs. */
    for (int i = 0; i < 2; i++) {
        nt_put64(w->kpb + 8 * i, FK_PRCB(i));
        uint8_t *pcr = w->pcr[i];
        uint8_t *prcb = pcr + 0x180;
        nt_put64(pcr + o[NT_KPCR_SELF], FK_PCR(i));
        nt_put64(pcr + o[NT_KPCR_CURRENT_PRCB], FK_PRCB(i));
        nt_put64(pcr + 0x08, FK_STACK(0) + 0x6000); /* NtTib.StackBase */
        nt_put16(pcr + o[NT_KPCR_MAJOR_VERSION], 1);
        nt_put16(pcr + o[NT_KPCR_MINOR_VERSION], 1);
        nt_put64(prcb + o[NT_KPRCB_CURRENT_THREAD], i == 0 ? FK_ETHREAD(1) : FK_IDLE(i));
        nt_put64(prcb + o[NT_KPRCB_NEXT_THREAD], 0);
        nt_put64(prcb + o[NT_KPRCB_IDLE_THREAD], FK_IDLE(i));
        nt_put32(prcb + o[NT_KPRCB_NUMBER], (uint32_t)i);
        prcb[o[NT_KPRCB_GROUP_INDEX]] = (uint8_t)i;
        nt_put64(prcb + o[NT_KPRCB_GROUP_SET_MEMBER], 1ULL << i);
        prcb[o[NT_KPRCB_DEBUGGER_SAVED_IRQL]] = (uint8_t)(i == 0 ? 2 : 0);
        nt_put32(prcb + o[NT_KPRCB_INTERRUPT_COUNT], 0x2a8b);
        nt_put32(prcb + o[NT_KPRCB_DPC_TIME], 0x12);
        nt_put32(prcb + o[NT_KPRCB_INTERRUPT_TIME], 4);
        nt_put32(prcb + o[NT_KPRCB_KERNEL_TIME], 0x6a3a);
        nt_put32(prcb + o[NT_KPRCB_USER_TIME], 0x86);
        memcpy(prcb + o[NT_KPRCB_VENDOR_STRING], "AuthenticAMD", 12);
        /* ProcessorState.ContextFrame: an AMD64 CONTEXT (winnt.h: ContextFlags 0x30, Rsp 0x98,
         * Rbp 0xa0, Rip 0xf8). */
        uint8_t *ctx = prcb + o[NT_KPRCB_CONTEXT_FRAME];
        nt_put32(ctx + 0x30, 0x10000b);
        nt_put64(ctx + 0x98, 0xfffff80000791f00ULL + (uint64_t)i);
        nt_put64(ctx + 0xa0, 0xfffff80000791f80ULL);
        nt_put64(ctx + 0xf8, 0xfffff80000c05a80ULL + (uint64_t)i);
    }
}
