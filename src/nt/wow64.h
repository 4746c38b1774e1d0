/*
 * WoW64: a 32-bit (x86) process seen from the 64-bit side. An x64 dump of such a process holds
 * each thread's 64-bit CONTEXT and the 64-bit modules (ntdll, wow64, wow64win, wow64cpu); the
 * thread's 32-bit state lives in its memory:
 *   TEB64 (target_thread.teb) -> TlsSlots[WOW64_TLS_CPURESERVED] -> WOW64 CPU area -> x86 CONTEXT
 *   TEB64 -> TEB32 (NtTib.ExceptionList up to Windows 8.1, WowTebOffset from Windows 10)
 * Nothing here prints; the errors say which structure is missing from the dump and where.
 */
#ifndef DD_NT_WOW64_H
#define DD_NT_WOW64_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/error.h"
#include "core/target.h"

/* Where a WoW64 thread's 32-bit state is (addresses in the 64-bit address space). */
struct wow64_thread {
    uint64_t teb64;
    uint64_t teb32;    /* 0 when the TEB64 names none */
    uint64_t cpu_area; /* TEB64.TlsSlots[WOW64_TLS_CPURESERVED] (never 0 on success) */
    uint64_t context;  /* address of the x86 CONTEXT inside the CPU area */
};

enum wow64_context_source {
    WOW64_CONTEXT_CPU_AREA, /* read from the WOW64 CPU area (the thread was in 64-bit code) */
    WOW64_CONTEXT_NATIVE,   /* the thread's own CONTEXT: it was running 32-bit code (cs 0x23) */
};

/* The x86 registers of a WoW64 thread and where they came from. */
struct wow64_context {
    struct regset regs; /* arch_x86 registers */
    enum wow64_context_source source;
    struct wow64_thread where;
};

/*
 * True when T is an x64 dump of a 32-bit process: its modules include wow64cpu.dll or
 * wow64.dll, or its main image's PE header (when readable) says IMAGE_FILE_MACHINE_I386.
 */
bool wow64_target_is_wow64(struct target *t);

/*
 * Sets ret to the address of the 32-bit TEB that the 64-bit TEB at TEB64 names (NtTib.
 * ExceptionList before Windows 10, TEB64 + WowTebOffset from Windows 10). Errors when that
 * part of the TEB64 is not in the dump or names no TEB below 4 GB.
 */
struct dd_error *wow64_teb32(struct target *t, uint64_t teb64, uint64_t *ret);

/*
 * Reads thread TH's TEB64 of WoW64 target T and sets ret to where its 32-bit TEB and CPU area
 * are. Errors (DD_ERR_MEMORY with the address) when the TEB64 is not in the dump, and
 * DD_ERR_NOT_FOUND when the thread has no CPU area (it never ran 32-bit code).
 */
struct dd_error *wow64_thread_locate(struct target *t, const struct target_thread *th,
                                     struct wow64_thread *ret);

/*
 * Sets ret to thread TH's x86 registers: its own CONTEXT when it was stopped in 32-bit code,
 * else the CONTEXT saved in its WOW64 CPU area. Errors say what is missing (the TEB64, the
 * CPU area) and where; DD_ERR_UNSUPPORTED for Windows versions whose CPU area layout is unknown.
 */
struct dd_error *wow64_thread_context(struct target *t, const struct target_thread *th,
                                      struct wow64_context *ret);

#endif
