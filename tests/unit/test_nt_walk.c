/*
 * Tests of the kernel walkers (src/nt/kernel.c, kmodules.c, kprocess.c, kthread.c, kprcb.c) over
 * the synthetic kernel of test_nt_fake.c, whose every value this file's fixture wrote, and over
 * the corpus triage dump's data blocks (System at pid 4, a 16-processor PRCB table, five processes
 * on PsActiveProcessHead with only their list links captured: facts read from the file itself).
 */
#include <stdlib.h>

#include "check.h"
#include "nt/kernel.h"
#include "nt/kmodules.h"
#include "nt/kprcb.h"
#include "nt/kprocess.h"
#include "nt/kthread.h"
#include "test_nt_fake.h"

TEST(nt_kernel_needs_kernel_target)
{
    struct nt_fake f;
    nt_fake_init(&f, DD_CPU_X64, 19041);
    f.t.kind = TARGET_USER_MINI;
    struct nt_kernel k;
    struct dd_error *err = nt_kernel_init(&f.t, NULL, &k);
    CHECK(err && err->code == DD_ERR_UNSUPPORTED);
    dd_error_destroy(err);
    nt_fake_deinit(&f);
}

TEST(nt_kernel_world_basics)
{
    struct nt_fake f;
    struct nt_fake_world w;
    nt_fake_world_build(&f, &w);
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, NULL, &k));
    CHECK_EQ(k.kdbg_origin, NT_KDBG_HEADER);
    CHECK_EQ(k.kdbg_addr, FK_KDBG);
    CHECK_EQ(k.kern_base, FK_IMAGE(0));
    CHECK_EQ(k.ps_active_process_head, FK_PROC_HEAD);
    CHECK_EQ(k.ps_loaded_module_list, FK_MOD_HEAD);
    CHECK_EQ(k.ki_processor_block, FK_KPB);
    CHECK_EQ(k.ptr_size, 8);

    struct nt_process_list pl = {0};
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.count, 3);
    CHECK_EQ(pl.status.end, NT_LIST_END_HEAD);
    if (pl.count == 3) {
        CHECK_EQ(pl.items[0].eprocess, FK_EPROC(0));
        CHECK_EQ(pl.items[0].pid, 4);
        CHECK_STR(pl.items[0].image_name, "System");
        CHECK_EQ(pl.items[1].parent_pid, 4);
        CHECK_EQ(pl.items[1].dtb, 0x100595000ULL);
        CHECK_EQ(pl.items[1].peb, 0x7ff7809df000ULL);
        CHECK(!(pl.items[1].have & NT_PROC_SESSION_ID));
        CHECK_EQ(pl.items[1].session, 0);
        CHECK_STR(pl.items[2].image_name, "explorer.exe");
        CHECK(pl.items[2].have & NT_PROC_SESSION_ID);
        CHECK_EQ(pl.items[2].session_id, 1);
        CHECK(!(pl.items[2].have & NT_PROC_HANDLE_COUNT)); /* no HandleCount in 19041 */
        CHECK(nt_process_list_find_pid(&pl, 0x910) == &pl.items[2]);
        CHECK(nt_process_list_find_pid(&pl, 0x911) == NULL);
    }
    nt_process_list_free(&pl);

    struct nt_thread_list tl = {0};
    CHECK_OK(nt_threads_list(&k, FK_EPROC(0), &tl));
    CHECK_EQ(tl.count, 2);
    CHECK_EQ(tl.status.end, NT_LIST_END_HEAD);
    if (tl.count == 2) {
        const struct nt_thread *t0 = &tl.items[0];
        CHECK_EQ(t0->ethread, FK_ETHREAD(0));
        CHECK_EQ(t0->pid, 4);
        CHECK_EQ(t0->tid, 0xc);
        CHECK_EQ(t0->state, NT_THREAD_WAITING);
        CHECK_STR(nt_wait_reason_name(t0->wait_reason), "WrQueue");
        CHECK_EQ(t0->wait_mode, 0);
        CHECK(!t0->alertable);
        CHECK_EQ(t0->kernel_stack, FK_STACK(0));
        CHECK_EQ(t0->stack_base, FK_STACK(0) + 0x8000);
        CHECK_EQ(t0->process, FK_EPROC(0));
        CHECK_EQ(t0->io_priority, 2);
        CHECK_EQ(t0->page_priority, 5);
        CHECK_EQ(tl.items[1].state, NT_THREAD_RUNNING);
        struct regset rs;
        CHECK_OK(nt_thread_switch_context(&k, t0, &rs));
        CHECK_EQ(regset_slot(&rs, rs.arch->pc_slot), 0xfffff80000c01234ULL);
        CHECK_EQ(regset_slot(&rs, rs.arch->sp_slot), FK_STACK(0) + 0x40);
        CHECK_EQ(regset_slot(&rs, rs.arch->fp_slot), 0xffffa00000401111ULL);
        /* The running thread's registers are its processor's saved context. */
        CHECK_OK(nt_thread_context(&k, &tl.items[1], &rs));
        CHECK_EQ(regset_slot(&rs, rs.arch->pc_slot), 0xfffff80000c05a80ULL);
        CHECK_EQ(regset_slot(&rs, rs.arch->sp_slot), 0xfffff80000791f00ULL);
    }
    nt_thread_list_free(&tl);

    CHECK_OK(nt_threads_list(&k, FK_EPROC(2), &tl));
    CHECK_EQ(tl.count, 0);
    CHECK_EQ(tl.status.end, NT_LIST_END_HEAD);
    nt_thread_list_free(&tl);

    struct nt_thread th;
    CHECK_OK(nt_thread_read(&k, FK_ETHREAD(2), &th));
    CHECK_EQ(th.teb, 0x7ff7809e0000ULL);
    CHECK(th.alertable);
    CHECK_EQ(th.wait_mode, 1);
    CHECK_STR(nt_wait_reason_name(th.wait_reason), "UserRequest");
    CHECK(nt_wait_reason_name(200) == NULL);

    struct nt_kmodule_list ml = {0};
    CHECK_OK(nt_kmodules_list(&k, &ml));
    CHECK_EQ(ml.count, 2);
    if (ml.count == 2) {
        CHECK_STR(ml.items[0].name, "ntoskrnl.exe");
        CHECK_STR(ml.items[0].path, "\\SystemRoot\\system32\\ntoskrnl.exe");
        CHECK_EQ(ml.items[0].base, FK_IMAGE(0));
        CHECK_EQ(ml.items[0].size, 0x1046000);
        CHECK(ml.items[0].has_header);
        CHECK_EQ(ml.items[0].timestamp, 0x0d8333e6);
        CHECK_EQ(ml.items[0].checksum, 0x00a5f1c1);
        CHECK_STR(ml.items[1].name, "amdppm.sys");
        CHECK(!ml.items[1].has_header);
    }
    nt_kmodule_list_free(&ml);

    CHECK_EQ(nt_processor_count(&k), 2);
    struct nt_processor p;
    CHECK_OK(nt_processor_read(&k, 0, &p));
    CHECK_EQ(p.prcb, FK_PRCB(0));
    CHECK_EQ(p.pcr, FK_PCR(0));
    CHECK_EQ(p.current_thread, FK_ETHREAD(1));
    CHECK_EQ(p.idle_thread, FK_IDLE(0));
    CHECK_EQ(p.saved_irql, 2);
    CHECK_EQ(p.major_version, 1);
    CHECK_STR(p.vendor, "AuthenticAMD");
    struct regset rs;
    CHECK_OK(nt_processor_context(&k, &p, &rs));
    CHECK_EQ(regset_slot(&rs, rs.arch->pc_slot), 0xfffff80000c05a80ULL);
    CHECK_OK(nt_processor_read(&k, 1, &p));
    CHECK_EQ(p.group_set_member, 2);
    struct dd_error *err = nt_processor_read(&k, 2, &p);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    nt_fake_deinit(&f);
}

TEST(nt_kernel_process_list_loop)
{
    struct nt_fake f;
    struct nt_fake_world w;
    nt_fake_world_build(&f, &w);
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, NULL, &k));
    uint32_t apl = k.layout.off[NT_EPROCESS_ACTIVE_PROCESS_LINKS];
    /* explorer.exe's Flink points back at smss.exe: the walk must stop, not spin. */
    nt_put64(w.eproc[2] + apl, FK_EPROC(1) + apl);
    struct nt_process_list pl = {0};
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.count, 3);
    CHECK_EQ(pl.status.end, NT_LIST_END_LOOP);
    CHECK_EQ(pl.status.at, FK_EPROC(2) + apl);
    CHECK_EQ(pl.status.value, FK_EPROC(1) + apl);
    char msg[256];
    nt_list_status_format(&pl.status, 8, msg, sizeof(msg));
    CHECK(strstr(msg, "loops") != NULL);
    nt_process_list_free(&pl);
    /* A self-loop on the first entry. */
    nt_put64(w.eproc[0] + apl, FK_EPROC(0) + apl);
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.count, 1);
    CHECK_EQ(pl.status.end, NT_LIST_END_LOOP);
    nt_process_list_free(&pl);
    nt_fake_deinit(&f);
}

TEST(nt_kernel_process_list_broken)
{
    struct nt_fake f;
    struct nt_fake_world w;
    nt_fake_world_build(&f, &w);
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, NULL, &k));
    uint32_t apl = k.layout.off[NT_EPROCESS_ACTIVE_PROCESS_LINKS];
    /* A NULL Flink. */
    nt_put64(w.eproc[1] + apl, 0);
    struct nt_process_list pl = {0};
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.count, 2);
    CHECK_EQ(pl.status.end, NT_LIST_END_BAD_LINK);
    CHECK_EQ(pl.status.at, FK_EPROC(1) + apl);
    nt_process_list_free(&pl);
    /* A user-mode (non-kernel) Flink. */
    nt_put64(w.eproc[1] + apl, 0x7ff600001000ULL);
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.status.end, NT_LIST_END_BAD_LINK);
    CHECK_EQ(pl.status.value, 0x7ff600001000ULL);
    nt_process_list_free(&pl);
    /* A kernel address the dump does not hold: that entry is reported, then the walk stops. */
    uint64_t missing = 0xffffa00000900000ULL + apl;
    nt_put64(w.eproc[1] + apl, missing);
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.count, 3);
    CHECK_EQ(pl.status.end, NT_LIST_END_UNREADABLE);
    CHECK_EQ(pl.status.at, missing);
    if (pl.count == 3)
        CHECK_EQ(pl.items[2].have, 0);
    char msg[256];
    nt_list_status_format(&pl.status, 8, msg, sizeof(msg));
    CHECK(strstr(msg, "not in the dump") != NULL);
    nt_process_list_free(&pl);
    /* An unreadable head. */
    k.ps_active_process_head = 0xfffff80000900000ULL;
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.count, 0);
    CHECK_EQ(pl.status.end, NT_LIST_END_UNREADABLE);
    nt_process_list_free(&pl);
    nt_fake_deinit(&f);
}

static bool count_cb(void *ctx, uint64_t entry)
{
    (void)entry;
    (*(size_t *)ctx)++;
    return true;
}

static bool stop_cb(void *ctx, uint64_t entry)
{
    (void)ctx;
    (void)entry;
    return false;
}

TEST(nt_kernel_list_cap)
{
    /* A ring of 300 entries: a cap of 100 stops it and says so. */
    struct nt_fake f;
    nt_fake_init(&f, DD_CPU_X64, 19041);
    uint64_t head = 0xfffff80000100000ULL;
    uint8_t *ring = nt_fake_block(&f, head, 301 * 16);
    nt_fake_finish(&f);
    for (int i = 0; i <= 300; i++)
        nt_put64(ring + 16 * i, i == 300 ? head : head + 16 * (uint64_t)(i + 1));
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, NULL, &k));
    CHECK_EQ(k.kdbg_origin, NT_KDBG_NONE);
    size_t n = 0;
    struct nt_list_status st;
    nt_list_walk(&k, head, 100, count_cb, &n, &st);
    CHECK_EQ(n, 100);
    CHECK_EQ(st.end, NT_LIST_END_CAP);
    n = 0;
    nt_list_walk(&k, head, 0, count_cb, &n, &st);
    CHECK_EQ(n, 300);
    CHECK_EQ(st.end, NT_LIST_END_HEAD);
    nt_list_walk(&k, head, 0, stop_cb, NULL, &st);
    CHECK_EQ(st.end, NT_LIST_END_STOPPED);
    CHECK_EQ(st.count, 1);
    /* Misaligned links are rejected. */
    nt_put64(ring + 16 * 5, head + 16 * 6 + 3);
    nt_list_walk(&k, head, 0, count_cb, &n, &st);
    CHECK_EQ(st.end, NT_LIST_END_BAD_LINK);
    nt_fake_deinit(&f);
}

TEST(nt_kernel_missing_layout)
{
    /* An unknown build without KDBG offsets: the process walk says what is missing. */
    struct nt_fake f;
    struct nt_fake_world w;
    nt_fake_world_build(&f, &w);
    f.t.kernel.minor_version = 9600;
    f.t.sys.build_number = 9600;
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, NULL, &k));
    struct nt_process_list pl = {0};
    struct dd_error *err = nt_processes_list(&k, &pl);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    if (err)
        CHECK(strstr(err->message, "ActiveProcessLinks") != NULL);
    dd_error_destroy(err);
    /* The loader entry is stable, so modules still list. */
    struct nt_kmodule_list ml = {0};
    CHECK_OK(nt_kmodules_list(&k, &ml));
    CHECK_EQ(ml.count, 2);
    nt_kmodule_list_free(&ml);
    nt_fake_deinit(&f);
}

TEST(nt_kernel_triage_dump)
{
    struct nt_fake f;
    if (!nt_fake_from_triage(&f)) {
        nt_fake_deinit(&f);
        check_skip("corpus triage dump not present");
        return;
    }
    struct nt_kernel k;
    CHECK_OK(nt_kernel_init(&f.t, NULL, &k));
    CHECK_EQ(k.kdbg_origin, NT_KDBG_COPY);
    CHECK_EQ(k.kern_base, 0xfffff8047ba00000ULL);
    CHECK_EQ(k.ps_active_process_head, 0xfffff8047c61e200ULL);
    /* The dump holds PsActiveProcessHead and each EPROCESS's links; the ring closes. */
    struct nt_process_list pl = {0};
    CHECK_OK(nt_processes_list(&k, &pl));
    CHECK_EQ(pl.status.end, NT_LIST_END_HEAD);
    CHECK_EQ(pl.count, 5);
    if (pl.count >= 1) {
        CHECK_EQ(pl.items[0].pid, 4);
        CHECK(pl.items[0].have & NT_PROC_IMAGE_NAME);
        CHECK_STR(pl.items[0].image_name, "System");
        CHECK_EQ(pl.items[0].dtb, 0x1ad000); /* the header's DirectoryTableBase */
    }
    nt_process_list_free(&pl);
    /* 16 processors; processor 0's current thread is the faulting System thread. */
    CHECK_EQ(nt_processor_count(&k), 16);
    struct nt_processor p;
    CHECK_OK(nt_processor_read(&k, 0, &p));
    CHECK(p.have & NT_CPU_CURRENT_THREAD);
    struct nt_thread th;
    CHECK_OK(nt_thread_read(&k, p.current_thread, &th));
    CHECK_EQ(th.pid, 4);
    CHECK_EQ(th.state, NT_THREAD_RUNNING);
    struct nt_process sys;
    CHECK_OK(nt_process_read(&k, th.process, &sys));
    CHECK_STR(sys.image_name, "System");
    /* Its saved context is the bugcheck's: rip in nt (nt!KeBugCheckEx, per the MANIFEST). */
    struct regset rs;
    CHECK_OK(nt_processor_context(&k, &p, &rs));
    CHECK_EQ(regset_slot(&rs, rs.arch->pc_slot), 0xfffff8047bdf5a80ULL);
    for (uint32_t i = 1; i < 16; i++)
        CHECK_OK(nt_processor_read(&k, i, &p));
    nt_fake_deinit(&f);
}
