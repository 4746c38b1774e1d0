/*
 * Shared helpers of the kernel-dump reader (not for use outside src/dump/kdmp/).
 * kdmp_header_parse() runs first and validates the fixed header; every later step checks its
 * own offsets and sizes against the file size before touching bytes.
 */
#ifndef DD_DUMP_KDMP_KDMP_INTERNAL_H
#define DD_DUMP_KDMP_KDMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "base/error.h"
#include "core/target.h"
#include "dump/kdmp/kdmp.h"

#define KDMP_PAGE_SIZE 0x1000u
#define KDMP_PAGE_SHIFT 12

/* Signatures as little-endian u32 (ntiodump.h writes them as 'EGAP', 'PMUD'...). */
#define KDMP_SIG_PAGE 0x45474150u /* "PAGE" */
#define KDMP_SIG_DUMP 0x504d5544u /* "DUMP": DUMP_HEADER32 ValidDump */
#define KDMP_SIG_DU64 0x34365544u /* "DU64": DUMP_HEADER64 ValidDump */
#define KDMP_SIG_SDMP 0x504d4453u /* "SDMP": summary / kernel bitmap */
#define KDMP_SIG_FDMP 0x504d4446u /* "FDMP": full bitmap */
#define KDMP_SIG_RDMP 0x504d4452u /* "RDMP": .dump /k /ka /f (Windows 11) */
#define KDMP_SIG_TRGD 0x44475254u /* "TRGD": TRIAGE_DUMP_VALID, the triage dump's last u32 */

static inline struct kdmp_file *kdmp_impl(struct target *t)
{
    return (struct kdmp_file *)t->impl;
}

/* Returns a pointer to SIZE bytes at file OFFSET, or NULL when they are not all in the file. */
const uint8_t *kdmp_file_range(const struct target *t, uint64_t offset, uint64_t size);

/* Records a warning about the dump (kept in kdmp_file.warnings; never fails). */
void kdmp_warn(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses DUMP_HEADER32/64 into f->hdr; errors when the file is too short or not a kernel dump. */
struct dd_error *kdmp_header_parse(struct target *t);

/* Full dumps: the PhysicalMemoryBlock run table; RDMP dumps: the PFN range list. */
struct dd_error *kdmp_runs_parse(struct target *t);
/* Returns the run holding physical page PAGE, or NULL (binary search). */
const struct kdmp_run *kdmp_runs_find(const struct kdmp_file *f, uint64_t page);

/* Bitmap (SDMP/FDMP) and summary dumps: indexes the page bitmap without reading pages. */
struct dd_error *kdmp_bitmap_parse(struct target *t);
/* Sets ret to the file offset of physical page PAGE; false when the page is not in the dump. */
bool kdmp_bitmap_find(const struct kdmp_bitmap *b, uint64_t page, uint64_t *ret);
/* Frees the rank table. */
void kdmp_bitmap_free(struct kdmp_bitmap *b);

/* Reads physical memory (target_ops.read_physical). */
struct dd_error *kdmp_read_physical(struct target *t, uint64_t addr, void *buf, size_t n,
                                    size_t *ret_read);

/* Triage dumps: the TRIAGE_DUMP header, data blocks, stack, KDBG copy -> t->memory. */
struct dd_error *kdmp_triage_parse(struct target *t);
/* Triage dumps: the driver list -> t->modules, the unloaded drivers -> t->unloaded. */
struct dd_error *kdmp_drivers_parse(struct target *t);

/* Secondary dump data (DUMP_BLOB_FILE_HEADER at f->data_end), when present. */
struct dd_error *kdmp_blobs_parse(struct target *t);

/* Fills t->sys, t->kernel, t->kind/kind_text, threads and the stream rows from the header. */
struct dd_error *kdmp_target_fill(struct target *t);
/* Adds the stream rows of the page data (bitmap header, pages) after the memory is indexed. */
struct dd_error *kdmp_target_add_page_streams(struct target *t);
/* Sets t->kernel.kernel_base, when still unknown, from the memory the dump holds (after vm init). */
void kdmp_target_kernel_base(struct target *t);
/* Creates f->space over the header's DirectoryTableBase (no-op without physical memory). */
struct dd_error *kdmp_vm_init(struct target *t);
/* Reads virtual memory through f->space or the triage blocks (target_ops.read_virtual). */
struct dd_error *kdmp_read_virtual(struct target *t, uint64_t addr, void *buf, size_t n,
                                   size_t *ret_read);
/*
 * Complete, kernel and bitmap dumps of several processors: one thread per processor (tid = its
 * number) with the CONTEXT its KPRCB saved, found through KdDebuggerDataBlock's KiProcessorBlock;
 * the crashing processor keeps the header's context. Leaves the header's one thread when the
 * processor blocks cannot be read. Never fails.
 */
void kdmp_target_add_processors(struct target *t);
/* Full, kernel and bitmap dumps: PsLoadedModuleList -> t->modules (kdmp_kmodules.c; never fails). */
void kdmp_target_add_kernel_modules(struct target *t);
/* Frees f->space. */
void kdmp_vm_free(struct kdmp_file *f);

/* Adds a stream row (NAME is static or arena-owned). */
struct dd_error *kdmp_stream_add(struct target *t, uint32_t type, const char *name, uint64_t offset,
                                 uint64_t size);

#endif
