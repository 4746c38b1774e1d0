/*
 * Unit tests for the display family (src/cmd/cmd_display.c, cmd_format.c).
 * Expected text is WinDbg's: lines copied from published WinDbg transcripts
 * (each cited) with the memory they show rebuilt here, or derived from the
 * documented layout where no transcript exists. Times are shown in UTC, so
 * transcripts taken in other zones have their Time line shifted accordingly.
 */
#include <ctype.h>
#include <stdlib.h>

#include "check.h"
#include "cmd/command.h"
#include "cmd/session.h"

static const struct arch_reg fake64_regs[] = {
    {"rax", 64, ARCH_REG_GPR, 0, 0},
    {"rsp", 64, ARCH_REG_GPR, 1, 0},
    {"rip", 64, ARCH_REG_GPR, 2, 0},
    {"efl", 32, ARCH_REG_FLAGS, 3, 0},
};
static const struct arch_ops fake64 = {
    .name = "x64",
    .cpu = DD_CPU_X64,
    .ptr_size = 8,
    .regs = fake64_regs,
    .nregs = sizeof(fake64_regs) / sizeof(fake64_regs[0]),
    .pc_slot = 2,
    .sp_slot = 1,
    .fp_slot = 0,
    .flags_slot = 3,
};
static const struct arch_reg fake32_regs[] = {
    {"eax", 32, ARCH_REG_GPR, 0, 0},
    {"esp", 32, ARCH_REG_GPR, 1, 0},
    {"eip", 32, ARCH_REG_GPR, 2, 0},
    {"efl", 32, ARCH_REG_FLAGS, 3, 0},
};
static const struct arch_ops fake32 = {
    .name = "x86",
    .cpu = DD_CPU_X86,
    .ptr_size = 4,
    .regs = fake32_regs,
    .nregs = sizeof(fake32_regs) / sizeof(fake32_regs[0]),
    .pc_slot = 2,
    .sp_slot = 1,
    .fp_slot = 0,
    .flags_slot = 3,
};

static struct dd_error *fake_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops fake_ops = {.read_virtual = fake_read};

/* 0x0012fe84: a stack; the first 16 bytes are the db example of the brief. */
static const uint8_t stack_bytes[] = {
    0x9c, 0xfe, 0x12, 0x00, 0x0c, 0x3d, 0x40, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x9e, 0x42, 0x40, 0x00, 0x0e, 0x12, 0x90, 0x7c, 0x00, 0x00, 0x40, 0x00,
};

/* 0x14fe08: the stack of "db rsp L6 / dd rsp L6 / dq rsp L6" (see test below). */
static const uint8_t rsp_bytes[] = {
    0xef, 0xbe, 0xad, 0xde, 0x01, 0x00, 0x10, 0x11, 0x01, 0x00, 0x00, 0x00, 0x3d, 0x69, 0x00, 0x00,
    0x99, 0x42, 0x05, 0x4b, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x4d, 0x1a, 0x00, 0x40, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* 0xffffb780`b7eee664 and 0xffffae01`5ff97664: the kernel example of the WinDbg docs. */
static const uint8_t kvar_bytes[] = {
    0x00, 0x00, 0xa0, 0xff, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x70, 0x2d, 0xc5,
};
static const uint8_t kdb_bytes[] = {
    0x00, 0x80, 0xbc, 0xff, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x50, 0xe0, 0x51,
};

/* 0x00c107d8: the heap block of a heap-overrun walkthrough ("dd" then "da"). */
static const uint8_t heap_bytes[] = {
    0x47, 0x48, 0x41, 0x3b, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56,
    0x57, 0x58, 0x59, 0x5a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xfd, 0xbd, 0xfa, 0xc7, 0xde, 0xcb, 0x00, 0x00, 0xc4, 0x00, 0xc1, 0x00, 0xc8, 0x07, 0xc1, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const char fib_text[] = "First %d elements of the Fibbonacci sequence: ";
static const char sxs_text[] =
    "SXS: %s failing because RtlQueryInformationActivationContext() returned status %08lx.";
static const char pdbex_text[] = "J:\\dev\\temp\\pdbex-sample\\pdbex-demo\\Debug\\pdbex-demo.exe";
static uint8_t pdbex_utf16[2 * sizeof(pdbex_text)];

/* 0x3000: pointers to the strings above, a null one and one to six bytes before a hole. */
static const uint8_t ref_ptrs[] = {
    0x28, 0x4a, 0x84, 0x7c, 0x40, 0x65, 0x4c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00,
};

/* Six bytes, then nothing: for partial rows. */
static const uint8_t short_bytes[] = {0x41, 0x42, 0x43, 0x44, 0x45, 0x46};

/*
 * A kernel stack [fffff880`05874000, fffff880`0587d000) from "Structural Memory
 * Patterns (Part 4)" (dumpanalysis.org): its first 0x50 bytes, the qwords
 * around fffff880`05875000, and the zeroed last 0x30 bytes.
 */
static const uint8_t kstack_start[] = {
    0x68, 0x62, 0x69, 0x6e, 0x00, 0xa0, 0x9b, 0x03, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xa8, 0xff, 0xff, 0xff, 0x6e, 0x6b, 0x20, 0x00, 0x23, 0xa3, 0xac, 0xb8, 0xbd, 0xe7, 0xca, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x98, 0x66, 0x9b, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xe8, 0xaf, 0x9b, 0x03, 0xff, 0xff, 0xff, 0xff, 0x04, 0x00, 0x00, 0x00, 0x10, 0x67, 0x9b, 0x03};
static const uint8_t kstack_mid[] = {
    0xb8, 0xa1, 0x9b, 0x03, 0x4f, 0x0c, 0xb9, 0x6a, 0xf8, 0xff, 0xff, 0xff, 0x50, 0x80,
    0x9b, 0x03, 0x68, 0x62, 0x69, 0x6e, 0x00, 0x50, 0x9b, 0x03, 0x00, 0x20, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd0, 0xff, 0xff, 0xff, 0x94, 0x02, 0x00, 0x00};
static const uint8_t kstack_end[0x30];

struct fixture {
    struct target t;
    struct target_module mods[1];
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
};

static void fixture_init(struct fixture *f, const struct arch_ops *arch)
{
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < sizeof(pdbex_text); i++) {
        pdbex_utf16[2 * i] = (uint8_t)pdbex_text[i];
        pdbex_utf16[2 * i + 1] = 0;
    }
    f->t.ops = &fake_ops;
    f->t.sys.cpu = arch->cpu;
    struct dd_memmap *m = &f->t.memory;
    dd_memmap_init(m);
    CHECK_OK(dd_memmap_add(m, 0x0012fe84, sizeof(stack_bytes), stack_bytes));
    CHECK_OK(dd_memmap_add(m, 0x14fe08, sizeof(rsp_bytes), rsp_bytes));
    CHECK_OK(dd_memmap_add(m, 0xffffb780b7eee664ULL, sizeof(kvar_bytes), kvar_bytes));
    CHECK_OK(dd_memmap_add(m, 0xffffae015ff97664ULL, sizeof(kdb_bytes), kdb_bytes));
    CHECK_OK(dd_memmap_add(m, 0x00c107d8, sizeof(heap_bytes), heap_bytes));
    CHECK_OK(dd_memmap_add(m, 0x140002220ULL, sizeof(fib_text), (const uint8_t *)fib_text));
    CHECK_OK(dd_memmap_add(m, 0x7c844a28, sizeof(sxs_text), (const uint8_t *)sxs_text));
    CHECK_OK(dd_memmap_add(m, 0x014c6540, sizeof(pdbex_utf16), pdbex_utf16));
    CHECK_OK(dd_memmap_add(m, 0x2000, sizeof(short_bytes), short_bytes));
    CHECK_OK(dd_memmap_add(m, 0x3000, sizeof(ref_ptrs), ref_ptrs));
    CHECK_OK(dd_memmap_add(m, 0xfffff88005874000ULL, sizeof(kstack_start), kstack_start));
    CHECK_OK(dd_memmap_add(m, 0xfffff88005874ff0ULL, sizeof(kstack_mid), kstack_mid));
    CHECK_OK(dd_memmap_add(m, 0xfffff8800587cfd0ULL, sizeof(kstack_end), kstack_end));
    CHECK_OK(dd_memmap_finish(m));
    f->mods[0] = (struct target_module){
        .base = 0x400000, .size = 0x10000, .path = "C:\\app\\test_app.exe", .name = "test_app"};
    f->t.modules = f->mods;
    f->t.nmodules = 1;

    f->w = dd_writer_strbuf(&f->out);
    session_init(&f->s, &f->t, &f->w, "test.dmp");
    f->s.arch = arch;
    f->s.effmach = arch;
    f->s.ctx_source = SESSION_CTX_OVERRIDE;
    memset(&f->s.ctx, 0, sizeof(f->s.ctx));
    f->s.ctx.arch = arch;
    for (unsigned i = 0; i < 4; i++)
        f->s.ctx.valid[i] = true;
    f->s.ctx.r[1] = arch->ptr_size == 8 ? 0x14fe08 : 0x0012fe84; /* sp */
    f->s.ctx.r[2] = 0x00c107d8;                                  /* pc */
}

static void fixture_deinit(struct fixture *f)
{
    session_deinit(&f->s);
    dd_memmap_deinit(&f->t.memory);
    dd_strbuf_deinit(&f->out);
}

/*
 * Runs LINE through the display table's handler (as the dispatcher would)
 * and returns the output, or the error message prefixed with "ERROR: ".
 */
static const char *run(struct fixture *f, const char *line)
{
    static char buf[8192];
    char name[32];
    size_t n = 0;
    const char *p = line;
    if (*p == '?') {
        name[n++] = *p++;
    } else {
        if (*p == '.')
            name[n++] = *p++;
        while (isalnum((unsigned char)*p) && n + 1 < sizeof(name))
            name[n++] = *p++;
    }
    name[n] = '\0';
    while (*p == ' ')
        p++;
    const struct cmd_def *def = NULL;
    for (const struct cmd_def *d = cmd_table_display; d->name; d++)
        if (strcmp(d->name, name) == 0)
            def = d;
    if (!def) {
        snprintf(buf, sizeof(buf), "no command %s", name);
        return buf;
    }
    dd_strbuf_reset(&f->out);
    struct cmd_args a = {name, "", p, line};
    struct dd_error *err = def->handler(&f->s, &a);
    if (err) {
        snprintf(buf, sizeof(buf), "ERROR: %s", err->message);
        dd_error_destroy(err);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%s", f->out.data ? f->out.data : "");
    return buf;
}

/* The first line of TEXT (into a static buffer). */
static const char *first_line(const char *text)
{
    static char line[512];
    size_t n = strcspn(text, "\n");
    if (n >= sizeof(line))
        n = sizeof(line) - 1;
    memcpy(line, text, n);
    line[n] = '\0';
    return line;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/*
 * x64 user-mode transcript (a shellcode walkthrough):
 *   0:000> db rsp L6
 *   00000000`0014fe08  ef be ad de 01 00                                ......
 *   0:000> dd rsp L6
 *   ...
 */
TEST(display_transcript_rsp_x64)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_STR(run(&f, "db rsp L6"),
              "00000000`0014fe08  ef be ad de 01 00                                ......\n");
    CHECK_STR(run(&f, "dd rsp L6"), "00000000`0014fe08  deadbeef 11100001 00000001 0000693d\n"
                                    "00000000`0014fe18  4b054299 00007fff\n");
    CHECK_STR(run(&f, "dq rsp L6"), "00000000`0014fe08  11100001`deadbeef 0000693d`00000001\n"
                                    "00000000`0014fe18  00007fff`4b054299 00000000`00000000\n"
                                    "00000000`0014fe28  00000001`40001a4d 00000000`00000001\n");
    /* dp is dq on a 64-bit machine. */
    CHECK_STR(run(&f, "dp rsp L2"), "00000000`0014fe08  11100001`deadbeef 0000693d`00000001\n");
    fixture_deinit(&f);
}

/* The kernel walkthrough of the WinDbg docs: "dd ffffb780`b7eee664 l4" and a db line. */
TEST(display_transcript_kernel_docs)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_STR(run(&f, "dd ffffb780`b7eee664 l4"),
              "ffffb780`b7eee664  ffa00000 00000018 00000000 c52d7008\n");
    CHECK_STR(run(&f, "db 0xffffae015ff97664 L10"),
              "ffffae01`5ff97664  00 80 bc ff 18 00 00 00-00 00 00 00 08 50 e0 51  "
              ".............P.Q\n");
    fixture_deinit(&f);
}

/* The dp transcripts of "Structural Memory Patterns (Part 4)": inclusive ranges and holes. */
TEST(display_transcript_kernel_stack_dp)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_STR(run(&f, "dp fffff88005875000 fffff88005875010"),
              "fffff880`05875000  039b5000`6e696268 00000000`00002000\n"
              "fffff880`05875010  00000000`00000000\n");
    CHECK_STR(run(&f, "dp fffff88005875000-10 fffff88005875010+10"),
              "fffff880`05874ff0  6ab90c4f`039ba1b8 039b8050`fffffff8\n"
              "fffff880`05875000  039b5000`6e696268 00000000`00002000\n"
              "fffff880`05875010  00000000`00000000 00000000`00000000\n"
              "fffff880`05875020  00000294`ffffffd0\n");
    CHECK_STR(run(&f, "dp fffff88005874000-30"),
              "fffff880`05873fd0  ????????`???????? ????????`????????\n"
              "fffff880`05873fe0  ????????`???????? ????????`????????\n"
              "fffff880`05873ff0  ????????`???????? ????????`????????\n"
              "fffff880`05874000  039ba000`6e696268 00000000`00001000\n"
              "fffff880`05874010  00000000`00000000 00000000`00000000\n"
              "fffff880`05874020  00206b6e`ffffffa8 01cae7bd`b8aca323\n"
              "fffff880`05874030  039b6698`00000000 00000000`00000001\n"
              "fffff880`05874040  ffffffff`039bafe8 039b6710`00000004\n");
    CHECK_STR(run(&f, "dp fffff8800587d000-30"),
              "fffff880`0587cfd0  00000000`00000000 00000000`00000000\n"
              "fffff880`0587cfe0  00000000`00000000 00000000`00000000\n"
              "fffff880`0587cff0  00000000`00000000 00000000`00000000\n"
              "fffff880`0587d000  ????????`???????? ????????`????????\n"
              "fffff880`0587d010  ????????`???????? ????????`????????\n"
              "fffff880`0587d020  ????????`???????? ????????`????????\n"
              "fffff880`0587d030  ????????`???????? ????????`????????\n"
              "fffff880`0587d040  ????????`???????? ????????`????????\n");
    fixture_deinit(&f);
}

/* A heap walkthrough on x86: "dd 00c107d8" (first five lines shown) and "da 00c107d8". */
TEST(display_transcript_heap_x86)
{
    struct fixture f;
    fixture_init(&f, &fake32);
    CHECK_STR(run(&f, "dd 00c107d8 L14"), "00c107d8  3b414847 4e4d4c4b 5251504f 56555453\n"
                                          "00c107e8  5a595857 00000000 00000000 00000000\n"
                                          "00c107f8  c7fabdfd 0000cbde 00c100c4 00c107c8\n"
                                          "00c10808  00000000 00000000 00000000 00000000\n"
                                          "00c10818  00000000 00000000 00000000 00000000\n");
    CHECK_STR(run(&f, "da 00c107d8"), "00c107d8  \"GHA;KLMNOPQRSTUVWXYZ\"\n");
    /* Default dd: 0x80 bytes, the lines past the block are missing memory. */
    const char *out = run(&f, "dd 00c107d8");
    CHECK_EQ(count_lines(out), 8);
    CHECK(strstr(out, "00c10828  ???????? ???????? ???????? ????????\n") != NULL);
    fixture_deinit(&f);
}

/* String transcripts: 32 characters per line, then the rest up to the NUL. */
TEST(display_transcript_strings)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    /* 0:000> da 00000001`40002220 (a Fibonacci exercise) */
    CHECK_STR(run(&f, "da 00000001`40002220"),
              "00000001`40002220  \"First %d elements of the Fibbona\"\n"
              "00000001`40002240  \"cci sequence: \"\n");
    fixture_deinit(&f);

    fixture_init(&f, &fake32);
    /* 0:000> da 0x7c844a28 (kernel32!QueueUserAPC's DbgPrint format) */
    CHECK_STR(run(&f, "da 0x7c844a28"), "7c844a28  \"SXS: %s failing because RtlQuery\"\n"
                                        "7c844a48  \"InformationActivationContext() r\"\n"
                                        "7c844a68  \"eturned status %08lx.\"\n");
    /* 0:000> du 0x14c6540 (a pdbex walkthrough) */
    CHECK_STR(run(&f, "du 0x14c6540"), "014c6540  \"J:\\dev\\temp\\pdbex-sample\\pdbex-d\"\n"
                                       "014c6580  \"emo\\Debug\\pdbex-demo.exe\"\n");
    /* An explicit length stops early; a NUL at the start prints "". */
    CHECK_STR(run(&f, "da 0x7c844a28 L5"), "7c844a28  \"SXS: \"\n");
    CHECK_STR(run(&f, "da 00c107ec"), "00c107ec  \"\"\n");
    fixture_deinit(&f);
}

/* The brief's x86 layouts for a stack at 0012fe84 (documented column layout). */
TEST(display_layouts_x86)
{
    struct fixture f;
    fixture_init(&f, &fake32);
    CHECK_STR(run(&f, "db 0012fe84 L10"),
              "0012fe84  9c fe 12 00 0c 3d 40 00-01 00 00 00 00 00 00 00  .....=@.........\n");
    CHECK_STR(run(&f, "dw 0012fe84 L8"), "0012fe84  fe9c 0012 3d0c 0040 0001 0000 0000 0000\n");
    CHECK_STR(run(&f, "dd 0012fe84 L4"), "0012fe84  0012fe9c 00403d0c 00000001 00000000\n");
    CHECK_STR(run(&f, "dp 0012fe84 L4"), "0012fe84  0012fe9c 00403d0c 00000001 00000000\n");
    CHECK_STR(run(&f, "dq 0012fe84 L2"), "0012fe84  00403d0c`0012fe9c 00000000`00000001\n");
    CHECK_STR(run(&f, "dc 0012fe84 L4"),
              "0012fe84  0012fe9c 00403d0c 00000001 00000000  .....=@.........\n");
    /* dds: one value per line, then its symbol when it points into a module. */
    CHECK_STR(run(&f, "dds 0012fe94 L2"), "0012fe94  0040429e test_app+0x429e\n"
                                          "0012fe98  7c90120e\n");
    CHECK_STR(run(&f, "dds 0012fea0 L1"), "0012fea0  ????????\n");
    CHECK_STR(run(&f, "dps 0012fe94 L1"), "0012fe94  0040429e test_app+0x429e\n");
    fixture_deinit(&f);
}

TEST(display_missing_memory)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    /* From the address-syntax page: "d *((long*)...)" on unreadable memory. */
    CHECK_STR(first_line(run(&f, "dd 409")),
              "00000000`00000409  ???????? ???????? ???????? ????????");
    CHECK_STR(run(&f, "dq 409 L2"), "00000000`00000409  ????????`???????? ????????`????????\n");
    CHECK_STR(run(&f, "dqs 409 L1"), "00000000`00000409  ????????`????????\n");
    fixture_deinit(&f);

    fixture_init(&f, &fake32);
    /* A hole in the middle of a row: known bytes, then question marks. */
    CHECK_STR(run(&f, "db 2000 L10"),
              "00002000  41 42 43 44 45 46 ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  ABCDEF??????????\n");
    CHECK_STR(run(&f, "dd 2000 L2"), "00002000  44434241 ????????\n");
    CHECK_STR(run(&f, "dw 2000 L4"), "00002000  4241 4443 4645 ????\n");
    /* Memory before a hole is not lost: the row starts missing and ends readable. */
    CHECK_STR(run(&f, "db 0012fe80 L8"),
              "0012fe80  ?? ?? ?? ?? 9c fe 12 00                          ????....\n");
    /* Every line of a wholly missing range still prints. */
    CHECK_EQ(count_lines(run(&f, "db 10 L30")), 3);
    fixture_deinit(&f);
}

TEST(display_ranges)
{
    struct fixture f;
    fixture_init(&f, &fake32);
    /* START END is inclusive: 0012fe84..0012fe8b is two dwords. */
    CHECK_STR(run(&f, "dd 0012fe84 0012fe8b"), "0012fe84  0012fe9c 00403d0c\n");
    CHECK_STR(run(&f, "dd 0012fe84 0012fe8c"), "0012fe84  0012fe9c 00403d0c 00000001\n");
    /* L-COUNT ends at the address. */
    CHECK_STR(run(&f, "dd 0012fe8c L-2"), "0012fe84  0012fe9c 00403d0c\n");
    CHECK_STR(run(&f, "dd 0012fe84 L?2"), "0012fe84  0012fe9c 00403d0c\n");
    CHECK_STR(run(&f, "dd esp l1"), "0012fe84  0012fe9c\n");
    CHECK_STR(run(&f, "dd 0012fe84+4 L 1"), "0012fe88  00403d0c\n");
    /* Beyond 256 MB needs L?. */
    CHECK_STR(run(&f, "dd 0 L4000001"), "ERROR: Range error in 'dd 0 L4000001'");
    CHECK_STR(run(&f, "db 0 L10000001"), "ERROR: Range error in 'db 0 L10000001'");
    CHECK_STR(run(&f, "dd 2000 1000"), "ERROR: Range error in 'dd 2000 1000'");
    CHECK_STR(run(&f, "dd 10 L-8"), "ERROR: Range error in 'dd 10 L-8'");
    CHECK_STR(run(&f, "dd fffffff0 L8"), "ERROR: Range error in 'dd fffffff0 L8'");
    CHECK_STR(run(&f, "dd xyz"), "ERROR: Couldn't resolve error at 'xyz'");
    CHECK_STR(run(&f, "dd 1000 2000 3000"), "ERROR: Syntax error at '3000'");
    CHECK_STR(run(&f, "dd 1000 L0"), "");
    fixture_deinit(&f);
}

TEST(display_continues_after_last)
{
    struct fixture f;
    fixture_init(&f, &fake32);
    /* No previous display: start at the instruction pointer. */
    CHECK_STR(first_line(run(&f, "dd")), "00c107d8  3b414847 4e4d4c4b 5251504f 56555453");
    CHECK_STR(run(&f, "db 0012fe84 L4"),
              "0012fe84  9c fe 12 00                                      ....\n");
    /* A bare dd after db continues where db stopped, as dwords. */
    CHECK_STR(first_line(run(&f, "dd")), "0012fe88  00403d0c 00000001 00000000 0040429e");
    CHECK_EQ(f.s.next_dump_addr, 0x0012fe88 + 0x80);
    /* `d` repeats the last format. */
    CHECK_STR(first_line(run(&f, "d 0012fe84")), "0012fe84  0012fe9c 00403d0c 00000001 00000000");
    CHECK_STR(run(&f, "da 00c107d8"), "00c107d8  \"GHA;KLMNOPQRSTUVWXYZ\"\n");
    CHECK_EQ(f.s.next_dump_addr, 0x00c107d8 + 21); /* past the NUL */
    fixture_deinit(&f);
}

/* `?`: WinDbg transcripts on x64 and x86 targets. */
TEST(display_evaluate)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_STR(run(&f, "? 0x208"), "Evaluate expression: 520 = 00000000`00000208\n");
    CHECK_STR(run(&f, "? -0x208"), "Evaluate expression: -520 = ffffffff`fffffdf8\n");
    CHECK_STR(run(&f, "? (0x22 & 0x00f) == 0x40"), "Evaluate expression: 0 = 00000000`00000000\n");
    CHECK_STR(run(&f, "? fffff8a0`00d76c51 & ffffffff`fffffff0"),
              "Evaluate expression: -8108884136880 = fffff8a0`00d76c50\n");
    CHECK_STR(run(&f, "? 8546c0f8 - 0b8"), "Evaluate expression: 2236006464 = 00000000`8546c040\n");
    CHECK_STR(run(&f, "?000000000007fff5/8"), "Evaluate expression: 65534 = 00000000`0000fffe\n");
    CHECK_STR(run(&f, "? 1 2"), "ERROR: Extra character error in '? 1 2'");
    CHECK_STR(run(&f, "? poi(0)"), "ERROR: Memory access error at ')'");
    fixture_deinit(&f);

    fixture_init(&f, &fake32);
    CHECK_STR(run(&f, "?320"), "Evaluate expression: 800 = 00000320\n");
    CHECK_STR(run(&f, "?0x0 - 320"), "Evaluate expression: -800 = fffffce0\n");
    CHECK_STR(run(&f, "? 001c1944 - 001c18d4"), "Evaluate expression: 112 = 00000070\n");
    /* Values that need more than 32 bits keep the 64-bit form. */
    CHECK_STR(run(&f, "? 1`00000000"), "Evaluate expression: 4294967296 = 00000001`00000000\n");
    fixture_deinit(&f);
}

/* .formats transcripts (kernel and user sessions in other time zones). */
TEST(display_formats_x64)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    /* "0: kd> .formats 0x22", Time shown at UTC+5:30 as "Thu Jan  1 05:30:34 1970". */
    CHECK_STR(run(&f, ".formats 0x22"),
              "Evaluate expression:\n"
              "  Hex:     00000000`00000022\n"
              "  Decimal: 34\n"
              "  Decimal (unsigned) : 34\n"
              "  Octal:   0000000000000000000042\n"
              "  Binary:  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00100010\n"
              "  Chars:   .......\"\n"
              "  Time:    Thu Jan  1 00:00:34 1970\n"
              "  Float:   low 4.76441e-044 high 0\n"
              "  Double:  1.67982e-322\n");
    /* "kd> .formats FFFFF8020F3F4280" */
    CHECK_STR(run(&f, ".formats FFFFF8020F3F4280"),
              "Evaluate expression:\n"
              "  Hex:     fffff802`0f3f4280\n"
              "  Decimal: -8787247283584\n"
              "  Decimal (unsigned) : 18446735286462268032\n"
              "  Octal:   1777777600101717641200\n"
              "  Binary:  11111111 11111111 11111000 00000010 00001111 00111111 01000010 10000000\n"
              "  Chars:   .....?B.\n"
              "  Time:    ***** Invalid FILETIME\n"
              "  Float:   low 9.42983e-030 high -1.#QNAN\n"
              "  Double:  -1.#QNAN\n");
    /* "1: kd> .formats 0x74536d4d`03880000", Time shown at UTC-7 as Fri Jan  7 20:15:00.577. */
    CHECK_STR(run(&f, ".formats 0x74536d4d`03880000"),
              "Evaluate expression:\n"
              "  Hex:     74536d4d`03880000\n"
              "  Decimal: 8382163509005778944\n"
              "  Decimal (unsigned) : 8382163509005778944\n"
              "  Octal:   0721233324640342000000\n"
              "  Binary:  01110100 01010011 01101101 01001101 00000011 10001000 00000000 00000000\n"
              "  Chars:   tSmM....\n"
              "  Time:    Sat Jan  8 03:15:00.577 28163 (UTC + 0:00)\n"
              "  Float:   low 7.99336e-037 high 6.70039e+031\n"
              "  Double:  2.22547e+252\n");
    /* "kd> .formats cr0" = 00000000`80050031: a negative 32-bit time. */
    const char *out = run(&f, ".formats 80050031");
    CHECK(strstr(out, "  Time:    ***** Invalid\n") != NULL);
    CHECK(strstr(out, "  Octal:   0000000000020001200061\n") != NULL);
    CHECK(strstr(out, "  Chars:   .......1\n") != NULL);
    CHECK(strstr(out, "  Float:   low -4.59246e-040 high 0\n") != NULL);
    CHECK(strstr(out, "  Double:  1.06116e-314\n") != NULL);
    CHECK_STR(run(&f, ".formats"), "ERROR: Numeric expression missing from '<EOL>'");
    fixture_deinit(&f);
}

TEST(display_formats_x86)
{
    struct fixture f;
    fixture_init(&f, &fake32);
    /* "0: kd> .formats cr4" on a 32-bit kernel; Time shown at UTC+9. */
    CHECK_STR(run(&f, ".formats 001406e9"), "Evaluate expression:\n"
                                            "  Hex:     001406e9\n"
                                            "  Decimal: 1312489\n"
                                            "  Decimal (unsigned) : 1312489\n"
                                            "  Octal:   00005003351\n"
                                            "  Binary:  00000000 00010100 00000110 11101001\n"
                                            "  Chars:   ....\n"
                                            "  Time:    Fri Jan 16 04:34:49 1970\n"
                                            "  Float:   low 1.83919e-039 high 0\n"
                                            "  Double:  6.48456e-318\n");
    /* "0: kd> .formats cr0": a 32-bit register, sign extended. */
    f.s.ctx.r[0] = 0x80010033;
    CHECK_STR(run(&f, ".formats eax"), "Evaluate expression:\n"
                                       "  Hex:     80010033\n"
                                       "  Decimal: -2147418061\n"
                                       "  Decimal (unsigned) : 2147549235\n"
                                       "  Octal:   20000200063\n"
                                       "  Binary:  10000000 00000001 00000000 00110011\n"
                                       "  Chars:   ...3\n"
                                       "  Time:    ***** Invalid\n"
                                       "  Float:   low -9.1907e-041 high -1.#QNAN\n"
                                       "  Double:  -1.#QNAN\n");
    /* "0:001> .formats 0000014b" (an x86 user session in UTC). */
    const char *out = run(&f, ".formats 0000014b");
    CHECK(strstr(out, "  Octal:   00000000513\n") != NULL);
    CHECK(strstr(out, "  Chars:   ...K\n") != NULL);
    CHECK(strstr(out, "  Time:    Thu Jan  1 00:05:31 1970\n") != NULL);
    CHECK(strstr(out, "  Float:   low 4.6383e-043 high 0\n") != NULL);
    CHECK(strstr(out, "  Double:  1.63536e-321\n") != NULL);
    fixture_deinit(&f);
}

TEST(display_radix)
{
    struct fixture f;
    fixture_init(&f, &fake32);
    CHECK_STR(run(&f, "n"), "base is 16\n");
    CHECK_STR(run(&f, "n 10"), "base is 10\n");
    CHECK_EQ(f.s.radix, 10);
    CHECK_STR(run(&f, "? 10"), "Evaluate expression: 10 = 0000000a\n");
    CHECK_STR(run(&f, "n 8"), "base is 8\n");
    CHECK_STR(run(&f, "n 7"), "ERROR: Syntax error in 'n 7'");
    CHECK_EQ(f.s.radix, 8);
    fixture_deinit(&f);
}

/*
 * Breakpad's minidump2.dmp: its golden (goldens/minidump2.dump.out) lists the
 * stack region at 0x12f31c starting with the bytes
 *   00000000 c0e9907c cb25807c b8070000 00000000 00000000 34ff1200 b0fe1200
 * and ntdll at 0x7c900000, kernel32 at 0x7c800000.
 */
TEST(display_corpus_minidump2)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not present");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/minidump2.dmp", dir);
    struct target *t = NULL;
    struct dd_error *err = target_open(path, &t);
    if (err) {
        check_fail(__FILE__, __LINE__, "target_open: %s", err->message);
        dd_error_destroy(err);
        return;
    }
    struct fixture f;
    memset(&f, 0, sizeof(f));
    f.w = dd_writer_strbuf(&f.out);
    session_init(&f.s, t, &f.w, path);
    CHECK_STR(run(&f, "db 12f31c L20"),
              "0012f31c  00 00 00 00 c0 e9 90 7c-cb 25 80 7c b8 07 00 00  .......|.%.|....\n"
              "0012f32c  00 00 00 00 00 00 00 00-34 ff 12 00 b0 fe 12 00  ........4.......\n");
    CHECK_STR(run(&f, "dd 12f31c L8"), "0012f31c  00000000 7c90e9c0 7c8025cb 000007b8\n"
                                       "0012f32c  00000000 00000000 0012ff34 0012feb0\n");
    CHECK_STR(run(&f, "dds 12f320 L2"), "0012f320  7c90e9c0 ntdll+0xe9c0\n"
                                        "0012f324  7c8025cb kernel32+0x25cb\n");
    CHECK_STR(run(&f, "? ntdll"), "Evaluate expression: 2089811968 = 7c900000\n");
    CHECK_STR(run(&f, "? poi(12f320) - kernel32"), "Evaluate expression: 1108416 = 0010e9c0\n");
    /* The region ends at 0x12f31c + 0xce4 = 0x130000; its last bytes are 43544000 00000000. */
    CHECK_STR(run(&f, "dd 12fff8 L4"), "0012fff8  00405443 00000000 ???????? ????????\n");
    session_deinit(&f.s);
    dd_strbuf_deinit(&f.out);
    target_destroy(t);
}

/*
 * dda/ddu/dpa/dpu (debugger reference "dda, ddp, ddu, dpa, dpp, dpu, dqa, dqp, dqu (Display
 * Referenced Memory)"): dds's one-pointer-per-line layout with the string each pointer refers to
 * after one blank, as da/du would quote it; nothing after a null or unreadable pointer.
 */
TEST(display_referenced_strings)
{
    struct fixture f;
    fixture_init(&f, &fake32);
    CHECK_STR(run(&f, "dda 3000 L4"),
              "00003000  7c844a28 \"SXS: %s failing because RtlQueryInformationActivationContext() "
              "returned status %08lx.\"\n"
              "00003004  014c6540 \"J\"\n"
              "00003008  00000000\n"
              "0000300c  00002000 \"ABCDEF\"\n");
    CHECK_STR(run(&f, "ddu 3004 L1"),
              "00003004  014c6540 \"J:\\dev\\temp\\pdbex-sample\\pdbex-demo\\Debug\\"
              "pdbex-demo.exe\"\n");
    CHECK_STR(run(&f, "dpa 3000 L1"),
              "00003000  7c844a28 \"SXS: %s failing because RtlQueryInformationActivationContext() "
              "returned status %08lx.\"\n");
    CHECK_STR(run(&f, "dpu 3010 L1"), "00003010  ????????\n");
    /* Without a count: 128 bytes of pointers (32 on x86). */
    CHECK_EQ(count_lines(run(&f, "dpa 3000")), 32);
    fixture_deinit(&f);
}
