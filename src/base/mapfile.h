/* A read-only memory mapping of a whole file. */
#ifndef DD_BASE_MAPFILE_H
#define DD_BASE_MAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct dd_mapfile {
    const uint8_t *data; /* NULL for an empty file */
    size_t size;
    char *path; /* owned copy */
    int borrowed; /* data belongs to the caller (dd_mapfile_borrow); never unmapped */
    int heap;     /* data is a malloc'd buffer (dd_mapfile_adopt); freed on close */
};

/* Maps PATH read-only into ret; errors name the file and the reason. */
struct dd_error *dd_mapfile_open(const char *path, struct dd_mapfile *ret);
/* Wraps caller-owned bytes (which must outlive ret) as if mapped from NAME. */
struct dd_error *dd_mapfile_borrow(const uint8_t *data, size_t size, const char *name,
                                   struct dd_mapfile *ret);
/* Replaces M's bytes with the malloc'd buffer DATA of SIZE bytes, which M then owns. */
void dd_mapfile_adopt(struct dd_mapfile *m, uint8_t *data, size_t size);
/* Unmaps M; a zeroed M is a no-op. */
void dd_mapfile_close(struct dd_mapfile *m);

#endif
