/*
 * ARM (Thumb-2) unwinder. Real images: the DLLs in tests/fixtures/unwind (clang-16 / llvm-mc-16
 * output, see make-arm-unwind-fixtures.sh), whose decoding must agree with llvm-readobj-16's (the
 * .unwind files), and whose unwinding is checked against a stack this test builds by running the
 * prolog instructions llvm-readobj-16 reports (push, sub, vpush, mov rX,sp ...) on a simulated CPU:
 * unwinding from the body, from every point of the prolog and of every epilog must give back the
 * caller's sp, return address and saved registers. Synthetic tests: codes and packed words written
 * here from Microsoft "ARM Exception Handling" (the codes table, the packed-data tables, the
 * partial prolog/epilog example) with expected values that follow from the bytes written here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm/arm_regs.h"
#include "base/cursor.h"
#include "pe/pe_image.h"
#include "pe/pe_pdata.h"
#include "unwind/arm/arm_unwind.h"
#include "check.h"

/* ---- the fake target: one module (a fixture image or bytes written here) and a stack ------- */

#define MOD_BASE 0x10000000u
#define MOD_SIZE 0x10000u
#define STACK_BASE 0x00200000u
#define STACK_SIZE 0x40000u

struct fake {
    struct pe_image *img; /* NULL: image[] holds the module */
    uint8_t image[MOD_SIZE];
    uint8_t stack[STACK_SIZE];
    struct {
        uint32_t begin, end, word;
    } fns[16];
    size_t nfns;
    enum unwind_lookup no_entry;
};

static size_t fake_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fake *f = ctx;
    if (addr >= STACK_BASE && addr - STACK_BASE < STACK_SIZE) {
        size_t n = STACK_SIZE - (size_t)(addr - STACK_BASE);
        n = n < len ? n : len;
        memcpy(buf, f->stack + (addr - STACK_BASE), n);
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
    if (f->img) {
        struct pe_pdata_entry e;
        struct dd_error *err = pe_pdata_lookup(f->img, rva, &e);
        if (err) {
            dd_error_destroy(err);
            return UNWIND_LOOKUP_NONE;
        }
        *ret_begin = e.begin;
        *ret_end = e.end;
        *ret_word = e.unwind_data;
        return UNWIND_LOOKUP_FOUND;
    }
    for (size_t i = 0; i < f->nfns; i++)
        if (rva >= f->fns[i].begin && rva < f->fns[i].end) {
            *ret_begin = f->fns[i].begin;
            *ret_end = f->fns[i].end;
            *ret_word = f->fns[i].word;
            return UNWIND_LOOKUP_FOUND;
        }
    return f->no_entry;
}

static size_t fake_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct fake *f = ctx;
    if (base != MOD_BASE)
        return 0;
    if (f->img)
        return pe_image_read_rva(f->img, rva, buf, len);
    if (rva >= MOD_SIZE)
        return 0;
    size_t n = MOD_SIZE - rva;
    n = n < len ? n : len;
    memcpy(buf, f->image + rva, n);
    return n;
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

static void stack_put(struct fake *f, uint32_t addr, uint32_t v)
{
    put32(f->stack + (addr - STACK_BASE), v);
}

/* Walks from REGS with at most MAX frames; the caller frees w. */
static void walk(struct fake *f, const struct unwind_regs *regs, size_t max, bool no_scan,
                 struct unwind_walk *w)
{
    struct unwind_env env = fake_env(f);
    struct unwind_options o = {.max_frames = max, .no_scan = no_scan};
    CHECK_OK(unwind_arm_walk(&env, regs, &o, w));
}

/* ---- the CPU that runs llvm-readobj's prolog/epilog text ------------------------------------ */

#define SIM_RA 0x1000f001u /* the caller's lr: a Thumb return address in the module */
#define SIM_SP 0x00230000u

struct sim {
    uint32_t r[16]; /* r0-r12, sp, lr, pc */
    uint64_t d[32];
    bool returned; /* pop {.., pc} / ldr pc / bx / b ran */
    bool unsupported;
    struct fake *f;
};

static uint32_t sim_load(struct sim *s, uint32_t a)
{
    return dd_le32(s->f->stack + (a - STACK_BASE));
}

/* Parses "{r4-r7, r11, lr}" into a mask (bit 14 lr, bit 15 pc); false on anything else. */
static bool parse_list(const char *p, uint32_t *ret)
{
    uint32_t mask = 0;
    p = strchr(p, '{');
    if (!p)
        return false;
    p++;
    while (*p && *p != '}') {
        unsigned a, b;
        int n = 0;
        if (sscanf(p, "r%u-r%u%n", &a, &b, &n) == 2 && n) {
            for (unsigned i = a; i <= b && i < 16; i++)
                mask |= 1u << i;
        } else if (sscanf(p, "r%u%n", &a, &n) == 1 && n) {
            mask |= 1u << a;
        } else if (strncmp(p, "lr", 2) == 0) {
            mask |= 1u << 14;
            n = 2;
        } else if (strncmp(p, "pc", 2) == 0) {
            mask |= 1u << 15;
            n = 2;
        } else {
            return false;
        }
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    *ret = mask;
    return true;
}

/* "{d8-d15}" / "{d8}" / "{}": first and last (last < first when empty). */
static void parse_dlist(const char *p, unsigned *first, unsigned *last)
{
    unsigned a = 1, b = 0;
    p = strchr(p, '{');
    if (p && sscanf(p, "{d%u-d%u}", &a, &b) != 2 && sscanf(p, "{d%u}", &a) == 1)
        b = a;
    *first = a;
    *last = b;
}

/* The sp adjustment of "sub sp, #(N * 4)", "sub.w sp, sp, #(N * 4)", "sub sp, sp, #N". */
static uint32_t parse_adjust(const char *p)
{
    const char *h = strchr(p, '#');
    unsigned n = 0, m = 0;
    if (!h)
        return 0;
    if (sscanf(h, "#(%u * %u)", &n, &m) == 2)
        return n * m;
    sscanf(h, "#%u", &n);
    return n;
}

/*
 * Runs one instruction TEXT (forward, as the CPU does) and returns its size in bytes from the
 * text alone (Thumb-2: ".w" forms, vpush/vpop, str.w/ldr.w and pushes of r8-r12 are 32-bit).
 */
static unsigned sim_run(struct sim *s, const char *t)
{
    uint32_t *sp = &s->r[13];
    bool wide = strstr(t, ".w ") != NULL;
    uint32_t mask;
    if (strncmp(t, "push", 4) == 0 && parse_list(t, &mask)) {
        unsigned n = 0;
        for (unsigned i = 0; i < 16; i++)
            n += mask >> i & 1;
        *sp -= 4 * n;
        uint32_t a = *sp;
        for (unsigned i = 0; i < 16; i++)
            if (mask >> i & 1) {
                stack_put(s->f, a, s->r[i]);
                a += 4;
            }
        return wide || (mask & 0x1f00) ? 4 : 2;
    }
    if (strncmp(t, "pop", 3) == 0 && parse_list(t, &mask)) {
        for (unsigned i = 0; i < 16; i++)
            if (mask >> i & 1) {
                s->r[i] = sim_load(s, *sp);
                *sp += 4;
            }
        if (mask & 0x8000)
            s->returned = true;
        return wide || (mask & 0x5f00) ? 4 : 2;
    }
    if (strncmp(t, "sub", 3) == 0 && strstr(t, " sp, ")) {
        uint32_t n = parse_adjust(t);
        *sp -= n;
        return wide || (strstr(t, "sp, sp, #") && !strstr(t, "#(") && n > 508) ? 4 : 2;
    }
    if (strncmp(t, "add", 3) == 0 && strncmp(t + (wide ? 6 : 4), "sp, ", 4) == 0) {
        uint32_t n = parse_adjust(t);
        *sp += n;
        return wide || (strstr(t, "sp, sp, #") && !strstr(t, "#(") && n > 508) ? 4 : 2;
    }
    unsigned x, n;
    if (sscanf(t, "add.w r%u, sp, #%u", &x, &n) == 2) {
        s->r[x] = *sp + n;
        return 4;
    }
    if (sscanf(t, "mov r%u, sp", &x) == 1 && x < 16) {
        s->r[x] = *sp;
        return 2;
    }
    if (sscanf(t, "mov sp, r%u", &x) == 1 && x < 16) {
        *sp = s->r[x];
        return 2;
    }
    if (strncmp(t, "vpush", 5) == 0 || strncmp(t, "vpop", 4) == 0) {
        unsigned a, b;
        parse_dlist(t, &a, &b);
        bool push = t[1] == 'p' && t[2] == 'u';
        unsigned cnt = b >= a ? b - a + 1 : 0;
        if (push)
            *sp -= 8 * cnt;
        for (unsigned i = 0; i < cnt && a + i < 32; i++) {
            uint32_t at = *sp + 8 * i;
            if (push) {
                stack_put(s->f, at, (uint32_t)s->d[a + i]);
                stack_put(s->f, at + 4, (uint32_t)(s->d[a + i] >> 32));
            } else {
                s->d[a + i] = sim_load(s, at) | (uint64_t)sim_load(s, at + 4) << 32;
            }
        }
        if (!push)
            *sp += 8 * cnt;
        return 4;
    }
    if (sscanf(t, "str.w lr, [sp, #-%u]!", &n) == 1) {
        *sp -= n;
        stack_put(s->f, *sp, s->r[14]);
        return 4;
    }
    if (sscanf(t, "ldr.w lr, [sp], #%u", &n) == 1) {
        s->r[14] = sim_load(s, *sp);
        *sp += n;
        return 4;
    }
    if (sscanf(t, "ldr pc, [sp], #%u", &n) == 1) {
        s->r[15] = sim_load(s, *sp);
        *sp += n;
        s->returned = true;
        return 4;
    }
    if (strcmp(t, "nop") == 0)
        return 2;
    if (strcmp(t, "nop.w") == 0)
        return 4;
    if (strcmp(t, "bx <reg>") == 0) {
        s->returned = true;
        return 2;
    }
    if (strcmp(t, "b.w <target>") == 0) {
        s->returned = true;
        return 4;
    }
    s->unsupported = true;
    return 0;
}

/* The caller's registers the simulation starts from: markers for r4-r11, lr, d8-d15. */
static void sim_init(struct sim *s, struct fake *f)
{
    memset(s, 0, sizeof(*s));
    s->f = f;
    for (unsigned i = 0; i <= 12; i++)
        s->r[i] = 0x01010101u * i + 0x100u;
    s->r[13] = SIM_SP;
    s->r[14] = SIM_RA;
    for (unsigned i = 0; i < 32; i++)
        s->d[i] = 0x0d0d0d0d00000000ull * (i + 1) + i;
}

/* The unwind_regs of a simulated callee at PC. */
static void sim_regs(const struct sim *s, uint32_t pc, struct unwind_regs *ret)
{
    memset(ret, 0, sizeof(*ret));
    for (unsigned i = 0; i <= 14; i++)
        unwind_regs_set(ret, i, s->r[i]);
    unwind_regs_set(ret, ARM_PC, pc);
    for (unsigned q = 0; q < 16; q++) {
        memcpy(ret->vec[q], &s->d[2 * q], 8);
        memcpy(ret->vec[q] + 8, &s->d[2 * q + 1], 8);
    }
    ret->vec_valid = 0xffff;
}

/* One function of a fixture, as its facts describe it. */
struct fx_fn {
    uint32_t rva, length;
    char prolog[24][64]; /* unwind order */
    unsigned nprolog;
    unsigned nepi;
    struct {
        uint32_t start; /* bytes from the function start; UINT32_MAX: at the end */
        char insn[16][64];
        unsigned n;
    } epi[4];
    bool fragment;
};

/* True when FN's prolog saves lr (a push of lr or str lr). */
static bool fn_saves_lr(const struct fx_fn *fn)
{
    for (unsigned i = 0; i < fn->nprolog; i++)
        if (strstr(fn->prolog[i], "lr}") || strstr(fn->prolog[i], "str.w lr"))
            return true;
    return false;
}

/*
 * Unwinds one frame of FN from a callee state reached by running the first K prolog instructions
 * and then, for an epilog E >= 0, the first J of its instructions; checks that the caller comes
 * back. Returns false when the text holds an instruction the simulation does not know.
 */
static bool check_point(struct fake *f, const struct fx_fn *fn, unsigned k, int e, unsigned j,
                        const char *what)
{
    struct sim s;
    sim_init(&s, f);
    uint32_t pc = MOD_BASE + fn->rva;
    unsigned total = fn->nprolog;
    for (unsigned i = 0; i < k && i < total; i++)
        pc += sim_run(&s, fn->prolog[total - 1 - i]);
    if (e >= 0) {
        uint32_t size = 0, start;
        struct sim tmp = s;
        for (unsigned i = 0; i < fn->epi[e].n; i++)
            size += sim_run(&tmp, fn->epi[e].insn[i]);
        if (tmp.unsupported)
            return false;
        start = fn->epi[e].start == UINT32_MAX ? fn->length - size : fn->epi[e].start;
        pc = MOD_BASE + fn->rva + start;
        for (unsigned i = 0; i < j; i++)
            pc += sim_run(&s, fn->epi[e].insn[i]);
        if (s.returned)
            return true; /* the epilog is over: nothing left to unwind */
    } else if (k == total && fn_saves_lr(fn)) {
        /* The body clobbers lr (calls) once it is saved. */
        s.r[14] = 0xdead0001u;
    }
    if (s.unsupported)
        return false;
    struct unwind_regs regs;
    sim_regs(&s, pc, &regs);
    struct unwind_walk w;
    walk(f, &regs, 2, true, &w);
    char ctx[160];
    snprintf(ctx, sizeof(ctx), "fn %x %s k=%u e=%d j=%u", fn->rva, what, k, e, j);
    if (w.nframes < 2) {
        check_fail(__FILE__, __LINE__, "%s: no caller (stop %s)", ctx, unwind_stop_name(w.stop));
    } else {
        const struct unwind_frame *c = &w.frames[1];
        if (c->sp != SIM_SP || c->ip != (SIM_RA & ~1u) || c->found_by != UNWIND_FOUND_UNWIND_INFO)
            check_fail(__FILE__, __LINE__, "%s: caller sp %llx ip %llx by %s", ctx,
                       (unsigned long long)c->sp, (unsigned long long)c->ip,
                       unwind_found_by_name(c->found_by));
        struct sim ref;
        sim_init(&ref, f);
        for (unsigned i = 4; i <= 11; i++)
            if (!unwind_regs_has(&c->regs, i) || c->regs.r[i] != ref.r[i])
                check_fail(__FILE__, __LINE__, "%s: r%u = %llx", ctx, i,
                           (unsigned long long)c->regs.r[i]);
        for (unsigned q = 4; q < 8; q++) {
            uint8_t want[16];
            memcpy(want, &ref.d[2 * q], 8);
            memcpy(want + 8, &ref.d[2 * q + 1], 8);
            if (!(c->regs.vec_valid >> q & 1) || memcmp(c->regs.vec[q], want, 16) != 0)
                check_fail(__FILE__, __LINE__, "%s: q%u (d%u-d%u) wrong", ctx, q, 2 * q, 2 * q + 1);
        }
    }
    unwind_walk_deinit(&w);
    return true;
}

/* Every unwind point of FN: the body, each prolog prefix, each epilog prefix. */
static unsigned check_function_walk(struct fake *f, const struct fx_fn *fn)
{
    unsigned points = 0;
    if (!check_point(f, fn, fn->nprolog, -1, 0, "body"))
        return 0;
    points++;
    for (unsigned k = 0; !fn->fragment && k < fn->nprolog; k++, points++)
        check_point(f, fn, k, -1, 0, "prolog");
    for (unsigned e = 0; e < fn->nepi; e++)
        for (unsigned j = 0; j < fn->epi[e].n; j++, points++)
            if (!check_point(f, fn, fn->nprolog, (int)e, j, "epilog"))
                break;
    return points;
}

static struct pe_image *open_fixture(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/unwind/%s", check_fixtures_dir(), name);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_file(path, &img));
    return img;
}

/* The code at *AT formatted and its bytes in hex; advances *AT ("?" when it does not decode). */
static void next_code(const struct unwind_arm_info *info, size_t *at, bool epilog, char *text,
                      size_t tlen, char *hex, size_t hlen)
{
    struct unwind_arm_code c;
    if (!unwind_arm_code_decode(info->codes, info->ncodes, *at, &c)) {
        snprintf(text, tlen, "?");
        snprintf(hex, hlen, "?");
        *at = info->ncodes;
        return;
    }
    unwind_arm_code_format(&c, epilog, text, tlen);
    hex[0] = 0;
    for (unsigned i = 0; i < c.size; i++)
        snprintf(hex + 2 * i, hlen - 2 * i, "%02x", c.bytes[i]);
    *at += c.size;
}

/*
 * Checks every function of image NAME against NAME.unwind (see arm_unwind_facts.py): the fields,
 * each code's bytes and text, the epilogs; then walks each function's unwind points (WALK).
 */
static void check_image(const char *name, bool walk_points, size_t *ret_functions,
                        size_t *ret_points)
{
    struct fake *f = calloc(1, sizeof(*f));
    f->img = open_fixture(name);
    char path[4096];
    snprintf(path, sizeof(path), "%s/unwind/%s.unwind", check_fixtures_dir(), name);
    FILE *fp = fopen(path, "r");
    CHECK(f->img && fp);
    *ret_functions = *ret_points = 0;
    if (!f->img || !fp) {
        pe_image_destroy(f->img);
        free(f);
        if (fp)
            fclose(fp);
        return;
    }
    CHECK_EQ(f->img->base, MOD_BASE);
    struct unwind_env env = fake_env(f);
    const struct pe_pdata *table;
    CHECK_OK(pe_pdata_get(f->img, &table));
    CHECK_EQ(table->kind, PE_PDATA_ARM);

    struct fx_fn *fn = calloc(1, sizeof(*fn));
    struct unwind_arm_info *info = calloc(1, sizeof(*info));
    bool have = false, packed = false, unsupported = false;
    size_t at = 0, eat = 0;
    char line[512];
    bool more = true;
    while (more) {
        more = fgets(line, sizeof(line), fp) != NULL;
        if (more) {
            line[strcspn(line, "\n")] = 0;
            if (line[0] == '#' || !line[0])
                continue;
        }
        /* A new function (or the end): finish the previous one. */
        if ((!more || strncmp(line, "fn ", 3) == 0) && have) {
            if (!packed)
                CHECK(at <= info->ncodes);
            if (walk_points && !unsupported)
                *ret_points += check_function_walk(f, fn);
            have = false;
        }
        if (!more)
            break;
        char text[128], hex[32], want_hex[32];
        unsigned x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11;
        int n = 0;
        if (sscanf(line, "fn %x packed %u %x %u %u %u %u %u %u %u", &x1, &x2, &x3, &x4, &x5, &x6,
                   &x7, &x8, &x9, &x10) == 10 ||
            sscanf(line, "fn %x xdata %x %u %u %u", &x1, &x2, &x3, &x4, &x5) == 5) {
            packed = strstr(line, "packed") != NULL;
            (*ret_functions)++;
            memset(fn, 0, sizeof(*fn));
            fn->rva = x1;
            struct pe_pdata_entry e;
            struct dd_error *err = pe_pdata_lookup(f->img, x1, &e);
            CHECK(err == NULL && e.begin == x1);
            dd_error_destroy(err);
            have = err == NULL && unwind_arm_info_read(&env, MOD_BASE, e.unwind_data, info);
            if (!have) {
                check_fail(__FILE__, __LINE__, "%s: %x: unwind data not read", name, x1);
                continue;
            }
            unsupported = false;
            at = 0;
            if (packed) {
                CHECK_EQ(info->flag, x2);
                CHECK_EQ(info->function_length, x3);
                CHECK_EQ(info->no_epilog, x4 == 3);
                /* The word's own fields, as LLVM reads them. */
                CHECK_EQ((e.unwind_data >> 13) & 3, x4);
                CHECK_EQ((e.unwind_data >> 15) & 1, x5);
                CHECK_EQ((e.unwind_data >> 16) & 7, x6);
                CHECK_EQ((e.unwind_data >> 19) & 1, x7);
                CHECK_EQ((e.unwind_data >> 20) & 1, x8);
                CHECK_EQ((e.unwind_data >> 21) & 1, x9);
                fn->fragment = x2 == 2;
                fn->length = x3;
                if (x4 != 3) {
                    fn->nepi = 1;
                    fn->epi[0].start = UINT32_MAX;
                }
            } else {
                CHECK_EQ(info->flag, 0);
                CHECK_EQ(info->function_length, x2);
                CHECK_EQ(info->single_epilog, x3);
                CHECK_EQ(info->has_handler, x4);
                CHECK_EQ(info->fragment, x5);
                fn->fragment = x5 != 0;
                fn->length = x2;
            }
            continue;
        }
        if (!have)
            continue;
        if (sscanf(line, "p %31s %n", want_hex, &n) == 1 && n) {
            const char *want = line + n;
            if (strstr(want, "microsoft-specific") || strstr(want, "r13") ||
                strstr(want, "mov r0, sp"))
                unsupported = true; /* not something the simulation can run */
            if (fn->nprolog < 24 && strcmp(want, "bx <reg>") && strcmp(want, "b.w <target>"))
                snprintf(fn->prolog[fn->nprolog++], sizeof(fn->prolog[0]), "%s", want);
            if (!packed) {
                next_code(info, &at, false, text, sizeof(text), hex, sizeof(hex));
                CHECK_STR(hex, want_hex);
                CHECK_STR(text, want);
            }
        } else if (sscanf(line, "single %x", &x1) == 1) {
            CHECK(info->single_epilog);
            CHECK_EQ(info->epilog_index, x1);
            eat = x1;
            if (fn->nepi < 4)
                fn->epi[fn->nepi++].start = UINT32_MAX;
        } else if (sscanf(line, "scope %x %x %x", &x1, &x2, &x3) == 3) {
            struct unwind_arm_scope sc;
            CHECK(unwind_arm_info_scope(&env, MOD_BASE, info, fn->nepi, &sc));
            CHECK_EQ(sc.start, x1);
            CHECK_EQ(sc.condition, x2);
            CHECK_EQ(sc.index, x3);
            eat = x3;
            if (fn->nepi < 4)
                fn->epi[fn->nepi++].start = x1;
        } else if (sscanf(line, "e %31s %n", want_hex, &n) == 1 && n) {
            const char *want = line + n;
            if (fn->nepi > 0 && fn->epi[fn->nepi - 1].n < 16)
                snprintf(fn->epi[fn->nepi - 1].insn[fn->epi[fn->nepi - 1].n++],
                         sizeof(fn->epi[0].insn[0]), "%s", want);
            if (!packed) {
                next_code(info, &eat, true, text, sizeof(text), hex, sizeof(hex));
                CHECK_STR(hex, want_hex);
                CHECK_STR(text, want);
            }
        } else if (sscanf(line, "handler %x", &x1) == 1) {
            CHECK(info->has_handler);
            CHECK_EQ(info->handler_rva & ~1u, x1 & ~1u);
        } else {
            (void)x6, (void)x7, (void)x8, (void)x9, (void)x10, (void)x11;
            check_fail(__FILE__, __LINE__, "%s: unknown facts line: %s", name, line);
        }
    }
    fclose(fp);
    free(fn);
    free(info);
    pe_image_destroy(f->img);
    free(f);
}

TEST(unwind_arm_fixture_codes_vs_llvm)
{
    size_t n, points;
    check_image("unwind_arm_codes.dll", true, &n, &points);
    CHECK(n >= 18);
    CHECK(points >= 80);
}

TEST(unwind_arm_fixture_clang_vs_llvm)
{
    size_t n, points;
    check_image("unwind_arm_funcs.dll", true, &n, &points);
    CHECK(n >= 15);
    CHECK(points >= 60);
}

/* ---- synthetic cases from the document ----------------------------------------------------- */

#define FN_RVA 0x1000u
#define XDATA_RVA 0x3000u
#define S0 0x00210000u /* the callee's sp */

/* A module whose one function FN_RVA..+LEN has .xdata WORDS at XDATA_RVA. */
static struct fake *fake_with_xdata(const uint32_t *words, size_t nwords, uint32_t len)
{
    struct fake *f = calloc(1, sizeof(*f));
    for (size_t i = 0; i < nwords; i++)
        put32(f->image + XDATA_RVA + 4 * i, words[i]);
    f->fns[0].begin = FN_RVA;
    f->fns[0].end = FN_RVA + len;
    f->fns[0].word = XDATA_RVA;
    f->nfns = 1;
    f->no_entry = UNWIND_LOOKUP_NONE;
    return f;
}

static void regs_at(struct unwind_regs *r, uint32_t pc, uint32_t sp)
{
    memset(r, 0, sizeof(*r));
    for (unsigned i = 0; i <= 12; i++)
        unwind_regs_set(r, i, 0xc0c0c000u + i);
    unwind_regs_set(r, ARM_SP, sp);
    unwind_regs_set(r, ARM_LR, 0xdead0001u);
    unwind_regs_set(r, ARM_PC, pc);
}

/* The conditional epilog: "itt eq; addeq sp,#8; popeq {r4-r7,pc}" with codes 02 d7 ff. */
TEST(unwind_arm_conditional_epilog)
{
    /* 16 halfwords; one scope at halfword 8, condition eq (0), codes from index 0. */
    const uint32_t xd[] = {16 | (1u << 23) | (1u << 28), 8 | (0u << 20) | (0u << 24), 0x00ffd702};
    for (int c = 0; c < 3; c++) {
        struct fake *f = fake_with_xdata(xd, 3, 32);
        /* After the prolog: 8 bytes of locals at S0, then r4-r7, lr. */
        for (unsigned i = 0; i < 4; i++)
            stack_put(f, S0 + 8 + 4 * i, 0x44440000u + i);
        stack_put(f, S0 + 24, 0x10005001u);
        struct unwind_regs r;
        bool holds = c != 1;
        /* pc after the addeq: sp moved when the condition held (c 0: Z=1, c 2: flags unknown). */
        regs_at(&r, MOD_BASE + FN_RVA + 18, holds ? S0 + 8 : S0);
        if (c == 0)
            unwind_regs_set(&r, ARM_CPSR, 0x40000030u);
        else if (c == 1)
            unwind_regs_set(&r, ARM_CPSR, 0x00000030u);
        struct unwind_walk w;
        walk(f, &r, 2, true, &w);
        CHECK_EQ(w.nframes, 2);
        if (w.nframes == 2) {
            CHECK_EQ(w.frames[1].sp, S0 + 28);
            CHECK_EQ(w.frames[1].ip, 0x10005000u);
            CHECK_EQ(w.frames[1].regs.r[4], 0x44440000u);
            CHECK_EQ(w.frames[1].regs.r[7], 0x44440003u);
            CHECK_EQ((w.frames[1].flags & UNWIND_FRAME_EPILOG) != 0, holds);
            CHECK(!unwind_regs_has(&w.frames[1].regs, ARM_LR));
            CHECK(!unwind_regs_has(&w.frames[1].regs, 0) && !unwind_regs_has(&w.frames[1].regs, 12));
        }
        unwind_walk_deinit(&w);
        free(f);
    }
}

/* Microsoft-specific 1 (machine frame {sp, pc}) and 2 (a CONTEXT at sp). */
TEST(unwind_arm_machine_frame_and_context)
{
    const uint32_t mf[] = {8 | (1u << 21) | (2u << 23) | (1u << 28), 0xffff01eeu};
    struct fake *f = fake_with_xdata(mf, 2, 16);
    stack_put(f, S0, 0x00228000u);
    stack_put(f, S0 + 4, 0x10006789u); /* the interrupted pc (a Thumb bit that must go) */
    struct unwind_regs r;
    regs_at(&r, MOD_BASE + FN_RVA + 4, S0);
    struct unwind_walk w;
    walk(f, &r, 2, true, &w);
    CHECK_EQ(w.nframes, 2);
    if (w.nframes == 2) {
        CHECK_EQ(w.frames[1].ip, 0x10006788u);
        CHECK_EQ(w.frames[1].sp, 0x00228000u);
        CHECK(w.frames[1].flags & UNWIND_FRAME_TRAP);
        CHECK_EQ(w.frames[1].regs.saved_at[ARM_PC], S0 + 4);
    }
    unwind_walk_deinit(&w);
    free(f);

    const uint32_t cx[] = {8 | (1u << 21) | (2u << 23) | (1u << 28), 0xffff02eeu};
    f = fake_with_xdata(cx, 2, 16);
    /* ARM CONTEXT (winnt.h): R0 at 4, Sp 0x38, Lr 0x3c, Pc 0x40, Cpsr 0x44, D[] at 0x50. */
    for (unsigned i = 0; i <= 12; i++)
        stack_put(f, S0 + 4 + 4 * i, 0x77000000u + i);
    stack_put(f, S0 + 0x38, 0x00229000u);
    stack_put(f, S0 + 0x3c, 0x10007001u);
    stack_put(f, S0 + 0x40, 0x10007100u);
    stack_put(f, S0 + 0x44, 0x60000030u);
    stack_put(f, S0 + 0x50 + 8 * 9, 0x99999999u); /* d9: high half of q4 */
    regs_at(&r, MOD_BASE + FN_RVA + 4, S0);
    walk(f, &r, 2, true, &w);
    CHECK_EQ(w.nframes, 2);
    if (w.nframes == 2) {
        const struct unwind_regs *c = &w.frames[1].regs;
        CHECK_EQ(w.frames[1].ip, 0x10007100u);
        CHECK_EQ(w.frames[1].sp, 0x00229000u);
        CHECK_EQ(c->r[0], 0x77000000u);
        CHECK_EQ(c->r[11], 0x7700000bu);
        CHECK_EQ(c->r[ARM_LR], 0x10007001u);
        CHECK_EQ(c->r[ARM_CPSR], 0x60000030u);
        CHECK_EQ(dd_le32(c->vec[4] + 8), 0x99999999u);
        CHECK(w.frames[1].flags & UNWIND_FRAME_TRAP);
    }
    unwind_walk_deinit(&w);
    free(f);
}

/* A module with code: a BL at CALL_RVA whose return address is CALL_RVA + 4 (Thumb: +5). */
#define CALL_RVA 0x1800u

static struct fake *fake_with_call(void)
{
    struct fake *f = calloc(1, sizeof(*f));
    /* bl <self+4>: 11110 S=0 imm10=0 | 11 J1=1 1 J2=1 imm11=0 (ARM ARM A8.8.25 T1). */
    put32(f->image + CALL_RVA, 0xf800f000u);
    put32(f->image + CALL_RVA + 0x10, 0x47980000u); /* movs r0,r0; blx r3 */
    f->no_entry = UNWIND_LOOKUP_NONE;
    return f;
}

TEST(unwind_arm_call_precedes)
{
    uint8_t b[4];
    put32(b, 0xf800f000u);
    CHECK(unwind_arm_call_precedes(NULL, 0x10001004u, b)); /* bl */
    put32(b, 0xe800f000u);
    CHECK(unwind_arm_call_precedes(NULL, 0x10001004u, b)); /* blx (immediate) */
    put32(b, 0x47980000u);
    CHECK(unwind_arm_call_precedes(NULL, 0x10001004u, b)); /* blx r3 */
    put32(b, 0x47180000u);
    CHECK(!unwind_arm_call_precedes(NULL, 0x10001004u, b)); /* bx r3 */
    put32(b, 0xb800f000u);
    CHECK(!unwind_arm_call_precedes(NULL, 0x10001004u, b)); /* b.w */
    /* bl to a target outside every module: not a call we trust. */
    struct fake *f = fake_with_call();
    struct unwind_env env = fake_env(f);
    put32(b, 0xf800f400u); /* S=1: a target 16 MB back */
    CHECK(!unwind_arm_call_precedes(&env, MOD_BASE + 0x1004u, b));
    put32(b, 0xf800f000u);
    CHECK(unwind_arm_call_precedes(&env, MOD_BASE + 0x1004u, b));
    free(f);
}

/* No .pdata entry: a leaf whose return address is lr. */
TEST(unwind_arm_leaf)
{
    struct fake *f = fake_with_call();
    struct unwind_regs r;
    regs_at(&r, MOD_BASE + 0x2000, S0);
    unwind_regs_set(&r, ARM_LR, MOD_BASE + CALL_RVA + 5);
    struct unwind_walk w;
    walk(f, &r, 2, true, &w);
    CHECK_EQ(w.nframes, 2);
    if (w.nframes == 2) {
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_LEAF);
        CHECK_EQ(w.frames[1].ip, MOD_BASE + CALL_RVA + 4);
        CHECK_EQ(w.frames[1].sp, S0);
        CHECK(unwind_regs_has(&w.frames[1].regs, 4)); /* a proven leaf saved nothing */
    }
    unwind_walk_deinit(&w);
    free(f);
}

/* The r11 chain: {saved r11, lr} records, the outermost all zeros. */
TEST(unwind_arm_frame_chain)
{
    struct fake *f = fake_with_call();
    f->no_entry = UNWIND_LOOKUP_UNAVAILABLE;
    uint32_t ra1 = MOD_BASE + CALL_RVA + 5, ra2 = MOD_BASE + CALL_RVA + 0x15;
    stack_put(f, S0 + 0x20, S0 + 0x60);
    stack_put(f, S0 + 0x24, ra1);
    stack_put(f, S0 + 0x60, S0 + 0x100);
    stack_put(f, S0 + 0x64, ra2);
    struct unwind_regs r;
    regs_at(&r, 0x00400000u, S0); /* pc outside every module; lr not a return address */
    unwind_regs_set(&r, ARM_R11, S0 + 0x20);
    struct unwind_walk w;
    walk(f, &r, 8, true, &w);
    CHECK(w.nframes >= 3);
    if (w.nframes >= 3) {
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_FRAME_POINTER);
        CHECK_EQ(w.frames[1].ip, ra1 & ~1u);
        CHECK_EQ(w.frames[1].sp, S0 + 0x28);
        CHECK_EQ(w.frames[1].regs.r[ARM_R11], S0 + 0x60);
        CHECK_EQ(w.frames[1].regs.saved_at[ARM_PC], S0 + 0x24);
        CHECK_EQ(w.frames[2].ip, ra2 & ~1u);
        CHECK_EQ(w.frames[2].sp, S0 + 0x68);
    }
    unwind_walk_deinit(&w);
    free(f);
}

/* The scan accepts only odd (Thumb) values in a module that follow a call. */
TEST(unwind_arm_scan)
{
    struct fake *f = fake_with_call();
    f->no_entry = UNWIND_LOOKUP_UNAVAILABLE;
    stack_put(f, S0 + 0x00, 0x12345678u);
    stack_put(f, S0 + 0x04, MOD_BASE + CALL_RVA + 4);    /* even: an ARM-state address */
    stack_put(f, S0 + 0x08, MOD_BASE + CALL_RVA + 9);    /* odd but no call before it */
    stack_put(f, S0 + 0x0c, MOD_BASE + 0x0105u);         /* in the header page */
    stack_put(f, S0 + 0x10, S0 + 0x40);                  /* looks like a saved r11 */
    stack_put(f, S0 + 0x14, MOD_BASE + CALL_RVA + 0x15); /* after blx r3 */
    struct unwind_regs r;
    regs_at(&r, 0x00400000u, S0);
    unwind_regs_forget(&r, ARM_R11);
    struct unwind_walk w;
    walk(f, &r, 2, false, &w);
    CHECK_EQ(w.nframes, 2);
    if (w.nframes == 2) {
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
        CHECK_EQ(w.frames[1].ip, MOD_BASE + CALL_RVA + 0x14);
        CHECK_EQ(w.frames[1].sp, S0 + 0x18);
    }
    unwind_walk_deinit(&w);
    /* With no_scan the walk stops there. */
    walk(f, &r, 2, true, &w);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);
    free(f);
}

/* Stack memory the unwind codes need is missing: the walk ends with a fault there. */
TEST(unwind_arm_fault)
{
    const uint32_t xd[] = {16 | (1u << 21) | (0u << 23) | (1u << 28), 0x00ffffd7u};
    struct fake *f = fake_with_xdata(xd, 2, 32);
    struct unwind_regs r;
    regs_at(&r, MOD_BASE + FN_RVA + 8, STACK_BASE + STACK_SIZE - 8);
    struct unwind_walk w;
    walk(f, &r, 4, true, &w);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_FAULT);
    CHECK_EQ(w.fault_address, STACK_BASE + STACK_SIZE);
    unwind_walk_deinit(&w);
    free(f);
}

/* Packed words from the document's tables, expanded to codes (unwind order). */
TEST(unwind_arm_packed_expand)
{
    struct unwind_arm_info info;
    /* Flag 1, 0x20 bytes, Ret 0, H 0, Reg 3, R 0, L 1, C 0, Stack Adjust 4 words. */
    uint32_t w = 1 | (16u << 2) | (3u << 16) | (1u << 20) | (4u << 22);
    CHECK(unwind_arm_packed_expand(w, &info));
    CHECK_EQ(info.function_length, 32);
    CHECK(info.single_epilog && !info.no_epilog);
    const uint8_t want[] = {0x04, 0xed, 0xf0, 0xff, 0x04, 0xed, 0xf0, 0xff};
    CHECK_EQ(info.ncodes, sizeof(want));
    CHECK(memcmp(info.codes, want, sizeof(want)) == 0);
    CHECK_EQ(unwind_arm_sequence_size(&info, 0, false), 4);
    CHECK_EQ(unwind_arm_sequence_size(&info, info.epilog_index, true), 4);
    /* Flag 3 is reserved; Flag 0 is not packed. */
    CHECK(!unwind_arm_packed_expand(w | 3, &info));
    CHECK(!unwind_arm_packed_expand(w & ~3u, &info));
    /* Stack Adjust 0x3F4+: PF and EF fold two words into the push as r2-r3 (S = ~0x3fd & 3). */
    w = 1 | (8u << 2) | (1u << 16) | (1u << 20) | (0x3fdu << 22);
    CHECK(unwind_arm_packed_expand(w, &info));
    const uint8_t fold[] = {0xed, 0x3c, 0xff, 0xed, 0x3c, 0xff};
    CHECK_EQ(info.ncodes, sizeof(fold));
    CHECK(memcmp(info.codes, fold, sizeof(fold)) == 0);
}

/* The codes table: sizes, instruction sizes, reserved encodings. */
TEST(unwind_arm_code_decode)
{
    struct unwind_arm_code c;
    const uint8_t a[] = {0xf8, 0x01, 0x02, 0x03};
    CHECK(unwind_arm_code_decode(a, 4, 0, &c));
    CHECK_EQ(c.op, UNWIND_ARM_ALLOC);
    CHECK_EQ(c.size, 4);
    CHECK_EQ(c.insn_size, 2);
    CHECK_EQ(c.offset, 0x010203u * 4);
    CHECK(!unwind_arm_code_decode(a, 3, 0, &c)); /* cut short */
    const uint8_t r[] = {0xf0, 0xee, 0x10, 0xef, 0x10};
    CHECK(!unwind_arm_code_decode(r, 5, 0, &c)); /* F0-F4: available */
    CHECK(!unwind_arm_code_decode(r, 5, 1, &c)); /* EE 10-FF */
    CHECK(!unwind_arm_code_decode(r, 5, 3, &c)); /* EF 10-FF */
    const uint8_t e[] = {0xfd, 0xfe, 0xff};
    for (unsigned i = 0; i < 3; i++) {
        CHECK(unwind_arm_code_decode(e, 3, i, &c));
        CHECK_EQ(c.op, UNWIND_ARM_END);
        CHECK_EQ(c.end_extra, i == 0 ? 2 : i == 1 ? 4 : 0);
    }
    char text[64];
    const uint8_t p[] = {0xa8, 0x00};
    CHECK(unwind_arm_code_decode(p, 2, 0, &c));
    unwind_arm_code_format(&c, true, text, sizeof(text));
    CHECK_STR(text, "pop.w {r11, pc}");
}
