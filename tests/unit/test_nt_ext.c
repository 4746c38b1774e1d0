/*
 * Tests of the kernel extension commands (src/ext/ext_kernel.c) through the dispatcher, on the
 * synthetic kernel of test_nt_fake.c (every value below is one its fixture wrote, printed in the
 * layout of WinDbg's !process/!thread/!pcr/!prcb/!irql transcripts quoted in ext_kernel.c) and on
 * the corpus triage dump's data blocks.
 */
#include <stdlib.h>

#include "check.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "test_nt_fake.h"

struct ext_fixture {
    struct nt_fake f;
    struct nt_fake_world w;
    struct session s;
    struct dd_strbuf out;
    struct dd_writer wr;
};

static void ext_fixture_init(struct ext_fixture *x)
{
    memset(x, 0, sizeof(*x));
    nt_fake_world_build(&x->f, &x->w);
    x->wr = dd_writer_strbuf(&x->out);
    session_init(&x->s, &x->f.t, &x->wr, "kernel.dmp");
}

static void ext_fixture_deinit(struct ext_fixture *x)
{
    session_deinit(&x->s);
    dd_strbuf_deinit(&x->out);
    nt_fake_deinit(&x->f);
}

static const char *run(struct ext_fixture *x, const char *line)
{
    dd_strbuf_reset(&x->out);
    cmd_execute_line(&x->s, line);
    return x->out.data ? x->out.data : "";
}

#define CHECK_HAS(text, needle)                                                                    \
    do {                                                                                           \
        const char *check_t_ = (text);                                                             \
        if (!strstr(check_t_, (needle)))                                                           \
            check_fail(__FILE__, __LINE__, "\"%s\" not in:\n%s", (needle), check_t_);              \
    } while (0)

TEST(nt_ext_process_all)
{
    struct ext_fixture x;
    ext_fixture_init(&x);
    CHECK_STR(run(&x, "!process 0 0"),
              "**** NT ACTIVE PROCESS DUMP ****\n"
              "PROCESS ffffa00000100000\n"
              "    SessionId: none  Cid: 0004    Peb: 00000000  ParentCid: 0000\n"
              "    DirBase: 001aa000  ObjectTable: ffffb00000001000  HandleCount: <Data Not "
              "Accessible>\n"
              "    Image: System\n"
              "\n"
              "PROCESS ffffa00000101000\n"
              "    SessionId: none  Cid: 0124    Peb: 7ff7809df000  ParentCid: 0004\n"
              "    DirBase: 100595000  ObjectTable: ffffb00000001100  HandleCount: <Data Not "
              "Accessible>\n"
              "    Image: smss.exe\n"
              "\n"
              "PROCESS ffffa00000102000\n"
              "    SessionId: 1  Cid: 0910    Peb: 7ff669b8e000  ParentCid: 0a98\n"
              "    DirBase: 3fdba000  ObjectTable: ffffb00000001200  HandleCount: <Data Not "
              "Accessible>\n"
              "    Image: explorer.exe\n"
              "\n");
    /* The kernel's type sources were looked for once and are kept for the next commands. */
    CHECK(x.s.ext_state != NULL);
    void *kept = x.s.ext_state;
    CHECK_STR(run(&x, "!process 0 0 SMSS.EXE"),
              "**** NT ACTIVE PROCESS DUMP ****\n"
              "PROCESS ffffa00000101000\n"
              "    SessionId: none  Cid: 0124    Peb: 7ff7809df000  ParentCid: 0004\n"
              "    DirBase: 100595000  ObjectTable: ffffb00000001100  HandleCount: <Data Not "
              "Accessible>\n"
              "    Image: smss.exe\n"
              "\n");
    CHECK_STR(run(&x, "!process 910 0"),
              "Searching for Process with Cid == 910\n"
              "PROCESS ffffa00000102000\n"
              "    SessionId: 1  Cid: 0910    Peb: 7ff669b8e000  ParentCid: 0a98\n"
              "    DirBase: 3fdba000  ObjectTable: ffffb00000001200  HandleCount: <Data Not "
              "Accessible>\n"
              "    Image: explorer.exe\n"
              "\n");
    CHECK(x.s.ext_state == kept);
    ext_fixture_deinit(&x);
}

TEST(nt_ext_process_threads)
{
    struct ext_fixture x;
    ext_fixture_init(&x);
    CHECK_STR(run(&x, "!process ffffa00000101000 2"),
              "PROCESS ffffa00000101000\n"
              "    SessionId: none  Cid: 0124    Peb: 7ff7809df000  ParentCid: 0004\n"
              "    DirBase: 100595000  ObjectTable: ffffb00000001100  HandleCount: <Data Not "
              "Accessible>\n"
              "    Image: smss.exe\n"
              "\n"
              "        THREAD ffffa00000202000  Cid 0124.0128  Teb: 00007ff7809e0000 Win32Thread: "
              "0000000000000000 WAIT: (UserRequest) UserMode Alertable\n"
              "        Owning Process            ffffa00000101000       Image:         smss.exe\n"
              "        Attached Process          N/A            Image:         N/A\n"
              "        Wait Start TickCount      38053\n"
              "        Context Switch Count      1567           IdealProcessor: 0\n"
              "        Win32 Start Address 0xfffff80000c06fb2\n"
              "        Stack Init ffffa00000417c90 Current ffffa00000410000\n"
              "        Base ffffa00000418000 Limit ffffa00000412000 Call 0000000000000000\n"
              "        Priority 8 BasePriority 8 PriorityDecrement 0 IoPriority 2 PagePriority 5\n"
              "\n"
              "\n");
    /* Flag 4 alone: one line per thread. */
    const char *out = run(&x, "!process ffffa00000100000 4");
    CHECK_HAS(out, "        THREAD ffffa00000200000  Cid 0004.000c  Teb: 0000000000000000 "
                   "Win32Thread: 0000000000000000 WAIT: (WrQueue) KernelMode Non-Alertable\n"
                   "        THREAD ffffa00000201000  Cid 0004.0010  Teb: 0000000000000000 "
                   "Win32Thread: 0000000000000000 RUNNING on processor 0\n");
    CHECK(strstr(out, "Owning Process") == NULL);
    /* No argument: the current processor's thread's process (System). */
    CHECK_HAS(run(&x, "!process"), "    Image: System\n");
    ext_fixture_deinit(&x);
}

TEST(nt_ext_thread)
{
    struct ext_fixture x;
    ext_fixture_init(&x);
    /* Flags 2: the details without the stack. */
    CHECK_STR(run(&x, "!thread -1 2"),
              "THREAD ffffa00000201000  Cid 0004.0010  Teb: 0000000000000000 Win32Thread: "
              "0000000000000000 RUNNING on processor 0\n"
              "Owning Process            ffffa00000100000       Image:         System\n"
              "Attached Process          N/A            Image:         N/A\n"
              "Wait Start TickCount      38053\n"
              "Context Switch Count      1566           IdealProcessor: 0\n"
              "Win32 Start Address 0xfffff80000c06fb1\n"
              "Stack Init ffffa0000040fc90 Current ffffa00000408000\n"
              "Base ffffa00000410000 Limit ffffa0000040a000 Call 0000000000000000\n"
              "Priority 12 BasePriority 12 PriorityDecrement 0 IoPriority 2 PagePriority 5\n");
    /* The default flags (6) add the stack, from processor 0's ContextFrame (rsp ...791f00,
     * rip ...c05a80); the fake target holds no stack memory. */
    const char *out = run(&x, "!thread");
    CHECK_HAS(out, "Priority 12 BasePriority 12 PriorityDecrement 0 IoPriority 2 PagePriority 5\n"
                   "Child-SP          RetAddr               : Args to Child");
    CHECK_HAS(out, "\nfffff800`00791f00 ");
    CHECK_HAS(out, " : 0xfffff800`00c05a80\n");
    CHECK_HAS(run(&x, "!thread ffffa00000200000"),
              "THREAD ffffa00000200000  Cid 0004.000c  Teb: 0000000000000000 Win32Thread: "
              "0000000000000000 WAIT: (WrQueue) KernelMode Non-Alertable\n");
    ext_fixture_deinit(&x);
}

TEST(nt_ext_pcr_prcb_irql)
{
    struct ext_fixture x;
    ext_fixture_init(&x);
    CHECK_STR(run(&x, "!pcr"),
              "KPCR for Processor 0 at fffff80000700000:\n"
              "    Major 1 Minor 1\n"
              "\tNtTib.ExceptionList: 0000000000000000\n"
              "\t    NtTib.StackBase: ffffa00000406000\n"
              "\t   NtTib.StackLimit: 0000000000000000\n"
              "\t NtTib.SubSystemTib: fffff80000700000\n"
              "\t      NtTib.Version: 0000000000700180\n"
              "\t  NtTib.UserPointer: 0000000000000000\n"
              "\t      NtTib.SelfTib: 0000000000000000\n"
              "\n"
              "\t            SelfPcr: 0000000000000000\n"
              "\t               Prcb: fffff80000700180\n"
              "\t               Irql: 0000000000000000\n"
              "\t                IRR: 0000000000000000\n"
              "\t                IDR: 0000000000000000\n"
              "\t      InterruptMode: 0000000000000000\n"
              "\t                IDT: 0000000000000000\n"
              "\t                GDT: 0000000000000000\n"
              "\t                TSS: 0000000000000000\n"
              "\n"
              "\t      CurrentThread: ffffa00000201000\n"
              "\t         NextThread: 0000000000000000\n"
              "\t         IdleThread: fffff80000790000\n");
    CHECK_STR(run(&x, "!prcb"),
              "PRCB for Processor 0 at fffff80000700180:\n"
              "Current IRQL -- 2\n"
              "Threads--  Current ffffa00000201000 Next 0000000000000000 Idle fffff80000790000\n"
              "Processor Index 0 Number (0, 0) GroupSetMember 1\n"
              "Interrupt Count -- 00002a8b\n"
              "Times -- Dpc    00000012 Interrupt 00000004 \n"
              "         Kernel 00006a3a User      00000086 \n");
    CHECK_HAS(run(&x, "!prcb 1"), "Processor Index 1 Number (0, 1) GroupSetMember 2\n");
    CHECK_STR(run(&x, "!irql"), "Debugger saved IRQL for processor 0x0 -- 2 (DISPATCH_LEVEL)\n");
    CHECK_STR(run(&x, "!irql 1"), "Debugger saved IRQL for processor 0x1 -- 0 (LOW_LEVEL)\n");
    CHECK_STR(run(&x, "!irql 5"), "Cannot get PRCB address\n");
    ext_fixture_deinit(&x);
}

TEST(nt_ext_broken_list_reported)
{
    struct ext_fixture x;
    ext_fixture_init(&x);
    /* explorer.exe's Flink loops back to System: three processes, then the report. */
    nt_put64(x.w.eproc[2] + 0x448, FK_EPROC(0) + 0x448);
    const char *out = run(&x, "!process 0 0");
    CHECK_HAS(out, "    Image: explorer.exe\n\n*** process list: list loops: the Flink at "
                   "ffffa000`00102448 points back to entry ffffa000`00100448 (after 3 entries)\n");
    ext_fixture_deinit(&x);
}

TEST(nt_ext_user_dump_refuses)
{
    struct ext_fixture x;
    ext_fixture_init(&x);
    x.f.t.kind = TARGET_USER_MINI;
    CHECK_STR(run(&x, "!process 0 0"),
              "!process needs a kernel-mode target; this is a user-mode dump\n");
    CHECK_STR(run(&x, "!thread"), "!thread needs a kernel-mode target; this is a user-mode dump\n");
    CHECK_STR(run(&x, "!pcr"), "!pcr needs a kernel-mode target; this is a user-mode dump\n");
    ext_fixture_deinit(&x);
}

TEST(nt_ext_triage_dump)
{
    struct nt_fake f;
    if (!nt_fake_from_triage(&f)) {
        nt_fake_deinit(&f);
        check_skip("corpus triage dump not present");
        return;
    }
    struct dd_strbuf out = {0};
    struct dd_writer wr = dd_writer_strbuf(&out);
    struct session s;
    session_init(&s, &f.t, &wr, "triage_x64.dmp");
    cmd_execute_line(&s, "!process 0 0");
    const char *o = out.data ? out.data : "";
    /* System: pid 4, the header's DirectoryTableBase 0x1ad000 (MANIFEST), no session. */
    CHECK_HAS(o, "**** NT ACTIVE PROCESS DUMP ****\nPROCESS ffffc08bdce94180\n"
                 "    SessionId: none  Cid: 0004    Peb: 00000000  ParentCid: 0000\n"
                 "    DirBase: 001ad000  ");
    CHECK_HAS(o, "    Image: System\n");
    dd_strbuf_reset(&out);
    cmd_execute_line(&s, "!irql; !prcb; !thread");
    o = out.data ? out.data : "";
    CHECK_HAS(o, "PRCB for Processor 0 at fffff804782d4180:\n");
    session_deinit(&s);
    dd_strbuf_deinit(&out);
    nt_fake_deinit(&f);
}

TEST(nt_ext_triage_dump_via_reader)
{
    /* The same dump through the kernel dump reader, when it recognises it. */
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not present");
        return;
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/kernel/rizin-testbins/triage_x64.dmp", dir);
    struct target *t = NULL;
    struct dd_error *err = target_open(path, &t);
    if (err || t->kind != TARGET_KERNEL) {
        dd_error_destroy(err);
        target_destroy(t);
        check_skip("no kernel dump reader for triage_x64.dmp in this build");
        return;
    }
    struct dd_strbuf out = {0};
    struct dd_writer wr = dd_writer_strbuf(&out);
    struct session s;
    session_init(&s, t, &wr, path);
    cmd_execute_line(&s, "!process 0 0 system");
    /* MANIFEST.md: System is pid 4 and the header's DirectoryTableBase is 0x1AD000. */
    CHECK_HAS(out.data ? out.data : "",
              "**** NT ACTIVE PROCESS DUMP ****\nPROCESS ffffc08bdce94180\n"
              "    SessionId: none  Cid: 0004    Peb: 00000000  ParentCid: 0000\n"
              "    DirBase: 001ad000  ");
    dd_strbuf_reset(&out);
    /* 16 processors: processor 0xf answers, 0x10 does not. */
    cmd_execute_line(&s, "!prcb f; !irql 10");
    CHECK_HAS(out.data ? out.data : "", "PRCB for Processor 15 at ");
    CHECK_HAS(out.data ? out.data : "", "Cannot get PRCB address\n");
    session_deinit(&s);
    dd_strbuf_deinit(&out);
    target_destroy(t);
}
