/*
 * ARM64 unwinder. Synthetic tests: .xdata records and packed .pdata words written here from
 * Microsoft "ARM64 exception handling" (the codes table, the packed-data table, the partial
 * prolog/epilog example, the fragment examples and Examples 1-3 with their words verbatim) and a
 * synthetic stack laid out as those prologs would leave it; expected registers follow from the
 * bytes written here. Real images: the DLLs in tests/fixtures/unwind (clang-16 / llvm-mc-16
 * output), whose decoding must agree with llvm-readobj-16's (the .unwind files). Real dump: the
 * corpus's windows-aarch64.dmp against the client-side stack in its .extra annotations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/arm64_regs.h"
#include "base/cursor.h"
#include "core/target.h"
#include "dump/dump.h"
#include "pe/pe_exports.h"
#include "pe/pe_image.h"
#include "pe/pe_pdata.h"
#include "unwind/arm64/arm64_unwind.h"
#include "check.h"

/* ---- the fake target ---------------------------------------------------------------- */

#define MOD_BASE 0x7ff600000000ull
#define MOD_SIZE 0x10000u
#define STACK_BASE 0x10000ull
#define STACK_SIZE 0x4000u

struct fake {
    uint8_t image[MOD_SIZE];
    uint8_t stack[STACK_SIZE];
    uint64_t stack_base;
    size_t stack_size; /* bytes readable from stack_base */
    struct {
        uint32_t begin, end, word;
    } fns[32];
    size_t nfns;
    enum unwind_lookup no_entry; /* find_function's answer when no entry covers the RVA */
    bool hide_code;              /* read_image and memory serve no module bytes */
};

static size_t fake_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fake *f = ctx;
    if (addr >= f->stack_base && addr - f->stack_base < f->stack_size) {
        size_t n = f->stack_size - (size_t)(addr - f->stack_base);
        if (n > len)
            n = len;
        memcpy(buf, f->stack + (addr - f->stack_base), n);
        return n;
    }
    return 0;
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

static enum unwind_lookup fake_find_function(void *ctx, uint64_t base, uint32_t rva,
                                             uint32_t *ret_begin, uint32_t *ret_end,
                                             uint32_t *ret_word)
{
    struct fake *f = ctx;
    (void)base;
    if (f->no_entry == UNWIND_LOOKUP_UNAVAILABLE)
        return UNWIND_LOOKUP_UNAVAILABLE;
    for (size_t i = 0; i < f->nfns; i++) {
        if (rva >= f->fns[i].begin && rva < f->fns[i].end) {
            *ret_begin = f->fns[i].begin;
            *ret_end = f->fns[i].end;
            *ret_word = f->fns[i].word;
            return UNWIND_LOOKUP_FOUND;
        }
    }
    return f->no_entry;
}

static size_t fake_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct fake *f = ctx;
    if (base != MOD_BASE || rva >= MOD_SIZE || f->hide_code)
        return 0;
    size_t n = MOD_SIZE - rva;
    if (n > len)
        n = len;
    memcpy(buf, f->image + rva, n);
    return n;
}

static struct fake *fake_new(void)
{
    struct fake *f = calloc(1, sizeof(*f));
    f->stack_base = STACK_BASE;
    f->stack_size = STACK_SIZE;
    f->no_entry = UNWIND_LOOKUP_NONE;
    return f;
}

static struct unwind_env fake_env(struct fake *f)
{
    struct unwind_env env = {.ctx = f,
                             .read_memory = fake_read_memory,
                             .find_module = fake_find_module,
                             .find_function = fake_find_function,
                             .read_image = fake_read_image};
    return env;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void stack64(struct fake *f, uint64_t addr, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        f->stack[addr - STACK_BASE + (uint64_t)i] = (uint8_t)(v >> (8 * i));
}

/* Writes little-endian words (an .xdata record) at RVA. */
static void words(struct fake *f, uint32_t rva, const uint32_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put32(f->image + rva + 4 * i, w[i]);
}
#define WORDS(f, rva, ...)                                                                         \
    words((f), (rva), (const uint32_t[]){__VA_ARGS__},                                             \
          sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

/* An .xdata header word (Function Length in instructions, X, E, Epilog Count, Code Words). */
static uint32_t xhdr(uint32_t insns, unsigned x, unsigned e, unsigned epi, unsigned code_words)
{
    return insns | (x << 20) | (e << 21) | (epi << 22) | (code_words << 27);
}

/* Code bytes packed into little-endian words, padded with `end`. */
static void codes(struct fake *f, uint32_t rva, const uint8_t *b, size_t n)
{
    memcpy(f->image + rva, b, n);
    while (n % 4)
        f->image[rva + n++] = 0xe4;
}
#define CODES(f, rva, ...)                                                                         \
    codes((f), (rva), (const uint8_t[]){__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}))

static void add_fn(struct fake *f, uint32_t begin, uint32_t end, uint32_t word)
{
    f->fns[f->nfns].begin = begin;
    f->fns[f->nfns].end = end;
    f->fns[f->nfns].word = word;
    f->nfns++;
}

/* A BL at RVA (to a target inside the module): RVA+4 is then a return address. */
static uint64_t put_bl(struct fake *f, uint32_t rva)
{
    put32(f->image + rva, 0x94000000u | 0x10u); /* bl .+64 */
    return MOD_BASE + rva + 4;
}

/* Context registers: x0-x28 = 0xc0000+n, d8-d15 low halves = 0xd000+n, and PC/SP/FP/LR. */
static struct unwind_regs ctx_regs(uint64_t pc, uint64_t sp, uint64_t fp, uint64_t lr)
{
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    for (unsigned i = 0; i <= 28; i++)
        unwind_regs_set(&r, i, 0xc0000u + i);
    unwind_regs_set(&r, ARM64_FP, fp);
    unwind_regs_set(&r, ARM64_LR, lr);
    unwind_regs_set(&r, ARM64_SP, sp);
    unwind_regs_set(&r, ARM64_PC, pc);
    unwind_regs_set(&r, ARM64_CPSR, 0x60000000);
    for (unsigned i = 0; i < 16; i++) {
        uint64_t v = 0xd000u + i;
        memcpy(r.vec[i], &v, 8);
        r.vec_valid |= 1u << i;
    }
    return r;
}

static uint64_t vec_lo(const struct unwind_regs *r, unsigned i)
{
    return dd_le64(r->vec[i]);
}

/* One step of the cascade from a frame with registers R found by BY (context: exact pc). */
static enum unwind_stop step(const struct unwind_env *env, const struct unwind_regs *r,
                             enum unwind_found_by by, uint32_t flags,
                             struct unwind_frame *ret_caller)
{
    struct unwind_frame callee;
    memset(&callee, 0, sizeof(callee));
    callee.regs = *r;
    callee.ip = r->r[ARM64_PC];
    callee.sp = r->r[ARM64_SP];
    callee.found_by = by;
    callee.flags = flags;
    struct unwind_options opts;
    memset(&opts, 0, sizeof(opts));
    uint64_t fault = 0;
    memset(ret_caller, 0, sizeof(*ret_caller));
    return unwind_arch_arm64.step(env, &opts, &callee, ret_caller, &fault);
}

#define SAVED_AT(fr, slot) ((fr).regs.saved_at[slot])
#define IS_SAVED(fr, slot) (((fr).regs.saved >> (slot)) & 1)

/* ---- unwind codes --------------------------------------------------------------------- */

/* Decodes CODE and checks its size, instruction count and prolog/epilog spelling. */
static void check_code(const uint8_t *b, size_t n, unsigned op, const char *prolog,
                       const char *epilog)
{
    struct unwind_arm64_code c;
    CHECK(unwind_arm64_code_decode(b, n, 0, &c));
    CHECK_EQ(c.op, op);
    CHECK_EQ(c.size, n);
    char buf[64];
    unwind_arm64_code_format(&c, false, buf, sizeof(buf));
    CHECK_STR(buf, prolog);
    unwind_arm64_code_format(&c, true, buf, sizeof(buf));
    CHECK_STR(buf, epilog);
}
#define CODE(op, prolog, epilog, ...)                                                              \
    check_code((const uint8_t[]){__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}),                   \
               UNWIND_ARM64_##op, prolog, epilog)

TEST(unwind_arm64_codes_table)
{
    /* Each row of the document's table, with operands chosen to hit every field. */
    CODE(ALLOC_S, "sub sp, #496", "add sp, #496", 0x1f);
    CODE(SAVE_R19R20_X, "stp x19, x20, [sp, #-248]!", "ldp x19, x20, [sp], #248", 0x3f);
    CODE(SAVE_FPLR, "stp x29, x30, [sp, #504]", "ldp x29, x30, [sp, #504]", 0x7f);
    CODE(SAVE_FPLR_X, "stp x29, x30, [sp, #-512]!", "ldp x29, x30, [sp], #512", 0xbf);
    CODE(ALLOC_M, "sub sp, #32752", "add sp, #32752", 0xc7, 0xff);
    CODE(SAVE_REGP, "stp x28, x29, [sp, #8]", "ldp x28, x29, [sp, #8]", 0xca, 0x41);
    CODE(SAVE_REGP_X, "stp x21, x22, [sp, #-64]!", "ldp x21, x22, [sp], #64", 0xcc, 0x87);
    CODE(SAVE_REG, "str x26, [sp, #16]", "ldr x26, [sp, #16]", 0xd1, 0xc2);
    CODE(SAVE_REG_X, "str x30, [sp, #-16]!", "ldr x30, [sp], #16", 0xd5, 0x61);
    CODE(SAVE_LRPAIR, "stp x27, x30, [sp, #0]", "ldp x27, x30, [sp, #0]", 0xd7, 0x00);
    CODE(SAVE_FREGP, "stp d14, d15, [sp, #504]", "ldp d14, d15, [sp, #504]", 0xd9, 0xbf);
    CODE(SAVE_FREGP_X, "stp d10, d11, [sp, #-32]!", "ldp d10, d11, [sp], #32", 0xda, 0x83);
    CODE(SAVE_FREG, "str d12, [sp, #16]", "ldr d12, [sp, #16]", 0xdd, 0x02);
    CODE(SAVE_FREG_X, "str d13, [sp, #-16]!", "ldr d13, [sp], #16", 0xde, 0xa1);
    CODE(ALLOC_L, "sub sp, #1048576", "add sp, #1048576", 0xe0, 0x01, 0x00, 0x00);
    CODE(SET_FP, "mov x29, sp", "mov sp, x29", 0xe1);
    CODE(ADD_FP, "add x29, sp, #2040", "sub sp, x29, #2040", 0xe2, 0xff);
    CODE(NOP, "nop", "nop", 0xe3);
    CODE(END, "end", "end", 0xe4);
    CODE(END_C, "end_c", "end_c", 0xe5);
    CODE(SAVE_NEXT, "save_next", "save_next", 0xe6);
    CODE(TRAP_FRAME, "trap frame", "trap frame", 0xe8);
    CODE(MACHINE_FRAME, "machine frame", "machine frame", 0xe9);
    CODE(CONTEXT, "context", "context", 0xea);
    CODE(EC_CONTEXT, "ec context", "ec context", 0xeb);
    CODE(CLEAR_UNWOUND, "clear unwound to call", "clear unwound to call", 0xec);
    CODE(PAC_SIGN_LR, "pacibsp", "autibsp", 0xfc);
    /* save_any_reg 11100111'0pxrrrrr'ffoooooo: single, pair, pre-indexed; X, D, Q. */
    CODE(SAVE_ANY_REG, "str x0, [sp, #16]", "ldr x0, [sp, #16]", 0xe7, 0x00, 0x02);
    CODE(SAVE_ANY_REG, "stp x2, x3, [sp, #16]", "ldp x2, x3, [sp, #16]", 0xe7, 0x42, 0x01);
    CODE(SAVE_ANY_REG, "str d16, [sp, #8]", "ldr d16, [sp, #8]", 0xe7, 0x10, 0x41);
    CODE(SAVE_ANY_REG, "stp q17, q18, [sp, #32]", "ldp q17, q18, [sp, #32]", 0xe7, 0x51, 0x82);
    CODE(SAVE_ANY_REG, "str x4, [sp, #-16]!", "ldr x4, [sp], #16", 0xe7, 0x24, 0x00);
    CODE(SAVE_ANY_REG, "stp d20, d21, [sp, #-32]!", "ldp d20, d21, [sp], #32", 0xe7, 0x74, 0x41);
    CODE(SAVE_ANY_REG, "str q5, [sp, #48]", "ldr q5, [sp, #48]", 0xe7, 0x05, 0x83);
    /* Reserved codes with a defined length: f8-fb carry 1-4 bytes; fd-ff stand alone. */
    CODE(RESERVED_NOP, "reserved 0xf8", "reserved 0xf8", 0xf8, 0x11);
    CODE(RESERVED_NOP, "reserved 0xfb", "reserved 0xfb", 0xfb, 1, 2, 3, 4);
    CODE(RESERVED_NOP, "reserved 0xff", "reserved 0xff", 0xff);
    CODE(ALLOC_Z, "sub sp, #3 * VL", "add sp, #3 * VL", 0xdf, 0x03);

    struct unwind_arm64_code c;
    /* Instruction counts: custom stack codes stand for none. */
    CHECK(unwind_arm64_code_decode((const uint8_t[]){0xe9}, 1, 0, &c) && c.insns == 0);
    CHECK(unwind_arm64_code_decode((const uint8_t[]){0xfc}, 1, 0, &c) && c.insns == 1);
    CHECK(unwind_arm64_code_decode((const uint8_t[]){0xe3}, 1, 0, &c) && c.insns == 1);
    /* Reserved without a length, cut short, a bad save_any_reg: not decodable. */
    CHECK(!unwind_arm64_code_decode((const uint8_t[]){0xed}, 1, 0, &c));
    CHECK(!unwind_arm64_code_decode((const uint8_t[]){0xf3}, 1, 0, &c));
    CHECK(!unwind_arm64_code_decode((const uint8_t[]){0xc8}, 1, 0, &c));
    CHECK(!unwind_arm64_code_decode((const uint8_t[]){0xe0, 1, 2}, 3, 0, &c));
    CHECK(!unwind_arm64_code_decode((const uint8_t[]){0xe7, 0x80, 0x00}, 3, 0, &c));
    CHECK(!unwind_arm64_code_decode((const uint8_t[]){0xe7, 0x00, 0xc0}, 3, 0, &c));
    CHECK(!unwind_arm64_code_decode((const uint8_t[]){0xe4}, 1, 1, &c));
}

TEST(unwind_arm64_call_encodings_and_pac)
{
    uint64_t ra = MOD_BASE + 0x2004;
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0x94000010u));  /* bl .+64 */
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0x97fffff0u));  /* bl .-64 */
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0xd63f0020u));  /* blr x1 */
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0xd63f03c0u));  /* blr x30 */
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0xd73f0822u));  /* blraa x1, x2 */
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0xd73f0c7fu));  /* blrab x3, sp */
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0xd63f083fu));  /* blraaz x1 */
    CHECK(unwind_arm64_call_precedes(NULL, ra, 0xd63f0cffu));  /* blrabz x7 */
    CHECK(!unwind_arm64_call_precedes(NULL, ra, 0xd61f0020u)); /* br x1 */
    CHECK(!unwind_arm64_call_precedes(NULL, ra, 0xd65f03c0u)); /* ret */
    CHECK(!unwind_arm64_call_precedes(NULL, ra, 0x14000010u)); /* b .+64 */
    CHECK(!unwind_arm64_call_precedes(NULL, ra, 0xd503201fu)); /* nop */
    /* With modules known, a BL must land in one. */
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    CHECK(unwind_arm64_call_precedes(&env, ra, 0x94000010u));
    CHECK(!unwind_arm64_call_precedes(&env, ra, 0x96000000u)); /* bl .-128MB: outside */
    free(f);

    CHECK_EQ(unwind_arm64_strip_pac(0x00007ff612345678ull), 0x00007ff612345678ull);
    CHECK_EQ(unwind_arm64_strip_pac(0x003f7ff612345678ull), 0x00007ff612345678ull);
    CHECK_EQ(unwind_arm64_strip_pac(0x5a2a7ff612345678ull), 0x00007ff612345678ull);
    CHECK_EQ(unwind_arm64_strip_pac(0xff80800012345678ull), 0xffff800012345678ull);
    CHECK_EQ(unwind_arm64_strip_pac(0x12ff800012345678ull), 0xffff800012345678ull);
}

/* ---- the document's partial prolog / epilog example ----------------------------------- */

/*
 * "Unwinding partial prologs and epilogs":
 *   0000 stp x29,lr,[sp,#-256]!  save_fplr_x 256      0100 mov sp,x29
 *   0004 stp d8,d9,[sp,#224]     save_fregp 0,224     0104 ldp x19,x20,[sp,#240]
 *   0008 stp x19,x20,[sp,#240]   save_regp 0,240      0108 ldp d8,d9,[sp,224]
 *   000c mov x29,sp              set_fp               010c ldp x29,lr,[sp],#256
 *                                                     0110 ret
 * Codes set_fp, save_regp 0,240, save_fregp 0,224, save_fplr_x 256, end; one epilog (E=1) at the
 * end sharing them (index 0); function length 0x114.
 */
#define DOC_FN 0x1000u
#define DOC_XDATA 0x8000u
#define S0 (STACK_BASE + 0x2000) /* the caller's sp */
#define SP0 (S0 - 256)           /* sp after the prolog */
#define CALLER_FP 0x12100ull
#define X19M 0x1919ull
#define X20M 0x2020ull
#define D8M 0xd8d8ull
#define D9M 0xd9d9ull

static struct fake *doc_example(uint64_t *ret_ra, uint64_t *ret_ctx_lr)
{
    struct fake *f = fake_new();
    WORDS(f, DOC_XDATA, xhdr(0x114 / 4, 0, 1, 0, 2));
    CODES(f, DOC_XDATA + 4, 0xe1, 0xc8, 0x1e, 0xd8, 0x1c, 0x9f, 0xe4);
    add_fn(f, DOC_FN, DOC_FN + 0x114, DOC_XDATA);
    uint64_t ra = put_bl(f, 0x3000);
    stack64(f, SP0, CALLER_FP);
    stack64(f, SP0 + 8, ra);
    stack64(f, SP0 + 224, D8M);
    stack64(f, SP0 + 232, D9M);
    stack64(f, SP0 + 240, X19M);
    stack64(f, SP0 + 248, X20M);
    *ret_ra = ra;
    *ret_ctx_lr = put_bl(f, 0x3100);
    return f;
}

TEST(unwind_arm64_doc_partial_prolog)
{
    uint64_t ra, lr;
    struct fake *f = doc_example(&ra, &lr);
    struct unwind_env env = fake_env(f);
    struct unwind_frame c;
    uint64_t fn = MOD_BASE + DOC_FN;

    /* 0000: nothing run yet: the return address is still in lr. */
    struct unwind_regs r = ctx_regs(fn, S0, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.found_by, UNWIND_FOUND_UNWIND_INFO);
    CHECK_EQ(c.flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[ARM64_FP], 0x7777);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);
    CHECK(!IS_SAVED(c, ARM64_PC));

    /* 0004: only the <x29,lr> store ran. */
    r = ctx_regs(fn + 4, SP0, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(c.ip, ra);
    CHECK(IS_SAVED(c, ARM64_PC) && SAVED_AT(c, ARM64_PC) == SP0 + 8);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    CHECK_EQ(SAVED_AT(c, ARM64_FP), SP0);
    CHECK_EQ(vec_lo(&c.regs, 8), 0xd008);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);

    /* 0008: d8/d9 saved too. */
    r = ctx_regs(fn + 8, SP0, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(vec_lo(&c.regs, 8), D8M);
    CHECK_EQ(vec_lo(&c.regs, 9), D9M);
    CHECK(c.regs.vec_saved >> 8 & 1);
    CHECK_EQ(c.regs.vec_saved_at[9], SP0 + 232);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);

    /* 000c: x19/x20 saved; set_fp not run yet (x29 not set up, so it must not be used). */
    r = ctx_regs(fn + 12, SP0, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.regs.r[20], X20M);
    CHECK_EQ(SAVED_AT(c, 20), SP0 + 248);
    CHECK_EQ(c.sp, S0);

    /* 0010, the body: sp moved on (alloca), x29 restores it. Volatile registers are gone. */
    r = ctx_regs(fn + 16, SP0 - 0x40, SP0, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(vec_lo(&c.regs, 8), D8M);
    CHECK_EQ(c.regs.r[21], 0xc0000 + 21); /* not saved: unchanged */
    CHECK(!unwind_regs_has(&c.regs, 0) && !unwind_regs_has(&c.regs, 18));
    CHECK(!unwind_regs_has(&c.regs, ARM64_CPSR));
    CHECK(!(c.regs.vec_valid & 0xff) && (c.regs.vec_valid & 0xff00) == 0xff00);
    free(f);
}

TEST(unwind_arm64_doc_partial_epilog)
{
    uint64_t ra, lr;
    struct fake *f = doc_example(&ra, &lr);
    struct unwind_env env = fake_env(f);
    struct unwind_frame c;
    uint64_t fn = MOD_BASE + DOC_FN;

    /* 0100: the epilog's first instruction: everything to undo, like the body. */
    struct unwind_regs r = ctx_regs(fn + 0x100, SP0 - 0x40, SP0, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);

    /* 0104: mov sp,x29 done: x29 is not needed (and holds junk here). */
    r = ctx_regs(fn + 0x104, SP0, 0x5555, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(vec_lo(&c.regs, 8), D8M);

    /* 0108: x19/x20 are back in their registers already. */
    r = ctx_regs(fn + 0x108, SP0, 0x5555, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);
    CHECK_EQ(vec_lo(&c.regs, 8), D8M);
    CHECK_EQ(c.ip, ra);

    /* 010c: d8/d9 too. */
    r = ctx_regs(fn + 0x10c, SP0, 0x5555, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(vec_lo(&c.regs, 8), 0xd008);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);

    /* 0110: only ret is left. */
    r = ctx_regs(fn + 0x110, S0, CALLER_FP, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);

    /* A return address in the body (found by return, not exact): the prolog codes, all of them. */
    r = ctx_regs(fn + 0x20, SP0, SP0, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_UNWIND_INFO, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.flags, 0);
    free(f);
}

/* ---- the document's examples, words verbatim ------------------------------------------ */

/* Example 1 (Foo): packed 0x416101ed = Flag 1, 492 bytes, RegI 1, CR 3 (chained), 2080 bytes. */
TEST(unwind_arm64_doc_example1_packed)
{
    struct unwind_arm64_info info;
    CHECK(unwind_arm64_packed_expand(0x416101ed, &info));
    CHECK_EQ(info.flag, 1);
    CHECK_EQ(info.function_length, 492);
    /*
     * str x19,[sp,#-0x10]! (save_reg_x); sub sp,sp,#0x810 (alloc_m); stp fp,lr,[sp] (save_fplr);
     * mov fp,sp (set_fp); in unwind order, then the epilog without set_fp.
     */
    static const uint8_t want[] = {0xe1, 0x40, 0xc0, 0x81, 0xd4, 0x01, 0xe4,
                                   0x40, 0xc0, 0x81, 0xd4, 0x01, 0xe4};
    CHECK_EQ(info.ncodes, sizeof(want));
    CHECK(memcmp(info.codes, want, sizeof(want)) == 0);
    CHECK(info.single_epilog);
    CHECK_EQ(info.epilog_index, 7);

    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    add_fn(f, 0x2000, 0x2000 + 492, 0x416101ed);
    uint64_t fn = MOD_BASE + 0x2000, ra = put_bl(f, 0x3000), lr = put_bl(f, 0x3100);
    uint64_t sp1 = S0 - 16 - 0x810;
    stack64(f, S0 - 16, X19M);
    stack64(f, sp1, CALLER_FP);
    stack64(f, sp1 + 8, ra);
    struct unwind_frame c;

    /* Body. */
    struct unwind_regs r = ctx_regs(fn + 0x40, sp1, sp1, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(SAVED_AT(c, 19), S0 - 16);

    /* Prolog, after str x19 and sub sp: the <fp,lr> store has not run. */
    r = ctx_regs(fn + 8, sp1, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.regs.r[ARM64_FP], 0x7777);

    /* Epilog at instructions 119-122 (ldp fp,lr; add sp; ldr x19; ret): pc at the ldr. */
    r = ctx_regs(fn + 121 * 4, S0 - 16, CALLER_FP, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    /* One instruction earlier (add sp,#0x810 next), the fp/lr are back already. */
    r = ctx_regs(fn + 120 * 4, sp1, CALLER_FP, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    free(f);
}

/*
 * Example 2 (Bar): stp x19,x20,[sp,#-0x10]!; stp fp,lr,[sp,#-0x90]!; mov fp,sp. .xdata
 * 0x1040003d 0x1000038 0xe42291e1 0xe42291e1: 61 instructions, one scope at instruction 56 whose
 * codes (index 4) repeat the prolog's.
 */
TEST(unwind_arm64_doc_example2)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    WORDS(f, 0x8000, 0x1040003d, 0x1000038, 0xe42291e1, 0xe42291e1);
    add_fn(f, 0x1000, 0x1000 + 61 * 4, 0x8000);
    struct unwind_arm64_info info;
    CHECK(unwind_arm64_info_read(&env, MOD_BASE, 0x8000, &info));
    CHECK_EQ(info.function_length, 244);
    CHECK_EQ(info.nscopes, 1);
    CHECK_EQ(info.ncodes, 8);
    CHECK(!info.single_epilog && !info.has_handler);
    uint32_t start;
    uint16_t index;
    CHECK(unwind_arm64_info_scope(&env, MOD_BASE, &info, 0, &start, &index));
    CHECK_EQ(start, 56 * 4);
    CHECK_EQ(index, 4);
    CHECK(!unwind_arm64_info_scope(&env, MOD_BASE, &info, 1, &start, &index));

    uint64_t fn = MOD_BASE + 0x1000, ra = put_bl(f, 0x3000), lr = put_bl(f, 0x3100);
    uint64_t sp1 = S0 - 16 - 0x90;
    stack64(f, S0 - 16, X19M);
    stack64(f, S0 - 8, X20M);
    stack64(f, sp1, CALLER_FP);
    stack64(f, sp1 + 8, ra);
    struct unwind_frame c;
    struct unwind_regs r = ctx_regs(fn + 40, sp1 - 32, sp1, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.regs.r[20], X20M);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    /* At instruction 58 (ldp x19,x20 next): only save_r19r20_x is left. */
    r = ctx_regs(fn + 58 * 4, S0 - 16, CALLER_FP, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    /* Instruction 60, past the epilog's ret: body again. */
    r = ctx_regs(fn + 60 * 4, sp1, sp1, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.ip, ra);
    free(f);
}

/*
 * Example 3 (Delegate): sub sp,#0x50; stp x19,lr,[sp]; four stp homing x0-x7. .xdata 0x18400012
 * 0x200000f 0xe3e3e3e3 0xe40500d6 0xe40500d6: nop x4, save_lrpair, alloc_s, end; one scope at
 * instruction 15 with codes at index 8 (ldp x19,lr; add sp; ret).
 */
TEST(unwind_arm64_doc_example3)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    WORDS(f, 0x8000, 0x18400012, 0x200000f, 0xe3e3e3e3, 0xe40500d6, 0xe40500d6);
    add_fn(f, 0x1000, 0x1000 + 18 * 4, 0x8000);
    uint64_t fn = MOD_BASE + 0x1000, ra = put_bl(f, 0x3000), lr = put_bl(f, 0x3100);
    uint64_t sp1 = S0 - 0x50;
    stack64(f, sp1, X19M);
    stack64(f, sp1 + 8, ra);
    struct unwind_frame c;
    /* Body (instruction 8). */
    struct unwind_regs r = ctx_regs(fn + 32, sp1, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.regs.r[ARM64_FP], 0x7777);
    CHECK_EQ(SAVED_AT(c, ARM64_PC), sp1 + 8);
    /* Instruction 2 (sub and stp x19,lr done; the homing stores, all nops, not yet). */
    r = ctx_regs(fn + 8, sp1, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.regs.r[19], X19M);
    /* Instruction 1: only sub sp ran. */
    r = ctx_regs(fn + 4, sp1, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);
    /* Instruction 16 (add sp next): x19 and lr are back. */
    r = ctx_regs(fn + 16 * 4, sp1, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);
    free(f);
}

/* ---- packed unwind data ----------------------------------------------------------------- */

static uint32_t packed(unsigned flag, unsigned len, unsigned regf, unsigned regi, unsigned h,
                       unsigned cr, unsigned frame)
{
    return flag | (len / 4) << 2 | regf << 13 | regi << 16 | h << 20 | cr << 21 |
           (frame / 16) << 23;
}

/* Expands WORD and compares the codes with WANT (prolog codes, end, epilog codes, end). */
static void check_packed(uint32_t word, const uint8_t *want, size_t n, int epilog_index)
{
    struct unwind_arm64_info info;
    CHECK(unwind_arm64_packed_expand(word, &info));
    CHECK_EQ(info.ncodes, n);
    if (info.ncodes == n && memcmp(info.codes, want, n) != 0) {
        char got[200] = "";
        for (size_t i = 0; i < info.ncodes && i < 60; i++)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), " %02x", info.codes[i]);
        check_fail(__FILE__, __LINE__, "packed %08x codes:%s", word, got);
    }
    CHECK_EQ(info.single_epilog, epilog_index >= 0);
    if (epilog_index >= 0)
        CHECK_EQ(info.epilog_index, epilog_index);
}
#define PACKED(word, epi, ...)                                                                     \
    check_packed((word), (const uint8_t[]){__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), (epi))

TEST(unwind_arm64_packed_forms)
{
    /* Each expected sequence follows the document's table, steps 1-6 (codes in unwind order). */
    /* RegI 2, 64 bytes: stp x19,x20,[sp,#-16]!; sub sp,#48. */
    PACKED(packed(1, 64, 0, 2, 0, 0, 64), 4, 0x03, 0xcc, 0x01, 0xe4, 0x03, 0xcc, 0x01, 0xe4);
    /* RegI 3 + lr (CR 1): the odd register and lr as save_lrpair. */
    PACKED(packed(1, 64, 0, 3, 0, 1, 64), 6, 0x02, 0xd6, 0x42, 0xcc, 0x03, 0xe4, 0x02, 0xd6, 0x42,
           0xcc, 0x03, 0xe4);
    /* RegI 1 + lr: "Only x19 saved": sub sp,sp,#16; stp x19,lr,[sp]; sub sp,#16. */
    PACKED(packed(1, 64, 0, 1, 0, 1, 32), 5, 0x01, 0xd6, 0x00, 0x01, 0xe4, 0x01, 0xd6, 0x00, 0x01,
           0xe4);
    /* Only lr: str lr,[sp,#-16]! (save_reg_x x30). */
    PACKED(packed(1, 64, 0, 0, 0, 1, 16), 3, 0xd5, 0x61, 0xe4, 0xd5, 0x61, 0xe4);
    /* Only d8,d9 (RegF 1): the first FP store pre-decrements. */
    PACKED(packed(1, 64, 1, 0, 0, 0, 32), 4, 0x01, 0xda, 0x01, 0xe4, 0x01, 0xda, 0x01, 0xe4);
    /*
     * RegI 2, RegF 2 (d8-d10), H, CR 3, 320 bytes: savsz 16+24+64 -> 112, locsz 208:
     * stp x19,x20,[sp,#-112]!; stp d8,d9,[sp,#16]; str d10,[sp,#32]; 4 homing nops;
     * stp fp,lr,[sp,#-208]!; mov fp,sp. The epilog has neither the nops nor set_fp.
     */
    PACKED(packed(1, 64, 2, 2, 1, 3, 320), 13, 0xe1, 0x99, 0xe3, 0xe3, 0xe3, 0xe3, 0xdc, 0x84, 0xd8,
           0x02, 0xcc, 0x0d, 0xe4, 0x99, 0xdc, 0x84, 0xd8, 0x02, 0xcc, 0x0d, 0xe4);
    /* CR 2: pacibsp first; chained, 32 bytes. */
    PACKED(packed(1, 64, 0, 0, 0, 2, 32), 4, 0xe1, 0x83, 0xfc, 0xe4, 0x83, 0xfc, 0xe4);
    /* Flag 2 (a fragment): end_c first, no epilog. */
    PACKED(packed(2, 64, 0, 3, 0, 1, 64), -1, 0xe5, 0x02, 0xd6, 0x42, 0xcc, 0x03, 0xe4);
    /* Unchained locals above 4080: sub sp,sp,4080 then the rest (6e): two codes. */
    PACKED(packed(1, 64, 0, 0, 0, 0, 4800), 5, 0xc0, 0x2d, 0xc0, 0xff, 0xe4, 0xc0, 0x2d, 0xc0, 0xff,
           0xe4);
    /* Chained locals above 512 (6b): sub sp; stp fp,lr,[sp]; mov fp,sp. */
    PACKED(packed(1, 64, 0, 0, 0, 3, 1600), 5, 0xe1, 0x40, 0xc0, 0x64, 0xe4, 0x40, 0xc0, 0x64,
           0xe4);
    /* Chained above 4080 (6c): two allocations, then the <fp,lr> save. */
    PACKED(packed(1, 64, 0, 2, 0, 3, 8144), 9, 0xe1, 0x40, 0xc0, 0xfd, 0xc0, 0xff, 0xcc, 0x01, 0xe4,
           0x40, 0xc0, 0xfd, 0xc0, 0xff, 0xcc, 0x01, 0xe4);
    /*
     * H with nothing saved: the homes have no pre-decrementing store to follow, so they belong to
     * the body and the whole frame is one allocation (RtlpExpandCompactToFull's reading).
     */
    PACKED(packed(1, 64, 0, 0, 1, 0, 80), 2, 0x05, 0xe4, 0x05, 0xe4);
    /* RegI 10, RegF 7, H, CR 2, 8000 bytes: the largest form. */
    {
        struct unwind_arm64_info info;
        CHECK(unwind_arm64_packed_expand(packed(1, 64, 7, 10, 1, 2, 8000), &info));
        struct unwind_arm64_code c;
        char buf[64];
        CHECK(unwind_arm64_code_decode(info.codes, info.ncodes, 0, &c));
        CHECK_EQ(c.op, UNWIND_ARM64_SET_FP);
        size_t at = 0;
        unsigned n = 0;
        while (unwind_arm64_code_decode(info.codes, info.ncodes, at, &c) &&
               c.op != UNWIND_ARM64_END) {
            at += c.size;
            n++;
        }
        unwind_arm64_code_format(&c, false, buf, sizeof(buf));
        CHECK_STR(buf, "end");
        CHECK_EQ(n, 18); /* set_fp, save_fplr, 2 allocs, 4 nops, 4 fregp, 5 regp, pac */
    }
    struct unwind_arm64_info info;
    CHECK(!unwind_arm64_packed_expand(0x12345670, &info)); /* Flag 0: an .xdata RVA */
    CHECK(!unwind_arm64_packed_expand(0x12345673, &info)); /* Flag 3: reserved */
}

/* A packed function unwound as a fragment (Flag 2): never in a prolog or epilog. */
TEST(unwind_arm64_packed_fragment_and_pac)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    uint64_t ra = put_bl(f, 0x3000), lr = put_bl(f, 0x3100);
    /* RegI 2, CR 0, 64 bytes as a fragment at 0x1000. */
    add_fn(f, 0x1000, 0x1040, packed(2, 64, 0, 2, 0, 0, 64));
    uint64_t sp1 = S0 - 64;
    stack64(f, S0 - 16, X19M);
    stack64(f, S0 - 8, X20M);
    struct unwind_frame c;
    /* At its first instruction: the host's prolog has run in full. */
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1000, sp1, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.ip, lr);
    /* At its last: no epilog either. */
    r = ctx_regs(MOD_BASE + 0x103c, sp1, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.regs.r[19], X19M);

    /* CR 2 (pacibsp): the saved lr carries a signature; the caller's pc is its address part. */
    add_fn(f, 0x2000, 0x2040, packed(1, 64, 0, 0, 0, 2, 32));
    stack64(f, S0 - 32, CALLER_FP);
    stack64(f, S0 - 24, ra | 0x002d000000000000ull);
    r = ctx_regs(MOD_BASE + 0x2010, S0 - 32, S0 - 32, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.regs.r[ARM64_LR], ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    /* Before pacibsp ran (instruction 0): lr unsigned, nothing to undo. */
    r = ctx_regs(MOD_BASE + 0x2000, S0, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.flags, UNWIND_FRAME_PROLOG);
    free(f);
}

/* ---- special frames: trap frame, machine frame, context, clear unwound to call ------------ */

TEST(unwind_arm64_machine_frame)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    /* An interrupt handler: machine frame {sp, pc} at its sp; codes e9 e4. */
    WORDS(f, 0x8000, xhdr(4, 0, 0, 0, 1), 0xe4e4e4e9);
    add_fn(f, 0x1000, 0x1010, 0x8000);
    /* The interrupted function: str lr,[sp,#-16]! (packed CR 1, 16 bytes). */
    add_fn(f, 0x2000, 0x2040, packed(1, 64, 0, 0, 0, 1, 16));
    uint64_t ra = put_bl(f, 0x3000);
    uint64_t m = S0 - 0x100, isp = S0 - 16;
    stack64(f, m, isp);
    stack64(f, m + 8, MOD_BASE + 0x2004); /* right after the str lr: exact */
    stack64(f, isp, ra);

    struct unwind_walk w;
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1004, m, 0x7777, 0x1234);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK(w.nframes >= 3);
    if (w.nframes >= 3) {
        CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x2004);
        CHECK_EQ(w.frames[1].sp, isp);
        CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_TRAP);
        CHECK_EQ(w.frames[1].regs.saved_at[ARM64_PC], m + 8);
        CHECK_EQ(w.frames[1].regs.saved_at[ARM64_SP], m);
        CHECK(!unwind_regs_has(&w.frames[1].regs, ARM64_LR));
        /*
         * The pc is exact: one instruction (the str lr) has run, so the frame is past its
         * prolog; taken as a return address it would look like the prolog's start.
         */
        CHECK_EQ(w.frames[2].ip, ra);
        CHECK_EQ(w.frames[2].sp, S0);
        CHECK_EQ(w.frames[2].found_by, UNWIND_FOUND_UNWIND_INFO);
        CHECK_EQ(w.frames[0].function_begin, 0x1000);
        CHECK_EQ(w.frames[1].function_begin, 0x2000);
        CHECK_EQ(w.frames[1].unwind_rva, packed(1, 64, 0, 0, 0, 1, 16));
    }
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_arm64_context_and_trap_frame)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    /* KiUserExceptionDispatcher-like: a CONTEXT at sp (codes ea e4). */
    WORDS(f, 0x8000, xhdr(4, 0, 0, 0, 1), 0xe4e4e4ea);
    add_fn(f, 0x1000, 0x1010, 0x8000);
    uint64_t ctx = S0 - 0x800;
    /* ARM64 CONTEXT (winnt.h): ContextFlags, Cpsr, X0-X28, Fp, Lr, Sp, Pc, V[32], Fpcr, Fpsr. */
    put32(f->stack + (ctx - STACK_BASE), 0x00400007);
    put32(f->stack + (ctx + 4 - STACK_BASE), 0x80000000);
    for (unsigned i = 0; i <= 28; i++)
        stack64(f, ctx + 8 + 8 * i, 0xa0000 + i);
    stack64(f, ctx + 0xf0, 0xf0f0);
    stack64(f, ctx + 0xf8, 0x1e1e);
    stack64(f, ctx + 0x100, S0 - 0x40);
    stack64(f, ctx + 0x108, MOD_BASE + 0x5008);
    for (unsigned i = 0; i < 32; i++) {
        stack64(f, ctx + 0x110 + 16 * i, 0xb0000 + i);
        stack64(f, ctx + 0x118 + 16 * i, 0xc0000 + i);
    }
    put32(f->stack + (ctx + 0x310 - STACK_BASE), 0x03000000);
    put32(f->stack + (ctx + 0x314 - STACK_BASE), 0x10);

    struct unwind_frame c;
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1004, ctx, 0x7777, 0x1234);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_TRAP);
    CHECK_EQ(c.ip, MOD_BASE + 0x5008);
    CHECK_EQ(c.sp, S0 - 0x40);
    CHECK_EQ(c.regs.r[0], 0xa0000);
    CHECK_EQ(c.regs.r[17], 0xa0000 + 17);
    CHECK_EQ(SAVED_AT(c, 17), ctx + 8 + 8 * 17);
    CHECK_EQ(c.regs.r[28], 0xa0000 + 28);
    CHECK_EQ(c.regs.r[ARM64_FP], 0xf0f0);
    CHECK_EQ(c.regs.r[ARM64_LR], 0x1e1e);
    CHECK_EQ(c.regs.r[ARM64_CPSR], 0x80000000);
    CHECK_EQ(c.regs.r[ARM64_FPCR], 0x03000000);
    CHECK_EQ(c.regs.r[ARM64_FPSR], 0x10);
    CHECK_EQ(c.regs.vec_valid, 0xffff);
    CHECK_EQ(vec_lo(&c.regs, 3), 0xb0003);
    CHECK_EQ(dd_le64(c.regs.vec[3] + 8), 0xc0003);
    CHECK_EQ(c.regs.vec_saved_at[15], ctx + 0x110 + 16 * 15);

    /* CONTEXT_UNWOUND_TO_CALL: its pc is a return address. */
    put32(f->stack + (ctx - STACK_BASE), 0x20400007);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.ip, MOD_BASE + 0x5008);

    /* A trap frame (codes e8 e4): ARM64_KTRAP_FRAME Spsr 0x90, Sp 0x98, X0-X18 0xa0, Lr, Fp, Pc. */
    WORDS(f, 0x8010, xhdr(4, 0, 0, 0, 1), 0xe4e4e4e8);
    add_fn(f, 0x1100, 0x1110, 0x8010);
    uint64_t t = S0 - 0x400;
    put32(f->stack + (t + 0x90 - STACK_BASE), 0x60000000);
    stack64(f, t + 0x98, S0 - 0x20);
    for (unsigned i = 0; i <= 18; i++)
        stack64(f, t + 0xa0 + 8 * i, 0xe0000 + i);
    stack64(f, t + 0x138, 0x1e1e);
    stack64(f, t + 0x140, 0xf0f0);
    stack64(f, t + 0x148, MOD_BASE + 0x500c);
    r = ctx_regs(MOD_BASE + 0x1104, t, 0x7777, 0x1234);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_TRAP);
    CHECK_EQ(c.ip, MOD_BASE + 0x500c);
    CHECK_EQ(SAVED_AT(c, ARM64_PC), t + 0x148);
    CHECK_EQ(c.sp, S0 - 0x20);
    CHECK_EQ(c.regs.r[18], 0xe0000 + 18);
    CHECK_EQ(c.regs.r[ARM64_LR], 0x1e1e);
    CHECK_EQ(c.regs.r[ARM64_FP], 0xf0f0);
    CHECK_EQ(c.regs.r[ARM64_CPSR], 0x60000000);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19); /* not in a trap frame: the callee's value */

    /* clear unwound to call after stp x29,x30,[sp,#-16]! (codes 81 ec e4): pc = lr, exact. */
    WORDS(f, 0x8020, xhdr(4, 0, 0, 0, 1), 0xe4e4ec81);
    add_fn(f, 0x1200, 0x1210, 0x8020);
    stack64(f, S0 - 16, CALLER_FP);
    stack64(f, S0 - 8, MOD_BASE + 0x5010);
    r = ctx_regs(MOD_BASE + 0x1208, S0 - 16, 0x7777, 0x1234);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_TRAP);
    CHECK_EQ(c.ip, MOD_BASE + 0x5010);
    CHECK_EQ(SAVED_AT(c, ARM64_PC), S0 - 8);
    CHECK_EQ(c.sp, S0);
    free(f);
}

/* ---- save_next, save_any_reg, codes dumpdbg cannot undo ----------------------------------- */

TEST(unwind_arm64_save_next_and_any_reg)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    uint64_t lr = put_bl(f, 0x3100), t = S0 - 0x200;
    for (unsigned i = 0; i < 16; i++)
        stack64(f, t + 8 * i, 0x5000 + i);
    struct unwind_frame c;
    struct unwind_regs r;

    /* save_next x2 then save_r19r20_x 64: x19-x24 from t, sp = t + 64. */
    WORDS(f, 0x8000, xhdr(16, 0, 0, 0, 1), 0xe428e6e6);
    add_fn(f, 0x1000, 0x1040, 0x8000);
    r = ctx_regs(MOD_BASE + 0x1020, t, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.sp, t + 64);
    CHECK_EQ(c.regs.r[19], 0x5000);
    CHECK_EQ(c.regs.r[24], 0x5005);
    CHECK_EQ(SAVED_AT(c, 24), t + 40);
    CHECK_EQ(c.regs.r[25], 0xc0000 + 25);
    /* In the prolog after the first two stores: one save_next skipped, x23/x24 not saved yet. */
    r = ctx_regs(MOD_BASE + 0x1008, t, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.regs.r[22], 0x5003);
    CHECK_EQ(c.regs.r[23], 0xc0000 + 23);

    /* save_regp x27 at 0 + save_next: the next pair after x28 is d8,d9; then alloc_s 32. */
    WORDS(f, 0x8010, xhdr(16, 0, 0, 0, 2), 0x0200cae6, 0xe4e4e4e4);
    add_fn(f, 0x1100, 0x1140, 0x8010);
    r = ctx_regs(MOD_BASE + 0x1120, t, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.regs.r[27], 0x5000);
    CHECK_EQ(c.regs.r[28], 0x5001);
    CHECK_EQ(vec_lo(&c.regs, 8), 0x5002);
    CHECK_EQ(vec_lo(&c.regs, 9), 0x5003);
    CHECK_EQ(c.regs.r[ARM64_FP], 0x7777);
    CHECK_EQ(c.sp, t + 32);

    /* save_fregp d8 at 0 + save_next: d8-d11. */
    WORDS(f, 0x8020, xhdr(16, 0, 0, 0, 2), 0x0200d8e6, 0xe4e4e4e4);
    add_fn(f, 0x1200, 0x1240, 0x8020);
    r = ctx_regs(MOD_BASE + 0x1220, t, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(vec_lo(&c.regs, 11), 0x5003);
    CHECK_EQ(dd_le64(c.regs.vec[11] + 8), 0); /* D loads: upper halves unknown */

    /*
     * save_any_reg: stp x22,x23,[sp,#16] (e7 56 01), stp q10,q11,[sp,#32] (e7 4a 82),
     * str x21,[sp,#-16]! (e7 35 00), then end.
     */
    WORDS(f, 0x8030, xhdr(16, 0, 0, 0, 3));
    CODES(f, 0x8034, 0xe7, 0x56, 0x01, 0xe7, 0x4a, 0x82, 0xe7, 0x35, 0x00, 0xe4);
    add_fn(f, 0x1300, 0x1340, 0x8030);
    r = ctx_regs(MOD_BASE + 0x1320, t, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.regs.r[22], 0x5002);
    CHECK_EQ(c.regs.r[23], 0x5003);
    CHECK_EQ(vec_lo(&c.regs, 10), 0x5004);
    CHECK_EQ(dd_le64(c.regs.vec[10] + 8), 0x5005);
    CHECK_EQ(vec_lo(&c.regs, 11), 0x5006);
    CHECK_EQ(c.regs.r[21], 0x5000);
    CHECK_EQ(c.sp, t + 16);
    /* save_next + a save_any_reg pair: x22-x25. */
    CODES(f, 0x8034, 0xe6, 0xe7, 0x56, 0x01, 0xe4);
    r = ctx_regs(MOD_BASE + 0x1320, t, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.regs.r[25], 0x5005);
    CHECK_EQ(c.sp, t);

    /*
     * Codes that cannot be undone (save_next before a single-register save, an ARM64EC context,
     * an SVE allocation, a reserved code, `end` missing): the unwind data is given up and the
     * cascade goes on with the frame chain.
     */
    stack64(f, t + 0x100, CALLER_FP);
    stack64(f, t + 0x108, lr);
    const uint32_t bad[][2] = {
        {xhdr(16, 0, 0, 0, 1), 0xe40092e6},            /* save_next, save_reg */
        {xhdr(16, 0, 0, 0, 1), 0xe4e4e4eb},            /* ec context */
        {xhdr(16, 0, 0, 0, 1), 0xe4e403df},            /* alloc_z */
        {xhdr(16, 0, 0, 0, 1), 0xe4e4e4ee},            /* reserved */
        {xhdr(16, 0, 0, 0, 1), 0x01010101},            /* no end */
        {xhdr(16, 0, 0, 0, 1) | 1u << 18, 0xe4e4e4e4}, /* version 1 */
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        WORDS(f, 0x8040, bad[k][0], bad[k][1]);
        f->nfns = 0;
        add_fn(f, 0x1400, 0x1440, 0x8040);
        r = ctx_regs(MOD_BASE + 0x1420, t, t + 0x100, 0x1234);
        CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
        CHECK_EQ(c.found_by, UNWIND_FOUND_FRAME_POINTER);
        CHECK_EQ(c.ip, lr);
    }
    /* Reserved codes with a length are no-ops: f8 xx, fd, then alloc_s 16. */
    WORDS(f, 0x8040, xhdr(16, 0, 0, 0, 2), 0x01fd11f8, 0xe4e4e4e4);
    r = ctx_regs(MOD_BASE + 0x1420, t, t + 0x100, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.found_by, UNWIND_FOUND_UNWIND_INFO);
    CHECK_EQ(c.sp, t + 16);
    CHECK_EQ(c.ip, lr);
    free(f);
}

/* ---- fragments (document, "Function fragments") -------------------------------------------- */

TEST(unwind_arm64_fragments)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    uint64_t ra = put_bl(f, 0x3000), lr = put_bl(f, 0x3100);
    /* The host's frame: stp x29,lr,[sp,#-256]!; stp x19,x20,[sp,#240]; mov x29,sp. */
    stack64(f, SP0, CALLER_FP);
    stack64(f, SP0 + 8, ra);
    stack64(f, SP0 + 240, X19M);
    stack64(f, SP0 + 224, 0x2121);
    struct unwind_frame c;
    struct unwind_regs r;

    /* Region 2, epilogs only: end_c, set_fp, save_regp 0,240, save_fplr_x 256, end; E at 1. */
    WORDS(f, 0x8000, xhdr(6, 0, 1, 1, 2), 0x1ec8e1e5, 0xe4e4e49f);
    add_fn(f, 0x1000, 0x1018, 0x8000);
    r = ctx_regs(MOD_BASE + 0x1000, SP0 - 0x30, SP0, lr); /* first instruction: no prolog */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    r = ctx_regs(MOD_BASE + 0x100c, SP0, 0x5555, lr); /* epilog (at 2), its ldp x19 next */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.sp, S0);

    /* Region 3, neither: one scope whose codes start at end_c. */
    WORDS(f, 0x8010, xhdr(4, 0, 0, 1, 2), 0, 0x1ec8e1e5, 0xe4e4e49f);
    add_fn(f, 0x1100, 0x1110, 0x8010);
    for (uint32_t at = 0; at < 16; at += 4) {
        r = ctx_regs(MOD_BASE + 0x1100 + at, SP0 - 0x30, SP0, lr);
        CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
        CHECK_EQ(c.ip, ra);
        CHECK_EQ(c.sp, S0);
        CHECK_EQ(c.regs.r[19], X19M);
    }

    /*
     * Shrink wrapping, region 2: stp x21,x22,[sp,#224] (its own prolog: save_regp 2,224), end_c,
     * then the host's codes; a scope at the ldp x21,x22 (instruction 2) with codes at index 0.
     */
    WORDS(f, 0x8020, xhdr(4, 0, 0, 1, 2), 2, 0xe1e59cc8, 0xe49f1ec8);
    add_fn(f, 0x1200, 0x1210, 0x8020);
    r = ctx_regs(MOD_BASE + 0x1200, SP0, SP0, lr); /* its stp not run: x21 is the callee's */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(c.regs.r[21], 0xc0000 + 21);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.ip, ra);
    r = ctx_regs(MOD_BASE + 0x1204, SP0, SP0, lr); /* body */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.regs.r[21], 0x2121);
    r = ctx_regs(MOD_BASE + 0x120c, SP0, SP0, lr); /* after the ldp x21,x22 */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.regs.r[21], 0xc0000 + 21);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.sp, S0);
    free(f);
}

TEST(unwind_arm64_extended_header_and_handler)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    uint64_t lr = put_bl(f, 0x3100);
    /* Epilog Count and Code Words 0: the extension word holds 2 scopes and 1 code word. */
    WORDS(f, 0x8000, 0x00000007, 0x00010002, 2, 5, 0xe4e4e401);
    add_fn(f, 0x1000, 0x101c, 0x8000);
    struct unwind_arm64_info info;
    CHECK(unwind_arm64_info_read(&env, MOD_BASE, 0x8000, &info));
    CHECK_EQ(info.nscopes, 2);
    CHECK_EQ(info.ncodes, 4);
    CHECK_EQ(info.scopes_rva, 0x8008);
    CHECK_EQ(info.function_length, 28);
    uint32_t start;
    uint16_t index;
    CHECK(unwind_arm64_info_scope(&env, MOD_BASE, &info, 1, &start, &index));
    CHECK_EQ(start, 20);
    CHECK_EQ(index, 0);
    struct unwind_frame c;
    /* The second epilog's ret (instruction 6): only ret is left. */
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1018, S0, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.sp, S0);
    /* Instruction 4, between the scopes: body. */
    r = ctx_regs(MOD_BASE + 0x1010, S0 - 16, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.sp, S0);

    /* X: the handler RVA follows the codes. */
    WORDS(f, 0x8100, 0x08300004, 0xe4e4e402, 0x1234, 0x12345678);
    CHECK(unwind_arm64_info_read(&env, MOD_BASE, 0x8100, &info));
    CHECK(info.has_handler && info.single_epilog);
    CHECK_EQ(info.handler_rva, 0x1234);
    /* Malformed: E index past the codes; codes cut short by the image's end. */
    WORDS(f, 0x8200, xhdr(4, 0, 1, 9, 1), 0xe4e4e402);
    CHECK(!unwind_arm64_info_read(&env, MOD_BASE, 0x8200, &info));
    WORDS(f, MOD_SIZE - 8, xhdr(4, 0, 0, 0, 3), 0xe4e4e402);
    CHECK(!unwind_arm64_info_read(&env, MOD_BASE, MOD_SIZE - 8, &info));
    free(f);
}

/* ---- leaf functions, the frame chain, the scan, walk bounds ------------------------------- */

TEST(unwind_arm64_leaf)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    uint64_t lr = put_bl(f, 0x3100);
    struct unwind_frame c;
    /* No .pdata entry in a module whose table is known: a leaf; nothing moved or saved. */
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1000, S0, 0x7777, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.found_by, UNWIND_FOUND_LEAF);
    CHECK_EQ(c.flags, 0);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[ARM64_FP], 0x7777);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);
    CHECK_EQ(vec_lo(&c.regs, 8), 0xd008);
    CHECK(!unwind_regs_has(&c.regs, 5));
    /* lr == pc: no progress possible (RtlVirtualUnwind refuses it too); nothing else works. */
    r = ctx_regs(MOD_BASE + 0x1000, S0, 0, MOD_BASE + 0x1000);
    struct unwind_options o = {0};
    o.no_scan = true;
    struct unwind_frame callee = {0};
    callee.regs = r;
    callee.ip = r.r[ARM64_PC];
    callee.sp = S0;
    uint64_t fault;
    CHECK_EQ(unwind_arch_arm64.step(&env, &o, &callee, &c, &fault), UNWIND_STOP_NO_CALLER);
    /* lr of a frame found by return is not its return address: not a leaf then. */
    r = ctx_regs(MOD_BASE + 0x1004, S0, 0, lr);
    callee.regs = r;
    callee.ip = r.r[ARM64_PC];
    callee.found_by = UNWIND_FOUND_UNWIND_INFO;
    CHECK_EQ(unwind_arch_arm64.step(&env, &o, &callee, &c, &fault), UNWIND_STOP_NO_CALLER);
    /* lr 0: the outermost frame. */
    struct unwind_walk w;
    r = ctx_regs(MOD_BASE + 0x1000, S0, 0, 0);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    unwind_walk_deinit(&w);
    free(f);
}

/*
 * Frame records: x29 -> {caller's x29, return address}. Frame 0's own record is at FP0; its
 * callers' at FP1 and FP2; FP3 is the outermost {0, 0}.
 */
#define FP0 (STACK_BASE + 0x1000)
#define FP1 (STACK_BASE + 0x1100)
#define FP2 (STACK_BASE + 0x1200)
#define FP3 (STACK_BASE + 0x1300)

TEST(unwind_arm64_frame_chain)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    f->no_entry = UNWIND_LOOKUP_UNAVAILABLE; /* no .pdata to be had: the dump case */
    uint64_t ra1 = put_bl(f, 0x3000), ra2 = put_bl(f, 0x3100), ra3 = put_bl(f, 0x3200);
    uint64_t lr = put_bl(f, 0x3300);
    stack64(f, FP0, FP1);
    stack64(f, FP0 + 8, ra1);
    stack64(f, FP1, FP2);
    stack64(f, FP1 + 8, ra2 | 0x0033000000000000ull); /* signed with pacibsp */
    stack64(f, FP2, FP3);
    stack64(f, FP2 + 8, ra3);
    stack64(f, FP3, 0);
    stack64(f, FP3 + 8, 0);

    /* lr first (as Breakpad does: frame 0 may be a leaf), then the chain from x29. */
    struct unwind_walk w;
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1000, FP0 - 0x20, FP0, lr);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 5);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    if (w.nframes == 5) {
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_LEAF);
        CHECK_EQ(w.frames[1].ip, lr);
        CHECK_EQ(w.frames[1].sp, FP0 - 0x20);
        CHECK(!(w.frames[1].flags & UNWIND_FRAME_UNVERIFIED));
        CHECK(!unwind_regs_has(&w.frames[1].regs, ARM64_FP)); /* a guess: not shown */
        CHECK(!unwind_regs_has(&w.frames[1].regs, 19));
        CHECK_EQ(w.frames[2].found_by, UNWIND_FOUND_FRAME_POINTER);
        CHECK_EQ(w.frames[2].ip, ra1);
        CHECK_EQ(w.frames[2].sp, FP0 + 16);
        CHECK_EQ(w.frames[2].regs.r[ARM64_FP], FP1);
        CHECK_EQ(w.frames[2].regs.saved_at[ARM64_FP], FP0);
        CHECK_EQ(w.frames[2].regs.saved_at[ARM64_PC], FP0 + 8);
        CHECK_EQ(w.frames[3].ip, ra2);
        CHECK_EQ(w.frames[3].sp, FP1 + 16);
        CHECK_EQ(w.frames[4].ip, ra3);
        CHECK_EQ(w.frames[4].sp, FP2 + 16);
        CHECK_EQ(w.frames[4].return_address, 0);
    }
    unwind_walk_deinit(&w);

    /* An lr that is no return address (not after a call): straight to the chain. */
    r = ctx_regs(MOD_BASE + 0x1000, FP0 - 0x20, FP0, MOD_BASE + 0x3008);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 4);
    if (w.nframes == 4) {
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_FRAME_POINTER);
        CHECK_EQ(w.frames[1].ip, ra1);
    }
    unwind_walk_deinit(&w);

    /* Code bytes not available (no image, not in the dump): accepted, but marked. */
    f->hide_code = true;
    r = ctx_regs(MOD_BASE + 0x1000, FP0 - 0x20, FP0, lr);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 5);
    for (size_t i = 1; i < w.nframes; i++)
        CHECK(w.frames[i].flags & UNWIND_FRAME_UNVERIFIED);
    unwind_walk_deinit(&w);
    f->hide_code = false;

    /*
     * A frame found by the chain has only a lower bound for its sp: even with .pdata for its
     * function, the walk stays on the chain (unwind codes need the exact sp).
     */
    f->no_entry = UNWIND_LOOKUP_NONE;
    WORDS(f, 0x8000, xhdr(64, 0, 0, 0, 1), 0xe4e4e41f); /* alloc_s 496 */
    add_fn(f, 0x3000, 0x3100, 0x8000);
    r = ctx_regs(MOD_BASE + 0x1000, FP0 - 0x20, FP0, 0x10);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 4);
    if (w.nframes == 4) {
        CHECK_EQ(w.frames[1].ip, ra1);
        CHECK_EQ(w.frames[2].found_by, UNWIND_FOUND_FRAME_POINTER);
        CHECK_EQ(w.frames[2].ip, ra2);
    }
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_arm64_scan)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    f->no_entry = UNWIND_LOOKUP_UNAVAILABLE;
    uint64_t sp = STACK_BASE + 0x800;
    /* Candidates: not after a call, a BL into nowhere, then after BLR x8 (signed). */
    put32(f->image + 0x4000, 0xd503201fu); /* nop */
    put32(f->image + 0x4100, 0x96000000u); /* bl -128MB: outside every module */
    put32(f->image + 0x4200, 0xd63f0100u); /* blr x8 */
    stack64(f, sp, 0x1111);
    stack64(f, sp + 8, MOD_BASE + 0x4004);
    stack64(f, sp + 16, MOD_BASE + 0x4104);
    stack64(f, sp + 24, MOD_BASE + 0x0104); /* in the headers page */
    stack64(f, sp + 32, FP2);               /* looks like a saved x29 */
    stack64(f, sp + 40, (MOD_BASE + 0x4204) | 0x0011000000000000ull);
    /* ... and a frame record above, for the chain to continue from the hint. */
    uint64_t ra = put_bl(f, 0x3000);
    stack64(f, FP2, 0);
    stack64(f, FP2 + 8, ra);

    struct unwind_walk w;
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1000, sp, 0, 0x10); /* no fp, bad lr */
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK(w.nframes >= 3);
    if (w.nframes >= 3) {
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
        CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x4204);
        CHECK_EQ(w.frames[1].sp, sp + 48);
        CHECK_EQ(w.frames[1].regs.saved_at[ARM64_PC], sp + 40);
        CHECK(!unwind_regs_has(&w.frames[1].regs, ARM64_FP));
        CHECK(!unwind_regs_has(&w.frames[1].regs, 19));
        CHECK_EQ(w.frames[2].found_by, UNWIND_FOUND_FRAME_POINTER);
        CHECK_EQ(w.frames[2].ip, ra);
    }
    unwind_walk_deinit(&w);

    /* no_scan: nothing. */
    struct unwind_options o = {0};
    o.no_scan = true;
    CHECK_OK(unwind_arm64_walk(&env, &r, &o, &w));
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);
    /* Unreadable code: only with scan_unverified, then marked. */
    f->hide_code = true;
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 1);
    unwind_walk_deinit(&w);
    o.no_scan = false;
    o.scan_unverified = true;
    o.max_frames = 2;
    CHECK_OK(unwind_arm64_walk(&env, &r, &o, &w));
    CHECK_EQ(w.nframes, 2);
    if (w.nframes == 2) {
        CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x4004);
        CHECK(w.frames[1].flags & UNWIND_FRAME_UNVERIFIED);
    }
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_arm64_walk_bounds)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    f->no_entry = UNWIND_LOOKUP_UNAVAILABLE;
    uint64_t ra = put_bl(f, 0x3000);
    /* A frame record pointing at itself: the chain cannot go on; the scan finds the same. */
    stack64(f, FP0, FP0);
    stack64(f, FP0 + 8, ra);
    struct unwind_walk w;
    struct unwind_options o = {0};
    o.scan_bytes = 16;
    struct unwind_regs r = ctx_regs(MOD_BASE + 0x1000, FP0, FP0, 0x10);
    CHECK_OK(unwind_arm64_walk(&env, &r, &o, &w));
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);

    /* Records going down the stack: the sp must move up. */
    stack64(f, FP1, FP0);
    stack64(f, FP1 + 8, ra);
    stack64(f, FP0, FP1);
    r = ctx_regs(MOD_BASE + 0x1000, FP0 - 16, FP1, 0x10);
    o.scan_bytes = 8;
    CHECK_OK(unwind_arm64_walk(&env, &r, &o, &w));
    CHECK(w.nframes <= 3);
    CHECK(w.stop == UNWIND_STOP_NO_PROGRESS || w.stop == UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);

    /* The frame limit. */
    for (unsigned i = 0; i < 40; i++) {
        stack64(f, STACK_BASE + 0x100 + 0x40 * i, STACK_BASE + 0x140 + 0x40 * i);
        stack64(f, STACK_BASE + 0x108 + 0x40 * i, ra);
    }
    r = ctx_regs(MOD_BASE + 0x1000, STACK_BASE + 0x100, STACK_BASE + 0x100, 0x10);
    o.max_frames = 10;
    CHECK_OK(unwind_arm64_walk(&env, &r, &o, &w));
    CHECK_EQ(w.nframes, 10);
    CHECK_EQ(w.stop, UNWIND_STOP_MAX_FRAMES);
    unwind_walk_deinit(&w);

    /* A fault while undoing codes ends the walk; the frames found are kept. */
    f->no_entry = UNWIND_LOOKUP_NONE;
    WORDS(f, 0x8000, xhdr(64, 0, 0, 0, 1), 0xe4e4e482); /* save_fplr_x 24 */
    add_fn(f, 0x1000, 0x1100, 0x8000);
    r = ctx_regs(MOD_BASE + 0x1040, STACK_BASE + STACK_SIZE - 8, 0, 0x10);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_FAULT);
    CHECK_EQ(w.fault_address, STACK_BASE + STACK_SIZE);
    unwind_walk_deinit(&w);

    /* No pc or sp. */
    memset(&r, 0, sizeof(r));
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.stop, UNWIND_STOP_BAD_START);
    unwind_walk_deinit(&w);
    free(f);
}

/* ---- real images: decoding agrees with llvm-readobj-16 ------------------------------------ */

/* An environment over an image file, plus the fake's stack. */
struct image_env {
    struct pe_image *img;
    struct fake *f;
};

static size_t ienv_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct image_env *e = ctx;
    return fake_read_memory(e->f, addr, buf, len);
}

static bool ienv_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    struct image_env *e = ctx;
    if (addr < e->img->base || addr - e->img->base >= e->img->hdr.size_of_image)
        return false;
    *ret_base = e->img->base;
    *ret_size = e->img->hdr.size_of_image;
    return true;
}

static enum unwind_lookup ienv_find_function(void *ctx, uint64_t base, uint32_t rva,
                                             uint32_t *ret_begin, uint32_t *ret_end,
                                             uint32_t *ret_word)
{
    struct image_env *e = ctx;
    struct pe_pdata_entry ent;
    struct dd_error *err = pe_pdata_lookup(e->img, rva, &ent);
    if (err) {
        dd_error_destroy(err);
        return UNWIND_LOOKUP_NONE;
    }
    *ret_begin = ent.begin;
    *ret_end = ent.end;
    *ret_word = ent.unwind_data; /* the raw second .pdata word, as the cascade wants it */
    return UNWIND_LOOKUP_FOUND;
}

static size_t ienv_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct image_env *e = ctx;
    return base == e->img->base ? pe_image_read_rva(e->img, rva, buf, len) : 0;
}

static struct unwind_env image_env(struct image_env *e)
{
    struct unwind_env env = {.ctx = e,
                             .read_memory = ienv_read_memory,
                             .find_module = ienv_find_module,
                             .find_function = ienv_find_function,
                             .read_image = ienv_read_image};
    return env;
}

static struct pe_image *open_fixture(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/unwind/%s", check_fixtures_dir(), name);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_file(path, &img));
    return img;
}

/* The code at AT formatted, or "?" past the end; advances *AT. */
static void next_code(const struct unwind_arm64_info *info, size_t *at, bool epilog, char *text,
                      size_t tlen, char *hex, size_t hlen)
{
    struct unwind_arm64_code c;
    if (!unwind_arm64_code_decode(info->codes, info->ncodes, *at, &c)) {
        snprintf(text, tlen, "?");
        snprintf(hex, hlen, "?");
        *at = info->ncodes;
        return;
    }
    unwind_arm64_code_format(&c, epilog, text, tlen);
    hex[0] = 0;
    for (unsigned i = 0; i < c.size; i++)
        snprintf(hex + 2 * i, hlen - 2 * i, "%02x", c.bytes[i]);
    *at += c.size;
}

/*
 * Checks every function of image NAME against NAME.unwind (see arm64_unwind_facts.py for the
 * format): kind, length, E/X bits, each prolog code, each epilog's start and codes.
 */
static void check_image_against_llvm(const char *name, size_t *ret_functions)
{
    struct pe_image *img = open_fixture(name);
    char path[4096];
    snprintf(path, sizeof(path), "%s/unwind/%s.unwind", check_fixtures_dir(), name);
    FILE *fp = fopen(path, "r");
    CHECK(img && fp);
    *ret_functions = 0;
    if (!img || !fp) {
        pe_image_destroy(img);
        if (fp)
            fclose(fp);
        return;
    }
    struct image_env ie = {img, NULL};
    struct unwind_env env = image_env(&ie);
    const struct pe_pdata *table;
    CHECK_OK(pe_pdata_get(img, &table));
    CHECK_EQ(table->kind, PE_PDATA_ARM64);

    char line[512];
    struct unwind_arm64_info info;
    bool have = false, skip = false;
    size_t at = 0;  /* next prolog code */
    size_t eat = 0; /* next epilog code */
    uint32_t fn = 0;
    unsigned nscope = 0;
    while (fgets(line, sizeof(line), fp)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#' || !line[0])
            continue;
        char kind[16] = "", a[64] = "", b[64] = "";
        unsigned x1 = 0, x2 = 0, x3 = 0, x4 = 0;
        if (sscanf(line, "fn %x %15s", &x1, kind) == 2) {
            fn = x1;
            (*ret_functions)++;
            struct pe_pdata_entry e;
            struct dd_error *err = pe_pdata_lookup(img, fn, &e);
            CHECK(err == NULL && e.begin == fn);
            dd_error_destroy(err);
            have = err == NULL && unwind_arm64_info_read(&env, img->base, e.unwind_data, &info);
            if (!have) {
                check_fail(__FILE__, __LINE__, "%s: %x: unwind data not read", name, fn);
                continue;
            }
            skip = false;
            at = 0;
            nscope = 0;
            if (strcmp(kind, "packed") == 0) {
                CHECK(sscanf(line, "fn %x packed %u %x", &x1, &x2, &x3) == 3);
                CHECK_EQ(info.flag, x2);
                CHECK_EQ(info.function_length, x3);
                if (x2 == 2) { /* LLVM leaves out the fragment's leading end_c */
                    CHECK_EQ(info.codes[0], 0xe5);
                    at = 1;
                }
            } else {
                CHECK(sscanf(line, "fn %x xdata %x %u %u", &x1, &x2, &x3, &x4) == 4);
                CHECK_EQ(info.flag, 0);
                CHECK_EQ(info.function_length, x2);
                CHECK_EQ(info.single_epilog, x3);
                CHECK_EQ(info.has_handler, x4);
            }
            continue;
        }
        if (!have)
            continue;
        if (strncmp(line, "skip ", 5) == 0) {
            skip = true;
            continue;
        }
        if (skip)
            continue;
        char text[64], hex[16];
        if (line[0] == 'p' && line[1] == ' ' && sscanf(line, "p %63s", a) == 1) {
            const char *want = line + 3 + strlen(a);
            next_code(&info, &at, false, text, sizeof(text), hex, sizeof(hex));
            if (strcmp(text, want) != 0 || (strcmp(a, "-") != 0 && strcmp(hex, a) != 0))
                check_fail(__FILE__, __LINE__, "%s %x prolog: \"%s\" %s, llvm: \"%s\" %s", name, fn,
                           text, hex, want, a);
        } else if (sscanf(line, "single %x", &x1) == 1) {
            CHECK(info.single_epilog);
            CHECK_EQ(info.epilog_index, x1);
            eat = x1;
        } else if (sscanf(line, "scope %x %x", &x1, &x2) == 2) {
            uint32_t start;
            uint16_t index;
            CHECK(unwind_arm64_info_scope(&env, img->base, &info, nscope++, &start, &index));
            CHECK_EQ(start, x1);
            CHECK_EQ(index, x2);
            eat = index;
        } else if (line[0] == 'e' && sscanf(line, "e %63s", b) == 1) {
            const char *want = line + 3 + strlen(b);
            next_code(&info, &eat, true, text, sizeof(text), hex, sizeof(hex));
            if (strcmp(text, want) != 0 || strcmp(hex, b) != 0)
                check_fail(__FILE__, __LINE__, "%s %x epilog: \"%s\" %s, llvm: \"%s\" %s", name, fn,
                           text, hex, want, b);
        } else {
            check_fail(__FILE__, __LINE__, "%s: bad line \"%s\"", name, line);
        }
    }
    fclose(fp);
    CHECK_EQ(*ret_functions, table->count);
    pe_image_destroy(img);
}

TEST(unwind_arm64_fixture_codes_vs_llvm)
{
    size_t n;
    check_image_against_llvm("unwind_arm64_codes.dll", &n);
    CHECK(n >= 20);
}

TEST(unwind_arm64_fixture_clang_vs_llvm)
{
    size_t n;
    check_image_against_llvm("unwind_arm64_funcs.dll", &n);
    CHECK(n >= 20);
}

/* RVA of export NAME of IMG (0 when missing). */
static uint32_t export_rva(struct pe_image *img, const char *name)
{
    const struct pe_exports *ex;
    if (pe_exports_get(img, &ex) != NULL)
        return 0;
    const struct pe_export *e = pe_exports_find_by_name(ex, name);
    return e ? e->rva : 0;
}

/*
 * Walks through functions of unwind_arm64_codes.s on a stack laid out as their prologs (the
 * assembler source) leave it; the unwind data is the assembler's and the linker's.
 */
TEST(unwind_arm64_fixture_codes_walk)
{
    struct pe_image *img = open_fixture("unwind_arm64_codes.dll");
    if (!img)
        return;
    struct fake *f = fake_new();
    struct image_env ie = {img, f};
    struct unwind_env env = image_env(&ie);
    uint64_t base = img->base;
    uint32_t two = export_rva(img, "a64_two_epilogs"),
             single = export_rva(img, "a64_single_epilog");
    uint32_t next = export_rva(img, "a64_save_next"), leaf = export_rva(img, "a64_leaf");
    CHECK(two && single && next && leaf);
    /*
     * a64_two_epilogs: 0 stp x29,x30,[sp,#-48]!  1 stp x19,x20,[sp,#16]  2 str x21,[sp,#32]
     * 3 mov x29,sp  4 mov x19,x0  5 bl a64_leaf  6 cbz  7-9 epilog 1 (no mov sp), 10 b a64_leaf
     * 11 add  12 bl a64_leaf  13-16 epilog 2  17 ret.
     */
    uint64_t fn = base + two, ra = base + two + 13 * 4; /* any return address inside the DLL */
    uint64_t sp0 = S0 - 48;
    stack64(f, sp0, CALLER_FP);
    stack64(f, sp0 + 8, ra);
    stack64(f, sp0 + 16, X19M);
    stack64(f, sp0 + 24, X20M);
    stack64(f, sp0 + 32, 0x2121);
    struct unwind_frame c;
    /* Returned to from a64_leaf (pc after the bl at 5): found by return, body. */
    struct unwind_regs r = ctx_regs(fn + 24, sp0, sp0, 0x10);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_UNWIND_INFO, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.found_by, UNWIND_FOUND_UNWIND_INFO);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.regs.r[21], 0x2121);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    /* Epilog 1 at its ldp x29 (instruction 9): x19-x21 are back already. */
    r = ctx_regs(fn + 9 * 4, sp0, 0x5555, 0x10);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.regs.r[19], 0xc0000 + 19);
    CHECK_EQ(c.sp, S0);
    /* At its tail branch (instruction 10): all undone, lr is the return address. */
    uint64_t lr = fn + 13 * 4;
    r = ctx_regs(fn + 10 * 4, S0, CALLER_FP, lr);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.sp, S0);
    /* Epilog 2 after its mov sp,x29 (instruction 14): x29 no longer needed. */
    r = ctx_regs(fn + 14 * 4, sp0, 0x5555, 0x10);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.regs.r[21], 0x2121);
    CHECK_EQ(c.ip, ra);

    /*
     * a64_single_epilog (E bit): 0 stp x19,x20,[sp,#-32]!  1 stp x29,x30,[sp,#16]
     * 2 add x29,sp,#16  3 mov x19,x0 (nop code)  4 bl  5 add  6 mov x1,x0 (nop code)
     * 7 ldp x29,x30,[sp,#16]  8 ldp x19,x20,[sp],#32  9 ret.
     */
    fn = base + single;
    uint64_t sp1 = S0 - 32;
    memset(f->stack, 0, sizeof(f->stack));
    stack64(f, sp1, X19M);
    stack64(f, sp1 + 8, X20M);
    stack64(f, sp1 + 16, CALLER_FP);
    stack64(f, sp1 + 24, ra);
    r = ctx_regs(fn + 20, sp1 - 0x40, sp1 + 16, 0x10); /* body: sp from x29 - 16 */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    CHECK_EQ(c.regs.r[20], X20M);
    r = ctx_regs(fn + 8 * 4, sp1, CALLER_FP, lr); /* epilog: only ldp x19 and ret left */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(c.ip, lr);
    CHECK_EQ(c.regs.r[19], X19M);
    CHECK_EQ(c.sp, S0);
    r = ctx_regs(fn + 2 * 4, sp1, 0x7777, lr); /* prolog: two stores run, add x29 not yet */
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.regs.r[ARM64_FP], CALLER_FP);
    CHECK_EQ(c.sp, S0);

    /*
     * a64_save_next: stp x19,x20,[sp,#-64]!; stp x21,x22,[sp,#16]; stp x23,x24,[sp,#32];
     * stp x25,x30,[sp,#48]; then a full walk: a64_save_next's caller is a64_leaf's ...
     */
    fn = base + next;
    memset(f->stack, 0, sizeof(f->stack));
    uint64_t sp2 = S0 - 64;
    for (unsigned i = 0; i < 7; i++)
        stack64(f, sp2 + 8 * i, 0x1900 + i);
    stack64(f, sp2 + 56, ra);
    r = ctx_regs(fn + 6 * 4, sp2, 0x7777, 0x10);
    CHECK_EQ(step(&env, &r, UNWIND_FOUND_CONTEXT, 0, &c), UNWIND_STOP_NONE);
    CHECK_EQ(c.ip, ra);
    CHECK_EQ(c.sp, S0);
    for (unsigned i = 0; i < 7; i++)
        CHECK_EQ(c.regs.r[19 + i], 0x1900 + i);
    CHECK_EQ(SAVED_AT(c, ARM64_PC), sp2 + 56);
    /* a64_leaf has no .pdata entry: frame 0 there returns through lr. */
    struct unwind_walk w;
    r = ctx_regs(base + leaf + 4, sp2, 0x7777, fn + 6 * 4);
    CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
    CHECK(w.nframes >= 3);
    if (w.nframes >= 3) {
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_LEAF);
        CHECK_EQ(w.frames[1].ip, fn + 6 * 4);
        CHECK_EQ(w.frames[2].found_by, UNWIND_FOUND_UNWIND_INFO);
        CHECK_EQ(w.frames[2].ip, ra);
        CHECK_EQ(w.frames[2].regs.r[25], 0x1906);
    }
    unwind_walk_deinit(&w);
    free(f);
    pe_image_destroy(img);
}

/* ---- the corpus ARM64 minidump --------------------------------------------------------- */

#include "dump/xz.h"

/* Reads FILE whole (xz-decompressed when it is an xz stream); NULL when absent. */
static uint8_t *read_maybe_xz(const char *path, size_t *ret_size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (!buf)
        return NULL;
    size_t size = (size_t)n;
    if (dump_xz_probe(buf, size)) {
        uint8_t *out;
        struct dd_error *err = dump_xz_decompress(buf, size, &out, &size);
        free(buf);
        if (err) {
            dd_error_destroy(err);
            return NULL;
        }
        buf = out;
    }
    *ret_size = size;
    return buf;
}

/*
 * The "ip" values of the first thread of the annotations' StackTraces (JSON written by the Firefox
 * crash reporter's client-side stack walker): up to MAX into ret; returns the count.
 */
static size_t golden_ips(const char *json, uint64_t *ret, size_t max)
{
    const char *p = strstr(json, "\"StackTraces\"");
    p = p ? strstr(p, "\"threads\"") : NULL;
    p = p ? strstr(p, "\"frames\"") : NULL;
    const char *end = p ? strchr(p, ']') : NULL;
    size_t n = 0;
    while (p && end && n < max && (p = strstr(p, "\"ip\"")) != NULL && p < end) {
        p = strchr(p + 4, '"');
        if (!p)
            break;
        ret[n++] = strtoull(p + 1, NULL, 16);
        p++;
    }
    return n;
}

struct dump_env {
    struct target *t;
};

static size_t denv_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct dump_env *d = ctx;
    size_t got = 0;
    dd_error_destroy(target_read(d->t, addr, buf, len, &got));
    return got;
}

static bool denv_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    struct dump_env *d = ctx;
    const struct target_module *m = target_module_by_addr(d->t, addr);
    if (!m)
        return false;
    *ret_base = m->base;
    *ret_size = m->size;
    return true;
}

/*
 * windows-aarch64.dmp (Firefox 86, MOZ_CRASH in xul.dll): the dump holds no image bytes, so only
 * the lr / frame-chain part of the cascade applies. The client-side walker's stack in
 * windows-aarch64.extra (StackTraces, "trust": "context" then "frame_pointer") is the golden: it
 * takes frame 1 from lr and the rest from x29 records, like Breakpad's ARM64 frame-pointer walker,
 * and reports caller frames at return address - 4 (the call), as Breakpad does for ARM64.
 */
TEST(unwind_arm64_corpus_windows_aarch64)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/mozilla-minidump-stackwalk/windows-aarch64.extra", dir);
    size_t jsize = 0;
    uint8_t *json = read_maybe_xz(path, &jsize);
    if (!json) {
        check_skip("windows-aarch64.extra not found");
        return;
    }
    char *js = malloc(jsize + 1);
    memcpy(js, json, jsize);
    js[jsize] = 0;
    free(json);
    uint64_t want[64];
    size_t nwant = golden_ips(js, want, 64);
    free(js);
    CHECK_EQ(nwant, 11);

    snprintf(path, sizeof(path), "%s/user/mozilla-minidump-stackwalk/windows-aarch64.dmp", dir);
    struct dump_env d = {0};
    CHECK_OK(dump_open(path, &d.t));
    if (!d.t)
        return;
    CHECK(d.t->has_exception && d.t->exception.context);
    struct regset rs;
    CHECK_OK(arm64_context_decode(d.t->exception.context, d.t->exception.context_size, &rs));
    struct unwind_regs start;
    unwind_regs_from_regset(&rs, &start);
    struct unwind_env env = {
        .ctx = &d, .read_memory = denv_read_memory, .find_module = denv_find_module};
    struct unwind_walk w;
    CHECK_OK(unwind_arm64_walk(&env, &start, NULL, &w));
    bool verbose = getenv("DD_TEST_VERBOSE") != NULL;
    for (size_t i = 0; verbose && i < w.nframes; i++)
        fprintf(stderr, "  %2zu %016llx sp %016llx %s%s\n", i, (unsigned long long)w.frames[i].ip,
                (unsigned long long)w.frames[i].sp, unwind_found_by_name(w.frames[i].found_by),
                w.frames[i].flags & UNWIND_FRAME_UNVERIFIED ? " (unverified)" : "");
    if (verbose)
        fprintf(stderr, "  stop: %s\n", unwind_stop_name(w.stop));
    CHECK(w.nframes >= nwant);
    for (size_t i = 0; i < nwant && i < w.nframes; i++) {
        uint64_t ip = i == 0 ? w.frames[i].ip : w.frames[i].ip - 4;
        if (ip != want[i])
            check_fail(__FILE__, __LINE__, "frame %zu: %llx, golden %llx", i,
                       (unsigned long long)ip, (unsigned long long)want[i]);
    }
    if (w.nframes >= 3) {
        CHECK_EQ(w.frames[0].found_by, UNWIND_FOUND_CONTEXT);
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_LEAF);
        CHECK_EQ(w.frames[2].found_by, UNWIND_FOUND_FRAME_POINTER);
    }
    unwind_walk_deinit(&w);

    /* Every thread: the walk ends, and every frame but the first is code in a module. */
    for (size_t ti = 0; ti < d.t->nthreads; ti++) {
        const struct target_thread *th = &d.t->threads[ti];
        if (!th->context)
            continue;
        struct dd_error *err = arm64_context_decode(th->context, th->context_size, &rs);
        if (err) {
            dd_error_destroy(err);
            continue;
        }
        unwind_regs_from_regset(&rs, &start);
        CHECK_OK(unwind_arm64_walk(&env, &start, NULL, &w));
        CHECK(w.nframes >= 2);
        for (size_t i = 1; i < w.nframes; i++)
            CHECK(target_module_by_addr(d.t, w.frames[i].ip) != NULL);
        if (verbose)
            fprintf(stderr, "  thread %u: %zu frames, %s\n", th->tid, w.nframes,
                    unwind_stop_name(w.stop));
        unwind_walk_deinit(&w);
    }
    target_destroy(d.t);
}
