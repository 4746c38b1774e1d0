/*
 * Shared helpers of the minidump reader (not for use outside src/dump/mdmp/).
 * Each mdmp_<family>_parse() reads one stream family into the target; they run
 * after mdmp_header_parse() has validated the header and every directory entry,
 * so a stream's [rva, rva+size) is known to lie inside the file.
 */
#ifndef DD_DUMP_MDMP_MDMP_INTERNAL_H
#define DD_DUMP_MDMP_MDMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "base/error.h"
#include "core/target.h"
#include "dump/mdmp/mdmp.h"

/* MINIDUMP_HEADER.Signature "MDMP" and the low word of Version (minidumpapiset.h). */
#define MDMP_SIGNATURE 0x504d444du
#define MDMP_VERSION 0xa793u
#define MDMP_HEADER_SIZE 32u
#define MDMP_DIRECTORY_ENTRY_SIZE 12u

/* Placeholder for a name whose MINIDUMP_STRING cannot be read. */
#define MDMP_NAME_UNAVAILABLE "<name unavailable>"

static inline struct mdmp_file *mdmp_impl(struct target *t)
{
    return (struct mdmp_file *)t->impl;
}

/* Validates the header and directory and fills t->streams and t->dump_flags. */
struct dd_error *mdmp_header_parse(struct target *t);

/* Returns the first stream of TYPE with data, or NULL. */
const struct target_stream *mdmp_stream_find(const struct target *t, uint32_t type);

/* Returns a pointer to SIZE bytes at file offset RVA, or NULL when they are not all in the file. */
const uint8_t *mdmp_file_range(const struct target *t, uint64_t rva, uint64_t size);

/*
 * Checks that COUNT entries of ENTRY_SIZE bytes starting at offset START of
 * stream S fit in it; on failure returns a DD_ERR_FORMAT error naming the stream.
 */
struct dd_error *mdmp_list_check(const struct target_stream *s, uint64_t start, uint64_t count,
                                 uint64_t entry_size);

/*
 * Reads the MINIDUMP_STRING (u32 byte length + UTF-16LE) at RVA into UTF-8 in the
 * arena. Sets ret to NULL (still success) when RVA is 0, out of the file or the
 * string budget is spent; errors only when out of memory.
 */
struct dd_error *mdmp_string_utf16_at(struct target *t, uint64_t rva, const char **ret);

/* Charges N bytes of decoded text to the string budget; false (with a warning) once spent. */
bool mdmp_budget_take(struct target *t, uint64_t n);

/* Converts N UTF-16LE code units at P (stopping at a NUL) to UTF-8 in the arena; NULL on OOM. */
const char *mdmp_utf16_dup(struct target *t, const uint8_t *p, size_t n);

/* Copies up to N bytes of 8-bit text at P (stopping at a NUL) into the arena; NULL on OOM. */
const char *mdmp_text_dup(struct target *t, const uint8_t *p, size_t n);

/* Records a warning about the dump (kept in mdmp_file.warnings; never fails). */
void mdmp_warn(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Stream family parsers; each is a no-op when its stream is absent. */
struct dd_error *mdmp_sysinfo_parse(struct target *t);
struct dd_error *mdmp_misc_parse(struct target *t);
struct dd_error *mdmp_threads_parse(struct target *t);
struct dd_error *mdmp_modules_parse(struct target *t);
struct dd_error *mdmp_memory_parse(struct target *t);
struct dd_error *mdmp_exception_parse(struct target *t);
struct dd_error *mdmp_handles_parse(struct target *t);
struct dd_error *mdmp_process_parse(struct target *t);
struct dd_error *mdmp_functable_parse(struct target *t);
struct dd_error *mdmp_breakpad_parse(struct target *t);

/* Sorts t->modules by base (after anything that indexes them in list order). */
void mdmp_modules_sort(struct target *t);


#endif
