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
};

/* Maps PATH read-only into ret; errors name the file and the reason. */
struct dd_error *dd_mapfile_open(const char *path, struct dd_mapfile *ret);
/* Unmaps M; a zeroed M is a no-op. */
void dd_mapfile_close(struct dd_mapfile *m);

#endif
