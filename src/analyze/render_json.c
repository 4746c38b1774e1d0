/*
 * The verdict as one JSON document (schema: docs/json-schema.md), built with cJSON. The
 * crash-report part uses the field names of rust-minidump's `minidump-stackwalk --json`
 * (its snapshot test_minidump_stackwalk__json-pretty-symbols.snap): crash_info, crashing_thread,
 * threads with frames, modules, system_info, pid; addresses are "0x" strings padded to the
 * pointer width. dumpdbg's own verdict is the "analysis" object.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "base/fmt.h"
#include "cmd/session.h"
#include "sym/symbols.h"

struct json {
    bool oom;    /* some allocation failed: the document is incomplete */
    unsigned ps; /* pointer size: how wide addresses print */
};

static cJSON *jcheck(struct json *j, cJSON *item)
{
    if (!item)
        j->oom = true;
    return item;
}

static cJSON *jobject(struct json *j, cJSON *parent, const char *key)
{
    return jcheck(j, cJSON_AddObjectToObject(parent, key));
}

static cJSON *jarray(struct json *j, cJSON *parent, const char *key)
{
    return jcheck(j, cJSON_AddArrayToObject(parent, key));
}

/* A string, or null when V is NULL. */
static void jstr(struct json *j, cJSON *o, const char *key, const char *v)
{
    jcheck(j, v ? cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key));
}

static void jnum(struct json *j, cJSON *o, const char *key, double v)
{
    jcheck(j, cJSON_AddNumberToObject(o, key, v));
}

static void jbool(struct json *j, cJSON *o, const char *key, bool v)
{
    jcheck(j, cJSON_AddBoolToObject(o, key, v));
}

static void jnull(struct json *j, cJSON *o, const char *key)
{
    jcheck(j, cJSON_AddNullToObject(o, key));
}

/* An address as rust-minidump writes it: "0x0040429e" / "0x00007ff6a1b2c3d4". */
static void jaddr(struct json *j, cJSON *o, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%0*llx", (int)j->ps * 2, (unsigned long long)v);
    jstr(j, o, key, buf);
}

static void jhex32(struct json *j, cJSON *o, const char *key, uint32_t v)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "0x%08x", v);
    jstr(j, o, key, buf);
}

/* rust-minidump's frame trust for how a frame was found. */
static const char *trust_name(enum unwind_found_by by)
{
    switch (by) {
    case UNWIND_FOUND_CONTEXT:
        return "context";
    case UNWIND_FOUND_FRAME_POINTER:
        return "frame_pointer";
    case UNWIND_FOUND_SCAN:
        return "scan";
    default:
        return "cfi"; /* unwind info, frame data, a leaf's return address */
    }
}

/* The general registers (pointer-sized, one name per slot) and the flags register. */
static void add_registers(struct json *j, cJSON *o, const char *key, const struct regset *rs)
{
    cJSON *r = jobject(j, o, key);
    const struct arch_ops *a = rs->arch;
    uint64_t seen[ARCH_MAX_REGS / 64 + 1] = {0};
    bool flags_done = false;
    for (size_t i = 0; i < a->nregs; i++) {
        const struct arch_reg *reg = &a->regs[i];
        bool gpr = reg->kind == ARCH_REG_GPR && reg->bits == a->ptr_size * 8 && reg->shift == 0;
        bool flags = reg->kind == ARCH_REG_FLAGS && !flags_done && reg->shift == 0;
        if ((!gpr && !flags) || reg->slot >= ARCH_MAX_REGS ||
            (seen[reg->slot / 64] >> (reg->slot % 64)) & 1)
            continue;
        uint64_t v;
        if (!regset_get(rs, reg, &v))
            continue;
        seen[reg->slot / 64] |= (uint64_t)1 << (reg->slot % 64);
        if (flags) {
            flags_done = true;
            jhex32(j, r, strcmp(reg->name, "efl") == 0 ? "eflags" : reg->name, (uint32_t)v);
        } else {
            jaddr(j, r, reg->name, v);
        }
    }
}

static void add_frame(struct json *j, struct session *s, cJSON *arr, const struct analyze_frame *f,
                      size_t idx, const struct regset *regs)
{
    cJSON *o = jcheck(j, cJSON_CreateObject());
    if (!o || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        j->oom = true;
        return;
    }
    const struct target_module *m = f->module >= 0 ? &s->target->modules[f->module] : NULL;
    jnum(j, o, "frame", (double)idx);
    jstr(j, o, "module", m ? dd_path_basename(m->path) : NULL);
    if (m)
        jaddr(j, o, "module_offset", f->module_offset);
    else
        jnull(j, o, "module_offset");
    jstr(j, o, "function", f->function);
    if (f->function)
        jaddr(j, o, "function_offset", f->function_offset);
    else
        jnull(j, o, "function_offset");
    jstr(j, o, "file", f->file);
    if (f->file)
        jnum(j, o, "line", f->line);
    else
        jnull(j, o, "line");
    jaddr(j, o, "offset", f->lookup);
    jbool(j, o, "missing_symbols", m && !f->function);
    jstr(j, o, "trust", trust_name(f->found_by));
    jaddr(j, o, "sp", f->sp);
    if (regs)
        add_registers(j, o, "registers", regs);
}

static void add_thread(struct json *j, struct session *s, cJSON *o, const struct analyze_thread *th,
                       const struct regset *regs)
{
    jnum(j, o, "frame_count", (double)th->nframes);
    cJSON *frames = jarray(j, o, "frames");
    for (size_t i = 0; i < th->nframes; i++)
        add_frame(j, s, frames, &th->frames[i], i, i == 0 ? regs : NULL);
    jnum(j, o, "thread_id", th->tid);
    jstr(j, o, "thread_name", th->name);
}

/* "45d35f6c2d000": TimeDateStamp and SizeOfImage, as Breakpad and rust-minidump print code ids. */
static void add_module(struct json *j, struct session *s, cJSON *arr, size_t idx)
{
    const struct target_module *m = &s->target->modules[idx];
    cJSON *o = jcheck(j, cJSON_CreateObject());
    if (!o || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        j->oom = true;
        return;
    }
    char buf[128];
    jaddr(j, o, "base_addr", m->base);
    jaddr(j, o, "end_addr", m->base + m->size);
    jstr(j, o, "filename", dd_path_basename(m->path));
    snprintf(buf, sizeof(buf), "%08x%llx", m->timestamp, (unsigned long long)m->size);
    jstr(j, o, "code_id", buf);
    jstr(j, o, "debug_file", m->pdb_name ? dd_path_basename(m->pdb_name) : NULL);
    if (m->cv_kind == TARGET_CV_RSDS) {
        /* GUID fields in their on-disk little-endian order, then the age (Breakpad debug id). */
        const uint8_t *g = m->pdb_guid;
        int n = snprintf(
            buf, sizeof(buf), "%08X%04X%04X",
            (unsigned)g[0] | (unsigned)g[1] << 8 | (unsigned)g[2] << 16 | (unsigned)g[3] << 24,
            (unsigned)g[4] | (unsigned)g[5] << 8, (unsigned)g[6] | (unsigned)g[7] << 8);
        for (unsigned i = 8; i < 16 && n > 0; i++)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%02X", g[i]);
        snprintf(buf + n, sizeof(buf) - (size_t)n, "%X", m->pdb_age);
        jstr(j, o, "debug_id", buf);
    } else if (m->cv_kind == TARGET_CV_NB10) {
        snprintf(buf, sizeof(buf), "%08X%X", m->pdb_signature, m->pdb_age);
        jstr(j, o, "debug_id", buf);
    } else {
        jnull(j, o, "debug_id");
    }
    if (m->has_version && m->version.signature == 0xfeef04bdu) {
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u", m->version.file_version_ms >> 16,
                 m->version.file_version_ms & 0xffff, m->version.file_version_ls >> 16,
                 m->version.file_version_ls & 0xffff);
        jstr(j, o, "version", buf);
    } else {
        jnull(j, o, "version");
    }
    enum symbols_state st = s->syms ? symbols_module_state(s->syms, idx) : SYMBOLS_NONE;
    jbool(j, o, "loaded_symbols",
          st == SYMBOLS_PDB || st == SYMBOLS_PRIVATE_PDB || st == SYMBOLS_BREAKPAD ||
              st == SYMBOLS_ISF);
    jbool(j, o, "missing_symbols", st == SYMBOLS_NONE);
}

static void add_system_info(struct json *j, struct session *s, cJSON *root)
{
    const struct target_sysinfo *sys = &s->target->sys;
    cJSON *o = jobject(j, root, "system_info");
    char buf[256];
    /* minidump_processor.cc GetOSInfo / GetCPUInfo wording. */
    jstr(j, o, "os",
         sys->platform_id == 2   ? "Windows NT"
         : sys->platform_id == 1 ? "Windows"
                                 : NULL);
    snprintf(buf, sizeof(buf), "%u.%u.%u%s%s", sys->major_version, sys->minor_version,
             sys->build_number, sys->csd_version[0] ? " " : "", sys->csd_version);
    jstr(j, o, "os_ver", buf);
    const char *arch = sys->cpu == DD_CPU_X86     ? "x86"
                       : sys->cpu == DD_CPU_X64   ? "amd64"
                       : sys->cpu == DD_CPU_ARM64 ? "arm64"
                       : sys->cpu == DD_CPU_ARM   ? "arm"
                                                  : NULL;
    jstr(j, o, "cpu_arch", arch);
    jnum(j, o, "cpu_count", sys->number_of_processors);
    if (sys->cpu == DD_CPU_X86 || sys->cpu == DD_CPU_X64) {
        snprintf(buf, sizeof(buf), "%s%sfamily %u model %u stepping %u", sys->cpu_vendor,
                 sys->cpu_vendor[0] ? " " : "", sys->processor_level, sys->processor_revision >> 8,
                 sys->processor_revision & 0xff);
        jstr(j, o, "cpu_info", buf);
    } else {
        jnull(j, o, "cpu_info");
    }
}

static void add_exception(struct json *j, cJSON *a, const struct analyze_verdict *v)
{
    if (!v->has_exception) {
        jnull(j, a, "exception");
        return;
    }
    const struct analyze_exception *e = &v->exception;
    cJSON *o = jobject(j, a, "exception");
    jhex32(j, o, "code", e->code);
    jstr(j, o, "name", e->name);
    jstr(j, o, "text", e->text);
    jstr(j, o, "message", e->message);
    jhex32(j, o, "flags", e->flags);
    jaddr(j, o, "address", e->address);
    cJSON *params = jarray(j, o, "parameters");
    unsigned n =
        e->num_params < TARGET_EXCEPTION_MAX_PARAMS ? e->num_params : TARGET_EXCEPTION_MAX_PARAMS;
    for (unsigned i = 0; i < n; i++) {
        char buf[24];
        snprintf(buf, sizeof(buf), "0x%0*llx", (int)j->ps * 2, (unsigned long long)e->params[i]);
        cJSON *p = jcheck(j, cJSON_CreateString(buf));
        if (p && !cJSON_AddItemToArray(params, p)) {
            cJSON_Delete(p);
            j->oom = true;
        }
    }
    jstr(j, o, "access", e->access != ANALYZE_ACCESS_NONE ? analyze_access_name(e->access) : NULL);
    if (e->has_data_address)
        jaddr(j, o, "data_address", e->data_address);
    else
        jnull(j, o, "data_address");
    jbool(j, o, "data_address_recovered", e->data_address_recovered);
    jstr(j, o, "cpp_type", v->cpp_exception_type);
    if (v->recursion) {
        cJSON *rec = jobject(j, o, "recursion");
        jstr(j, rec, "function", v->recursion);
        jnum(j, rec, "frames", (double)v->recursion_count);
    } else {
        jnull(j, o, "recursion");
    }
    if (e->has_fast_fail) {
        cJSON *ff = jobject(j, o, "fast_fail");
        jnum(j, ff, "code", (double)e->fast_fail_code);
        jstr(j, ff, "name", e->fast_fail_name);
    } else {
        jnull(j, o, "fast_fail");
    }
}

static void add_analysis(struct json *j, struct session *s, cJSON *root,
                         const struct analyze_verdict *v)
{
    cJSON *a = jobject(j, root, "analysis");
    add_exception(j, a, v);
    if (v->has_exception && v->faulting_thread >= 0) {
        cJSON *t = jobject(j, a, "faulting_thread");
        jnum(j, t, "index", (double)v->faulting_thread);
        jnum(j, t, "thread_id", v->faulting_tid);
    } else {
        jnull(j, a, "faulting_thread");
    }
    if (v->has_instruction) {
        cJSON *in = jobject(j, a, "faulting_instruction");
        jaddr(j, in, "address", v->instruction_address);
        jstr(j, in, "text", v->instruction);
        jstr(j, in, "line", v->instruction_line);
    } else {
        jnull(j, a, "faulting_instruction");
    }
    if (v->has_context)
        add_registers(j, a, "registers", &v->regs);
    else
        jnull(j, a, "registers");
    if (v->blamed_frame >= 0) {
        const struct analyze_frame *f = &v->stack->frames[v->blamed_frame];
        cJSON *b = jobject(j, a, "blamed_frame");
        jnum(j, b, "frame", (double)v->blamed_frame);
        jstr(j, b, "module", v->module_name);
        jstr(j, b, "image", v->image_name);
        jstr(j, b, "function", f->function);
        jaddr(j, b, "module_offset", f->module_offset);
        jstr(j, b, "symbol", v->symbol_name);
        jstr(j, b, "file", f->file);
        if (f->file)
            jnum(j, b, "line", f->line);
        else
            jnull(j, b, "line");
        jstr(j, b, "image_version", v->image_version);
    } else {
        jnull(j, a, "blamed_frame");
    }
    jstr(j, a, "problem_class", v->problem_class);
    jstr(j, a, "bucket", v->bucket);
    jstr(j, a, "hash", v->bucket ? v->hash : NULL);
    if (v->rating != ANALYZE_RATING_UNKNOWN) {
        cJSON *x = jobject(j, a, "exploitability");
        jstr(j, x, "rating", analyze_rating_name(v->rating));
        jstr(j, x, "reason", v->rating_reason);
    } else {
        jnull(j, a, "exploitability");
    }
    cJSON *pats = jarray(j, a, "patterns");
    for (size_t i = 0; i < v->npatterns; i++) {
        cJSON *p = jcheck(j, cJSON_CreateObject());
        if (!p || !cJSON_AddItemToArray(pats, p)) {
            cJSON_Delete(p);
            j->oom = true;
            continue;
        }
        jstr(j, p, "name", v->patterns[i].name);
        jstr(j, p, "evidence", v->patterns[i].evidence);
    }
    if (v->bugcheck) { /* kernel dumps: the bug check (bugcheck_render.c) */
        cJSON *bc = analyze_bugcheck_json(v, j->ps);
        if (!bc || !cJSON_AddItemToObject(a, "bugcheck", bc)) {
            cJSON_Delete(bc);
            j->oom = true;
        }
    } else {
        jnull(j, a, "bugcheck");
    }
    cJSON *notes = jarray(j, a, "notes");
    for (size_t i = 0; i < v->nnotes; i++) {
        cJSON *n = jcheck(j, cJSON_CreateString(v->notes[i]));
        if (n && !cJSON_AddItemToArray(notes, n)) {
            cJSON_Delete(n);
            j->oom = true;
        }
    }
    j->oom |= !analyze_patterns_json(s, a, v); /* pattern lines, "hang" (render_patterns.c) */
}

static void add_crash_info(struct json *j, cJSON *root, const struct analyze_verdict *v)
{
    cJSON *ci = jobject(j, root, "crash_info");
    const struct analyze_exception *e = &v->exception;
    if (v->has_exception) {
        /* rust-minidump: the accessed address for access violations, else where it happened. */
        uint64_t addr = e->has_data_address && !e->data_address_recovered ? e->data_address
                        : e->has_data_address                             ? e->params[1]
                                                                          : e->address;
        jaddr(j, ci, "address", addr);
        if (e->data_address_recovered) {
            cJSON *adj = jobject(j, ci, "adjusted_address");
            jstr(j, adj, "kind", "non-canonical");
            jaddr(j, adj, "address", e->data_address);
        } else {
            jnull(j, ci, "adjusted_address");
        }
        jstr(j, ci, "type", e->crash_type);
        if (v->stack && v->faulting_thread >= 0)
            jnum(j, ci, "crashing_thread", (double)v->faulting_thread);
        else
            jnull(j, ci, "crashing_thread");
        jstr(j, ci, "instruction", v->has_instruction ? v->instruction : NULL);
    } else {
        jnull(j, ci, "address");
        jnull(j, ci, "adjusted_address");
        jnull(j, ci, "type");
        jnull(j, ci, "crashing_thread");
        jnull(j, ci, "instruction");
    }
    jstr(j, ci, "assertion", v->assertion);
}

struct dd_error *analyze_json_build(struct session *s, const struct analyze_verdict *v,
                                    cJSON **ret)
{
    struct json j = {false, s->arch ? s->arch->ptr_size : target_ptr_size(s->target)};
    const struct target *t = s->target;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return &dd_error_no_memory;
    jstr(&j, root, "status", "OK");
    add_crash_info(&j, root, v);
    if (v->stack && v->faulting_thread >= 0) {
        cJSON *ct = jobject(&j, root, "crashing_thread");
        add_thread(&j, s, ct, v->stack, v->has_context ? &v->regs : NULL);
        jnum(&j, ct, "threads_index", (double)v->faulting_thread);
    } else {
        jnull(&j, root, "crashing_thread");
    }
    jnum(&j, root, "thread_count", (double)t->nthreads);
    cJSON *threads = jarray(&j, root, "threads");
    /* In thread-list order; threads not walked (no -json all-threads run) have no frames. */
    for (size_t i = 0; i < t->nthreads; i++) {
        const struct analyze_thread *th = NULL;
        for (size_t k = 0; k < v->nthreads && !th; k++)
            if (v->threads[k].index == i)
                th = &v->threads[k];
        cJSON *o = jcheck(&j, cJSON_CreateObject());
        if (!o || !cJSON_AddItemToArray(threads, o)) {
            cJSON_Delete(o);
            j.oom = true;
            continue;
        }
        if (th) {
            add_thread(&j, s, o, th, NULL);
        } else {
            jnum(&j, o, "frame_count", 0);
            jarray(&j, o, "frames");
            jnum(&j, o, "thread_id", t->threads[i].tid);
            jstr(&j, o, "thread_name", t->threads[i].name);
        }
    }
    cJSON *mods = jarray(&j, root, "modules");
    long main_module = -1;
    for (size_t i = 0; i < t->nmodules; i++) {
        add_module(&j, s, mods, i);
        if (main_module < 0 && t->main_image_path &&
            strcmp(t->modules[i].path, t->main_image_path) == 0)
            main_module = (long)i;
    }
    if (main_module >= 0)
        jnum(&j, root, "main_module", (double)main_module);
    else
        jnull(&j, root, "main_module");
    if (t->proc.has_pid)
        jnum(&j, root, "pid", t->proc.pid);
    else
        jnull(&j, root, "pid");
    add_system_info(&j, s, root);
    add_analysis(&j, s, root, v);
    if (j.oom) {
        cJSON_Delete(root);
        return &dd_error_no_memory;
    }
    *ret = root;
    return NULL;
}

struct dd_error *analyze_render_json(struct session *s, const struct analyze_verdict *v,
                                     bool pretty, struct dd_writer *out)
{
    cJSON *root;
    struct dd_error *err = analyze_json_build(s, v, &root);
    if (err)
        return err;
    char *text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        return &dd_error_no_memory;
    dd_puts(out, text);
    dd_puts(out, "\n");
    cJSON_free(text);
    return NULL;
}
