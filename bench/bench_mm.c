/*
 * bench_mm: how fast src/mm translates and reads kernel virtual addresses (issue 8,
 * "Performance": 100,000 random kernel addresses). Builds a synthetic x64 4-level space in a
 * flat buffer of "physical memory" (page tables + data pages, 4 KB pages), then times COUNT
 * translate+read(8 bytes) operations on random addresses:
 *   hit   the addresses fall in HOT pages (fewer than the 1,024 cache slots): mostly cache hits
 *   miss  the addresses spread over all PAGES mapped pages: mostly walks (4 entry reads each)
 *   cross 256-byte reads starting 128 bytes before a page end: two translations per read
 * The physical reader is a bounds-checked memcpy, as a mapped dump file would be.
 * A benchmark, not a test: it prints figures and never fails on them.
 *
 * Usage: bench_mm [-n COUNT] [-p PAGES] [-h HOT] [-s SEED]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm/mm.h"

struct flat {
    uint8_t *mem;
    uint64_t size;
    uint64_t reads;
};

static struct dd_error *flat_read(void *ctx, uint64_t pa, void *buf, size_t n, size_t *ret_read)
{
    struct flat *f = ctx;
    f->reads++;
    if (pa >= f->size) {
        *ret_read = 0;
        return dd_error_memory(pa);
    }
    size_t avail = (size_t)(f->size - pa) < n ? (size_t)(f->size - pa) : n;
    memcpy(buf, f->mem + pa, avail);
    *ret_read = avail;
    return avail == n ? NULL : dd_error_memory(pa + avail);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* splitmix64 (Steele, Lea, Flood 2014): the same sequence on every host. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#define VA_BASE 0xfffff80000000000ULL

static void run(const char *label, struct mm_space *sp, struct flat *f, uint64_t count,
                uint64_t pages, size_t len, uint64_t back, uint64_t seed)
{
    static uint8_t buf[4096];
    uint64_t state = seed, sum = 0, fails = 0;
    f->reads = 0;
    double t0 = now_ms();
    for (uint64_t i = 0; i < count; i++) {
        uint64_t r = rng_next(&state);
        /* A crossing read starts in one of the first PAGES - 1 pages, so its next page is mapped. */
        uint64_t page = back ? r % (pages - 1) : r % pages;
        uint64_t va = VA_BASE + page * 0x1000 + (back ? 0x1000 - back : (r >> 40) & 0xff8);
        size_t got = 0;
        struct dd_error *err = mm_space_read(sp, va, buf, len, &got);
        if (err) {
            fails++;
            dd_error_destroy(err);
        }
        sum += buf[0];
    }
    double ms = now_ms() - t0;
    printf("%-6s %9llu ops %9.2f ms %8.1f ns/op %12.0f ops/s  %5.2f phys reads/op  (fails %llu, sum %llu)\n",
           label, (unsigned long long)count, ms, ms * 1e6 / (double)count, (double)count / (ms / 1e3),
           (double)f->reads / (double)count, (unsigned long long)fails, (unsigned long long)sum);
}

int main(int argc, char **argv)
{
    uint64_t count = 100000, pages = 65536, hot = 512, seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        uint64_t v = strtoull(argv[i + 1], NULL, 0);
        if (strcmp(argv[i], "-n") == 0)
            count = v;
        else if (strcmp(argv[i], "-p") == 0)
            pages = v;
        else if (strcmp(argv[i], "-h") == 0)
            hot = v;
        else if (strcmp(argv[i], "-s") == 0)
            seed = v;
    }
    if (pages < 2 || pages > 262144 || hot < 1 || hot > pages) {
        fprintf(stderr, "bench_mm: -p 2..262144, -h 1..PAGES\n");
        return 2;
    }
    /* Layout: PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000, page tables from 0x4000 (one per
     * 512 pages), then the data pages. PTEs map page i to a scattered data page. */
    uint64_t npt = (pages + 511) / 512;
    if (npt > 512) {
        fprintf(stderr, "bench_mm: at most 512 page tables (262,144 pages)\n");
        return 2;
    }
    uint64_t data0 = 0x4000 + npt * 0x1000;
    struct flat f = {.size = data0 + pages * 0x1000};
    f.mem = calloc(1, (size_t)f.size);
    if (!f.mem)
        return 1;
    put64(f.mem + 0x1000 + ((VA_BASE >> 39) & 0x1ff) * 8, 0x2000 | 0x63);
    put64(f.mem + 0x2000 + ((VA_BASE >> 30) & 0x1ff) * 8, 0x3000 | 0x63);
    for (uint64_t t = 0; t < npt; t++)
        put64(f.mem + 0x3000 + (((VA_BASE >> 21) & 0x1ff) + t) * 8, (0x4000 + t * 0x1000) | 0x63);
    for (uint64_t p = 0; p < pages; p++) {
        uint64_t target = (p * 40503u) % pages; /* scattered: a permutation when PAGES is coprime with 40503 (= 3 x 13501) */
        put64(f.mem + 0x4000 + p * 8, (data0 + target * 0x1000) | 0x63);
        f.mem[data0 + target * 0x1000] = (uint8_t)p;
    }
    struct mm_space *sp = NULL;
    if (mm_space_create(MM_PAGING_X64, 0x1000, flat_read, &f, &sp))
        return 1;
    printf("bench_mm: x64 4-level, %llu mapped pages (%.1f MB), %llu hot pages, cache 1024 slots\n",
           (unsigned long long)pages, (double)pages * 4096 / 1048576.0, (unsigned long long)hot);
    run("hit", sp, &f, count, hot, 8, 0, seed);
    run("miss", sp, &f, count, pages, 8, 0, seed + 1);
    run("cross", sp, &f, count, pages, 256, 128, seed + 2);
    mm_space_destroy(sp);
    free(f.mem);
    return 0;
}
