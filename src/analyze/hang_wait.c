/*
 * What one thread waits for. Two readings of its stack, the stronger kept:
 *   - the frames in system modules, by name when symbols name them
 *     (ntdll!RtlpWaitOnCriticalSection, user32!MessageBoxW, KERNELBASE!WaitForSingleObjectEx);
 *   - the call instruction of the first frame outside them (the application's call into the
 *     system), decoded before its return address: "call qword ptr [__imp_EnterCriticalSection]"
 *     names the API even when the system modules have no symbols (Wine's DLLs in a
 *     MiniDumpNormal dump have neither headers nor exports).
 * The arguments come from the call site (pattern_trace.h: x64 registers traced back through the
 * caller's code, x86 stack slots above the return address) or, for x86 frames named by
 * symbols, from the stack above their return addresses. A critical section waited for without a
 * readable argument is looked for on the thread's stack: the nearest pointer to a locked section
 * the thread does not own.
 *
 * API argument positions are those of the documented prototypes (winbase.h, synchapi.h,
 * winuser.h); MSGBOXPARAMS lpszText/lpszCaption follow cbSize, hwndOwner and hInstance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/hang.h"
#include "analyze/pattern_trace.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/session.h"
#include "unwind/unwind.h"

#define HANG_WALK_FRAMES 256
#define TEXT_MAX_CHARS 1024

struct api {
    const char *name;
    enum hang_wait_kind kind;
    signed char object; /* argument index of the object (-1: none) */
    signed char timeout;
    signed char text, caption;
    signed char params; /* MSGBOXPARAMS pointer */
};

static const struct api apis[] = {
    {"EnterCriticalSection", HANG_WAIT_CRITSEC, 0, -1, -1, -1, -1},
    {"RtlEnterCriticalSection", HANG_WAIT_CRITSEC, 0, -1, -1, -1, -1},
    {"RtlpEnterCriticalSectionContended", HANG_WAIT_CRITSEC, 0, -1, -1, -1, -1},
    {"RtlpWaitOnCriticalSection", HANG_WAIT_CRITSEC, 0, -1, -1, -1, -1},
    {"RtlpWaitForCriticalSection", HANG_WAIT_CRITSEC, 0, -1, -1, -1, -1},
    {"WaitForSingleObject", HANG_WAIT_OBJECT, 0, 1, -1, -1, -1},
    {"WaitForSingleObjectEx", HANG_WAIT_OBJECT, 0, 1, -1, -1, -1},
    {"NtWaitForSingleObject", HANG_WAIT_OBJECT, 0, -1, -1, -1, -1},
    {"ZwWaitForSingleObject", HANG_WAIT_OBJECT, 0, -1, -1, -1, -1},
    {"SignalObjectAndWait", HANG_WAIT_OBJECT, 1, 2, -1, -1, -1},
    {"WaitForMultipleObjects", HANG_WAIT_OBJECTS, 1, 3, -1, -1, -1},
    {"WaitForMultipleObjectsEx", HANG_WAIT_OBJECTS, 1, 3, -1, -1, -1},
    {"NtWaitForMultipleObjects", HANG_WAIT_OBJECTS, 1, -1, -1, -1, -1},
    {"ZwWaitForMultipleObjects", HANG_WAIT_OBJECTS, 1, -1, -1, -1, -1},
    {"MsgWaitForMultipleObjects", HANG_WAIT_OBJECTS, 1, 3, -1, -1, -1},
    {"MsgWaitForMultipleObjectsEx", HANG_WAIT_OBJECTS, 1, 2, -1, -1, -1},
    {"Sleep", HANG_WAIT_SLEEP, -1, 0, -1, -1, -1},
    {"SleepEx", HANG_WAIT_SLEEP, -1, 0, -1, -1, -1},
    {"NtDelayExecution", HANG_WAIT_SLEEP, -1, -1, -1, -1, -1},
    {"ZwDelayExecution", HANG_WAIT_SLEEP, -1, -1, -1, -1, -1},
    {"MessageBoxA", HANG_WAIT_MESSAGE_BOX, -1, -1, 1, 2, -1},
    {"MessageBoxW", HANG_WAIT_MESSAGE_BOX, -1, -1, 1, 2, -1},
    {"MessageBoxExA", HANG_WAIT_MESSAGE_BOX, -1, -1, 1, 2, -1},
    {"MessageBoxExW", HANG_WAIT_MESSAGE_BOX, -1, -1, 1, 2, -1},
    {"MessageBoxTimeoutA", HANG_WAIT_MESSAGE_BOX, -1, -1, 1, 2, -1},
    {"MessageBoxTimeoutW", HANG_WAIT_MESSAGE_BOX, -1, -1, 1, 2, -1},
    {"MessageBoxIndirectA", HANG_WAIT_MESSAGE_BOX, -1, -1, -1, -1, 0},
    {"MessageBoxIndirectW", HANG_WAIT_MESSAGE_BOX, -1, -1, -1, -1, 0},
    {"SoftModalMessageBox", HANG_WAIT_MESSAGE_BOX, -1, -1, -1, -1, -1},
    {"MessageBoxWorker", HANG_WAIT_MESSAGE_BOX, -1, -1, -1, -1, -1},
    {"DialogBoxParamA", HANG_WAIT_DIALOG, -1, -1, -1, -1, -1},
    {"DialogBoxParamW", HANG_WAIT_DIALOG, -1, -1, -1, -1, -1},
    {"DialogBoxIndirectParamA", HANG_WAIT_DIALOG, -1, -1, -1, -1, -1},
    {"DialogBoxIndirectParamW", HANG_WAIT_DIALOG, -1, -1, -1, -1, -1},
    {"DialogBoxIndirectParamAorW", HANG_WAIT_DIALOG, -1, -1, -1, -1, -1},
    {"InternalDialogBox", HANG_WAIT_DIALOG, -1, -1, -1, -1, -1},
    {"GetMessageA", HANG_WAIT_MESSAGE_LOOP, -1, -1, -1, -1, -1},
    {"GetMessageW", HANG_WAIT_MESSAGE_LOOP, -1, -1, -1, -1, -1},
    {"NtUserGetMessage", HANG_WAIT_MESSAGE_LOOP, -1, -1, -1, -1, -1},
    {"WaitMessage", HANG_WAIT_MESSAGE_LOOP, -1, -1, -1, -1, -1},
    {"NtUserWaitMessage", HANG_WAIT_MESSAGE_LOOP, -1, -1, -1, -1, -1},
    {"AcquireSRWLockExclusive", HANG_WAIT_SRWLOCK, 0, -1, -1, -1, -1},
    {"AcquireSRWLockShared", HANG_WAIT_SRWLOCK, 0, -1, -1, -1, -1},
    {"RtlAcquireSRWLockExclusive", HANG_WAIT_SRWLOCK, 0, -1, -1, -1, -1},
    {"RtlAcquireSRWLockShared", HANG_WAIT_SRWLOCK, 0, -1, -1, -1, -1},
    {"RtlpAcquireSRWLockExclusiveContended", HANG_WAIT_SRWLOCK, 0, -1, -1, -1, -1},
    {"RtlpAcquireSRWLockSharedContended", HANG_WAIT_SRWLOCK, 0, -1, -1, -1, -1},
    {"SleepConditionVariableSRW", HANG_WAIT_SRWLOCK, 0, 2, -1, -1, -1},
    {"SleepConditionVariableCS", HANG_WAIT_SRWLOCK, 0, 2, -1, -1, -1},
    {"NtWaitForAlertByThreadId", HANG_WAIT_SYSCALL, -1, -1, -1, -1, -1},
    {"RtlWaitOnAddress", HANG_WAIT_SYSCALL, -1, -1, -1, -1, -1},
    {"WaitOnAddress", HANG_WAIT_SYSCALL, -1, -1, -1, -1, -1},
    {"NtWaitForKeyedEvent", HANG_WAIT_SYSCALL, -1, -1, -1, -1, -1},
};

/* A stronger reading wins: a message box beats the message loop it runs, a critical section
 * the event wait inside it. */
static int priority(enum hang_wait_kind k)
{
    switch (k) {
    case HANG_WAIT_MESSAGE_BOX:
        return 9;
    case HANG_WAIT_DIALOG:
        return 8;
    case HANG_WAIT_CRITSEC:
        return 7;
    case HANG_WAIT_SRWLOCK:
        return 6;
    case HANG_WAIT_SLEEP:
        return 5;
    case HANG_WAIT_OBJECTS:
        return 4;
    case HANG_WAIT_OBJECT:
        return 3;
    case HANG_WAIT_MESSAGE_LOOP:
        return 2;
    case HANG_WAIT_SYSCALL:
        return 1;
    default:
        return 0;
    }
}

static const struct api *api_find(const char *name)
{
    for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
        if (strcmp(apis[i].name, name) == 0)
            return &apis[i];
    return NULL;
}

const char *hang_wait_kind_name(enum hang_wait_kind k)
{
    switch (k) {
    case HANG_WAIT_NONE:
        return "Unknown";
    case HANG_WAIT_RUNNING:
        return "Running";
    case HANG_WAIT_CRITSEC:
        return "Critical Section";
    case HANG_WAIT_OBJECT:
        return "Wait";
    case HANG_WAIT_OBJECTS:
        return "Wait Multiple";
    case HANG_WAIT_SLEEP:
        return "Sleep";
    case HANG_WAIT_MESSAGE_BOX:
        return "Message Box";
    case HANG_WAIT_DIALOG:
        return "Dialog Box";
    case HANG_WAIT_MESSAGE_LOOP:
        return "Message Loop";
    case HANG_WAIT_SRWLOCK:
        return "SRW Lock";
    case HANG_WAIT_SYSCALL:
        return "System Call";
    }
    return "Unknown";
}

static char *arena_printf(struct dd_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *arena_printf(struct dd_arena *a, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return dd_arena_strdup(a, buf);
}

struct dd_error *hang_thread_walk(struct session *s, struct hang_report *r, size_t idx,
                                  struct hang_thread *th)
{
    const struct target *t = s->target;
    memset(th, 0, sizeof(*th));
    th->index = idx;
    th->tid = t->threads[idx].tid;
    th->caller_frame = -1;
    th->waits_for = -1;
    th->cs = -1;
    th->cycle = -1;
    if (t->threads[idx].has_info) {
        th->has_times = true;
        th->user_time = t->threads[idx].user_time;
        th->kernel_time = t->threads[idx].kernel_time;
    }
    size_t saved_thread = s->cur_thread, saved_frame = s->cur_frame;
    enum session_ctx_source saved_src = s->ctx_source;
    s->cur_thread = idx;
    s->cur_frame = 0;
    s->ctx_source = SESSION_CTX_THREAD;
    struct unwind_walk w;
    memset(&w, 0, sizeof(w));
    struct dd_error *err = session_stack_walk(s, HANG_WALK_FRAMES, &w);
    s->cur_thread = saved_thread;
    s->cur_frame = saved_frame;
    s->ctx_source = saved_src;
    if (err) {
        if (err->code == DD_ERR_NO_MEMORY)
            return err;
        dd_error_destroy(err); /* no context: a thread without frames */
        return NULL;
    }
    const struct arch_ops *arch = s->effmach ? s->effmach : s->arch;
    th->frames = w.nframes ? dd_arena_calloc(&r->arena, w.nframes, sizeof(*th->frames)) : NULL;
    if (w.nframes && !th->frames) {
        unwind_walk_deinit(&w);
        return &dd_error_no_memory;
    }
    for (size_t i = 0; i < w.nframes; i++) {
        const struct unwind_frame *uf = &w.frames[i];
        struct hang_frame *f = &th->frames[i];
        f->ip = uf->ip;
        f->sp = uf->sp;
        f->return_address = uf->has_return_address ? uf->return_address : 0;
        if (i > 0 && arch && (uf->regs.saved >> arch->pc_slot & 1))
            f->ret_slot = uf->regs.saved_at[arch->pc_slot];
        const struct target_module *m = target_module_by_addr(t, i ? uf->ip - 1 : uf->ip);
        f->module = m ? (long)(m - t->modules) : -1;
        f->system = m && analyze_module_is_system(m->name);
        f->scanned = uf->found_by == UNWIND_FOUND_SCAN;
        char sym[1536];
        if (session_symbolize(s, uf->ip, sym, sizeof(sym)))
            f->function = dd_arena_strdup(&r->arena, sym);
        else
            f->function = arena_printf(&r->arena, "0x%llx", (unsigned long long)uf->ip);
        if (!f->function) {
            unwind_walk_deinit(&w);
            return &dd_error_no_memory;
        }
    }
    th->nframes = w.nframes;
    unwind_walk_deinit(&w);
    return NULL;
}

/* The API name in "mod!name+0x12" ("" without a name). */
static void frame_api(const char *function, char *buf, size_t len)
{
    if (!function || !strchr(function, '!')) {
        buf[0] = 0;
        return;
    }
    pattern_symbol_api_name(function, buf, len);
}

/* "mod!name" of FUNCTION ("mod!name+0x12"), in the arena; FUNCTION itself without a name. */
static const char *frame_name(struct hang_report *r, const char *function)
{
    const char *plus = strchr(function, '+');
    if (!strchr(function, '!') || !plus)
        return function;
    return dd_arena_strndup(&r->arena, function, (size_t)(plus - function));
}

/* Reads a NUL-terminated string at ADDR (UTF-16LE when WIDE) into the arena, NULL when none. */
static const char *read_text(struct session *s, struct hang_report *r, uint64_t addr, bool wide)
{
    if (!addr)
        return NULL;
    uint8_t buf[2 * TEXT_MAX_CHARS];
    size_t got = 0;
    struct dd_error *err = target_read(s->target, addr, buf, sizeof(buf), &got);
    dd_error_destroy(err);
    size_t unit = wide ? 2 : 1, n = 0;
    while ((n + 1) * unit <= got && (wide ? (buf[2 * n] | buf[2 * n + 1]) : buf[n]))
        n++;
    if ((n + 1) * unit > got || n == 0)
        return NULL; /* no terminator in what the dump has */
    if (wide) {
        char *u = dd_utf16_to_utf8(buf, n);
        const char *ret = u ? dd_arena_strdup(&r->arena, u) : NULL;
        free(u);
        return ret;
    }
    for (size_t i = 0; i < n; i++)
        if (buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
            return NULL;
    return dd_arena_strndup(&r->arena, (const char *)buf, n);
}

/* Where the arguments of the function in frame K start: above the return address into K+1. */
static uint64_t args_slot(const struct hang_thread *th, size_t k)
{
    return k + 1 < th->nframes ? th->frames[k + 1].ret_slot : 0;
}

/* Argument N of the call from frame CALLER (its call instruction CALL); x86 frames named by
 * symbols pass SLOT (the return-address slot) without a decoded call. */
static bool argument(struct session *s, const struct hang_thread *th, long caller,
                     const struct pattern_call *call, uint64_t slot, unsigned n, uint64_t *ret,
                     char *ev, size_t len)
{
    struct unwind_frame uf;
    memset(&uf, 0, sizeof(uf));
    if (caller >= 0)
        uf.sp = th->frames[caller].sp;
    if (call)
        return pattern_call_argument(s, call, &uf, slot, n, ret, ev, len);
    if (session_ptr_size(s) != 4 || !slot)
        return false;
    struct pattern_call none;
    memset(&none, 0, sizeof(none));
    return pattern_call_argument(s, &none, &uf, slot, n, ret, ev, len);
}

/* The nearest pointer on the thread's stack (above frame 0, below the caller's frame and a
 * little beyond) to a locked critical section the thread does not own. */
static bool cs_on_stack(struct session *s, struct hang_report *r, struct hang_thread *th,
                        uint64_t *ret, char *ev, size_t len)
{
    unsigned ps = r->layout.ptr_size;
    if (!th->nframes)
        return false;
    uint64_t lo = th->frames[0].sp;
    uint64_t hi = th->caller_frame >= 0 ? th->frames[th->caller_frame].sp + 0x100 : lo + 0x1000;
    if (hi <= lo || hi - lo > 0x10000)
        return false;
    for (uint64_t a = lo - lo % ps; a + ps <= hi; a += ps) {
        uint8_t b[8];
        if (dd_error_drop(target_read_exact(s->target, a, b, ps)))
            continue;
        uint64_t v = ps == 8 ? dd_le64(b) : dd_le32(b);
        struct hang_cs cs;
        if (v < 0x10000 || v % ps || !dd_memmap_find(&s->target->memory, v) ||
            dd_error_drop(hang_cs_read(s, &r->layout, r->style, v, &cs)))
            continue;
        if (!hang_cs_plausible_locked(&cs, ps) || (size_t)cs.owner == th->index)
            continue;
        char aa[DD_ADDR_BUF];
        snprintf(ev, len, "a pointer on the stack at %s to a locked critical section",
                 dd_fmt_addr(aa, a, ps));
        *ret = v;
        return true;
    }
    return false;
}

/* Reads the object, timeout and texts of API for TH. */
static struct dd_error *read_arguments(struct session *s, struct hang_report *r,
                                       struct hang_thread *th, const struct api *api, long caller,
                                       const struct pattern_call *call, uint64_t slot)
{
    char ev[512];
    uint64_t v;
    bool wide = api->name[strlen(api->name) - 1] == 'W';
    if (api->object >= 0 &&
        argument(s, th, caller, call, slot, (unsigned)api->object, &v, ev, sizeof(ev))) {
        th->has_object = true;
        th->object = v;
        if (!(th->object_evidence = dd_arena_strdup(&r->arena, ev)))
            return &dd_error_no_memory;
    }
    if (api->timeout >= 0 &&
        argument(s, th, caller, call, slot, (unsigned)api->timeout, &v, ev, sizeof(ev))) {
        th->has_timeout = true;
        th->timeout = v & 0xffffffffu;
    }
    if (api->text >= 0 &&
        argument(s, th, caller, call, slot, (unsigned)api->text, &v, ev, sizeof(ev))) {
        th->text_address = v;
        th->text = read_text(s, r, v, wide);
        if (!(th->object_evidence = dd_arena_strdup(&r->arena, ev)))
            return &dd_error_no_memory;
    }
    if (api->caption >= 0 &&
        argument(s, th, caller, call, slot, (unsigned)api->caption, &v, ev, sizeof(ev))) {
        th->caption_address = v;
        th->caption = read_text(s, r, v, wide);
    }
    if (api->params >= 0 &&
        argument(s, th, caller, call, slot, (unsigned)api->params, &v, ev, sizeof(ev))) {
        /* MSGBOXPARAMS: cbSize, hwndOwner, hInstance, lpszText, lpszCaption (winuser.h). */
        unsigned ps = session_ptr_size(s);
        uint8_t b[8];
        th->has_object = true;
        th->object = v;
        if (!dd_error_drop(target_read_exact(s->target, v + 3ull * ps, b, ps)))
            th->text = read_text(s, r, th->text_address = ps == 8 ? dd_le64(b) : dd_le32(b), wide);
        if (!dd_error_drop(target_read_exact(s->target, v + 4ull * ps, b, ps)))
            th->caption =
                read_text(s, r, th->caption_address = ps == 8 ? dd_le64(b) : dd_le32(b), wide);
    }
    return NULL;
}

/* The longest NUL-terminated run of printable UTF-16 on the 16 KB above frame 0's stack
 * pointer: where a message box's text is when the arguments cannot be read. */
static struct dd_error *text_on_stack(struct session *s, struct hang_report *r,
                                      struct hang_thread *th)
{
    enum { SPAN = 0x4000, MIN_CHARS = 8 };
    uint8_t *buf = malloc(SPAN);
    if (!buf)
        return &dd_error_no_memory;
    uint64_t lo = th->frames[0].sp & ~1ull;
    size_t got = 0;
    dd_error_drop(target_read(s->target, lo, buf, SPAN, &got));
    size_t best = 0, best_len = 0, run = 0;
    for (size_t i = 0; i + 1 < got; i += 2) {
        unsigned c = buf[i] | (unsigned)buf[i + 1] << 8;
        if (c == 0 && run >= MIN_CHARS && run > best_len) {
            best = i - 2 * run;
            best_len = run;
        }
        run = (c >= 0x20 && c != 0x7f && (c < 0xd800 || c > 0xdfff)) ? run + 1 : 0;
    }
    free(buf);
    if (!best_len)
        return NULL;
    th->text_address = lo + best;
    th->text = read_text(s, r, th->text_address, true);
    th->object_evidence = arena_printf(&r->arena, "the longest string on its stack");
    return th->object_evidence ? NULL : &dd_error_no_memory;
}

struct dd_error *hang_thread_classify(struct session *s, struct hang_report *r,
                                      struct hang_thread *th)
{
    if (!th->nframes)
        return NULL;
    for (size_t i = 0; i < th->nframes && th->caller_frame < 0; i++)
        if (th->frames[i].module >= 0 && !th->frames[i].system)
            th->caller_frame = (long)i;
    if (th->caller_frame == 0) {
        th->kind = HANG_WAIT_RUNNING; /* executing the application's own code */
        return NULL;
    }
    if (th->frames[0].module < 0 || !th->frames[0].system)
        return NULL; /* outside every module: nothing to say */
    /* The system frames, by name. */
    const struct api *best = NULL;
    long best_frame = -1;
    size_t last = th->caller_frame > 0 ? (size_t)th->caller_frame : th->nframes;
    for (size_t i = 0; i < last; i++) {
        char name[256];
        frame_api(th->frames[i].function, name, sizeof(name));
        const struct api *a = name[0] ? api_find(name) : NULL;
        if (a && (!best || priority(a->kind) >= priority(best->kind))) {
            best = a;
            best_frame = (long)i;
        }
    }
    /* The application's call into the system. A frame found by a stack scan may be a stale
     * return address left by an earlier call: then the next frames of the application are
     * tried for a call to a known API. */
    struct pattern_call call;
    const struct api *called = NULL;
    bool has_call = false;
    for (size_t i = (size_t)th->caller_frame, tried = 0;
         th->caller_frame > 0 && i < th->nframes && tried < 6; i++) {
        const struct hang_frame *f = &th->frames[i];
        if (f->module < 0 || f->system)
            continue;
        tried++;
        struct pattern_call c;
        if (!pattern_call_at_return(s, f->ip, &c))
            continue;
        const struct api *a = c.target[0] ? api_find(c.target) : NULL;
        if (!has_call || a) {
            call = c;
            has_call = true;
            called = a;
            th->caller_frame = (long)i;
        }
        if (a || !f->scanned)
            break;
    }
    if (has_call && !(th->call_site = dd_arena_strdup(&r->arena, call.line)))
        return &dd_error_no_memory;
    struct dd_error *err = NULL;
    if (called && (!best || priority(called->kind) >= priority(best->kind))) {
        th->kind = called->kind;
        th->api = dd_arena_strdup(&r->arena, call.target);
        err = read_arguments(s, r, th, called, th->caller_frame, &call,
                             th->frames[th->caller_frame].ret_slot);
    } else if (best) {
        th->kind = best->kind;
        th->api = frame_name(r, th->frames[best_frame].function);
        /* x86: the named frame's arguments sit above the return address into its caller. */
        err =
            read_arguments(s, r, th, best, best_frame + 1, NULL, args_slot(th, (size_t)best_frame));
    } else {
        th->kind = HANG_WAIT_SYSCALL;
        th->api = frame_name(r, th->frames[0].function);
    }
    if (err)
        return err;
    if (!th->api)
        return &dd_error_no_memory;
    if (th->kind == HANG_WAIT_CRITSEC) {
        long idx = -1;
        if (th->has_object &&
            (err = hang_report_add_cs(s, r, th->object, HANG_FOUND_WAIT, &idx)) != NULL)
            return err;
        char ev[512];
        uint64_t v;
        if (idx < 0 && cs_on_stack(s, r, th, &v, ev, sizeof(ev))) {
            if ((err = hang_report_add_cs(s, r, v, HANG_FOUND_WAIT, &idx)) != NULL)
                return err;
            if (idx >= 0) {
                th->has_object = true;
                th->object = v;
                if (!(th->object_evidence = dd_arena_strdup(&r->arena, ev)))
                    return &dd_error_no_memory;
            }
        }
        th->cs = idx;
    }
    /* A message box without readable arguments: the longest wide string on its stack. */
    if (th->kind == HANG_WAIT_MESSAGE_BOX && !th->text && th->nframes)
        return text_on_stack(s, r, th);
    return NULL;
}
