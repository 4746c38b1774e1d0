/* Helpers shared by the files of src/pe; not part of the public API. */
#ifndef DD_PE_INTERNAL_H
#define DD_PE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pe/pe_image.h"

/* Reads exactly LEN bytes at RVA into BUF; the error names WHAT, the RVA and how much was there. */
struct dd_error *pe_read_exact(const struct pe_image *img, uint32_t rva, void *buf, size_t len,
                               const char *what);

/* Like pe_read_exact into a malloc'd buffer that the caller frees; LEN 0 gives a NULL buffer. */
struct dd_error *pe_read_alloc(const struct pe_image *img, uint32_t rva, size_t len,
                               const char *what, uint8_t **ret);

/*
 * Reads the NUL-terminated 8-bit string at RVA (at most MAX bytes before the NUL) into the
 * image's arena; errors when it is unavailable or longer than MAX.
 */
struct dd_error *pe_read_cstr(struct pe_image *img, uint32_t rva, size_t max, const char *what,
                              const char **ret);

/* Copies up to LEN bytes at file offset OFF (file layout only); returns the bytes copied. */
size_t pe_read_file_offset(const struct pe_image *img, uint64_t off, void *buf, size_t len);

/* Returns the recorded failure of L as a new error (L->state must be 2). */
struct dd_error *pe_lazy_replay(const struct pe_lazy *l);

/* Records ERR as L's failure (except out-of-memory, which may pass) and returns ERR. */
struct dd_error *pe_lazy_fail(struct pe_image *img, struct pe_lazy *l, struct dd_error *err);

/* A "not available" error for WHAT at RVA: DD_ERR_MEMORY for mapped images, else DD_ERR_FORMAT. */
struct dd_error *pe_unavailable(const struct pe_image *img, uint32_t rva, size_t len, size_t got,
                                const char *what);

#endif
