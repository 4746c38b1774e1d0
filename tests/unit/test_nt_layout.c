/*
 * Tests of the layout resolver (src/nt/layout*.c). The independent references are the corpus
 * ntkrnlmp ISF (JPCERT's file for the triage dump's kernel) and the triage dump's own KDBG:
 *   - every built-in 19041 x64 number must equal the ISF's offset, width and bit position;
 *   - the KDBG-derived offsets must equal the ISF's;
 *   - PDB lookups on the corpus amdppm.pdb (which carries some kernel types) must equal the ISF's.
 */
#include <stdlib.h>
#include <unistd.h>

#include "base/mapfile.h"
#include "check.h"
#include "nt/isf.h"
#include "nt/kdbg.h"
#include "nt/layout.h"
#include "pdb/msf.h"
#include "pdb/tpi.h"

static struct isf *open_corpus_isf(void)
{
    const char *dir = check_corpus_dir();
    if (!dir)
        return NULL;
    char path[1024];
    snprintf(path, sizeof(path),
             "%s/kernel/jpcert-windows-symbol-tables/ntkrnlmp.pdb/"
             "5278AFF86C341677D7D7835C85B7B844-1.json.xz",
             dir);
    if (access(path, R_OK) != 0)
        return NULL;
    struct isf *isf = NULL;
    CHECK_OK(isf_open(path, &isf));
    return isf;
}

TEST(nt_layout_builtin_19041_matches_isf)
{
    struct isf *isf = open_corpus_isf();
    if (!isf) {
        check_skip("corpus ISF not present");
        return;
    }
    unsigned checked = 0;
    for (unsigned i = 0; i < NT_FIELD_COUNT; i++) {
        enum nt_field f = (enum nt_field)i;
        struct nt_layout_hit b, h;
        if (!nt_layout_builtin(DD_CPU_X64, 19041, f, &b))
            continue;
        struct dd_error *err = nt_layout_isf_lookup(isf, nt_field_path(f), &h);
        if (err) {
            check_fail(__FILE__, __LINE__, "%s: %s", nt_field_path(f), err->message);
            dd_error_destroy(err);
            continue;
        }
        if (b.offset != h.offset || (b.width && b.width != h.width) || b.bit_pos != h.bit_pos ||
            b.bit_len != h.bit_len)
            check_fail(__FILE__, __LINE__,
                       "%s: built-in 0x%llx/%llu/%u:%u, ISF 0x%llx/%llu/%u:%u", nt_field_path(f),
                       (unsigned long long)b.offset, (unsigned long long)b.width, b.bit_pos,
                       b.bit_len, (unsigned long long)h.offset, (unsigned long long)h.width,
                       h.bit_pos, h.bit_len);
        checked++;
    }
    CHECK(checked >= 60);
    /* The whole-build table applies to 19041-19045 only; other builds keep the stable rows. */
    struct nt_layout_hit h;
    CHECK(nt_layout_builtin(DD_CPU_X64, 19045, NT_EPROCESS_PEB, &h));
    CHECK(!nt_layout_builtin(DD_CPU_X64, 22621, NT_EPROCESS_PEB, &h));
    CHECK(nt_layout_builtin(DD_CPU_X64, 22621, NT_KPRCB_CURRENT_THREAD, &h));
    CHECK(nt_layout_builtin(DD_CPU_X86, 7600, NT_LDR_BASE_DLL_NAME, &h));
    CHECK_EQ(h.offset, 0x2c);
    isf_destroy(isf);
}

TEST(nt_layout_resolve_order)
{
    struct isf *isf = open_corpus_isf();
    const char *dir = check_corpus_dir();
    if (!isf || !dir) {
        isf_destroy(isf);
        check_skip("corpus not present");
        return;
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/kernel/rizin-testbins/triage_x64.dmp", dir);
    struct dd_mapfile m;
    CHECK_OK(dd_mapfile_open(path, &m));
    struct kdbg k;
    CHECK_OK(kdbg_decode(m.data + 0x104a8, 0x380, &k));

    /* KDBG alone, unknown build: its offsets agree with the ISF; the rest stays unknown except
     * the pointer-size stable rows. */
    struct nt_layout_sources src = {.kdbg = &k, .cpu = DD_CPU_X64, .build = 0};
    struct nt_layout l;
    nt_layout_resolve(&src, &l);
    CHECK_EQ(l.ptr_size, 8);
    static const enum nt_field from_kdbg[] = {
        NT_EPROCESS_SIZE,          NT_EPROCESS_DIRECTORY_TABLE_BASE, NT_EPROCESS_PEB,
        NT_EPROCESS_INHERITED_FROM_UNIQUE_PROCESS_ID, NT_ETHREAD_SIZE, NT_KTHREAD_TEB,
        NT_KTHREAD_KERNEL_STACK,   NT_KTHREAD_INITIAL_STACK,         NT_KTHREAD_STACK_LIMIT,
        NT_KTHREAD_STACK_BASE,     NT_KTHREAD_STATE,                 NT_KTHREAD_WAIT_REASON,
        NT_KTHREAD_APC_STATE_PROCESS, NT_KTHREAD_NEXT_PROCESSOR,     NT_KPRCB_SIZE,
        NT_KPRCB_CURRENT_THREAD,   NT_KPRCB_IDLE_THREAD,             NT_KPRCB_NUMBER,
        NT_KPRCB_MHZ,              NT_KPRCB_CONTEXT_FRAME,           NT_KPRCB_CONTEXT,
        NT_KPCR_PRCB,              NT_KPCR_SELF,                     NT_KPCR_CURRENT_PRCB,
    };
    for (size_t i = 0; i < sizeof(from_kdbg) / sizeof(from_kdbg[0]); i++) {
        enum nt_field f = from_kdbg[i];
        struct nt_layout_hit h;
        CHECK_OK(nt_layout_isf_lookup(isf, nt_field_path(f), &h));
        if (l.off[f] != h.offset || l.source[f] != NT_SOURCE_KDBG)
            check_fail(__FILE__, __LINE__, "%s: KDBG gives 0x%x (%s), ISF 0x%llx",
                       nt_field_path(f), l.off[f], nt_layout_source_name(l.source[f]),
                       (unsigned long long)h.offset);
    }
    CHECK(!nt_layout_has(&l, NT_EPROCESS_UNIQUE_PROCESS_ID));
    CHECK(nt_layout_has(&l, NT_LDR_BASE_DLL_NAME));
    CHECK_EQ(l.source[NT_LDR_BASE_DLL_NAME], NT_SOURCE_BUILTIN);

    /* With the build known, the built-in table fills the gaps. */
    src.build = 19041;
    nt_layout_resolve(&src, &l);
    CHECK_EQ(l.off[NT_EPROCESS_UNIQUE_PROCESS_ID], 0x440);
    CHECK_EQ(l.source[NT_EPROCESS_UNIQUE_PROCESS_ID], NT_SOURCE_BUILTIN);
    CHECK_EQ(l.source[NT_KTHREAD_TEB], NT_SOURCE_KDBG);

    /* With the ISF, it wins over both; fields it lacks fall through. */
    src.isf = isf;
    nt_layout_resolve(&src, &l);
    CHECK_EQ(l.source[NT_KTHREAD_TEB], NT_SOURCE_ISF);
    CHECK_EQ(l.off[NT_KTHREAD_TEB], 0xf0);
    CHECK_EQ(l.source[NT_KTHREAD_ALERTABLE], NT_SOURCE_ISF);
    CHECK_EQ(l.bit_pos[NT_KTHREAD_ALERTABLE], 4);
    CHECK_EQ(l.bit_len[NT_KTHREAD_ALERTABLE], 1);
    CHECK_EQ(l.width[NT_EPROCESS_SIZE], 2624);
    CHECK(!nt_layout_has(&l, NT_HANDLE_TABLE_HANDLE_COUNT)); /* gone since Windows 8.1 */
    /* The KLDR entry is not in this ISF; the stable built-in row supplies it. */
    CHECK_EQ(l.off[NT_LDR_DLL_BASE], 0x30);

    /* Nothing at all: only the stable rows. */
    struct nt_layout_sources none = {.cpu = DD_CPU_X64};
    nt_layout_resolve(&none, &l);
    CHECK(!nt_layout_has(&l, NT_EPROCESS_PEB));
    CHECK_EQ(l.off[NT_KPCR_PRCB], 0x180);
    dd_mapfile_close(&m);
    isf_destroy(isf);
}

TEST(nt_layout_pdb_matches_isf)
{
    struct isf *isf = open_corpus_isf();
    const char *dir = check_corpus_dir();
    if (!isf || !dir) {
        isf_destroy(isf);
        check_skip("corpus not present");
        return;
    }
    char path[1024];
    snprintf(path, sizeof(path),
             "%s/kernel/rizin-test-pdb-repository/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/"
             "amdppm.pdb",
             dir);
    struct msf_file *msf = NULL;
    struct pdb_types *types = NULL;
    CHECK_OK(msf_open_file(path, &msf));
    if (msf)
        CHECK_OK(pdb_types_open(msf, PDB_TYPES_TPI, &types));
    if (!types) {
        msf_destroy(msf);
        isf_destroy(isf);
        return;
    }
    /* Kernel types amdppm.pdb carries, including nested members and bitfields. */
    static const char *const paths[] = {
        "_KDPC",
        "_KAPC.Thread",
        "_DISPATCHER_HEADER.SignalState",
        "_DISPATCHER_HEADER.Absolute",
        "_DEVICE_OBJECT.DriverObject",
        "_IRP.Tail.Overlay.Thread",
        "_IO_STACK_LOCATION.Parameters.DeviceIoControl.IoControlCode",
        "_NoSuchType.X|_KAPC.ApcMode",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct nt_layout_hit p, h;
        struct dd_error *err = nt_layout_pdb_lookup(types, paths[i], &p);
        if (err) {
            check_fail(__FILE__, __LINE__, "%s: %s", paths[i], err->message);
            dd_error_destroy(err);
            continue;
        }
        CHECK_OK(nt_layout_isf_lookup(isf, paths[i], &h));
        if (p.offset != h.offset || p.width != h.width || p.bit_pos != h.bit_pos ||
            p.bit_len != h.bit_len)
            check_fail(__FILE__, __LINE__, "%s: PDB 0x%llx/%llu/%u:%u, ISF 0x%llx/%llu/%u:%u",
                       paths[i], (unsigned long long)p.offset, (unsigned long long)p.width,
                       p.bit_pos, p.bit_len, (unsigned long long)h.offset,
                       (unsigned long long)h.width, h.bit_pos, h.bit_len);
    }
    struct nt_layout_hit p;
    struct dd_error *err = nt_layout_pdb_lookup(types, "_KAPC.NoSuchMember", &p);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    err = nt_layout_pdb_lookup(types, "_KAPC.Thread.Header", &p); /* through a pointer */
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    /* A resolve with the PDB prefers it for what it has. */
    struct nt_layout_sources src = {.pdb = types, .isf = isf, .cpu = DD_CPU_X64, .build = 19041};
    struct nt_layout l;
    nt_layout_resolve(&src, &l);
    CHECK_EQ(l.source[NT_EPROCESS_PEB], NT_SOURCE_ISF); /* amdppm has no _EPROCESS */
    pdb_types_destroy(types);
    msf_destroy(msf);
    isf_destroy(isf);
}

TEST(nt_layout_hand_made)
{
    struct nt_layout l;
    nt_layout_init(&l, 4);
    CHECK(!nt_layout_has(&l, NT_KTHREAD_TEB));
    nt_layout_set(&l, NT_KTHREAD_TEB, 0x88, 0);
    CHECK(nt_layout_has(&l, NT_KTHREAD_TEB));
    CHECK_EQ(l.width[NT_KTHREAD_TEB], 4);
    CHECK_STR(nt_layout_source_name(l.source[NT_KTHREAD_TEB]), "built-in");
    CHECK_STR(nt_field_path(NT_KTHREAD_APC_STATE_PROCESS), "_KTHREAD.ApcState.Process");
}
