/*
 * `!analyze -v` and `!analyze` text in WinDbg's layout. The field order, spelling and spacing
 * follow published cdb/WinDbg transcripts of user-mode crash dumps:
 *   - pjsip/cirunner README.md (cdb 10.0.19041.685, x86 NULL_CLASS_PTR_WRITE, with
 *     FAULTING_SOURCE_* lines, OS_VERSION/BUILDLAB_STR);
 *   - a Falcon BMS 4.37 crash report (WinDbg 10.0.25921.1001, x64 NULL_POINTER_READ in msctf:
 *     KEY_VALUES_STRING, CONTEXT, EXCEPTION_RECORD, READ_ADDRESS, STACK_TEXT with kb columns);
 *   - GWToolboxpp#1509, windirstat#93, dotnet/runtime#73183 (KEY_VALUES_STRING keys
 *     AV.Dereference, AV.Fault, FailFast.Name/Type, Failure.*), and kernel-mode transcripts
 *     for the short form ("Probably caused by : IMAGE ( SYMBOL )").
 * Fields whose values dumpdbg cannot compute (Analysis.* timings, NTGLOBALFLAG,
 * APPLICATION_VERIFIER_FLAGS, FILE_IN_CAB ...) are left out rather than invented. dumpdbg's
 * own findings follow the "Followup" block as DUMPDBG_* lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "base/fmt.h"
#include "cmd/session.h"

#define NO_TEXT "<Unable to get error code text>"

static const char banner[] =
    "*******************************************************************************\n"
    "*                                                                             *\n"
    "*                        Exception Analysis                                   *\n"
    "*                                                                             *\n"
    "*******************************************************************************\n";

static unsigned ptr_size(const struct session *s)
{
    return s->arch ? s->arch->ptr_size : target_ptr_size(s->target);
}

struct kv {
    const char *key;
    char value[512];
};

static int kv_compare(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* KEY_VALUES_STRING: the keys dumpdbg can fill, in WinDbg's (ASCII) order. */
static void print_key_values(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    struct kv kv[12];
    size_t n = 0;
    if (e->code == 0xc0000005u && e->access != ANALYZE_ACCESS_NONE) {
        if (e->access != ANALYZE_ACCESS_EXECUTE && v->operand_base_null) {
            kv[n].key = "AV.Dereference";
            snprintf(kv[n++].value, sizeof(kv[0].value), "NullPtr");
        } else if (e->access != ANALYZE_ACCESS_EXECUTE && e->data_address != 0 &&
                   e->data_address < ANALYZE_NULL_PAGE_LIMIT) {
            kv[n].key = "AV.Dereference";
            snprintf(kv[n++].value, sizeof(kv[0].value), "NullClassPtr");
        }
        kv[n].key = "AV.Fault";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s",
                 e->access == ANALYZE_ACCESS_READ    ? "Read"
                 : e->access == ANALYZE_ACCESS_WRITE ? "Write"
                                                     : "Execute");
    }
    if (e->has_fast_fail) {
        const char *name = e->fast_fail_name;
        if (name && strncmp(name, "FAST_FAIL_", 10) == 0)
            name += 10;
        if (name) {
            kv[n].key = "FailFast.Name";
            snprintf(kv[n++].value, sizeof(kv[0].value), "%s", name);
        }
        kv[n].key = "FailFast.Type";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%llu", (unsigned long long)e->fast_fail_code);
    }
    if (v->bucket) {
        kv[n].key = "Failure.Bucket";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s", v->bucket);
        kv[n].key = "Failure.Hash";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s", v->hash);
        kv[n].key = "Failure.ProblemClass.Primary";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s", v->problem_class);
    }
    kv[n].key = "Failure.Exception.Code";
    snprintf(kv[n++].value, sizeof(kv[0].value), "0x%x", e->code);
    kv[n].key = "Failure.Exception.IP.Address";
    snprintf(kv[n++].value, sizeof(kv[0].value), "0x%llx", (unsigned long long)e->address);
    const struct target_module *m = target_module_by_addr(s->target, e->address);
    if (m) {
        kv[n].key = "Failure.Exception.IP.Module";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s", m->name);
        kv[n].key = "Failure.Exception.IP.Offset";
        snprintf(kv[n++].value, sizeof(kv[0].value), "0x%llx",
                 (unsigned long long)(e->address - m->base));
    }
    qsort(kv, n, sizeof(kv[0]), kv_compare);
    dd_puts(s->out, "KEY_VALUES_STRING: 1\n\n");
    for (size_t i = 0; i < n; i++)
        dd_printf(s->out, "    Key  : %s\n    Value: %s\n\n", kv[i].key, kv[i].value);
    dd_puts(s->out, "\n");
}

/* CONTEXT:  (.ecxr) -- the registers as .ecxr prints them, then WinDbg's scope reset. */
static void print_context(struct session *s, const struct analyze_verdict *v)
{
    if (!v->has_context)
        return;
    dd_puts(s->out, "CONTEXT:  (.ecxr)\n");
    v->regs.arch->print_regs(s->out, &v->regs);
    char sym[1536];
    if (session_symbolize(s, regset_slot(&v->regs, v->regs.arch->pc_slot), sym, sizeof(sym)))
        dd_printf(s->out, "%s:\n", sym);
    if (v->context_line[0])
        dd_printf(s->out, "%s\n", v->context_line);
    dd_puts(s->out, "Resetting default scope\n\n");
}

/* The record as .exr prints it, from "ExceptionAddress:" to the blank line after it. */
static void print_record_body(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    struct dd_writer *o = s->out;
    unsigned ps = ptr_size(s);
    int w = (int)ps * 2;
    dd_printf(o, "ExceptionAddress: %0*llx", w, (unsigned long long)e->address);
    /* .exr pads the displacement to the pointer width: "(mod!func+0x0000001e)". */
    const struct target_module *m = target_module_by_addr(s->target, e->address);
    struct symbols_hit hit;
    struct dd_error *err =
        m && s->syms ? symbols_find_by_addr(s->syms, e->address, &hit) : &dd_error_not_found;
    if (m && !err && hit.has_name)
        dd_printf(o, " (%s!%s+0x%0*llx)", m->name, hit.name, w, (unsigned long long)hit.disp);
    else if (m)
        dd_printf(o, " (%s+0x%0*llx)", m->name, w, (unsigned long long)(e->address - m->base));
    dd_error_destroy(err);
    dd_puts(o, "\n");
    dd_printf(o, "   ExceptionCode: %08x", e->code);
    if (e->text)
        dd_printf(o, " (%s)", e->text);
    dd_printf(o, "\n  ExceptionFlags: %08x\nNumberParameters: %u\n", e->flags, e->num_params);
    unsigned n =
        e->num_params < TARGET_EXCEPTION_MAX_PARAMS ? e->num_params : TARGET_EXCEPTION_MAX_PARAMS;
    for (unsigned i = 0; i < n; i++)
        dd_printf(o, "   Parameter[%u]: %0*llx\n", i, w, (unsigned long long)e->params[i]);
    if ((e->code == 0xc0000005u || e->code == 0xc0000006u) && n >= 2) {
        const char *verb = e->params[0] == 1   ? "Attempt to write to address"
                           : e->params[0] == 8 ? "Attempt to execute non-executable address"
                                               : "Attempt to read from address";
        dd_printf(o, "%s %0*llx\n", verb, w, (unsigned long long)e->params[1]);
        if (e->code == 0xc0000006u && n >= 3)
            dd_printf(o, "Inpage operation failed at %0*llx, due to I/O error %0*llx\n", w,
                      (unsigned long long)e->params[1], w, (unsigned long long)e->params[2]);
    }
    if (e->has_fast_fail)
        dd_printf(o, "Subcode: 0x%llx%s%s\n", (unsigned long long)e->fast_fail_code,
                  e->fast_fail_name ? " " : "", e->fast_fail_name ? e->fast_fail_name : "");
    dd_puts(o, "\n");
}

/* EXCEPTION_RECORD:  (.exr -1) -- the record as .exr prints it. */
static void print_record(struct session *s, const struct analyze_verdict *v)
{
    dd_puts(s->out, "EXCEPTION_RECORD:  (.exr -1)\n");
    print_record_body(s, v);
}

/* One STACK_TEXT line: kb's columns (x64: Child-SP RetAddr : Args : Call Site). */
static void print_frame(struct session *s, const struct analyze_frame *f)
{
    struct dd_writer *o = s->out;
    unsigned ps = ptr_size(s);
    char site[2048], a[DD_ADDR_BUF], b[DD_ADDR_BUF];
    if (!session_symbolize(s, f->ip, site, sizeof(site)))
        snprintf(site, sizeof(site), "0x%llx", (unsigned long long)f->ip);
    if (f->file) {
        size_t len = strlen(site);
        snprintf(site + len, sizeof(site) - len, " [%s @ %u] ", f->file, f->line);
    }
    uint64_t ret = f->has_return_address ? f->return_address : 0;
    if (ps == 8) {
        dd_printf(o, "%s %s     : ", dd_fmt_addr(a, f->sp, 8), dd_fmt_addr(b, ret, 8));
        for (unsigned k = 0; k < 4; k++)
            dd_printf(o, "%s ", k < f->nargs ? dd_fmt_addr(a, f->args[k], 8) : "????????`????????");
        dd_printf(o, ": %s\n", site);
        return;
    }
    uint64_t base = f->has_frame_pointer ? f->frame_pointer : f->sp;
    dd_printf(o, "%s %s", dd_fmt_addr(a, base, 4), dd_fmt_addr(b, ret, 4));
    for (unsigned k = 0; k < 3; k++)
        dd_printf(o, " %s", k < f->nargs ? dd_fmt_addr(a, f->args[k], 4) : "????????");
    dd_printf(o, " %s\n", site);
}

/* OSNAME for the NT version (WinDbg says "Windows 10" for Windows 11 too). */
static const char *os_name(const struct target_sysinfo *sys)
{
    if (sys->major_version == 10)
        return "Windows 10";
    if (sys->product_type != 1) /* VER_NT_WORKSTATION; server names are not verified */
        return NULL;
    if (sys->major_version == 6) {
        static const char *const names[] = {"Windows Vista", "Windows 7", "Windows 8",
                                            "Windows 8.1"};
        return sys->minor_version < 4 ? names[sys->minor_version] : NULL;
    }
    if (sys->major_version == 5 && sys->minor_version == 1)
        return "Windows XP";
    return NULL;
}

/* OS_VERSION and BUILDLAB_STR from the build string "19041.1.amd64fre.vb_release.191206-1406". */
static void print_os(struct session *s)
{
    const struct target_sysinfo *sys = &s->target->sys;
    const char *bs = sys->build_string;
    unsigned build, rev;
    char lab[128];
    if (bs && sscanf(bs, "%u.%u.%*[^.].%127[^.]", &build, &rev, lab) == 3)
        dd_printf(s->out, "OS_VERSION:  %u.%u.%u.%u\n\nBUILDLAB_STR:  %s\n\n", sys->major_version,
                  sys->minor_version, build, rev, lab);
    if (s->arch)
        dd_printf(s->out, "OSPLATFORM_TYPE:  %s\n\n", s->arch->name);
    const char *name = os_name(sys);
    if (name)
        dd_printf(s->out, "OSNAME:  %s\n\n", name);
}

/* dumpdbg's findings; the short form keeps only the rating. */
static void print_additions(struct session *s, const struct analyze_verdict *v, bool verbose)
{
    if (v->rating != ANALYZE_RATING_UNKNOWN)
        dd_printf(s->out, "DUMPDBG_EXPLOITABILITY:  %s - %s\n", analyze_rating_name(v->rating),
                  v->rating_reason ? v->rating_reason : "");
    if (!verbose)
        return;
    if (v->exception.data_address_recovered)
        dd_printf(s->out, "DUMPDBG_FAULT_ADDRESS:  %016llx (recovered from the instruction)\n",
                  (unsigned long long)v->exception.data_address);
    if (v->assertion)
        dd_printf(s->out, "DUMPDBG_ASSERTION:  %s\n", v->assertion);
    if (v->cpp_exception_type)
        dd_printf(s->out, "DUMPDBG_CPP_EXCEPTION_TYPE:  %s\n", v->cpp_exception_type);
    if (v->recursion)
        dd_printf(s->out, "DUMPDBG_RECURSION:  %s (%zu frames)\n", v->recursion,
                  v->recursion_count);
    for (size_t i = 0; i < v->npatterns; i++)
        dd_printf(s->out, "DUMPDBG_PATTERN:  %s - %s\n", v->patterns[i].name,
                  v->patterns[i].evidence);
    for (size_t i = 0; i < v->nnotes; i++)
        dd_printf(s->out, "DUMPDBG_NOTE:  %s\n", v->notes[i]);
    analyze_render_patterns_text(s, v); /* PATTERNS: (render_patterns.c) */
}

static void print_short(struct session *s, const struct analyze_verdict *v)
{
    dd_puts(s->out, "Use !analyze -v to get detailed debugging information.\n\n");
    if (v->blamed_frame >= 0)
        dd_printf(s->out, "Probably caused by : %s ( %s )\n\n", v->image_name, v->symbol_name);
    dd_puts(s->out, "Followup:     MachineOwner\n---------\n\n");
}

static void print_verbose(struct session *s, const struct analyze_verdict *v)
{
    struct dd_writer *o = s->out;
    const struct analyze_exception *e = &v->exception;
    unsigned ps = ptr_size(s);
    int w = (int)ps * 2;
    print_key_values(s, v);
    print_context(s, v);
    print_record(s, v);
    if (v->process_name)
        dd_printf(o, "PROCESS_NAME:  %s\n\n", v->process_name);
    if (e->code == 0xc0000005u && e->has_data_address && e->access != ANALYZE_ACCESS_EXECUTE &&
        e->access != ANALYZE_ACCESS_NONE)
        dd_printf(o, "%s:  %0*llx \n\n",
                  e->access == ANALYZE_ACCESS_WRITE ? "WRITE_ADDRESS" : "READ_ADDRESS", w,
                  (unsigned long long)e->data_address);
    dd_printf(o, "ERROR_CODE: (NTSTATUS) %#x - %s\n\n", e->code, e->message ? e->message : NO_TEXT);
    dd_printf(o, "EXCEPTION_CODE_STR:  %08x\n\n", e->code);
    unsigned n = e->num_params < 4 ? e->num_params : 4;
    for (unsigned i = 0; i < n; i++)
        dd_printf(o, "EXCEPTION_PARAMETER%u:  %0*llx\n\n", i + 1, w,
                  (unsigned long long)e->params[i]);
    if (v->stack && v->stack->nframes) {
        dd_puts(o, "STACK_TEXT:  \n");
        for (size_t i = 0; i < v->stack->nframes; i++)
            print_frame(s, &v->stack->frames[i]);
        dd_puts(o, "\n\n");
    }
    if (v->blamed_frame >= 0) {
        const struct analyze_frame *f = &v->stack->frames[v->blamed_frame];
        if (f->file)
            dd_printf(o,
                      "FAULTING_SOURCE_LINE:  %s\n\nFAULTING_SOURCE_FILE:  %s\n\n"
                      "FAULTING_SOURCE_LINE_NUMBER:  %u\n\n",
                      f->file, f->file, f->line);
        dd_printf(o, "SYMBOL_NAME:  %s\n\nMODULE_NAME: %s\n\nIMAGE_NAME:  %s\n\n", v->symbol_name,
                  v->module_name, v->image_name);
    } else {
        dd_puts(o, "SYMBOL_NAME:  unknown!noop\n\nMODULE_NAME: Unknown_Module\n\n"
                   "IMAGE_NAME:  Unknown_Image\n\n");
    }
    if (v->has_context) {
        if (v->faulting_thread >= 0)
            dd_printf(o, "STACK_COMMAND:  ~%lds; .ecxr ; kb\n\n", v->faulting_thread);
        else
            dd_puts(o, "STACK_COMMAND:  .ecxr ; kb\n\n");
    }
    if (v->bucket)
        dd_printf(o, "FAILURE_BUCKET_ID:  %s\n\n", v->bucket);
    print_os(s);
    if (v->image_version)
        dd_printf(o, "IMAGE_VERSION:  %s\n\n", v->image_version);
    if (v->bucket)
        dd_printf(o, "FAILURE_ID_HASH:  %s\n\n", v->hash);
    dd_puts(o, "Followup:     MachineOwner\n---------\n\n");
}

void analyze_render_text(struct session *s, const struct analyze_verdict *v, bool verbose)
{
    if (v->bugcheck) { /* a kernel dump: the bug check layout (bugcheck_render.c) */
        analyze_render_bugcheck_text(s, v, verbose);
        return;
    }
    if (analyze_render_hang_text(s, v, verbose)) /* a hang verdict (render_patterns.c) */
        return;
    dd_printf(s->out, "%s\n%s", banner, verbose && v->has_exception ? "\n" : "");
    if (!v->has_exception) {
        print_additions(s, v, true);
        return;
    }
    if (verbose)
        print_verbose(s, v);
    else
        print_short(s, v);
    print_additions(s, v, verbose);
}

/* The pieces the kernel layout (bugcheck_render.c) shares with this one. */
void analyze_text_frame(struct session *s, const struct analyze_frame *f)
{
    print_frame(s, f);
}

void analyze_text_os(struct session *s)
{
    print_os(s);
}

void analyze_text_exception_record(struct session *s, const struct analyze_verdict *v)
{
    print_record_body(s, v);
}

void analyze_text_additions(struct session *s, const struct analyze_verdict *v, bool verbose)
{
    print_additions(s, v, verbose);
}
