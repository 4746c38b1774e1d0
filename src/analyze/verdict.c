/*
 * analyze_run: the pass list and the two passes that read the dump directly: the exception
 * (code, access kind, fast-fail code, the faulting instruction, the context at the fault) and
 * the stacks (walked with the session's unwinder, symbolized once here so every renderer
 * shows the same frames).
 */
#include "base/fmt.h"
#include "analyze/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/error_names.h"
#include "analyze/hang.h"
#include "unwind/x86/x86_unwind.h"
#include "base/cursor.h"
#include "cmd/session.h"
#include "disasm/disasm.h"

static struct dd_error *pass_exception(struct session *s, const struct analyze_options *opts,
                                       struct analyze_verdict *v);
static struct dd_error *pass_stacks(struct session *s, const struct analyze_options *opts,
                                    struct analyze_verdict *v);

/* Run in this order; each may use what the ones before it found. */
static const struct analyze_pass analyze_passes[] = {
    {"exception", pass_exception},
    {"stacks", pass_stacks},
    {"blame", analyze_blame},
    {"c++ exception", analyze_cpp_exception},
    {"stack overflow", analyze_stack_overflow},
    {"bucket", analyze_bucket},
    {"exploitability", analyze_exploitability},
    {"hang", analyze_hang},         /* hang_verdict.c: -hang, and dumps without an exception */
    {"patterns", analyze_patterns}, /* pattern.c: the named crash patterns (pattern_*.c) */
};

/*
 * Breakpad's crash reasons for Windows exception codes (minidump_processor.cc GetCrashReason),
 * which rust-minidump's crash_info.type repeats; the code values are winnt.h's.
 */
static const struct {
    uint32_t code;
    const char *name;
} crash_types[] = {
    {0x80000001u, "EXCEPTION_GUARD_PAGE"},
    {0x80000002u, "EXCEPTION_DATATYPE_MISALIGNMENT"},
    {0x80000003u, "EXCEPTION_BREAKPOINT"},
    {0x80000004u, "EXCEPTION_SINGLE_STEP"},
    {0xc0000005u, "EXCEPTION_ACCESS_VIOLATION"},
    {0xc0000006u, "EXCEPTION_IN_PAGE_ERROR"},
    {0xc0000008u, "EXCEPTION_INVALID_HANDLE"},
    {0xc000001du, "EXCEPTION_ILLEGAL_INSTRUCTION"},
    {0xc0000025u, "EXCEPTION_NONCONTINUABLE_EXCEPTION"},
    {0xc0000026u, "EXCEPTION_INVALID_DISPOSITION"},
    {0xc000008cu, "EXCEPTION_BOUNDS_EXCEEDED"},
    {0xc000008du, "EXCEPTION_FLT_DENORMAL_OPERAND"},
    {0xc000008eu, "EXCEPTION_FLT_DIVIDE_BY_ZERO"},
    {0xc000008fu, "EXCEPTION_FLT_INEXACT_RESULT"},
    {0xc0000090u, "EXCEPTION_FLT_INVALID_OPERATION"},
    {0xc0000091u, "EXCEPTION_FLT_OVERFLOW"},
    {0xc0000092u, "EXCEPTION_FLT_STACK_CHECK"},
    {0xc0000093u, "EXCEPTION_FLT_UNDERFLOW"},
    {0xc0000094u, "EXCEPTION_INT_DIVIDE_BY_ZERO"},
    {0xc0000095u, "EXCEPTION_INT_OVERFLOW"},
    {0xc0000096u, "EXCEPTION_PRIV_INSTRUCTION"},
    {0xc00000fdu, "EXCEPTION_STACK_OVERFLOW"},
    {0xc0000194u, "EXCEPTION_POSSIBLE_DEADLOCK"},
    {0xc0000374u, "EXCEPTION_HEAP_CORRUPTION"},
    {0xc0000409u, "EXCEPTION_STACK_BUFFER_OVERRUN"},
    {0xe06d7363u, "Unhandled C++ Exception"},
};

const char *analyze_rating_name(enum analyze_rating r)
{
    switch (r) {
    case ANALYZE_RATING_NONE:
        return "none";
    case ANALYZE_RATING_LOW:
        return "low";
    case ANALYZE_RATING_MEDIUM:
        return "medium";
    case ANALYZE_RATING_HIGH:
        return "high";
    default:
        return "unknown";
    }
}

const char *analyze_access_name(enum analyze_access a)
{
    switch (a) {
    case ANALYZE_ACCESS_READ:
        return "read";
    case ANALYZE_ACCESS_WRITE:
        return "write";
    case ANALYZE_ACCESS_EXECUTE:
        return "execute";
    default:
        return "";
    }
}

/* Appends P (SIZE bytes) to the arena-backed array *ARR of *N (capacity *CAP) items. */
static bool grow(struct dd_arena *a, void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = dd_arena_calloc(a, ncap, size);
    if (!p)
        return false;
    if (*n)
        memcpy(p, *arr, *n * size);
    *arr = p;
    *cap = ncap;
    return true;
}

static char *arena_vprintf(struct dd_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static char *arena_vprintf(struct dd_arena *a, const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    return dd_arena_strdup(a, buf);
}

void analyze_verdict_add_note(struct analyze_verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vprintf(&v->arena, fmt, ap);
    va_end(ap);
    void *arr = (void *)v->notes;
    if (!text || !grow(&v->arena, &arr, &v->nnotes, &v->notes_cap, sizeof(*v->notes)))
        return;
    v->notes = arr;
    v->notes[v->nnotes++] = text;
}

void analyze_verdict_add_pattern(struct analyze_verdict *v, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vprintf(&v->arena, fmt, ap);
    va_end(ap);
    void *arr = v->patterns;
    if (!text || !grow(&v->arena, &arr, &v->npatterns, &v->patterns_cap, sizeof(*v->patterns)))
        return;
    v->patterns = arr;
    v->patterns[v->npatterns].name = name;
    v->patterns[v->npatterns].evidence = text;
    v->npatterns++;
}

void analyze_verdict_add_pattern_line(struct analyze_verdict *v, const char *fmt, ...)
{
    if (!v->npatterns)
        return;
    struct analyze_pattern *p = &v->patterns[v->npatterns - 1];
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vprintf(&v->arena, fmt, ap);
    va_end(ap);
    void *arr = (void *)p->lines;
    if (!text || !grow(&v->arena, &arr, &p->nlines, &p->lines_cap, sizeof(*p->lines)))
        return;
    p->lines = arr;
    p->lines[p->nlines++] = text;
}

void analyze_verdict_deinit(struct analyze_verdict *v)
{
    if (!v)
        return;
    hang_report_destroy(v->hang);
    for (size_t i = 0; i < v->nthreads; i++)
        free(v->threads[i].frames);
    free(v->threads);
    dd_arena_deinit(&v->arena);
    memset(v, 0, sizeof(*v));
}

static unsigned ptr_size(const struct session *s)
{
    return s->arch ? s->arch->ptr_size : target_ptr_size(s->target);
}

static const char *annotation(const struct target *t, const char *source, const char *key)
{
    for (size_t i = 0; i < t->nannotations; i++) {
        const struct target_annotation *a = &t->annotations[i];
        if (a->source && a->key && strcmp(a->source, source) == 0 && strcmp(a->key, key) == 0)
            return a->value ? a->value : "";
    }
    return NULL;
}

/*
 * Breakpad's AssertionInfo in the words of its minidump_processor.cc GetAssertion (which
 * rust-minidump's crash_info.assertion repeats): the kind, then " EXPR", " in function F",
 * ", in file FILE", " at line N" for the parts present.
 */
static const char *assertion_text(struct analyze_verdict *v, const struct target *t)
{
    const char *type = annotation(t, "breakpad:assertion", "type");
    if (!type)
        return NULL;
    char buf[2048];
    unsigned long kind = strtoul(type, NULL, 10);
    int n;
    if (kind == 1) /* MD_ASSERTION_INFO_TYPE_INVALID_PARAMETER */
        n = snprintf(buf, sizeof(buf), "Invalid parameter passed to library function");
    else if (kind == 2) /* MD_ASSERTION_INFO_TYPE_PURE_VIRTUAL_CALL */
        n = snprintf(buf, sizeof(buf), "Pure virtual function called");
    else
        n = snprintf(buf, sizeof(buf), "Unknown assertion type 0x%08lx", kind);
    const char *expr = annotation(t, "breakpad:assertion", "expression");
    const char *func = annotation(t, "breakpad:assertion", "function");
    const char *file = annotation(t, "breakpad:assertion", "file");
    const char *line = annotation(t, "breakpad:assertion", "line");
    if (expr && *expr && n > 0 && (size_t)n < sizeof(buf))
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %s", expr);
    if (func && *func && n > 0 && (size_t)n < sizeof(buf))
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, " in function %s", func);
    if (file && *file && n > 0 && (size_t)n < sizeof(buf))
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", in file %s", file);
    if (line && strcmp(line, "0") != 0 && n > 0 && (size_t)n < sizeof(buf))
        snprintf(buf + n, sizeof(buf) - (size_t)n, " at line %s", line);
    return dd_arena_strdup(&v->arena, buf);
}

static const char *crash_type_of(struct analyze_verdict *v, const struct analyze_exception *e)
{
    if (e->code == 0xc0000409u && e->fast_fail_name)
        return e->fast_fail_name; /* as Breakpad upstream reports tiny-exe-fastfail.dmp */
    for (size_t i = 0; i < sizeof(crash_types) / sizeof(crash_types[0]); i++) {
        if (crash_types[i].code != e->code)
            continue;
        if ((e->code == 0xc0000005u || e->code == 0xc0000006u) &&
            e->access != ANALYZE_ACCESS_NONE) {
            const char *suffix = e->access == ANALYZE_ACCESS_READ    ? "_READ"
                                 : e->access == ANALYZE_ACCESS_WRITE ? "_WRITE"
                                                                     : "_EXEC";
            char buf[64];
            snprintf(buf, sizeof(buf), "%s%s", crash_types[i].name, suffix);
            return dd_arena_strdup(&v->arena, buf);
        }
        return crash_types[i].name;
    }
    if (e->name)
        return e->name;
    char buf[16];
    snprintf(buf, sizeof(buf), "0x%08x", e->code);
    return dd_arena_strdup(&v->arena, buf);
}

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

/* "rep movs ...", "stosd", "lods ...": a string instruction, prefixes skipped. */
static bool insn_is_string(const char *text)
{
    static const char *const prefixes[] = {"rep ", "repe ", "repne ", "repz ", "repnz ", "lock "};
    for (bool again = true; again;) {
        again = false;
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
            if (strncmp(text, prefixes[i], strlen(prefixes[i])) == 0) {
                text += strlen(prefixes[i]);
                while (*text == ' ')
                    text++;
                again = true;
            }
    }
    static const char *const ops[] = {"movs", "stos", "cmps", "scas", "lods"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strncmp(text, ops[i], 4) == 0)
            return true;
    return false;
}

/* x64 addresses are canonical when bits 63..47 are all equal (Intel SDM vol. 1, 3.3.7.1). */
static bool is_canonical(uint64_t a)
{
    uint64_t top = a >> 47;
    return top == 0 || top == 0x1ffff;
}

/* Decodes the faulting instruction and what it touched. */
static void decode_instruction(struct session *s, struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    if (!v->has_context || !disasm_cpu_supported(v->regs.arch->cpu))
        return;
    struct disasm_ctx c = {v->regs.arch->cpu, s->target, symbolize_cb, s};
    struct disasm_insn in;
    struct dd_error *err = disasm_decode(&c, e->address, &in);
    if (err) {
        dd_error_destroy(err);
        return;
    }
    if (in.missing || in.invalid)
        return;
    v->has_instruction = true;
    v->instruction_address = e->address;
    snprintf(v->instruction, sizeof(v->instruction), "%s", in.text);
    disasm_line_format(&c, &in, v->instruction_line, sizeof(v->instruction_line));
    if (in.flow == DISASM_FLOW_CALL || in.flow == DISASM_FLOW_JUMP || in.flow == DISASM_FLOW_COND ||
        in.flow == DISASM_FLOW_RET)
        v->insn_kind = ANALYZE_INSN_BRANCH;
    else if (insn_is_string(in.text))
        v->insn_kind = ANALYZE_INSN_STRING;
    uint64_t ea;
    if (disasm_effective_address(&in, &v->regs, &ea)) {
        v->has_operand_address = true;
        v->operand_address = ea;
        const struct arch_reg *base =
            in.mem.base[0] ? arch_reg_find(v->regs.arch, in.mem.base) : NULL;
        uint64_t bv;
        v->operand_base_null = base && regset_get(&v->regs, base, &bv) && bv == 0;
    }
}

/* The instruction at the context's pc as `r` shows it (for the CONTEXT block). */
static void decode_context_line(struct session *s, struct analyze_verdict *v)
{
    if (!v->has_context || !disasm_cpu_supported(v->regs.arch->cpu))
        return;
    struct disasm_ctx c = {v->regs.arch->cpu, s->target, symbolize_cb, s};
    struct disasm_insn in;
    struct dd_error *err = disasm_decode(&c, regset_slot(&v->regs, v->regs.arch->pc_slot), &in);
    if (err) {
        dd_error_destroy(err);
        return;
    }
    disasm_line_format_ea(&c, &in, &v->regs, v->context_line, sizeof(v->context_line));
}

static struct dd_error *pass_exception(struct session *s, const struct analyze_options *opts,
                                       struct analyze_verdict *v)
{
    struct target *t = s->target;
    if (t->main_image_path && *t->main_image_path)
        v->process_name = dd_path_basename(t->main_image_path);
    v->assertion = assertion_text(v, t);
    if (!t->has_exception) {
        analyze_verdict_add_note(v, "the dump holds no exception record: there is no crash to "
                                    "analyze, so the hang is analyzed");
        return NULL;
    }
    const struct target_exception *te = &t->exception;
    struct analyze_exception *e = &v->exception;
    v->has_exception = true;
    uint64_t mask = ptr_size(s) == 8 ? UINT64_MAX : UINT32_MAX;
    e->code = te->code;
    e->name = ntstatus_name(te->code);
    e->text = ntstatus_text(te->code);
    e->message = ntstatus_message(te->code);
    e->flags = te->flags;
    e->record = te->record & mask;
    e->address = te->address & mask;
    e->num_params = te->num_params;
    unsigned n =
        te->num_params < TARGET_EXCEPTION_MAX_PARAMS ? te->num_params : TARGET_EXCEPTION_MAX_PARAMS;
    /* A 32-bit process's parameters are 32-bit (minidump_32bit_crash_addr.dmp: 0x45). */
    for (unsigned i = 0; i < n; i++)
        e->params[i] = te->params[i] & mask;

    /* ExceptionInformation[0]: 0 read, 1 write, 8 execute; [1]: the address (winnt.h). */
    if ((e->code == 0xc0000005u || e->code == 0xc0000006u) && n >= 2) {
        e->access = e->params[0] == 0   ? ANALYZE_ACCESS_READ
                    : e->params[0] == 1 ? ANALYZE_ACCESS_WRITE
                    : e->params[0] == 8 ? ANALYZE_ACCESS_EXECUTE
                                        : ANALYZE_ACCESS_NONE;
        e->has_data_address = true;
        e->data_address = e->params[1];
    }
    /* STATUS_STACK_BUFFER_OVERRUN carries the __fastfail code in ExceptionInformation[0]. */
    if (e->code == 0xc0000409u && n >= 1) {
        e->has_fast_fail = true;
        e->fast_fail_code = e->params[0];
        e->fast_fail_name = fastfail_name(e->params[0]);
    }

    long ti = target_thread_by_tid(t, te->thread_id);
    v->faulting_thread = ti;
    v->faulting_tid = te->thread_id;
    if (s->arch && te->context && te->context_size) {
        struct dd_error *err = s->arch->context_decode(te->context, te->context_size, &v->regs);
        if (err) {
            analyze_verdict_add_note(v, "the exception context could not be decoded: %s",
                                     err->message);
            dd_error_destroy(err);
        } else {
            v->has_context = true;
        }
    }
    if (!v->has_context && ti >= 0) {
        struct dd_error *err = session_thread_regs(s, (size_t)ti, &v->regs);
        if (err) {
            dd_error_destroy(err);
        } else {
            v->has_context = true;
            analyze_verdict_add_note(v, "the exception has no context record: the faulting "
                                        "thread's own context is used");
        }
    }
    if (ti < 0)
        analyze_verdict_add_note(v, "the exception's thread %#x is not in the thread list",
                                 te->thread_id);
    decode_instruction(s, v);
    decode_context_line(s, v);

    /*
     * A general-protection fault on a non-canonical x64 address reports the address as
     * ffffffffffffffff; the instruction's operand, computed from the registers, says which
     * address it really was.
     */
    if (e->code == 0xc0000005u && e->has_data_address && e->data_address == UINT64_MAX &&
        ptr_size(s) == 8 && v->has_operand_address && !is_canonical(v->operand_address)) {
        e->data_address = v->operand_address;
        e->data_address_recovered = true;
        analyze_verdict_add_note(v,
                                 "the record's address ffffffffffffffff marks a general-protection "
                                 "fault: the instruction accessed the non-canonical address "
                                 "%016llx",
                                 (unsigned long long)v->operand_address);
    }
    e->crash_type = crash_type_of(v, e);
    (void)opts;
    return NULL;
}

static size_t read_memory(struct session *s, uint64_t addr, void *buf, size_t len)
{
    size_t got = 0;
    struct dd_error *err = target_read(s->target, addr, buf, len, &got);
    dd_error_destroy(err);
    return got;
}

/* Symbolizes one walked frame into F. */
static void frame_fill(struct session *s, struct analyze_verdict *v, const struct unwind_frame *uf,
                       bool first, struct analyze_frame *f)
{
    const struct target *t = s->target;
    unsigned ps = ptr_size(s);
    memset(f, 0, sizeof(*f));
    f->ip = uf->ip;
    f->sp = uf->sp;
    f->found_by = uf->found_by;
    f->has_return_address = uf->has_return_address;
    f->return_address = uf->return_address;
    f->exact_ip = first || (uf->flags & UNWIND_FRAME_TRAP);
    f->unwind_unusable = (uf->flags & UNWIND_FRAME_BAD_UNWIND) != 0;
    bool x86 = s->arch == &arch_x86;
    if (x86 && (uf->return_address_at >= 4 || unwind_regs_has(&uf->regs, X86_EBP))) {
        f->has_frame_pointer = true; /* x86: ChildEBP, virtual for FPO frames */
        f->frame_pointer = unwind_x86_child_ebp(uf);
    } else if (s->arch && unwind_regs_has(&uf->regs, s->arch->fp_slot)) {
        f->has_frame_pointer = true;
        f->frame_pointer = uf->regs.r[s->arch->fp_slot];
    }
    /* kb's arguments: x64 the callee's home space above the return address, x86 [ebp+8]... */
    uint8_t b[32];
    if (ps == 8) {
        size_t got = read_memory(s, f->sp + 8, b, 32);
        for (unsigned k = 0; k < 4 && got >= (k + 1) * 8; k++)
            f->args[f->nargs++] = dd_le64(b + 8 * k);
    } else if (f->has_frame_pointer) {
        size_t got = read_memory(s, f->frame_pointer + 8, b, 12);
        for (unsigned k = 0; k < 3 && got >= (k + 1) * 4; k++)
            f->args[f->nargs++] = dd_le32(b + 4 * k);
    }
    /* A return address follows the call: the call itself is one byte back. */
    f->lookup = f->exact_ip || f->ip == 0 ? f->ip : f->ip - 1;
    f->module = -1;
    const struct target_module *m = target_module_by_addr(t, f->lookup);
    if (!m)
        return;
    f->module = (long)(m - t->modules);
    f->module_offset = f->lookup - m->base;
    f->system = analyze_module_is_system(m->name);
    if (!s->syms)
        return;
    struct symbols_hit hit;
    struct dd_error *err = symbols_find_by_addr(s->syms, f->lookup, &hit);
    if (!err && hit.has_name) {
        f->function = dd_arena_strdup(&v->arena, hit.name);
        f->function_offset = hit.disp;
        f->thunk = f->function && analyze_function_is_thunk(f->function);
    }
    dd_error_destroy(err);
    struct symbols_line line;
    err = symbols_find_line(s->syms, f->lookup, &line);
    if (!err && line.file[0]) {
        f->file = dd_arena_strdup(&v->arena, line.file);
        f->line = line.line;
    }
    dd_error_destroy(err);
}

/* Walks from REGS (thread IDX, or -1 when the thread is unknown) into TH. */
static struct dd_error *walk(struct session *s, struct analyze_verdict *v, long idx,
                             const struct regset *regs, struct analyze_thread *th)
{
    size_t saved_thread = s->cur_thread, saved_frame = s->cur_frame;
    enum session_ctx_source saved_src = s->ctx_source;
    struct regset saved_ctx = s->ctx;
    if (idx >= 0)
        s->cur_thread = (size_t)idx;
    s->cur_frame = 0;
    s->ctx = *regs;
    s->ctx_source = SESSION_CTX_OVERRIDE;
    struct unwind_walk w;
    memset(&w, 0, sizeof(w));
    struct dd_error *err = session_stack_walk(s, ANALYZE_MAX_FRAMES, &w);
    s->cur_thread = saved_thread;
    s->cur_frame = saved_frame;
    s->ctx_source = saved_src;
    s->ctx = saved_ctx;
    if (err) {
        if (err->code == DD_ERR_NO_MEMORY)
            return err;
        analyze_verdict_add_note(v, "thread %#x: the stack could not be walked: %s", th->tid,
                                 err->message);
        dd_error_destroy(err);
        return NULL;
    }
    th->stop = w.stop;
    if (w.nframes) {
        th->frames = calloc(w.nframes, sizeof(*th->frames));
        if (!th->frames) {
            unwind_walk_deinit(&w);
            return &dd_error_no_memory;
        }
        for (size_t i = 0; i < w.nframes; i++)
            frame_fill(s, v, &w.frames[i], i == 0, &th->frames[i]);
        th->nframes = w.nframes;
    }
    unwind_walk_deinit(&w);
    /* A stack that ends at its first frame blames that frame for lack of another. */
    if (th->from_exception && th->nframes <= 1 && th->stop != UNWIND_STOP_END)
        analyze_verdict_add_note(v,
                                 "the faulting stack could not be walked past its first frame: "
                                 "%s",
                                 unwind_stop_name(th->stop));
    return NULL;
}

static struct dd_error *pass_stacks(struct session *s, const struct analyze_options *opts,
                                    struct analyze_verdict *v)
{
    const struct target *t = s->target;
    bool all = opts && opts->all_threads;
    size_t cap = (all ? t->nthreads : 0) + 1;
    v->threads = calloc(cap, sizeof(*v->threads));
    if (!v->threads)
        return &dd_error_no_memory;
    if (v->has_context) {
        struct analyze_thread *th = &v->threads[v->nthreads++];
        th->index = v->faulting_thread >= 0 ? (size_t)v->faulting_thread : SIZE_MAX;
        th->tid = v->faulting_tid;
        th->name = v->faulting_thread >= 0 ? t->threads[v->faulting_thread].name : NULL;
        th->from_exception = true;
        struct dd_error *err = walk(s, v, v->faulting_thread, &v->regs, th);
        if (err)
            return err;
        v->stack = th;
    }
    for (size_t i = 0; all && i < t->nthreads; i++) {
        if (v->stack && v->faulting_thread >= 0 && (size_t)v->faulting_thread == i)
            continue;
        struct analyze_thread *th = &v->threads[v->nthreads++];
        th->index = i;
        th->tid = t->threads[i].tid;
        th->name = t->threads[i].name;
        struct regset rs;
        struct dd_error *err = session_thread_regs(s, i, &rs);
        if (err) {
            dd_error_destroy(err);
            continue; /* no context: an empty stack */
        }
        err = walk(s, v, (long)i, &rs, th);
        if (err)
            return err;
    }
    return NULL;
}

struct dd_error *analyze_verdict_walk(struct session *s, struct analyze_verdict *v, long idx,
                                      const struct regset *regs, struct analyze_thread *th)
{
    return walk(s, v, idx, regs, th);
}

struct dd_error *analyze_run(struct session *s, const struct analyze_options *opts,
                             struct analyze_verdict *ret)
{
    struct analyze_verdict v;
    memset(&v, 0, sizeof(v));
    dd_arena_init(&v.arena);
    v.faulting_thread = -1;
    v.blamed_frame = -1;
    const struct analyze_pass *passes = analyze_passes;
    size_t npasses = sizeof(analyze_passes) / sizeof(analyze_passes[0]);
    /* A kernel dump's crash is a bug check, analyzed by its own passes (bugcheck_verdict.c). */
    if (s->target->kind == TARGET_KERNEL) {
        passes = analyze_kernel_passes;
        npasses = analyze_kernel_passes_count;
    }
    for (size_t i = 0; i < npasses; i++) {
        struct dd_error *err = passes[i].run(s, opts, &v);
        if (err) {
            analyze_verdict_deinit(&v);
            return dd_error_wrap(err, "analysis (%s)", passes[i].name);
        }
    }
    *ret = v;
    return NULL;
}
