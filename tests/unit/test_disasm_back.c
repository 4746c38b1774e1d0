/*
 * ub's backward search (src/disasm/disasm_back.c) against instruction boundaries from an
 * independent disassembler: tests/fixtures/disasm/crash_null_write.boundaries lists every
 * instruction llvm-objdump-16 decodes in .text of tests/fixtures/dumps/crash_null_write.exe.
 * The linear search must give disasm_find_back's answer everywhere (it replaces it in `ub`),
 * and that answer must be llvm-objdump's boundary COUNT instructions back for nearly every
 * boundary (a backward search is a heuristic: alignment padding can hide the true start).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "check.h"
#include "core/memmap.h"
#include "core/target.h"
#include "disasm/disasm.h"

static struct dd_error *back_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops back_ops = {.read_virtual = back_read};

/* Reads the whole file at PATH; NULL when it cannot. */
static uint8_t *read_file(const char *path, size_t *ret_size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *p = realloc(data, cap);
            if (!p)
                break;
            data = p;
        }
        size_t n = fread(data + size, 1, cap - size, f);
        if (n == 0)
            break;
        size += n;
    }
    fclose(f);
    *ret_size = size;
    return data;
}

/* Maps the sections of the PE image in FILE at their virtual addresses (PE/COFF: e_lfanew at
 * 0x3c, the file header's section count and optional header size, 40-byte section headers). */
static bool map_image(struct dd_memmap *m, const uint8_t *file, size_t size, uint64_t base)
{
    if (size < 0x40)
        return false;
    uint32_t pe = dd_le32(file + 0x3c);
    if ((uint64_t)pe + 24 > size)
        return false;
    unsigned nsec = dd_le16(file + pe + 6);
    unsigned opt = dd_le16(file + pe + 20);
    uint64_t sec = (uint64_t)pe + 24 + opt;
    for (unsigned i = 0; i < nsec; i++, sec += 40) {
        if (sec + 40 > size)
            return false;
        uint32_t va = dd_le32(file + sec + 12), raw_size = dd_le32(file + sec + 16);
        uint32_t raw = dd_le32(file + sec + 20);
        if ((uint64_t)raw + raw_size > size || raw_size == 0)
            continue;
        if (dd_memmap_add(m, base + va, raw_size, file + raw))
            return false;
    }
    return !dd_memmap_finish(m);
}

TEST(disasm_back_linear_matches_objdump)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/dumps/crash_null_write.exe", check_fixtures_dir());
    size_t size = 0;
    uint8_t *file = read_file(path, &size);
    CHECK(file != NULL);
    snprintf(path, sizeof(path), "%s/disasm/crash_null_write.boundaries", check_fixtures_dir());
    FILE *bf = fopen(path, "r");
    CHECK(bf != NULL);
    if (!file || !bf) {
        free(file);
        if (bf)
            fclose(bf);
        return;
    }
    uint64_t *bound = malloc(4096 * sizeof(*bound));
    size_t nb = 0;
    unsigned long long a;
    while (bound && nb < 4096 && fscanf(bf, "%llx", &a) == 1)
        bound[nb++] = a;
    fclose(bf);
    CHECK(nb > 1000);

    struct target t;
    memset(&t, 0, sizeof(t));
    t.ops = &back_ops;
    t.sys.cpu = DD_CPU_X64;
    dd_memmap_init(&t.memory);
    CHECK(map_image(&t.memory, file, size, 0x140000000ULL));
    struct disasm_ctx c = {DD_CPU_X64, &t, NULL, NULL};

    /* The fixture's own example (test_disasm.c): lea, call, mov before the fault. */
    uint64_t start = 0;
    CHECK_OK(disasm_find_back_linear(&c, 0x140001569, 3, &start));
    CHECK_EQ(start, 0x140001558ULL);

    static const unsigned counts[] = {1, 2, 3, 5, 8, 20};
    size_t checked = 0, agree = 0, same = 0, compared = 0;
    for (size_t i = 1; bound && i < nb; i++) {
        for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
            unsigned n = counts[k];
            if (n > i)
                continue;
            uint64_t fast = 0, slow = 0;
            CHECK_OK(disasm_find_back_linear(&c, bound[i], n, &fast));
            checked++;
            agree += fast == bound[i - n];
            /* The quadratic search is slow: compare with it at every 16th boundary. */
            if (i % 16 == 0) {
                CHECK_OK(disasm_find_back(&c, bound[i], n, &slow));
                compared++;
                same += fast == slow;
            }
        }
    }
    /* Same answers as the quadratic search everywhere; llvm-objdump's for 95% or more. */
    CHECK_EQ(same, compared);
    CHECK(agree * 100 >= checked * 95);
    printf("  ub boundaries: %zu of %zu agree with llvm-objdump\n", agree, checked);
    dd_memmap_deinit(&t.memory);
    free(bound);
    free(file);
}
