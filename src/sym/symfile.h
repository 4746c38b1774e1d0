/*
 * Files in symbol stores: directory creation and atomic writes (a temporary file in the same
 * directory, fsync, rename), so an interrupted download or decompression never leaves a file
 * under its final name that a later session would trust.
 */
#ifndef DD_SYM_SYMFILE_H
#define DD_SYM_SYMFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* A temporary file that becomes FINAL_PATH on commit. */
struct symfile_temp {
    int fd;           /* -1 once closed */
    char *tmp_path;   /* FINAL_PATH.partial-PID-RAND, owned */
    char *final_path; /* owned copy */
};

/* Returns a new string "A/B" (no doubled '/'); NULL when out of memory. */
char *symfile_join(const char *a, const char *b);

/* Creates directory DIR and its missing parents; an existing directory is success. */
struct dd_error *symfile_mkdirs(const char *dir);

/* True when PATH names an existing regular file (symbolic links followed). */
bool symfile_is_file(const char *path);

/*
 * Creates FINAL_PATH's directory if needed and opens a new, empty temporary file
 * "FINAL_PATH.partial-PID-RAND" beside it; ret owns the file until commit or abort.
 */
struct dd_error *symfile_temp_open(const char *final_path, struct symfile_temp *ret);

/* Appends N bytes at DATA to T's temporary file. */
struct dd_error *symfile_temp_write(struct symfile_temp *t, const void *data, size_t n);

/*
 * Flushes T to disk and renames it onto its final path, then releases T. On error the temporary
 * file is removed and T released as well.
 */
struct dd_error *symfile_temp_commit(struct symfile_temp *t);

/* Closes and removes T's temporary file and releases T; a released or zeroed T is a no-op. */
void symfile_temp_abort(struct symfile_temp *t);

/*
 * Makes DEST a copy of the regular file SRC: a hard link when both are on one file system,
 * else an atomic copy. An existing DEST is left as it is (store files never change).
 */
struct dd_error *symfile_copy(const char *src, const char *dest);

#endif
