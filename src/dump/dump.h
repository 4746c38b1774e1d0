/* The format table: each dump format can probe a file and open it as a target. */
#ifndef DD_DUMP_DUMP_H
#define DD_DUMP_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct target;

struct dump_format {
    const char *name;
    /* True when the first bytes (HEAD, LEN of them) look like this format. */
    bool (*probe)(const uint8_t *head, size_t len);
    /* Fills T (already holding the mapped file, zeroed otherwise) from the file. */
    struct dd_error *(*open)(struct target *t);
};

/* Opens PATH with the first format whose probe matches; errors name the file. */
struct dd_error *dump_open(const char *path, struct target **ret);

/* Like dump_open over caller-owned bytes DATA[0..SIZE) (which must outlive ret). */
struct dd_error *dump_open_memory(const uint8_t *data, size_t size, const char *name,
                                  struct target **ret);

#endif
