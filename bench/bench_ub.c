/*
 * ub's backward search, quadratic (disasm_find_back) against linear (disasm_find_back_linear), on
 * a dump: bench_ub DUMP END COUNT. Prints both times and whether they agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/target.h"
#include "disasm/disasm.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_ub DUMP END COUNT\n");
        return 2;
    }
    struct target *t;
    struct dd_error *err = target_open(argv[1], &t);
    if (err) {
        fprintf(stderr, "%s\n", err->message);
        return 1;
    }
    uint64_t end = strtoull(argv[2], NULL, 16);
    unsigned count = (unsigned)strtoul(argv[3], NULL, 0);
    struct disasm_ctx c = {DD_CPU_X64, t, NULL, NULL};
    uint64_t fast = 0, slow = 0;
    double t0 = now();
    dd_error_destroy(disasm_find_back_linear(&c, end, count, &fast));
    double t1 = now();
    dd_error_destroy(disasm_find_back(&c, end, count, &slow));
    double t2 = now();
    printf("ub L0n%u: linear %.4f s, quadratic %.4f s, %s (start %llx)\n", count, t1 - t0, t2 - t1,
           fast == slow ? "same start" : "DIFFERENT", (unsigned long long)fast);
    target_destroy(t);
    return fast == slow ? 0 : 1;
}
