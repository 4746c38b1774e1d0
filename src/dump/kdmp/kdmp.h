/*
 * Kernel crash-dump (PAGEDUMP / PAGEDU64) reader. kdmp_format fills the generic struct target
 * (target.kernel, sysinfo, the processor threads, the triage driver list as modules, physical
 * and virtual reads); what has no generic home (every header field, the physical run table, the
 * page bitmap, the triage header and its data blocks, secondary data blobs, warnings) lives in
 * struct kdmp_file, reachable through kdmp_file_of(). Layouts follow ntiodump.h (DUMP_HEADER32,
 * DUMP_HEADER64, SUMMARY_DUMP32, TRIAGE_DUMP32/64, DUMP_DRIVER_ENTRY32/64, DUMP_BLOB_*) and,
 * for the Vista+ bitmap header and the RDMP headers, the layouts kdmp-parser and rizin use.
 * Everything lives in the target's arena or points into the mapped file.
 */
#ifndef DD_DUMP_KDMP_KDMP_H
#define DD_DUMP_KDMP_KDMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/target.h"
#include "dump/dump.h"

extern const struct dump_format kdmp_format;

/* DUMP_HEADER DumpType (ntiodump.h DUMP_TYPES; 6 is also the 22H2+ live kernel dump, 8..10
   the RDMP dumps `.dump /k`, `/ka` and `/f` write, per kdmp-parser). */
enum kdmp_dump_type {
    KDMP_TYPE_FULL = 1,
    KDMP_TYPE_SUMMARY = 2,
    KDMP_TYPE_HEADER = 3,
    KDMP_TYPE_TRIAGE = 4,
    KDMP_TYPE_BITMAP_FULL = 5,
    KDMP_TYPE_BITMAP_KERNEL = 6,
    KDMP_TYPE_AUTOMATIC = 7,
    KDMP_TYPE_RDMP_KERNEL = 8,
    KDMP_TYPE_RDMP_KERNEL_USER = 9,
    KDMP_TYPE_RDMP_COMPLETE = 10,
};

/* The writer fills the whole header with "PAGE" first: a field still holding it was not set. */
#define KDMP_FIELD_ABSENT 0x45474150u

/* Bits of MiniDumpFields (ntiodump.h TRIAGE_DUMP_*). */
#define KDMP_TRIAGE_BASIC_INFO 0x00ffu
#define KDMP_TRIAGE_MMINFO 0x0100u
#define KDMP_TRIAGE_DATAPAGE 0x0200u
#define KDMP_TRIAGE_DEBUGGER_DATA 0x0400u
#define KDMP_TRIAGE_DATA_BLOCKS 0x0800u

/* EXCEPTION_RECORD32/64 of the header (KeBugCheckEx's breakpoint, usually). */
struct kdmp_exception {
    uint32_t code, flags;
    uint64_t record, address;
    uint32_t num_params; /* as stored */
    uint64_t params[15];
};

/* Every DUMP_HEADER32/64 field; the has_* flags say whether a later-added field was written. */
struct kdmp_header {
    bool is64;            /* PAGEDU64 (DUMP_HEADER64) rather than PAGEDUMP */
    uint32_t header_size; /* 0x1000 (32-bit) or 0x2000 (64-bit): where dump data begins */
    uint32_t major_version, minor_version;
    uint64_t directory_table_base, pfn_database, ps_loaded_module_list, ps_active_process_head;
    uint32_t machine_image_type, number_processors;
    uint32_t bugcheck_code;
    uint64_t bugcheck_params[4];
    char version_user[33]; /* "" when absent */
    uint8_t pae_enabled;   /* 32-bit header only */
    uint8_t kd_secondary_version;
    uint64_t kd_debugger_data_block; /* 0 when absent */
    /* PhysicalMemoryBlock (valid when has_memory_block). */
    bool has_memory_block;
    uint32_t number_of_runs;
    uint64_t number_of_pages;
    uint64_t memory_block_offset; /* file offset of the descriptor (0x64 or 0x88) */
    uint64_t context_offset;      /* file offset of ContextRecord (0x320 or 0x348) */
    uint32_t context_capacity;    /* its buffer in the header: 1200 or 3000 bytes */
    struct kdmp_exception exception;
    uint32_t dump_type;
    bool has_required_dump_space;
    uint64_t required_dump_space;
    bool has_system_time;
    uint64_t system_time; /* FILETIME */
    char comment[129];    /* "" when absent */
    bool has_system_up_time;
    uint64_t system_up_time; /* 100 ns units */
    uint32_t mini_dump_fields;
    bool has_secondary_data_state;
    uint32_t secondary_data_state;
    bool has_product_info;
    uint32_t product_type, suite_mask;
    bool has_writer_status;
    uint32_t writer_status;
    /* DUMP_HEADER64 only (Windows 10+): DUMP_FILE_ATTRIBUTES and BootId; 0 when absent. */
    uint32_t attributes, boot_id;
};

/* A run of physical pages stored contiguously in the file (full and RDMP dumps). */
struct kdmp_run {
    uint64_t base_page;
    uint64_t page_count;
    uint64_t file_offset; /* of the run's first page */
};

/* The page bitmap of a bitmap (SDMP/FDMP) or summary dump, indexed without reading pages. */
struct kdmp_bitmap {
    uint32_t signature;         /* 'SDMP' or 'FDMP' as a little-endian u32 */
    uint32_t dump_options;      /* SUMMARY_DUMP32 only */
    uint64_t first_page_offset; /* HeaderSize: the file offset of the first stored page */
    uint64_t header_pages;      /* present pages as the header counts them */
    uint64_t nbits;             /* pages the bitmap covers (physical page numbers 0..nbits-1) */
    uint64_t present_pages;     /* bits set, counted at open */
    const uint8_t *bits;        /* (nbits + 7) / 8 bytes inside the mapped file */
    uint64_t *rank;             /* set bits before each 512-page block; internal */
    size_t nrank;
};

/* One TRIAGE_DATA_BLOCK: SIZE bytes of virtual memory at ADDRESS stored at file OFFSET. */
struct kdmp_triage_block {
    uint64_t address;
    uint32_t offset, size;
};

/* TRIAGE_DUMP32/64 fields (the 32-bit header's ULONG TopOfStack etc. widened). */
struct kdmp_triage {
    bool present;
    uint64_t header_offset; /* 0x1000 or 0x2000 */
    uint32_t service_pack_build, size_of_dump, valid_offset, context_offset, exception_offset;
    uint32_t mm_offset, unloaded_drivers_offset, prcb_offset, process_offset, thread_offset;
    uint32_t call_stack_offset, size_of_call_stack, driver_list_offset, driver_count;
    uint32_t string_pool_offset, string_pool_size, broken_driver_offset, triage_options;
    uint64_t top_of_stack;
    uint32_t bstore_offset, size_of_bstore; /* 64-bit header (IA64) only */
    uint64_t limit_of_bstore;
    uint64_t data_page_address;
    uint32_t data_page_offset, data_page_size;
    uint32_t debugger_data_offset, debugger_data_size;
    uint32_t data_blocks_offset, data_blocks_count;
    struct kdmp_triage_block *blocks; /* the data blocks that lie inside the file */
    size_t nblocks;
    /* Where the PRCB copy says the current thread and process are (0 when unknown). */
    uint64_t thread_address, process_address;
    uint32_t processor; /* KPRCB.Number of the PRCB copy (0 when unknown) */
};

/* One DUMP_BLOB_HEADER of the secondary dump data (.enumtag). */
struct kdmp_blob {
    uint8_t tag[16];      /* GUID, on-disk byte order */
    uint64_t data_offset; /* file offset of the data */
    uint32_t data_size;
};

/* The target_stream.type values of the rows this reader adds, for .dumpdebug. */
enum kdmp_stream_type {
    KDMP_STREAM_HEADER = 1,
    KDMP_STREAM_PHYSICAL_PAGES,
    KDMP_STREAM_BITMAP_HEADER,
    KDMP_STREAM_TRIAGE_HEADER,
    KDMP_STREAM_CONTEXT,
    KDMP_STREAM_EXCEPTION,
    KDMP_STREAM_MM_INFO,
    KDMP_STREAM_UNLOADED_DRIVERS,
    KDMP_STREAM_PRCB,
    KDMP_STREAM_PROCESS,
    KDMP_STREAM_THREAD,
    KDMP_STREAM_CALL_STACK,
    KDMP_STREAM_DRIVER_LIST,
    KDMP_STREAM_STRING_POOL,
    KDMP_STREAM_DATA_PAGE,
    KDMP_STREAM_DEBUGGER_DATA,
    KDMP_STREAM_DATA_BLOCK_LIST,
    KDMP_STREAM_DATA_BLOCK,
    KDMP_STREAM_SECONDARY_DATA,
    KDMP_STREAM_BLOB,
};

#define KDMP_MAX_WARNINGS 32

/* How physical memory maps to the file. */
enum kdmp_memory_kind {
    KDMP_MEMORY_NONE,   /* header-only or unknown type: no physical memory */
    KDMP_MEMORY_RUNS,   /* full and RDMP dumps */
    KDMP_MEMORY_BITMAP, /* bitmap and summary dumps */
    KDMP_MEMORY_TRIAGE, /* triage: virtual memory blocks only */
};

struct mm_space;

struct kdmp_file {
    struct kdmp_header hdr;
    enum kdmp_memory_kind memory;
    struct kdmp_run *runs; /* sorted by base_page, non-overlapping */
    size_t nruns;
    uint64_t data_end; /* where page data ends (RequiredDumpSpace-like), for blobs */
    struct kdmp_bitmap bitmap;
    struct kdmp_triage triage;
    bool has_blobs;
    uint64_t blob_file_offset; /* DUMP_BLOB_FILE_HEADER */
    uint32_t blob_build_number;
    struct kdmp_blob *blobs;
    size_t nblobs;
    struct mm_space *space; /* virtual reads (full/bitmap/RDMP); NULL when unsupported */
    /* Problems found in a dump that still opened (truncation, clipped blocks...). */
    const char *warnings[KDMP_MAX_WARNINGS];
    size_t nwarnings;
    size_t warnings_dropped;
};

/* Returns T's kernel-dump details, or NULL when T was not opened by this reader. */
const struct kdmp_file *kdmp_file_of(const struct target *t);

/*
 * Switches T's virtual reads to the address space rooted at DTB (a process's
 * DirectoryTableBase, `.process /p`). Errors when T is not a kernel dump with page tables.
 */
struct dd_error *kdmp_set_directory_table_base(struct target *t, uint64_t dtb);

#endif
