/* The bounded walk loop shared by every CPU's cascade, and frame register helpers. */
#include <stdlib.h>
#include <string.h>

#include "unwind/unwind.h"

static struct dd_error *walk_append(struct unwind_walk *w, size_t *cap,
                                    const struct unwind_frame *f)
{
    if (w->nframes == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct unwind_frame *nf = realloc(w->frames, ncap * sizeof(*nf));
        if (!nf)
            return &dd_error_no_memory;
        w->frames = nf;
        *cap = ncap;
    }
    w->frames[w->nframes++] = *f;
    return NULL;
}

struct dd_error *unwind_walk_run(const struct unwind_arch *arch, const struct unwind_env *env,
                                 const struct unwind_regs *start, const struct unwind_options *opts,
                                 struct unwind_walk *ret)
{
    struct unwind_options defaults = {0};
    if (!opts)
        opts = &defaults;
    size_t max_frames = opts->max_frames ? opts->max_frames : UNWIND_DEFAULT_MAX_FRAMES;
    struct unwind_walk w = {0};
    size_t cap = 0;

    if (!unwind_regs_has(start, arch->pc_slot) || !unwind_regs_has(start, arch->sp_slot)) {
        w.stop = UNWIND_STOP_BAD_START;
        *ret = w;
        return NULL;
    }
    struct unwind_frame first = {0};
    first.regs = *start;
    first.regs.saved = 0;
    first.regs.vec_saved = 0;
    first.ip = start->r[arch->pc_slot];
    first.sp = start->r[arch->sp_slot];
    first.found_by = UNWIND_FOUND_CONTEXT;
    struct dd_error *err = walk_append(&w, &cap, &first);
    if (err)
        return err;

    /* A stack pointer may stay put once (a frame that did not push anything, with another ip). */
    bool equal_sp_used = false;
    for (;;) {
        struct unwind_frame *callee = &w.frames[w.nframes - 1];
        struct unwind_frame caller;
        uint64_t fault = 0;
        enum unwind_stop stop = arch->step(env, opts, callee, &caller, &fault);
        if (stop != UNWIND_STOP_NONE) {
            w.stop = stop;
            if (stop == UNWIND_STOP_FAULT)
                w.fault_address = fault;
            break;
        }
        callee->has_return_address = true;
        callee->return_address = caller.ip;
        if (caller.ip == 0) {
            w.stop = UNWIND_STOP_END;
            break;
        }
        if (caller.sp < callee->sp ||
            (caller.sp == callee->sp && (caller.ip == callee->ip || equal_sp_used))) {
            w.stop = UNWIND_STOP_NO_PROGRESS;
            break;
        }
        if (caller.sp == callee->sp)
            equal_sp_used = true;
        if (w.nframes >= max_frames) {
            w.stop = UNWIND_STOP_MAX_FRAMES;
            break;
        }
        err = walk_append(&w, &cap, &caller);
        if (err) {
            unwind_walk_deinit(&w);
            return err;
        }
    }
    *ret = w;
    return NULL;
}

void unwind_walk_deinit(struct unwind_walk *w)
{
    if (!w)
        return;
    free(w->frames);
    w->frames = NULL;
    w->nframes = 0;
}

const char *unwind_found_by_name(enum unwind_found_by found_by)
{
    switch (found_by) {
    case UNWIND_FOUND_CONTEXT:
        return "context";
    case UNWIND_FOUND_UNWIND_INFO:
        return "unwind info";
    case UNWIND_FOUND_FRAME_DATA:
        return "frame data";
    case UNWIND_FOUND_FRAME_POINTER:
        return "frame pointer";
    case UNWIND_FOUND_LEAF:
        return "leaf";
    case UNWIND_FOUND_SCAN:
        return "scan";
    }
    return "?";
}

const char *unwind_stop_name(enum unwind_stop stop)
{
    switch (stop) {
    case UNWIND_STOP_NONE:
        return "not stopped";
    case UNWIND_STOP_END:
        return "end of stack";
    case UNWIND_STOP_MAX_FRAMES:
        return "frame limit";
    case UNWIND_STOP_NO_PROGRESS:
        return "stack pointer did not move up";
    case UNWIND_STOP_FAULT:
        return "memory not available";
    case UNWIND_STOP_NO_CALLER:
        return "no unwind data and no return address found";
    case UNWIND_STOP_BAD_START:
        return "no instruction or stack pointer";
    }
    return "?";
}

void unwind_regs_from_regset(const struct regset *rs, struct unwind_regs *ret)
{
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    for (unsigned i = 0; i < UNWIND_MAX_REGS && i < ARCH_MAX_REGS; i++)
        if (rs->valid[i])
            unwind_regs_set(&r, i, rs->r[i]);
    for (unsigned i = 0; i < UNWIND_MAX_VEC && i < ARCH_MAX_VEC; i++) {
        if ((rs->vec_valid >> i) & 1) {
            memcpy(r.vec[i], rs->vec[i], 16);
            r.vec_valid |= 1u << i;
        }
    }
    *ret = r;
}

void unwind_regs_to_regset(const struct unwind_regs *regs, const struct arch_ops *arch,
                           struct regset *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->arch = arch;
    for (unsigned i = 0; i < UNWIND_MAX_REGS && i < ARCH_MAX_REGS; i++)
        if (unwind_regs_has(regs, i))
            regset_put(ret, (uint16_t)i, regs->r[i]);
    for (unsigned i = 0; i < UNWIND_MAX_VEC && i < ARCH_MAX_VEC; i++) {
        if ((regs->vec_valid >> i) & 1) {
            memcpy(ret->vec[i], regs->vec[i], 16);
            ret->vec_valid |= 1u << i;
        }
    }
}
