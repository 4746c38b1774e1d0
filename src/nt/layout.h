/*
 * The NT structure offsets the kernel walkers need, each resolved on its own from the best
 * source that has it, in this order:
 *   1. the ntoskrnl PDB's types (TPI), when the caller has them open;
 *   2. a Volatility ISF type file for that PDB (isf.h);
 *   3. the Offset* and Size* fields of KdDebuggerDataBlock (kdbg.h);
 *   4. built-in tables: the loader entry (stable for a pointer size) and whole builds (layout_builtin.c).
 * A field no source knows stays NT_OFF_NONE; readers then report it as unavailable.
 */
#ifndef DD_NT_LAYOUT_H
#define DD_NT_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "core/target.h"

struct pdb_types;
struct isf;
struct kdbg;

/* Offsets the walkers use. Each has a type path ("_EPROCESS.Pcb.DirectoryTableBase"). */
enum nt_field {
    /* _EPROCESS */
    NT_EPROCESS_SIZE,
    NT_EPROCESS_DIRECTORY_TABLE_BASE,
    NT_EPROCESS_UNIQUE_PROCESS_ID,
    NT_EPROCESS_ACTIVE_PROCESS_LINKS,
    NT_EPROCESS_CREATE_TIME,
    NT_EPROCESS_INHERITED_FROM_UNIQUE_PROCESS_ID,
    NT_EPROCESS_PEB,
    NT_EPROCESS_SESSION,
    NT_EPROCESS_OBJECT_TABLE,
    NT_EPROCESS_IMAGE_FILE_NAME,
    NT_EPROCESS_THREAD_LIST_HEAD,
    NT_EPROCESS_ACTIVE_THREADS,
    NT_EPROCESS_WOW64_PROCESS,
    NT_MM_SESSION_SPACE_SESSION_ID,
    NT_HANDLE_TABLE_HANDLE_COUNT,
    /* _EPROCESS statistics (!process flag 1) */
    NT_EPROCESS_VAD_ROOT,
    NT_EPROCESS_VAD_COUNT,
    NT_EPROCESS_CLONE_ROOT,
    NT_EPROCESS_PRIVATE_PAGES,
    NT_EPROCESS_MODIFIED_PAGES,
    NT_EPROCESS_LOCKED_PAGES,
    NT_EPROCESS_DEVICE_MAP,
    NT_EPROCESS_TOKEN,
    NT_EPROCESS_USER_TIME,
    NT_EPROCESS_KERNEL_TIME,
    NT_EPROCESS_BASE_PRIORITY,
    NT_EPROCESS_WORKING_SET_SIZE,
    NT_EPROCESS_MIN_WORKING_SET_SIZE,
    NT_EPROCESS_MAX_WORKING_SET_SIZE,
    NT_EPROCESS_PEAK_WORKING_SET_SIZE,
    NT_EPROCESS_PAGE_FAULT_COUNT,
    NT_EPROCESS_VIRTUAL_SIZE,
    NT_EPROCESS_PEAK_VIRTUAL_SIZE,
    NT_EPROCESS_COMMIT_CHARGE,
    NT_EPROCESS_QUOTA_USAGE,     /* SIZE_T [PsQuotaTypes], indexed by PS_QUOTA_TYPE */
    NT_EPROCESS_MEMORY_PRIORITY, /* Vm's MMSUPPORT_FLAGS.MemoryPriority */
    /* _KTHREAD / _ETHREAD */
    NT_ETHREAD_SIZE,
    NT_KTHREAD_INITIAL_STACK,
    NT_KTHREAD_STACK_LIMIT,
    NT_KTHREAD_STACK_BASE,
    NT_KTHREAD_KERNEL_STACK,
    NT_KTHREAD_STATE,
    NT_KTHREAD_WAIT_REASON,
    NT_KTHREAD_WAIT_MODE,
    NT_KTHREAD_WAIT_IRQL,
    NT_KTHREAD_ALERTABLE,
    NT_KTHREAD_TEB,
    NT_KTHREAD_APC_STATE_PROCESS,
    NT_KTHREAD_PROCESS,
    NT_KTHREAD_NEXT_PROCESSOR,
    NT_KTHREAD_IDEAL_PROCESSOR,
    NT_KTHREAD_PRIORITY,
    NT_KTHREAD_BASE_PRIORITY,
    NT_KTHREAD_PRIORITY_DECREMENT,
    NT_KTHREAD_WAIT_TIME,
    NT_KTHREAD_CONTEXT_SWITCHES,
    NT_KTHREAD_KERNEL_TIME,
    NT_KTHREAD_USER_TIME,
    NT_KTHREAD_WIN32_THREAD,
    NT_KTHREAD_TRAP_FRAME,
    NT_ETHREAD_CID,
    NT_ETHREAD_THREAD_LIST_ENTRY,
    NT_ETHREAD_START_ADDRESS,
    NT_ETHREAD_WIN32_START_ADDRESS,
    NT_ETHREAD_IO_PRIORITY,
    NT_ETHREAD_PAGE_PRIORITY,
    /* _KPCR / _KPRCB */
    NT_KPCR_NT_TIB,
    NT_KPCR_SELF,
    NT_KPCR_CURRENT_PRCB,
    NT_KPCR_IRQL,
    NT_KPCR_MAJOR_VERSION,
    NT_KPCR_MINOR_VERSION,
    NT_KPCR_PRCB,
    NT_KPRCB_SIZE,
    NT_KPRCB_CURRENT_THREAD,
    NT_KPRCB_NEXT_THREAD,
    NT_KPRCB_IDLE_THREAD,
    NT_KPRCB_NUMBER,
    NT_KPRCB_GROUP,
    NT_KPRCB_GROUP_INDEX,
    NT_KPRCB_GROUP_SET_MEMBER,
    NT_KPRCB_CPU_TYPE,
    NT_KPRCB_CPU_STEP,
    NT_KPRCB_MHZ,
    NT_KPRCB_VENDOR_STRING,
    NT_KPRCB_CONTEXT_FRAME,
    NT_KPRCB_CONTEXT,
    NT_KPRCB_DEBUGGER_SAVED_IRQL,
    NT_KPRCB_INTERRUPT_COUNT,
    NT_KPRCB_KERNEL_TIME,
    NT_KPRCB_USER_TIME,
    NT_KPRCB_DPC_TIME,
    NT_KPRCB_INTERRUPT_TIME,
    /* _KLDR_DATA_TABLE_ENTRY (PsLoadedModuleList entries) */
    NT_LDR_DLL_BASE,
    NT_LDR_SIZE_OF_IMAGE,
    NT_LDR_FULL_DLL_NAME,
    NT_LDR_BASE_DLL_NAME,
    NT_FIELD_COUNT
};

#define NT_OFF_NONE UINT32_MAX

enum nt_layout_source {
    NT_SOURCE_NONE,
    NT_SOURCE_PDB,
    NT_SOURCE_ISF,
    NT_SOURCE_KDBG,
    NT_SOURCE_BUILTIN,
};

/*
 * Resolved offsets: off[f] from the start of the field's outer type (NT_OFF_NONE when unknown);
 * width[f] its size in bytes (for *_SIZE fields the structure size, which off[] also holds);
 * bit_len[f] non-zero for a bitfield at bit bit_pos[f] of the width[f]-byte unit at off[f].
 */
struct nt_layout {
    unsigned ptr_size;
    uint32_t off[NT_FIELD_COUNT];
    uint32_t width[NT_FIELD_COUNT];
    uint8_t bit_pos[NT_FIELD_COUNT];
    uint8_t bit_len[NT_FIELD_COUNT];
    uint8_t source[NT_FIELD_COUNT]; /* enum nt_layout_source */
};

/* Everything a layout may come from; any member may be NULL/0. */
struct nt_layout_sources {
    struct pdb_types *pdb;   /* ntoskrnl's TPI stream */
    struct isf *isf;         /* an ISF file for ntoskrnl's PDB */
    const struct kdbg *kdbg; /* the decoded debugger data block */
    enum dd_cpu cpu;         /* picks the pointer size and built-in tables */
    uint32_t build;          /* NT build number (e.g. 19041), 0 when unknown */
};

/* One answer of a type source: offset (or size for a bare TYPE), width and bitfield. */
struct nt_layout_hit {
    uint64_t offset;
    uint64_t width;
    uint32_t bit_pos, bit_len;
};

/* Fills ret from SRC, field by field, in the order of preference above. */
void nt_layout_resolve(const struct nt_layout_sources *src, struct nt_layout *ret);
/* Initializes ret with every field unknown, for tests and hand-built layouts. */
void nt_layout_init(struct nt_layout *ret, unsigned ptr_size);
/* Sets field F of L from a hand-made value (source BUILTIN); a zero WIDTH means pointer size. */
void nt_layout_set(struct nt_layout *l, enum nt_field f, uint32_t off, uint32_t width);

/* True when field F is known. */
static inline bool nt_layout_has(const struct nt_layout *l, enum nt_field f)
{
    return l->off[f] != NT_OFF_NONE;
}

/* The type path of field F ("_KTHREAD.ApcState.Process"); alternatives are separated by '|'. */
const char *nt_field_path(enum nt_field f);
/* "PDB", "ISF", "KDBG", "built-in" or "none". */
const char *nt_layout_source_name(enum nt_layout_source s);

/*
 * Looks PATH ("TYPE" for its size, "TYPE.a.b" for a field; '|' separates alternatives, the first
 * that resolves wins) up in an ISF / in PDB types. DD_ERR_NOT_FOUND when absent.
 */
struct dd_error *nt_layout_isf_lookup(struct isf *isf, const char *path, struct nt_layout_hit *ret);
struct dd_error *nt_layout_pdb_lookup(struct pdb_types *types, const char *path,
                                      struct nt_layout_hit *ret);

/*
 * The built-in value of field F for CPU and BUILD (whole-build tables, then the pointer-size
 * stable ones); false when there is none. Every number in the tables cites its source.
 */
bool nt_layout_builtin(enum dd_cpu cpu, uint32_t build, enum nt_field f, struct nt_layout_hit *ret);

#endif
