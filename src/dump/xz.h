/* Transparent opening of xz-compressed dumps (crash pipelines often store them so). */
#ifndef DD_DUMP_XZ_H
#define DD_DUMP_XZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Largest decompressed size accepted in memory; bigger dumps must be decompressed to a file. */
#define DUMP_XZ_MAX ((uint64_t)4 << 30)

/* True when DATA starts with the xz stream magic. */
bool dump_xz_probe(const uint8_t *data, size_t size);
/* Decompresses the xz stream DATA into a malloc'd buffer (ret, ret_size); caller frees. */
struct dd_error *dump_xz_decompress(const uint8_t *data, size_t size, uint8_t **ret,
                                    size_t *ret_size);

#endif
