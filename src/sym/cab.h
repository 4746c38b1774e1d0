/*
 * CAB decompression (libmspack) for the compressed files of symbol stores: NAME.pd_, NAME.dl_,
 * NAME.ex_ hold a single-file cabinet. Only such cabinets are accepted: one file, no cabinet
 * set, a plain file name, and an uncompressed size under a cap.
 */
#ifndef DD_SYM_CAB_H
#define DD_SYM_CAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* The default cap on a decompressed file: 4 GiB, the most a CAB can describe anyway. */
#define CAB_DEFAULT_MAX_SIZE ((uint64_t)4 << 30)

/* True when DATA[0..SIZE) starts with the cabinet signature "MSCF". */
bool cab_is_cabinet(const uint8_t *data, size_t size);

/*
 * Decompresses the single file of the cabinet at CAB_PATH into OUT_PATH atomically (temporary
 * file + rename; nothing is left behind on error). Errors when the cabinet is malformed, holds
 * other than one file, or that file is larger than MAX_SIZE bytes.
 */
struct dd_error *cab_extract_file(const char *cab_path, const char *out_path, uint64_t max_size);

/*
 * Decompresses the single file of the cabinet DATA[0..SIZE) into memory: ret_data is a new
 * buffer (malloc, free with free(); non-NULL even when empty) of ret_size bytes.
 * The same checks as cab_extract_file apply.
 */
struct dd_error *cab_extract_memory(const uint8_t *data, size_t size, uint64_t max_size,
                                    uint8_t **ret_data, size_t *ret_size);

#endif
