/*
 * ARM64 and ARM (Thumb-2) disassembly with Capstone in WinDbg's layout. The expected lines in
 * tests/fixtures/disasm/ (the .u files) come from llvm-objdump-16's decoding of the same bytes (instruction
 * boundaries, mnemonics, operands, branch targets) put into WinDbg's ARM layout by
 * tests/fixtures/gen/arm_disasm_expect.py (which names the WinDbg samples each rule comes from):
 * clang-built code from the unwinder fixtures and the xul.dll code the corpus's
 * windows-aarch64.dmp holds (read here through dumpdbg's own dump reader, as `u` reads it).
 * The hand-written cases below check the layout facts from real WinDbg output directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "core/target.h"
#include "disasm/arm64_disasm.h"
#include "disasm/arm_disasm.h"
#include "disasm/disasm.h"
#include "dump/dump.h"
#include "pe/pe_image.h"
#include "check.h"

/* Decodes BYTES (LEN) at ADDR with CPU's backend and formats the `u` line into LINE. */
static unsigned decode_line(enum dd_cpu cpu, const uint8_t *bytes, size_t len, uint64_t addr,
                            struct disasm_insn *in, char *line, size_t llen)
{
    struct disasm_ctx c = {cpu, NULL, NULL, NULL};
    memset(in, 0, sizeof(*in));
    in->addr = addr;
    memcpy(in->bytes, bytes, len < DISASM_MAX_BYTES ? len : DISASM_MAX_BYTES);
    if (cpu == DD_CPU_ARM64)
        arm64_disasm_decode(&c, bytes, len, addr, in);
    else
        arm_disasm_decode(&c, bytes, len, addr, in);
    disasm_line_format(&c, in, line, llen);
    return in->size;
}

/* As decode_line for Thumb, with BEFORE bytes of context before BYTES (IT blocks). */
static unsigned decode_thumb_in_context(const uint8_t *bytes, size_t before, size_t len,
                                        uint64_t addr, struct disasm_insn *in, char *line,
                                        size_t llen)
{
    struct disasm_ctx c = {DD_CPU_ARM, NULL, NULL, NULL};
    memset(in, 0, sizeof(*in));
    in->addr = addr;
    memcpy(in->bytes, bytes, len < DISASM_MAX_BYTES ? len : DISASM_MAX_BYTES);
    arm_disasm_decode_in_context(&c, bytes, before, len, addr, in);
    disasm_line_format(&c, in, line, llen);
    return in->size;
}

/* Compares every line of fixture .u file NAME with the decoding of BYTES (the file's range). */
static size_t compare_file(const char *name, enum dd_cpu cpu, const uint8_t *bytes, size_t n,
                           uint64_t vma, size_t *ret_mismatch)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/disasm/%s", check_fixtures_dir(), name);
    FILE *fp = fopen(path, "r");
    CHECK(fp != NULL);
    size_t lines = 0, bad = 0;
    if (!fp)
        return 0;
    uint64_t at = vma;
    char want[512], got[512];
    while (fgets(want, sizeof(want), fp)) {
        want[strcspn(want, "\n")] = 0;
        if (want[0] == '#' || !want[0])
            continue;
        lines++;
        if (at - vma >= n) {
            check_fail(__FILE__, __LINE__, "%s: more lines than bytes: %s", name, want);
            break;
        }
        struct disasm_insn in;
        size_t off = (size_t)(at - vma);
        if (cpu == DD_CPU_ARM)
            at += decode_thumb_in_context(bytes + off, off < 14 ? off : 14, n - off, at, &in, got,
                                          sizeof(got));
        else
            at += decode_line(cpu, bytes + off, n - off, at, &in, got, sizeof(got));
        if (strcmp(want, got) != 0) {
            bad++;
            check_fail(__FILE__, __LINE__, "%s:\n  want %s\n  got  %s", name, want, got);
        }
    }
    fclose(fp);
    *ret_mismatch = bad;
    return lines;
}

/* The .text bytes of fixture DLL NAME into ret (malloc'd); sets its address and size. */
static uint8_t *text_of(const char *name, uint64_t *ret_vma, size_t *ret_len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/unwind/%s", check_fixtures_dir(), name);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_file(path, &img));
    if (!img)
        return NULL;
    uint8_t *buf = NULL;
    for (size_t i = 0; i < img->nsections; i++) {
        if (strcmp(img->sections[i].name, ".text") != 0)
            continue;
        size_t len = img->sections[i].virtual_size;
        buf = malloc(len);
        CHECK_EQ(pe_image_read_rva(img, img->sections[i].virtual_address, buf, len), len);
        *ret_vma = img->base + img->sections[i].virtual_address;
        *ret_len = len;
    }
    pe_image_destroy(img);
    CHECK(buf != NULL);
    return buf;
}

TEST(disasm_arm64_clang_vs_llvm_objdump)
{
    uint64_t vma = 0;
    size_t len = 0, bad = 0;
    uint8_t *b = text_of("unwind_arm64_funcs.dll", &vma, &len);
    if (!b)
        return;
    size_t n = compare_file("arm64_unwind_funcs.u", DD_CPU_ARM64, b, len, vma, &bad);
    CHECK(n >= 700);
    free(b);
}

TEST(disasm_thumb_clang_vs_llvm_objdump)
{
    uint64_t vma = 0;
    size_t len = 0, bad = 0;
    uint8_t *b = text_of("unwind_arm_funcs.dll", &vma, &len);
    if (!b)
        return;
    size_t n = compare_file("arm_unwind_funcs.u", DD_CPU_ARM, b, len, vma, &bad);
    CHECK(n >= 400);
    free(b);
}

/* `u 00007ffe`d4644470 L0x122` on the corpus dump, through the target as the command reads it. */
TEST(disasm_arm64_corpus_windows_aarch64)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("corpus not found");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/mozilla-minidump-stackwalk/windows-aarch64.dmp", dir);
    struct target *t = NULL;
    CHECK_OK(dump_open(path, &t));
    if (!t)
        return;
    snprintf(path, sizeof(path), "%s/disasm/arm64_windows_aarch64_xul.u", check_fixtures_dir());
    FILE *fp = fopen(path, "r");
    CHECK(fp != NULL);
    struct disasm_ctx c = {DD_CPU_ARM64, t, NULL, NULL};
    uint64_t at = 0x7ffed4644470ull;
    char want[512], got[512];
    size_t lines = 0;
    while (fp && fgets(want, sizeof(want), fp)) {
        want[strcspn(want, "\n")] = 0;
        if (want[0] == '#' || !want[0])
            continue;
        struct disasm_insn in;
        CHECK_OK(disasm_decode(&c, at, &in));
        disasm_line_format(&c, &in, got, sizeof(got));
        if (strcmp(want, got) != 0)
            check_fail(__FILE__, __LINE__, "want %s\n  got  %s", want, got);
        at += in.size;
        lines++;
    }
    CHECK_EQ(lines, 0x488 / 4);
    /* Past the dump's bytes: the line says so and advances by one instruction. */
    struct disasm_insn in;
    CHECK_OK(disasm_decode(&c, 0x7ffed4644470ull + 0x488, &in));
    CHECK(in.missing);
    CHECK_EQ(in.size, 4);
    CHECK_STR(disasm_line_format(&c, &in, got, sizeof(got)), "00007ffe`d46448f8 ???????? ???");
    /* ub: fixed-size instructions end exactly at the address. */
    uint64_t start;
    CHECK_OK(disasm_find_back(&c, 0x7ffed4644490ull, 3, &start));
    CHECK_EQ(start, 0x7ffed4644484ull);
    if (fp)
        fclose(fp);
    target_destroy(t);
}

/* Layout facts from real WinDbg output, and flow kinds for uf. */
TEST(disasm_arm_windbg_layout)
{
    struct disasm_insn in;
    char line[256];
    const struct {
        enum dd_cpu cpu;
        uint64_t addr;
        const char *hex; /* little-endian bytes */
        const char *want;
        enum disasm_flow flow;
    } cases[] = {
        /* "00007ffb`1c3e2f80 d503237f pacibsp" (Capstone 4 lacks the name) */
        {DD_CPU_ARM64, 0x7ffb1c3e2f80ull, "7f2303d5", "00007ffb`1c3e2f80 d503237f pacibsp",
         DISASM_FLOW_NONE},
        /* dotnet/coreclr#5780: "00007ff8`4862e698 aa1503e0 mov         x0,x21" */
        {DD_CPU_ARM64, 0x7ff84862e698ull, "e00315aa", "00007ff8`4862e698 aa1503e0 mov         x0,x21",
         DISASM_FLOW_NONE},
        {DD_CPU_ARM64, 0x7ff84862e6a0ull, "1f000071", "00007ff8`4862e6a0 7100001f cmp         w0,#0",
         DISASM_FLOW_NONE},
        /* "stp         fp,lr,[sp,#-0x10]!" */
        {DD_CPU_ARM64, 0x1000, "fd7bbfa9", "00000000`00001000 a9bf7bfd stp         fp,lr,[sp,#-0x10]!",
         DISASM_FLOW_NONE},
        {DD_CPU_ARM64, 0x1000, "c0035fd6", "00000000`00001000 d65f03c0 ret", DISASM_FLOW_RET},
        {DD_CPU_ARM64, 0x1000, "ff0f5fd6", "00000000`00001000 d65f0fff retab", DISASM_FLOW_RET},
        {DD_CPU_ARM64, 0x1000, "00003ed4", "00000000`00001000 d43e0000 brk         #0xF000",
         DISASM_FLOW_NONE},
        {DD_CPU_ARM64, 0x1000, "01000054", "00000000`00001000 54000001 b.ne        00000000`00001000",
         DISASM_FLOW_COND},
        /* "8107b3fc defe     __debugbreak" */
        {DD_CPU_ARM, 0x8107b3fc, "fede", "8107b3fc defe     __debugbreak", DISASM_FLOW_NONE},
        /* dumpbin: "E92D 4800 push {r11,lr}", "46EB mov r11,sp", "B084 sub sp,sp,#0x10",
         * "F24C 1C04 mov r12,#0xC104", "F8DC F000 ldr pc,[r12]", "E8BD 8FFE pop {r1-r11,pc}" */
        {DD_CPU_ARM, 0x004022e8, "2de90048", "004022e8 e92d 4800 push        {r11,lr}", DISASM_FLOW_NONE},
        {DD_CPU_ARM, 0x004022ec, "eb46", "004022ec 46eb     mov         r11,sp", DISASM_FLOW_NONE},
        {DD_CPU_ARM, 0x004022ee, "84b0", "004022ee b084     sub         sp,sp,#0x10", DISASM_FLOW_NONE},
        {DD_CPU_ARM, 0x004022dc, "4cf2041c", "004022dc f24c 1c04 mov         r12,#0xC104",
         DISASM_FLOW_NONE},
        {DD_CPU_ARM, 0x004022e4, "dcf800f0", "004022e4 f8dc f000 ldr         pc,[r12]", DISASM_FLOW_JUMP},
        {DD_CPU_ARM, 0x0040337a, "bde8fe8f", "0040337a e8bd 8ffe pop         {r1-r11,pc}", DISASM_FLOW_RET},
        /* "F000 FA34 bl 0040275C", "D1FB bne 004033A0", "4B29 ldr r3,004023A0" */
        {DD_CPU_ARM, 0x004022f0, "00f034fa", "004022f0 f000 fa34 bl          0040275c", DISASM_FLOW_CALL},
        {DD_CPU_ARM, 0x004033a6, "fbd1", "004033a6 d1fb     bne         004033a0", DISASM_FLOW_COND},
        {DD_CPU_ARM, 0x004022f8, "294b", "004022f8 4b29     ldr         r3,004023a0", DISASM_FLOW_NONE},
        {DD_CPU_ARM, 0x1000, "7047", "00001000 4770     bx          lr", DISASM_FLOW_RET},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t b[4];
        size_t n = strlen(cases[i].hex) / 2;
        for (size_t k = 0; k < n; k++)
            sscanf(cases[i].hex + 2 * k, "%2hhx", &b[k]);
        decode_line(cases[i].cpu, b, n, cases[i].addr, &in, line, sizeof(line));
        CHECK_STR(line, cases[i].want);
        CHECK_EQ(in.flow, cases[i].flow);
    }
    /* bl's target for uf. */
    uint8_t bl[4] = {0x00, 0xf0, 0x34, 0xfa};
    decode_line(DD_CPU_ARM, bl, 4, 0x004022f0, &in, line, sizeof(line));
    CHECK(in.has_target);
    CHECK_EQ(in.target, 0x0040275c);
    /* A literal load's memory operand: Align(pc+4, 4) + 0xa4. */
    uint8_t lit[2] = {0x29, 0x4b};
    decode_line(DD_CPU_ARM, lit, 2, 0x004022f8, &in, line, sizeof(line));
    CHECK(in.mem.present);
    CHECK_EQ(in.mem.disp, 0x004023a0);
    CHECK_EQ(in.mem.size, 4);
    /* A cut-short 32-bit Thumb instruction is missing, not invalid. */
    decode_line(DD_CPU_ARM, bl, 2, 0x004022f0, &in, line, sizeof(line));
    CHECK(in.missing);
}

/* Any bytes decode to a bounded line: every Thumb halfword and a spread of 32-bit words. */
TEST(disasm_arm_any_bytes)
{
    struct disasm_insn in;
    char line[512];
    uint32_t x = 0x12345678u;
    for (uint32_t i = 0; i < 0x10000u; i += 3) {
        x = x * 1103515245u + 12345u;
        uint8_t b[18] = {0};
        for (size_t k = 0; k < sizeof(b); k++)
            b[k] = (uint8_t)(x >> (8 * (k % 4))) ^ (uint8_t)k;
        b[14] = (uint8_t)i;
        b[15] = (uint8_t)(i >> 8);
        b[10] = 0x3c; /* an IT block a few bytes back now and then */
        b[11] = (i & 7) == 0 ? 0xbf : b[11];
        decode_thumb_in_context(b + 14, 14, 4, 0x10000000u + 14, &in, line, sizeof(line));
        CHECK(in.size == 2 || in.size == 4);
        CHECK(strlen(line) < sizeof(line) - 1);
        uint8_t w[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
        decode_line(DD_CPU_ARM64, w, 4, 0x7ff600001000ull, &in, line, sizeof(line));
        CHECK_EQ(in.size, 4);
        CHECK(strlen(line) < sizeof(line) - 1);
    }
}
