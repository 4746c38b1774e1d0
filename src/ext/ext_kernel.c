/*
 * Kernel extension commands: !process, !thread, !pcr, !prcb, !irql, in the layout of current
 * WinDbg transcripts (Microsoft's debugger documentation and lab pages for !process, !thread,
 * !pcr, !prcb and !irql, and kd sessions quoted in public write-ups):
 *
 *   **** NT ACTIVE PROCESS DUMP ****
 *   PROCESS ffffe000002287c0
 *       SessionId: none  Cid: 0004    Peb: 00000000  ParentCid: 0000
 *       DirBase: 001aa000  ObjectTable: ffffc00000003000  HandleCount: <Data Not Accessible>
 *       Image: System
 *   (blank line)
 *
 * 32-bit targets print "PROCESS 8242b3e0  SessionId: 0  Cid: 0d9c ..." on one line. Threads:
 *   THREAD ffff9f8284ae5080  Cid 0004.00cc  Teb: 0000000000000000 Win32Thread: 0000000000000000 WAIT: (WrQueue) KernelMode Non-Alertable
 *   Owning Process            ffff9f8284267040       Image:         System
 *   Attached Process          N/A            Image:         N/A
 *   Wait Start TickCount      38053          Ticks: 644 (0:00:00:10.062)
 *   Context Switch Count      1565           IdealProcessor: 0
 *   UserTime                  00:00:00.000
 *   KernelTime                00:00:00.125
 *   Win32 Start Address nt!ExpWorkerThread (0xfffff8053af06fb0)
 *   Stack Init ffff9d834e977c90 Current ffff9d834e977800
 *   Base ffff9d834e978000 Limit ffff9d834e972000 Call 0000000000000000
 *   Priority 12 BasePriority 12 PriorityDecrement 0 IoPriority 2 PagePriority 5
 * Lines whose data the dump or the layout lacks are left out rather than invented. With flags
 * 0x6 (!thread's default, !process 0 7) each thread's stack follows (ext_kernel_stack.c); flag
 * 0x1 adds the process statistics (ext_kernel_pstats.c). "!process" and "!thread" without an
 * address show the implicit process and thread that .process and .thread set (ext_kcontext.c).
 *
 * Structure offsets come from the ntoskrnl PDB when its symbols load, else an ISF file on the
 * symbol path, else the debugger data block and built-in tables (nt/layout.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/expr.h"
#include "dump/kdmp/kdmp.h"
#include "ext/ext.h"
#include "ext/ext_kernel.h"
#include "nt/isf.h"
#include "nt/kernel.h"
#include "nt/kernel_names.h"
#include "nt/kprcb.h"
#include "nt/kprocess.h"
#include "nt/kthread.h"
#include "pdb/pdb.h"
#include "pdb/tpi.h"
#include "pe/pe_debug.h"
#include "pe/pe_image.h"


/*
 * The kernel's type sources, looked for once per symbol path and kept in the session: finding
 * and parsing an ISF file costs more than any command that uses it.
 */
struct kernel_types {
    char *sympath;  /* the symbol path they were looked for on */
    bool searched;  /* NULL isf and types then mean "none there" */
    bool processors_tried; /* kernel_processors_add ran */
    struct isf *isf;
    struct pdb_types *types;
};

static void kernel_types_destroy(void *state)
{
    struct kernel_types *kt = state;
    if (!kt)
        return;
    isf_destroy(kt->isf);
    pdb_types_destroy(kt->types);
    free(kt->sympath);
    free(kt);
}

/* The session's kernel_types for its current symbol path, made anew when the path changed. */
static struct kernel_types *kernel_types_get(struct session *s)
{
    const char *path = s->syms ? symbols_path_text(s->syms) : "";
    if (!path)
        path = "";
    struct kernel_types *kt = s->ext_state_destroy == kernel_types_destroy ? s->ext_state : NULL;
    if (kt && strcmp(kt->sympath, path) == 0)
        return kt;
    session_ext_state_drop(s);
    kt = calloc(1, sizeof(*kt));
    if (!kt || !(kt->sympath = strdup(path))) {
        free(kt);
        return NULL;
    }
    s->ext_state = kt;
    s->ext_state_destroy = kernel_types_destroy;
    return kt;
}

bool ext_kernel_find_symbol(void *ctx, const char *name, uint64_t *ret)
{
    struct session *s = ctx;
    long idx = nt_kernel_module_index(s->target);
    const char *mod = idx >= 0 && s->target->modules[idx].name ? s->target->modules[idx].name : "nt";
    char full[192];
    snprintf(full, sizeof(full), "%s!%s", mod, name);
    return s->syms && !dd_error_drop(symbols_find_by_name(s->syms, full, ret));
}

/* The kernel's PDB identity: the module's CodeView record, else the image's debug directory. */
static bool nt_pdb_identity(struct session *s, long idx, uint8_t guid[16], uint32_t *age,
                            char *name, size_t name_len)
{
    const struct target_module *m = &s->target->modules[idx];
    snprintf(name, name_len, "ntkrnlmp.pdb");
    if (m->cv_kind == TARGET_CV_RSDS) {
        memcpy(guid, m->pdb_guid, 16);
        *age = m->pdb_age;
        if (m->pdb_name)
            snprintf(name, name_len, "%s", dd_path_basename(m->pdb_name));
        return true;
    }
    struct pe_image *img = s->syms ? symbols_module_image(s->syms, (size_t)idx) : NULL;
    const struct pe_debug_info *dbg;
    if (!img || dd_error_drop(pe_debug_get(img, &dbg)) || dbg->codeview.kind != PE_CV_RSDS)
        return false;
    memcpy(guid, dbg->codeview.guid, 16);
    *age = dbg->codeview.age;
    if (dbg->codeview.pdb_path)
        snprintf(name, name_len, "%s", dd_path_basename(dbg->codeview.pdb_path));
    return true;
}

/*
 * Without the kernel's PDB identity (a small dump rarely holds the image's debug directory), an
 * ISF on the symbol path is recognised by symbol addresses the dump gives: the list heads and
 * KdDebuggerDataBlock, as RVAs from the kernel base. Returns the opened ISF or NULL.
 */
static struct isf *isf_by_addresses(struct session *s, const struct nt_kernel *k)
{
    if (!k->kern_base || !s->syms)
        return NULL;
    struct isf_symbol_check checks[3];
    size_t n = 0;
    uint64_t kdbg = k->kdbg_addr ? k->kdbg_addr : k->target->kernel.kd_debugger_data_block;
    if (k->ps_loaded_module_list > k->kern_base)
        checks[n++] = (struct isf_symbol_check){"PsLoadedModuleList",
                                                k->ps_loaded_module_list - k->kern_base};
    if (k->ps_active_process_head > k->kern_base)
        checks[n++] = (struct isf_symbol_check){"PsActiveProcessHead",
                                                k->ps_active_process_head - k->kern_base};
    if (kdbg > k->kern_base)
        checks[n++] = (struct isf_symbol_check){"KdDebuggerDataBlock", kdbg - k->kern_base};
    for (size_t i = 0; i < nt_kernel_stem_count; i++) {
        char *path = NULL;
        struct isf *isf = NULL;
        char pdb_name[32];
        snprintf(pdb_name, sizeof(pdb_name), "%s.pdb", nt_kernel_stems[i]);
        if (dd_error_drop(isf_find_by_symbols(symbols_path_text(s->syms), pdb_name, checks, n,
                                              &path)))
            continue;
        if (dd_error_drop(isf_open(path, &isf)))
            isf = NULL;
        free(path);
        if (isf)
            return isf;
    }
    return NULL;
}

/* Looks for the kernel's types by its PDB identity: the PDB's TPI, else a matching ISF. */
static void kernel_types_find(struct session *s, struct kernel_types *kt)
{
    long idx = nt_kernel_module_index(s->target);
    if (idx < 0 || !s->syms)
        return;
    struct pdb *pdb = symbols_module_pdb(s->syms, (size_t)idx);
    if (pdb && dd_error_drop(pdb_types_open(pdb_msf(pdb), PDB_TYPES_TPI, &kt->types)))
        kt->types = NULL;
    uint8_t guid[16];
    uint32_t age;
    char name[64];
    char *path = NULL;
    if (!kt->types && nt_pdb_identity(s, idx, guid, &age, name, sizeof(name)) &&
        !dd_error_drop(isf_find(symbols_path_text(s->syms), name, guid, age, &path))) {
        if (dd_error_drop(isf_open(path, &kt->isf)))
            kt->isf = NULL;
        free(path);
    }
}

/*
 * The ISF the symbol layer loaded as nt's symbols, when it did: parsing the file again here
 * would double the cost of the first kernel command. Asked for on every open, not kept, since
 * the symbol layer frees it on .reload.
 */
static struct isf *kernel_symbols_isf(struct session *s)
{
    long idx = nt_kernel_module_index(s->target);
    return idx >= 0 && s->syms ? symbols_module_isf(s->syms, (size_t)idx) : NULL;
}

/*
 * A dump whose KdDebuggerDataBlock is encoded lists only the header's processor at open
 * (kdmp_target_add_processors runs before symbols, and decoding needs nt!KiWaitNever,
 * KiWaitAlways and KdpDataBlockEncoded): once K was set up with the symbols, the other
 * processors are added, once per session. Triage dumps hold one processor's state only.
 */
static void kernel_processors_add(struct session *s, struct kernel_types *kt,
                                  struct nt_kernel *k)
{
    if (kt->processors_tried)
        return;
    kt->processors_tried = true;
    struct target *t = s->target;
    const struct kdmp_file *f = kdmp_file_of(t);
    if (!f || f->triage.present || !f->space || t->nthreads != 1 || nt_processor_count(k) < 2)
        return;
    const uint8_t *header = t->threads[0].context;
    uint32_t found = 0;
    nt_processor_threads_attach(k, &found);
    /* Stay on the registers shown so far: the processor that kept the header's context. */
    for (size_t i = 0; found && header && i < t->nthreads; i++)
        if (t->threads[i].context == header) {
            s->cur_thread = i;
            break;
        }
}

/* Sets up the kernel view; DD_ERR_UNSUPPORTED (with WinDbg-like text) on user-mode dumps. */
struct dd_error *ext_kernel_open(struct session *s, const char *cmd, struct ext_kernel *ek)
{
    memset(ek, 0, sizeof(*ek));
    ek->s = s;
    struct target *t = s->target;
    if (t->kind != TARGET_KERNEL)
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "%s needs a kernel-mode target; this is a user-mode dump", cmd);
    struct kernel_types *kt = kernel_types_get(s);
    if (!kt)
        return &dd_error_no_memory;
    /* A PDB's TPI is preferred; without one, nt's ISF symbols file is the type source too. */
    struct isf *sym_isf = kt->types ? NULL : kernel_symbols_isf(s);
    if (sym_isf) {
        kt->searched = true;
        ek->opt.isf = sym_isf;
    } else {
        if (!kt->searched)
            kernel_types_find(s, kt);
        ek->opt.pdb = kt->types;
        ek->opt.isf = kt->isf;
    }
    ek->opt.find_symbol = ext_kernel_find_symbol;
    ek->opt.symbol_ctx = s;
    struct dd_error *err = nt_kernel_init(t, &ek->opt, &ek->k);
    if (!err && !kt->searched && !kt->types && !kt->isf &&
        (kt->isf = isf_by_addresses(s, &ek->k)) != NULL) {
        ek->opt.isf = kt->isf;
        err = nt_kernel_init(t, &ek->opt, &ek->k);
    }
    kt->searched = true;
    if (!err)
        kernel_processors_add(s, kt, &ek->k);
    return err;
}

struct dd_error *ext_kernel_processors_ensure(struct session *s)
{
    if (s->target->kind != TARGET_KERNEL)
        return NULL;
    struct ext_kernel ek;
    return ext_kernel_open(s, "~", &ek);
}

/* The processor commands act on: the current "thread", which a kernel target numbers by CPU. */
uint32_t ext_kernel_current_processor(struct session *s, struct nt_kernel *k)
{
    const struct target *t = s->target;
    uint32_t cpu = s->cur_thread < t->nthreads ? t->threads[s->cur_thread].tid : 0;
    return cpu < nt_processor_count(k) ? cpu : 0;
}

const char *ext_kernel_fmt_ptr(char buf[24], const struct nt_kernel *k, uint64_t v)
{
    snprintf(buf, 24, "%0*" PRIx64, (int)k->ptr_size * 2, v);
    return buf;
}

/* 100 ns units as "00:00:00.125" (hours:minutes:seconds.milliseconds). */
static void fmt_hms(char *buf, size_t len, uint64_t units)
{
    uint64_t ms = units / 10000;
    snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, ms / 3600000,
             ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

/* KeMaximumIncrement (100 ns per clock tick), read through the symbols; 0 when unknown. */
uint32_t ext_kernel_tick_increment(struct nt_kernel *k)
{
    uint64_t addr;
    uint8_t b[4];
    if (!nt_kernel_symbol(k, "KeMaximumIncrement", &addr) ||
        dd_error_drop(target_read_exact(k->target, addr, b, 4)))
        return 0;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- processes ---------------------------------------------------------------------------- */

static void print_process(struct ext_kernel *ek, const struct nt_process *p)
{
    struct nt_kernel *k = &ek->k;
    struct dd_writer *o = ek->s->out;
    char a[24];
    bool wide = k->ptr_size == 8;
    if (!(p->have & (NT_PROC_PID | NT_PROC_IMAGE_NAME | NT_PROC_DTB))) {
        dd_printf(o, "PROCESS %s\n    Unable to read nt!_EPROCESS at %s\n",
                  ext_kernel_fmt_ptr(a, k, p->eprocess), ext_kernel_fmt_ptr(a, k, p->eprocess));
        return;
    }
    char session[16];
    if (!(p->have & NT_PROC_SESSION))
        snprintf(session, sizeof(session), "??");
    else if (!p->session)
        snprintf(session, sizeof(session), "none");
    else if (p->have & NT_PROC_SESSION_ID)
        snprintf(session, sizeof(session), "%u", p->session_id);
    else
        snprintf(session, sizeof(session), "??");
    char cid[20], parent[20], peb[24], dtb[24], table[24], handles[32];
    if (p->have & NT_PROC_PID)
        snprintf(cid, sizeof(cid), "%04" PRIx64, p->pid);
    else
        snprintf(cid, sizeof(cid), "????");
    if (p->have & NT_PROC_PARENT_PID)
        snprintf(parent, sizeof(parent), "%04" PRIx64, p->parent_pid);
    else
        snprintf(parent, sizeof(parent), "????");
    if (p->have & NT_PROC_PEB)
        snprintf(peb, sizeof(peb), "%08" PRIx64, p->peb);
    else
        snprintf(peb, sizeof(peb), "????????");
    if (p->have & NT_PROC_DTB)
        snprintf(dtb, sizeof(dtb), "%08" PRIx64, p->dtb);
    else
        snprintf(dtb, sizeof(dtb), "????????");
    if (p->have & NT_PROC_OBJECT_TABLE)
        ext_kernel_fmt_ptr(table, k, p->object_table);
    else
        snprintf(table, sizeof(table), "%.*s", (int)k->ptr_size * 2, "????????????????");
    if (p->have & NT_PROC_HANDLE_COUNT)
        snprintf(handles, sizeof(handles), "%3u.", p->handle_count);
    else
        snprintf(handles, sizeof(handles), "<Data Not Accessible>");
    if (wide)
        dd_printf(o, "PROCESS %s\n    SessionId: %s  Cid: %s    Peb: %s  ParentCid: %s\n",
                  ext_kernel_fmt_ptr(a, k, p->eprocess), session, cid, peb, parent);
    else
        dd_printf(o, "PROCESS %s  SessionId: %s  Cid: %s    Peb: %s  ParentCid: %s\n",
                  ext_kernel_fmt_ptr(a, k, p->eprocess), session, cid, peb, parent);
    dd_printf(o, "    DirBase: %s  ObjectTable: %s  HandleCount: %s\n", dtb, table, handles);
    dd_printf(o, "    Image: %s\n", (p->have & NT_PROC_IMAGE_NAME) ? p->image_name : "<Unknown>");
}

static void report_walk(struct ext_kernel *ek, const struct nt_list_status *st, const char *what)
{
    if (st->end == NT_LIST_END_HEAD || st->end == NT_LIST_END_STOPPED)
        return;
    char buf[256];
    nt_list_status_format(st, ek->k.ptr_size, buf, sizeof(buf));
    dd_printf(ek->s->out, "*** %s: %s\n", what, buf);
}

/* ---- threads ------------------------------------------------------------------------------ */

static void thread_state_text(const struct nt_thread *th, char *buf, size_t len)
{
    if (!(th->have & NT_THR_STATE)) {
        snprintf(buf, len, "<state unknown>");
        return;
    }
    switch (th->state) {
    case NT_THREAD_RUNNING:
        if (th->have & NT_THR_NEXT_PROCESSOR)
            snprintf(buf, len, "RUNNING on processor %x", th->next_processor);
        else
            snprintf(buf, len, "RUNNING");
        return;
    case NT_THREAD_READY:
        if (th->have & NT_THR_NEXT_PROCESSOR)
            snprintf(buf, len, "READY on processor %x", th->next_processor);
        else
            snprintf(buf, len, "READY");
        return;
    case NT_THREAD_WAITING: {
        const char *reason = (th->have & NT_THR_WAIT) ? nt_wait_reason_name(th->wait_reason) : NULL;
        char rbuf[16];
        if (!reason) {
            snprintf(rbuf, sizeof(rbuf), "%u", th->wait_reason);
            reason = rbuf;
        }
        snprintf(buf, len, "WAIT: (%s) %s %s", reason,
                 (th->have & NT_THR_WAIT) && th->wait_mode ? "UserMode" : "KernelMode",
                 (th->have & NT_THR_ALERTABLE) && th->alertable ? "Alertable" : "Non-Alertable");
        return;
    }
    case NT_THREAD_INITIALIZED:
        snprintf(buf, len, "INITIALIZED");
        return;
    case NT_THREAD_STANDBY:
        snprintf(buf, len, "STANDBY");
        return;
    case NT_THREAD_TERMINATED:
        snprintf(buf, len, "TERMINATED");
        return;
    case NT_THREAD_TRANSITION:
        snprintf(buf, len, "TRANSITION");
        return;
    case NT_THREAD_DEFERRED_READY:
        snprintf(buf, len, "DEFERREDREADY");
        return;
    case NT_THREAD_GATE_WAIT:
        snprintf(buf, len, "GATEWAIT");
        return;
    default:
        snprintf(buf, len, "STATE %u", th->state);
        return;
    }
}

void ext_kernel_thread_line(struct ext_kernel *ek, const struct nt_thread *th, const char *indent)
{
    struct nt_kernel *k = &ek->k;
    char a[24], teb[24], w32[24], state[96], cid[40];
    if (th->have & NT_THR_CID)
        snprintf(cid, sizeof(cid), "%04" PRIx64 ".%04" PRIx64, th->pid, th->tid);
    else
        snprintf(cid, sizeof(cid), "????.????");
    if (th->have & NT_THR_TEB)
        ext_kernel_fmt_ptr(teb, k, th->teb);
    else
        snprintf(teb, sizeof(teb), "%.*s", (int)k->ptr_size * 2, "????????????????");
    if (th->have & NT_THR_WIN32_THREAD)
        ext_kernel_fmt_ptr(w32, k, th->win32_thread);
    else
        snprintf(w32, sizeof(w32), "%.*s", (int)k->ptr_size * 2, "????????????????");
    thread_state_text(th, state, sizeof(state));
    dd_printf(ek->s->out, "%sTHREAD %s  Cid %s  Teb: %s Win32Thread: %s %s\n", indent,
              ext_kernel_fmt_ptr(a, k, th->ethread), cid, teb, w32, state);
}

/* The process's image name for "Owning Process ... Image:", "" when unreadable. */
static void process_image(struct ext_kernel *ek, uint64_t eprocess, char *buf, size_t len)
{
    struct nt_process p;
    buf[0] = 0;
    if (!dd_error_drop(nt_process_read(&ek->k, eprocess, &p)) && (p.have & NT_PROC_IMAGE_NAME))
        snprintf(buf, len, "%s", p.image_name);
}

void ext_kernel_thread_details(struct ext_kernel *ek, const struct nt_thread *th,
                                 const char *in, uint32_t increment)
{
    struct nt_kernel *k = &ek->k;
    struct dd_writer *o = ek->s->out;
    char a[24], b[24], c[24], img[32], t1[32];
    if (th->have & NT_THR_PROCESS) {
        process_image(ek, th->process, img, sizeof(img));
        dd_printf(o, "%s%-26s%s       Image:         %s\n", in, "Owning Process",
                  ext_kernel_fmt_ptr(a, k, th->process), img);
        if ((th->have & NT_THR_APC_PROCESS) && th->apc_process && th->apc_process != th->process) {
            process_image(ek, th->apc_process, img, sizeof(img));
            dd_printf(o, "%s%-26s%s       Image:         %s\n", in, "Attached Process",
                      ext_kernel_fmt_ptr(a, k, th->apc_process), img);
        } else {
            dd_printf(o, "%s%-26sN/A            Image:         N/A\n", in, "Attached Process");
        }
    }
    if (th->have & NT_THR_WAIT_TIME)
        dd_printf(o, "%s%-26s%u\n", in, "Wait Start TickCount", th->wait_time);
    if (th->have & NT_THR_CONTEXT_SWITCHES) {
        dd_printf(o, "%s%-26s%-15u", in, "Context Switch Count", th->context_switches);
        if (th->have & NT_THR_IDEAL_PROCESSOR)
            dd_printf(o, "IdealProcessor: %u", th->ideal_processor);
        dd_printf(o, "\n");
    }
    if ((th->have & NT_THR_TIMES) && increment) {
        fmt_hms(t1, sizeof(t1), (uint64_t)th->user_time * increment);
        dd_printf(o, "%s%-26s%s\n", in, "UserTime", t1);
        fmt_hms(t1, sizeof(t1), (uint64_t)th->kernel_time * increment);
        dd_printf(o, "%s%-26s%s\n", in, "KernelTime", t1);
    }
    if (th->have & NT_THR_WIN32_START) {
        char sym[512];
        if (session_symbolize(ek->s, th->win32_start_address, sym, sizeof(sym)))
            dd_printf(o, "%sWin32 Start Address %s (0x%s)\n", in, sym,
                      ext_kernel_fmt_ptr(a, k, th->win32_start_address));
        else
            dd_printf(o, "%sWin32 Start Address 0x%s\n", in, ext_kernel_fmt_ptr(a, k, th->win32_start_address));
    }
    if ((th->have & NT_THR_STACKS) && (th->have & NT_THR_KERNEL_STACK)) {
        dd_printf(o, "%sStack Init %s Current %s\n", in, ext_kernel_fmt_ptr(a, k, th->initial_stack),
                  ext_kernel_fmt_ptr(b, k, th->kernel_stack));
        dd_printf(o, "%sBase %s Limit %s Call %s\n", in, ext_kernel_fmt_ptr(a, k, th->stack_base),
                  ext_kernel_fmt_ptr(b, k, th->stack_limit), ext_kernel_fmt_ptr(c, k, 0));
    }
    if (th->have & NT_THR_PRIORITY) {
        dd_printf(o, "%sPriority %d BasePriority %d", in, th->priority, th->base_priority);
        if (th->have & NT_THR_PRIORITY_DECREMENT)
            dd_printf(o, " PriorityDecrement %d", th->priority_decrement);
        if (th->have & NT_THR_IO_PRIORITY)
            dd_printf(o, " IoPriority %u", th->io_priority);
        if (th->have & NT_THR_PAGE_PRIORITY)
            dd_printf(o, " PagePriority %u", th->page_priority);
        dd_printf(o, "\n");
    }
}

/* ---- !process ----------------------------------------------------------------------------- */

/* Flag bits of !process (debugger documentation): 0x2/0x4 list the process's threads. */
#define PROCESS_FLAG_THREADS 0x6u
#define PROCESS_FLAG_THREAD_DETAIL 0x2u
/* 0x1: time and memory statistics. */
#define PROCESS_FLAG_STATS 0x1u
/* 0x2 with 0x4: each thread with its stack (!process and !thread documentation). */
#define PROCESS_FLAG_STACKS 0x6u

static void print_process_threads(struct ext_kernel *ek, const struct nt_process *p,
                                  unsigned flags, uint32_t increment)
{
    struct nt_thread_list tl = {0};
    struct dd_error *err = nt_threads_list(&ek->k, p->eprocess, &tl);
    if (err) {
        dd_printf(ek->s->out, "        %s\n", err->message);
        dd_error_destroy(err);
        return;
    }
    dd_printf(ek->s->out, "\n");
    for (size_t i = 0; i < tl.count; i++) {
        ext_kernel_thread_line(ek, &tl.items[i], "        ");
        /* A thread the dump holds nothing of gets its one line only. */
        if ((flags & PROCESS_FLAG_THREAD_DETAIL) && tl.items[i].have) {
            ext_kernel_thread_details(ek, &tl.items[i], "        ", increment);
            if ((flags & PROCESS_FLAG_STACKS) == PROCESS_FLAG_STACKS)
                ext_kernel_thread_stack(ek, &tl.items[i], "        ");
            dd_printf(ek->s->out, "\n");
        }
    }
    report_walk(ek, &tl.status, "thread list");
    nt_thread_list_free(&tl);
}

static void process_show(struct ext_kernel *ek, const struct nt_process *p, unsigned flags,
                         uint32_t increment)
{
    print_process(ek, p);
    if (flags & PROCESS_FLAG_STATS)
        ext_kernel_process_stats(ek, p);
    if (flags & PROCESS_FLAG_THREADS)
        print_process_threads(ek, p, flags, increment);
    dd_printf(ek->s->out, "\n");
}

struct dd_error *ext_kernel_default_thread(struct ext_kernel *ek, uint64_t *ret)
{
    struct nt_processor cpu;
    struct dd_error *err =
        nt_processor_read(&ek->k, ext_kernel_current_processor(ek->s, &ek->k), &cpu);
    if (err)
        return err;
    if (!(cpu.have & NT_CPU_CURRENT_THREAD))
        return dd_error_create(DD_ERR_NOT_FOUND, "the current thread is unknown");
    *ret = cpu.current_thread;
    return NULL;
}

struct dd_error *ext_kernel_current_thread(struct ext_kernel *ek, uint64_t *ret)
{
    if (ek->s->implicit_thread) {
        *ret = ek->s->implicit_thread;
        return NULL;
    }
    return ext_kernel_default_thread(ek, ret);
}

struct dd_error *ext_kernel_thread_process(struct ext_kernel *ek, uint64_t ethread, uint64_t *ret)
{
    struct nt_thread th;
    struct dd_error *err = nt_thread_read(&ek->k, ethread, &th);
    if (err)
        return err;
    if (!(th.have & NT_THR_PROCESS))
        return dd_error_create(DD_ERR_MEMORY, "Unable to read the thread's process");
    *ret = th.process;
    return NULL;
}

struct dd_error *ext_kernel_current_process(struct ext_kernel *ek, uint64_t *ret)
{
    if (ek->s->implicit_process) {
        *ret = ek->s->implicit_process;
        return NULL;
    }
    uint64_t thread;
    struct dd_error *err = ext_kernel_default_thread(ek, &thread);
    if (err)
        return err;
    return ext_kernel_thread_process(ek, thread, ret);
}

static struct dd_error *ext_process(struct session *s, const struct cmd_args *args)
{
    struct ext_kernel ek;
    struct dd_error *err = ext_kernel_open(s, "!process", &ek);
    if (err)
        return err;
    char w1[128], w2[128], w3[128];
    const char *rest = cmd_next_word(args->rest, w1, sizeof(w1));
    rest = cmd_next_word(rest, w2, sizeof(w2));
    cmd_next_word(rest, w3, sizeof(w3));
    uint64_t which = 0;
    bool current = !w1[0] || strcmp(w1, "-1") == 0;
    if (!current && (err = expr_eval(s, w1, &which)) != NULL)
        goto out;
    unsigned flags = current || which == 0 ? 3u : 0xfu;
    if (w2[0]) {
        uint64_t f;
        if ((err = expr_eval(s, w2, &f)) != NULL)
            goto out;
        flags = (unsigned)f;
    }
    uint32_t increment = (flags & PROCESS_FLAG_THREADS) ? ext_kernel_tick_increment(&ek.k) : 0;
    if (current) {
        uint64_t addr = 0;
        if ((err = ext_kernel_current_process(&ek, &addr)) != NULL)
            goto out;
        struct nt_process p;
        if ((err = nt_process_read(&ek.k, addr, &p)) != NULL)
            goto out;
        process_show(&ek, &p, flags, increment);
        goto out;
    }
    if (which >= ek.k.mm_system_range_start) {
        struct nt_process p;
        if ((err = nt_process_read(&ek.k, which, &p)) != NULL)
            goto out;
        process_show(&ek, &p, flags, increment);
        goto out;
    }
    struct nt_process_list pl = {0};
    if ((err = nt_processes_list(&ek.k, &pl)) != NULL)
        goto out;
    if (which == 0) {
        dd_printf(s->out, "**** NT ACTIVE PROCESS DUMP ****\n");
        for (size_t i = 0; i < pl.count; i++) {
            const struct nt_process *p = &pl.items[i];
            if (w3[0] && (!(p->have & NT_PROC_IMAGE_NAME) ||
                          dd_strcasecmp(p->image_name, w3) != 0))
                continue;
            process_show(&ek, p, flags, increment);
        }
    } else {
        dd_printf(s->out, "Searching for Process with Cid == %" PRIx64 "\n", which);
        const struct nt_process *p = nt_process_list_find_pid(&pl, which);
        if (p)
            process_show(&ek, p, flags, increment);
    }
    report_walk(&ek, &pl.status, "process list");
    nt_process_list_free(&pl);
out:
    return err;
}

/* ---- !thread ------------------------------------------------------------------------------ */

static struct dd_error *ext_thread(struct session *s, const struct cmd_args *args)
{
    struct ext_kernel ek;
    struct dd_error *err = ext_kernel_open(s, "!thread", &ek);
    if (err)
        return err;
    char w1[128], w2[128];
    const char *rest = cmd_next_word(args->rest, w1, sizeof(w1));
    cmd_next_word(rest, w2, sizeof(w2));
    uint64_t addr = 0;
    uint64_t flags = PROCESS_FLAG_STACKS; /* the documented default, 0x6 */
    if (w1[0] && strcmp(w1, "-1") != 0)
        err = expr_eval(s, w1, &addr);
    else
        err = ext_kernel_current_thread(&ek, &addr);
    if (!err && w2[0])
        err = expr_eval(s, w2, &flags);
    struct nt_thread th;
    if (!err)
        err = nt_thread_read(&ek.k, addr, &th);
    if (!err) {
        ext_kernel_thread_line(&ek, &th, "");
        if (flags & PROCESS_FLAG_THREAD_DETAIL)
            ext_kernel_thread_details(&ek, &th, "", ext_kernel_tick_increment(&ek.k));
        if ((flags & PROCESS_FLAG_STACKS) == PROCESS_FLAG_STACKS)
            ext_kernel_thread_stack(&ek, &th, "");
    }
    return err;
}

/* ---- !pcr, !prcb, !irql ------------------------------------------------------------------- */

static struct dd_error *read_processor_arg(struct session *s, struct ext_kernel *ek,
                                           const char *rest, struct nt_processor *ret)
{
    uint64_t n = ext_kernel_current_processor(s, &ek->k);
    if (*rest) {
        struct dd_error *err = expr_eval(s, rest, &n);
        if (err)
            return err;
    }
    if (n >= NT_MAX_PROCESSORS)
        return dd_error_create(DD_ERR_NOT_FOUND, "Cannot get PRCB address");
    struct dd_error *err = nt_processor_read(&ek->k, (uint32_t)n, ret);
    if (err) {
        dd_error_destroy(err);
        return dd_error_create(DD_ERR_NOT_FOUND, "Cannot get PRCB address");
    }
    return NULL;
}

static struct dd_error *ext_pcr(struct session *s, const struct cmd_args *args)
{
    struct ext_kernel ek;
    struct dd_error *err = ext_kernel_open(s, "!pcr", &ek);
    if (err)
        return err;
    struct nt_processor p;
    if ((err = read_processor_arg(s, &ek, args->rest, &p)) != NULL)
        goto out;
    struct nt_kernel *k = &ek.k;
    if (!(p.have & NT_CPU_PCR)) {
        err = dd_error_create(DD_ERR_NOT_FOUND, "the offset of KPCR.Prcb is unknown");
        goto out;
    }
    struct dd_writer *o = s->out;
    char a[24];
    dd_printf(o, "KPCR for Processor %u at %s:\n", p.index, ext_kernel_fmt_ptr(a, k, p.pcr));
    if (p.have & NT_CPU_VERSION)
        dd_printf(o, "    Major %u Minor %u\n", p.major_version, p.minor_version);
    /* NT_TIB: seven pointers (Version is a ULONG in a pointer-sized union slot). */
    static const char *const tib[] = {"NtTib.ExceptionList", "NtTib.StackBase", "NtTib.StackLimit",
                                      "NtTib.SubSystemTib",  "NtTib.Version",   "NtTib.UserPointer",
                                      "NtTib.SelfTib"};
    const struct nt_layout *l = &k->layout;
    if (nt_layout_has(l, NT_KPCR_NT_TIB)) {
        unsigned shown = 0;
        for (unsigned i = 0; i < 7; i++) {
            uint64_t v;
            uint64_t at = p.pcr + l->off[NT_KPCR_NT_TIB] + (uint64_t)i * k->ptr_size;
            if (dd_error_drop(nt_read_ptr(k, at, &v)))
                continue;
            if (i == 4)
                v &= 0xffffffffu;
            dd_printf(o, "\t%19s: %s\n", tib[i], ext_kernel_fmt_ptr(a, k, v));
            shown++;
        }
        if (shown)
            dd_printf(o, "\n");
    }
    /*
     * The next block follows the x86 KPCR; on x64 WinDbg prints zeros for all of it (every x64
     * transcript shows SelfPcr .. TSS as 0000000000000000, Irql included).
     */
    static const char *const x86_block[] = {"SelfPcr", "Prcb", "Irql", "IRR", "IDR",
                                            "InterruptMode", "IDT", "GDT", "TSS"};
    for (unsigned i = 0; i < 9; i++) {
        uint64_t v = 0;
        if (i == 1)
            v = p.prcb;
        else if (k->ptr_size == 4 && i == 0)
            v = p.pcr;
        else if (k->ptr_size == 4 && i == 2 && (p.have & NT_CPU_PCR_IRQL))
            v = p.pcr_irql;
        dd_printf(o, "\t%19s: %s\n", x86_block[i], ext_kernel_fmt_ptr(a, k, v));
    }
    dd_printf(o, "\n");
    if (p.have & NT_CPU_CURRENT_THREAD)
        dd_printf(o, "\t%19s: %s\n", "CurrentThread", ext_kernel_fmt_ptr(a, k, p.current_thread));
    if (p.have & NT_CPU_NEXT_THREAD)
        dd_printf(o, "\t%19s: %s\n", "NextThread", ext_kernel_fmt_ptr(a, k, p.next_thread));
    if (p.have & NT_CPU_IDLE_THREAD)
        dd_printf(o, "\t%19s: %s\n", "IdleThread", ext_kernel_fmt_ptr(a, k, p.idle_thread));
out:
    return err;
}

static struct dd_error *ext_prcb(struct session *s, const struct cmd_args *args)
{
    struct ext_kernel ek;
    struct dd_error *err = ext_kernel_open(s, "!prcb", &ek);
    if (err)
        return err;
    struct nt_processor p;
    if ((err = read_processor_arg(s, &ek, args->rest, &p)) == NULL) {
        struct nt_kernel *k = &ek.k;
        struct dd_writer *o = s->out;
        char a[24], b[24], c[24];
        dd_printf(o, "PRCB for Processor %u at %s:\n", p.index, ext_kernel_fmt_ptr(a, k, p.prcb));
        if (p.have & NT_CPU_SAVED_IRQL)
            dd_printf(o, "Current IRQL -- %u\n", p.saved_irql);
        if ((p.have & NT_CPU_CURRENT_THREAD) && (p.have & NT_CPU_NEXT_THREAD) &&
            (p.have & NT_CPU_IDLE_THREAD))
            dd_printf(o, "Threads--  Current %s Next %s Idle %s\n", ext_kernel_fmt_ptr(a, k, p.current_thread),
                      ext_kernel_fmt_ptr(b, k, p.next_thread), ext_kernel_fmt_ptr(c, k, p.idle_thread));
        if ((p.have & NT_CPU_NUMBER) && (p.have & NT_CPU_GROUP) &&
            (p.have & NT_CPU_GROUP_SET_MEMBER))
            dd_printf(o, "Processor Index %u Number (%u, %u) GroupSetMember %" PRIx64 "\n",
                      p.number, p.group, p.group_index, p.group_set_member);
        if (p.have & NT_CPU_TIMES) {
            dd_printf(o, "Interrupt Count -- %08x\n", p.interrupt_count);
            dd_printf(o, "Times -- Dpc    %08x Interrupt %08x \n", p.dpc_time, p.interrupt_time);
            dd_printf(o, "         Kernel %08x User      %08x \n", p.kernel_time, p.user_time);
        }
    }
    return err;
}

/* IRQL names (wdm.h): x86 and x64 number the levels above DISPATCH_LEVEL differently. */
static const char *irql_name(enum dd_cpu cpu, unsigned irql)
{
    switch (irql) {
    case 0:
        return "LOW_LEVEL";
    case 1:
        return "APC_LEVEL";
    case 2:
        return "DISPATCH_LEVEL";
    default:
        break;
    }
    if (cpu == DD_CPU_X64) {
        switch (irql) {
        case 5:
            return "CMCI_LEVEL";
        case 12:
            return "SYNCH_LEVEL";
        case 13:
            return "CLOCK_LEVEL";
        case 14:
            return "IPI_LEVEL";
        case 15:
            return "HIGH_LEVEL";
        default:
            return NULL;
        }
    }
    if (cpu == DD_CPU_X86) {
        switch (irql) {
        case 27:
            return "PROFILE_LEVEL";
        case 28:
            return "CLOCK2_LEVEL";
        case 29:
            return "IPI_LEVEL";
        case 30:
            return "POWER_LEVEL";
        case 31:
            return "HIGH_LEVEL";
        default:
            return NULL;
        }
    }
    return NULL;
}

static struct dd_error *ext_irql(struct session *s, const struct cmd_args *args)
{
    struct ext_kernel ek;
    struct dd_error *err = ext_kernel_open(s, "!irql", &ek);
    if (err)
        return err;
    struct nt_processor p;
    if ((err = read_processor_arg(s, &ek, args->rest, &p)) == NULL) {
        if (!(p.have & NT_CPU_SAVED_IRQL)) {
            err = dd_error_create(DD_ERR_NOT_FOUND,
                                  "the offset of KPRCB.DebuggerSavedIRQL is unknown");
        } else {
            const char *name = irql_name(ek.k.cpu, p.saved_irql);
            dd_printf(s->out, "Debugger saved IRQL for processor 0x%x -- %u", p.index,
                      p.saved_irql);
            if (name)
                dd_printf(s->out, " (%s)", name);
            dd_printf(s->out, "\n");
        }
    }
    return err;
}

const struct cmd_def ext_table_kernel[] = {
    {"!process", ext_process, 0,
     "!process [ADDR|PID|0|-1] [FLAGS] [IMAGE] - show kernel processes (0 0: all)"},
    {"!thread", ext_thread, 0, "!thread [ADDR [FLAGS]] - show a kernel thread and its stack"},
    {"!pcr", ext_pcr, 0, "!pcr [PROCESSOR] - show the processor control region"},
    {"!prcb", ext_prcb, 0, "!prcb [PROCESSOR] - show the processor control block"},
    {"!irql", ext_irql, 0, "!irql [PROCESSOR] - show the IRQL saved at the break"},
    {NULL, NULL, 0, NULL},
};
