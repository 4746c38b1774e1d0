/*
 * The target: the one interface everything above the format readers uses.
 * A format reader (dump/) fills a struct target; commands read it. Strings and
 * raw context bytes point into storage owned by the target (its arena or the
 * mapped file) and live as long as the target.
 */
#ifndef DD_CORE_TARGET_H
#define DD_CORE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/mapfile.h"
#include "core/memmap.h"

enum dd_cpu {
    DD_CPU_UNKNOWN = 0,
    DD_CPU_X86,
    DD_CPU_X64,
    DD_CPU_ARM,
    DD_CPU_ARM64,
};

/* What kind of dump this is, for vertarget/|| wording. */
enum target_kind {
    TARGET_USER_MINI,  /* minidump without full memory */
    TARGET_USER_FULL,  /* minidump with full memory (Memory64List) */
    TARGET_KERNEL,     /* any kernel dump (later) */
};

struct target_sysinfo {
    enum dd_cpu cpu;
    uint16_t processor_architecture; /* raw PROCESSOR_ARCHITECTURE_* value */
    uint16_t processor_level;
    uint16_t processor_revision;
    uint8_t number_of_processors;
    uint8_t product_type; /* VER_NT_WORKSTATION=1, DOMAIN_CONTROLLER=2, SERVER=3 */
    uint32_t major_version, minor_version, build_number, platform_id;
    uint16_t suite_mask;
    const char *csd_version; /* "Service Pack 2", "" when none; never NULL */
    /* CPU: x86 CPUID data (vendor is "" elsewhere) or processor features. */
    char cpu_vendor[13];
    uint32_t cpu_version_information;
    uint32_t cpu_feature_information;
    uint32_t cpu_amd_extended_features;
    uint64_t processor_features[2];
    /* MiscInfo 4+: "19041.1.amd64fre.vb_release.191206-1406"; NULL when absent. */
    const char *build_string;
    const char *dbg_build_string;
    /* Set when the dump was written under Wine; wine_version may be NULL. */
    bool is_wine;
    const char *wine_version;
};

struct target_process {
    bool has_pid;
    uint32_t pid;
    bool has_times; /* MiscInfo process times, in seconds */
    uint32_t create_time; /* time_t */
    uint32_t user_time;
    uint32_t kernel_time;
    bool has_processor_power;
    uint32_t processor_max_mhz, processor_current_mhz, processor_mhz_limit;
    uint32_t processor_max_idle_state, processor_current_idle_state;
    bool has_time_zone;
    int32_t tz_bias; /* minutes, UTC = local + bias (Windows convention) */
    const char *tz_standard_name;
    const char *tz_daylight_name;
    uint32_t dump_time; /* time_t the dump was written (header TimeDateStamp) */
    uint64_t peb; /* 0 when unknown */
};

struct target_thread {
    uint32_t tid;
    uint32_t suspend_count;
    uint32_t priority_class;
    uint32_t priority;
    uint64_t teb;
    uint64_t stack_start;
    uint64_t stack_size;
    const uint8_t *context; /* raw CONTEXT bytes; NULL when the dump has none */
    uint32_t context_size;
    const char *name; /* ThreadNames stream; NULL when absent */
    bool has_info; /* ThreadInfoList fields below are valid */
    uint32_t dump_flags, dump_error, exit_status;
    uint64_t create_time, exit_time, kernel_time, user_time; /* FILETIME units */
    uint64_t start_address, affinity;
};

enum target_cv_kind { TARGET_CV_NONE, TARGET_CV_RSDS, TARGET_CV_NB10 };

struct target_version_info { /* VS_FIXEDFILEINFO */
    uint32_t signature, struct_version;
    uint32_t file_version_ms, file_version_ls;
    uint32_t product_version_ms, product_version_ls;
    uint32_t file_flags_mask, file_flags, file_os, file_type, file_subtype;
    uint32_t file_date_ms, file_date_ls;
};

struct target_module {
    uint64_t base;
    uint64_t size;
    uint32_t checksum;
    uint32_t timestamp;
    const char *path; /* image path as recorded in the dump */
    const char *name; /* module name WinDbg shows: file name without extension */
    bool has_version;
    struct target_version_info version;
    enum target_cv_kind cv_kind;
    uint8_t pdb_guid[16]; /* RSDS, in the on-disk (mixed-endian GUID) byte order */
    uint32_t pdb_age;
    uint32_t pdb_signature; /* NB10 */
    const char *pdb_name;   /* NULL when no CodeView record */
};

struct target_unloaded_module {
    uint64_t base;
    uint64_t size;
    uint32_t checksum;
    uint32_t timestamp;
    const char *name;
};

#define TARGET_EXCEPTION_MAX_PARAMS 15

struct target_exception {
    uint32_t thread_id;
    uint32_t code;
    uint32_t flags;
    uint64_t record; /* address of a chained EXCEPTION_RECORD */
    uint64_t address;
    uint32_t num_params; /* as stored in the dump (may exceed 15: then clamped) */
    uint64_t params[TARGET_EXCEPTION_MAX_PARAMS];
    const uint8_t *context; /* exception CONTEXT; NULL when missing */
    uint32_t context_size;
};

/* One MemoryInfoList entry (MINIDUMP_MEMORY_INFO). */
struct target_region {
    uint64_t base, allocation_base, size;
    uint32_t allocation_protect, state, protect, type;
};

struct target_handle {
    uint64_t handle;
    const char *type_name;   /* NULL when absent */
    const char *object_name; /* NULL when absent */
    uint32_t attributes, granted_access, handle_count, pointer_count;
};

/* A stream or block in the file, for listing what the dump holds. */
struct target_stream {
    uint32_t type;
    const char *name; /* "ThreadListStream", or NULL when unknown */
    uint64_t offset, size;
};

/* A key/value annotation (Crashpad module annotations, Breakpad assertion...). */
struct target_annotation {
    const char *source; /* e.g. "crashpad:module.dll", "breakpad:assertion" */
    const char *key;
    const char *value;
};

/*
 * Kernel dumps: the DUMP_HEADER32/64 fields (and triage header facts) that .bugcheck, vertarget
 * and !analyze show. All zero for user-mode dumps.
 */
struct target_kernel {
    uint32_t dump_type;         /* DUMP_HEADER DumpType: 1 full, 2 kernel, 4 triage, 5 bitmap... */
    const char *dump_type_text; /* e.g. "Kernel Bitmap Dump File: Kernel address space is available" */
    uint32_t machine_image_type; /* IMAGE_FILE_MACHINE_* */
    uint32_t major_version;     /* 0xf free build, 0xc checked build */
    uint32_t minor_version;     /* the build number, e.g. 19041 */
    uint32_t number_processors;
    uint32_t bugcheck_code;
    uint64_t bugcheck_params[4];
    uint64_t directory_table_base; /* CR3 (x86/x64) or TTBR (ARM64) of the crashing process */
    bool pae_enabled;              /* x86 only */
    uint64_t pfn_database, ps_loaded_module_list, ps_active_process_head;
    uint64_t kd_debugger_data_block; /* virtual address of KDDEBUGGER_DATA64 (may be encoded) */
    const uint8_t *kdbg_copy;        /* triage: the copy of KDDEBUGGER_DATA64 in the file; NULL when absent */
    size_t kdbg_copy_size;
    uint64_t system_time;    /* FILETIME of the crash */
    uint64_t system_up_time; /* 100 ns units since boot; 0 when not recorded */
    uint32_t product_type, suite_mask;
    uint64_t top_of_stack;   /* triage: where the saved call stack begins; 0 otherwise */
    uint64_t pte_base;       /* virtual address of the PTE self-map (MmPteBase); 0 = unknown */
    /* Filled by the kernel-dump reader (dump/kdmp/): */
    const char *system_text; /* `||` wording: "64-bit Kernel triage dump" */
    uint64_t kernel_base;    /* nt's base from the KDDEBUGGER_DATA64 copy (triage); 0 = unknown */
    const uint8_t *header_context; /* the header's ContextRecord (CPU's CONTEXT); NULL if none */
    uint32_t header_context_size;
    /* The header's EXCEPTION_RECORD (KeBugCheckEx's breakpoint); context = header_context. */
    bool has_header_exception;
    struct target_exception header_exception;
};

struct target;

struct target_ops {
    /*
     * Reads up to N bytes at virtual address ADDR into BUF; sets ret_read to the
     * count of bytes read contiguously from ADDR. Returns NULL when all N were read,
     * else a DD_ERR_MEMORY error whose address is the first missing byte.
     */
    struct dd_error *(*read_virtual)(struct target *t, uint64_t addr, void *buf, size_t n,
                                     size_t *ret_read);
    /* Frees format-specific state; may be NULL. */
    void (*destroy)(struct target *t);
    /*
     * Kernel dumps: reads physical memory like read_virtual (DD_ERR_MEMORY error at the first
     * missing byte). NULL for formats without physical memory.
     */
    struct dd_error *(*read_physical)(struct target *t, uint64_t addr, void *buf, size_t n,
                                      size_t *ret_read);
};

/*
 * Supplies target bytes the dump lacks from another source (a module's image file): copies up
 * to N bytes at ADDR into BUF and returns how many, 0 when it has none there.
 */
typedef size_t (*target_fallback_read_fn)(void *ctx, uint64_t addr, void *buf, size_t n);

struct target {
    const struct target_ops *ops;
    void *impl; /* format-specific state */
    /* Where target_read turns for bytes the dump lacks (NULL: nowhere); set by the symbol layer. */
    target_fallback_read_fn fallback_read;
    void *fallback_ctx;
    const char *format_name; /* "minidump" */
    enum target_kind kind;
    const char *kind_text; /* e.g. "User Mini Dump File: Only registers, stack and portions of memory are available" */
    struct dd_mapfile file;
    struct dd_arena arena;

    struct target_sysinfo sys;
    struct target_process proc;
    uint32_t dump_flags; /* minidump header Flags */

    struct target_thread *threads;
    size_t nthreads;
    struct target_module *modules; /* sorted by base */
    size_t nmodules;
    const char *main_image_path; /* the process image (first module listed); NULL if unknown */
    struct target_unloaded_module *unloaded;
    size_t nunloaded;
    bool has_exception;
    struct target_exception exception;
    struct target_region *regions; /* sorted by base */
    size_t nregions;
    struct target_handle *handles;
    size_t nhandles;
    const char **comments; /* CommentStreamA/W, UTF-8 */
    size_t ncomments;
    struct target_stream *streams;
    size_t nstreams;
    struct target_annotation *annotations;
    size_t nannotations;
    /* Problems in a file that still opened (a range cut short, a name that cannot be read, a
     * count clamped), in the order found; the reader keeps the first few and counts the rest. */
    const char *const *warnings;
    size_t nwarnings;
    size_t warnings_dropped;
    /* Breakpad: thread that wrote the dump and thread that requested it (0 = none). */
    bool has_breakpad_info;
    uint32_t breakpad_dump_thread, breakpad_requesting_thread;

    struct dd_memmap memory; /* captured memory ranges */

    struct target_kernel kernel; /* kind == TARGET_KERNEL only */
};

/* Opens the dump at PATH with whichever format reader recognises it; sets ret. */
struct dd_error *target_open(const char *path, struct target **ret);
/* Frees T and everything it owns; NULL is a no-op. */
void target_destroy(struct target *t);

/* See target_ops.read_virtual. */
struct dd_error *target_read(struct target *t, uint64_t addr, void *buf, size_t n,
                             size_t *ret_read);
/*
 * Reads N bytes at ADDR into BUF across holes: OK[i] says whether byte i is in the dump (missing
 * bytes read as 0), for displays that show "??" per byte.
 */
void target_read_marked(struct target *t, uint64_t addr, uint8_t *buf, bool *ok, size_t n);
/* Reads exactly N bytes or fails (no partial result). */
struct dd_error *target_read_exact(struct target *t, uint64_t addr, void *buf, size_t n);
/* Reads physical memory (kernel dumps); a DD_ERR_MEMORY error when the target has none there. */
struct dd_error *target_read_physical(struct target *t, uint64_t addr, void *buf, size_t n,
                                      size_t *ret_read);

/* Returns the module containing ADDR, or NULL. */
const struct target_module *target_module_by_addr(const struct target *t, uint64_t addr);
/* Returns the index of the thread with id TID, or -1. */
long target_thread_by_tid(const struct target *t, uint32_t tid);
/* Pointer size of the target's native CPU in bytes (4 or 8). */
unsigned target_ptr_size(const struct target *t);

#endif
