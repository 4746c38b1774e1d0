#include "cmd/session.h"

#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "nt/wow64.h"

void session_init(struct session *s, struct target *t, struct dd_writer *out, const char *path)
{
    memset(s, 0, sizeof(*s));
    s->target = t;
    s->out = out;
    s->dump_path = path;
    s->radix = 16;
    s->symopt = 0x30237;
    s->arch = arch_for_cpu(t->sys.cpu);
    s->effmach = s->arch;
    s->event_thread = -1;
    s->ctx_source = SESSION_CTX_THREAD;
    dd_arena_init(&s->scratch);
    struct dd_error *err = symbols_create(t, &s->syms);
    if (err) {
        s->syms = NULL;
        dd_error_destroy(err);
    }
    /* Like WinDbg, start on the thread of the stored event (the exception), else thread 0. */
    if (t->has_exception) {
        long idx = target_thread_by_tid(t, t->exception.thread_id);
        if (idx >= 0) {
            s->event_thread = idx;
            s->cur_thread = (size_t)idx;
        }
    }
}

void session_ext_state_drop(struct session *s)
{
    if (s->ext_state_destroy)
        s->ext_state_destroy(s->ext_state);
    s->ext_state = NULL;
    s->ext_state_destroy = NULL;
}

void session_deinit(struct session *s)
{
    session_ext_state_drop(s);
    symbols_destroy(s->syms);
    s->syms = NULL;
    dd_arena_deinit(&s->scratch);
}

struct dd_error *session_thread_regs(struct session *s, size_t idx, struct regset *ret)
{
    if (!s->arch)
        return dd_error_create(DD_ERR_UNSUPPORTED, "the dump's processor type is not supported");
    if (idx >= s->target->nthreads)
        return dd_error_create(DD_ERR_NOT_FOUND, "no thread %zu", idx);
    const struct target_thread *th = &s->target->threads[idx];
    if (!th->context || th->context_size == 0)
        return dd_error_create(DD_ERR_NOT_FOUND, "the dump holds no context for thread %zu", idx);
    return s->arch->context_decode(th->context, th->context_size, ret);
}

bool session_is_wow64(const struct session *s)
{
    return s->arch && s->arch->cpu == DD_CPU_X64 && wow64_target_is_wow64(s->target);
}

struct dd_error *session_wow64_regs(struct session *s, size_t idx, struct regset *ret)
{
    if (idx >= s->target->nthreads)
        return dd_error_create(DD_ERR_NOT_FOUND, "no thread %zu", idx);
    struct wow64_context c;
    struct dd_error *err = wow64_thread_context(s->target, &s->target->threads[idx], &c);
    if (err)
        return err;
    *ret = c.regs;
    return NULL;
}

struct dd_error *session_regs(struct session *s, struct regset *ret)
{
    if (s->ctx_source == SESSION_CTX_OVERRIDE) {
        *ret = s->ctx;
        return NULL;
    }
    /* x86 mode on a WoW64 target: the 32-bit state lives in the thread's memory. */
    if (s->effmach && s->effmach != s->arch && s->effmach->cpu == DD_CPU_X86 &&
        session_is_wow64(s))
        return session_wow64_regs(s, s->cur_thread, ret);
    return session_thread_regs(s, s->cur_thread, ret);
}

void session_set_thread(struct session *s, size_t idx)
{
    s->cur_thread = idx;
    s->cur_frame = 0;
    s->ctx_source = SESSION_CTX_THREAD;
    s->implicit_thread = 0; /* a processor switch leaves any .thread context */
}

unsigned session_ptr_size(const struct session *s)
{
    if (s->effmach)
        return s->effmach->ptr_size;
    return target_ptr_size(s->target);
}

const char *session_prompt(const struct session *s, char *buf, size_t len)
{
    const char *mode = "";
    char modebuf[32] = "";
    if (s->effmach && s->arch && s->effmach != s->arch) {
        snprintf(modebuf, sizeof(modebuf), ":%s", s->effmach->name);
        mode = modebuf;
    }
    if (s->target->kind == TARGET_KERNEL) {
        /* kd names the current processor: the kernel target's "threads" are processors. */
        uint32_t cpu = s->cur_thread < s->target->nthreads ? s->target->threads[s->cur_thread].tid : 0;
        snprintf(buf, len, "%u: kd%s> ", cpu, mode);
        return buf;
    }
    snprintf(buf, len, "0:%03zu%s> ", s->cur_thread, mode);
    return buf;
}

const char *session_fmt_addr(const struct session *s, char buf[18], uint64_t addr)
{
    return dd_fmt_addr(buf, addr, session_ptr_size(s));
}

bool session_symbolize(struct session *s, uint64_t addr, char *buf, size_t len)
{
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m) {
        if (len)
            buf[0] = '\0';
        return false;
    }
    struct symbols_hit hit;
    if (s->syms && !symbols_find_by_addr(s->syms, addr, &hit) && hit.has_name) {
        if (hit.disp)
            snprintf(buf, len, "%s!%s+0x%llx", m->name, hit.name, (unsigned long long)hit.disp);
        else
            snprintf(buf, len, "%s!%s", m->name, hit.name);
        return true;
    }
    snprintf(buf, len, "%s+0x%llx", m->name, (unsigned long long)(addr - m->base));
    return true;
}

void session_report_error(struct session *s, const struct dd_error *err)
{
    char abuf[18];
    switch (err->code) {
    case DD_ERR_MEMORY:
        /* Plain target reads say which address failed; evaluator errors carry their own text. */
        if (strncmp(err->message, "memory at 0x", 12) == 0)
            dd_printf(s->out, "Memory read error %s\n", session_fmt_addr(s, abuf, err->address));
        else
            dd_printf(s->out, "%s\n", err->message);
        break;
    case DD_ERR_SYNTAX:
        /* WinDbg puts a caret under the prompt for "... in '<command>'" errors only. */
        if (strstr(err->message, " in '"))
            dd_printf(s->out, "       ^ %s\n", err->message);
        else
            dd_printf(s->out, "%s\n", err->message);
        break;
    default:
        dd_printf(s->out, "%s\n", err->message);
        break;
    }
}
