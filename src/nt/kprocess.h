/*
 * Kernel processes: EPROCESS records on the PsActiveProcessHead chain (ActiveProcessLinks), each
 * read field by field so a partly captured EPROCESS (triage and kernel dumps) shows what is there.
 */
#ifndef DD_NT_KPROCESS_H
#define DD_NT_KPROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "nt/kernel.h"
#include "nt/kmodules.h"

/* Bits of nt_process.have: which fields were read. */
enum {
    NT_PROC_PID = 1u << 0,
    NT_PROC_PARENT_PID = 1u << 1,
    NT_PROC_DTB = 1u << 2,
    NT_PROC_PEB = 1u << 3,
    NT_PROC_OBJECT_TABLE = 1u << 4,
    NT_PROC_SESSION = 1u << 5,    /* the Session pointer (0: no session, "SessionId: none") */
    NT_PROC_SESSION_ID = 1u << 6, /* MM_SESSION_SPACE.SessionId behind it */
    NT_PROC_HANDLE_COUNT = 1u << 7,
    NT_PROC_IMAGE_NAME = 1u << 8,
    NT_PROC_CREATE_TIME = 1u << 9,
    NT_PROC_ACTIVE_THREADS = 1u << 10,
    NT_PROC_WOW64 = 1u << 11,
};

struct nt_process {
    uint64_t eprocess;
    uint32_t have; /* NT_PROC_* */
    uint64_t pid, parent_pid;
    uint64_t dtb; /* Pcb.DirectoryTableBase (CR3 value, flag bits included) */
    uint64_t peb, object_table, session, wow64;
    uint64_t create_time; /* FILETIME */
    uint32_t session_id, handle_count, active_threads;
    char image_name[16]; /* ImageFileName: up to 15 characters, NUL-terminated */
};

/* Bits of nt_process_stats.have. */
enum {
    NT_PSTAT_VADS = 1u << 0,      /* vad_root and vad_count */
    NT_PSTAT_PAGES = 1u << 1,     /* clone_root, private, modified and locked pages */
    NT_PSTAT_DEVICE_MAP = 1u << 2,
    NT_PSTAT_TOKEN = 1u << 3,
    NT_PSTAT_TIMES = 1u << 4,     /* user_time and kernel_time (clock ticks) */
    NT_PSTAT_WORKING_SET = 1u << 5, /* ws_size, ws_min and ws_max (pages) */
    NT_PSTAT_PEAK_WORKING_SET = 1u << 6,
    NT_PSTAT_VIRTUAL_SIZE = 1u << 7,
    NT_PSTAT_PEAK_VIRTUAL_SIZE = 1u << 8,
    NT_PSTAT_PAGE_FAULTS = 1u << 9,
    NT_PSTAT_BASE_PRIORITY = 1u << 10,
    NT_PSTAT_COMMIT_CHARGE = 1u << 11,
    NT_PSTAT_QUOTA = 1u << 12,           /* quota_paged and quota_nonpaged (bytes) */
    NT_PSTAT_MEMORY_PRIORITY = 1u << 13,
};
/* PS_QUOTA_TYPE (the WRK's ps.h): the index of each pool in EPROCESS.ProcessQuotaUsage. */
#define NT_PS_NON_PAGED_POOL 0u
#define NT_PS_PAGED_POOL 1u

/* The statistics !process shows with flag 1, as far as the layout and the dump have them. */
struct nt_process_stats {
    uint32_t have; /* NT_PSTAT_* */
    uint64_t vad_root, vad_count, clone_root, private_pages, modified_pages, locked_pages;
    uint64_t device_map, token; /* token: the EX_FAST_REF's object, reference bits cleared */
    uint32_t user_time, kernel_time;
    uint64_t ws_size, ws_min, ws_max, ws_peak; /* pages */
    uint64_t virtual_size, peak_virtual_size;  /* bytes */
    uint32_t page_faults;
    int8_t base_priority;
    uint64_t commit_charge; /* pages */
    uint64_t quota_paged, quota_nonpaged;
    uint8_t memory_priority; /* MMSUPPORT_FLAGS.MemoryPriority */
};

/* Reads the statistics of the EPROCESS at EPROCESS into ret (have = 0 when none is known). */
void nt_process_read_stats(struct nt_kernel *k, uint64_t eprocess, struct nt_process_stats *ret);

struct nt_process_list {
    struct nt_process *items; /* malloc'd; free with nt_process_list_free */
    size_t count;
    struct nt_list_status status;
};

/*
 * Reads the EPROCESS at EPROCESS into ret, each field that the layout knows and the dump holds.
 * DD_ERR_NOT_FOUND when the layout knows none of them.
 */
struct dd_error *nt_process_read(struct nt_kernel *k, uint64_t eprocess, struct nt_process *ret);
/*
 * Walks PsActiveProcessHead into ret (entries minus ActiveProcessLinks' offset are EPROCESSes).
 * DD_ERR_NOT_FOUND when the head or ActiveProcessLinks' offset is unknown; a walk cut short by a
 * loop or a broken link is reported in ret->status, not as an error.
 */
struct dd_error *nt_processes_list(struct nt_kernel *k, struct nt_process_list *ret);
/* Frees L's items; a zeroed L is a no-op. */
void nt_process_list_free(struct nt_process_list *l);
/* Returns the process of L whose pid is PID, or NULL. */
const struct nt_process *nt_process_list_find_pid(const struct nt_process_list *l, uint64_t pid);

/*
 * PEB.Ldr and PEB_LDR_DATA.InLoadOrderModuleList (winternl.h and every ntdll PDB since NT4: Ldr
 * at PEB+0x18 / +0xc, the list at PEB_LDR_DATA+0x10 / +0xc for 64 / 32-bit processes); entries
 * are LDR_DATA_TABLE_ENTRY with InLoadOrderLinks first, DllBase, SizeOfImage, FullDllName and
 * BaseDllName where the kernel's KLDR_DATA_TABLE_ENTRY has them (layout NT_LDR_*).
 */
#define NT_PEB64_LDR 0x18u
#define NT_PEB32_LDR 0x0cu
#define NT_PEB_LDR64_IN_LOAD_ORDER 0x10u
#define NT_PEB_LDR32_IN_LOAD_ORDER 0x0cu
/*
 * LDR_DATA_TABLE_ENTRY32 (a WoW64 process's 32-bit loader entries, the 32-bit ntdll's layout:
 * three LIST_ENTRY32 links, DllBase, EntryPoint, SizeOfImage, then UNICODE_STRING32 FullDllName
 * and BaseDllName; the same prefix as layout_builtin.c's [KLDR] 32-bit offsets).
 */
#define NT_LDR32_DLL_BASE 0x18u
#define NT_LDR32_SIZE_OF_IMAGE 0x20u
#define NT_LDR32_FULL_DLL_NAME 0x24u
#define NT_LDR32_BASE_DLL_NAME 0x2cu
/* A process's loader list is walked at most this far. */
#define NT_USER_MODULES_MAX 4096

/*
 * Walks the user-mode loader list of process P (its PEB, read in the address space the target
 * translates through now: switch to P's DirectoryTableBase first) into ret, in load order.
 * DD_ERR_NOT_FOUND when P has no PEB, DD_ERR_MEMORY when the PEB or its Ldr is not in the dump;
 * a walk cut short (unreadable or looping link) ends the list and shows in ret->status.
 */
struct dd_error *nt_process_user_modules(struct nt_kernel *k, const struct nt_process *p,
                                         struct nt_kmodule_list *ret);
/*
 * Sets ret to the 32-bit PEB of WoW64 process P (x64 kernels): EPROCESS.WoW64Process names an
 * EWOW64PROCESS whose Peb comes first (Windows 10 PDBs), or, below 4 GB, the PEB32 itself.
 * DD_ERR_NOT_FOUND when P is not a WoW64 process, DD_ERR_MEMORY when the EWOW64PROCESS is not
 * in the dump.
 */
struct dd_error *nt_process_wow64_peb(struct nt_kernel *k, const struct nt_process *p,
                                      uint64_t *ret);
/* Like nt_process_user_modules for the 32-bit loader list of WoW64 process P (PEB32.Ldr at
 * +0xc, InLoadOrderModuleList at +0xc, LDR_DATA_TABLE_ENTRY32); errors as nt_process_wow64_peb. */
struct dd_error *nt_process_wow64_modules(struct nt_kernel *k, const struct nt_process *p,
                                          struct nt_kmodule_list *ret);

#endif
