/*
 * A kernel verdict as `!analyze -v` and `!analyze` print it, and its "bugcheck" JSON object.
 * The layout follows published kernel transcripts of WinDbg 10.0.2xxxx: a 0x7E triage dump
 * (o2micro_sdhost, with EXCEPTION_RECORD/CONTEXT from the parameters and
 * "STACK_COMMAND:  .cxr 0x... ; kb"), a 0x133 (YuYuanVTDebug's 071826-14109-01-analyze.txt:
 * BUGCHECK_CODE/BUGCHECK_P1..P4 spacing, BUCKET_ID_FUNC_OFFSET, KEY_VALUES_STRING keys
 * Bugcheck.Code.LegacyAPI and Failure.*), 0xD1/0x139/0x13A NotMyFault-style transcripts
 * (OS_VERSION, BUILDLAB_STR). As there, an _M code is shown as its base code
 * ("SYSTEM_THREAD_EXCEPTION_NOT_HANDLED (7e)", Bugcheck.Code.LegacyAPI 0x1000007e).
 * FAULTING_IP is the older WinDbg field (symbol line, then the instruction as `u` shows it).
 * The Arg lines carry dumpdbg's own words for each parameter (bugcheck_table.tsv); the
 * description under the name is the table's too, not WinDbg's text. Fields dumpdbg cannot
 * compute (Analysis.* timings, BLACKBOX*, CUSTOMER_CRASH_COUNT, DUMP_FILE_ATTRIBUTES) are left
 * out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "base/fmt.h"
#include "cmd/session.h"

#define NO_TEXT "<Unable to get error code text>"

static const char banner[] =
    "*******************************************************************************\n"
    "*                                                                             *\n"
    "*                        Bugcheck Analysis                                    *\n"
    "*                                                                             *\n"
    "*******************************************************************************\n";

static unsigned ptr_size(const struct session *s)
{
    return s->arch ? s->arch->ptr_size : target_ptr_size(s->target);
}

/* NAME (code), the description, and one Arg line per parameter. */
static void print_header(struct session *s, const struct analyze_bugcheck *b)
{
    struct dd_writer *o = s->out;
    int w = (int)ptr_size(s) * 2;
    if (b->name)
        dd_printf(o, "%s (%x)\n", b->name, b->shown_code);
    else
        dd_printf(o, "Unknown bugcheck code (%x)\n", b->shown_code);
    if (b->description)
        dd_printf(o, "%s\n", b->description);
    else if (!b->name)
        dd_puts(o, "Unknown bugcheck description\n");
    dd_puts(o, "Arguments:\n");
    for (int i = 0; i < 4; i++) {
        dd_printf(o, "Arg%d: %0*llx", i + 1, w, (unsigned long long)b->params[i]);
        if (b->meanings[i])
            dd_printf(o, ", %s", b->meanings[i]);
        dd_puts(o, "\n");
    }
    dd_puts(o, "\n");
}

struct kv {
    const char *key;
    char value[512];
};

/* KEY_VALUES_STRING: the keys dumpdbg can fill, in WinDbg's (ASCII) order. */
static void print_key_values(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    struct kv kv[8];
    size_t n = 0;
    if (v->has_exception && e->code == 0xc0000005u && e->access != ANALYZE_ACCESS_NONE) {
        if (e->access != ANALYZE_ACCESS_EXECUTE && e->data_address < ANALYZE_NULL_PAGE_LIMIT) {
            kv[n].key = "AV.Dereference";
            snprintf(kv[n++].value, sizeof(kv[0].value), "%s",
                     e->data_address == 0 ? "NullPtr" : "NullClassPtr");
        }
        kv[n].key = "AV.Fault";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s",
                 e->access == ANALYZE_ACCESS_READ    ? "Read"
                 : e->access == ANALYZE_ACCESS_WRITE ? "Write"
                                                     : "Execute");
    }
    kv[n].key = "Bugcheck.Code.LegacyAPI";
    snprintf(kv[n++].value, sizeof(kv[0].value), "0x%x", v->bugcheck->code);
    kv[n].key = "Bugcheck.Code.TargetModel";
    snprintf(kv[n++].value, sizeof(kv[0].value), "0x%x", v->bugcheck->code);
    if (v->bucket) {
        kv[n].key = "Failure.Bucket";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s", v->bucket);
        kv[n].key = "Failure.Hash";
        snprintf(kv[n++].value, sizeof(kv[0].value), "%s", v->hash);
    }
    dd_puts(s->out, "KEY_VALUES_STRING: 1\n\n");
    for (size_t i = 0; i < n; i++) /* already in ASCII order */
        dd_printf(s->out, "    Key  : %s\n    Value: %s\n\n", kv[i].key, kv[i].value);
    dd_puts(s->out, "\n");
}

/* "mod!func+70" (no 0x) for ADDR, as SYMBOL_NAME and the old FAULTING_IP spell it. */
static bool short_symbol(struct session *s, uint64_t addr, char *buf, size_t len)
{
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m)
        return false;
    struct symbols_hit hit;
    if (s->syms && !dd_error_drop(symbols_find_by_addr(s->syms, addr, &hit)) && hit.has_name)
        snprintf(buf, len, "%s!%s+%llx", m->name, hit.name, (unsigned long long)hit.disp);
    else
        snprintf(buf, len, "%s+%llx", m->name, (unsigned long long)(addr - m->base));
    return true;
}

static void print_faulting_ip(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    char sym[1536], a[DD_ADDR_BUF];
    if (!b->has_faulting_ip || !short_symbol(s, b->faulting_ip, sym, sizeof(sym)))
        return;
    dd_printf(s->out, "FAULTING_IP: \n%s\n", sym);
    if (v->has_instruction)
        dd_printf(s->out, "%s\n\n", v->instruction_line);
    else /* the code bytes are not in the dump */
        dd_printf(s->out, "%s ??              ???\n\n",
                  dd_fmt_addr(a, b->faulting_ip, ptr_size(s)));
}

/* CONTEXT:/TRAP_FRAME: the registers the stack was walked from, as .cxr/.trap print them. */
static void print_context(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    struct dd_writer *o = s->out;
    int w = (int)ptr_size(s) * 2;
    if (!v->has_context)
        return;
    if (b->regs_from == ANALYZE_REGS_CONTEXT_RECORD) {
        dd_printf(o, "CONTEXT:  %0*llx -- (.cxr 0x%llx)\n", w,
                  (unsigned long long)b->context_record, (unsigned long long)b->context_record);
    } else if (b->regs_from == ANALYZE_REGS_TRAP_FRAME) {
        dd_printf(o, "TRAP_FRAME:  %0*llx -- (.trap 0x%llx)\n", w,
                  (unsigned long long)b->trap_frame, (unsigned long long)b->trap_frame);
        dd_puts(o, "NOTE: The trap frame does not contain all registers.\n"
                   "Some register values may be zeroed or incorrect.\n");
    } else {
        return;
    }
    v->regs.arch->print_regs(o, &v->regs);
    char sym[1536];
    if (session_symbolize(s, regset_slot(&v->regs, v->regs.arch->pc_slot), sym, sizeof(sym)))
        dd_printf(o, "%s:\n", sym);
    if (v->context_line[0])
        dd_printf(o, "%s\n", v->context_line);
    dd_puts(o, "Resetting default scope\n\n");
}

/* READ_ADDRESS/WRITE_ADDRESS, ERROR_CODE, EXCEPTION_* lines. */
static void print_exception_fields(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    const struct analyze_exception *e = &v->exception;
    struct dd_writer *o = s->out;
    int w = (int)ptr_size(s) * 2;
    bool has_addr = false;
    uint64_t addr = 0;
    enum analyze_access acc = ANALYZE_ACCESS_NONE;
    if (v->has_exception && e->has_data_address) {
        has_addr = true;
        addr = e->data_address;
        acc = e->access;
    } else if (b->has_referenced && b->access != ANALYZE_ACCESS_NONE) {
        has_addr = true;
        addr = b->referenced;
        acc = b->access;
    }
    if (has_addr && (acc == ANALYZE_ACCESS_READ || acc == ANALYZE_ACCESS_WRITE))
        dd_printf(o, "%s:  %0*llx \n\n", acc == ANALYZE_ACCESS_WRITE ? "WRITE_ADDRESS" : "READ_ADDRESS",
                  w, (unsigned long long)addr);
    if (b->has_irql)
        dd_printf(o, "CURRENT_IRQL:  %llx\n\n", (unsigned long long)b->irql);
    if (!v->has_exception)
        return;
    dd_printf(o, "ERROR_CODE: (NTSTATUS) %#x - %s\n\n", e->code, e->message ? e->message : NO_TEXT);
    dd_printf(o, "EXCEPTION_CODE_STR:  %08x\n\n", e->code);
    unsigned n = e->num_params < 4 ? e->num_params : 4;
    for (unsigned i = 0; i < n; i++)
        dd_printf(o, "EXCEPTION_PARAMETER%u:  %0*llx\n\n", i + 1, w,
                  (unsigned long long)e->params[i]);
    dd_printf(o, "EXCEPTION_STR:  0x%x\n\n", e->code);
}

static void print_verbose(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    struct dd_writer *o = s->out;
    int w = (int)ptr_size(s) * 2;
    print_header(s, b);
    dd_puts(o, "Debugging Details:\n------------------\n\n\n");
    print_key_values(s, v);
    dd_printf(o, "BUGCHECK_CODE:  %x\n\n", b->shown_code);
    for (int i = 0; i < 4; i++)
        dd_printf(o, "BUGCHECK_P%d: %llx\n\n", i + 1, (unsigned long long)b->params[i]);
    if (b->driver_name)
        dd_printf(o, "DRIVER_NAME:  %s\n\n", b->driver_name);
    print_faulting_ip(s, v);
    if (b->exception_record_read) {
        dd_printf(o, "EXCEPTION_RECORD:  %0*llx -- (.exr 0x%llx)\n", w,
                  (unsigned long long)b->exception_record, (unsigned long long)b->exception_record);
        analyze_text_exception_record(s, v);
    }
    print_context(s, v);
    if (v->process_name)
        dd_printf(o, "PROCESS_NAME:  %s\n\n", v->process_name);
    print_exception_fields(s, v);
    if (v->stack && v->stack->nframes) {
        dd_puts(o, "STACK_TEXT:  \n");
        for (size_t i = 0; i < v->stack->nframes; i++)
            analyze_text_frame(s, &v->stack->frames[i]);
        dd_puts(o, "\n\n");
    }
    if (b->blamed) {
        const struct analyze_frame *f =
            v->blamed_frame >= 0 ? &v->stack->frames[v->blamed_frame] : NULL;
        if (f && f->file)
            dd_printf(o,
                      "FAULTING_SOURCE_LINE:  %s\n\nFAULTING_SOURCE_FILE:  %s\n\n"
                      "FAULTING_SOURCE_LINE_NUMBER:  %u\n\n",
                      f->file, f->file, f->line);
        dd_printf(o, "SYMBOL_NAME:  %s\n\nMODULE_NAME: %s\n\nIMAGE_NAME:  %s\n\n", v->symbol_name,
                  v->module_name, v->image_name);
        if (v->image_version)
            dd_printf(o, "IMAGE_VERSION:  %s\n\n", v->image_version);
    }
    if (b->stack_command)
        dd_printf(o, "STACK_COMMAND:  %s\n\n", b->stack_command);
    if (b->blamed)
        dd_printf(o, "BUCKET_ID_FUNC_OFFSET:  %llx\n\n", (unsigned long long)b->func_offset);
    if (v->bucket)
        dd_printf(o, "FAILURE_BUCKET_ID:  %s\n\n", v->bucket);
    analyze_text_os(s);
    if (v->bucket)
        dd_printf(o, "FAILURE_ID_HASH:  %s\n\n", v->hash);
    dd_puts(o, "Followup:     MachineOwner\n---------\n\n");
}

static void print_short(struct session *s, const struct analyze_verdict *v)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    dd_puts(s->out, "Use !analyze -v to get detailed debugging information.\n\n");
    dd_printf(s->out, "BugCheck %X, {%llx, %llx, %llx, %llx}\n\n", b->code,
              (unsigned long long)b->params[0], (unsigned long long)b->params[1],
              (unsigned long long)b->params[2], (unsigned long long)b->params[3]);
    if (b->blamed)
        dd_printf(s->out, "Probably caused by : %s ( %s )\n\n", v->image_name, v->symbol_name);
    dd_puts(s->out, "Followup:     MachineOwner\n---------\n\n");
}

void analyze_render_bugcheck_text(struct session *s, const struct analyze_verdict *v, bool verbose)
{
    dd_printf(s->out, "%s\n", banner);
    if (verbose)
        print_verbose(s, v);
    else
        print_short(s, v);
    analyze_text_additions(s, v, verbose);
}

/* JSON helpers: each records an allocation failure in *OOM. */
static void jadd(cJSON *o, const char *key, cJSON *item, bool *oom)
{
    if (!item || !cJSON_AddItemToObject(o, key, item)) {
        cJSON_Delete(item);
        *oom = true;
    }
}

static cJSON *jaddr(uint64_t v, unsigned ps)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%0*llx", (int)ps * 2, (unsigned long long)v);
    return cJSON_CreateString(buf);
}

static cJSON *jstr(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *jaddr_if(bool has, uint64_t v, unsigned ps)
{
    return has ? jaddr(v, ps) : cJSON_CreateNull();
}

struct cJSON *analyze_bugcheck_json(const struct analyze_verdict *v, unsigned ptr_size)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    bool oom = false;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    char buf[32];
    snprintf(buf, sizeof(buf), "0x%08x", b->code);
    jadd(o, "code", cJSON_CreateString(buf), &oom);
    snprintf(buf, sizeof(buf), "0x%x", b->shown_code);
    jadd(o, "shown_code", cJSON_CreateString(buf), &oom);
    jadd(o, "name", jstr(b->name), &oom);
    jadd(o, "description", jstr(b->description), &oom);
    cJSON *params = cJSON_CreateArray();
    for (int i = 0; params && i < 4; i++) {
        cJSON *p = cJSON_CreateObject();
        if (!p || !cJSON_AddItemToArray(params, p)) {
            cJSON_Delete(p);
            oom = true;
            continue;
        }
        jadd(p, "value", jaddr(b->params[i], ptr_size), &oom);
        jadd(p, "meaning", jstr(b->meanings[i]), &oom);
        jadd(p, "role", b->roles[i] && *b->roles[i] ? cJSON_CreateString(b->roles[i])
                                                    : cJSON_CreateNull(),
             &oom);
    }
    jadd(o, "parameters", params, &oom);
    jadd(o, "faulting_ip", jaddr_if(b->has_faulting_ip, b->faulting_ip, ptr_size), &oom);
    jadd(o, "exception_record", jaddr_if(b->has_exception_record, b->exception_record, ptr_size),
         &oom);
    jadd(o, "context_record", jaddr_if(b->has_context_record, b->context_record, ptr_size), &oom);
    jadd(o, "trap_frame", jaddr_if(b->has_trap_frame, b->trap_frame, ptr_size), &oom);
    jadd(o, "referenced_address", jaddr_if(b->has_referenced, b->referenced, ptr_size), &oom);
    jadd(o, "access",
         b->access != ANALYZE_ACCESS_NONE ? cJSON_CreateString(analyze_access_name(b->access))
                                          : cJSON_CreateNull(),
         &oom);
    jadd(o, "irql", b->has_irql ? cJSON_CreateNumber((double)b->irql) : cJSON_CreateNull(), &oom);
    jadd(o, "driver_address", jaddr_if(b->has_driver_address, b->driver_address, ptr_size), &oom);
    jadd(o, "driver_name", jstr(b->driver_name), &oom);
    jadd(o, "fast_fail", jstr(b->fast_fail_name), &oom);
    const char *from = b->regs_from == ANALYZE_REGS_CONTEXT_RECORD ? "context_record"
                       : b->regs_from == ANALYZE_REGS_TRAP_FRAME   ? "trap_frame"
                       : b->regs_from == ANALYZE_REGS_THREAD       ? "thread"
                                                                   : NULL;
    jadd(o, "registers_from", jstr(from), &oom);
    jadd(o, "stack_command", jstr(b->stack_command), &oom);
    if (oom) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
