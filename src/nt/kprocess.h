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

#endif
