/*
 * Minidump (MDMP) reader. mdmp_format fills the generic struct target; what has
 * no generic home (MiscInfo extras, XSTATE layout, VM counters, function tables,
 * Crashpad/Breakpad records, Wine details, warnings) lives in struct mdmp_file,
 * reachable through mdmp_file_of(). Layouts follow minidumpapiset.h
 * (MINIDUMP_*), Breakpad's minidump_format.h (MD_*) and Crashpad's
 * minidump_extensions.h. Everything lives in the target's arena or points into
 * the mapped file, and lives as long as the target.
 */
#ifndef DD_DUMP_MDMP_MDMP_H
#define DD_DUMP_MDMP_MDMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/target.h"
#include "dump/dump.h"

extern const struct dump_format mdmp_format;

/* MINIDUMP_STREAM_TYPE (minidumpapiset.h) plus the vendor streams this reader knows. */
enum mdmp_stream_type {
    MDMP_STREAM_UNUSED = 0,
    MDMP_STREAM_THREAD_LIST = 3,
    MDMP_STREAM_MODULE_LIST = 4,
    MDMP_STREAM_MEMORY_LIST = 5,
    MDMP_STREAM_EXCEPTION = 6,
    MDMP_STREAM_SYSTEM_INFO = 7,
    MDMP_STREAM_THREAD_EX_LIST = 8,
    MDMP_STREAM_MEMORY64_LIST = 9,
    MDMP_STREAM_COMMENT_A = 10,
    MDMP_STREAM_COMMENT_W = 11,
    MDMP_STREAM_HANDLE_DATA = 12,
    MDMP_STREAM_FUNCTION_TABLE = 13,
    MDMP_STREAM_UNLOADED_MODULE_LIST = 14,
    MDMP_STREAM_MISC_INFO = 15,
    MDMP_STREAM_MEMORY_INFO_LIST = 16,
    MDMP_STREAM_THREAD_INFO_LIST = 17,
    MDMP_STREAM_HANDLE_OPERATION_LIST = 18,
    MDMP_STREAM_TOKEN = 19,
    MDMP_STREAM_JAVASCRIPT_DATA = 20,
    MDMP_STREAM_SYSTEM_MEMORY_INFO = 21,
    MDMP_STREAM_PROCESS_VM_COUNTERS = 22,
    MDMP_STREAM_IPT_TRACE = 23,
    MDMP_STREAM_THREAD_NAMES = 24,
    MDMP_STREAM_WINE_HOST_MODULES = 0xfff0,  /* Wine dbghelp: ELF modules, ModuleList layout */
    MDMP_STREAM_BREAKPAD_INFO = 0x47670001,  /* MD_BREAKPAD_INFO_STREAM */
    MDMP_STREAM_ASSERTION_INFO = 0x47670002, /* MD_ASSERTION_INFO_STREAM */
    MDMP_STREAM_CRASHPAD_INFO = 0x43500001,  /* MD_CRASHPAD_INFO_STREAM */
};

/* Returns the conventional name of stream TYPE ("ThreadListStream"), or NULL when unknown. */
const char *mdmp_stream_type_name(uint32_t type);

/* MINIDUMP_MISC_INFO_N fields beyond what struct target_process holds. */
struct mdmp_misc_info {
    bool present;
    uint32_t size_of_info; /* as recorded: 24, 44, 232, 832 or 1364 */
    unsigned level;        /* 1..5: the largest MINIDUMP_MISC_INFO_N the stream holds */
    uint32_t flags1;       /* MINIDUMP_MISC1_* / MISC3_* / MISC4_* / MISC5_* bits */
    bool has_integrity, has_execute_flags, has_protected_process, has_process_cookie;
    uint32_t process_integrity_level;
    uint32_t process_execute_flags;
    uint32_t protected_process;
    uint32_t time_zone_id; /* TIME_ZONE_ID_* */
    int32_t tz_standard_bias, tz_daylight_bias;
    uint16_t tz_standard_date[8], tz_daylight_date[8]; /* SYSTEMTIME words */
    uint32_t process_cookie;
};

/* XSTATE_CONFIG_FEATURE_MSC_INFO (MiscInfo 5): where each XSAVE feature sits in a CONTEXT. */
#define MDMP_XSTATE_FEATURES 64
struct mdmp_xstate_config {
    bool present;
    uint32_t size_of_info;
    uint32_t context_size;
    uint64_t enabled_features;
    uint32_t offset[MDMP_XSTATE_FEATURES];
    uint32_t size[MDMP_XSTATE_FEATURES];
};

/* MINIDUMP_SYSTEM_MEMORY_INFO_1: header, basic information and file cache sizes. */
struct mdmp_system_memory_info {
    bool present;
    uint16_t revision, flags;
    uint32_t timer_resolution, page_size, number_of_physical_pages;
    uint32_t lowest_physical_page, highest_physical_page, allocation_granularity;
    uint64_t minimum_user_address, maximum_user_address, active_processors_affinity;
    uint32_t number_of_processors;
    bool has_file_cache;
    uint64_t file_cache_current_size, file_cache_peak_size;
    uint32_t file_cache_page_fault_count;
};

/* MINIDUMP_PROCESS_VM_COUNTERS_1 / _2 (revision says which; _1 fields are a subset). */
struct mdmp_vm_counters {
    bool present;
    uint16_t revision, flags; /* flags: MINIDUMP_PROCESS_VM_COUNTERS_* (revision 2) */
    uint32_t page_fault_count;
    uint64_t peak_working_set_size, working_set_size;
    uint64_t quota_peak_paged_pool_usage, quota_paged_pool_usage;
    uint64_t quota_peak_non_paged_pool_usage, quota_non_paged_pool_usage;
    uint64_t pagefile_usage, peak_pagefile_usage, private_usage;
    /* Revision 2 only. */
    uint64_t peak_virtual_size, virtual_size;
    uint64_t private_working_set_size, shared_commit_usage;
    uint64_t job_shared_commit_usage, job_private_commit_usage, job_peak_private_commit_usage;
    uint64_t job_private_commit_limit, job_total_commit_limit;
};

/* One TokenStream element: MINIDUMP_TOKEN_INFO_HEADER fields and the raw element. */
struct mdmp_token {
    uint32_t token_id;
    uint64_t token_handle;
    const uint8_t *data;  /* the whole element (TokenSize bytes), inside the mapped file */
    uint32_t size;        /* TokenSize */
    uint32_t header_size; /* ElementHeaderSize: token information follows at data + header_size */
};

/*
 * One MINIDUMP_FUNCTION_TABLE_DESCRIPTOR: a dynamic function table (JIT code)
 * with its native DYNAMIC_FUNCTION_TABLE and ENTRY_COUNT raw function entries
 * (RUNTIME_FUNCTION on x64) of ENTRY_SIZE bytes each.
 */
struct mdmp_function_table {
    uint64_t minimum_address, maximum_address, base_address;
    uint32_t entry_count;
    uint32_t entry_size;
    const uint8_t *native; /* SizeOfNativeDescriptor bytes, inside the mapped file */
    uint32_t native_size;
    const uint8_t *entries; /* entry_count * entry_size bytes, inside the mapped file */
};

/* Breakpad MDRawAssertionInfo. */
struct mdmp_assertion {
    bool present;
    const char *expression, *function, *file; /* UTF-8, "" when empty */
    uint32_t line;
    uint32_t type; /* MD_ASSERTION_INFO_TYPE_*: 1 invalid parameter, 2 pure virtual call */
};

/* Crashpad MinidumpCrashpadInfo header (its annotations go to target.annotations). */
struct mdmp_crashpad_info {
    bool present;
    uint32_t version;
    uint8_t report_id[16], client_id[16]; /* UUIDs, on-disk byte order */
    bool has_address_mask;
    uint64_t address_mask;
};

/* At most this many warnings are kept; later ones only bump warnings_dropped. */
#define MDMP_MAX_WARNINGS 32

struct mdmp_file {
    uint32_t version; /* header Version: low word MINIDUMP_VERSION (0xa793) */
    uint32_t checksum;
    uint64_t flags; /* header Flags (MINIDUMP_TYPE), all 64 bits */
    struct mdmp_misc_info misc;
    struct mdmp_xstate_config xstate;
    struct mdmp_system_memory_info system_memory;
    struct mdmp_vm_counters vm_counters;
    struct mdmp_token *tokens;
    size_t ntokens;
    struct mdmp_function_table *function_tables;
    size_t nfunction_tables;
    uint32_t handle_descriptor_size; /* 32 (MINIDUMP_HANDLE_DESCRIPTOR) or 40 (_2); 0 = none */
    uint32_t breakpad_validity;      /* MD_BREAKPAD_INFO_VALID_* */
    struct mdmp_assertion assertion;
    struct mdmp_crashpad_info crashpad;
    /* Wine: "WINE" block after SystemInfo (NULL when absent) and stream 0xFFF0. */
    const char *wine_host_sysname, *wine_host_release;
    struct target_module *wine_host_modules;
    size_t nwine_host_modules;
    /* Problems found in a dump that still opened (clipped ranges, bad strings...). */
    const char *warnings[MDMP_MAX_WARNINGS];
    size_t nwarnings;
    size_t warnings_dropped;
    /* Bytes of strings decoded so far, against a budget proportional to the file size. */
    uint64_t string_bytes;
    uint64_t string_budget;
};

/* Returns T's minidump details, or NULL when T was not opened by the minidump reader. */
const struct mdmp_file *mdmp_file_of(const struct target *t);

#endif
