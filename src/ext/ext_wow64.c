/*
 * The effective machine and the WoW64 debugger extension:
 * - .effmach [x86|amd64|arm64|arm|.|#] (debugger reference ".effmach (Effective Machine)"):
 *   "." is the target's native mode, "#" the mode of the code the last event happened in. The
 *   machine names follow cdb ("Effective machine: x64 (AMD64)", "Effective machine: x86
 *   compatible (x86)", both matched verbatim by BugId's cdb wrapper; "ARM 64-bit (AArch64)
 *   (arm64)" as Windows Internals 7th ed. part 2 shows it; the ARM one is not attested).
 * - !wow64exts.sw toggles between x86 and the native mode ("Switched to 32bit mode" /
 *   "Switched to 64bit mode": the replies Qt Creator's CdbEngine matches, and the OSR thread
 *   of seed 000).
 * - !wow64exts.k: the combined 64/32-bit stack ("Walking 64bit Stack..." / "Walking 32bit
 *   Stack...", as in published transcripts).
 * - !wow64exts.info: the PEB/TEB/stack/TLS summary, in the layout of a published Windows 7
 *   transcript; the TLS slot names are those of wow64tls.h.
 * In x86 mode every command that asks session_regs() works on the thread's 32-bit context
 * (src/nt/wow64.c finds it); nothing else needs to know about WoW64.
 */
#include <stdio.h>
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/expr.h"
#include "ext/ext.h"
#include "nt/wow64.h"

/* The text after "Effective machine: " for ARCH. */
static const char *machine_text(const struct arch_ops *arch)
{
    switch (arch->cpu) {
    case DD_CPU_X86:
        return "x86 compatible (x86)";
    case DD_CPU_X64:
        return "x64 (AMD64)";
    case DD_CPU_ARM64:
        return "ARM 64-bit (AArch64) (arm64)";
    case DD_CPU_ARM:
        return "ARM Thumb-2 (arm)";
    default:
        return arch->name;
    }
}

/* The mode of the code thread IDX was in: x86 for a WoW64 thread stopped in 32-bit code. */
static const struct arch_ops *thread_mode(struct session *s, size_t idx)
{
    if (!session_is_wow64(s))
        return s->arch;
    struct regset rs;
    struct dd_error *err = session_thread_regs(s, idx, &rs);
    if (err) {
        dd_error_destroy(err);
        return s->arch;
    }
    /* cs 0x23 is the 32-bit code selector of a WoW64 process (0x33 the 64-bit one). */
    return rs.valid[X64_CS] && rs.r[X64_CS] == 0x23 ? &arch_x86 : s->arch;
}

static void set_machine(struct session *s, const struct arch_ops *arch)
{
    if (arch != s->effmach) {
        s->effmach = arch;
        /* Frames, disassembly and dump positions belong to the previous mode's view. */
        s->cur_frame = 0;
        s->has_next_disasm = false;
    }
}

static struct dd_error *cmd_effmach(struct session *s, const struct cmd_args *a)
{
    if (!s->arch)
        return dd_error_create(DD_ERR_UNSUPPORTED, "the dump's processor type is not supported");
    const char *m = a->rest;
    if (*m) {
        const struct arch_ops *want = NULL;
        if (strcmp(m, ".") == 0) {
            want = s->arch;
        } else if (strcmp(m, "#") == 0) {
            size_t idx = s->event_thread >= 0 ? (size_t)s->event_thread : s->cur_thread;
            want = idx < s->target->nthreads ? thread_mode(s, idx) : s->arch;
        } else if (dd_strcasecmp(m, "x86") == 0) {
            want = &arch_x86;
        } else if (dd_strcasecmp(m, "amd64") == 0) {
            want = &arch_x64;
        } else if (dd_strcasecmp(m, "arm64") == 0) {
            want = &arch_arm64;
        } else if (dd_strcasecmp(m, "arm") == 0) {
            want = &arch_arm;
        } else {
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
        }
        /* Only the native mode and x86 code inside an x64 process exist in a user dump. */
        if (want != s->arch && !(want == &arch_x86 && s->arch->cpu == DD_CPU_X64))
            return dd_error_create(DD_ERR_UNSUPPORTED,
                                   "The %s machine is not available in this "
                                   "%s dump",
                                   want->name, s->arch->name);
        set_machine(s, want);
    }
    dd_printf(s->out, "Effective machine: %s\n", machine_text(s->effmach));
    return NULL;
}

static struct dd_error *ext_sw(struct session *s, const struct cmd_args *a)
{
    if (!session_is_wow64(s))
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "The current process is not a WoW64 process (32-bit code in an "
                               "x64 dump)");
    if (s->effmach == s->arch) {
        set_machine(s, &arch_x86);
        dd_puts(s->out, "Switched to 32bit mode\n");
    } else {
        set_machine(s, s->arch);
        dd_puts(s->out, "Switched to 64bit mode\n");
    }
    return NULL;
}

static struct dd_error *ext_k(struct session *s, const struct cmd_args *a)
{
    uint64_t n = 0;
    if (*a->rest) {
        struct dd_error *err = expr_eval(s, a->rest, &n);
        if (err)
            return err;
        if (n > 0xffff)
            n = 0xffff;
    }
    return cmd_stack_wow64_k(s, (size_t)n);
}

/* Reads a pointer-sized (4 or 8) little-endian value at ADDR into ret. */
static bool read_ptr(struct session *s, uint64_t addr, unsigned size, uint64_t *ret)
{
    uint8_t b[8];
    struct dd_error *err = target_read_exact(s->target, addr, b, size);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    *ret = size == 8 ? dd_le64(b) : dd_le32(b);
    return true;
}

/* The stack lines of one TEB: StackBase, StackLimit (NT_TIB) and DeallocationStack. */
static void print_stack_info(struct session *s, const char *bits, uint64_t teb, unsigned ptr,
                             uint32_t dealloc_off)
{
    uint64_t base, limit, dealloc;
    if (!read_ptr(s, teb + ptr, ptr, &base) || !read_ptr(s, teb + 2 * ptr, ptr, &limit) ||
        !read_ptr(s, teb + dealloc_off, ptr, &dealloc)) {
        dd_printf(s->out, "%s bit: the TEB at %#llx is not in the dump\n\n", bits,
                  (unsigned long long)teb);
        return;
    }
    dd_printf(s->out, "%s bit, StackBase   : %#llx\n", bits, (unsigned long long)base);
    dd_printf(s->out, "        StackLimit  : %#llx\n", (unsigned long long)limit);
    dd_printf(s->out, "        Deallocation: %#llx\n\n", (unsigned long long)dealloc);
}

static struct dd_error *ext_info(struct session *s, const struct cmd_args *a)
{
    /* TEB32 / TEB64 offsets: ProcessEnvironmentBlock 0x30 / 0x60, DeallocationStack 0xe0c /
     * 0x1478, TlsSlots - / 0x1480 (see src/ext/ext_teb.c). */
    static const char *const slots[] = {
        "WOW64_TLS_STACKPTR64:",      "WOW64_TLS_CPURESERVED:",   "WOW64_TLS_INCPUSIMULATION:",
        "WOW64_TLS_LOCALTHREADHEAP:", "WOW64_TLS_EXCEPTIONADDR:", "WOW64_TLS_USERCALLBACKDATA:",
        "WOW64_TLS_EXTENDED_FLOAT:",  "WOW64_TLS_APCLIST:",       "WOW64_TLS_FILESYSREDIR:",
        "WOW64_TLS_LASTWOWCALL:",     "WOW64_TLS_WOW64INFO:",
    };
    if (!session_is_wow64(s))
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "The current process is not a WoW64 process (32-bit code in an "
                               "x64 dump)");
    if (s->cur_thread >= s->target->nthreads || !s->target->threads[s->cur_thread].teb)
        return dd_error_create(DD_ERR_NOT_FOUND, "No current thread with a TEB");
    uint64_t teb64 = s->target->threads[s->cur_thread].teb, teb32 = 0, peb32, peb64;
    struct dd_error *err = wow64_teb32(s->target, teb64, &teb32);
    if (err) {
        dd_error_destroy(err);
        teb32 = 0;
    }
    if (teb32 && read_ptr(s, teb32 + 0x30, 4, &peb32))
        dd_printf(s->out, "PEB32: %#llx\n", (unsigned long long)peb32);
    else
        dd_puts(s->out, "PEB32: (not in the dump)\n");
    if (read_ptr(s, teb64 + 0x60, 8, &peb64))
        dd_printf(s->out, "PEB64: %#llx\n", (unsigned long long)peb64);
    else
        dd_puts(s->out, "PEB64: (not in the dump)\n");
    dd_puts(s->out, "\nWow64 information for current thread:\n\n");
    if (teb32)
        dd_printf(s->out, "TEB32: %#llx\n", (unsigned long long)teb32);
    else
        dd_puts(s->out, "TEB32: (not in the dump)\n");
    dd_printf(s->out, "TEB64: %#llx\n\n", (unsigned long long)teb64);
    if (teb32)
        print_stack_info(s, "32", teb32, 4, 0xe0c);
    print_stack_info(s, "64", teb64, 8, 0x1478);
    dd_puts(s->out, "Wow64 TLS slots:\n");
    for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        uint64_t v;
        if (read_ptr(s, teb64 + 0x1480 + 8 * i, 8, &v))
            dd_printf(s->out, "%-28s0x%016llx\n", slots[i], (unsigned long long)v);
        else
            dd_printf(s->out, "%-28s????????????????\n", slots[i]);
    }
    return NULL;
}

const struct cmd_def ext_table_wow64[] = {
    {".effmach", cmd_effmach, 0, ".effmach [x86|amd64|.|#] - show or set the effective machine"},
    {"!wow64exts.sw", ext_sw, 0, "!wow64exts.sw - switch between 32-bit (x86) and 64-bit mode"},
    {"!wow64exts.k", ext_k, 0, "!wow64exts.k [COUNT] - the 64-bit, then the 32-bit stack"},
    {"!wow64exts.info", ext_info, 0, "!wow64exts.info - WoW64 PEBs, TEBs, stacks and TLS slots"},
    {NULL, NULL, 0, NULL},
};
