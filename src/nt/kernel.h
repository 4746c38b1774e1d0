/*
 * The kernel view of a dump: where KdDebuggerDataBlock is and what it says, the structure
 * layout, and bounded readers for fields and LIST_ENTRY chains. Walkers (kmodules.c,
 * kprocess.c, kthread.c, kprcb.c) and the `!process`-family commands build on it; everything
 * reads the target through target_read, so it works on any target whose read_virtual serves
 * kernel addresses (the kernel dump reader, or a test's synthetic memory).
 */
#ifndef DD_NT_KERNEL_H
#define DD_NT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "core/target.h"
#include "nt/kdbg.h"
#include "nt/layout.h"

/* Every list walk stops after this many entries (a live system has a few thousand threads). */
#define NT_LIST_MAX 100000

struct pdb_types;
struct isf;

/* What the caller can offer beyond the target itself; every member may be NULL. */
struct nt_kernel_options {
    struct pdb_types *pdb; /* ntoskrnl's TPI stream (not owned) */
    struct isf *isf;       /* an ISF file matching ntoskrnl's PDB (not owned) */
    /* Resolves a kernel symbol ("KiWaitNever") to its address; false when unknown. */
    bool (*find_symbol)(void *ctx, const char *name, uint64_t *ret);
    void *symbol_ctx;
    bool no_scan; /* do not scan the kernel image for the KDBG when the pointer fails */
};

enum nt_kdbg_origin {
    NT_KDBG_NONE,    /* not found: the dump header's list heads and built-ins are used */
    NT_KDBG_COPY,    /* the copy a triage dump carries */
    NT_KDBG_HEADER,  /* at the dump header's KdDebuggerDataBlock, plain */
    NT_KDBG_DECODED, /* there, encoded; decoded with KiWaitNever/KiWaitAlways */
    NT_KDBG_SCAN,    /* found by scanning the kernel image */
};

struct nt_kernel {
    struct target *target;
    enum dd_cpu cpu;
    unsigned ptr_size;
    uint32_t build;
    enum nt_kdbg_origin kdbg_origin;
    struct kdbg kdbg;          /* valid when kdbg_origin != NT_KDBG_NONE */
    uint64_t kdbg_addr;        /* where it was read (0 for the triage copy) */
    char kdbg_problem[200];    /* why the header pointer did not give it, "" when it did */
    uint64_t kern_base;        /* 0 when unknown */
    uint64_t ps_loaded_module_list, ps_active_process_head, ki_processor_block;
    uint64_t mm_system_range_start; /* lowest kernel address (0 when unknown) */
    struct nt_layout layout;
    const struct nt_kernel_options *opt; /* as given to nt_kernel_init; may be NULL */
};

/*
 * Sets up RET for kernel target T: finds and decodes KdDebuggerDataBlock (triage copy, header
 * pointer, encoded block, bounded scan of the kernel image), takes the list heads from it (else
 * from the dump header) and resolves the structure layout. Fails with DD_ERR_UNSUPPORTED when T
 * is not a kernel target; a missing KDBG is not an error (see kdbg_origin and kdbg_problem).
 * OPT may be NULL; it must outlive RET.
 */
struct dd_error *nt_kernel_init(struct target *t, const struct nt_kernel_options *opt,
                                struct nt_kernel *ret);

/* Index of the kernel image in T's modules ("nt", or ntoskrnl.exe and its variants), or -1. */
long nt_kernel_module_index(const struct target *t);

/* Resolves kernel symbol NAME through the options' finder, else the ISF (RVA + kern_base). */
bool nt_kernel_symbol(const struct nt_kernel *k, const char *name, uint64_t *ret);

/* Reads a pointer-sized value at ADDR. */
struct dd_error *nt_read_ptr(struct nt_kernel *k, uint64_t addr, uint64_t *ret);
/*
 * Reads field F of the structure at BASE (width 1, 2, 4 or 8; a bitfield is extracted and
 * shifted down). DD_ERR_NOT_FOUND when the layout lacks F, DD_ERR_MEMORY when it is not in the dump.
 */
struct dd_error *nt_field_get(struct nt_kernel *k, uint64_t base, enum nt_field f, uint64_t *ret);
/* nt_field_get that only says whether it worked. */
bool nt_field_read(struct nt_kernel *k, uint64_t base, enum nt_field f, uint64_t *ret);
/*
 * Reads the UNICODE_STRING at ADDR (Length, MaximumLength, Buffer) as UTF-8 into BUF (at most
 * LEN-1 bytes, NUL-terminated; longer names are cut); false when it is not in the dump.
 */
bool nt_read_unicode_string(struct nt_kernel *k, uint64_t addr, char *buf, size_t len);

/* How a list walk ended. */
enum nt_list_end {
    NT_LIST_END_HEAD,       /* back at the head: the whole list was seen */
    NT_LIST_END_CAP,        /* NT_LIST_MAX (or the caller's cap) entries were seen */
    NT_LIST_END_LOOP,       /* an entry came round again without passing the head */
    NT_LIST_END_UNREADABLE, /* a Flink could not be read from the dump */
    NT_LIST_END_BAD_LINK,   /* a Flink was 0, misaligned or outside kernel space */
    NT_LIST_END_STOPPED,    /* the callback asked to stop */
};

struct nt_list_status {
    enum nt_list_end end;
    size_t count;   /* entries passed to the callback */
    uint64_t at;    /* the entry whose Flink failed (the head when the first did), or the repeat */
    uint64_t value; /* the bad Flink value (BAD_LINK) */
};

/* Called with each entry's LIST_ENTRY address; returns false to stop the walk. */
typedef bool (*nt_list_fn)(void *ctx, uint64_t entry);

/*
 * Walks the LIST_ENTRY chain at HEAD through Flink, calling FN for each entry before the head
 * comes round again, at most CAP entries (0: NT_LIST_MAX). Loops, unreadable and invalid links
 * end the walk and are reported in ret, never silently.
 */
void nt_list_walk(struct nt_kernel *k, uint64_t head, size_t cap, nt_list_fn fn, void *ctx,
                  struct nt_list_status *ret);
/* A sentence for a walk that did not end at its head, e.g. "list loops at ffff...: entry ...". */
void nt_list_status_format(const struct nt_list_status *st, unsigned ptr_size, char *buf,
                           size_t len);

#endif
