/*
 * The verdict of a kernel dump: the bug check from the dump header, what its parameters mean
 * (bugcheck_table.h), and what they point to. As WinDbg does for a bug check, the parameters
 * the code documents are followed:
 *   - an exception record (0x7E P3, 0x139 P3, file system bug checks P2) is read from the dump
 *     as EXCEPTION_RECORD64/32 (winnt.h) into verdict.exception;
 *   - a context record (0x7E P4, 0x3B P3) is read with the CPU's CONTEXT layout, a trap frame
 *     (0x8E P3, 0x139 P2) as an x64 KTRAP_FRAME; the stack is then walked from there with the
 *     session's unwinder (session_stack_walk), else from the crashing thread's own context;
 *   - the faulting address (0x7E P2, 0xD1 P4, 0x50 P3 ...) names the faulting instruction and,
 *     when the stack says nothing better, the module to blame.
 * Blame, like WinDbg's follow-up, skips the frames that raise the bug check and prefers the
 * first frame outside the kernel and the HAL. The bucket is formed in bugcheck_bucket.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/bugcheck_table.h"
#include "analyze/error_names.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/session.h"
#include "disasm/disasm.h"

static unsigned ptr_size(const struct session *s)
{
    return s->arch ? s->arch->ptr_size : target_ptr_size(s->target);
}

/* Reads a UNICODE_STRING (Length, MaximumLength, Buffer; winternl.h) at ADDR; NULL if missing. */
static const char *read_unicode_string(struct session *s, struct analyze_verdict *v, uint64_t addr)
{
    unsigned ps = ptr_size(s);
    uint8_t hdr[16];
    if (dd_error_drop(target_read_exact(s->target, addr, hdr, ps == 8 ? 16 : 8)))
        return NULL;
    uint16_t len = dd_le16(hdr);
    uint64_t buffer = ps == 8 ? dd_le64(hdr + 8) : dd_le32(hdr + 4);
    if (len == 0 || len % 2 || len > 512 || !buffer)
        return NULL;
    uint8_t text[512];
    if (dd_error_drop(target_read_exact(s->target, buffer, text, len)))
        return NULL;
    char *utf8 = dd_utf16_to_utf8(text, len / 2);
    const char *r = utf8 ? dd_arena_strdup(&v->arena, utf8) : NULL;
    free(utf8);
    return r;
}

/* The bug check, its parameters' meanings and the addresses their roles name. */
static struct dd_error *pass_bugcheck(struct session *s, const struct analyze_options *opts,
                                      struct analyze_verdict *v)
{
    (void)opts;
    const struct target *t = s->target;
    struct analyze_bugcheck *b = dd_arena_calloc(&v->arena, 1, sizeof(*b));
    if (!b)
        return &dd_error_no_memory;
    v->bugcheck = b;
    uint64_t mask = ptr_size(s) == 8 ? UINT64_MAX : UINT32_MAX;
    b->code = t->kernel.bugcheck_code;
    b->shown_code = bugcheck_shown_code(b->code);
    b->name = bugcheck_name(b->shown_code);
    for (int i = 0; i < 4; i++)
        b->params[i] = t->kernel.bugcheck_params[i] & mask;
    const struct bugcheck_entry *gen = bugcheck_table_find(b->code);
    const struct bugcheck_entry *sub = bugcheck_table_find_subcode(b->code, b->params[0]);
    b->description = gen ? gen->description : NULL;
    b->subcode_text = sub ? sub->description : NULL;
    /* DumpIt (MoonSols/Comae) writes "MATT" with "MOON"/"SOLS" parameters into live images. */
    if (b->code == 0x5454414du && b->params[0] == 0x4e4f4f4du && b->params[1] == 0x534c4f53u)
        analyze_verdict_add_note(v, "bug check 5454414D (\"MATT\", parameters \"MOON\" "
                                    "\"SOLS\") marks a DumpIt memory acquisition: the system "
                                    "did not crash");
    else if (!gen)
        analyze_verdict_add_note(v, "bug check %#x is not described in dumpdbg's parameter table",
                                 b->code);
    for (int i = 0; i < 4; i++) {
        enum bugcheck_role role = BUGCHECK_ROLE_NONE;
        const char *meaning = NULL;
        if (sub) {
            role = sub->params[i].role;
            meaning = i == 0 ? sub->description : sub->params[i].meaning;
        }
        if (gen && !meaning)
            meaning = gen->params[i].meaning;
        if (gen && role == BUGCHECK_ROLE_NONE)
            role = gen->params[i].role;
        b->meanings[i] = meaning;
        b->roles[i] = bugcheck_role_name(role);
        uint64_t p = b->params[i];
        switch (role) {
        case BUGCHECK_ROLE_FAULTING_IP:
            b->has_faulting_ip = p != 0;
            b->faulting_ip = p;
            break;
        case BUGCHECK_ROLE_EXCEPTION_RECORD:
            b->has_exception_record = p != 0;
            b->exception_record = p;
            break;
        case BUGCHECK_ROLE_CONTEXT_RECORD:
            b->has_context_record = p != 0;
            b->context_record = p;
            break;
        case BUGCHECK_ROLE_TRAP_FRAME:
            b->has_trap_frame = p != 0;
            b->trap_frame = p;
            break;
        case BUGCHECK_ROLE_REFERENCED:
            b->has_referenced = true;
            b->referenced = p;
            break;
        case BUGCHECK_ROLE_ACCESS: {
            enum bugcheck_access a = bugcheck_access_decode(p);
            b->access = a == BUGCHECK_ACCESS_EXECUTE ? ANALYZE_ACCESS_EXECUTE
                        : a == BUGCHECK_ACCESS_WRITE ? ANALYZE_ACCESS_WRITE
                                                     : ANALYZE_ACCESS_READ;
            break;
        }
        case BUGCHECK_ROLE_IRQL:
            b->has_irql = true;
            b->irql = p;
            break;
        case BUGCHECK_ROLE_DRIVER_ADDRESS:
            b->has_driver_address = p != 0;
            b->driver_address = p;
            break;
        case BUGCHECK_ROLE_DRIVER_NAME:
            b->driver_name = p ? read_unicode_string(s, v, p) : NULL;
            break;
        case BUGCHECK_ROLE_FAST_FAIL:
            b->fast_fail_name = fastfail_name(p);
            break;
        default:
            break;
        }
    }
    if (t->main_image_path && *t->main_image_path)
        v->process_name = dd_path_basename(t->main_image_path);
    return NULL;
}

/* Decodes an EXCEPTION_RECORD64 (0x98 bytes) or EXCEPTION_RECORD32 (0x50) at ADDR into E. */
static struct dd_error *read_exception_record(struct session *s, uint64_t addr,
                                              struct analyze_exception *e)
{
    unsigned ps = ptr_size(s);
    uint8_t buf[0x98];
    struct dd_error *err = target_read_exact(s->target, addr, buf, ps == 8 ? 0x98 : 0x50);
    if (err)
        return err;
    e->code = dd_le32(buf);
    e->flags = dd_le32(buf + 4);
    e->record = ps == 8 ? dd_le64(buf + 8) : dd_le32(buf + 8);
    e->address = ps == 8 ? dd_le64(buf + 16) : dd_le32(buf + 12);
    e->num_params = ps == 8 ? dd_le32(buf + 24) : dd_le32(buf + 16);
    for (unsigned i = 0; i < TARGET_EXCEPTION_MAX_PARAMS; i++)
        e->params[i] = ps == 8 ? dd_le64(buf + 32 + 8 * i) : dd_le32(buf + 20 + 4 * i);
    return NULL;
}

/* Names, access kind and data address of V's exception (as pass_exception of verdict.c). */
static void exception_decode(struct analyze_verdict *v)
{
    struct analyze_exception *e = &v->exception;
    e->name = ntstatus_name(e->code);
    e->text = ntstatus_text(e->code);
    e->message = ntstatus_message(e->code);
    unsigned n =
        e->num_params < TARGET_EXCEPTION_MAX_PARAMS ? e->num_params : TARGET_EXCEPTION_MAX_PARAMS;
    /* ExceptionInformation[0]: 0 read, 1 write, 8 execute; [1]: the address (winnt.h). */
    if ((e->code == 0xc0000005u || e->code == 0xc0000006u) && n >= 2) {
        e->access = e->params[0] == 0   ? ANALYZE_ACCESS_READ
                    : e->params[0] == 1 ? ANALYZE_ACCESS_WRITE
                    : e->params[0] == 8 ? ANALYZE_ACCESS_EXECUTE
                                        : ANALYZE_ACCESS_NONE;
        e->has_data_address = true;
        e->data_address = e->params[1];
    }
    if (e->code == 0xc0000409u && n >= 1) {
        e->has_fast_fail = true;
        e->fast_fail_code = e->params[0];
        e->fast_fail_name = fastfail_name(e->params[0]);
    }
    e->crash_type = v->bugcheck->name;
}

/* The x64 KTRAP_FRAME's registers (offsets of ntkrnlmp's _KTRAP_FRAME, Windows 10 x64). */
static struct dd_error *read_trap_frame_x64(struct session *s, uint64_t addr, struct regset *ret)
{
    static const struct {
        const char *reg;
        uint16_t off, size;
    } fields[] = {
        {"rax", 0x30, 8},    {"rcx", 0x38, 8},   {"rdx", 0x40, 8},   {"r8", 0x48, 8},
        {"r9", 0x50, 8},     {"r10", 0x58, 8},   {"r11", 0x60, 8},   {"rbx", 0x140, 8},
        {"rdi", 0x148, 8},   {"rsi", 0x150, 8},  {"rbp", 0x158, 8},  {"rip", 0x168, 8},
        {"cs", 0x170, 2},    {"efl", 0x178, 4},  {"rsp", 0x180, 8},  {"ss", 0x188, 2},
        {"ds", 0x130, 2},    {"es", 0x132, 2},   {"fs", 0x134, 2},   {"gs", 0x136, 2},
        {"mxcsr", 0x2c, 4},
    };
    uint8_t buf[0x190];
    struct dd_error *err = target_read_exact(s->target, addr, buf, sizeof(buf));
    if (err)
        return err;
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = s->arch;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const struct arch_reg *r = arch_reg_find(s->arch, fields[i].reg);
        if (!r)
            continue;
        uint64_t val = fields[i].size == 8   ? dd_le64(buf + fields[i].off)
                       : fields[i].size == 4 ? dd_le32(buf + fields[i].off)
                                             : dd_le16(buf + fields[i].off);
        regset_put(&rs, r->slot, val);
    }
    /* The trap frame saves no r12-r15: WinDbg's .trap shows them as zero. */
    static const char *const zero[] = {"r12", "r13", "r14", "r15"};
    for (size_t i = 0; i < 4; i++) {
        const struct arch_reg *r = arch_reg_find(s->arch, zero[i]);
        if (r)
            regset_put(&rs, r->slot, 0);
    }
    *ret = rs;
    return NULL;
}

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

/* The instruction at the faulting address (FAULTING_IP) and the one at the context's pc. */
static void decode_instructions(struct session *s, struct analyze_verdict *v)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    if (!s->arch || !disasm_cpu_supported(s->arch->cpu))
        return;
    struct disasm_ctx c = {s->arch->cpu, s->target, symbolize_cb, s};
    struct disasm_insn in;
    if (b->has_faulting_ip && !dd_error_drop(disasm_decode(&c, b->faulting_ip, &in)) &&
        !in.missing && !in.invalid) {
        v->has_instruction = true;
        v->instruction_address = b->faulting_ip;
        snprintf(v->instruction, sizeof(v->instruction), "%s", in.text);
        disasm_line_format(&c, &in, v->instruction_line, sizeof(v->instruction_line));
    }
    if (v->has_context &&
        !dd_error_drop(disasm_decode(&c, regset_slot(&v->regs, v->regs.arch->pc_slot), &in)))
        disasm_line_format_ea(&c, &in, &v->regs, v->context_line, sizeof(v->context_line));
}

/* The registers to walk from: a context record, a trap frame, else the crashing thread's. */
static void find_registers(struct session *s, struct analyze_verdict *v)
{
    struct analyze_bugcheck *b = v->bugcheck;
    struct target *t = s->target;
    char sc[96];
    if (t->nthreads) {
        v->faulting_thread = s->event_thread >= 0 ? s->event_thread : (long)s->cur_thread;
        v->faulting_tid = t->threads[v->faulting_thread].tid;
    }
    if (!s->arch)
        return;
    if (b->has_context_record) {
        uint8_t *buf = malloc(s->arch->context_size);
        struct dd_error *err =
            buf ? target_read_exact(t, b->context_record, buf, s->arch->context_size)
                : &dd_error_no_memory;
        if (!err)
            err = s->arch->context_decode(buf, s->arch->context_size, &v->regs);
        free(buf);
        if (!err) {
            v->has_context = true;
            b->regs_from = ANALYZE_REGS_CONTEXT_RECORD;
            snprintf(sc, sizeof(sc), ".cxr 0x%llx ; kb", (unsigned long long)b->context_record);
            b->stack_command = dd_arena_strdup(&v->arena, sc);
            return;
        }
        analyze_verdict_add_note(v, "the context record at %llx could not be read: %s",
                                 (unsigned long long)b->context_record, err->message);
        dd_error_destroy(err);
    }
    if (b->has_trap_frame) {
        struct dd_error *err =
            s->arch->cpu == DD_CPU_X64
                ? read_trap_frame_x64(s, b->trap_frame, &v->regs)
                : dd_error_create(DD_ERR_UNSUPPORTED, "only x64 trap frames are decoded");
        if (!err) {
            v->has_context = true;
            b->regs_from = ANALYZE_REGS_TRAP_FRAME;
            snprintf(sc, sizeof(sc), ".trap 0x%llx ; kb", (unsigned long long)b->trap_frame);
            b->stack_command = dd_arena_strdup(&v->arena, sc);
            return;
        }
        analyze_verdict_add_note(v, "the trap frame at %llx could not be read: %s",
                                 (unsigned long long)b->trap_frame, err->message);
        dd_error_destroy(err);
    }
    if (v->faulting_thread >= 0 &&
        !dd_error_drop(session_thread_regs(s, (size_t)v->faulting_thread, &v->regs))) {
        v->has_context = true;
        b->regs_from = ANALYZE_REGS_THREAD;
        b->stack_command = ".cxr; .ecxr ; kb"; /* as WinDbg words it for the thread's own */
    }
}

/* The exception the parameters describe, then the registers and instructions. */
static struct dd_error *pass_records(struct session *s, const struct analyze_options *opts,
                                     struct analyze_verdict *v)
{
    (void)opts;
    struct analyze_bugcheck *b = v->bugcheck;
    struct analyze_exception *e = &v->exception;
    uint64_t mask = ptr_size(s) == 8 ? UINT64_MAX : UINT32_MAX;
    if (b->has_exception_record) {
        struct dd_error *err = read_exception_record(s, b->exception_record, e);
        if (err) {
            analyze_verdict_add_note(v, "the exception record at %llx is not in the dump",
                                     (unsigned long long)b->exception_record);
            dd_error_destroy(err);
            memset(e, 0, sizeof(*e));
        } else {
            v->has_exception = true;
            b->exception_record_read = true;
        }
    }
    int ci = bugcheck_role_param(b->code, b->params[0], BUGCHECK_ROLE_EXCEPTION_CODE);
    if (!v->has_exception && ci >= 0) {
        /* Only the code and the address are in the parameters (0x1E adds two ExceptionInformation). */
        v->has_exception = true;
        e->code = (uint32_t)b->params[ci];
        e->address = b->faulting_ip;
        if (b->shown_code == 0x1e) {
            e->num_params = 2;
            e->params[0] = b->params[2];
            e->params[1] = b->params[3];
        }
    }
    if (v->has_exception) {
        e->record &= mask;
        e->address &= mask;
        for (unsigned i = 0; i < TARGET_EXCEPTION_MAX_PARAMS; i++)
            e->params[i] &= mask;
        exception_decode(v);
        /* The record's address is the instruction at fault when no parameter names one. */
        if (!b->has_faulting_ip && e->address) {
            b->has_faulting_ip = true;
            b->faulting_ip = e->address;
        }
    }
    find_registers(s, v);
    decode_instructions(s, v);
    return NULL;
}

static struct dd_error *pass_stack(struct session *s, const struct analyze_options *opts,
                                   struct analyze_verdict *v)
{
    (void)opts;
    v->threads = calloc(1, sizeof(*v->threads));
    if (!v->threads)
        return &dd_error_no_memory;
    if (!v->has_context)
        return NULL;
    struct analyze_thread *th = &v->threads[v->nthreads++];
    th->index = v->faulting_thread >= 0 ? (size_t)v->faulting_thread : SIZE_MAX;
    th->tid = v->faulting_tid;
    th->from_exception = v->bugcheck->regs_from != ANALYZE_REGS_THREAD;
    v->stack = th;
    return analyze_verdict_walk(s, v, v->faulting_thread, &v->regs, th);
}

/* Functions that raise the bug check: never the culprit. */
static bool is_bugcheck_raiser(const char *function)
{
    static const char *const names[] = {
        "KeBugCheckEx",       "KeBugCheck",         "KeBugCheck2",
        "KiBugCheckDispatch", "KiBugCheckDebugBreak", "RtlpBreakWithStatusInstruction",
        "DbgBreakPointWithStatus",
    };
    for (size_t i = 0; function && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(function, names[i]) == 0)
            return true;
    return false;
}

/* The kernel and the HAL: blamed only when no other module is on the stack. */
static bool is_core_module(const char *name)
{
    static const char *const names[] = {"nt", "hal", "ntoskrnl", "ntkrnl*", "ntkrpamp", "halmacpi",
                                        "halacpi"};
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
        if (dd_wildcard_match(names[i], name))
            return true;
    return false;
}

/* IMAGE_NAME WinDbg shows: the kernel is named after its PDB (ntkrnlmp.exe for ntoskrnl.exe). */
static const char *image_name(struct analyze_verdict *v, const struct target_module *m)
{
    if (m->pdb_name && strcmp(m->name, "nt") == 0) {
        const char *pdb = dd_path_basename(m->pdb_name);
        size_t n = strlen(pdb);
        if (n > 4 && dd_strcasecmp(pdb + n - 4, ".pdb") == 0) {
            char buf[256];
            snprintf(buf, sizeof(buf), "%.*s.exe", (int)(n - 4), pdb);
            return dd_arena_strdup(&v->arena, buf);
        }
    }
    const char *base = dd_path_basename(m->path ? m->path : "");
    return *base ? base : m->name;
}

/* Sets SYMBOL_NAME, MODULE_NAME, IMAGE_NAME (and IMAGE_VERSION) for FUNCTION+OFF in module M. */
static struct dd_error *blame(struct analyze_verdict *v, const struct target_module *m,
                              const char *function, uint64_t off)
{
    struct analyze_bugcheck *b = v->bugcheck;
    char buf[1536];
    if (function)
        snprintf(buf, sizeof(buf), "%s!%s+%llx", m->name, function, (unsigned long long)off);
    else
        snprintf(buf, sizeof(buf), "%s+%llx", m->name, (unsigned long long)off);
    v->symbol_name = dd_arena_strdup(&v->arena, buf);
    v->module_name = m->name;
    v->image_name = image_name(v, m);
    b->blamed = true;
    b->blamed_function = function;
    b->func_offset = off;
    if (m->has_version && m->version.signature == 0xfeef04bdu) {
        /* VS_FIXEDFILEINFO dwFileVersionMS/LS: four 16-bit parts (VerRsrc.h). */
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u", m->version.file_version_ms >> 16,
                 m->version.file_version_ms & 0xffff, m->version.file_version_ls >> 16,
                 m->version.file_version_ls & 0xffff);
        v->image_version = dd_arena_strdup(&v->arena, buf);
    }
    return v->symbol_name && v->image_name ? NULL : &dd_error_no_memory;
}

/*
 * The culprit: the first walked frame past the bug check's own frames that is outside the
 * kernel and the HAL (else the first such frame in any module); without a usable stack, the
 * address a parameter names. Display-driver time-outs (image buckets) blame the driver the
 * parameter points into.
 */
static struct dd_error *pass_blame(struct session *s, const struct analyze_options *opts,
                                   struct analyze_verdict *v)
{
    (void)opts;
    struct analyze_bugcheck *b = v->bugcheck;
    const struct target *t = s->target;
    long pick = -1, first = -1;
    const struct bugcheck_entry *gen = bugcheck_table_find(b->code);
    bool image_bucket = gen && gen->bucket == BUGCHECK_BUCKET_IMAGE;
    for (size_t i = 0; !image_bucket && v->stack && i < v->stack->nframes; i++) {
        const struct analyze_frame *f = &v->stack->frames[i];
        if (f->module < 0 || is_bugcheck_raiser(f->function))
            continue;
        if (first < 0)
            first = (long)i;
        if (!is_core_module(t->modules[f->module].name) &&
            !(f->function && analyze_function_is_thunk(f->function))) {
            pick = (long)i;
            break;
        }
    }
    if (pick < 0)
        pick = first;
    if (pick >= 0) {
        v->blamed_frame = pick;
        const struct analyze_frame *f = &v->stack->frames[pick];
        /* WinDbg's SYMBOL_NAME counts from the frame's ip (a return address, for callers). */
        uint64_t back = f->ip - f->lookup;
        return blame(v, &t->modules[f->module], f->function,
                     f->function ? f->function_offset + back : f->module_offset + back);
    }
    bool has = image_bucket ? b->has_driver_address : b->has_faulting_ip || b->has_driver_address;
    uint64_t addr = !image_bucket && b->has_faulting_ip ? b->faulting_ip : b->driver_address;
    const struct target_module *m = has ? target_module_by_addr(t, addr) : NULL;
    if (!m) {
        analyze_verdict_add_note(v, "no frame and no bug check parameter is in a known module");
        return NULL;
    }
    struct symbols_hit hit;
    if (s->syms && !dd_error_drop(symbols_find_by_addr(s->syms, addr, &hit)) && hit.has_name) {
        const char *fn = dd_arena_strdup(&v->arena, hit.name);
        return fn ? blame(v, m, fn, hit.disp) : &dd_error_no_memory;
    }
    return blame(v, m, NULL, addr - m->base);
}

const struct analyze_pass analyze_kernel_passes[] = {
    {"bug check", pass_bugcheck},
    {"bug check records", pass_records},
    {"bug check stack", pass_stack},
    {"bug check blame", pass_blame},
    {"bug check bucket", analyze_bugcheck_bucket},
};
const size_t analyze_kernel_passes_count =
    sizeof(analyze_kernel_passes) / sizeof(analyze_kernel_passes[0]);
