/*
 * Unit tests for the bug check parameter table (bugcheck_table.c), .bugcheck and the kernel
 * verdict of !analyze, over synthetic x64 kernel targets whose memory this file lays out by
 * the documented structures: EXCEPTION_RECORD64 (code 0x0, flags 0x4, address 0x10,
 * NumberParameters 0x18, ExceptionInformation 0x20), the AMD64 CONTEXT (ContextFlags 0x30,
 * SegCs 0x38, EFlags 0x44, Rax 0x78, Rcx 0x80, Rsp 0x98, Rip 0xf8; 0x4d0 bytes) and the x64
 * KTRAP_FRAME (Rax 0x30, Rcx 0x38, Rbp 0x158, Rip 0x168, SegCs 0x170, EFlags 0x178, Rsp
 * 0x180: ntkrnlmp's _KTRAP_FRAME in the corpus's ISF file). Every address and value below is
 * one this file put into the target; the expected hashes were computed independently with
 * Python (hashlib.md5 of UTF-16LE lowercase "km:" + bucket, printed with uuid.UUID(bytes_le)).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "analyze/analyze.h"
#include "analyze/bugcheck_table.h"
#include "analyze/error_names.h"
#include "cmd/command.h"
#include "cmd/session.h"

#define NT_BASE 0xfffff80000000000ULL
#define DRV_BASE 0xfffff80010000000ULL
#define FAULT_IP (DRV_BASE + 0x1234)
#define RECORD 0xffff800000001000ULL
#define CONTEXT_ADDR 0xffff800000002000ULL
#define TRAP 0xffff800000004000ULL
#define STACK 0xffff800000006000ULL

TEST(bugcheck_table_rows_are_named_sorted_and_complete)
{
    uint32_t prev = 0;
    size_t codes = 0;
    bool prev_sub = false;
    uint32_t prev_subcode = 0;
    for (size_t i = 0; i < bugcheck_table_count; i++) {
        const struct bugcheck_entry *e = &bugcheck_table[i];
        /* Every code has a name in error_table_bugchecks, and its base code too. */
        if (!bugcheck_name(e->code) || !bugcheck_name(e->base_code))
            check_fail(__FILE__, __LINE__, "bug check %#x has no name", e->code);
        CHECK(e->description && *e->description);
        /* Sorted: generic row first, then its subcode rows in increasing order. */
        if (i > 0) {
            CHECK(e->code >= prev);
            if (e->code == prev) {
                CHECK(e->has_subcode);
                CHECK(!prev_sub || e->subcode > prev_subcode);
            }
        }
        if (!e->has_subcode) {
            codes++;
            CHECK(bugcheck_table_find(e->code) == e);
        } else {
            CHECK(bugcheck_table_find(e->code) != NULL);
            CHECK(bugcheck_table_find_subcode(e->code, e->subcode) == e);
        }
        /* Four parameter slots, each role at most once. */
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
                CHECK(e->params[a].role == BUGCHECK_ROLE_NONE ||
                      e->params[a].role != e->params[b].role);
        prev = e->code;
        prev_sub = e->has_subcode;
        prev_subcode = e->subcode;
    }
    CHECK(codes >= 80);
    CHECK_EQ(sizeof(bugcheck_table[0].params) / sizeof(bugcheck_table[0].params[0]), 4);
}

TEST(bugcheck_table_common_codes)
{
    static const uint32_t common[] = {0x0A,  0x1A,  0x1E,  0x3B,  0x50,  0x7E,  0x7F,
                                      0x9F,  0xA0,  0xC2,  0xC4,  0xD1,  0xEF,  0x101,
                                      0x124, 0x133, 0x139, 0x13A, 0x154, 0x1000007E,
                                      0x1000008E};
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        const struct bugcheck_entry *e = bugcheck_table_find(common[i]);
        if (!e)
            check_fail(__FILE__, __LINE__, "bug check %#x is not in the table", common[i]);
        else
            CHECK(e->params[0].meaning != NULL);
    }
    /* 0x7E: P1 exception code, P2 faulting address, P3 exception record, P4 context record. */
    CHECK_EQ(bugcheck_role_param(0x7E, 0, BUGCHECK_ROLE_EXCEPTION_CODE), 0);
    CHECK_EQ(bugcheck_role_param(0x7E, 0, BUGCHECK_ROLE_FAULTING_IP), 1);
    CHECK_EQ(bugcheck_role_param(0x7E, 0, BUGCHECK_ROLE_EXCEPTION_RECORD), 2);
    CHECK_EQ(bugcheck_role_param(0x7E, 0, BUGCHECK_ROLE_CONTEXT_RECORD), 3);
    /* The _M variant shares them and is shown as its base code. */
    CHECK_EQ(bugcheck_role_param(0x1000007E, 0, BUGCHECK_ROLE_CONTEXT_RECORD), 3);
    CHECK_EQ(bugcheck_shown_code(0x1000007E), 0x7E);
    CHECK_EQ(bugcheck_shown_code(0x1000008E), 0x8E);
    CHECK_EQ(bugcheck_shown_code(0xD1), 0xD1);
    CHECK_STR(bugcheck_table_find(0x1000007E)->params[2].meaning,
              bugcheck_table_find(0x7E)->params[2].meaning);
    /* 0x8E and 0x139 name a trap frame, 0x3B a context record, 0xD1 the instruction. */
    CHECK_EQ(bugcheck_role_param(0x8E, 0, BUGCHECK_ROLE_TRAP_FRAME), 2);
    CHECK_EQ(bugcheck_role_param(0x139, 3, BUGCHECK_ROLE_TRAP_FRAME), 1);
    CHECK_EQ(bugcheck_role_param(0x139, 3, BUGCHECK_ROLE_EXCEPTION_RECORD), 2);
    CHECK_EQ(bugcheck_role_param(0x3B, 0, BUGCHECK_ROLE_CONTEXT_RECORD), 2);
    CHECK_EQ(bugcheck_role_param(0xD1, 0, BUGCHECK_ROLE_FAULTING_IP), 3);
    CHECK_EQ(bugcheck_role_param(0xD1, 0, BUGCHECK_ROLE_REFERENCED), 0);
    CHECK_EQ(bugcheck_role_param(0xEA, 0, BUGCHECK_ROLE_DRIVER_NAME), 2);
    CHECK_EQ(bugcheck_role_param(0x116, 0, BUGCHECK_ROLE_DRIVER_ADDRESS), 1);
    CHECK_EQ(bugcheck_role_param(0x1E, 0, BUGCHECK_ROLE_CONTEXT_RECORD), -1);
    /* Parameter-1 rows: 0x9F with 3 names the blocked IRP in P4, 0x133 with 0 the triage block. */
    CHECK_EQ(bugcheck_role_param(0x9F, 3, BUGCHECK_ROLE_IRP), 3);
    CHECK_EQ(bugcheck_role_param(0x9F, 4, BUGCHECK_ROLE_IRP), -1);
    CHECK(bugcheck_table_find_subcode(0x133, 0) != NULL);
    CHECK(bugcheck_table_find_subcode(0x133, 7) == NULL);
    CHECK(bugcheck_table_find(0x12345678) == NULL);
    /* Access encodings: 0xD1 0/1/8, 0x0A bits, 0x50's 0/2/10. */
    CHECK_EQ(bugcheck_access_decode(0), BUGCHECK_ACCESS_READ);
    CHECK_EQ(bugcheck_access_decode(1), BUGCHECK_ACCESS_WRITE);
    CHECK_EQ(bugcheck_access_decode(2), BUGCHECK_ACCESS_WRITE);
    CHECK_EQ(bugcheck_access_decode(8), BUGCHECK_ACCESS_EXECUTE);
    CHECK_EQ(bugcheck_access_decode(10), BUGCHECK_ACCESS_EXECUTE);
    CHECK_STR(bugcheck_role_name(BUGCHECK_ROLE_CONTEXT_RECORD), "context_record");
}

/*
 * Published kernel transcripts that print FAILURE_BUCKET_ID and FAILURE_ID_HASH: the hash is
 * MD5 over "km:" + bucket as the user-mode rule does with "um:" (one of them also prints
 * FAILURE_ID_HASH_STRING "km:av_ovsext!ovswaiteventioctl").
 */
TEST(bugcheck_kernel_hash_matches_transcripts)
{
    static const struct {
        const char *bucket, *hash;
    } cases[] = {
        /* YuYuanVTDebug Netr/analysis/071826-14109-01-analyze.txt (0x133) */
        {"0x133_DPC_nt!KeAccumulateTicks", "{88dc98ce-f842-4daa-98d0-858621db6b0f}"},
        /* openvswitch datapath-windows commit message (0x7E-style access violation) */
        {"AV_OVSExt!OvsWaitEventIoctl", "{07550bfb-c3b5-0412-b95d-f89a5c4671a9}"},
        /* a 0x7E (c0000005) triage dump of o2micro_sdhost.sys without symbols */
        {"AV_o2micro_sdhost!unknown_function", "{675c0c01-465e-ed53-efc7-4c82b345b89c}"},
        /* NotMyFault-style write-ups: 0xD1 execute of pageable code, 0xD1 write, no symbols */
        {"AV_CODE_AV_PAGED_IP_TestDriver!AccessPageableMemory",
         "{2463ca34-5d68-cb7c-6807-dd2087a41e36}"},
        {"AV_fileinfo!FIPfFileFSOpPostCreate", "{b4048e5d-9388-9a34-9958-ec36d87bbe12}"},
        {"AV_myfault!unknown_function", "{9745090a-9bce-ccba-c096-ca6e9ca04c64}"},
        /* 0x116 (display driver) and 0x9F with parameter 1 = 3 */
        {"0x116_IMAGE_nvlddmkm.sys", "{c89bfe8c-ed39-f658-ef27-f2898997fdbd}"},
        {"0x9F_3_RtsPer_IMAGE_pci.sys", "{ce555a86-e2a6-4bdd-cc96-f64b1a03e85a}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char hash[39];
        analyze_bucket_hash_prefixed("km:", cases[i].bucket, hash);
        CHECK_STR(hash, cases[i].hash);
    }
    /* The user-mode entry point still hashes "um:". */
    char um[39], prefixed[39];
    analyze_bucket_hash("X", um);
    analyze_bucket_hash_prefixed("um:", "X", prefixed);
    CHECK_STR(um, prefixed);
}

static struct dd_error *fake_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops fake_ops = {.read_virtual = fake_read};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

struct kfix {
    struct target t;
    struct target_module mods[2];
    struct target_thread thread;
    uint8_t thread_ctx[0x4d0];
    uint8_t record[0x98];
    uint8_t ctx[0x4d0];
    uint8_t trap[0x190];
    uint8_t code[0x40];  /* drv code around FAULT_IP */
    uint8_t stack[0x100];
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
};

/* An AMD64 CONTEXT with rip, rsp, rax, rcx (ContextFlags CONTROL|INTEGER|SEGMENTS). */
static void make_context(uint8_t *c, uint64_t rip, uint64_t rsp, uint64_t rax, uint64_t rcx)
{
    memset(c, 0, 0x4d0);
    put32(c + 0x30, 0x0010000f);
    put16(c + 0x38, 0x10);
    put16(c + 0x42, 0x18);
    put32(c + 0x44, 0x10246);
    put64(c + 0x78, rax);
    put64(c + 0x80, rcx);
    put64(c + 0x98, rsp);
    put64(c + 0xf8, rip);
}

/* A kernel target: bug check CODE with P, nt and mydrv loaded; THREAD adds one thread. */
static void kfix_init(struct kfix *f, uint32_t code, const uint64_t p[4], bool thread)
{
    memset(f, 0, sizeof(*f));
    f->t.ops = &fake_ops;
    f->t.kind = TARGET_KERNEL;
    f->t.sys.cpu = DD_CPU_X64;
    f->t.sys.major_version = 10;
    f->t.sys.build_number = 19041;
    f->t.sys.csd_version = "";
    f->t.kernel.bugcheck_code = code;
    memcpy(f->t.kernel.bugcheck_params, p, sizeof(f->t.kernel.bugcheck_params));
    f->mods[0] = (struct target_module){.base = NT_BASE,
                                        .size = 0x1000000,
                                        .path = "\\SystemRoot\\system32\\ntoskrnl.exe",
                                        .name = "nt"};
    f->mods[1] = (struct target_module){.base = DRV_BASE,
                                        .size = 0x10000,
                                        .path = "\\SystemRoot\\System32\\drivers\\mydrv.sys",
                                        .name = "mydrv"};
    f->t.modules = f->mods;
    f->t.nmodules = 2;
    if (thread) {
        make_context(f->thread_ctx, NT_BASE + 0x3f5a80, STACK, 0, code);
        f->thread = (struct target_thread){
            .tid = 0x13, .context = f->thread_ctx, .context_size = sizeof(f->thread_ctx)};
        f->t.threads = &f->thread;
        f->t.nthreads = 1;
    }
    /* EXCEPTION_RECORD64: an access violation reading 0x3a0 at FAULT_IP. */
    put32(f->record + 0x00, 0xc0000005u);
    put64(f->record + 0x10, FAULT_IP);
    put32(f->record + 0x18, 2);
    put64(f->record + 0x20, 0);
    put64(f->record + 0x28, 0x3a0);
    make_context(f->ctx, FAULT_IP, STACK + 0x40, 0x3a0, 0);
    /* KTRAP_FRAME: rip FAULT_IP, rsp STACK + 0x40, rax 7, rcx 0. */
    put64(f->trap + 0x30, 7);
    put64(f->trap + 0x168, FAULT_IP);
    put16(f->trap + 0x170, 0x10);
    put32(f->trap + 0x178, 0x10246);
    put64(f->trap + 0x180, STACK + 0x40);
    /* mov rax,qword ptr [rcx+rax] at FAULT_IP. */
    static const uint8_t insn[] = {0x48, 0x8b, 0x04, 0x01, 0xc3};
    memcpy(f->code + 0x34, insn, sizeof(insn));
    struct dd_memmap *m = &f->t.memory;
    dd_memmap_init(m);
    CHECK_OK(dd_memmap_add(m, RECORD, sizeof(f->record), f->record));
    CHECK_OK(dd_memmap_add(m, CONTEXT_ADDR, sizeof(f->ctx), f->ctx));
    CHECK_OK(dd_memmap_add(m, TRAP, sizeof(f->trap), f->trap));
    CHECK_OK(dd_memmap_add(m, FAULT_IP - 0x34, sizeof(f->code), f->code));
    CHECK_OK(dd_memmap_add(m, STACK, sizeof(f->stack), f->stack));
    CHECK_OK(dd_memmap_finish(m));
    f->w = dd_writer_strbuf(&f->out);
    session_init(&f->s, &f->t, &f->w, "kernel.dmp");
}

static void kfix_deinit(struct kfix *f)
{
    session_deinit(&f->s);
    dd_memmap_deinit(&f->t.memory);
    dd_strbuf_deinit(&f->out);
}

static const char *run(struct kfix *f, const char *line)
{
    dd_strbuf_reset(&f->out);
    cmd_execute_line(&f->s, line);
    return f->out.data ? f->out.data : "";
}

#define CHECK_HAS(text, needle)                                                                    \
    do {                                                                                           \
        const char *check_t_ = (text);                                                             \
        if (!strstr(check_t_, (needle)))                                                           \
            check_fail(__FILE__, __LINE__, "\"%s\" not in:\n%s", (needle), check_t_);              \
    } while (0)

#define CHECK_LACKS(text, needle)                                                                  \
    do {                                                                                           \
        const char *check_t_ = (text);                                                             \
        if (strstr(check_t_, (needle)))                                                            \
            check_fail(__FILE__, __LINE__, "\"%s\" unexpectedly in:\n%s", (needle), check_t_);     \
    } while (0)

static const uint64_t p7e[4] = {0xffffffffc0000005ULL, FAULT_IP, RECORD, CONTEXT_ADDR};

TEST(bugcheck_command)
{
    struct kfix f;
    kfix_init(&f, 0x1000007E, p7e, true);
    CHECK_STR(run(&f, ".bugcheck"),
              "Bugcheck code 1000007E\n"
              "Arguments ffffffff`c0000005 fffff800`10001234 ffff8000`00001000 ffff8000`00002000\n");
    kfix_deinit(&f);

    /* A user-mode target: the engine's "not in this session" answer. */
    kfix_init(&f, 0, p7e, false);
    f.t.kind = TARGET_USER_MINI;
    CHECK_STR(run(&f, ".bugcheck"),
              "       ^ Operation not supported in current debug session '.bugcheck'\n");
    kfix_deinit(&f);
}

TEST(bugcheck_analyze_7e_follows_record_and_context)
{
    struct kfix f;
    kfix_init(&f, 0x1000007E, p7e, true);
    const char *out = run(&f, "!analyze -v");
    CHECK_HAS(out, "*                        Bugcheck Analysis                                    *\n");
    CHECK_HAS(out, "\nSYSTEM_THREAD_EXCEPTION_NOT_HANDLED (7e)\n");
    CHECK_HAS(out, "Arguments:\nArg1: ffffffffc0000005, exception code that was not handled\n");
    CHECK_HAS(out, "Arg3: ffff800000001000, exception record address\n");
    CHECK_HAS(out, "Arg4: ffff800000002000, context record address\n");
    CHECK_HAS(out, "Debugging Details:\n------------------\n");
    CHECK_HAS(out, "    Key  : AV.Dereference\n    Value: NullClassPtr\n");
    CHECK_HAS(out, "    Key  : AV.Fault\n    Value: Read\n");
    CHECK_HAS(out, "    Key  : Bugcheck.Code.LegacyAPI\n    Value: 0x1000007e\n");
    CHECK_HAS(out, "BUGCHECK_CODE:  7e\n\nBUGCHECK_P1: ffffffffc0000005\n\n"
                   "BUGCHECK_P2: fffff80010001234\n\nBUGCHECK_P3: ffff800000001000\n\n"
                   "BUGCHECK_P4: ffff800000002000\n");
    CHECK_HAS(out, "FAULTING_IP: \nmydrv+1234\n"
                   "fffff800`10001234 488b0401        mov     rax,qword ptr [rcx+rax]\n");
    CHECK_HAS(out, "EXCEPTION_RECORD:  ffff800000001000 -- (.exr 0xffff800000001000)\n"
                   "ExceptionAddress: fffff80010001234 (mydrv+0x0000000000001234)\n"
                   "   ExceptionCode: c0000005 (Access violation)\n");
    CHECK_HAS(out, "Attempt to read from address 00000000000003a0\n");
    CHECK_HAS(out, "CONTEXT:  ffff800000002000 -- (.cxr 0xffff800000002000)\n");
    CHECK_HAS(out, "rax=00000000000003a0");
    CHECK_HAS(out, "rip=fffff80010001234 rsp=ffff800000006040");
    CHECK_HAS(out, "mydrv+0x1234:\nfffff800`10001234 488b0401        mov     rax,qword ptr "
                   "[rcx+rax]");
    CHECK_HAS(out, "Resetting default scope\n");
    CHECK_HAS(out, "READ_ADDRESS:  00000000000003a0 \n");
    CHECK_HAS(out, "EXCEPTION_CODE_STR:  c0000005\n\nEXCEPTION_PARAMETER1:  0000000000000000\n\n"
                   "EXCEPTION_PARAMETER2:  00000000000003a0\n\nEXCEPTION_STR:  0xc0000005\n");
    CHECK_HAS(out, "STACK_TEXT:  \nffff8000`00006040 ");
    CHECK_HAS(out, "SYMBOL_NAME:  mydrv+1234\n\nMODULE_NAME: mydrv\n\nIMAGE_NAME:  mydrv.sys\n");
    CHECK_HAS(out, "STACK_COMMAND:  .cxr 0xffff800000002000 ; kb\n");
    CHECK_HAS(out, "BUCKET_ID_FUNC_OFFSET:  1234\n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  AV_mydrv!unknown_function\n");
    CHECK_HAS(out, "OSPLATFORM_TYPE:  x64\n");
    CHECK_HAS(out, "FAILURE_ID_HASH:  {06d9efd5-023f-31fa-d3ab-a7e67144ee43}\n");
    CHECK_HAS(out, "Followup:     MachineOwner\n---------\n");
    CHECK_LACKS(out, "Exception Analysis");

    out = run(&f, "!analyze");
    CHECK_HAS(out, "Use !analyze -v to get detailed debugging information.\n\n"
                   "BugCheck 1000007E, {ffffffffc0000005, fffff80010001234, ffff800000001000, "
                   "ffff800000002000}\n\n"
                   "Probably caused by : mydrv.sys ( mydrv+1234 )\n");

    out = run(&f, "!analyze -json");
    CHECK_HAS(out, "\"bugcheck\":");
    CHECK_HAS(out, "\"code\":\t\"0x1000007e\"");
    CHECK_HAS(out, "\"name\":\t\"SYSTEM_THREAD_EXCEPTION_NOT_HANDLED\"");
    CHECK_HAS(out, "\"role\":\t\"context_record\"");
    CHECK_HAS(out, "\"context_record\":\t\"0xffff800000002000\"");
    CHECK_HAS(out, "\"registers_from\":\t\"context_record\"");
    CHECK_HAS(out, "\"bucket\":\t\"AV_mydrv!unknown_function\"");
    CHECK_HAS(out, "\"hash\":\t\"{06d9efd5-023f-31fa-d3ab-a7e67144ee43}\"");
    kfix_deinit(&f);
}

TEST(bugcheck_analyze_8e_trap_frame)
{
    struct kfix f;
    const uint64_t p[4] = {0xffffffffc0000094ULL, FAULT_IP, TRAP, 0};
    kfix_init(&f, 0x1000008E, p, true);
    const char *out = run(&f, "!analyze -v");
    CHECK_HAS(out, "KERNEL_MODE_EXCEPTION_NOT_HANDLED (8e)\n");
    CHECK_HAS(out, "Arg3: ffff800000004000, trap frame address\n");
    CHECK_HAS(out, "TRAP_FRAME:  ffff800000004000 -- (.trap 0xffff800000004000)\n"
                   "NOTE: The trap frame does not contain all registers.\n");
    CHECK_HAS(out, "rax=0000000000000007");
    CHECK_HAS(out, "rip=fffff80010001234 rsp=ffff800000006040");
    CHECK_HAS(out, "EXCEPTION_CODE_STR:  c0000094\n");
    CHECK_HAS(out, "STACK_COMMAND:  .trap 0xffff800000004000 ; kb\n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  0x8E_c0000094_mydrv!unknown_function\n");
    CHECK_HAS(out, "FAILURE_ID_HASH:  {51d25861-c4b3-e33c-4ff4-9acb2ef8d948}\n");
    kfix_deinit(&f);
}

TEST(bugcheck_analyze_memory_reference_without_stack)
{
    struct kfix f;
    /* 0xD1: a write to 0x10 at IRQL 2 by the instruction at FAULT_IP; no thread context. */
    const uint64_t p[4] = {0x10, 2, 1, FAULT_IP};
    kfix_init(&f, 0xD1, p, false);
    const char *out = run(&f, "!analyze -v");
    CHECK_HAS(out, "DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)\n");
    CHECK_HAS(out, "Arg1: 0000000000000010, memory address that was referenced\n");
    CHECK_HAS(out, "WRITE_ADDRESS:  0000000000000010 \n");
    CHECK_HAS(out, "CURRENT_IRQL:  2\n");
    CHECK_LACKS(out, "EXCEPTION_RECORD:");
    CHECK_HAS(out, "SYMBOL_NAME:  mydrv+1234\n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  AV_mydrv!unknown_function\n");
    kfix_deinit(&f);

    /* 0x50: a read of an invalid address: AV_R_INVALID_. */
    const uint64_t p50[4] = {0xffffb00000000000ULL, 0, FAULT_IP, 2};
    kfix_init(&f, 0x50, p50, false);
    out = run(&f, "!analyze -v");
    CHECK_HAS(out, "PAGE_FAULT_IN_NONPAGED_AREA (50)\n");
    CHECK_HAS(out, "READ_ADDRESS:  ffffb00000000000 \n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  AV_R_INVALID_mydrv!unknown_function\n");
    CHECK_HAS(out, "FAILURE_ID_HASH:  {3ed21919-d977-ae2d-0a24-ffd1137342df}\n");
    kfix_deinit(&f);
}

TEST(bugcheck_analyze_subcode_buckets)
{
    struct kfix f;
    /* 0x133 with parameter 1 = 0: the thread's own context in nt, no symbols. */
    const uint64_t p133[4] = {0, 0x501, 0x500, NT_BASE + 0x91d340};
    kfix_init(&f, 0x133, p133, true);
    const char *out = run(&f, "!analyze -v");
    CHECK_HAS(out, "DPC_WATCHDOG_VIOLATION (133)\n");
    CHECK_HAS(out, "Arg1: 0000000000000000, One DPC or ISR ran past its time allotment");
    CHECK_HAS(out, "Arg2: 0000000000000501, DPC time count, in ticks\n");
    CHECK_HAS(out, "STACK_COMMAND:  .cxr; .ecxr ; kb\n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  0x133_DPC_nt!unknown_function\n");
    CHECK_HAS(out, "FAILURE_ID_HASH:  {3c4b1afc-b125-0866-fedf-8f1636410bc3}\n");
    CHECK_HAS(out, "IMAGE_NAME:  ntoskrnl.exe\n");
    kfix_deinit(&f);

    /* 0x139 with FAST_FAIL_CORRUPT_LIST_ENTRY (3): trap frame in P2, record in P3. */
    const uint64_t p139[4] = {3, TRAP, RECORD, 0};
    kfix_init(&f, 0x139, p139, true);
    out = run(&f, "!analyze -v");
    CHECK_HAS(out, "KERNEL_SECURITY_CHECK_FAILURE (139)\n");
    CHECK_HAS(out, "TRAP_FRAME:  ffff800000004000 -- (.trap 0xffff800000004000)\n");
    CHECK_HAS(out, "EXCEPTION_RECORD:  ffff800000001000 -- (.exr 0xffff800000001000)\n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  0x139_3_CORRUPT_LIST_ENTRY_mydrv!unknown_function\n");
    CHECK_HAS(out, "FAILURE_ID_HASH:  {d9ab4bc2-2c53-5571-3836-98e64aa0b6bb}\n");
    kfix_deinit(&f);

    /* 0x116: the display driver P2 points into, by image name alone; the stack is kept. */
    const uint64_t p116[4] = {0xffff800000009000ULL, DRV_BASE + 0x5000, 0xffffffffc000009aULL, 4};
    kfix_init(&f, 0x116, p116, true);
    out = run(&f, "!analyze -v");
    CHECK_HAS(out, "VIDEO_TDR_FAILURE (116)\n");
    CHECK_HAS(out, "STACK_TEXT:  \n");
    CHECK_HAS(out, "SYMBOL_NAME:  mydrv+5000\n\nMODULE_NAME: mydrv\n\nIMAGE_NAME:  mydrv.sys\n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  0x116_IMAGE_mydrv.sys\n");
    CHECK_HAS(out, "FAILURE_ID_HASH:  {6675ad61-2e08-5148-aa17-47b852e2a983}\n");
    kfix_deinit(&f);

    /* An undocumented code still gets its name, Arg lines and a bucket. */
    const uint64_t pe2[4] = {0, 0, 0, 0};
    kfix_init(&f, 0xE2, pe2, false);
    out = run(&f, "!analyze -v");
    CHECK_HAS(out, "MANUALLY_INITIATED_CRASH (e2)\nThe user crashed the system on purpose");
    CHECK_HAS(out, "Arg1: 0000000000000000\n");
    CHECK_HAS(out, "FAILURE_BUCKET_ID:  0xE2_ANALYSIS_INCONCLUSIVE!unknown_function\n");
    kfix_deinit(&f);
}
