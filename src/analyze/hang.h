/*
 * Hang analysis of a user-mode dump: the critical sections of the process (ntdll's
 * RTL_CRITICAL_SECTION and the debug-info list that links them), what each thread waits for
 * and who owns it, and the wait chains and deadlock cycles between threads. hang_analyze
 * builds a struct hang_report; !cs and !locks (ext/ext_locks.c), `!analyze -hang` and the
 * hang patterns read it.
 *
 * Layouts: RTL_CRITICAL_SECTION and RTL_CRITICAL_SECTION_DEBUG as winnt.h declares them (the
 * x86 and x64 offsets are spelled out in hang_cs.c); when ntdll's PDB is loaded its type
 * records give the offsets instead (pdb/tpi.h).
 */
#ifndef DD_ANALYZE_HANG_H
#define DD_ANALYZE_HANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"

struct session;

/* --- critical sections (hang_cs.c) ------------------------------------------------------ */

/* Field offsets of RTL_CRITICAL_SECTION and RTL_CRITICAL_SECTION_DEBUG for one pointer size. */
struct hang_cs_layout {
    unsigned ptr_size;
    uint32_t size; /* sizeof(RTL_CRITICAL_SECTION) */
    uint32_t debug_info, lock_count, recursion_count, owning_thread, lock_semaphore, spin_count;
    uint32_t debug_size; /* sizeof(RTL_CRITICAL_SECTION_DEBUG) */
    uint32_t dbg_type, dbg_creator_index, dbg_critical_section, dbg_locks_list;
    uint32_t dbg_entry_count, dbg_contention_count;
    bool from_pdb; /* the offsets come from ntdll's PDB */
};

/* What LockCount means on the dump's system. */
enum hang_cs_style {
    /* Windows XP/2003 RTM and Wine: -1 when free, else the entries (owner's recursion and the
       waiters) minus one. */
    HANG_CS_STYLE_COUNT,
    /* Windows Server 2003 SP1 and later: bit 0 clear = locked, bit 1 clear = a waiter was
       woken, the other bits the ones-complement of the number of waiters ("Displaying a
       Critical Section", debugger documentation). */
    HANG_CS_STYLE_BITS,
};

/* How a critical section was found (bits of hang_cs.found). */
#define HANG_FOUND_LIST 0x1u    /* ntdll!RtlCriticalSectionList */
#define HANG_FOUND_WAIT 0x2u    /* a thread waits for it */
#define HANG_FOUND_STACK 0x4u   /* a pointer on a thread's stack, owned by a thread of the dump */
#define HANG_FOUND_ADDRESS 0x8u /* named by the user (!cs ADDR) */

struct hang_cs {
    uint64_t address;
    uint64_t debug_info;
    int32_t lock_count, recursion_count;
    uint64_t owning_thread; /* the owner's thread id */
    uint64_t lock_semaphore, spin_count;
    bool locked;
    bool waiter_woken;
    uint32_t waiters; /* threads waiting, from LockCount */
    long owner;       /* index into target->threads, -1 when no thread of the dump owns it */
    bool has_debug;   /* the DebugInfo block was read */
    uint16_t debug_type, creator_back_trace_index;
    uint32_t entry_count, contention_count;
    uint64_t debug_cs; /* the DebugInfo block's CriticalSection back-pointer */
    unsigned found;    /* HANG_FOUND_* */
};

/* Sets ret to the layout for the session's process: ntdll's PDB types when loaded, else the
 * winnt.h offsets for its pointer size. */
void hang_cs_layout_get(struct session *s, struct hang_cs_layout *ret);
struct pdb_types;
/* Sets ret to the layout the PDB type records _RTL_CRITICAL_SECTION and
 * _RTL_CRITICAL_SECTION_DEBUG of TYPES give (PTR_SIZE 4 or 8); false when one is missing or a
 * field does not fit its block. */
bool hang_cs_layout_from_types(struct pdb_types *types, unsigned ptr_size,
                               struct hang_cs_layout *ret);
/* The LockCount meaning for the dump's system (Wine counts XP-style). */
enum hang_cs_style hang_cs_style_get(struct session *s);
/* Reads and decodes the critical section at ADDR into ret (DebugInfo too when readable).
 * DD_ERR_MEMORY when the section itself is not in the dump. */
struct dd_error *hang_cs_read(struct session *s, const struct hang_cs_layout *l,
                              enum hang_cs_style style, uint64_t addr, struct hang_cs *ret);
/* True when CS looks like a critical section some thread of the dump holds: the owner is a
 * thread of the dump, the recursion count and the lock count agree, DebugInfo is a pointer. */
bool hang_cs_plausible_locked(const struct hang_cs *cs, unsigned ptr_size);

/* --- bounded list walks (hang_list.c) ------------------------------------------------------ */

enum hang_list_stop {
    HANG_LIST_END,  /* back at the head: the whole list was walked */
    HANG_LIST_LOOP, /* an entry came round again without reaching the head */
    HANG_LIST_CAP,  /* the entry limit was reached */
    HANG_LIST_READ, /* a link could not be read (stop_address: where) */
    HANG_LIST_NULL, /* a link was NULL (stop_address: the entry holding it) */
};

struct hang_list_walk {
    size_t count; /* entries visited (the head not counted) */
    enum hang_list_stop stop;
    uint64_t stop_address;
};

/* Reads the pointer at ADDR into ret; false when it is not in the dump. */
typedef bool (*hang_read_ptr_fn)(void *ctx, uint64_t addr, uint64_t *ret);

/*
 * Walks the doubly linked LIST_ENTRY list whose head is at HEAD through its Flink pointers
 * (the first field), calling VISIT (may be NULL) with each entry's address, at most CAP
 * entries, and sets ret to how it ended. Every entry is visited once: a list that loops
 * without coming back to the head ends with HANG_LIST_LOOP. Errors only for lack of memory.
 */
struct dd_error *hang_list_walk(hang_read_ptr_fn read, void *read_ctx, uint64_t head, size_t cap,
                                void (*visit)(void *ctx, uint64_t entry), void *visit_ctx,
                                struct hang_list_walk *ret);
/* "end", "loop", "limit", "unreadable link", "NULL link". */
const char *hang_list_stop_name(enum hang_list_stop stop);

/* --- wait graph (hang_graph.c) --------------------------------------------------------- */

/*
 * Finds the cycles of the "waits for" graph where node i waits for node NEXT[i] (-1: for no
 * node of the graph), N nodes. Sets CYCLE_OF[i] to the cycle number node i is on (-1 when on
 * none) and returns how many cycles there are. A node waiting for itself is a cycle of one.
 */
size_t hang_cycles_find(const long *next, size_t n, long *cycle_of);
/*
 * Writes the members of cycle C (from hang_cycles_find) into RET in waiting order, starting at
 * the lowest index (RET holds at least N); returns how many.
 */
size_t hang_cycle_members(const long *next, const long *cycle_of, size_t n, long c, size_t *ret);
/* Follows NEXT from START to where the chain ends (a node that waits for no node, or the first
 * node of a cycle reached); returns that node and sets ret_length to the edges followed. */
size_t hang_chain_end(const long *next, size_t n, size_t start, size_t *ret_length);

/* --- per-thread waits and the report (hang_wait.c, hang_analyze.c) ------------------------- */

enum hang_wait_kind {
    HANG_WAIT_NONE,         /* not blocked in a known wait (or nothing could be read) */
    HANG_WAIT_RUNNING,      /* executing code outside the system modules */
    HANG_WAIT_CRITSEC,      /* EnterCriticalSection */
    HANG_WAIT_OBJECT,       /* WaitForSingleObject(Ex) */
    HANG_WAIT_OBJECTS,      /* WaitForMultipleObjects(Ex), MsgWaitForMultipleObjects(Ex) */
    HANG_WAIT_SLEEP,        /* Sleep(Ex), NtDelayExecution */
    HANG_WAIT_MESSAGE_BOX,  /* MessageBox and friends: a modal message box */
    HANG_WAIT_DIALOG,       /* DialogBox*: a modal dialog */
    HANG_WAIT_MESSAGE_LOOP, /* GetMessage/WaitMessage: a thread waiting for window messages */
    HANG_WAIT_SRWLOCK,      /* AcquireSRWLock*, SleepConditionVariable* */
    HANG_WAIT_SYSCALL,      /* inside a system module, kind unknown */
};

struct hang_frame {
    uint64_t ip, sp;
    uint64_t return_address;
    uint64_t ret_slot; /* where the return address was read from; 0 when unknown */
    long module;       /* index into target->modules, -1 */
    bool system;
    bool scanned;         /* found by a stack scan: its return address may be stale */
    const char *function; /* "ntdll!RtlpWaitOnCriticalSection", "mod!f+0x12", "mod+0x1234" */
};

struct hang_thread {
    size_t index; /* into target->threads */
    uint32_t tid;
    struct hang_frame *frames; /* in the report's arena */
    size_t nframes;
    enum hang_wait_kind kind;
    const char *api;       /* the blocking API as named by a frame or the caller's call site */
    long caller_frame;     /* the first frame outside the system modules, -1 */
    const char *call_site; /* that frame's call instruction, as `u` prints it, or NULL */
    bool has_object;
    uint64_t object;             /* critical section address, handle, or MSGBOXPARAMS */
    const char *object_evidence; /* how the object was found */
    bool has_timeout;
    uint64_t timeout; /* milliseconds; 0xffffffff INFINITE */
    const char *text; /* message box / dialog: the text, caption (UTF-8) */
    const char *caption;
    uint64_t text_address, caption_address;
    long waits_for; /* index into report.threads of the owner waited for, -1 */
    long cs;        /* index into report.cs of the section waited for, -1 */
    long cycle;     /* deadlock cycle number, -1 */
    bool has_times;
    uint64_t user_time, kernel_time; /* ThreadInfoList, 100 ns units */
};

/* What a hang verdict blames, in the words of WinDbg's hang buckets. */
enum hang_class {
    HANG_CLASS_NONE,             /* no thread is blocked */
    HANG_CLASS_DEADLOCK,         /* threads wait for each other in a cycle */
    HANG_CLASS_MESSAGE_BOX,      /* a chain of waits ends at a thread in a message box / dialog */
    HANG_CLASS_CRITICAL_SECTION, /* threads wait for a lock a thread holds */
    HANG_CLASS_BUSY,             /* a chain ends at a thread that runs (or only a thread runs) */
    HANG_CLASS_WAIT,             /* threads wait for objects (events, handles, time) */
};

struct hang_report {
    struct dd_arena arena;
    struct hang_cs_layout layout;
    enum hang_cs_style style;
    struct hang_cs *cs; /* sorted by address unless from the list (list order) */
    size_t ncs, cs_cap;
    bool has_list; /* ntdll!RtlCriticalSectionList was found */
    uint64_t list_head;
    struct hang_list_walk list;
    struct hang_thread *threads; /* one per thread of the dump, in thread-list order */
    size_t nthreads;
    size_t ncycles;
    enum hang_class cls;
    long blocking; /* the thread the others wait for (index into threads), -1 */
    long blocked;  /* threads waiting for another thread */
    const char **notes;
    size_t nnotes, notes_cap;
    /* Sections left out because cs was full (HANG_MAX_CS): their addresses (up to HANG_MAX_CS
     * of them, to count each once) and how many there were. */
    uint64_t *cs_dropped;
    size_t ncs_dropped;
};

/* Cap on critical sections gathered and on list entries walked (a corrupt list ends there). */
#define HANG_MAX_CS 4096u

/*
 * Analyzes the dump behind S: gathers its critical sections, walks every thread's stack to
 * find what it waits for, links waits to owners and finds cycles. Sets ret (free with
 * hang_report_destroy). The session's thread and context are left as they were. Errors only
 * for lack of memory.
 */
struct dd_error *hang_analyze(struct session *s, struct hang_report **ret);
/* Frees R; NULL is a no-op. */
void hang_report_destroy(struct hang_report *r);

/* Adds the section at ADDR (FOUND bits) to R unless present; returns its index, -1 when it
 * cannot be read. Errors only for lack of memory. */
struct dd_error *hang_report_add_cs(struct session *s, struct hang_report *r, uint64_t addr,
                                    unsigned found, long *ret);

/* Walks thread IDX's stack into TH (frames and symbols only). Errors only for lack of memory. */
struct dd_error *hang_thread_walk(struct session *s, struct hang_report *r, size_t idx,
                                  struct hang_thread *th);
/* Works out what TH (walked) waits for (hang_wait.c). Errors only for lack of memory. */
struct dd_error *hang_thread_classify(struct session *s, struct hang_report *r,
                                      struct hang_thread *th);

/* "Critical Section", "Wait", "Message Box" ... for the wait chain's WaitType column. */
const char *hang_wait_kind_name(enum hang_wait_kind k);
/* "APPLICATION_HANG_DeadLock" ..., NULL for HANG_CLASS_NONE. */
const char *hang_class_name(enum hang_class c);
/* Appends a printf-formatted note to R (dropped when out of memory). */
void hang_report_note(struct hang_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
