/*
 * CONTEXT decoding against real minidumps of the shared corpus. Expected values come
 * from independent sources: Breakpad's minidump_dump golden, symbolicator's golden, the
 * corpus MANIFEST (exception addresses), Firefox's crash annotations.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "arch/arch.h"
#include "arch/arm64/arm64_regs.h"
#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "base/writer.h"
#include "check.h"

/* A whole file in memory; .xz files (some corpus entries) are decompressed with xz(1). */
struct tdump {
    uint8_t *data;
    size_t size;
};

static bool tdump_read_stream(FILE *f, struct tdump *ret)
{
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return false;
    for (;;) {
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return false;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    ret->data = buf;
    ret->size = len;
    return true;
}

/* Loads corpus file REL (relative to the corpus dir); false (after check_skip) if absent. */
static bool tdump_load(const char *rel, struct tdump *ret)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return false;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        check_skip("%s not found", path);
        return false;
    }
    uint8_t magic[6] = {0};
    size_t got = fread(magic, 1, sizeof(magic), f);
    bool ok;
    if (got == sizeof(magic) && memcmp(magic,
                                       "\xfd"
                                       "7zXZ",
                                       5) == 0) {
        fclose(f);
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "xz -dc '%s' 2>/dev/null", path);
        FILE *p = popen(cmd, "r");
        if (!p) {
            check_skip("%s is xz-compressed and xz is not available", rel);
            return false;
        }
        ok = tdump_read_stream(p, ret);
        if (pclose(p) != 0 && ok) {
            free(ret->data);
            check_skip("%s is xz-compressed and xz failed", rel);
            return false;
        }
    } else {
        rewind(f);
        ok = tdump_read_stream(f, ret);
        fclose(f);
    }
    if (!ok || ret->size < 32 || memcmp(ret->data, "MDMP", 4) != 0) {
        if (ok)
            free(ret->data);
        check_fail(__FILE__, __LINE__, "%s is not a minidump", rel);
        return false;
    }
    return true;
}

static bool tdump_range(const struct tdump *d, uint64_t off, uint64_t len)
{
    return off <= d->size && len <= d->size - off;
}

/* Finds stream TYPE in the MINIDUMP_DIRECTORY (MINIDUMP_HEADER at offset 0). */
static bool tdump_stream(const struct tdump *d, uint32_t type, uint32_t *rva, uint32_t *len)
{
    uint32_t n = dd_le32(d->data + 8), dir = dd_le32(d->data + 12);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t e = dir + 12ULL * i;
        if (!tdump_range(d, e, 12))
            return false;
        if (dd_le32(d->data + e) == type) {
            *len = dd_le32(d->data + e + 4);
            *rva = dd_le32(d->data + e + 8);
            return tdump_range(d, *rva, *len);
        }
    }
    return false;
}

/* One raw CONTEXT, copied into its own allocation so ASan sees any over-read. */
struct tctx {
    uint32_t tid;
    uint8_t *raw;
    size_t size;
};

static bool tdump_copy(const struct tdump *d, uint32_t rva, uint32_t size, struct tctx *ret)
{
    if (!tdump_range(d, rva, size))
        return false;
    ret->raw = malloc(size ? size : 1);
    if (!ret->raw)
        return false;
    memcpy(ret->raw, d->data + rva, size);
    ret->size = size;
    return true;
}

/* ThreadList stream (type 3): count, then 48-byte MINIDUMP_THREAD records. */
static size_t tdump_thread_count(const struct tdump *d)
{
    uint32_t rva, len;
    if (!tdump_stream(d, 3, &rva, &len) || len < 4)
        return 0;
    uint32_t n = dd_le32(d->data + rva);
    return (len - 4) / 48 < n ? (len - 4) / 48 : n;
}

static bool tdump_thread(const struct tdump *d, size_t idx, struct tctx *ret)
{
    uint32_t rva, len;
    if (!tdump_stream(d, 3, &rva, &len) || idx >= tdump_thread_count(d))
        return false;
    const uint8_t *t = d->data + rva + 4 + 48 * idx;
    ret->tid = dd_le32(t);
    return tdump_copy(d, dd_le32(t + 44), dd_le32(t + 40), ret);
}

/* Exception stream (type 6): ThreadId, pad, MINIDUMP_EXCEPTION (152 bytes), context loc. */
static bool tdump_exception(const struct tdump *d, uint64_t *address, struct tctx *ret)
{
    uint32_t rva, len;
    if (!tdump_stream(d, 6, &rva, &len) || len < 168)
        return false;
    const uint8_t *e = d->data + rva;
    ret->tid = dd_le32(e);
    *address = dd_le64(e + 24);
    return tdump_copy(d, dd_le32(e + 164), dd_le32(e + 160), ret);
}

static char *capture_regs(const struct regset *rs)
{
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    rs->arch->print_regs(&w, rs);
    return sb.data; /* caller frees */
}

static uint64_t reg(const struct regset *rs, const char *name)
{
    const struct arch_reg *r = arch_reg_find(rs->arch, name);
    uint64_t v = 0xdeadbeefdeadbeefULL;
    if (!r || !regset_get(rs, r, &v))
        check_fail(__FILE__, __LINE__, "register %s not available", name);
    return v;
}

/* --- Breakpad's minidump_dump golden for minidump2.dmp: "  name = value" per field. --- */

struct golden_ctx {
    char names[40][48];
    char values[40][1100];
    size_t n;
};

static const char *golden_get(const struct golden_ctx *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0)
            return g->values[i];
    check_fail(__FILE__, __LINE__, "golden has no field %s", name);
    return "0";
}

static uint64_t golden_num(const struct golden_ctx *g, const char *name)
{
    return strtoull(golden_get(g, name), NULL, 16);
}

/* Byte I of a "0x0011..." hex blob field. */
static unsigned golden_byte(const struct golden_ctx *g, const char *name, size_t i)
{
    const char *s = golden_get(g, name);
    if (strncmp(s, "0x", 2) != 0 || strlen(s) < 2 + 2 * (i + 1))
        return 0x100;
    char hex[3] = {s[2 + 2 * i], s[3 + 2 * i], 0};
    return (unsigned)strtoul(hex, NULL, 16);
}

/* Reads the MDRawContextX86 blocks of the golden, in file order, into RET[0..MAX). */
static size_t golden_load(const char *path, struct golden_ctx *ret, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    static char line[4096];
    size_t n = 0;
    bool in = false;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        if (strcmp(line, "MDRawContextX86") == 0) {
            if (n == max)
                break;
            in = true;
            ret[n++].n = 0;
            continue;
        }
        if (!in)
            continue;
        if (line[0] != ' ') {
            in = false;
            continue;
        }
        char *eq = strstr(line, " = ");
        struct golden_ctx *g = &ret[n - 1];
        if (!eq || g->n == 40)
            continue;
        *eq = 0;
        const char *name = line + strspn(line, " ");
        size_t nl = strcspn(name, " ");
        snprintf(g->names[g->n], sizeof(g->names[0]), "%.*s", (int)nl, name);
        snprintf(g->values[g->n], sizeof(g->values[0]), "%s", eq + 3);
        g->n++;
    }
    fclose(f);
    return n;
}

static void check_against_golden(const struct regset *rs, const struct golden_ctx *g)
{
    CHECK_EQ(rs->context_flags, golden_num(g, "context_flags"));
    static const char *const same[] = {"dr0", "dr1", "dr2", "dr3", "dr6", "dr7", "gs",
                                       "fs",  "es",  "ds",  "edi", "esi", "ebx", "edx",
                                       "ecx", "eax", "ebp", "eip", "cs",  "esp", "ss"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        uint64_t want = golden_num(g, same[i]);
        uint64_t got = reg(rs, same[i]);
        if (got != want)
            check_fail(__FILE__, __LINE__, "%s: 0x%llx != golden 0x%llx", same[i],
                       (unsigned long long)got, (unsigned long long)want);
    }
    CHECK_EQ(reg(rs, "efl"), golden_num(g, "eflags"));
    /* FLOATING_SAVE_AREA words are DWORDs; the x87 registers are their low halves. */
    CHECK_EQ(reg(rs, "fpcw"), golden_num(g, "float_save.control_word") & 0xffff);
    CHECK_EQ(reg(rs, "fpsw"), golden_num(g, "float_save.status_word") & 0xffff);
    CHECK_EQ(reg(rs, "fptw"), golden_num(g, "float_save.tag_word") & 0xffff);
    CHECK(rs->st_valid);
    for (size_t i = 0; i < 80; i++)
        CHECK_EQ(rs->st[i / 10][i % 10], golden_byte(g, "float_save.register_area[80]", i));
    /* ExtendedRegisters is an FXSAVE image: MXCSR at +24, xmm0-7 at +160. */
    uint32_t mxcsr = 0;
    for (size_t i = 0; i < 4; i++)
        mxcsr |= golden_byte(g, "extended_registers[512]", 24 + i) << (8 * i);
    CHECK_EQ(reg(rs, "mxcsr"), mxcsr);
    CHECK_EQ(rs->vec_valid, 0xff);
    for (size_t x = 0; x < 8; x++)
        for (size_t b = 0; b < 16; b++)
            CHECK_EQ(rs->vec[x][b], golden_byte(g, "extended_registers[512]", 160 + 16 * x + b));
}

TEST(arch_x86_minidump2_matches_breakpad_golden)
{
    struct tdump d;
    if (!tdump_load("user/google-breakpad/minidump2.dmp", &d))
        return;
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/goldens/minidump2.dump.out",
             check_corpus_dir());
    static struct golden_ctx g[3];
    size_t ng = golden_load(path, g, 3);
    CHECK_EQ(ng, 3); /* thread 0, thread 1, then the exception context */
    CHECK_EQ(tdump_thread_count(&d), 2);
    for (size_t i = 0; i < ng; i++) {
        struct tctx c;
        uint64_t addr = 0;
        bool ok = i < 2 ? tdump_thread(&d, i, &c) : tdump_exception(&d, &addr, &c);
        CHECK(ok);
        if (!ok)
            continue;
        struct regset rs;
        CHECK_OK(arch_x86.context_decode(c.raw, c.size, &rs));
        check_against_golden(&rs, &g[i]);
        free(c.raw);
    }
    free(d.data);
}

TEST(arch_x86_minidump2_r_layout)
{
    struct tdump d;
    if (!tdump_load("user/google-breakpad/minidump2.dmp", &d))
        return;
    struct tctx c;
    uint64_t addr = 0;
    CHECK(tdump_exception(&d, &addr, &c));
    struct regset rs;
    CHECK_OK(arch_x86.context_decode(c.raw, c.size, &rs));
    /* The golden's exception context (eax=0x45 ... eflags=0x10246) in WinDbg's layout. */
    char *text = capture_regs(&rs);
    CHECK_STR(text,
              "eax=00000045 ebx=7c80abc1 ecx=0012fe94 edx=0042bc58 esi=00000002 edi=00000a28\n"
              "eip=0040429e esp=0012fe84 ebp=0012fe88 iopl=0         nv up ei pl zr na pe nc\n"
              "cs=001b  ss=0023  ds=0023  es=0023  fs=003b  gs=0000             efl=00010246\n");
    free(text);
    CHECK_EQ(reg(&rs, "zf"), 1);
    CHECK_EQ(reg(&rs, "pf"), 1);
    CHECK_EQ(reg(&rs, "if"), 1);
    CHECK_EQ(reg(&rs, "cf"), 0);
    CHECK_EQ(reg(&rs, "iopl"), 0);
    CHECK_EQ(reg(&rs, "al"), 0x45);
    CHECK_EQ(reg(&rs, "bh"), 0xab);
    CHECK_EQ(reg(&rs, "cx"), 0xfe94);
    free(c.raw);
    free(d.data);
}

/* symbolicator's golden lists the registers of windows.dmp's four threads. */
TEST(arch_x86_symbolicator_windows_dmp)
{
    static const struct {
        uint32_t tid;
        uint32_t eax, ebp, ebx, ecx, edi, edx, eflags, eip, esi, esp;
    } want[] = {
        {1636, 0x0, 0x10ff670, 0xfe5000, 0x10ff670, 0x13bfd78, 0x7, 0x10246, 0x2a2a3d, 0x759c6314,
         0x10ff644},
        {3580, 0x0, 0x159faa4, 0x13b0990, 0x0, 0x13b4af0, 0x0, 0x216, 0x771e016c, 0x13b4930,
         0x159f900},
        {2600, 0x0, 0x169fb98, 0x13b0990, 0x0, 0x13b7c28, 0x0, 0x202, 0x771e016c, 0x13b7a68,
         0x169f9f4},
        {2920, 0x0, 0x179f2b8, 0x17b1aa0, 0x0, 0x17b1a90, 0x0, 0x206, 0x771df3dc, 0x2cc, 0x179f2ac},
    };
    struct tdump d;
    if (!tdump_load("user/getsentry-symbolicator/windows.dmp", &d))
        return;
    struct tctx exc;
    uint64_t addr = 0;
    CHECK(tdump_exception(&d, &addr, &exc));
    CHECK_EQ(tdump_thread_count(&d), 4);
    for (size_t i = 0; i < 4; i++) {
        struct tctx c;
        if (!tdump_thread(&d, i, &c)) {
            CHECK(false);
            continue;
        }
        size_t k = 0;
        while (k < 4 && want[k].tid != c.tid)
            k++;
        CHECK(k < 4);
        if (k == 4) {
            free(c.raw);
            continue;
        }
        /* The crashing thread is reported with the exception's context. */
        const struct tctx *src = c.tid == exc.tid ? &exc : &c;
        struct regset rs;
        CHECK_OK(arch_x86.context_decode(src->raw, src->size, &rs));
        CHECK_EQ(reg(&rs, "eax"), want[k].eax);
        CHECK_EQ(reg(&rs, "ebp"), want[k].ebp);
        CHECK_EQ(reg(&rs, "ebx"), want[k].ebx);
        CHECK_EQ(reg(&rs, "ecx"), want[k].ecx);
        CHECK_EQ(reg(&rs, "edi"), want[k].edi);
        CHECK_EQ(reg(&rs, "edx"), want[k].edx);
        CHECK_EQ(reg(&rs, "efl"), want[k].eflags);
        CHECK_EQ(reg(&rs, "eip"), want[k].eip);
        CHECK_EQ(reg(&rs, "esi"), want[k].esi);
        CHECK_EQ(reg(&rs, "esp"), want[k].esp);
        free(c.raw);
    }
    CHECK_EQ(exc.tid, 1636);
    free(exc.raw);
    free(d.data);
}

/* MANIFEST: the exception address of each x64 dump equals rip of its exception context. */
TEST(arch_x64_exception_rip_matches_manifest)
{
    static const struct {
        const char *file;
        uint64_t rip;
    } dumps[] = {
        {"user/google-breakpad/tiny-exe-fastfail.dmp", 0x7ff75355af42ULL},
        {"user/electron-node-minidump/windows.dmp", 0x7ff7215f8da4ULL},
    };
    for (size_t i = 0; i < 2; i++) {
        struct tdump d;
        if (!tdump_load(dumps[i].file, &d))
            return;
        struct tctx c;
        uint64_t addr = 0;
        CHECK(tdump_exception(&d, &addr, &c));
        CHECK_EQ(addr, dumps[i].rip);
        struct regset rs;
        CHECK_OK(arch_x64.context_decode(c.raw, c.size, &rs));
        CHECK_EQ(regset_slot(&rs, arch_x64.pc_slot), dumps[i].rip);
        CHECK_EQ(reg(&rs, "rip"), dumps[i].rip);
        CHECK_EQ(reg(&rs, "eip"), dumps[i].rip & 0xffffffff);
        CHECK_EQ(reg(&rs, "cs"), 0x33); /* user-mode 64-bit code selector */
        /* The block has WinDbg's eight lines, rip in the third. */
        char *text = capture_regs(&rs);
        char ripline[64];
        snprintf(ripline, sizeof(ripline), "\nrip=%016llx rsp=", (unsigned long long)dumps[i].rip);
        CHECK(text && strstr(text, ripline));
        size_t lines = 0;
        for (const char *p = text; p && *p; p++)
            lines += *p == '\n';
        CHECK_EQ(lines, 8);
        CHECK(text && strncmp(text, "rax=", 4) == 0 && strstr(text, "\n r8=") &&
              strstr(text,
                     "\ncs=0033  ss=002b  ds=002b  es=002b  fs=0053  gs=002b             efl="));
        free(text);
        free(c.raw);
        free(d.data);
    }
}

/*
 * tiny-exe-with-cet-xsave.dmp (header flags MiniDumpWithAvxXStateContext): the thread
 * CONTEXT is followed by a CONTEXT_EX whose compacted XSAVE area (XCOMP_BV = bit 63 |
 * bit 11) holds only CET_U: IA32_U_CET = 1, IA32_PL3_SSP = 0xcbc83fefc8.
 */
TEST(arch_x64_cet_xsave_shadow_stack)
{
    struct tdump d;
    if (!tdump_load("user/google-breakpad/tiny-exe-with-cet-xsave.dmp", &d))
        return;
    struct tctx c;
    CHECK(tdump_thread(&d, 0, &c));
    CHECK(c.size > 0x4d0);
    struct regset rs;
    CHECK_OK(arch_x64.context_decode(c.raw, c.size, &rs));
    CHECK(rs.has_ssp);
    CHECK_EQ(rs.ssp, 0xcbc83fefc8ULL);
    CHECK_EQ(reg(&rs, "ssp"), 0xcbc83fefc8ULL);
    CHECK_EQ(rs.vec_upper_valid, 0); /* no AVX component in this area */
    CHECK_EQ(rs.vec_valid, 0xffff);
    free(c.raw);
    free(d.data);
}

/*
 * sentry's minidump.dmp: thread contexts carry AVX (init state) + CET_U; the exception
 * context's CONTEXT_EX claims an XSAVE area running past the 0x67f bytes stored.
 */
TEST(arch_x64_xstate_stays_in_bounds)
{
    struct tdump d;
    if (!tdump_load("user/getsentry-sentry-desktop-crash-reporter/minidump.dmp", &d))
        return;
    struct tctx c;
    CHECK(tdump_thread(&d, 0, &c));
    struct regset rs;
    CHECK_OK(arch_x64.context_decode(c.raw, c.size, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0xffff);
    for (size_t i = 0; i < 16; i++)
        for (size_t b = 16; b < 32; b++)
            CHECK_EQ(rs.vec[i][b], 0);
    CHECK(rs.has_ssp);
    CHECK_EQ(rs.ssp, 0);
    free(c.raw);

    uint64_t addr = 0;
    CHECK(tdump_exception(&d, &addr, &c));
    CHECK_OK(arch_x64.context_decode(c.raw, c.size, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0);
    CHECK_EQ(reg(&rs, "rip"), addr);
    free(c.raw);
    free(d.data);
}

/*
 * windows-aarch64.dmp: MOZ_CRASH brk at 0x7ffed46446f8 (MANIFEST, .extra crash address);
 * the .extra StackTraces frame 1 (0x7ffed464466c) is the caller: lr - 4.
 */
TEST(arch_arm64_firefox_dump)
{
    struct tdump d;
    if (!tdump_load("user/mozilla-minidump-stackwalk/windows-aarch64.dmp", &d))
        return;
    struct tctx c;
    uint64_t addr = 0;
    CHECK(tdump_exception(&d, &addr, &c));
    CHECK_EQ(addr, 0x7ffed46446f8ULL);
    CHECK_EQ(c.size, ARM64_CONTEXT_SIZE);
    struct regset rs;
    CHECK_OK(arch_arm64.context_decode(c.raw, c.size, &rs));
    CHECK_EQ(reg(&rs, "pc"), 0x7ffed46446f8ULL);
    CHECK_EQ(reg(&rs, "lr") - 4, 0x7ffed464466cULL);
    CHECK_EQ(reg(&rs, "x30"), reg(&rs, "lr"));
    CHECK(reg(&rs, "sp") < reg(&rs, "fp")); /* the frame record sits above sp */
    CHECK_EQ(rs.vec_valid, 0xffffffffu);
    char *text = capture_regs(&rs);
    CHECK(text && strstr(text, "\n pc=00007ffed46446f8  psr="));
    CHECK(text && strncmp(text, " x0=", 4) == 0);
    size_t lines = 0;
    for (const char *p = text; p && *p; p++)
        lines += *p == '\n';
    CHECK_EQ(lines, 9);
    free(text);
    free(c.raw);
    free(d.data);
}

/* Every prefix of real contexts decodes without reading past its end (run under ASan). */
TEST(arch_truncated_real_contexts)
{
    static const struct {
        const char *file;
        const struct arch_ops *arch;
    } dumps[] = {
        {"user/google-breakpad/minidump2.dmp", &arch_x86},
        {"user/google-breakpad/tiny-exe-with-cet-xsave.dmp", &arch_x64},
        {"user/getsentry-sentry-desktop-crash-reporter/minidump.dmp", &arch_x64},
    };
    for (size_t i = 0; i < 3; i++) {
        struct tdump d;
        if (!tdump_load(dumps[i].file, &d))
            return;
        struct tctx c;
        CHECK(tdump_thread(&d, 0, &c));
        for (size_t len = 0; len <= c.size; len++) {
            uint8_t *cut = malloc(len ? len : 1);
            memcpy(cut, c.raw, len);
            struct regset rs;
            struct dd_error *err = dumps[i].arch->context_decode(cut, len, &rs);
            dd_error_destroy(err);
            char *text = capture_regs(&rs);
            CHECK(text != NULL);
            free(text);
            free(cut);
        }
        free(c.raw);
        free(d.data);
    }
}
