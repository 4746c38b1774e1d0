/*
 * Builds synthetic minidumps in memory for tests and fuzz seeds: a 32-byte
 * header, a directory reserved right after it (as real writers do), then stream
 * data and referenced blobs appended in call order. Every append returns the
 * RVA of what it wrote, so streams can point at data appended before them.
 * Layouts follow minidumpapiset.h; all values are written little-endian.
 */
#ifndef DD_TESTS_MDMP_BUILDER_H
#define DD_TESTS_MDMP_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "core/target.h"

/* A growable little-endian byte buffer for composing stream contents. */
struct mdmp_blob {
    uint8_t *data;
    size_t size;
    size_t cap;
};

void mdmp_blob_init(struct mdmp_blob *b);
void mdmp_blob_deinit(struct mdmp_blob *b);
void mdmp_blob_u8(struct mdmp_blob *b, uint8_t v);
void mdmp_blob_u16(struct mdmp_blob *b, uint16_t v);
void mdmp_blob_u32(struct mdmp_blob *b, uint32_t v);
void mdmp_blob_u64(struct mdmp_blob *b, uint64_t v);
void mdmp_blob_bytes(struct mdmp_blob *b, const void *p, size_t n);
void mdmp_blob_zero(struct mdmp_blob *b, size_t n);
/* Appends ASCII/UTF-8 text S as N UTF-16LE units (zero-padded or cut to N). */
void mdmp_blob_utf16_fixed(struct mdmp_blob *b, const char *s, size_t n);
/* Overwrites a u32 at offset AT (which must already exist). */
void mdmp_blob_put_u32(struct mdmp_blob *b, size_t at, uint32_t v);

#define MDMP_BUILDER_MAX_STREAMS 32

struct mdmp_builder {
    struct mdmp_blob file;
    uint32_t dir_type[MDMP_BUILDER_MAX_STREAMS];
    uint32_t dir_size[MDMP_BUILDER_MAX_STREAMS];
    uint32_t dir_rva[MDMP_BUILDER_MAX_STREAMS];
    size_t ndir;
    uint32_t reserved;  /* directory slots reserved after the header */
    uint32_t timestamp; /* header TimeDateStamp */
    uint64_t flags;     /* header Flags */
};

/* Starts an empty dump with room for MDMP_BUILDER_MAX_STREAMS directory entries. */
void mdmp_builder_init(struct mdmp_builder *b);
void mdmp_builder_deinit(struct mdmp_builder *b);

/* Appends N raw bytes (4-byte aligned start) and returns their RVA. */
uint32_t mdmp_builder_append(struct mdmp_builder *b, const void *p, size_t n);
/* Appends a MINIDUMP_STRING (u32 byte length + UTF-16LE + NUL) of UTF-8 text S; returns its RVA. */
uint32_t mdmp_builder_string(struct mdmp_builder *b, const char *s);
/* Appends a MinidumpUTF8String (u32 length + bytes + NUL), as Crashpad writes; returns its RVA. */
uint32_t mdmp_builder_utf8(struct mdmp_builder *b, const char *s);
/* Appends stream data and adds a directory entry for it; returns the data's RVA. */
uint32_t mdmp_builder_stream(struct mdmp_builder *b, uint32_t type, const void *p, size_t n);
/* Same, from a blob. */
uint32_t mdmp_builder_stream_blob(struct mdmp_builder *b, uint32_t type,
                                  const struct mdmp_blob *blob);
/* Adds a raw directory entry (any size/RVA, including bad ones). */
void mdmp_builder_dir_entry(struct mdmp_builder *b, uint32_t type, uint32_t size, uint32_t rva);

/* Adds a 56-byte SystemInfoStream (with the CSD string) for PROCESSOR_ARCHITECTURE ARCH. */
void mdmp_builder_system_info(struct mdmp_builder *b, uint16_t arch, uint32_t major, uint32_t minor,
                              uint32_t build, const char *csd);

/* One thread for mdmp_builder_thread_list. */
struct mdmp_builder_thread {
    uint32_t tid;
    uint64_t teb;
    uint64_t stack_start;
    const void *stack; /* STACK_SIZE bytes; NULL with stack_size != 0 writes RVA 0 */
    uint32_t stack_size;
    const void *context; /* CONTEXT_SIZE bytes; NULL = no context */
    uint32_t context_size;
};
void mdmp_builder_thread_list(struct mdmp_builder *b, const struct mdmp_builder_thread *th,
                              size_t n);

/* One module for mdmp_builder_module_list; cv = NULL writes no CodeView record. */
struct mdmp_builder_module {
    uint64_t base;
    uint32_t size, checksum, timestamp;
    const char *path;
    const uint8_t *guid; /* 16 bytes for an RSDS record, with AGE and PDB */
    uint32_t age;
    const char *pdb;
};
void mdmp_builder_module_list(struct mdmp_builder *b, uint32_t type,
                              const struct mdmp_builder_module *m, size_t n);

/* One memory range for the memory list builders. */
struct mdmp_builder_range {
    uint64_t base;
    const void *data;
    uint32_t size;
};
/* MemoryListStream: the data of each range, then the descriptors. */
void mdmp_builder_memory_list(struct mdmp_builder *b, const struct mdmp_builder_range *r, size_t n);
/* Memory64ListStream: the descriptors, then all data back to back from BaseRva. */
void mdmp_builder_memory64_list(struct mdmp_builder *b, const struct mdmp_builder_range *r,
                                size_t n);

/* Writes the header and directory and returns the finished file (owned by B). */
const uint8_t *mdmp_builder_finish(struct mdmp_builder *b, size_t *ret_size);

/* Writes DATA to a temporary file and opens it with target_open (the file is removed). */
struct dd_error *mdmp_test_open_bytes(const uint8_t *data, size_t size, struct target **ret);
/* Finishes B and opens the result with mdmp_test_open_bytes. */
struct dd_error *mdmp_builder_open(struct mdmp_builder *b, struct target **ret);

/* Opens DATA in place (no file, no copy) through dump_open_memory; DATA must outlive ret. */
struct dd_error *mdmp_test_open_buffer(const uint8_t *data, size_t size, struct target **ret);

#endif
