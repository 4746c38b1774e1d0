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

/* The known stack range holding SP (unwind_stacks.range); false when none or no ranges. */
static bool stack_range_of(const struct unwind_stacks *st, uint64_t sp, unsigned *ret_index,
                           bool *ret_trap_only)
{
    unsigned idx = 0;
    bool trap_only = false;
    if (!st || !st->range || !st->range(st->ctx, sp, &idx, &trap_only) ||
        idx >= UNWIND_MAX_STACK_RANGES)
        return false;
    *ret_index = idx;
    *ret_trap_only = trap_only;
    return true;
}

/*
 * Whether CALLER may follow CALLEE. The stack pointer must move up, or stay put once with
 * another ip; with known stack ranges it may also move down into another range the walk has
 * not been in (VISITED), and only a frame read from a trap frame may enter a trap-only range
 * (user space). Moving from one known range back into one already left is a loop in either
 * direction. So each range is entered at most once and switches are bounded.
 */
static bool caller_moves_on(const struct unwind_stacks *st, const struct unwind_frame *callee,
                            const struct unwind_frame *caller, bool equal_sp_used,
                            uint64_t *visited)
{
    unsigned to = 0, from = 0;
    bool to_trap_only = false, from_trap_only = false;
    bool in_range = stack_range_of(st, caller->sp, &to, &to_trap_only);
    bool from_known = stack_range_of(st, callee->sp, &from, &from_trap_only);
    /* Leaving one known stack for another the walk has already been on is a loop. */
    bool switch_back = in_range && from_known && from != to && (*visited >> to & 1);
    if (caller->sp > callee->sp ||
        (caller->sp == callee->sp && caller->ip != callee->ip && !equal_sp_used)) {
        if (switch_back)
            return false;
        if (in_range)
            *visited |= (uint64_t)1 << to;
        return true;
    }
    if (!in_range || (*visited >> to & 1) || (to_trap_only && !(caller->flags & UNWIND_FRAME_TRAP)))
        return false;
    if (from_known && from == to)
        return false;
    *visited |= (uint64_t)1 << to;
    return true;
}

/*
 * When the cascade found no caller for CALLEE: the nearest trap frame not used yet that lies
 * above CALLEE's stack pointer (or on another known stack), read by the CPU's reader.
 */
static bool caller_from_trap_frame(const struct unwind_arch *arch, const struct unwind_env *env,
                                   const struct unwind_stacks *st, const struct unwind_frame *callee,
                                   uint64_t *used, struct unwind_frame *ret)
{
    if (!st || !arch->from_trap_frame)
        return false;
    unsigned from = 0, at = 0;
    bool trap_only = false;
    bool callee_in = stack_range_of(st, callee->sp, &from, &trap_only);
    /* Kernel trap frames lead out of kernel stacks only: user mode is where they lead to. */
    if (callee_in && trap_only)
        return false;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < st->ntrap_frames && i < 64; i++) {
        uint64_t t = st->trap_frames[i];
        if (t == 0 || (*used >> i & 1))
            continue;
        bool other_stack = callee_in && stack_range_of(st, t, &at, &trap_only) && at != from;
        if (t < callee->sp && !other_stack)
            continue;
        if (best == SIZE_MAX || t < st->trap_frames[best])
            best = i;
    }
    if (best == SIZE_MAX)
        return false;
    *used |= (uint64_t)1 << best;
    struct unwind_frame f;
    uint64_t fault = 0;
    memset(&f, 0, sizeof(f));
    if (arch->from_trap_frame(env, st->trap_frames[best], &f, &fault) != UNWIND_STOP_NONE)
        return false;
    f.flags |= UNWIND_FRAME_TRAP;
    f.trap_frame = st->trap_frames[best];
    *ret = f;
    return true;
}

struct dd_error *unwind_walk_run(const struct unwind_arch *arch, const struct unwind_env *env,
                                 const struct unwind_regs *start, const struct unwind_options *opts,
                                 struct unwind_walk *ret)
{
    struct unwind_options defaults = {0};
    if (!opts)
        opts = &defaults;
    size_t max_frames = opts->max_frames ? opts->max_frames : UNWIND_DEFAULT_MAX_FRAMES;
    const struct unwind_stacks *st = opts->stacks;
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

    /* Stack ranges the walk has been in, and trap frames already used (unwind_stacks). */
    uint64_t visited = 0, traps_used = 0;
    unsigned idx;
    bool trap_only;
    if (stack_range_of(st, first.sp, &idx, &trap_only))
        visited |= (uint64_t)1 << idx;
    /* A stack pointer may stay put once (a frame that did not push anything, with another ip). */
    bool equal_sp_used = false;
    for (;;) {
        struct unwind_frame *callee = &w.frames[w.nframes - 1];
        struct unwind_frame caller;
        uint64_t fault = 0;
        enum unwind_stop stop = arch->step(env, opts, callee, &caller, &fault);
        /* A caller that does not move on still names the return address of this frame. */
        bool rejected = false;
        uint64_t rejected_ip = 0;
        if (stop == UNWIND_STOP_NONE && caller.ip != 0 &&
            !caller_moves_on(st, callee, &caller, equal_sp_used, &visited)) {
            stop = UNWIND_STOP_NO_PROGRESS;
            rejected = true;
            rejected_ip = caller.ip;
        }
        /* No usable caller: a trap frame of the thread above this frame continues the walk. */
        if ((stop == UNWIND_STOP_NO_CALLER || stop == UNWIND_STOP_FAULT ||
             stop == UNWIND_STOP_NO_PROGRESS) &&
            caller_from_trap_frame(arch, env, st, callee, &traps_used, &caller)) {
            stop = caller.ip == 0 || caller_moves_on(st, callee, &caller, equal_sp_used, &visited)
                       ? UNWIND_STOP_NONE
                       : UNWIND_STOP_NO_PROGRESS;
        }
        if (stop != UNWIND_STOP_NONE) {
            if (rejected) {
                callee->has_return_address = true;
                callee->return_address = rejected_ip;
            }
            w.stop = stop;
            if (stop == UNWIND_STOP_FAULT)
                w.fault_address = fault;
            break;
        }
        callee->has_return_address = true;
        callee->return_address = caller.ip;
        if (unwind_regs_has(&caller.regs, arch->pc_slot) &&
            (caller.regs.saved >> arch->pc_slot & 1) && !(caller.flags & UNWIND_FRAME_TRAP))
            callee->return_address_at = caller.regs.saved_at[arch->pc_slot];
        if (caller.ip == 0) {
            w.stop = UNWIND_STOP_END;
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
