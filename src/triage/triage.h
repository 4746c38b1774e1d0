/*
 * Batch triage (`dumpdbg triage DUMP...`, `dumpdbg triage --batch DIR`): analyze many dumps, one
 * JSON line each (docs/json-schema.md "Triage records"). Each dump is analyzed in a process of
 * its own, forked from a pool of at most `jobs` at a time, so one dump that crashes, hangs or
 * exhausts memory costs only its own record, and memory is bounded by one dump per worker.
 */
#ifndef DD_TRIAGE_TRIAGE_H
#define DD_TRIAGE_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/error.h"

struct triage_options {
    const char *sympath;   /* symbol path (-y, else the environment's), NULL for none */
    const char *imagepath; /* image path (-i), NULL for none */
    unsigned jobs;         /* worker processes at once; 0: one per online CPU */
    bool sorted;           /* print records in the order of the paths, not as they finish */
    unsigned timeout_s;    /* a dump taking longer gets an error record; 0: no limit */
};

/* Counts of one run. */
struct triage_stats {
    size_t analyzed; /* records with status "ok" */
    size_t bad;      /* error records: unreadable dumps, crashed or timed-out workers */
};

/*
 * Analyzes the dump at PATH in this process and sets ret to its JSON record: one line, no
 * newline, malloc'd (caller frees). A dump that cannot be opened gets an error record; errors
 * only for lack of memory. Sets *ret_ok to whether the record has status "ok".
 */
struct dd_error *triage_record(const struct triage_options *o, const char *path, char **ret,
                               bool *ret_ok);

/*
 * Analyzes PATHS[0..N) with the worker pool and writes one record line per path to OUT (whole
 * lines, never interleaved), as they finish or, with o->sorted, in path order; sets ret.
 * Errors only when the pool cannot be run at all (no pipe, no fork at the first dump).
 */
struct dd_error *triage_run(const struct triage_options *o, char *const *paths, size_t n, FILE *out,
                            struct triage_stats *ret);

/*
 * Sets ret to the dump files under DIR, recursively (symbolic links to directories are not
 * followed), sorted by path: names ending in .dmp, .mdmp, .hdmp, .kdmp, optionally followed by
 * .xz, case-insensitively. ret and its strings are malloc'd (triage_paths_free). Errors when
 * DIR cannot be read; a subdirectory that cannot be read, or lies deeper than 64 levels below
 * DIR, is skipped with a line on standard error naming it.
 */
struct dd_error *triage_collect(const char *dir, char ***ret, size_t *ret_n);
/* Frees what triage_collect returned; NULL is a no-op. */
void triage_paths_free(char **paths, size_t n);

#endif
