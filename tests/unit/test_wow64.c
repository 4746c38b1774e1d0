/*
 * Unit tests for the WoW64 context finder (src/nt/wow64.c) and the commands built on it
 * (.effmach, k, r, !teb, !wow64exts.*), over synthetic x64 targets whose memory this file lays
 * out by the documented structures: TEB64.NtTib.ExceptionList -> TEB32 (Vista..8.1),
 * TEB64.WowTebOffset at 0x180c (Windows 10+), TEB64.TlsSlots[1] (0x1488) -> WOW64 CPU area,
 * x86 CONTEXT at CPU area + 4 (winnt.h offsets: Ebp 0xb4, Eip 0xb8, SegCs 0xbc, EFlags 0xc0,
 * Esp 0xc4), the TEB32 prefix (NT_TIB, ClientId 0x20, PEB 0x30, LastErrorValue 0x34).
 * Every expected value below is one this file put into the target.
 */
#include <stdlib.h>

#include "check.h"
#include "mdmp_builder.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "nt/wow64.h"

#define TEB64 0x7efdb000ULL
#define TEB32 0x7efdd000ULL
#define CPU_AREA 0x1cfd20ULL
#define STACK32 0x12fe00ULL
#define APP_BASE 0x400000ULL

static struct dd_error *fake_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops fake_ops = {.read_virtual = fake_read};

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

struct wow_fixture {
    struct target t;
    struct target_module mods[2];
    struct target_thread thread;
    uint8_t ctx64[0x4d0];  /* the thread's own AMD64 CONTEXT */
    uint8_t teb64[0x2000]; /* TEB64 at 0x7efdb000 */
    uint8_t teb32[0x1000]; /* TEB32 at 0x7efdd000 */
    uint8_t cpu[0x2d4];    /* CPU area: 4-byte header + x86 CONTEXT (0x2cc) + flags */
    uint8_t stack[0x200];  /* 32-bit stack at 0x12fe00 */
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
};

enum layout { WIN7, WIN10 };

/* Lays out a WoW64 thread stopped in 64-bit code (cs 0x33) with its x86 state in memory. */
static void fixture_init(struct wow_fixture *f, enum layout layout, bool with_cpu_area,
                         bool with_teb32)
{
    memset(f, 0, sizeof(*f));
    f->t.ops = &fake_ops;
    f->t.sys.cpu = DD_CPU_X64;
    f->t.sys.major_version = layout == WIN10 ? 10 : 6;
    f->t.sys.minor_version = layout == WIN10 ? 0 : 1;
    f->mods[0] = (struct target_module){
        .base = APP_BASE, .size = 0x10000, .path = "C:\\app\\app.exe", .name = "app"};
    f->mods[1] = (struct target_module){.base = 0x75310000,
                                        .size = 0x8000,
                                        .path = "C:\\Windows\\System32\\wow64cpu.dll",
                                        .name = "wow64cpu"};
    f->t.modules = f->mods;
    f->t.nmodules = 2;

    /* AMD64 CONTEXT: ContextFlags 0x10000f, cs 0x33 (64-bit code), rip in wow64cpu. */
    put32(f->ctx64 + 0x30, 0x0010000f);
    f->ctx64[0x38] = 0x33;
    f->ctx64[0x42] = 0x2b;
    put32(f->ctx64 + 0x44, 0x246);
    put64(f->ctx64 + 0x98, 0x1ce000);   /* rsp */
    put64(f->ctx64 + 0xf8, 0x75312000); /* rip */
    f->thread = (struct target_thread){
        .tid = 0x28cc, .teb = TEB64, .context = f->ctx64, .context_size = sizeof(f->ctx64)};
    f->t.threads = &f->thread;
    f->t.nthreads = 1;

    /* TEB64: NT_TIB64, ClientId, PEB, TlsSlots[1]. */
    put64(f->teb64 + 0x00, layout == WIN7 ? TEB32 : 0);
    put64(f->teb64 + 0x08, 0x1cfd20);
    put64(f->teb64 + 0x10, 0x1cc000);
    put64(f->teb64 + 0x20, 0x1e00);
    put64(f->teb64 + 0x30, TEB64);
    put64(f->teb64 + 0x40, 0x1528);
    put64(f->teb64 + 0x48, 0x28cc);
    put64(f->teb64 + 0x60, 0x7efdf000);
    put32(f->teb64 + 0x68, 126);
    put32(f->teb64 + 0x1250, 0xc0000135);
    put64(f->teb64 + 0x1478, 0x190000);
    put64(f->teb64 + 0x1480 + 8, CPU_AREA);
    if (layout == WIN10)
        put32(f->teb64 + 0x180c, (uint32_t)(TEB32 - TEB64));

    /* TEB32. */
    put32(f->teb32 + 0x00, 0x12ffc4);
    put32(f->teb32 + 0x04, 0x130000);
    put32(f->teb32 + 0x08, 0x12e000);
    put32(f->teb32 + 0x10, 0x1e00);
    put32(f->teb32 + 0x18, (uint32_t)TEB32);
    put32(f->teb32 + 0x20, 0x1528);
    put32(f->teb32 + 0x24, 0x28cc);
    put32(f->teb32 + 0x2c, (uint32_t)TEB32 + 0x2c);
    put32(f->teb32 + 0x30, 0x7efde000);
    put32(f->teb32 + 0x34, 2);
    put32(f->teb32 + 0xbf4, 0xc0000034);

    /* CPU area: Windows 10 names the machine at +2; the x86 CONTEXT starts at +4. */
    if (layout == WIN10)
        f->cpu[2] = 0x4c, f->cpu[3] = 0x01;
    uint8_t *c = f->cpu + 4;
    put32(c + 0x00, 0x0001003f);
    put32(c + 0x8c, 0x2b); /* gs */
    put32(c + 0x90, 0x53); /* fs */
    put32(c + 0x94, 0x2b);
    put32(c + 0x98, 0x2b);
    put32(c + 0xb0, 0xdeadbeef);                  /* eax */
    put32(c + 0xb4, 0x12ff00);                    /* ebp */
    put32(c + 0xb8, (uint32_t)APP_BASE + 0x1234); /* eip */
    put32(c + 0xbc, 0x23);
    put32(c + 0xc0, 0x202);
    put32(c + 0xc4, 0x12fef0); /* esp */
    put32(c + 0xc8, 0x2b);

    /* 32-bit stack: an EBP frame at 0x12ff00 whose caller's frame ends the chain. */
    put32(f->stack + 0x100, 0x12ff40);
    put32(f->stack + 0x104, (uint32_t)APP_BASE + 0x2000);

    struct dd_memmap *m = &f->t.memory;
    dd_memmap_init(m);
    CHECK_OK(dd_memmap_add(m, TEB64, sizeof(f->teb64), f->teb64));
    if (with_teb32)
        CHECK_OK(dd_memmap_add(m, TEB32, sizeof(f->teb32), f->teb32));
    if (with_cpu_area)
        CHECK_OK(dd_memmap_add(m, CPU_AREA, sizeof(f->cpu), f->cpu));
    CHECK_OK(dd_memmap_add(m, STACK32, sizeof(f->stack), f->stack));
    CHECK_OK(dd_memmap_finish(m));

    f->w = dd_writer_strbuf(&f->out);
    session_init(&f->s, &f->t, &f->w, "wow64.dmp");
}

static void fixture_deinit(struct wow_fixture *f)
{
    session_deinit(&f->s);
    dd_memmap_deinit(&f->t.memory);
    dd_strbuf_deinit(&f->out);
}

/* Runs LINE through the dispatcher and returns what it printed (valid until the next run). */
static const char *run(struct wow_fixture *f, const char *line)
{
    dd_strbuf_reset(&f->out);
    cmd_execute_line(&f->s, line);
    return f->out.data ? f->out.data : "";
}

#define CHECK_PREFIX(text, prefix)                                                                 \
    do {                                                                                           \
        const char *check_t_ = (text), *check_p_ = (prefix);                                       \
        if (strncmp(check_t_, check_p_, strlen(check_p_)) != 0)                                    \
            check_fail(__FILE__, __LINE__, "does not start with \"%s\":\n%s", check_p_, check_t_); \
    } while (0)

#define CHECK_HAS(text, needle)                                                                    \
    do {                                                                                           \
        const char *check_t_ = (text);                                                             \
        if (!strstr(check_t_, (needle)))                                                           \
            check_fail(__FILE__, __LINE__, "\"%s\" not in:\n%s", (needle), check_t_);              \
    } while (0)

TEST(wow64_detect)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, true, true);
    CHECK(wow64_target_is_wow64(&f.t));
    CHECK(session_is_wow64(&f.s));
    /* Without the wow64 modules, the main image's PE machine decides. */
    f.t.nmodules = 1;
    f.t.main_image_path = "C:\\app\\app.exe";
    CHECK(!wow64_target_is_wow64(&f.t)); /* no header in memory: not provably 32-bit */
    fixture_deinit(&f);

    static uint8_t hdr[0x100];
    memset(hdr, 0, sizeof(hdr));
    hdr[0] = 'M', hdr[1] = 'Z';
    put32(hdr + 0x3c, 0x80);
    memcpy(hdr + 0x80, "PE\0\0", 4);
    hdr[0x84] = 0x4c, hdr[0x85] = 0x01; /* IMAGE_FILE_MACHINE_I386 */
    struct target t;
    memset(&t, 0, sizeof(t));
    t.ops = &fake_ops;
    t.sys.cpu = DD_CPU_X64;
    struct target_module app = {
        .base = APP_BASE, .size = 0x10000, .path = "C:\\app\\app.exe", .name = "app"};
    t.modules = &app;
    t.nmodules = 1;
    t.main_image_path = app.path;
    dd_memmap_init(&t.memory);
    CHECK_OK(dd_memmap_add(&t.memory, APP_BASE, sizeof(hdr), hdr));
    CHECK_OK(dd_memmap_finish(&t.memory));
    CHECK(wow64_target_is_wow64(&t));
    hdr[0x84] = 0x64, hdr[0x85] = 0x86; /* IMAGE_FILE_MACHINE_AMD64 */
    CHECK(!wow64_target_is_wow64(&t));
    t.sys.cpu = DD_CPU_X86; /* a 32-bit dump is the 32-bit view already */
    CHECK(!wow64_target_is_wow64(&t));
    dd_memmap_deinit(&t.memory);
}

TEST(wow64_context_win7)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, true, true);
    struct wow64_context c;
    CHECK_OK(wow64_thread_context(&f.t, &f.thread, &c));
    CHECK_EQ(c.source, WOW64_CONTEXT_CPU_AREA);
    CHECK_EQ(c.where.teb64, TEB64);
    CHECK_EQ(c.where.teb32, TEB32);
    CHECK_EQ(c.where.cpu_area, CPU_AREA);
    CHECK_EQ(c.where.context, CPU_AREA + 4);
    CHECK(c.regs.arch == &arch_x86);
    const struct arch_reg *eip = arch_reg_find(&arch_x86, "eip");
    const struct arch_reg *eax = arch_reg_find(&arch_x86, "eax");
    const struct arch_reg *cs = arch_reg_find(&arch_x86, "cs");
    uint64_t v;
    CHECK(regset_get(&c.regs, eip, &v));
    CHECK_EQ(v, APP_BASE + 0x1234);
    CHECK(regset_get(&c.regs, eax, &v));
    CHECK_EQ(v, 0xdeadbeef);
    CHECK(regset_get(&c.regs, cs, &v));
    CHECK_EQ(v, 0x23);

    /* A CPU area whose ContextFlags lacks CONTEXT_i386 still holds the live registers. */
    put32(f.cpu + 4, 0);
    CHECK_OK(wow64_thread_context(&f.t, &f.thread, &c));
    CHECK(regset_get(&c.regs, eip, &v));
    CHECK_EQ(v, APP_BASE + 0x1234);
    CHECK(regset_get(&c.regs, cs, &v));
    fixture_deinit(&f);
}

TEST(wow64_context_win10)
{
    struct wow_fixture f;
    fixture_init(&f, WIN10, true, true);
    struct wow64_context c;
    CHECK_OK(wow64_thread_context(&f.t, &f.thread, &c));
    CHECK_EQ(c.where.teb32, TEB32); /* from WowTebOffset, ExceptionList being 0 */
    CHECK_EQ(c.where.context, CPU_AREA + 4);
    uint64_t v;
    CHECK(regset_get(&c.regs, arch_reg_find(&arch_x86, "esp"), &v));
    CHECK_EQ(v, 0x12fef0);
    /* WOW64_CPURESERVED.Machine must be i386. */
    f.cpu[2] = 0x64, f.cpu[3] = 0x86;
    struct dd_error *err = wow64_thread_context(&f.t, &f.thread, &c);
    CHECK(err && err->code == DD_ERR_UNSUPPORTED);
    CHECK(err && strstr(err->message, "machine 0x8664"));
    dd_error_destroy(err);
    fixture_deinit(&f);
}

TEST(wow64_context_missing)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, false, false);
    struct wow64_context c;
    struct dd_error *err = wow64_thread_context(&f.t, &f.thread, &c);
    CHECK(err && err->code == DD_ERR_MEMORY);
    CHECK(err && err->address == CPU_AREA);
    CHECK(err && strstr(err->message, "the x86 context is not in the dump"));
    CHECK(err && strstr(err->message, "00000000`001cfd20"));
    dd_error_destroy(err);
    /* No CPU area at all: a thread that never ran 32-bit code. */
    put64(f.teb64 + 0x1488, 0);
    err = wow64_thread_context(&f.t, &f.thread, &c);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    /* No TEB64 in the dump. */
    f.thread.teb = 0x10000000;
    err = wow64_thread_context(&f.t, &f.thread, &c);
    CHECK(err && err->code == DD_ERR_MEMORY && err->address == 0x10000000);
    dd_error_destroy(err);
    fixture_deinit(&f);
}

TEST(wow64_context_native_32bit_code)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, false, false);
    /* Stopped in 32-bit code: cs 0x23, and the AMD64 CONTEXT's low halves are the x86 state. */
    f.ctx64[0x38] = 0x23;
    put64(f.ctx64 + 0x78, 0xffffffff00000001ULL); /* rax */
    put64(f.ctx64 + 0xf8, APP_BASE + 0x42);       /* rip */
    struct wow64_context c;
    CHECK_OK(wow64_thread_context(&f.t, &f.thread, &c));
    CHECK_EQ(c.source, WOW64_CONTEXT_NATIVE);
    uint64_t v;
    CHECK(regset_get(&c.regs, arch_reg_find(&arch_x86, "eax"), &v));
    CHECK_EQ(v, 1);
    CHECK(regset_get(&c.regs, arch_reg_find(&arch_x86, "eip"), &v));
    CHECK_EQ(v, APP_BASE + 0x42);
    /* .effmach # follows the code the thread was in. */
    CHECK_STR(run(&f, ".effmach #"), "Effective machine: x86 compatible (x86)\n");
    fixture_deinit(&f);
}

TEST(wow64_effmach_and_regs)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, true, true);
    char prompt[32];
    CHECK_STR(run(&f, ".effmach"), "Effective machine: x64 (AMD64)\n");
    CHECK_STR(run(&f, ".effmach x86"), "Effective machine: x86 compatible (x86)\n");
    CHECK(f.s.effmach == &arch_x86);
    CHECK_STR(session_prompt(&f.s, prompt, sizeof(prompt)), "0:000:x86> ");
    const char *r = run(&f, "r");
    CHECK_HAS(r, "eax=deadbeef");
    CHECK_HAS(r, "eip=00401234 esp=0012fef0 ebp=0012ff00");
    CHECK_HAS(r, "cs=0023");
    CHECK_STR(run(&f, "r eip"), "eip=00401234\n");
    /* k in x86 mode: the 32-bit stack only. */
    const char *k = run(&f, "k");
    CHECK_HAS(k, "ChildEBP");
    CHECK_HAS(k, "00 0012ff00 ");
    CHECK_HAS(k, "app+0x1234");
    CHECK(!strstr(k, "Child-SP"));
    /* ~ in x86 mode names the thread's 32-bit TEB (TEB64 + 0x2000 on Windows 7, see !teb). */
    CHECK_HAS(run(&f, "~"), "Teb: 7efdd000 Unfrozen");
    CHECK_STR(run(&f, ".effmach ."), "Effective machine: x64 (AMD64)\n");
    CHECK_HAS(run(&f, "~"), "Teb: 00000000`7efdb000 Unfrozen");
    CHECK(f.s.effmach == f.s.arch);
    CHECK_STR(run(&f, ".effmach #"), "Effective machine: x64 (AMD64)\n"); /* cs 0x33 */
    CHECK_STR(run(&f, "!wow64exts.sw"), "Switched to 32bit mode\n");
    CHECK(f.s.effmach == &arch_x86);
    CHECK_STR(run(&f, "!wow64exts.sw"), "Switched to 64bit mode\n");
    CHECK(f.s.effmach == f.s.arch);
    CHECK_STR(run(&f, ".effmach arm64"), "The arm64 machine is not available in this x64 dump\n");
    CHECK_STR(run(&f, ".effmach bogus"), "       ^ Syntax error in '.effmach bogus'\n");
    fixture_deinit(&f);
}

TEST(wow64_k_shows_both_stacks)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, true, true);
    const char *k = run(&f, "k");
    const char *x64 = strstr(k, "Child-SP");
    const char *label =
        strstr(k, "\nWoW64 32-bit stack (x86 context at 00000000`001cfd24 in the thread's WOW64 "
                  "CPU area):\n # ChildEBP RetAddr");
    CHECK(x64 && label && x64 < label);
    CHECK_HAS(k, "00 0012ff00 ");
    /* !wow64exts.k: WinDbg's headings. */
    k = run(&f, "!wow64exts.k");
    CHECK_PREFIX(k, "Walking 64bit Stack...\n # Child-SP");
    CHECK_HAS(k, "\n\nWalking 32bit Stack...\n # ChildEBP RetAddr");
    /* Without the CPU area, the 32-bit part says what is missing. */
    fixture_deinit(&f);
    fixture_init(&f, WIN7, false, true);
    k = run(&f, "k");
    CHECK_HAS(k, "\nWoW64 32-bit stack: the x86 context is not in the dump: its WOW64 CPU area at "
                 "00000000`001cfd20 (TEB64 00000000`7efdb000 TlsSlots[1]) was not captured\n");
    run(&f, ".effmach x86");
    CHECK_STR(run(&f, "r"), "the x86 context is not in the dump: its WOW64 CPU area at "
                            "00000000`001cfd20 (TEB64 00000000`7efdb000 TlsSlots[1]) was not "
                            "captured\n");
    fixture_deinit(&f);
}

TEST(wow64_teb)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, true, true);
    CHECK_STR(run(&f, "!teb"), "Wow64 TEB32 at 000000007efdd000\n"
                               "    ExceptionList:        000000000012ffc4\n"
                               "    StackBase:            0000000000130000\n"
                               "    StackLimit:           000000000012e000\n"
                               "    SubSystemTib:         0000000000000000\n"
                               "    FiberData:            0000000000001e00\n"
                               "    ArbitraryUserPointer: 0000000000000000\n"
                               "    Self:                 000000007efdd000\n"
                               "    EnvironmentPointer:   0000000000000000\n"
                               "    ClientId:             0000000000001528 . 00000000000028cc\n"
                               "    RpcHandle:            0000000000000000\n"
                               "    Tls Storage:          000000007efdd02c\n"
                               "    PEB Address:          000000007efde000\n"
                               "    LastErrorValue:       2\n"
                               "    LastStatusValue:      c0000034\n"
                               "    Count Owned Locks:    0\n"
                               "    HardErrorMode:        0\n"
                               "Wow64 TEB at 000000007efdb000\n"
                               "    ExceptionList:        000000007efdd000\n"
                               "    StackBase:            00000000001cfd20\n"
                               "    StackLimit:           00000000001cc000\n"
                               "    SubSystemTib:         0000000000000000\n"
                               "    FiberData:            0000000000001e00\n"
                               "    ArbitraryUserPointer: 0000000000000000\n"
                               "    Self:                 000000007efdb000\n"
                               "    EnvironmentPointer:   0000000000000000\n"
                               "    ClientId:             0000000000001528 . 00000000000028cc\n"
                               "    RpcHandle:            0000000000000000\n"
                               "    Tls Storage:          0000000000000000\n"
                               "    PEB Address:          000000007efdf000\n"
                               "    LastErrorValue:       126\n"
                               "    LastStatusValue:      c0000135\n"
                               "    Count Owned Locks:    0\n"
                               "    HardErrorMode:        0\n");
    /* In x86 mode the values are 8 digits wide, as in "0:000:x86> !teb" transcripts. */
    run(&f, ".effmach x86");
    const char *t = run(&f, "!teb");
    CHECK_PREFIX(t, "Wow64 TEB32 at 7efdd000\n    ExceptionList:        0012ffc4\n");
    CHECK_HAS(t, "\nWow64 TEB at 7efdb000\n    ExceptionList:        7efdd000\n");
    /* An explicit address is read as a TEB of the effective machine. */
    t = run(&f, "!teb 7efdd000");
    CHECK_PREFIX(t, "TEB at 7efdd000\n    ExceptionList:        0012ffc4\n");
    fixture_deinit(&f);
    /* A TEB32 that is not in the dump. */
    fixture_init(&f, WIN7, true, false);
    t = run(&f, "!teb");
    CHECK_PREFIX(t, "Wow64 TEB32 at 000000007efdd000\nerror InitTypeRead( TEB32 )...\n"
                    "Wow64 TEB at 000000007efdb000\n");
    fixture_deinit(&f);
}

TEST(wow64_not_wow64)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, true, true);
    f.t.nmodules = 1; /* no wow64cpu: a plain x64 process */
    const char *k = run(&f, "k");
    CHECK(!strstr(k, "WoW64"));
    CHECK_STR(run(&f, "!wow64exts.sw"),
              "The current process is not a WoW64 process (32-bit code in an x64 dump)\n");
    const char *t = run(&f, "!teb");
    CHECK_PREFIX(t, "TEB at 000000007efdb000\n    ExceptionList:        000000007efdd000\n");
    fixture_deinit(&f);
}

/*
 * The same thread written as a real minidump (SystemInfo AMD64 6.1, ThreadList, ModuleList
 * with wow64cpu.dll, MemoryList with the TEBs, the CPU area and the 32-bit stack) and read back
 * through the minidump reader: the x86 view works end to end. With DD_WOW64_SEED=PATH set, the
 * dump is also written there (the fuzz seed tests/fuzz/corpus/mdmp/wow64_win7_synth came so).
 */
TEST(wow64_minidump_end_to_end)
{
    struct wow_fixture f;
    fixture_init(&f, WIN7, true, true);
    struct mdmp_builder b;
    mdmp_builder_init(&b);
    mdmp_builder_system_info(&b, 9 /* PROCESSOR_ARCHITECTURE_AMD64 */, 6, 1, 7601,
                             "Service Pack 1");
    struct mdmp_builder_thread th = {.tid = 0x28cc,
                                     .teb = TEB64,
                                     .stack_start = STACK32,
                                     .stack = f.stack,
                                     .stack_size = sizeof(f.stack),
                                     .context = f.ctx64,
                                     .context_size = sizeof(f.ctx64)};
    mdmp_builder_thread_list(&b, &th, 1);
    struct mdmp_builder_module mods[] = {
        {.base = APP_BASE, .size = 0x10000, .path = "C:\\app\\app.exe"},
        {.base = 0x75310000, .size = 0x8000, .path = "C:\\Windows\\System32\\wow64cpu.dll"},
    };
    mdmp_builder_module_list(&b, 4 /* ModuleListStream */, mods, 2);
    /* Only what the commands read: TEB64 through HardErrorMode, the TEB32 prefix. */
    struct mdmp_builder_range r[] = {
        {TEB64, f.teb64, 0x16b4},
        {TEB32, f.teb32, 0xf2c},
        {CPU_AREA, f.cpu, sizeof(f.cpu)},
    };
    mdmp_builder_memory_list(&b, r, 3);
    size_t size;
    const uint8_t *data = mdmp_builder_finish(&b, &size);
    const char *seed = getenv("DD_WOW64_SEED");
    if (seed) {
        FILE *out = fopen(seed, "wb");
        CHECK(out && fwrite(data, 1, size, out) == size);
        if (out)
            fclose(out);
    }
    struct target *t = NULL;
    CHECK_OK(mdmp_test_open_buffer(data, size, &t));
    if (!t) {
        mdmp_builder_deinit(&b);
        fixture_deinit(&f);
        return;
    }
    CHECK(wow64_target_is_wow64(t));
    struct wow64_context c;
    CHECK_OK(wow64_thread_context(t, &t->threads[0], &c));
    CHECK_EQ(c.where.context, CPU_AREA + 4);
    uint64_t v;
    CHECK(regset_get(&c.regs, arch_reg_find(&arch_x86, "eip"), &v));
    CHECK_EQ(v, APP_BASE + 0x1234);

    struct session s;
    struct dd_strbuf out = {0};
    struct dd_writer w = dd_writer_strbuf(&out);
    session_init(&s, t, &w, "wow64.dmp");
    cmd_execute_line(&s, "k");
    CHECK_HAS(out.data ? out.data : "",
              "WoW64 32-bit stack (x86 context at 00000000`001cfd24 in the thread's WOW64 CPU "
              "area):\n # ChildEBP RetAddr      \n00 0012ff00 00402000     app+0x1234\n");
    dd_strbuf_reset(&out);
    cmd_execute_line(&s, ".effmach x86; r eip, esp, ebp");
    CHECK_STR(out.data, "Effective machine: x86 compatible (x86)\neip=00401234 esp=0012fef0 "
                        "ebp=0012ff00\n");
    session_deinit(&s);
    dd_strbuf_deinit(&out);
    target_destroy(t);
    mdmp_builder_deinit(&b);
    fixture_deinit(&f);
}
