/*
 * Unit tests for the MASM evaluator (src/cmd/expr.c). Expected values follow
 * the debugger documentation ("MASM Numbers and Operators", "Sign Extension",
 * "Register Syntax") and WinDbg transcripts, not this implementation.
 */
#include <stdlib.h>

#include "check.h"
#include "cmd/expr.h"
#include "cmd/session.h"

/* A small register file shaped like x64's: sub-registers share slots. */
static const struct arch_reg fake64_regs[] = {
    {"rax", 64, ARCH_REG_GPR, 0, 0},   {"eax", 32, ARCH_REG_GPR, 0, 0},
    {"ax", 16, ARCH_REG_GPR, 0, 0},    {"ah", 8, ARCH_REG_GPR, 0, 8},
    {"al", 8, ARCH_REG_GPR, 0, 0},     {"rsp", 64, ARCH_REG_GPR, 1, 0},
    {"rip", 64, ARCH_REG_GPR, 2, 0},   {"efl", 32, ARCH_REG_FLAGS, 3, 0},
    {"cf", 1, ARCH_REG_FLAGS, 3, 0},   {"zf", 1, ARCH_REG_FLAGS, 3, 6},
    {"r10", 64, ARCH_REG_GPR, 4, 0},   {"ebx", 32, ARCH_REG_GPR, 5, 0},
    {"rbx", 64, ARCH_REG_GPR, 5, 0},   {"dr7", 64, ARCH_REG_DEBUG, 6, 0},
    {"xmm0", 128, ARCH_REG_VEC, 0, 0},
};

static const struct arch_ops fake64 = {
    .name = "x64",
    .cpu = DD_CPU_X64,
    .ptr_size = 8,
    .regs = fake64_regs,
    .nregs = sizeof(fake64_regs) / sizeof(fake64_regs[0]),
    .pc_slot = 2,
    .sp_slot = 1,
    .fp_slot = 5,
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

/* Memory: a pointer at 0x1000, a PE header at the module base. */
static uint8_t mem_data[0x20];
static uint8_t mem_image[0x100];
/* TEB.ProcessEnvironmentBlock of the x64 TEB at 0x7ffde000 (+0x60). */
static const uint8_t mem_teb_peb[8] = {0x00, 0xa0, 0xfd, 0x7f};

struct fixture {
    struct target t;
    struct target_module mods[2];
    struct target_thread threads[1];
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
};

static void fixture_init(struct fixture *f, const struct arch_ops *arch)
{
    memset(f, 0, sizeof(*f));
    for (unsigned i = 0; i < sizeof(mem_data); i++)
        mem_data[i] = (uint8_t)(0x11 * (i % 16) + i / 16);
    /* 0x1000: qword 0x00000000`00402000 then bytes 0x88 0x77 ... */
    memset(mem_data, 0, 8);
    mem_data[0] = 0x00;
    mem_data[1] = 0x20;
    mem_data[2] = 0x40;
    memset(mem_image, 0, sizeof(mem_image));
    mem_image[0] = 'M';
    mem_image[1] = 'Z';
    mem_image[0x3c] = 0x80;        /* e_lfanew */
    mem_image[0x80 + 0x28] = 0x34; /* AddressOfEntryPoint = 0x1234 */
    mem_image[0x80 + 0x29] = 0x12;

    f->t.ops = &fake_ops;
    f->t.sys.cpu = arch->cpu;
    dd_memmap_init(&f->t.memory);
    CHECK_OK(dd_memmap_add(&f->t.memory, 0x1000, sizeof(mem_data), mem_data));
    CHECK_OK(dd_memmap_add(&f->t.memory, 0x400000, sizeof(mem_image), mem_image));
    CHECK_OK(dd_memmap_add(&f->t.memory, 0x7ffde060, sizeof(mem_teb_peb), mem_teb_peb));
    CHECK_OK(dd_memmap_finish(&f->t.memory));

    f->mods[0] = (struct target_module){
        .base = 0x400000, .size = 0x10000, .path = "C:\\app\\test_app.exe", .name = "test_app"};
    f->mods[1] = (struct target_module){.base = 0x7ff800000000,
                                        .size = 0x200000,
                                        .path = "C:\\Windows\\System32\\ntdll.dll",
                                        .name = "ntdll"};
    f->t.modules = f->mods;
    f->t.nmodules = 2;
    f->threads[0] = (struct target_thread){.tid = 0x1a2c, .teb = 0x7ffde000};
    f->t.threads = f->threads;
    f->t.nthreads = 1;
    f->t.proc.has_pid = true;
    f->t.proc.pid = 0x4d8;
    f->t.proc.peb = 0x7ffdf000;

    f->w = dd_writer_strbuf(&f->out);
    session_init(&f->s, &f->t, &f->w, "test.dmp");
    f->s.arch = arch;
    f->s.effmach = arch;
    /* Registers come from a hand-built context, as after .cxr. */
    f->s.ctx_source = SESSION_CTX_OVERRIDE;
    memset(&f->s.ctx, 0, sizeof(f->s.ctx));
    f->s.ctx.arch = arch;
    for (unsigned i = 0; i < 7; i++)
        f->s.ctx.valid[i] = true;
    f->s.ctx.r[0] = 0x00000000c0de1234ULL; /* rax: eax has bit 31 set */
    f->s.ctx.r[1] = 0x000000000012fe80ULL; /* sp */
    f->s.ctx.r[2] = 0x0000000000401000ULL; /* pc */
    f->s.ctx.r[3] = 0x00000246;            /* flags: ZF (bit 6) set, CF clear */
    f->s.ctx.r[4] = 0;                     /* r10 */
    f->s.ctx.r[5] = 0x1122334455667788ULL;
}

static void fixture_deinit(struct fixture *f)
{
    session_deinit(&f->s);
    dd_memmap_deinit(&f->t.memory);
    dd_strbuf_deinit(&f->out);
}

/* Evaluates TEXT; returns the value, failing the test on error. */
static uint64_t ev(struct fixture *f, const char *text)
{
    uint64_t v = 0xdeadbeefdeadbeefULL;
    struct dd_error *err = expr_eval(&f->s, text, &v);
    if (err) {
        check_fail(__FILE__, __LINE__, "expr_eval(\"%s\") failed: %s", text, err->message);
        dd_error_destroy(err);
    }
    return v;
}

/* Checks that TEXT fails with CODE and exactly MESSAGE. */
static void check_error(struct fixture *f, const char *text, enum dd_error_code code,
                        const char *message)
{
    uint64_t v = 0;
    struct dd_error *err = expr_eval(&f->s, text, &v);
    if (!err) {
        check_fail(__FILE__, __LINE__, "expr_eval(\"%s\") = 0x%llx, wanted an error", text,
                   (unsigned long long)v);
        return;
    }
    if (err->code != code || strcmp(err->message, message) != 0)
        check_fail(__FILE__, __LINE__, "expr_eval(\"%s\"): code %d \"%s\", wanted %d \"%s\"", text,
                   err->code, err->message, code, message);
    dd_error_destroy(err);
}

TEST(expr_numbers_and_prefixes)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "10"), 0x10); /* default radix 16 */
    CHECK_EQ(ev(&f, "0x4AB3"), 0x4ab3);
    CHECK_EQ(ev(&f, "0X4aB3"), 0x4ab3);
    CHECK_EQ(ev(&f, "4AB3h"), 0x4ab3);
    CHECK_EQ(ev(&f, "4aB3H"), 0x4ab3);
    CHECK_EQ(ev(&f, "0n10"), 10);
    CHECK_EQ(ev(&f, "0t10"), 8);
    CHECK_EQ(ev(&f, "0y101"), 5);
    CHECK_EQ(ev(&f, "0x"), 0); /* a prefix alone reads as 0 */
    CHECK_EQ(ev(&f, "00000000`0012fe84"), 0x12fe84);
    CHECK_EQ(ev(&f, "fffff8a0`00d76c51"), 0xfffff8a000d76c51ULL);
    CHECK_EQ(ev(&f, "bad"), 0xbad); /* a hex-looking word is a number */
    CHECK_EQ(ev(&f, "ffffffffffffffff"), UINT64_MAX);
    /* "? @r10 + 0x10 + 0t10 + 0y10" = 26 in the MASM page, with r10 = 0. */
    CHECK_EQ(ev(&f, "@r10 + 0x10 + 0t10 + 0y10"), 26);
    check_error(&f, "1`00000000`00000000", DD_ERR_SYNTAX,
                "Overflow error at '1`00000000`00000000'");
    fixture_deinit(&f);
}

TEST(expr_radix)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    f.s.radix = 10;
    CHECK_EQ(ev(&f, "10"), 10);
    CHECK_EQ(ev(&f, "0x10"), 16);
    CHECK_EQ(ev(&f, "10h"), 16);
    check_error(&f, "1f", DD_ERR_NOT_FOUND, "Couldn't resolve error at '1f'");
    f.s.radix = 8;
    CHECK_EQ(ev(&f, "17"), 15);
    CHECK_EQ(ev(&f, "0n17"), 17);
    fixture_deinit(&f);
}

TEST(expr_precedence)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "1+2*3"), 7);
    CHECK_EQ(ev(&f, "(1+2)*3"), 9);
    CHECK_EQ(ev(&f, "10-2-3"), 0xb); /* left to right */
    CHECK_EQ(ev(&f, "20/4/2"), 4);
    CHECK_EQ(ev(&f, "7 mod 4 + 1"), 4);
    CHECK_EQ(ev(&f, "7 % 4"), 3);
    CHECK_EQ(ev(&f, "1 + 2 << 1"), 6);  /* shifts bind looser than + */
    CHECK_EQ(ev(&f, "1 << 2 == 4"), 1); /* comparisons looser than shifts */
    CHECK_EQ(ev(&f, "3 = 3"), 1);
    CHECK_EQ(ev(&f, "3 == 4"), 0);
    CHECK_EQ(ev(&f, "3 != 4"), 1);
    CHECK_EQ(ev(&f, "1 < 2"), 1);
    CHECK_EQ(ev(&f, "2 <= 2"), 1);
    CHECK_EQ(ev(&f, "1 > 2"), 0);
    CHECK_EQ(ev(&f, "2 >= 3"), 0);
    CHECK_EQ(ev(&f, "-1 > 0"), 1);     /* all values are unsigned 64-bit */
    CHECK_EQ(ev(&f, "1 == 1 & 3"), 1); /* & looser than == */
    CHECK_EQ(ev(&f, "6 & 3 ^ 1"), 3);  /* ^ looser than & */
    CHECK_EQ(ev(&f, "4 | 6 ^ 3"), 5);  /* | looser than ^ */
    CHECK_EQ(ev(&f, "6 and 3"), 2);
    CHECK_EQ(ev(&f, "6 xor 3"), 5);
    CHECK_EQ(ev(&f, "6 or 3"), 7);
    CHECK_EQ(ev(&f, "8 >> 1"), 4);
    CHECK_EQ(ev(&f, "-8 >> 1"), 0x7ffffffffffffffcULL);  /* logical */
    CHECK_EQ(ev(&f, "-8 >>> 1"), 0xfffffffffffffffcULL); /* arithmetic */
    CHECK_EQ(ev(&f, "(0x22 & 0x00f) == 0x40"), 0);
    CHECK_EQ(ev(&f, "fffff8a0`00d76c51 & ffffffff`fffffff0"), 0xfffff8a000d76c50ULL);
    CHECK_EQ(ev(&f, "000000000007fff5/8"), 0xfffe);
    CHECK_EQ(ev(&f, "ffffab893fe50ba0+0000fffe"), 0xffffab893fe60b9eULL);
    fixture_deinit(&f);
}

TEST(expr_unary)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "-0x208"), 0xfffffffffffffdf8ULL);
    CHECK_EQ(ev(&f, "+5"), 5);
    CHECK_EQ(ev(&f, "~0"), UINT64_MAX);
    CHECK_EQ(ev(&f, "not 0"), 1);
    CHECK_EQ(ev(&f, "not 5"), 0);
    CHECK_EQ(ev(&f, "hi 12345678"), 0x1234);
    CHECK_EQ(ev(&f, "low 12345678"), 0x5678);
    CHECK_EQ(ev(&f, "-1*2"), (uint64_t)-2);
    CHECK_EQ(ev(&f, "- -3"), 3);
    CHECK_EQ(ev(&f, "NOT 0"), 1); /* keywords are case-insensitive */
    fixture_deinit(&f);
}

TEST(expr_memory_operators)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "poi(1000)"), 0x402000);
    CHECK_EQ(ev(&f, "poi 1000"), 0x402000);
    CHECK_EQ(ev(&f, "qwo(1000)"), 0x402000);
    CHECK_EQ(ev(&f, "dwo(1001)"), 0x4020);
    CHECK_EQ(ev(&f, "wo(1001)"), 0x4020);
    CHECK_EQ(ev(&f, "by(1002)"), 0x40);
    CHECK_EQ(ev(&f, "poi(1000)+8"), 0x402008); /* unary binds tighter */
    CHECK_EQ(ev(&f, "poi(poi(1000) - 402000 + 1000)"), 0x402000);
    /* Missing memory: "Memory access error at ')'" as WinDbg prints for "? dw(addr)". */
    uint64_t v;
    struct dd_error *err = expr_eval(&f.s, "poi(0)", &v);
    CHECK(err && err->code == DD_ERR_MEMORY);
    CHECK_STR(err ? err->message : NULL, "Memory access error at ')'");
    CHECK(err && err->address == 0);
    dd_error_destroy(err);
    check_error(&f, "dwo(1000+1e) == 0x100", DD_ERR_MEMORY, "Memory access error at ') == 0x100'");
    check_error(&f, "poi 5", DD_ERR_MEMORY, "Memory access error at '5'");
    fixture_deinit(&f);

    /* On a 32-bit machine poi reads 4 bytes. */
    fixture_init(&f, &fake32);
    CHECK_EQ(ev(&f, "poi(1000)"), 0x402000);
    CHECK_EQ(ev(&f, "poi(1001)"), 0x4020);
    fixture_deinit(&f);
}

TEST(expr_registers)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "rax"), 0xc0de1234);
    CHECK_EQ(ev(&f, "@rax"), 0xc0de1234);
    CHECK_EQ(ev(&f, "@RAX+8"), 0xc0de123c);
    /* "A 32-bit register is sign extended in both modes" (Sign Extension). */
    CHECK_EQ(ev(&f, "eax"), 0xffffffffc0de1234ULL);
    CHECK_EQ(ev(&f, "ax"), 0x1234);
    CHECK_EQ(ev(&f, "ah"), 0xa); /* "ah" is a number before it is a register */
    CHECK_EQ(ev(&f, "@ah"), 0x12);
    CHECK_EQ(ev(&f, "al"), 0x34);
    CHECK_EQ(ev(&f, "efl"), 0x246);
    CHECK_EQ(ev(&f, "cf"), 0xcf); /* hex first */
    CHECK_EQ(ev(&f, "@cf"), 0);
    CHECK_EQ(ev(&f, "@zf"), 1);
    CHECK_EQ(ev(&f, "ebx"), 0x55667788);
    CHECK_EQ(ev(&f, "dr7"), 0);
    check_error(&f, "@xmm0", DD_ERR_NOT_FOUND, "Couldn't resolve error at '@xmm0'");
    check_error(&f, "@nosuch", DD_ERR_NOT_FOUND, "Couldn't resolve error at '@nosuch'");
    fixture_deinit(&f);

    fixture_init(&f, &fake32);
    f.s.ctx.r[0] = 0x80010033;
    CHECK_EQ(ev(&f, "eax"), 0xffffffff80010033ULL);
    CHECK_EQ(ev(&f, "eip"), 0x401000);
    fixture_deinit(&f);
}

TEST(expr_pseudo_registers)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "@$ip"), 0x401000);
    CHECK_EQ(ev(&f, "$ip"), 0x401000);
    CHECK_EQ(ev(&f, "@$csp"), 0x12fe80);
    CHECK_EQ(ev(&f, "@$retreg"), 0xc0de1234);
    CHECK_EQ(ev(&f, "@$teb"), 0x7ffde000);
    CHECK_EQ(ev(&f, "@$peb"), 0x7ffdf000);
    CHECK_EQ(ev(&f, "@$tid"), 0x1a2c);
    CHECK_EQ(ev(&f, "@$tpid"), 0x4d8);
    CHECK_EQ(ev(&f, "@$ptrsize"), 8);
    CHECK_EQ(ev(&f, "@$exentry"), 0x401234);
    CHECK_EQ(ev(&f, "@$teb + 0x108"), 0x7ffde108);
    /* Without a PEB address from the dump, the TEB's ProcessEnvironmentBlock is used. */
    f.t.proc.peb = 0;
    CHECK_EQ(ev(&f, "@$peb"), 0x7ffda000);
    f.threads[0].teb = 0x7ff00000; /* a TEB the dump does not hold */
    check_error(&f, "@$peb", DD_ERR_NOT_FOUND, "Couldn't resolve error at '@$peb'");
    check_error(&f, "@$ra", DD_ERR_NOT_FOUND, "Couldn't resolve error at '@$ra'");
    check_error(&f, "@$p", DD_ERR_NOT_FOUND, "Couldn't resolve error at '@$p'");
    check_error(&f, "$nonesuch", DD_ERR_NOT_FOUND, "Couldn't resolve error at '$nonesuch'");
    fixture_deinit(&f);

    fixture_init(&f, &fake32);
    CHECK_EQ(ev(&f, "@$ptrsize"), 4);
    CHECK_EQ(ev(&f, "@$retreg"), 0xffffffffc0de1234ULL); /* eax, a 32-bit register */
    fixture_deinit(&f);
}

TEST(expr_modules)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "test_app"), 0x400000);
    CHECK_EQ(ev(&f, "test_app+0x10"), 0x400010);
    CHECK_EQ(ev(&f, "NTDLL"), 0x7ff800000000ULL);
    check_error(&f, "ntdll!NtCreateFile", DD_ERR_NOT_FOUND,
                "Couldn't resolve error at 'ntdll!NtCreateFile'");
    check_error(&f, "ntdll!Foo+4", DD_ERR_NOT_FOUND, "Couldn't resolve error at 'ntdll!Foo+4'");
    fixture_deinit(&f);
}

TEST(expr_errors)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    check_error(&f, "xyz", DD_ERR_NOT_FOUND, "Couldn't resolve error at 'xyz'");
    check_error(&f, "1 + xyz * 2", DD_ERR_NOT_FOUND, "Couldn't resolve error at 'xyz * 2'");
    check_error(&f, "1/0", DD_ERR_SYNTAX, "Divide by zero error at '0'");
    check_error(&f, "5 mod (1-1)", DD_ERR_SYNTAX, "Divide by zero error at ')'");
    check_error(&f, "1 +", DD_ERR_SYNTAX, "Numeric expression missing from '<EOL>'");
    check_error(&f, "", DD_ERR_SYNTAX, "Numeric expression missing from '<EOL>'");
    check_error(&f, "* 2", DD_ERR_SYNTAX, "Numeric expression missing from '* 2'");
    check_error(&f, "(1+1", DD_ERR_SYNTAX, "Syntax error at '<EOL>'");
    check_error(&f, "1 2", DD_ERR_SYNTAX, "Syntax error at '2'");
    check_error(&f, "1)", DD_ERR_SYNTAX, "Syntax error at ')'");

    /* Hostile nesting fails cleanly instead of exhausting the stack. */
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 2);
    CHECK(deep != NULL);
    if (deep) {
        memset(deep, '(', depth);
        deep[depth] = '1';
        memset(deep + depth + 1, ')', depth);
        deep[depth * 2 + 1] = '\0';
        uint64_t v;
        struct dd_error *err = expr_eval(&f.s, deep, &v);
        CHECK(err && err->code == DD_ERR_SYNTAX);
        dd_error_destroy(err);
        memset(deep, '-', depth * 2);
        deep[depth * 2] = '1';
        deep[depth * 2 + 1] = '\0';
        err = expr_eval(&f.s, deep, &v);
        CHECK(err && err->code == DD_ERR_SYNTAX);
        dd_error_destroy(err);
        free(deep);
    }
    fixture_deinit(&f);
}

TEST(expr_prefix_stops_at_range_words)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    const char *end = NULL;
    uint64_t v = 0;
    CHECK_OK(expr_eval_prefix(&f.s, "1000 L8", &end, &v));
    CHECK_EQ(v, 0x1000);
    CHECK_STR(end, "L8");
    CHECK_OK(expr_eval_prefix(&f.s, "1000 2000", &end, &v));
    CHECK_EQ(v, 0x1000);
    CHECK_STR(end, "2000");
    CHECK_OK(expr_eval_prefix(&f.s, "poi(1000) + 8 L?10", &end, &v));
    CHECK_EQ(v, 0x402008);
    CHECK_STR(end, "L?10");
    CHECK_OK(expr_eval_prefix(&f.s, "1 + 2", &end, &v));
    CHECK_EQ(v, 3);
    CHECK_STR(end, "");
    CHECK_OK(expr_eval_prefix(&f.s, "rax \"text\"", &end, &v));
    CHECK_STR(end, "\"text\"");
    CHECK_OK(expr_eval_prefix(&f.s, "@rax!=5", &end, &v));
    CHECK_EQ(v, 1);
    fixture_deinit(&f);
}

/*
 * "@@c++(...)" inside MASM (debugger documentation "Evaluating Expressions", "C++ Numbers and
 * Operators"): decimal numbers, C precedence and C's integer conversions inside, a number
 * outside; registers are not sign-extended there ("?? @eip" is an unsigned int).
 */
TEST(expr_cpp_inside_masm)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "@@c++(1+2*3)"), 7);
    CHECK_EQ(ev(&f, "@@c++(10) + 10"), 0x1a); /* decimal inside, hex outside */
    CHECK_EQ(ev(&f, "@@c++(sizeof(int) * 2)"), 8);
    CHECK_EQ(ev(&f, "@@c++(sizeof(unsigned __int64))"), 8);
    CHECK_EQ(ev(&f, "@@c++(*(unsigned char *)0x1001)"), 0x20);
    /* mem_data[8..11] = 0x88 0x99 0xaa 0xbb (the fixture's pattern); an int is signed. */
    CHECK_EQ(ev(&f, "@@c++(((unsigned int *)0x1000)[2])"), 0xbbaa9988);
    CHECK_EQ(ev(&f, "@@c++(((int *)0x1000)[2])"), 0xffffffffbbaa9988ULL);
    CHECK_EQ(ev(&f, "@@c++((int *)0x1000 + 3)"), 0x100c);
    CHECK_EQ(ev(&f, "@@c++((char *)0x1000 + 3)"), 0x1003);
    CHECK_EQ(ev(&f, "@@c++(&((int *)0x1000)[2] - (int *)0x1000)"), 2);
    CHECK_EQ(ev(&f, "@@c++(@eax)"), 0xc0de1234ULL);
    CHECK_EQ(ev(&f, "@eax"), 0xffffffffc0de1234ULL); /* MASM sign-extends */
    CHECK_EQ(ev(&f, "@@c++(@@masm(10))"), 0x10);
    CHECK_EQ(ev(&f, "@@(7 % 4)"), 3);
    CHECK_EQ(ev(&f, "@@c++(10 / 4)"), 2);
    CHECK_EQ(ev(&f, "@@c++(-1 < 0u)"), 0); /* -1 converts to unsigned int */
    CHECK_EQ(ev(&f, "@@c++(-1 < 0)"), 1);
    CHECK_EQ(ev(&f, "@@c++((unsigned char)0x1ff)"), 0xff);
    CHECK_EQ(ev(&f, "@@c++(0x7fffffff + 1)"), 0xffffffff80000000ULL); /* int overflow wraps */
    check_error(&f, "@@c++(1 +)", DD_ERR_SYNTAX, "Syntax error at '<EOL>'");
    fixture_deinit(&f);
}

/* $iment, $scmp and $sicmp ("MASM Numbers and Operators"): the entry point read from the image
 * header at a base (the fixture's test_app has AddressOfEntryPoint 0x1234), and strcmp-style
 * -1/0/1 comparisons of string literals. */
TEST(expr_functions)
{
    struct fixture f;
    fixture_init(&f, &fake64);
    CHECK_EQ(ev(&f, "$iment(test_app)"), 0x401234);
    CHECK_EQ(ev(&f, "@$iment(0x400000) - test_app"), 0x1234);
    check_error(&f, "$iment(0x500000)", DD_ERR_MEMORY, "Memory access error at '$iment(0x500000)'");
    CHECK_EQ(ev(&f, "$scmp(\"abc\", \"abd\")"), UINT64_MAX);
    CHECK_EQ(ev(&f, "$scmp(\"abc\",\"abc\")"), 0);
    CHECK_EQ(ev(&f, "$scmp(\"b\", \"a\")"), 1);
    CHECK_EQ(ev(&f, "$scmp(\"ABC\", \"abc\")"), UINT64_MAX);
    CHECK_EQ(ev(&f, "$sicmp(\"ABC\", \"abc\")"), 0);
    CHECK_EQ(ev(&f, "$scmp(\"a\\\"b\", \"a\\\"b\") + 5"), 5);
    check_error(&f, "$scmp(\"abc\")", DD_ERR_SYNTAX, "Syntax error at '$scmp(\"abc\")'");
    check_error(&f, "$scmp(abc, \"x\")", DD_ERR_SYNTAX, "Syntax error at '$scmp(abc, \"x\")'");
    fixture_deinit(&f);
}
