/*
 * bench_pdb: how fast the PDB reader answers "which function and line is this address" on a large
 * PDB (issue 3, "Performance"). Times opening the PDB plus the first lookup, then COUNT lookups of
 * random addresses spread over the image's code sections, with pdb_find_symbol and with
 * pdb_find_line, and reports the peak RSS at both points so it can be held against the file size.
 * This is a benchmark, not a test: it prints figures and never fails on them.
 *
 * Usage: bench_pdb [-n COUNT] [-s SEED] [-a RVA] [-1] [-c] PDB
 *        bench_pdb -E FILE      (only drop FILE's pages from the page cache)
 *        bench_pdb -G PDB       (print a random code address in no section contribution)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pdb/pdb.h"

/* IMAGE_SECTION_HEADER.Characteristics (winnt.h): IMAGE_SCN_CNT_CODE, IMAGE_SCN_MEM_EXECUTE. */
#define SCN_CNT_CODE 0x00000020u
#define SCN_MEM_EXECUTE 0x20000000u

#define MAX_RANGES 64

struct code_range {
    uint32_t rva;
    uint32_t size;
};

struct code_map {
    struct code_range r[MAX_RANGES];
    uint32_t n;
    uint64_t total;
};

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

/* Memory figures at one point: getrusage's peak, and where Linux has them, the anonymous pages
 * (heap) from /proc/self/status and the resident pages of the PDB's own mapping from
 * /proc/self/smaps: the pages of the file that the reader touched. */
struct mem_sample {
    long maxrss_kb;
    long anon_kb; /* -1 when unknown */
    long pdb_kb;  /* -1 when unknown */
};

static long status_kb(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Sums the Rss of every mapping of the file PATH (a real path) in /proc/self/smaps. */
static long smaps_file_kb(const char *path)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[4096];
    long kb = 0;
    int in_file = 0;
    while (fgets(line, sizeof(line), f)) {
        /* A mapping header starts with "lo-hi perms"; its path is the last field. */
        if (strchr(line, '-') && strchr(line, ' ') && strchr(line, '-') < strchr(line, ' ')) {
            line[strcspn(line, "\n")] = 0;
            size_t n = strlen(line), k = strlen(path);
            in_file = n >= k && strcmp(line + n - k, path) == 0;
        } else if (in_file && strncmp(line, "Rss:", 4) == 0) {
            kb += strtol(line + 4, NULL, 10);
        }
    }
    fclose(f);
    return kb;
}

static void mem_sample_take(const char *real_path, struct mem_sample *ret)
{
    struct rusage ru;
    struct mem_sample m = {.maxrss_kb = -1, .anon_kb = -1, .pdb_kb = -1};
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        m.maxrss_kb = ru.ru_maxrss; /* kilobytes on Linux */
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char text[4096];
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        text[n] = 0;
        fclose(f);
        m.anon_kb = status_kb(text, "\nRssAnon:");
    }
    if (real_path)
        m.pdb_kb = smaps_file_kb(real_path);
    *ret = m;
}

static void mem_sample_print(const char *label, const struct mem_sample *m,
                             const struct mem_sample *base, uint64_t file_size)
{
    printf("%-28s %8.1f MB  (+%.1f MB since before open)\n", label, m->maxrss_kb / 1024.0,
           (m->maxrss_kb - base->maxrss_kb) / 1024.0);
    if (m->pdb_kb >= 0)
        printf("%-28s %8.1f MB  (%.2f%% of the file)\n", "  PDB pages mapped in",
               m->pdb_kb / 1024.0, 100.0 * (double)m->pdb_kb * 1024.0 / (double)file_size);
    if (m->anon_kb >= 0)
        printf("%-28s %8.1f MB  (+%.1f MB since before open)\n", "  heap (RssAnon)",
               m->anon_kb / 1024.0, (m->anon_kb - base->anon_kb) / 1024.0);
}

/* Drops PATH's cached pages so the next reader gets them from the disk (cold cache); works
 * without privileges for clean pages. Returns 0, or -1 with errno set. */
static int page_cache_evict(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

static struct dd_error *code_map_build(struct pdb *pdb, struct code_map *ret)
{
    const struct pdb_section_header *sh;
    uint32_t count;
    struct dd_error *err = pdb_section_headers_get(pdb, false, &sh, &count);
    if (err)
        return err;
    struct code_map map = {.n = 0};
    for (uint32_t i = 0; i < count && map.n < MAX_RANGES; i++) {
        if (!(sh[i].characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE)) || !sh[i].virtual_size)
            continue;
        map.r[map.n].rva = sh[i].virtual_address;
        map.r[map.n].size = sh[i].virtual_size;
        map.total += sh[i].virtual_size;
        map.n++;
    }
    if (!map.n)
        return dd_error_create(DD_ERR_NOT_FOUND, "no code section in the section headers");
    *ret = map;
    return NULL;
}

/* Picks an RVA uniformly over the code sections. */
static uint32_t code_map_pick(const struct code_map *map, uint64_t *rng)
{
    uint64_t at = rng_next(rng) % map->total;
    for (uint32_t i = 0; i < map->n; i++) {
        if (at < map->r[i].size)
            return map->r[i].rva + (uint32_t)at;
        at -= map->r[i].size;
    }
    return map->r[0].rva;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_pdb [-n COUNT] [-s SEED] [-a RVA] [-1] [-c] PDB\n"
                    "       bench_pdb -E FILE\n"
                    "       bench_pdb -G PDB\n"
                    "  -n COUNT  random addresses to resolve (default 100000)\n"
                    "  -s SEED   PRNG seed (default 1)\n"
                    "  -a RVA    first lookup at RVA (hex) instead of a random address\n"
                    "  -1        stop after open + first lookup (RSS of what that touched)\n"
                    "  -c        cold cache: drop the PDB's pages from the page cache first\n"
                    "  -E FILE   only drop FILE's pages from the page cache, then exit\n"
                    "  -G        print (hex) the first random address no section contribution\n"
                    "            holds (padding between functions), for -a\n");
}

struct counts {
    uint32_t procs, publics, missing;
    uint64_t checksum; /* keeps the results used */
};

static void count_symbol(struct counts *c, struct dd_error *err, const struct pdb_symbol *s)
{
    if (err) {
        c->missing++;
        dd_error_destroy(err);
        return;
    }
    if (s->source == PDB_SYMBOL_PROC)
        c->procs++;
    else
        c->publics++;
    c->checksum += s->rva + (unsigned char)s->name[0]; /* not the pointer: same sum every run */
}

static double lookups_symbols(struct pdb *pdb, const uint32_t *rvas, uint32_t n, struct counts *c)
{
    double t0 = now_ms();
    for (uint32_t i = 0; i < n; i++) {
        struct pdb_symbol s;
        count_symbol(c, pdb_find_symbol(pdb, rvas[i], &s), &s);
    }
    return now_ms() - t0;
}

static double lookups_lines(struct pdb *pdb, const uint32_t *rvas, uint32_t n, struct counts *c)
{
    double t0 = now_ms();
    for (uint32_t i = 0; i < n; i++) {
        struct pdb_line l;
        struct dd_error *err = pdb_find_line(pdb, rvas[i], &l);
        if (err) {
            c->missing++;
            dd_error_destroy(err);
            continue;
        }
        c->procs++;
        c->checksum += l.line + l.rva;
    }
    return now_ms() - t0;
}

static void print_rate(const char *label, uint32_t n, double ms, const struct counts *c,
                       const char *found)
{
    printf("%-28s %10.0f /s  (%u in %.1f ms; %u %s", label, ms > 0 ? n / (ms / 1e3) : 0.0, n, ms,
           c->procs, found);
    if (c->publics)
        printf(", %u publics only", c->publics);
    printf(", %u not found)\n", c->missing);
}

/* What the command line asked for. */
struct bench_opts {
    uint32_t count;
    uint64_t seed;
    int64_t first_rva; /* -1: random */
    bool first_only;   /* -1 */
    bool cold;         /* -c */
    bool find_gap;     /* -G */
};

/* Prints the first of the seeded random addresses that no section contribution holds (alignment
 * padding between two functions' contributions: only a public names it), so that a later run can
 * time a first lookup that takes that path. */
static int gap_find(struct pdb *pdb, const struct code_map *map, uint64_t rng)
{
    for (uint32_t i = 0; i < 1000000; i++) {
        uint32_t rva = code_map_pick(map, &rng), module;
        struct dd_error *err = pdb_module_find_by_rva(pdb, rva, &module);
        if (err && err->code == DD_ERR_NOT_FOUND) {
            dd_error_destroy(err);
            printf("%x\n", rva);
            return 0;
        }
        dd_error_destroy(err);
    }
    fprintf(stderr, "bench_pdb: every address tried is in a section contribution\n");
    return 1;
}

/* Runs the benchmark on PATH (REAL_PATH names its mapping in /proc/self/smaps, NULL when
 * unknown); returns the exit status. */
static int bench_run(const char *path, const char *real_path, const struct bench_opts *o)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "bench_pdb: %s: %s\n", path, strerror(errno));
        return 1;
    }
    uint64_t file_size = (uint64_t)st.st_size;
    if (o->cold && page_cache_evict(path) != 0)
        fprintf(stderr, "bench_pdb: cannot drop %s from the page cache; timing it warm\n", path);

    struct mem_sample m_start, m_first, m_end;
    mem_sample_take(real_path, &m_start);

    uint64_t rng = o->seed;
    double t0 = now_ms();
    struct pdb *pdb;
    struct dd_error *err = pdb_open(path, &pdb);
    if (err) {
        fprintf(stderr, "bench_pdb: %s\n", err->message);
        dd_error_destroy(err);
        return 1;
    }
    double t_open = now_ms() - t0;
    struct code_map map;
    err = code_map_build(pdb, &map);
    if (err) {
        fprintf(stderr, "bench_pdb: %s: %s\n", path, err->message);
        dd_error_destroy(err);
        pdb_destroy(pdb);
        return 1;
    }
    if (o->find_gap) {
        int rc = gap_find(pdb, &map, rng);
        pdb_destroy(pdb);
        return rc;
    }
    /* Reading the section headers is part of the first lookup: the address needs them anyway. */
    uint32_t first_rva = o->first_rva >= 0 ? (uint32_t)o->first_rva : code_map_pick(&map, &rng);
    struct pdb_symbol first_sym;
    struct dd_error *first_err = pdb_find_symbol(pdb, first_rva, &first_sym);
    double t_first = now_ms() - t0;
    struct pdb_line first_line;
    double t1 = now_ms();
    struct dd_error *first_line_err = pdb_find_line(pdb, first_rva, &first_line);
    double t_first_line = now_ms() - t1;
    mem_sample_take(real_path, &m_first);

    printf("%-28s %s\n", "PDB", path);
    printf("%-28s %8.1f MB  (%" PRIu64 " bytes)\n", "file size", file_size / 1048576.0, file_size);
    printf("%-28s %u modules, %u publics, %u code section(s), %.1f MB of code\n", "contents",
           pdb_module_count(pdb), pdb_publics_count(pdb), map.n, map.total / 1048576.0);
    printf("%-28s %s\n", "page cache", o->cold ? "cold (file evicted first)" : "warm");
    printf("%-28s %8.3f ms\n", "open", t_open);
    printf("%-28s %8.3f ms  (rva %08x -> %s)\n", "open + first lookup", t_first, first_rva,
           first_err ? first_err->message : first_sym.name);
    if (first_line_err)
        printf("%-28s %8.3f ms  (%s)\n", "first line lookup", t_first_line,
               first_line_err->message);
    else
        printf("%-28s %8.3f ms  (%s:%u)\n", "first line lookup", t_first_line, first_line.file,
               first_line.line);
    dd_error_destroy(first_err);
    dd_error_destroy(first_line_err);
    printf("%-28s %8.1f MB\n", "peak RSS before open", m_start.maxrss_kb / 1024.0);
    mem_sample_print("peak RSS after first lookup", &m_first, &m_start, file_size);
    if (o->first_only) {
        pdb_destroy(pdb);
        return 0;
    }

    uint32_t count = o->count;
    uint32_t *rvas = malloc((size_t)count * sizeof(*rvas));
    if (!rvas) {
        fprintf(stderr, "bench_pdb: out of memory\n");
        pdb_destroy(pdb);
        return 1;
    }
    for (uint32_t i = 0; i < count; i++)
        rvas[i] = code_map_pick(&map, &rng);

    /* The first pass loads every module it lands in; the second one runs on loaded indexes. */
    struct counts c1 = {0}, c2 = {0}, c3 = {0}, c4 = {0};
    double ms_sym1 = lookups_symbols(pdb, rvas, count, &c1);
    double ms_line1 = lookups_lines(pdb, rvas, count, &c2);
    double ms_sym2 = lookups_symbols(pdb, rvas, count, &c3);
    double ms_line2 = lookups_lines(pdb, rvas, count, &c4);
    mem_sample_take(real_path, &m_end);
    print_rate("symbol lookups, 1st pass", count, ms_sym1, &c1, "procedures");
    print_rate("line lookups, 1st pass", count, ms_line1, &c2, "lines");
    print_rate("symbol lookups, 2nd pass", count, ms_sym2, &c3, "procedures");
    print_rate("line lookups, 2nd pass", count, ms_line2, &c4, "lines");
    mem_sample_print("peak RSS at the end", &m_end, &m_start, file_size);
    printf("%-28s %016" PRIx64 "\n", "checksum",
           c1.checksum + c2.checksum + c3.checksum + c4.checksum);
    free(rvas);
    pdb_destroy(pdb);
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_opts o = {.count = 100000, .seed = 1, .first_rva = -1};
    int opt;
    while ((opt = getopt(argc, argv, "n:s:a:1cE:Gh")) != -1) {
        switch (opt) {
        case 'n':
            o.count = (uint32_t)strtoul(optarg, NULL, 0);
            break;
        case 's':
            o.seed = strtoull(optarg, NULL, 0);
            break;
        case 'a':
            o.first_rva = (int64_t)(strtoull(optarg, NULL, 16) & 0xffffffffu);
            break;
        case '1':
            o.first_only = true;
            break;
        case 'c':
            o.cold = true;
            break;
        case 'G':
            o.find_gap = true;
            break;
        case 'E':
            if (page_cache_evict(optarg) != 0) {
                fprintf(stderr, "bench_pdb: %s: %s\n", optarg, strerror(errno));
                return 1;
            }
            return 0;
        default:
            usage();
            return 2;
        }
    }
    if (optind + 1 != argc || !o.count) {
        usage();
        return 2;
    }
    const char *path = argv[optind];
    char *real_path = realpath(path, NULL);
    int rc = bench_run(path, real_path, &o);
    free(real_path);
    return rc;
}
