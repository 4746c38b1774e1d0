/*
 * Finding the 32-bit state of a WoW64 thread in an x64 dump (see wow64.h). Sources:
 * - TEB64 layout (NT_TIB64 at 0, TlsSlots[64] at 0x1480, WowTebOffset at 0x180c from Windows
 *   10): the _TEB64 listings of the Windows symbol files as published by Vergilius/ntdiff; the
 *   prefix up to 0x1800 has not moved since Vista.
 * - WOW64_TLS_CPURESERVED = 1: wow64tls.h ("per-thread data for the CPU simulator").
 * - "Slot 1 of Thread Local Storage (TLS) holds a pointer to a structure that contains a
 *   WOW64_CONTEXT structure starting at offset 4" (Vista through 8.1): the WOW64_CONTEXT page of
 *   the Windows SDK documentation. Windows 7's wow64cpu!CpuSimulate agrees (its disassembly in
 *   a published WoW64 walkthrough, next to "!wow64exts.info" showing WOW64_TLS_CPURESERVED =
 *   the 64-bit StackBase): with r13 = the CPU area it loads eip from [r13+0bch] and esp from
 *   [r13+0c8h], i.e. 4 + the CONTEXT offsets of Eip (0xb8) and Esp (0xc4).
 * - Windows 10 and later: the area starts with WOW64_CPURESERVED {USHORT Flags; USHORT Machine}
 *   and the guest CONTEXT follows at its type's alignment (4 for I386_CONTEXT, so offset 4
 *   again): Wine's get_cpu_area (dlls/ntdll/unix/thread.c, "cf. RtlWow64GetCurrentCpuArea").
 * - "the offset of the 32-bit TEB address within the 64-bit TEB is 0" (Vista through 8.1):
 *   "Thread Environment Block (Debugging Notes)" in the Windows SDK documentation.
 */
#include "nt/wow64.h"

#include <string.h>

#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "base/fmt.h"

#define TEB64_EXCEPTION_LIST 0x0000 /* NT_TIB64.ExceptionList: the TEB32 (Vista..8.1) */
#define TEB64_TLS_SLOTS 0x1480
#define TEB64_WOW_TEB_OFFSET 0x180c /* LONG, Windows 10+ */
#define WOW64_TLS_CPURESERVED 1
#define CPU_AREA_MACHINE 2 /* WOW64_CPURESERVED.Machine (Windows 10+) */
#define CPU_AREA_CONTEXT 4 /* where the x86 CONTEXT starts in the CPU area */
#define IMAGE_FILE_MACHINE_I386 0x014c
#define CONTEXT_I386 0x00010000u
/* CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS (winnt.h CONTEXT_FULL for x86). */
#define CONTEXT_I386_FULL 0x00010007u
/* The 32-bit code selector of a WoW64 process (KGDT64_R3_CMCODE | RPL 3). */
#define WOW64_CS32 0x23

static bool module_named(const struct target_module *m, const char *name)
{
    return m->name && dd_strcasecmp(m->name, name) == 0;
}

/* The machine field of the main image's PE header, or 0 when it cannot be read. */
static uint16_t main_image_machine(struct target *t)
{
    const struct target_module *main = NULL;
    for (size_t i = 0; i < t->nmodules && t->main_image_path; i++)
        if (t->modules[i].path && strcmp(t->modules[i].path, t->main_image_path) == 0)
            main = &t->modules[i];
    if (!main)
        return 0;
    /* IMAGE_DOS_HEADER.e_lfanew at 0x3c; the PE signature, then IMAGE_FILE_HEADER.Machine. */
    uint8_t b[6];
    struct dd_error *err = target_read_exact(t, main->base + 0x3c, b, 4);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    uint32_t lfanew = dd_le32(b);
    if (lfanew > 0x10000000 || lfanew + 6u > main->size)
        return 0;
    err = target_read_exact(t, main->base + lfanew, b, 6);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    if (memcmp(b, "PE\0\0", 4) != 0)
        return 0;
    return dd_le16(b + 4);
}

bool wow64_target_is_wow64(struct target *t)
{
    if (t->sys.cpu != DD_CPU_X64)
        return false;
    for (size_t i = 0; i < t->nmodules; i++)
        if (module_named(&t->modules[i], "wow64cpu") || module_named(&t->modules[i], "wow64"))
            return true;
    return main_image_machine(t) == IMAGE_FILE_MACHINE_I386;
}

/* "the x86 context is not in the dump: ..." naming the CPU area (DD_ERR_MEMORY at CPU_AREA). */
static struct dd_error *cpu_area_missing(uint64_t cpu_area, uint64_t teb64)
{
    char a[DD_ADDR_BUF], b[DD_ADDR_BUF];
    struct dd_error *err = dd_error_create(
        DD_ERR_MEMORY,
        "the x86 context is not in the dump: its WOW64 CPU area at %s (TEB64 %s TlsSlots[1]) "
        "was not captured",
        dd_fmt_addr(a, cpu_area, 8), dd_fmt_addr(b, teb64, 8));
    if (!err->is_static)
        err->address = cpu_area;
    return err;
}

static struct dd_error *read_u64(struct target *t, uint64_t addr, uint64_t *ret)
{
    uint8_t b[8];
    struct dd_error *err = target_read_exact(t, addr, b, sizeof(b));
    if (err)
        return err;
    *ret = dd_le64(b);
    return NULL;
}

struct dd_error *wow64_teb32(struct target *t, uint64_t teb64, uint64_t *ret)
{
    char a[DD_ADDR_BUF];
    uint64_t teb32 = 0;
    if (t->sys.major_version >= 10) {
        uint8_t b[4];
        struct dd_error *err = target_read_exact(t, teb64 + TEB64_WOW_TEB_OFFSET, b, sizeof(b));
        if (err)
            return err;
        if (dd_le32(b))
            teb32 = teb64 + (uint64_t)(int64_t)(int32_t)dd_le32(b);
    } else {
        struct dd_error *err = read_u64(t, teb64 + TEB64_EXCEPTION_LIST, &teb32);
        if (err)
            return err;
    }
    /* A TEB32 lives below 4 GB; anything else is not one. */
    if (!teb32 || teb32 > UINT32_MAX)
        return dd_error_create(DD_ERR_NOT_FOUND, "the 64-bit TEB at %s names no 32-bit TEB",
                               dd_fmt_addr(a, teb64, 8));
    *ret = teb32;
    return NULL;
}

struct dd_error *wow64_thread_locate(struct target *t, const struct target_thread *th,
                                     struct wow64_thread *ret)
{
    char a[DD_ADDR_BUF];
    if (!th->teb)
        return dd_error_create(DD_ERR_NOT_FOUND, "the thread has no TEB in the dump's thread list");
    struct wow64_thread w;
    memset(&w, 0, sizeof(w));
    w.teb64 = th->teb;
    uint64_t slot;
    struct dd_error *err =
        read_u64(t, th->teb + TEB64_TLS_SLOTS + 8 * WOW64_TLS_CPURESERVED, &slot);
    if (err) {
        dd_error_destroy(err);
        struct dd_error *e = dd_error_create(
            DD_ERR_MEMORY, "the 64-bit TEB at %s is not in the dump", dd_fmt_addr(a, th->teb, 8));
        if (!e->is_static)
            e->address = th->teb;
        return e;
    }
    if (!slot)
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "the thread has no WOW64 CPU area (TEB64 %s TlsSlots[1] is 0): "
                               "it has not run 32-bit code",
                               dd_fmt_addr(a, th->teb, 8));
    w.cpu_area = slot;
    w.context = slot + CPU_AREA_CONTEXT;
    err = wow64_teb32(t, th->teb, &w.teb32);
    if (err) {
        dd_error_destroy(err);
        w.teb32 = 0;
    }
    *ret = w;
    return NULL;
}

/* The x86 view of an x64 CONTEXT taken while the thread ran 32-bit code: the low halves. */
static void native_to_x86(const struct regset *n, struct regset *ret)
{
    static const uint16_t map[][2] = {
        {X64_RAX, X86_EAX},   {X64_RCX, X86_ECX}, {X64_RDX, X86_EDX},     {X64_RBX, X86_EBX},
        {X64_RSP, X86_ESP},   {X64_RBP, X86_EBP}, {X64_RSI, X86_ESI},     {X64_RDI, X86_EDI},
        {X64_RIP, X86_EIP},   {X64_EFL, X86_EFL}, {X64_CS, X86_CS},       {X64_DS, X86_DS},
        {X64_ES, X86_ES},     {X64_FS, X86_FS},   {X64_GS, X86_GS},       {X64_SS, X86_SS},
        {X64_DR0, X86_DR0},   {X64_DR1, X86_DR1}, {X64_DR2, X86_DR2},     {X64_DR3, X86_DR3},
        {X64_DR6, X86_DR6},   {X64_DR7, X86_DR7}, {X64_MXCSR, X86_MXCSR}, {X64_FPCW, X86_FPCW},
        {X64_FPSW, X86_FPSW},
    };
    memset(ret, 0, sizeof(*ret));
    ret->arch = &arch_x86;
    ret->context_flags = n->context_flags;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (n->valid[map[i][0]])
            regset_put(ret, map[i][1], n->r[map[i][0]] & UINT32_MAX);
    /* x86 has xmm0-xmm7 and the same x87 stack. */
    memcpy(ret->vec, n->vec, 8 * sizeof(ret->vec[0]));
    ret->vec_valid = n->vec_valid & 0xff;
    ret->vec_upper_valid = n->vec_upper_valid & 0xff;
    memcpy(ret->st, n->st, sizeof(ret->st));
    ret->st_valid = n->st_valid;
}

/* Reads and decodes the x86 CONTEXT in the CPU area W points to. */
static struct dd_error *read_cpu_area(struct target *t, const struct wow64_thread *w,
                                      struct regset *ret)
{
    char a[DD_ADDR_BUF], b[DD_ADDR_BUF];
    unsigned major = t->sys.major_version;
    if (major && major < 6)
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "the WOW64 CPU area layout of Windows %u.%u is not known", major,
                               t->sys.minor_version);
    if (major >= 10) {
        uint8_t m[2];
        struct dd_error *err = target_read_exact(t, w->cpu_area + CPU_AREA_MACHINE, m, sizeof(m));
        if (err) {
            dd_error_destroy(err);
            return cpu_area_missing(w->cpu_area, w->teb64);
        }
        if (dd_le16(m) != IMAGE_FILE_MACHINE_I386)
            return dd_error_create(DD_ERR_UNSUPPORTED,
                                   "the WOW64 CPU area at %s holds machine 0x%x, not x86 (0x14c)",
                                   dd_fmt_addr(a, w->cpu_area, 8), dd_le16(m));
    }
    uint8_t raw[X86_CONTEXT_SIZE];
    size_t got = 0;
    struct dd_error *err = target_read(t, w->context, raw, sizeof(raw), &got);
    if (err) {
        dd_error_destroy(err);
        if (got == 0)
            return cpu_area_missing(w->cpu_area, w->teb64);
        struct dd_error *e = dd_error_create(
            DD_ERR_MEMORY,
            "the x86 context at %s (WOW64 CPU area of TEB64 %s) is only partly in the dump",
            dd_fmt_addr(a, w->context, 8), dd_fmt_addr(b, w->teb64, 8));
        if (!e->is_static)
            e->address = w->context + got;
        return e;
    }
    /*
     * The CPU area is the simulator's live register file, not a CONTEXT someone filled in for a
     * caller: wow64cpu loads every integer, control and segment register from it, whatever its
     * ContextFlags says. Without the CONTEXT_i386 bit those groups are taken as present.
     */
    if (!(dd_le32(raw) & CONTEXT_I386)) {
        raw[0] = CONTEXT_I386_FULL & 0xff;
        raw[1] = 0;
        raw[2] = (CONTEXT_I386_FULL >> 16) & 0xff;
        raw[3] = 0;
    }
    return arch_x86.context_decode(raw, sizeof(raw), ret);
}

struct dd_error *wow64_thread_context(struct target *t, const struct target_thread *th,
                                      struct wow64_context *ret)
{
    struct wow64_context c;
    memset(&c, 0, sizeof(c));
    /* Stopped in 32-bit code, the thread's own CONTEXT holds the x86 registers (cs 0x23). */
    struct regset native;
    struct dd_error *err = th->context
                               ? arch_x64.context_decode(th->context, th->context_size, &native)
                               : dd_error_create(DD_ERR_NOT_FOUND, "no context");
    bool in_x86_code = !err && native.valid[X64_CS] && native.r[X64_CS] == WOW64_CS32;
    dd_error_destroy(err);
    if (in_x86_code) {
        native_to_x86(&native, &c.regs);
        c.source = WOW64_CONTEXT_NATIVE;
        /* The TEBs are extra information here: without them the registers still stand. */
        err = wow64_thread_locate(t, th, &c.where);
        if (err) {
            dd_error_destroy(err);
            memset(&c.where, 0, sizeof(c.where));
        }
        *ret = c;
        return NULL;
    }
    err = wow64_thread_locate(t, th, &c.where);
    if (err)
        return err;
    err = read_cpu_area(t, &c.where, &c.regs);
    if (err)
        return err;
    c.source = WOW64_CONTEXT_CPU_AREA;
    *ret = c;
    return NULL;
}
