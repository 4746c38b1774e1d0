/*
 * x86 unwinder and postfix evaluator.
 *
 * Postfix: programs copied from real symbol files (llvm-pdbutil-16 dump -fpo of the corpus'
 * dump_syms_regtest.pdb, the STACK WIN lines of its Breakpad .sym, test_app.sym and Mozilla's
 * wntdll.sym), run over a synthetic stack; the expected registers are worked out by hand in
 * the comments. Every STACK WIN program of the corpus .sym files must also run cleanly.
 *
 * Unwinder: a fake target (a stack, one module with hand-assembled call sites, a frame-info
 * table), expectations from the bytes written here; then minidump2.dmp with its Breakpad
 * symbols against Breakpad's own minidump_stackwalk output (goldens/minidump2.stackwalk.out),
 * and lldb's fizzbuzz_no_heap.dmp against the frames lldb's test expects (MANIFEST.md).
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "core/target.h"
#include "dump/dump.h"
#include "pdb/pdb.h"
#include "sym/breakpad_sym.h"
#include "sym/symbols.h"
#include "unwind/postfix.h"
#include "unwind/x86/x86_unwind.h"
#include "check.h"

/* ---- the fake target -------------------------------------------------------------------- */

#define MOD_BASE 0x400000u
#define MOD_SIZE 0x10000u
#define CODE_READABLE 0x8000u /* image bytes past this RVA cannot be read */
#define STACK_BASE 0x10000u
#define STACK_SIZE 0x4000u

static uint8_t g_stack[STACK_SIZE];

struct fake_fn {
    uint32_t begin, end; /* RVAs */
    struct unwind_x86_frame_info info;
};

struct fake {
    uint8_t image[MOD_SIZE];
    struct fake_fn fns[16];
    size_t nfns;
    size_t lookups;
};

static size_t fake_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr < STACK_BASE || addr - STACK_BASE >= STACK_SIZE)
        return 0;
    size_t n = STACK_SIZE - (size_t)(addr - STACK_BASE);
    if (n > len)
        n = len;
    memcpy(buf, g_stack + (addr - STACK_BASE), n);
    return n;
}

static bool fake_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    (void)ctx;
    if (addr < MOD_BASE || addr - MOD_BASE >= MOD_SIZE)
        return false;
    *ret_base = MOD_BASE;
    *ret_size = MOD_SIZE;
    return true;
}

static size_t fake_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct fake *f = ctx;
    if (base != MOD_BASE || rva >= CODE_READABLE)
        return 0;
    size_t n = CODE_READABLE - rva;
    if (n > len)
        n = len;
    memcpy(buf, f->image + rva, n);
    return n;
}

static bool fake_find_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret)
{
    struct fake *f = ctx;
    f->lookups++;
    if (addr < MOD_BASE)
        return false;
    uint32_t rva = (uint32_t)(addr - MOD_BASE);
    for (size_t i = 0; i < f->nfns; i++) {
        if (rva >= f->fns[i].begin && rva < f->fns[i].end) {
            *ret = f->fns[i].info;
            return true;
        }
    }
    return false;
}

static struct fake *fake_new(void)
{
    struct fake *f = calloc(1, sizeof(*f));
    memset(g_stack, 0, sizeof(g_stack));
    return f;
}

static void put32(uint32_t addr, uint32_t v)
{
    dd_put_le32(g_stack + (addr - STACK_BASE), v);
}

/* Writes `call rel32` at RVA to TARGET_RVA; returns the return address. */
static uint32_t put_call(struct fake *f, uint32_t rva, uint32_t target_rva)
{
    f->image[rva] = 0xe8;
    dd_put_le32(f->image + rva + 1, target_rva - (rva + 5));
    return MOD_BASE + rva + 5;
}

static struct fake_fn *add_fn(struct fake *f, uint32_t begin, uint32_t end)
{
    struct fake_fn *fn = &f->fns[f->nfns++];
    memset(fn, 0, sizeof(*fn));
    fn->begin = begin;
    fn->end = end;
    fn->info.rva = begin;
    fn->info.code_size = end - begin;
    return fn;
}

static struct unwind_regs start_regs(uint32_t eip, uint32_t esp, uint32_t ebp)
{
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    for (unsigned i = X86_EAX; i <= X86_EDI; i++)
        unwind_regs_set(&r, i, 0x1000 + i); /* recognisable "current" values */
    unwind_regs_set(&r, X86_EIP, eip);
    unwind_regs_set(&r, X86_ESP, esp);
    unwind_regs_set(&r, X86_EBP, ebp);
    unwind_regs_set(&r, X86_EFL, 0x246);
    unwind_regs_set(&r, X86_CS, 0x1b);
    unwind_regs_set(&r, X86_SS, 0x23);
    return r;
}

static struct unwind_walk walk_opts(struct fake *f, const struct unwind_regs *start,
                                    const struct unwind_options *opts, bool with_info)
{
    struct unwind_x86_frame_info_source src = {fake_find_info, f};
    struct unwind_env env = {f,    fake_read_memory, fake_find_module,
                             NULL, fake_read_image,  with_info ? &src : NULL};
    struct unwind_walk w;
    CHECK_OK(unwind_x86_walk(&env, start, opts, &w));
    return w;
}

static struct unwind_walk walk(struct fake *f, const struct unwind_regs *start)
{
    return walk_opts(f, start, NULL, true);
}

/* ---- postfix evaluator ------------------------------------------------------------------ */

static size_t stack_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    return fake_read_memory(ctx, addr, buf, len);
}

static struct postfix_machine *machine_new(void)
{
    struct postfix_machine *m = malloc(sizeof(*m));
    postfix_init(m, 4, stack_read, NULL);
    return m;
}

static uint64_t var(const struct postfix_machine *m, const char *name)
{
    const struct postfix_var *v = postfix_lookup(m, name, strlen(name));
    if (!v) {
        check_fail(__FILE__, __LINE__, "no value for %s", name);
        return 0xdeadbeef;
    }
    return v->v.value;
}

static uint64_t var_addr(const struct postfix_machine *m, const char *name)
{
    const struct postfix_var *v = postfix_lookup(m, name, strlen(name));
    return v && v->v.from_memory ? v->v.addr : 0xdeadbeef;
}

static struct dd_error *run(struct postfix_machine *m, const char *prog)
{
    return postfix_run(m, prog, strlen(prog));
}

static void check_run_fails(const char *prog, enum dd_error_code code)
{
    struct postfix_machine *m = machine_new();
    CHECK_OK(postfix_define(m, "$esp", 0x11000));
    struct dd_error *err = run(m, prog);
    if (!err)
        check_fail(__FILE__, __LINE__, "\"%s\" did not fail", prog);
    else if (err->code != code)
        check_fail(__FILE__, __LINE__, "\"%s\": code %d (%s)", prog, err->code, err->message);
    dd_error_destroy(err);
    free(m);
}

TEST(postfix_arithmetic)
{
    struct postfix_machine *m = machine_new();
    CHECK_OK(run(m, "$a 2 3 + = $b 10 4 - = $c 6 7 * = $d 17 5 / = $e 17 5 % = $f 23 8 @ ="));
    CHECK_EQ(var(m, "$a"), 5);
    CHECK_EQ(var(m, "$b"), 6);
    CHECK_EQ(var(m, "$c"), 42);
    CHECK_EQ(var(m, "$d"), 3);
    CHECK_EQ(var(m, "$e"), 2);
    CHECK_EQ(var(m, "$f"), 16); /* 23 & ~7 */
    /* 32-bit wrap-around and negative literals (".cfa -4 +" in STACK CFI rules). */
    CHECK_OK(run(m, "$g 0 1 - = $h 4294967295 1 + = $i 8 -4 + = $j $a $b + ="));
    CHECK_EQ(var(m, "$g"), 0xffffffffu);
    CHECK_EQ(var(m, "$h"), 0);
    CHECK_EQ(var(m, "$i"), 4);
    CHECK_EQ(var(m, "$j"), 11);
    /* Reassignment, and tabs/newlines as separators. */
    CHECK_OK(run(m, "$a\t$a 1 +\n="));
    CHECK_EQ(var(m, "$a"), 6);
    CHECK(postfix_assigned(m, "$a") != NULL);
    free(m);

    /* Width 8: no 32-bit truncation. */
    struct postfix_machine m8;
    postfix_init(&m8, 8, NULL, NULL);
    CHECK_OK(postfix_run(&m8, "$x 4294967295 1 + =", 19));
    CHECK_EQ(var(&m8, "$x"), 0x100000000ull);
    struct postfix_value v;
    CHECK_OK(postfix_eval(&m8, "0 8 -", 5, &v));
    CHECK_EQ(v.value, 0xfffffffffffffff8ull);
}

TEST(postfix_dereference_and_saved_address)
{
    memset(g_stack, 0, sizeof(g_stack));
    put32(0x11000, 0xcafe0001);
    put32(0x11004, 0x11000);
    struct postfix_machine *m = machine_new();
    CHECK_OK(postfix_define(m, "$esp", 0x11004));
    CHECK_OK(run(m, "$a $esp ^ = $b $a ^ = $c $b 1 + ="));
    CHECK_EQ(var(m, "$a"), 0x11000);
    CHECK_EQ(var_addr(m, "$a"), 0x11004);
    CHECK_EQ(var(m, "$b"), 0xcafe0001);
    CHECK_EQ(var_addr(m, "$b"), 0x11000);
    CHECK_EQ(var(m, "$c"), 0xcafe0002);
    CHECK(!postfix_lookup(m, "$c", 2)->v.from_memory); /* computed, not read */
    /* Preset names are not "assigned". */
    CHECK(postfix_assigned(m, "$esp") == NULL);
    /* An unreadable dereference: a memory error at the first missing byte, names unchanged. */
    struct dd_error *err = run(m, "$a 5 = $z 4096 ^ =");
    CHECK(err && err->code == DD_ERR_MEMORY);
    CHECK(err && err->address == 4096);
    dd_error_destroy(err);
    CHECK_EQ(var(m, "$a"), 0x11000);
    CHECK(postfix_lookup(m, "$z", 2) == NULL);
    /* The last 2 bytes of the stack: partly readable. */
    err = run(m, "$z 81918 ^ =");
    CHECK(err && err->code == DD_ERR_MEMORY && err->address == STACK_BASE + STACK_SIZE);
    dd_error_destroy(err);
    free(m);
}

TEST(postfix_glued_assignment)
{
    /* Breakpad's example of MSVC 2010 /LTCG output: '=' smashed against the next token. */
    memset(g_stack, 0, sizeof(g_stack));
    put32(0x11080, 0x11200); /* [ebp+128] */
    put32(0x11084, 0x401234);
    struct postfix_machine *m = machine_new();
    CHECK_OK(postfix_define(m, "$ebp", 0x11000));
    CHECK_OK(run(m, "$T0 $ebp 128 + =$eip $T0 4 + ^ =$ebp $T0 ^ ="));
    CHECK_EQ(var(m, "$T0"), 0x11080);
    CHECK_EQ(var(m, "$eip"), 0x401234);
    CHECK_EQ(var(m, "$ebp"), 0x11200);
    free(m);
}

TEST(postfix_errors)
{
    check_run_fails("1 +", DD_ERR_SYNTAX);                   /* too few operands */
    check_run_fails("^", DD_ERR_SYNTAX);                     /* nothing to dereference */
    check_run_fails("$a 1 0 / =", DD_ERR_SYNTAX);            /* division by zero */
    check_run_fails("$a 1 0 % =", DD_ERR_SYNTAX);            /* modulo by zero */
    check_run_fails("$a $undefined 1 + =", DD_ERR_SYNTAX);   /* a name with no value */
    check_run_fails("5 1 =", DD_ERR_SYNTAX);                 /* assigning to a number */
    check_run_fails(".cbLocals 1 =", DD_ERR_SYNTAX);         /* assigning to a constant */
    check_run_fails("=", DD_ERR_SYNTAX);                     /* nothing to assign */
    check_run_fails("$a 1 = 2", DD_ERR_SYNTAX);              /* a value left over */
    check_run_fails("$a 4294967296 =", DD_ERR_SYNTAX);       /* wider than 32 bits */
    check_run_fails("$a foo+bar =", DD_ERR_SYNTAX);          /* junk is an unknown name */
    check_run_fails("$a $esp 4 + 1 2 3 ^ =", DD_ERR_MEMORY); /* [3] is not readable */
    /* Names of 31 bytes are fine, 32 are not. */
    check_run_fails("$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 =", DD_ERR_UNSUPPORTED);
    struct postfix_machine *m = machine_new();
    CHECK_OK(run(m, "$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 ="));
    /* Too deep: 65 values. */
    char prog[4096];
    size_t n = 0;
    for (int i = 0; i < POSTFIX_MAX_DEPTH + 1; i++)
        n += (size_t)snprintf(prog + n, sizeof(prog) - n, "1 ");
    struct dd_error *err = postfix_run(m, prog, n);
    CHECK(err && err->code == DD_ERR_UNSUPPORTED); /* a limit, not malformed */
    dd_error_destroy(err);
    /* Too many tokens, even when each keeps the stack shallow. */
    n = 0;
    n += (size_t)snprintf(prog + n, sizeof(prog) - n, "$a 0 ");
    for (int i = 0; i < POSTFIX_MAX_TOKENS / 2; i++)
        n += (size_t)snprintf(prog + n, sizeof(prog) - n, "1 + ");
    n += (size_t)snprintf(prog + n, sizeof(prog) - n, "=");
    err = postfix_run(m, prog, n);
    CHECK(err && err->code == DD_ERR_UNSUPPORTED);
    dd_error_destroy(err);
    /* Too many names. */
    for (int i = 0; i < POSTFIX_MAX_VARS - 1; i++) {
        char name[16];
        snprintf(name, sizeof(name), "$v%d", i);
        CHECK_OK(postfix_define(m, name, (uint64_t)i));
    }
    err = postfix_define(m, "$onetoomany", 1);
    CHECK(err != NULL);
    dd_error_destroy(err);
    err = run(m, "$new 1 =");
    CHECK(err != NULL);
    dd_error_destroy(err);
    /* Expressions must leave exactly one value. */
    struct postfix_value v;
    err = postfix_eval(m, "1 2", 3, &v);
    CHECK(err != NULL);
    dd_error_destroy(err);
    err = postfix_eval(m, "", 0, &v);
    CHECK(err != NULL);
    dd_error_destroy(err);
    /* An empty program does nothing. */
    CHECK_OK(postfix_run(m, "   ", 3));
    free(m);
}

/*
 * dump_syms_regtest.pdb, FrameData at RVA 11B1 (llvm-pdbutil-16 dump -fpo; the .sym has the
 * same as "STACK WIN 4 11b1 161 c 0 0 10 24 0 1 ..."): an EBP frame that saved ebx, esi, edi,
 * named by CodeView register number (cvconst.h: 20 ebx, 23 esi, 24 edi).
 */
static const char prog_regtest_11b1[] = "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =  "
                                        "$20 $T0 40 - ^ =  $23 $T0 44 - ^ =  $24 $T0 48 - ^ = ";

TEST(postfix_real_program_ebp_frame)
{
    memset(g_stack, 0, sizeof(g_stack));
    /* ebp = 11040: [11040] caller ebp, [11044] return address, saves 40/44/48 below ebp. */
    put32(0x11040, 0x11100);
    put32(0x11044, 0x401234);
    put32(0x11018, 0xb0b0); /* 11040 - 40 */
    put32(0x11014, 0x5151); /* 11040 - 44 */
    put32(0x11010, 0xd1d1); /* 11040 - 48 */
    struct postfix_machine *m = machine_new();
    CHECK_OK(postfix_define(m, "$ebp", 0x11040));
    CHECK_OK(postfix_define(m, "$esp", 0x11000));
    CHECK_OK(run(m, prog_regtest_11b1));
    CHECK_EQ(var(m, "$T0"), 0x11040);
    CHECK_EQ(var(m, "$eip"), 0x401234);
    CHECK_EQ(var_addr(m, "$eip"), 0x11044);
    CHECK_EQ(var(m, "$ebp"), 0x11100);
    CHECK_EQ(var_addr(m, "$ebp"), 0x11040);
    CHECK_EQ(var(m, "$esp"), 0x11048);
    CHECK_EQ(var(m, "$20"), 0xb0b0);
    CHECK_EQ(var(m, "$23"), 0x5151);
    CHECK_EQ(var(m, "$24"), 0xd1d1);
    CHECK_EQ(var_addr(m, "$24"), 0x11010);
    free(m);
}

TEST(postfix_real_program_ra_search)
{
    memset(g_stack, 0, sizeof(g_stack));
    /*
     * dump_syms_regtest.pdb FrameData at 12D4 (an SEH epilog helper): "$T0 $ebp = $T2 $esp =
     * $T1 .raSearchStart = $eip $T1 ^ = $ebp $T0 = $esp $T1 4 + =". With .raSearchStart 11030:
     * eip = [11030], esp = 11034, ebp unchanged.
     */
    put32(0x11030, 0x401500);
    struct postfix_machine *m = machine_new();
    CHECK_OK(postfix_define(m, "$ebp", 0x11200));
    CHECK_OK(postfix_define(m, "$esp", 0x11000));
    CHECK_OK(postfix_define(m, ".raSearchStart", 0x11030));
    CHECK_OK(run(m, "$T0 $ebp = $T2 $esp = $T1 .raSearchStart = $eip $T1 ^ = $ebp $T0 = "
                    "$esp $T1 4 + ="));
    CHECK_EQ(var(m, "$eip"), 0x401500);
    CHECK_EQ(var(m, "$esp"), 0x11034);
    CHECK_EQ(var(m, "$ebp"), 0x11200);
    CHECK_EQ(var(m, "$T2"), 0x11000);
    free(m);

    /*
     * test_app.sym "STACK WIN 4 452c 60 1 0 4 4 0 0 1 $T2 $esp .cbLocals + .cbSavedRegs + =
     * $T0 .raSearchStart = $eip $T0 ^ = $esp $T0 4 + = $ebx $T0 4 - ^ =": locals 0, saved 4.
     * esp 11000, .raSearchStart 11004: T2 = 11004, eip = [11004], esp = 11008, ebx = [11000].
     */
    put32(0x11000, 0xbb00bb);
    put32(0x11004, 0x40453a);
    m = machine_new();
    CHECK_OK(postfix_define(m, "$esp", 0x11000));
    CHECK_OK(postfix_define(m, ".cbLocals", 0));
    CHECK_OK(postfix_define(m, ".cbSavedRegs", 4));
    CHECK_OK(postfix_define(m, ".raSearchStart", 0x11004));
    CHECK_OK(run(m, "$T2 $esp .cbLocals + .cbSavedRegs + = $T0 .raSearchStart = $eip $T0 ^ = "
                    "$esp $T0 4 + = $ebx $T0 4 - ^ ="));
    CHECK_EQ(var(m, "$T2"), 0x11004);
    CHECK_EQ(var(m, "$eip"), 0x40453a);
    CHECK_EQ(var(m, "$esp"), 0x11008);
    CHECK_EQ(var(m, "$ebx"), 0xbb00bb);
    CHECK_EQ(var_addr(m, "$ebx"), 0x11000);
    free(m);
}

/* Mozilla wntdll.sym "STACK WIN 4 26100 b1 22 0 c c 2c 0 1 ...": a stack aligned with '@'. */
static const char prog_wntdll_26100[] =
    "$T1 .raSearch = $T0  $T1 4 - 8 @ = $ebp $T1 4 - ^ = $eip $T1 ^ = $esp $T1 4 + = "
    "$20 $T0 48 - ^ =  $23 $T0 52 - ^ =  $24 $T0 56 - ^ =";

TEST(postfix_real_program_align)
{
    memset(g_stack, 0, sizeof(g_stack));
    /* .raSearch 1104c: T0 = (1104c - 4) & ~7 = 11048; ebp = [11048]; eip = [1104c]; esp =
     * 11050; ebx = [11048 - 48 = 11018], esi = [11014], edi = [11010]. */
    put32(0x11048, 0x11300);
    put32(0x1104c, 0x402000);
    put32(0x11018, 0xb1);
    put32(0x11014, 0x51);
    put32(0x11010, 0xd1);
    struct postfix_machine *m = machine_new();
    CHECK_OK(postfix_define(m, ".raSearch", 0x1104c));
    CHECK_OK(run(m, prog_wntdll_26100));
    CHECK_EQ(var(m, "$T0"), 0x11048);
    CHECK_EQ(var(m, "$ebp"), 0x11300);
    CHECK_EQ(var(m, "$eip"), 0x402000);
    CHECK_EQ(var(m, "$esp"), 0x11050);
    CHECK_EQ(var(m, "$20"), 0xb1);
    CHECK_EQ(var(m, "$23"), 0x51);
    CHECK_EQ(var(m, "$24"), 0xd1);
    free(m);
}

TEST(postfix_cfi_expressions)
{
    /* STACK CFI rules are single expressions: ".cfa: $esp 4 +", ".ra: .cfa -4 + ^". */
    memset(g_stack, 0, sizeof(g_stack));
    put32(0x11000, 0x401777);
    struct postfix_machine *m = machine_new();
    CHECK_OK(postfix_define(m, "$esp", 0x11000));
    struct postfix_value v;
    CHECK_OK(postfix_eval(m, "$esp 4 +", 8, &v));
    CHECK_EQ(v.value, 0x11004);
    CHECK(!v.from_memory);
    CHECK_OK(postfix_define(m, ".cfa", v.value));
    CHECK_OK(postfix_eval(m, ".cfa -4 + ^", 11, &v));
    CHECK_EQ(v.value, 0x401777);
    CHECK(v.from_memory);
    CHECK_EQ(v.addr, 0x11000);
    free(m);
}

/* ---- every STACK WIN program of the corpus runs -------------------------------------- */

/* Memory where every aligned word reads as its own address + 0x100: every dereference works. */
static size_t anywhere_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = addr + i;
        uint32_t word = (uint32_t)(a & ~3ull) + 0x100;
        p[i] = (uint8_t)(word >> (8 * (a & 3)));
    }
    return len;
}

static char *read_text_file(const char *path, size_t *ret_len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf) {
        buf[n] = '\0';
        *ret_len = (size_t)n;
    }
    return buf;
}

TEST(postfix_corpus_stack_win_programs)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    static const char *const files[] = {
        "google-breakpad/pdb-goldens/dump_syms_regtest.sym",
        "google-breakpad/symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym",
        "google-breakpad/symbols/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym",
    };
    size_t total = 0;
    for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/user/%s", dir, files[k]);
        size_t len = 0;
        char *text = read_text_file(path, &len);
        CHECK(text != NULL);
        if (!text)
            continue;
        for (char *line = text; line && *line;) {
            char *eol = strchr(line, '\n');
            if (eol)
                *eol = '\0';
            /* STACK WIN type rva code prolog epilog params saved locals max has_program prog */
            if (strncmp(line, "STACK WIN 4 ", 12) == 0) {
                char *p = line;
                for (int field = 0; field < 12 && p; field++) {
                    p = strchr(p, ' ');
                    if (p)
                        p++;
                }
                if (p && p[-2] == '1') {
                    struct postfix_machine m;
                    postfix_init(&m, 4, anywhere_read, NULL);
                    static const char *const names[] = {
                        "$ebp",      "$esp",           "$ebx",           "$esi",
                        "$edi",      ".cbLocals",      ".cbParams",      ".cbSavedRegs",
                        ".raSearch", ".raSearchStart", ".cbCalleeParams"};
                    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                        CHECK_OK(postfix_define(&m, names[i], 0x12000 + 16 * i));
                    struct dd_error *err = postfix_run(&m, p, strlen(p));
                    if (err) {
                        check_fail(__FILE__, __LINE__, "%s: \"%s\": %s", files[k], p, err->message);
                        dd_error_destroy(err);
                    } else if (!postfix_assigned(&m, "$eip") || !postfix_assigned(&m, "$esp")) {
                        check_fail(__FILE__, __LINE__, "%s: \"%s\" sets no $eip/$esp", files[k], p);
                    }
                    total++;
                }
            }
            line = eol ? eol + 1 : NULL;
        }
        free(text);
    }
    /* grep -h '^STACK WIN 4' FILES | awk '$12 == 1' | wc -l: programs to run. */
    CHECK_EQ(total, 5511);
}

struct pdb_run {
    size_t total, failed;
};

static bool run_framedata(void *ctx, const struct pdb_framedata *fd)
{
    struct pdb_run *r = ctx;
    if (!fd->program || !fd->program[0])
        return true;
    struct postfix_machine m;
    postfix_init(&m, 4, anywhere_read, NULL);
    static const char *const names[] = {"$ebp",      "$esp",           "$ebx",
                                        ".cbLocals", ".cbSavedRegs",   ".cbParams",
                                        ".raSearch", ".raSearchStart", ".cbCalleeParams"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        dd_error_destroy(postfix_define(&m, names[i], 0x12000 + 16 * i));
    struct dd_error *err = postfix_run(&m, fd->program, strlen(fd->program));
    if (err || !postfix_assigned(&m, "$eip") || !postfix_assigned(&m, "$esp")) {
        if (r->failed++ == 0)
            check_fail(__FILE__, __LINE__, "FrameData %x: \"%s\": %s", fd->rva, fd->program,
                       err ? err->message : "no $eip/$esp");
    }
    dd_error_destroy(err);
    r->total++;
    return true;
}

TEST(postfix_corpus_pdb_framedata_programs)
{
    /* The raw FrameData programs of dump_syms_regtest.pdb, through the PDB reader. */
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/pdb-goldens/dump_syms_regtest.pdb", dir);
    struct pdb *pdb = NULL;
    CHECK_OK(pdb_open(path, &pdb));
    if (!pdb)
        return;
    struct pdb_run r = {0};
    CHECK_OK(pdb_framedata_iterate(pdb, run_framedata, &r));
    /* The New FPO Data stream: 8064 bytes, 32 per record (llvm-pdbutil-16 dump -fpo lists 252). */
    CHECK_EQ(r.total, 252);
    CHECK_EQ(r.failed, 0);
    pdb_destroy(pdb);
}

/* ---- return-address validation ---------------------------------------------------------- */

static bool precedes(const struct unwind_env *env, uint32_t ra, const char *bytes, size_t n)
{
    return unwind_x86_call_precedes(env, ra, (const uint8_t *)bytes, n);
}
#define PRECEDES(env, ra, s) precedes((env), (ra), (s), sizeof(s) - 1)

TEST(unwind_x86_call_patterns)
{
    struct fake *f = fake_new();
    struct unwind_env env = {f, fake_read_memory, fake_find_module, NULL, fake_read_image, NULL};
    uint32_t ra = MOD_BASE + 0x1005;
    /* call rel32 to 401000 (in the module): rel = 401000 - 401005 = -5. */
    CHECK(PRECEDES(&env, ra, "\xe8\xfb\xff\xff\xff"));
    /* ... to 0x100000 (no module): refused with modules known, accepted without. */
    CHECK(!PRECEDES(&env, ra, "\xe8\xfb\xff\xcf\xff"));
    CHECK(PRECEDES(NULL, ra, "\xe8\xfb\xff\xcf\xff"));
    /* call dword ptr [401200] (an IAT slot in the module), and one outside every module. */
    CHECK(PRECEDES(&env, ra, "\xff\x15\x00\x12\x40\x00"));
    CHECK(!PRECEDES(&env, ra, "\xff\x15\x00\x12\x90\x00"));
    /* Register and memory forms of FF /2. */
    CHECK(PRECEDES(&env, ra, "\xff\xd0"));                     /* call eax */
    CHECK(PRECEDES(&env, ra, "\xff\xd6"));                     /* call esi */
    CHECK(PRECEDES(&env, ra, "\xff\x10"));                     /* call [eax] */
    CHECK(PRECEDES(&env, ra, "\xff\x50\x08"));                 /* call [eax+8] */
    CHECK(PRECEDES(&env, ra, "\xff\x90\x00\x01\x00\x00"));     /* call [eax+100h] */
    CHECK(PRECEDES(&env, ra, "\xff\x14\x24"));                 /* call [esp] */
    CHECK(PRECEDES(&env, ra, "\xff\x54\x24\x04"));             /* call [esp+4] */
    CHECK(PRECEDES(&env, ra, "\xff\x94\x24\x00\x01\x00\x00")); /* call [esp+100h] */
    CHECK(PRECEDES(&env, ra, "\xff\x14\x85\x00\x20\x40\x00")); /* call [eax*4+402000h] */
    /* WoW64 system call stub: call dword ptr fs:[0C0h]; CET notrack call eax. */
    CHECK(PRECEDES(&env, ra, "\x64\xff\x15\xc0\x00\x00\x00"));
    CHECK(PRECEDES(&env, ra, "\x3e\xff\xd0"));
    /* Not calls: jmp eax (FF /4), push [eax] (FF /6), inc eax, a call one byte earlier. */
    CHECK(!PRECEDES(&env, ra, "\xff\xe0"));
    CHECK(!PRECEDES(&env, ra, "\xff\x30"));
    CHECK(!PRECEDES(&env, ra, "\x90\x40"));
    CHECK(!PRECEDES(&env, ra, "\xff\xd0\x90"));
    CHECK(!PRECEDES(&env, ra, "\x00\x00\x00\x00\x00\x00\x00\x00"));
    free(f);
}

/* ---- the cascade on the fake target ----------------------------------------------------- */

TEST(unwind_x86_ebp_chain)
{
    struct fake *f = fake_new();
    uint32_t ra1 = put_call(f, 0x1100, 0x2000);
    uint32_t ra2 = put_call(f, 0x1200, 0x1000);
    put32(0x11010, 0x11040); /* frame 0: [ebp] caller ebp, [ebp+4] return address */
    put32(0x11014, ra1);
    put32(0x11040, 0x11080);
    put32(0x11044, ra2);
    put32(0x11080, 0); /* the outermost frame: return address 0 */
    put32(0x11084, 0);
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x11010);
    struct unwind_walk w = walk_opts(f, &r, NULL, false);
    CHECK_EQ(w.nframes, 3);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    CHECK_EQ(w.frames[0].found_by, UNWIND_FOUND_CONTEXT);
    CHECK_EQ(w.frames[0].return_address, ra1);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_FRAME_POINTER);
    CHECK_EQ(c->ip, ra1);
    CHECK_EQ(c->sp, 0x11018);
    CHECK_EQ(c->regs.r[X86_EBP], 0x11040);
    CHECK_EQ(c->regs.saved_at[X86_EBP], 0x11010);
    CHECK_EQ(c->regs.saved_at[X86_EIP], 0x11014);
    /* Volatile registers and those the function may have saved are unknown; segments stay. */
    CHECK(!unwind_regs_has(&c->regs, X86_EAX));
    CHECK(!unwind_regs_has(&c->regs, X86_ECX));
    CHECK(!unwind_regs_has(&c->regs, X86_EDX));
    CHECK(!unwind_regs_has(&c->regs, X86_EFL));
    CHECK(!unwind_regs_has(&c->regs, X86_EBX));
    CHECK(unwind_regs_has(&c->regs, X86_CS));
    CHECK_EQ(w.frames[2].ip, ra2);
    CHECK_EQ(w.frames[2].sp, 0x11048);
    CHECK_EQ(w.frames[2].regs.r[X86_EBP], 0x11080);
    unwind_walk_deinit(&w);

    /* A frame pointer below esp is no frame pointer: nothing else to go on. */
    r = start_regs(MOD_BASE + 0x2010, 0x11020, 0x11010);
    struct unwind_options no_scan = {.no_scan = true};
    w = walk_opts(f, &r, &no_scan, false);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);
    free(f);
}

/*
 * A context on a `ret 8` (C2 08 00, Intel SDM "RET") has already left its frame: the return
 * address is at [esp] and the caller's esp is esp + 4 + 8, even though ebp still points at a
 * frame whose [ebp+4] would give another (wrong) caller, and even when frame data covers the ip.
 */
TEST(unwind_x86_context_on_ret)
{
    struct fake *f = fake_new();
    uint32_t ra = put_call(f, 0x1100, 0x2000);
    uint32_t decoy = put_call(f, 0x1200, 0x2000);
    f->image[0x2010] = 0xc2; /* ret 8 */
    f->image[0x2011] = 0x08;
    f->image[0x2012] = 0x00;
    f->image[0x2020] = 0xc3; /* ret */
    put32(0x11000, ra);
    put32(0x11040, 0x11080); /* an EBP frame that is not this function's any more */
    put32(0x11044, decoy);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2013);
    fn->info.has_frame = true;
    fn->info.type = UNWIND_X86_FRAME_FPO;
    fn->info.locals_size = 0x20; /* would put the return address elsewhere */
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x11040);
    struct unwind_options no_scan = {.no_scan = true};
    struct unwind_walk w = walk_opts(f, &r, &no_scan, true);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, ra);
    CHECK_EQ(w.frames[1].sp, 0x1100c);
    CHECK_EQ(w.frames[1].regs.r[X86_EBP], 0x11040); /* the epilog restored it already */
    CHECK_EQ(w.frames[1].regs.saved_at[X86_EIP], 0x11000);
    CHECK(w.frames[1].flags & UNWIND_FRAME_EPILOG);
    unwind_walk_deinit(&w);

    r = start_regs(MOD_BASE + 0x2020, 0x11000, 0x11040); /* plain ret */
    w = walk_opts(f, &r, &no_scan, false);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, ra);
    CHECK_EQ(w.frames[1].sp, 0x11004);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_frame_data_program)
{
    struct fake *f = fake_new();
    uint32_t ra1 = put_call(f, 0x1100, 0x2000);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2161);
    /* dump_syms_regtest 11B1's record: locals 0x24, saved regs 0x10, params 0. */
    fn->info.has_frame = true;
    fn->info.has_params = true;
    fn->info.type = UNWIND_X86_FRAME_FRAME_DATA;
    fn->info.locals_size = 0x24;
    fn->info.saved_regs_size = 0x10;
    fn->info.program = prog_regtest_11b1;
    fn->info.program_len = strlen(prog_regtest_11b1);
    put32(0x11040, 0x11100);
    put32(0x11044, ra1);
    put32(0x11018, 0xb0b0);
    put32(0x11014, 0x5151);
    put32(0x11010, 0xd1d1);
    put32(0x11100, 0); /* the caller has no frame data: EBP chain to return address 0 */
    put32(0x11104, 0);
    struct unwind_regs r = start_regs(MOD_BASE + 0x2050, 0x11000, 0x11040);
    struct unwind_walk w = walk(f, &r);
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    CHECK(w.frames[0].has_function);
    CHECK_EQ(w.frames[0].module_base, MOD_BASE);
    CHECK_EQ(w.frames[0].function_begin, 0x2000);
    CHECK_EQ(w.frames[0].function_end, 0x2161);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_FRAME_DATA);
    CHECK_EQ(c->flags, 0);
    CHECK_EQ(c->ip, ra1);
    CHECK_EQ(c->sp, 0x11048);
    CHECK_EQ(c->regs.saved_at[X86_EIP], 0x11044);
    CHECK_EQ(c->regs.r[X86_EBP], 0x11100);
    CHECK_EQ(c->regs.saved_at[X86_EBP], 0x11040);
    CHECK_EQ(c->regs.r[X86_EBX], 0xb0b0);
    CHECK_EQ(c->regs.saved_at[X86_EBX], 0x11018);
    CHECK_EQ(c->regs.r[X86_ESI], 0x5151);
    CHECK_EQ(c->regs.saved_at[X86_ESI], 0x11014);
    CHECK_EQ(c->regs.r[X86_EDI], 0xd1d1);
    CHECK_EQ(c->regs.saved_at[X86_EDI], 0x11010);
    CHECK(c->regs.saved >> X86_EDI & 1);
    CHECK(!unwind_regs_has(&c->regs, X86_EAX));
    /* The frame data was looked up at the exact eip for frame 0 and at ra-1 for frame 1. */
    CHECK_EQ(f->lookups, 2);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_fpo_callee_params)
{
    struct fake *f = fake_new();
    /*
     * F0 (RVA 3000, FPO: params 8, nothing else) was called by F1 (RVA 2000, FPO: locals 8,
     * saved regs 4), called by G (RVA 1000, no frame data, EBP chain to the end).
     * Frame 0: esp 11000: [11000] = return into F1. Frame 1: esp 11004; F0's 8 bytes of
     * arguments at 11004..1100b (Breakpad .cbCalleeParams), F1's locals 1100c..11013, a saved
     * register 11014, the return address into G at 11018 = 11004 + 8 + 8 + 4.
     */
    uint32_t ra_f1 = put_call(f, 0x2100, 0x3000);
    uint32_t ra_g = put_call(f, 0x1100, 0x2000);
    uint32_t decoy = put_call(f, 0x1200, 0x2000);
    struct fake_fn *f0 = add_fn(f, 0x3000, 0x3100);
    f0->info.has_frame = f0->info.has_params = true;
    f0->info.type = UNWIND_X86_FRAME_FPO;
    f0->info.params_size = 8;
    struct fake_fn *f1 = add_fn(f, 0x2000, 0x2200);
    f1->info.has_frame = f1->info.has_params = true;
    f1->info.type = UNWIND_X86_FRAME_FPO;
    f1->info.locals_size = 8;
    f1->info.saved_regs_size = 4;
    put32(0x11000, ra_f1);
    put32(0x11004, decoy); /* F0's arguments and F1's locals hold code addresses too */
    put32(0x11008, decoy);
    put32(0x1100c, decoy);
    put32(0x11014, 0x5aed);
    put32(0x11018, ra_g);
    put32(0x11100, 0);
    put32(0x11104, 0);
    struct unwind_regs r = start_regs(MOD_BASE + 0x3010, 0x11000, 0x11100);
    struct unwind_walk w = walk(f, &r);
    CHECK_EQ(w.nframes, 3);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_FRAME_DATA);
    CHECK_EQ(w.frames[1].ip, ra_f1);
    CHECK_EQ(w.frames[1].sp, 0x11004);
    CHECK_EQ(w.frames[1].step_state, 8); /* F0's arguments, for unwinding F1 */
    /* F0 saved no register: ebx/esi/edi/ebp carry over. */
    CHECK_EQ(w.frames[1].regs.r[X86_EBX], 0x1000 + X86_EBX);
    CHECK_EQ(w.frames[1].regs.r[X86_EBP], 0x11100);
    CHECK_EQ(w.frames[2].found_by, UNWIND_FOUND_FRAME_DATA);
    CHECK_EQ(w.frames[2].ip, ra_g);
    CHECK_EQ(w.frames[2].sp, 0x1101c);
    CHECK_EQ(w.frames[2].regs.saved_at[X86_EIP], 0x11018);
    /* F1 saved a register (which one is not said): ebx/esi/edi unknown; ebp untouched. */
    CHECK(!unwind_regs_has(&w.frames[2].regs, X86_EBX));
    CHECK(!unwind_regs_has(&w.frames[2].regs, X86_ESI));
    CHECK_EQ(w.frames[2].regs.r[X86_EBP], 0x11100);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_fpo_allocates_base_pointer)
{
    struct fake *f = fake_new();
    /*
     * FPO with fUseBP, locals 4, saved regs 8 (Breakpad's rule: ebp at esp + .cbCalleeParams +
     * .cbSavedRegs - 8, the return address at .raSearchStart = esp + 4 + 8).
     */
    uint32_t ra = put_call(f, 0x1100, 0x2000);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2100);
    fn->info.has_frame = true;
    fn->info.type = UNWIND_X86_FRAME_FPO;
    fn->info.locals_size = 4;
    fn->info.saved_regs_size = 8;
    fn->info.allocates_base_pointer = true;
    put32(0x11000, 0x11200); /* saved ebp */
    put32(0x1100c, ra);
    put32(0x11200, 0);
    put32(0x11204, 0);
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x7777); /* ebp in use */
    struct unwind_walk w = walk(f, &r);
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_FRAME_DATA);
    CHECK_EQ(c->ip, ra);
    CHECK_EQ(c->sp, 0x11010);
    CHECK_EQ(c->regs.r[X86_EBP], 0x11200);
    CHECK_EQ(c->regs.saved_at[X86_EBP], 0x11000);
    CHECK(!unwind_regs_has(&c->regs, X86_EBX));
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_frame_data_rescan)
{
    struct fake *f = fake_new();
    /*
     * ".raSearch" points at a value outside every module (the record's sizes are wrong, as
     * MSVC /LTCG can make them): the return address is looked for from .raSearch + 4 on.
     * The first three words (the alignment check) hold nothing, the return address is at +16.
     */
    uint32_t ra = put_call(f, 0x1100, 0x2000);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2100);
    static const char prog[] = "$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + =";
    fn->info.has_frame = true;
    fn->info.type = UNWIND_X86_FRAME_FRAME_DATA;
    fn->info.program = prog;
    fn->info.program_len = sizeof(prog) - 1;
    put32(0x11000, 0x12345);
    put32(0x11004, 0x99);
    put32(0x11010, ra);
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x11100);
    struct unwind_walk w = walk(f, &r);
    CHECK(w.nframes >= 2);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_FRAME_DATA);
    CHECK_EQ(c->flags, UNWIND_X86_FRAME_RA_SCANNED);
    CHECK_EQ(c->ip, ra);
    CHECK_EQ(c->sp, 0x11014);
    CHECK_EQ(c->regs.saved_at[X86_EIP], 0x11010);
    unwind_walk_deinit(&w);

    /* The return address two words up: the alignment check moves .raSearch, no flag. */
    memset(g_stack, 0, sizeof(g_stack));
    put32(0x11008, ra);
    w = walk(f, &r);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].flags, 0);
    CHECK_EQ(w.frames[1].sp, 0x1100c);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_frame_data_aligned_stack)
{
    struct fake *f = fake_new();
    uint32_t ra = put_call(f, 0x1100, 0x2000);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2100);
    fn->info.has_frame = true;
    fn->info.type = UNWIND_X86_FRAME_FRAME_DATA;
    fn->info.locals_size = 0x2c;
    fn->info.saved_regs_size = 0xc;
    fn->info.program = prog_wntdll_26100;
    fn->info.program_len = strlen(prog_wntdll_26100);
    /* '@' in the program: .raSearch = ebp + 4 = 1104c, whatever esp is (as worked out in
     * postfix_real_program_align). */
    put32(0x11048, 0x11300);
    put32(0x1104c, ra);
    put32(0x11018, 0xb1);
    put32(0x11014, 0x51);
    put32(0x11010, 0xd1);
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x11048);
    struct unwind_walk w = walk(f, &r);
    CHECK(w.nframes >= 2);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_FRAME_DATA);
    CHECK_EQ(c->ip, ra);
    CHECK_EQ(c->sp, 0x11050);
    CHECK_EQ(c->regs.r[X86_EBP], 0x11300);
    CHECK_EQ(c->regs.r[X86_EBX], 0xb1);
    CHECK_EQ(c->regs.r[X86_ESI], 0x51);
    CHECK_EQ(c->regs.r[X86_EDI], 0xd1);
    CHECK_EQ(c->regs.saved_at[X86_EDI], 0x11010);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_frame_data_failure_scans)
{
    struct fake *f = fake_new();
    /* An EBP-frame program with ebp pointing nowhere fails; the scan finds the caller. */
    uint32_t ra = put_call(f, 0x1100, 0x2000);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2100);
    fn->info.has_frame = true;
    fn->info.type = UNWIND_X86_FRAME_FRAME_DATA;
    fn->info.program = prog_regtest_11b1;
    fn->info.program_len = strlen(prog_regtest_11b1);
    put32(0x11000, 0x12345); /* not a code address */
    put32(0x11008, ra);
    put32(0x11004, 0x11800); /* looks like a saved ebp just below the return address */
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x90000);
    struct unwind_walk w = walk(f, &r);
    CHECK(w.nframes >= 2);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_SCAN);
    CHECK_EQ(c->ip, ra);
    CHECK_EQ(c->sp, 0x1100c);
    CHECK_EQ(c->regs.r[X86_EBP], 0x11800);
    CHECK_EQ(c->regs.saved_at[X86_EBP], 0x11004);
    unwind_walk_deinit(&w);

    /* Without the scan, the failed read is the reason the walk ends. */
    struct unwind_options no_scan = {.no_scan = true};
    w = walk_opts(f, &r, &no_scan, true);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_FAULT);
    CHECK_EQ(w.fault_address, 0x90004); /* $T0 4 + ^ is read first */
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_cfi)
{
    struct fake *f = fake_new();
    uint32_t ra = put_call(f, 0x1100, 0x2000);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2100);
    /* STACK CFI INIT 2000 100 .cfa: $esp 4 + .ra: .cfa -4 + ^
     * STACK CFI 2001 .cfa: $esp 8 + $ebp: .cfa -8 + ^        (after push ebp) */
    static const char init[] = ".cfa: $esp 4 + .ra: .cfa -4 + ^";
    static const char delta[] = ".cfa: $esp 8 + $ebp: .cfa -8 + ^ $esi: $nosuch";
    fn->info.cfi_nrows = 2;
    fn->info.cfi_rows[0] = (struct unwind_x86_text){init, sizeof(init) - 1};
    fn->info.cfi_rows[1] = (struct unwind_x86_text){delta, sizeof(delta) - 1};
    put32(0x11000, 0x11300);
    put32(0x11004, ra);
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x7777);
    struct unwind_walk w = walk(f, &r);
    CHECK(w.nframes >= 2);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_FRAME_DATA);
    CHECK_EQ(c->ip, ra);
    CHECK_EQ(c->sp, 0x11008);
    CHECK_EQ(c->regs.saved_at[X86_EIP], 0x11004);
    CHECK_EQ(c->regs.r[X86_EBP], 0x11300);
    CHECK_EQ(c->regs.saved_at[X86_EBP], 0x11000);
    /* ebx is named by no rule: unchanged; esi's rule fails: unknown; eax is volatile. */
    CHECK_EQ(c->regs.r[X86_EBX], 0x1000 + X86_EBX);
    CHECK(!unwind_regs_has(&c->regs, X86_ESI));
    CHECK(!unwind_regs_has(&c->regs, X86_EAX));
    unwind_walk_deinit(&w);

    /* Only the INIT row (at 2000, before push ebp): ebp kept, the return address at esp. */
    fn->info.cfi_nrows = 1;
    put32(0x11000, ra);
    w = walk(f, &r);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].sp, 0x11004);
    CHECK_EQ(w.frames[1].regs.r[X86_EBP], 0x7777);
    unwind_walk_deinit(&w);

    /* Malformed rules (no .ra) are not used: the EBP chain takes over. */
    static const char bad[] = ".cfa: $esp 4 +";
    fn->info.cfi_rows[0] = (struct unwind_x86_text){bad, sizeof(bad) - 1};
    put32(0x11040, 0);
    put32(0x11044, ra);
    r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x11040);
    w = walk(f, &r);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_FRAME_POINTER);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_scan)
{
    struct fake *f = fake_new();
    uint32_t ra = MOD_BASE + 0x1102; /* after FF D0 (call eax) */
    f->image[0x1100] = 0xff;
    f->image[0x1101] = 0xd0;
    put32(0x11000, MOD_BASE + 0x1100); /* in the module, not after a call */
    put32(0x11004, MOD_BASE + 0x0010); /* the header page */
    put32(0x11008, MOD_BASE + 0x9000); /* code not readable: unverified */
    put32(0x1100c, 0x11800);           /* a saved ebp below the return address */
    put32(0x11010, ra);
    struct unwind_regs r = start_regs(MOD_BASE + 0x2010, 0x11000, 0x90000);
    struct unwind_walk w = walk_opts(f, &r, NULL, false);
    CHECK(w.nframes >= 2);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_SCAN);
    CHECK_EQ(c->flags, 0);
    CHECK_EQ(c->ip, ra);
    CHECK_EQ(c->sp, 0x11014);
    CHECK_EQ(c->regs.saved_at[X86_EIP], 0x11010);
    CHECK_EQ(c->regs.r[X86_EBP], 0x11800);
    CHECK(!unwind_regs_has(&c->regs, X86_EBX));
    unwind_walk_deinit(&w);

    /* Accepting values whose code cannot be read: the third word, flagged. */
    struct unwind_options unv = {.scan_unverified = true};
    w = walk_opts(f, &r, &unv, false);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x9000);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_UNVERIFIED);
    CHECK_EQ(w.frames[1].sp, 0x1100c);
    /* [11004] is no plausible saved ebp (below its own slot): ebp unchanged. */
    CHECK_EQ(w.frames[1].regs.r[X86_EBP], 0x90000);
    unwind_walk_deinit(&w);

    /* A scan shorter than the distance finds nothing. */
    struct unwind_options short_scan = {.scan_bytes = 16};
    w = walk_opts(f, &r, &short_scan, false);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);

    /* An unreadable stack is a fault at esp. */
    r = start_regs(MOD_BASE + 0x2010, 0x50000, 0x50000);
    w = walk_opts(f, &r, NULL, true);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_FAULT);
    CHECK_EQ(w.fault_address, 0x50000);
    unwind_walk_deinit(&w);

    /* Without eip or esp there is nothing to walk. */
    memset(&r, 0, sizeof(r));
    unwind_regs_set(&r, X86_EIP, MOD_BASE + 0x2010);
    w = walk_opts(f, &r, NULL, true);
    CHECK_EQ(w.stop, UNWIND_STOP_BAD_START);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_fpo_system_call_stub)
{
    struct fake *f = fake_new();
    /*
     * Breakpad's special case: the context frame is an FPO stub (ntdll's KiFastSystemCallRet)
     * whose callee has returned, leaving the return address into the stub itself on top of the
     * stack. The real return address is the next one up.
     */
    uint32_t stub_ip = put_call(f, 0x2000, 0x2100); /* eip right after a call in the stub */
    uint32_t ra = put_call(f, 0x1100, 0x2000);
    struct fake_fn *fn = add_fn(f, 0x2000, 0x2010);
    fn->info.has_frame = true;
    fn->info.type = UNWIND_X86_FRAME_FPO;
    put32(0x11000, stub_ip);
    put32(0x11004, ra);
    struct unwind_regs r = start_regs(stub_ip, 0x11000, 0x11100);
    struct unwind_walk w = walk(f, &r);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, ra);
    CHECK_EQ(w.frames[1].sp, 0x11008);
    unwind_walk_deinit(&w);
    free(f);
}

/* ---- minidump2.dmp with its Breakpad symbols -------------------------------------------- */

struct sym_module {
    const char *name; /* module name as the dump gives it */
    uint64_t base;    /* 0: any module of that name */
    struct breakpad_sym *sym;
};

struct sym_env {
    struct target *t;
    struct sym_module mods[64];
    size_t nmods;
    uint8_t *bufs[65]; /* decompressed files the target and symbols point into */
    size_t nbufs;
};

static size_t senv_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct sym_env *d = ctx;
    size_t got = 0;
    dd_error_destroy(target_read(d->t, addr, buf, len, &got));
    return got;
}

static bool senv_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    struct sym_env *d = ctx;
    const struct target_module *m = target_module_by_addr(d->t, addr);
    if (!m)
        return false;
    *ret_base = m->base;
    *ret_size = m->size;
    return true;
}

/*
 * The adapter the debugger needs, over Breakpad symbols: STACK WIN first (type 4 preferred),
 * else the FUNC's parameter size, plus STACK CFI rows.
 */
static bool senv_find_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret)
{
    struct sym_env *d = ctx;
    const struct target_module *m = target_module_by_addr(d->t, addr);
    if (!m)
        return false;
    struct breakpad_sym *sym = NULL;
    for (size_t i = 0; i < d->nmods; i++)
        if (strcmp(d->mods[i].name, m->name) == 0 &&
            (!d->mods[i].base || d->mods[i].base == m->base))
            sym = d->mods[i].sym;
    /* The product's adapter from Breakpad records to the unwinder's frame information. */
    return sym && symbols_breakpad_x86_frame_info(sym, addr - m->base, ret);
}

static bool sym_env_open(struct sym_env *d, const char *dir, const char *dump)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/%s", dir, dump);
    struct dd_error *err = dump_open(path, &d->t);
    if (err) {
        check_fail(__FILE__, __LINE__, "%s: %s", path, err->message);
        dd_error_destroy(err);
        return false;
    }
    return true;
}

static void sym_env_add(struct sym_env *d, const char *dir, const char *name, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/%s", dir, rel);
    struct sym_module *m = &d->mods[d->nmods];
    m->name = name;
    CHECK_OK(breakpad_sym_open(path, &m->sym));
    if (m->sym)
        d->nmods++;
}

static void sym_env_close(struct sym_env *d)
{
    for (size_t i = 0; i < d->nmods; i++)
        breakpad_sym_destroy(d->mods[i].sym);
    target_destroy(d->t);
    for (size_t i = 0; i < d->nbufs; i++)
        free(d->bufs[i]);
}

TEST(unwind_x86_minidump2_breakpad_golden)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    struct sym_env d = {0};
    if (!sym_env_open(&d, dir, "google-breakpad/minidump2.dmp"))
        return;
    sym_env_add(&d, dir, "test_app",
                "google-breakpad/symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/"
                "test_app.sym");
    sym_env_add(&d, dir, "kernel32",
                "google-breakpad/symbols/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/"
                "kernel32.sym");
    CHECK(d.t->has_exception && d.t->exception.context);
    struct regset rs;
    CHECK_OK(x86_context_decode(d.t->exception.context, d.t->exception.context_size, &rs));
    struct unwind_regs start;
    unwind_regs_from_regset(&rs, &start);
    struct unwind_x86_frame_info_source src = {senv_find_info, &d};
    struct unwind_env env = {&d, senv_read_memory, senv_find_module, NULL, NULL, &src};
    struct unwind_walk w;
    CHECK_OK(unwind_x86_walk(&env, &start, NULL, &w));

    /*
     * goldens/minidump2.stackwalk.out (Breakpad minidump_stackwalk), thread 0:
     *  0 CrashFunction         eip 0040429e esp 0012fe84 ebp 0012fe88  context
     *  1 main                  eip 00404200 esp 0012fe90 ebp 0012ff70  call frame info
     *  2 __tmainCRTStartup     eip 004053ec esp 0012ff78 ebp 0012ffc0  call frame info
     *  3 BaseProcessStart+0x23 eip 7c816fd7 esp 0012ffc8 ebp 0012fff0  call frame info
     * ("call frame info" is Breakpad's name for STACK WIN frames too.)
     */
    static const struct {
        uint32_t eip, esp, ebp;
    } want[] = {
        {0x0040429e, 0x0012fe84, 0x0012fe88},
        {0x00404200, 0x0012fe90, 0x0012ff70},
        {0x004053ec, 0x0012ff78, 0x0012ffc0},
        {0x7c816fd7, 0x0012ffc8, 0x0012fff0},
    };
    size_t nwant = sizeof(want) / sizeof(want[0]);
    CHECK_EQ(w.nframes, nwant);
    for (size_t i = 0; i < nwant && i < w.nframes; i++) {
        const struct unwind_frame *fr = &w.frames[i];
        if (fr->ip != want[i].eip || fr->sp != want[i].esp || fr->regs.r[X86_EBP] != want[i].ebp)
            check_fail(__FILE__, __LINE__, "frame %zu: eip %llx esp %llx ebp %llx, want %x %x %x",
                       i, (unsigned long long)fr->ip, (unsigned long long)fr->sp,
                       (unsigned long long)fr->regs.r[X86_EBP], want[i].eip, want[i].esp,
                       want[i].ebp);
        CHECK_EQ(fr->found_by, i == 0 ? UNWIND_FOUND_CONTEXT : UNWIND_FOUND_FRAME_DATA);
        CHECK(unwind_regs_has(&fr->regs, X86_EBP));
    }
    unwind_walk_deinit(&w);
    sym_env_close(&d);
}

/* ---- fizzbuzz_no_heap.dmp: no symbols, no code bytes ------------------------------------ */

TEST(unwind_x86_fizzbuzz_no_symbols)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    struct sym_env d = {0};
    if (!sym_env_open(&d, dir, "llvm-lldb/fizzbuzz_no_heap.dmp"))
        return;
    CHECK_EQ(d.t->nthreads, 1);
    if (d.t->nthreads < 1 || !d.t->threads[0].context) {
        sym_env_close(&d);
        return;
    }
    struct regset rs;
    CHECK_OK(x86_context_decode(d.t->threads[0].context, d.t->threads[0].context_size, &rs));
    struct unwind_regs start;
    unwind_regs_from_regset(&rs, &start);
    struct unwind_env env = {&d, senv_read_memory, senv_find_module, NULL, NULL, NULL};
    struct unwind_walk w;
    CHECK_OK(unwind_x86_walk(&env, &start, NULL, &w));
    /*
     * lldb's TestMiniDump.py expects exactly 6 frames: 164d14 167c79 167e6d 7510336a 77759882
     * 77759855. The dump holds only the stack (no code bytes, no symbols): the EBP chain alone
     * finds them all.
     */
    static const uint32_t want[] = {0x164d14,   0x167c79,   0x167e6d,
                                    0x7510336a, 0x77759882, 0x77759855};
    size_t nwant = sizeof(want) / sizeof(want[0]);
    CHECK_EQ(w.nframes, nwant);
    for (size_t i = 0; i < w.nframes && i < nwant; i++) {
        if (w.frames[i].ip != want[i])
            check_fail(__FILE__, __LINE__, "frame %zu: eip %llx, want %x", i,
                       (unsigned long long)w.frames[i].ip, want[i]);
        CHECK_EQ(w.frames[i].found_by, i == 0 ? UNWIND_FOUND_CONTEXT : UNWIND_FOUND_FRAME_POINTER);
    }
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    unwind_walk_deinit(&w);
    sym_env_close(&d);
}

/* ---- Mozilla's windows-x86.dmp (xz-compressed in the corpus) ---------------------------- */

/* The decompressed bytes of the xz file PATH (through the xz tool); NULL when unavailable. */
static uint8_t *read_xz(const char *path, size_t *ret_size)
{
    char cmd[4200];
    if (strchr(path, '\''))
        return NULL;
    snprintf(cmd, sizeof(cmd), "xz -dc '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, p);
        if (got == 0)
            break;
        n += got;
    }
    if (pclose(p) != 0 || n == 0) {
        free(buf);
        return NULL;
    }
    *ret_size = n;
    return buf;
}

/* Breakpad debug id of M: the RSDS GUID as text (Data1-3 little-endian on disk) + age. */
static void debug_id(const struct target_module *m, char *buf, size_t size)
{
    const uint8_t *g = m->pdb_guid;
    int n = snprintf(buf, size, "%08X%04X%04X", dd_le32(g), dd_le16(g + 4), dd_le16(g + 6));
    for (int i = 8; i < 16 && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, "%02X", g[i]);
    if (n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "%X", m->pdb_age);
}

/* Loads STORE/NAME.pdb/ID/NAME.sym.xz for the modules of D named in ONLY (NULL-terminated). */
static void sym_env_add_store(struct sym_env *d, const char *store, const char *const *only)
{
    for (size_t i = 0; i < d->t->nmodules && d->nmods < 64; i++) {
        const struct target_module *m = &d->t->modules[i];
        if (m->cv_kind != TARGET_CV_RSDS || !m->pdb_name)
            continue;
        bool wanted = false;
        for (size_t k = 0; only[k]; k++)
            wanted = wanted || strcmp(m->name, only[k]) == 0;
        if (!wanted)
            continue;
        const char *pdb = strrchr(m->pdb_name, '\\');
        pdb = pdb ? pdb + 1 : m->pdb_name;
        size_t len = strlen(pdb);
        if (len < 5 || len > 200 || strcmp(pdb + len - 4, ".pdb") != 0)
            continue;
        char id[64], path[8192];
        debug_id(m, id, sizeof(id));
        snprintf(path, sizeof(path), "%s/%s/%s/%.*s.sym.xz", store, pdb, id, (int)(len - 4), pdb);
        size_t size = 0;
        uint8_t *data = read_xz(path, &size);
        if (!data)
            continue;
        d->bufs[d->nbufs++] = data;
        struct sym_module *sm = &d->mods[d->nmods];
        sm->name = m->name;
        sm->base = m->base;
        CHECK_OK(breakpad_sym_open_memory(data, size, &sm->sym));
        if (sm->sym)
            d->nmods++;
    }
}

TEST(unwind_x86_mozilla_windows_x86)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/mozilla-minidump-stackwalk/windows-x86.dmp", dir);
    size_t size = 0;
    uint8_t *dump = read_xz(path, &size);
    if (!dump) {
        check_skip("windows-x86.dmp: cannot decompress (xz)");
        return;
    }
    struct sym_env d = {0};
    d.bufs[d.nbufs++] = dump;
    CHECK_OK(dump_open_memory(dump, size, "windows-x86.dmp", &d.t));
    if (!d.t) {
        free(dump);
        return;
    }
    /*
     * windows-x86.extra, StackTraces: the client's own walk of the crashing thread (from the
     * exception context, all frames "frame_pointer" past the first): 26 frames through xul.dll,
     * firefox.exe, kernel32.dll and ntdll.dll.
     */
    static const uint32_t want[] = {
        0x5cdbc66d, 0x59cfe97f, 0x5aa0df28, 0x5aa0bbb8, 0x5aa0b466, 0x5aa14ec0, 0x5abe279a,
        0x5ab4ed92, 0x5aab45cd, 0x5a6843ba, 0x59ae7365, 0x5aab760d, 0x5aa928ee, 0x59ae67ae,
        0x59e11d84, 0x59e10e27, 0x5cf90cc6, 0x5d01b0e8, 0x5d01c17c, 0x59ab3b35, 0x5d028e10,
        0x0020153a, 0x0024176b, 0x7651fa28, 0x770e75f3, 0x770e75c3};
    size_t nwant = sizeof(want) / sizeof(want[0]);
    CHECK(d.t->has_exception && d.t->exception.context);
    struct regset rs;
    CHECK_OK(x86_context_decode(d.t->exception.context, d.t->exception.context_size, &rs));
    struct unwind_regs start;
    unwind_regs_from_regset(&rs, &start);

    /* First with no symbols (EBP chain and scan), then with the Breakpad symbols of the
     * corpus (firefox, kernel32, ntdll ...; xul.sym is absent). */
    char store[2048];
    snprintf(store, sizeof(store), "%s/user/mozilla-minidump-stackwalk/symbols", dir);
    for (int pass = 0; pass < 2; pass++) {
        static const char *const only[] = {"firefox", "kernel32", "ntdll", NULL};
        if (pass == 1)
            sym_env_add_store(&d, store, only);
        struct unwind_x86_frame_info_source src = {senv_find_info, &d};
        struct unwind_env env = {&d,   senv_read_memory,  senv_find_module, NULL,
                                 NULL, pass ? &src : NULL};
        struct unwind_walk w;
        CHECK_OK(unwind_x86_walk(&env, &start, NULL, &w));
        CHECK_EQ(w.nframes, nwant);
        /* The .extra gives caller frames' ip as the return address minus 1. */
        for (size_t i = 0; i < w.nframes && i < nwant; i++)
            if (w.frames[i].ip != want[i] + (i > 0))
                check_fail(__FILE__, __LINE__, "pass %d frame %zu: eip %llx (%s), want %x", pass, i,
                           (unsigned long long)w.frames[i].ip,
                           unwind_found_by_name(w.frames[i].found_by), want[i] + (i > 0));
        if (pass == 1 && w.nframes == nwant) {
            CHECK(d.nmods >= 3);
            /*
             * From wkernel32.sym and wntdll.sym: kernel32's BaseThreadInitThunk (RVA 1fa10) has
             * only a PUBLIC, so its caller (frame 24) comes from the EBP chain; ntdll's
             * _RtlUserThreadStart has "STACK WIN 4 675c5 34 ...", which finds frame 25.
             */
            CHECK_EQ(w.frames[24].found_by, UNWIND_FOUND_FRAME_POINTER);
            CHECK_EQ(w.frames[25].found_by, UNWIND_FOUND_FRAME_DATA);
        }
        unwind_walk_deinit(&w);
    }
    sym_env_close(&d);
}
