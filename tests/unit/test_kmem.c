/*
 * Unit tests for the kernel memory extensions (src/ext/ext_kmem.c): !vtop, !pte and the physical
 * displays over a fake kernel target whose physical memory holds hand-built page tables. The
 * expected text is WinDbg's, from published transcripts (each cited); the page tables rebuild the
 * entries those transcripts show.
 */
#include <stdlib.h>

#include "check.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "ext/ext.h"
#include "mm_fake_phys.h"

static struct fake_phys kmem;

static struct dd_error *kread_phys(struct target *t, uint64_t addr, void *buf, size_t n,
                                   size_t *ret_read)
{
    return fake_phys_read(&kmem, addr, buf, n, ret_read);
}

static struct dd_error *kread_virt(struct target *t, uint64_t addr, void *buf, size_t n,
                                   size_t *ret_read)
{
    *ret_read = 0;
    return dd_error_memory(addr);
}

static const struct target_ops kops = {.read_virtual = kread_virt, .read_physical = kread_phys};

struct kfix {
    struct target t;
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
};

static void kfix_init(struct kfix *f, enum dd_cpu cpu, bool pae, uint64_t dtb, uint64_t pte_base)
{
    memset(f, 0, sizeof(*f));
    f->t.ops = &kops;
    f->t.kind = TARGET_KERNEL;
    f->t.sys.cpu = cpu;
    f->t.kernel.pae_enabled = pae;
    f->t.kernel.directory_table_base = dtb;
    f->t.kernel.pte_base = pte_base;
    dd_memmap_init(&f->t.memory);
    f->w = dd_writer_strbuf(&f->out);
    session_init(&f->s, &f->t, &f->w, "kernel.dmp");
}

static void kfix_deinit(struct kfix *f)
{
    session_deinit(&f->s);
    dd_memmap_deinit(&f->t.memory);
    dd_strbuf_deinit(&f->out);
}

/* Runs "!name args" through ext_table_kmem and returns the output (or "ERROR: message"). */
static const char *run(struct kfix *f, const char *line)
{
    static char buf[4096];
    char name[16];
    const char *rest = cmd_next_word(line, name, sizeof(name));
    const struct cmd_def *def = NULL;
    for (const struct cmd_def *d = ext_table_kmem; d->name; d++)
        if (strcmp(d->name, name) == 0)
            def = d;
    if (!def)
        return "no such command";
    dd_strbuf_reset(&f->out);
    struct cmd_args a = {.name = name, .suffix = "", .rest = rest, .line = line};
    struct dd_error *err = def->handler(&f->s, &a);
    if (err) {
        snprintf(buf, sizeof(buf), "ERROR: %s", err->message);
        dd_error_destroy(err);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%.*s", (int)f->out.len, f->out.data ? f->out.data : "");
    return buf;
}

/*
 * kdmp-parser's test of a transition page in a kernel+user dump quotes WinDbg:
 *   kd> !pte 0x1a42ea30240
 *                                              VA 000001a42ea30240
 *   PXE at FFFFECF67B3D9018    PPE at FFFFECF67B203480    PDE at FFFFECF640690BA8    PTE at FFFFEC80D2175180
 *   contains 0A0000000ECC0867  contains 0A00000013341867  contains 0A000000077AF867  contains 00000000166B7880
 *   pfn ecc0      ---DA--UWEV  pfn 13341     ---DA--UWEV  pfn 77af      ---DA--UWEV  not valid
 *                                                                                     Transition: 166b7
 *                                                                                     Protect: 4 - ReadWrite
 * (PTE base FFFFEC80`00000000: the PTE address minus (VA bits 47:12) * 8.)
 */
static void build_transition_tables(void)
{
    fake_phys_init(&kmem);
    fake_phys_put64(&kmem, 0x1000 + 0x018, 0x0A0000000ECC0867ULL);
    fake_phys_put64(&kmem, 0xecc0000 + 0x480, 0x0A00000013341867ULL);
    fake_phys_put64(&kmem, 0x13341000 + 0xba8, 0x0A000000077AF867ULL);
    fake_phys_put64(&kmem, 0x77af000 + 0x180, 0x00000000166B7880ULL);
}

TEST(kmem_pte_transition)
{
    build_transition_tables();
    struct kfix f;
    kfix_init(&f, DD_CPU_X64, false, 0x1000, 0xFFFFEC8000000000ULL);
    CHECK_STR(run(&f, "!pte 0x1a42ea30240"),
              "                                           VA 000001a42ea30240\n"
              "PXE at FFFFECF67B3D9018    PPE at FFFFECF67B203480    PDE at FFFFECF640690BA8    PTE at FFFFEC80D2175180\n"
              "contains 0A0000000ECC0867  contains 0A00000013341867  contains 0A000000077AF867  contains 00000000166B7880\n"
              "pfn ecc0      ---DA--UWEV  pfn 13341     ---DA--UWEV  pfn 77af      ---DA--UWEV  not valid\n"
              "                                                                                  Transition: 166b7\n"
              "                                                                                  Protect: 4 - ReadWrite\n");
    /* !vtop counts a transition PTE as mapped, as dbgeng's Amd64 translation does. */
    CHECK_STR(run(&f, "!vtop 0 1a42ea30240"),
              "Amd64VtoP: Virt 000001a42ea30240, pagedir 0000000000001000\n"
              "Amd64VtoP: PML4E 0000000000001018\n"
              "Amd64VtoP: PDPE 000000000ecc0480\n"
              "Amd64VtoP: PDE 0000000013341ba8\n"
              "Amd64VtoP: PTE 00000000077af180\n"
              "Amd64VtoP: Mapped phys 00000000166b7240\n"
              "Virtual address 1a42ea30240 translates to physical address 166b7240.\n");
    /* Without the PTE base, the entry addresses are the physical ones. */
    f.t.kernel.pte_base = 0;
    const char *out = run(&f, "!pte 1a42ea30240");
    CHECK(strstr(out, "PXE at #0000000000001018   PPE at #000000000ECC0480"));
    CHECK(strstr(out, "(the PTE base is unknown: entry addresses are physical)\n"));
    kfix_deinit(&f);
}

/*
 * A published KVA-shadow walkthrough (same machine, CR3 1ad000):
 *   0: kd> !pte nt!NtCreateFile
 *                                              VA fffff8052e3ff090
 *   PXE at FFFFE5F2F97CBF80    PPE at FFFFE5F2F97F00A0    PDE at FFFFE5F2FE014B88    PTE at FFFFE5FC02971FF8
 *   contains 0000000004B09063  contains 0000000004B0A063  contains 0A00000002C001A1  contains 0000000000000000
 *   pfn 4b09      ---DA--KWEV  pfn 4b0a      ---DA--KWEV  pfn 2c00      -GL-A--KREV  LARGE PAGE pfn 2dff
 *   0: kd> !vtop 1ad000 fffff8052e3ff090
 *   Amd64VtoP: Virt fffff8052e3ff090, pagedir 00000000001ad000
 *   ... (below)
 */
TEST(kmem_large_page_transcripts)
{
    fake_phys_init(&kmem);
    fake_phys_put64(&kmem, 0x1adf80, 0x4B09063);
    fake_phys_put64(&kmem, 0x4b090a0, 0x4B0A063);
    fake_phys_put64(&kmem, 0x4b0ab88, 0x0A00000002C001A1ULL);
    struct kfix f;
    kfix_init(&f, DD_CPU_X64, false, 0x1ad000, 0xFFFFE58000000000ULL);
    CHECK_STR(run(&f, "!pte fffff8052e3ff090"),
              "                                           VA fffff8052e3ff090\n"
              "PXE at FFFFE5F2F97CBF80    PPE at FFFFE5F2F97F00A0    PDE at FFFFE5F2FE014B88    PTE at FFFFE5FC02971FF8\n"
              "contains 0000000004B09063  contains 0000000004B0A063  contains 0A00000002C001A1  contains 0000000000000000\n"
              "pfn 4b09      ---DA--KWEV  pfn 4b0a      ---DA--KWEV  pfn 2c00      -GL-A--KREV  LARGE PAGE pfn 2dff\n");
    CHECK_STR(run(&f, "!vtop 1ad000 fffff8052e3ff090"),
              "Amd64VtoP: Virt fffff8052e3ff090, pagedir 00000000001ad000\n"
              "Amd64VtoP: PML4E 00000000001adf80\n"
              "Amd64VtoP: PDPE 0000000004b090a0\n"
              "Amd64VtoP: PDE 0000000004b0ab88\n"
              "Amd64VtoP: Large page mapped phys 0000000002dff090\n"
              "Virtual address fffff8052e3ff090 translates to physical address 2dff090.\n");
    /* A PFN instead of a directory address: 1ad -> 1ad000 (the transcripts' "!vtop 185 ..."). */
    CHECK(strncmp(run(&f, "!vtop 1ad fffff8052e3ff090"),
                  "Amd64VtoP: Virt fffff8052e3ff090, pagedir 00000000001ad000\n", 59) == 0);
    CHECK_STR(run(&f, "!vtop"), "usage: vtop PFNOfPDE VA\n");
    kfix_deinit(&f);
}

/*
 * "!vtop 12f3d4000 000000d2af11a000" (a published explorer.exe walk):
 *   Amd64VtoP: Virt 000000d2af11a000, pagedir 000000012f3d4000
 *   Amd64VtoP: PML4E 000000012f3d4008
 *   Amd64VtoP: zero PML4E
 *   Virtual address d2af11a000 translation fails, error 0xD0000147.
 */
TEST(kmem_vtop_zero_entry)
{
    fake_phys_init(&kmem);
    fake_phys_page(&kmem, 0x12f3d4000ULL);
    struct kfix f;
    kfix_init(&f, DD_CPU_X64, false, 0x1ad000, 0);
    CHECK_STR(run(&f, "!vtop 12f3d4000 000000d2af11a000"),
              "Amd64VtoP: Virt 000000d2af11a000, pagedir 000000012f3d4000\n"
              "Amd64VtoP: PML4E 000000012f3d4008\n"
              "Amd64VtoP: zero PML4E\n"
              "Virtual address d2af11a000 translation fails, error 0xD0000147.\n");
    /* A page-table page missing from the dump, and a non-canonical address (our wording). */
    fake_phys_put64(&kmem, 0x12f3d4008ULL, 0x55555063);
    CHECK_STR(run(&f, "!vtop 12f3d4000 d2af11a000"),
              "Amd64VtoP: Virt 000000d2af11a000, pagedir 000000012f3d4000\n"
              "Amd64VtoP: PML4E 000000012f3d4008\n"
              "Amd64VtoP: PDPE 0000000055555a50\n"
              "Amd64VtoP: PDPE read error 0x80004005\n"
              "Virtual address d2af11a000 translation fails, error 0x80004005.\n");
    CHECK_STR(run(&f, "!vtop 12f3d4000 0000800000000000"),
              "Amd64VtoP: Virt 0000800000000000, pagedir 000000012f3d4000\n"
              "Amd64VtoP: Non-canonical address\n"
              "Virtual address 800000000000 translation fails, error 0xD0000141.\n");
    kfix_deinit(&f);
}

/*
 * PAE, from a published x86 session (a driver zeroing a user page):
 *   kd> !vtop 0a680320   4197b0
 *   X86VtoP: Virt 00000000004197b0, pagedir 000000000a680320
 *   ... (below), and the same session's "!pte" of that address ("at C00020C8 / contains
 *   0000000017C63067  contains 8000000018034067 / pfn 17c63 ... ---DA--UW-V").
 */
TEST(kmem_pae_transcripts)
{
    fake_phys_init(&kmem);
    fake_phys_put64(&kmem, 0x0a680320, 0x17f20001);
    fake_phys_put64(&kmem, 0x17f20010, 0x17c63067);
    fake_phys_put64(&kmem, 0x17c630c8, 0x8000000018034067ULL);
    fake_phys_put64(&kmem, 0x17f20000, 0x18029067);
    fake_phys_page(&kmem, 0x18029000);
    struct kfix f;
    kfix_init(&f, DD_CPU_X86, true, 0x0a680320, 0);
    CHECK_STR(run(&f, "!vtop 0a680320   4197b0"),
              "X86VtoP: Virt 00000000004197b0, pagedir 000000000a680320\n"
              "X86VtoP: PAE PDPE 000000000a680320 - 0000000017f20001\n"
              "X86VtoP: PAE PDE 0000000017f20010 - 0000000017c63067\n"
              "X86VtoP: PAE PTE 0000000017c630c8 - 8000000018034067\n"
              "X86VtoP: PAE Mapped phys 00000000180347b0\n"
              "Virtual address 4197b0 translates to physical address 180347b0.\n");
    CHECK_STR(run(&f, "!vtop 0a680320   0"),
              "X86VtoP: Virt 0000000000000000, pagedir 000000000a680320\n"
              "X86VtoP: PAE PDPE 000000000a680320 - 0000000017f20001\n"
              "X86VtoP: PAE PDE 0000000017f20000 - 0000000018029067\n"
              "X86VtoP: PAE PTE 0000000018029000 - 0000000000000000\n"
              "X86VtoP: PAE zero PTE\n"
              "Virtual address 0 translation fails, error 0xD0000147.\n");
    CHECK_STR(run(&f, "!pte 4197b0"),
              "                    VA 004197b0\n"
              "PDE at C0600010            PTE at C00020C8\n"
              "contains 0000000017C63067  contains 8000000018034067\n"
              "pfn 17c63     ---DA--UWEV  pfn 18034     ---DA--UW-V\n");
    /* A demand-zero PTE ("!pte 001f0000" of a published x86 page-fault walk: 0x80 = Protect 4). */
    fake_phys_put64(&kmem, 0x18029000 + ((0x1f0000 >> 12) & 0x1ff) * 8, 0x80);
    CHECK_STR(run(&f, "!pte 001f0000"),
              "                    VA 001f0000\n"
              "PDE at C0600000            PTE at C0000F80\n"
              "contains 0000000018029067  contains 0000000000000080\n"
              "pfn 18029     ---DA--UWEV  not valid\n"
              "                            DemandZero\n"
              "                            Protect: 4 - ReadWrite\n");
    kfix_deinit(&f);
}

/*
 * 32-bit paging: "!vtop 1735e 403018" of a published x86 lab:
 *   X86VtoP: Virt 0000000000403018, pagedir 000000001735e000
 *   X86VtoP: PDE 000000001735e004 - 17342067
 *   X86VtoP: PTE 000000001734200c - 173b4067
 *   X86VtoP: Mapped phys 00000000173b4018
 *   Virtual address 403018 translates to physical address 173b4018.
 */
TEST(kmem_x86_vtop)
{
    fake_phys_init(&kmem);
    fake_phys_put32(&kmem, 0x1735e004, 0x17342067);
    fake_phys_put32(&kmem, 0x1734200c, 0x173b4067);
    struct kfix f;
    kfix_init(&f, DD_CPU_X86, false, 0x1735e000, 0);
    CHECK_STR(run(&f, "!vtop 1735e 403018"),
              "X86VtoP: Virt 0000000000403018, pagedir 000000001735e000\n"
              "X86VtoP: PDE 000000001735e004 - 17342067\n"
              "X86VtoP: PTE 000000001734200c - 173b4067\n"
              "X86VtoP: Mapped phys 00000000173b4018\n"
              "Virtual address 403018 translates to physical address 173b4018.\n");
    /* !pte: the x86 self-map puts PDEs at C0300000 and PTEs at C0000000 (the !pte page's
     * "801544F4 - PDE at C0300800 PTE at C0200550" example). */
    const char *out = run(&f, "!pte 403018");
    CHECK(strstr(out, "PDE at C0300004            PTE at C000100C\n"));
    CHECK(strstr(out, "contains 17342067          contains 173B4067\n"));
    CHECK(strstr(out, "pfn 17342     ---DA--UWEV  pfn 173b4     ---DA--UWEV\n"));
    kfix_deinit(&f);
}

/*
 * Physical displays, from published sessions: "!dq 11b963280 L2" ->
 * "#11b963280 00000000`00000003 ffffbf01`52cb4200"; "!dd 0x45ecf68" -> "# 45ecf68 fefc45c7
 * 6affffff 56006a01 046a59e8"; "!db" of a user page -> "#bdfbafa8 25 73 0a 00 25 6c 6c 78-0a 00
 * 00 00 70 61 75 73 %s..%llx....paus"; the !db documentation's "!dc e9000" failure text.
 */
TEST(kmem_physical_display)
{
    fake_phys_init(&kmem);
    fake_phys_put64(&kmem, 0x11b963280ULL, 3);
    fake_phys_put64(&kmem, 0x11b963288ULL, 0xffffbf0152cb4200ULL);
    fake_phys_put32(&kmem, 0x45ecf68, 0xfefc45c7);
    fake_phys_put32(&kmem, 0x45ecf6c, 0x6affffff);
    fake_phys_put32(&kmem, 0x45ecf70, 0x56006a01);
    fake_phys_put32(&kmem, 0x45ecf74, 0x046a59e8);
    static const uint8_t text[16] = {0x25, 0x73, 0x0a, 0x00, 0x25, 0x6c, 0x6c, 0x78,
                                     0x0a, 0x00, 0x00, 0x00, 0x70, 0x61, 0x75, 0x73};
    memcpy(fake_phys_page(&kmem, 0xbdfbafa8) + 0xfa8, text, 16);
    fake_phys_page(&kmem, 0xbdfbb000);
    struct kfix f;
    kfix_init(&f, DD_CPU_X64, false, 0x1000, 0);
    CHECK_STR(run(&f, "!dq 11b963280 L2"), "#11b963280 00000000`00000003 ffffbf01`52cb4200\n");
    CHECK_STR(run(&f, "!dd 0x45ecf68 L4"), "# 45ecf68 fefc45c7 6affffff 56006a01 046a59e8\n");
    CHECK_STR(run(&f, "!db bdfbafa8 L10"),
              "#bdfbafa8 25 73 0a 00 25 6c 6c 78-0a 00 00 00 70 61 75 73 %s..%llx....paus\n");
    CHECK_STR(run(&f, "!dw bdfbafa8 L8"), "#bdfbafa8 7325 000a 6c25 786c 000a 0000 6170 7375\n");
    CHECK_STR(run(&f, "!dc bdfbafa8 L4"),
              "#bdfbafa8 000a7325 786c6c25 0000000a 73756170 %s..%llx....paus\n");
    /* The default count is 128 bytes: 8 rows of dq. */
    const char *out = run(&f, "!dq 11b963280");
    size_t rows = 0;
    for (const char *p = out; (p = strchr(p, '\n')); p++)
        rows++;
    CHECK_EQ(rows, 8);
    CHECK_STR(run(&f, "!dc e9000"),
              "physical memory read at e9000 failed\n"
              "If you know the caching attributes used for the memory,\n"
              "try specifying [c], [uc] or [wc], as in !dd [c] <params>.\n"
              "WARNING: Incorrect use of these flags will cause unpredictable\n"
              "processor corruption. This may immediately (or at any time in\n"
              "the future until reboot) result in a system hang, incorrect data\n"
              "being displayed or other strange crashes and corruption.\n");
    kfix_deinit(&f);
}

TEST(kmem_user_target_refused)
{
    fake_phys_init(&kmem);
    struct kfix f;
    kfix_init(&f, DD_CPU_X64, false, 0x1000, 0);
    f.t.kind = TARGET_USER_MINI;
    CHECK_STR(run(&f, "!pte 1000"), "This command is only valid for kernel targets\n");
    CHECK_STR(run(&f, "!vtop 1000 1000"), "This command is only valid for kernel targets\n");
    CHECK_STR(run(&f, "!db 1000"), "This command is only valid for kernel targets\n");
    kfix_deinit(&f);
}
