/*
 * bench_kdmp: how fast the kernel-dump reader opens a large bitmap dump and answers virtual reads
 * (issue 8, "Performance"). Times target_open (which indexes the page bitmap without reading any
 * page), then COUNT reads of 8 bytes at random 8-aligned addresses in [VA_BASE, VA_BASE+VA_SIZE),
 * each one a page-table walk plus a bitmap rank lookup, and reports the peak RSS.
 * This is a benchmark, not a test: it prints figures and never fails on them.
 *
 * Usage: bench_kdmp [-n COUNT] [-s SEED] DUMP VA_BASE VA_SIZE
 *        bench_kdmp -E FILE     (only drop FILE's pages from the page cache)
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/target.h"
#include "dump/kdmp/kdmp.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* splitmix64 (Steele, Lea, Flood 2014): a seeded generator, the same sequence on every host. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static long maxrss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int drop_cache(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    return rc != 0;
}

int main(int argc, char **argv)
{
    unsigned long count = 100000;
    uint64_t seed = 1;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:E:")) != -1) {
        switch (opt) {
        case 'n':
            count = strtoul(optarg, NULL, 0);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 0);
            break;
        case 'E':
            return drop_cache(optarg);
        default:
            fprintf(stderr, "usage: bench_kdmp [-n COUNT] [-s SEED] DUMP VA_BASE VA_SIZE\n"
                            "       bench_kdmp -E FILE\n");
            return 2;
        }
    }
    if (argc - optind != 3) {
        fprintf(stderr, "usage: bench_kdmp [-n COUNT] [-s SEED] DUMP VA_BASE VA_SIZE\n");
        return 2;
    }
    const char *path = argv[optind];
    uint64_t base = strtoull(argv[optind + 1], NULL, 0);
    uint64_t span = strtoull(argv[optind + 2], NULL, 0);
    long rss0 = maxrss_kb();
    double t0 = now_ms();
    struct target *t = NULL;
    struct dd_error *err = target_open(path, &t);
    double t_open = now_ms() - t0;
    if (err) {
        fprintf(stderr, "bench_kdmp: %s\n", err->message);
        dd_error_destroy(err);
        return 1;
    }
    const struct kdmp_file *f = kdmp_file_of(t);
    printf("dump                      %s (%.1f GB file)\n", path, t->file.size / 1073741824.0);
    if (f && f->memory == KDMP_MEMORY_BITMAP)
        printf("pages indexed             %" PRIu64 " of %" PRIu64 " (bitmap)\n",
               f->bitmap.present_pages, f->bitmap.nbits);
    printf("open                      %8.2f ms\n", t_open);
    printf("peak RSS after open       %8.1f MB (+%.1f MB)\n", maxrss_kb() / 1024.0,
           (maxrss_kb() - rss0) / 1024.0);
    /* Twice over the same addresses: the second pass finds the file pages already mapped, so
       it measures translation and lookup without the page faults. */
    for (int pass = 0; pass < 2; pass++) {
        uint64_t state = seed, sum = 0;
        unsigned long failed = 0;
        t0 = now_ms();
        for (unsigned long i = 0; i < count; i++) {
            uint64_t va = base + (rng_next(&state) % (span / 8)) * 8;
            uint8_t buf[8];
            size_t got;
            err = target_read(t, va, buf, sizeof(buf), &got);
            if (err) {
                failed++;
                dd_error_destroy(err);
                continue;
            }
            sum += buf[0];
        }
        double ms = now_ms() - t0;
        printf("%lu random reads, %s %8.2f ms (%.0f ns each; %lu failed; checksum %" PRIu64 ")\n",
               count, pass ? "again:" : "first:", ms, ms * 1e6 / (double)(count ? count : 1),
               failed, sum);
    }
    printf("peak RSS after reads      %8.1f MB\n", maxrss_kb() / 1024.0);
    target_destroy(t);
    return 0;
}
