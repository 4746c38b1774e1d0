/*
 * The x86 cascade for one frame (STYLE.md "Seams"): frame data (FrameData/FPO/STACK WIN), STACK
 * CFI, the EBP chain, then a validated scan. Calling-convention facts (MSVC "__cdecl",
 * "__stdcall", "Argument passing and naming conventions"; the System V i386 ABI agrees): eax,
 * ecx, edx and the flags are not preserved across calls; ebx, esi, edi, ebp and esp are.
 */
#include <string.h>

#include "unwind/postfix.h"
#include "unwind/x86/x86_internal.h"

void x86_caller_init(const struct unwind_frame *callee, struct unwind_frame *ret)
{
    static const uint8_t volatile_slots[] = {X86_EAX,  X86_ECX,  X86_EDX,  X86_EFL,  X86_DR0,
                                             X86_DR1,  X86_DR2,  X86_DR3,  X86_DR6,  X86_DR7,
                                             X86_FPCW, X86_FPSW, X86_FPTW, X86_MXCSR};
    struct unwind_frame f = {0};
    f.regs = callee->regs;
    for (size_t i = 0; i < sizeof(volatile_slots); i++)
        unwind_regs_forget(&f.regs, volatile_slots[i]);
    /* Only the low 64 slots exist; the x86 enum is far smaller. */
    f.regs.valid &= ((uint64_t)1 << X86_NSLOTS) - 1;
    f.regs.saved = 0;
    f.regs.vec_valid = 0; /* xmm registers are all volatile on x86 */
    f.regs.vec_saved = 0;
    *ret = f;
}

void x86_caller_set_ra(struct unwind_frame *f, uint32_t eip, bool from_memory, uint32_t ra_addr,
                       uint32_t esp)
{
    if (from_memory)
        unwind_regs_set_saved(&f->regs, X86_EIP, eip, ra_addr);
    else
        unwind_regs_set(&f->regs, X86_EIP, eip);
    unwind_regs_set(&f->regs, X86_ESP, esp);
    f->ip = eip;
    f->sp = esp;
}

struct dd_error *x86_postfix_define_regs(struct postfix_machine *m, const struct unwind_regs *regs,
                                         bool with_eip)
{
    static const struct {
        uint8_t slot;
        const char *name;
    } names[] = {{X86_EAX, "$eax"}, {X86_ECX, "$ecx"}, {X86_EDX, "$edx"},
                 {X86_EBX, "$ebx"}, {X86_ESP, "$esp"}, {X86_EBP, "$ebp"},
                 {X86_ESI, "$esi"}, {X86_EDI, "$edi"}, {X86_EIP, "$eip"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].slot == X86_EIP && !with_eip)
            continue;
        if (!unwind_regs_has(regs, names[i].slot))
            continue;
        struct dd_error *err = postfix_define(m, names[i].name, (uint32_t)regs->r[names[i].slot]);
        if (err)
            return err;
    }
    return NULL;
}

/*
 * The EBP chain (push ebp; mov ebp, esp): the caller's ebp at [ebp], the return address at
 * [ebp+4], the caller's esp at ebp+8 (Breakpad GetCallerByEBPAtBase). Taken only when ebp lies
 * at or above esp and the return address is 0 or in a module (when modules are known).
 */
static enum x86_status ebp_chain(const struct unwind_env *env, const struct unwind_frame *callee,
                                 struct unwind_frame *ret_caller)
{
    const struct unwind_regs *r = &callee->regs;
    if (!unwind_regs_has(r, X86_EBP) || !unwind_regs_has(r, X86_ESP))
        return X86_FAIL;
    uint32_t ebp = (uint32_t)r->r[X86_EBP], esp = (uint32_t)r->r[X86_ESP];
    uint32_t caller_ebp, ra;
    if (ebp < esp || ebp > UINT32_MAX - 8 || !x86_read_u32(env, ebp, &caller_ebp) ||
        !x86_read_u32(env, ebp + 4, &ra))
        return X86_FAIL;
    if (ra != 0 && env->find_module && !x86_in_module(env, ra))
        return X86_FAIL;
    struct unwind_frame f;
    x86_caller_init(callee, &f);
    /* The function may have saved and used any of these below its frame pointer. */
    unwind_regs_forget(&f.regs, X86_EBX);
    unwind_regs_forget(&f.regs, X86_ESI);
    unwind_regs_forget(&f.regs, X86_EDI);
    x86_caller_set_ra(&f, ra, true, ebp + 4, ebp + 8);
    unwind_regs_set_saved(&f.regs, X86_EBP, caller_ebp, ebp);
    f.found_by = UNWIND_FOUND_FRAME_POINTER;
    *ret_caller = f;
    return X86_OK;
}

/*
 * A context stopped on a return instruction (C3 "ret", C2 iw "ret imm16"; Intel SDM Vol. 2
 * "RET") has finished its epilog: the return address is at [esp] and the caller's esp is past it
 * and the IMM16 bytes of arguments, whatever frame data or frame pointer say about the body.
 * Only for an exact ip (the context, a trap frame): a caller's ip found through a return
 * address says where execution resumes, not that the ret there has begun.
 */
static enum x86_status at_return(const struct unwind_env *env, const struct unwind_frame *callee,
                                 struct unwind_frame *ret_caller)
{
    const struct unwind_regs *r = &callee->regs;
    uint8_t code[3];
    uint32_t esp, ra;
    if (!unwind_regs_has(r, X86_ESP) || x86_read_code(env, (uint32_t)callee->ip, code, 1) != 1)
        return X86_FAIL;
    uint32_t pop;
    if (code[0] == 0xc3)
        pop = 0;
    else if (code[0] == 0xc2 && x86_read_code(env, (uint32_t)callee->ip, code, 3) == 3)
        pop = (uint32_t)code[1] | (uint32_t)code[2] << 8;
    else
        return X86_FAIL;
    esp = (uint32_t)r->r[X86_ESP];
    if (esp > UINT32_MAX - 4 - pop || !x86_read_u32(env, esp, &ra))
        return X86_FAIL;
    struct unwind_frame f;
    x86_caller_init(callee, &f);
    x86_caller_set_ra(&f, ra, true, esp, esp + 4 + pop);
    f.found_by = UNWIND_FOUND_LEAF;
    f.flags |= UNWIND_FRAME_EPILOG;
    *ret_caller = f;
    return X86_OK;
}

static enum unwind_stop x86_step(const struct unwind_env *env, const struct unwind_options *opts,
                                 struct unwind_frame *callee, struct unwind_frame *ret_caller,
                                 uint64_t *ret_fault)
{
    /*
     * Symbols are looked up at ip-1 for frames found by their return address, which may be the
     * first byte after the calling function (a call to a noreturn function ends it); the
     * context frame and a trap frame have the exact ip.
     */
    bool exact = callee->found_by == UNWIND_FOUND_CONTEXT || (callee->flags & UNWIND_FRAME_TRAP);
    uint32_t ip = (uint32_t)callee->ip;
    uint32_t lookup = exact || ip == 0 ? ip : ip - 1;
    const struct unwind_x86_frame_info_source *src = env->arch_data;
    struct unwind_x86_frame_info info = {0};
    bool have = src && src->find && src->find(src->ctx, lookup, &info);
    if (!have)
        memset(&info, 0, sizeof(info));
    /* Breakpad .cbCalleeParams: the arguments this frame's callee took lie at its esp. */
    uint32_t callee_params = (uint32_t)callee->step_state;
    uint64_t my_params = have && info.has_params ? info.params_size : 0;
    struct unwind_frame f;
    enum x86_status st;

    /* A trap handler's frame: the interrupted code's registers are in its KTRAP_FRAME. */
    if (have && info.has_frame && info.type == UNWIND_X86_FRAME_TRAP &&
        unwind_x86_trap_step(env, callee, ret_caller, ret_fault) == UNWIND_STOP_NONE)
        return UNWIND_STOP_NONE;
    if (exact && at_return(env, callee, &f) == X86_OK) {
        f.step_state = my_params;
        *ret_caller = f;
        return UNWIND_STOP_NONE;
    }
    if (have && info.has_frame &&
        (info.type == UNWIND_X86_FRAME_FPO || info.type == UNWIND_X86_FRAME_FRAME_DATA)) {
        uint64_t fault = 0;
        bool faulted = false;
        st = x86_unwind_frame_data(env, opts, callee, &info, callee_params, &f, &fault, &faulted);
        if (st == X86_OK) {
            callee->has_function = true;
            uint64_t base, size;
            if (env->find_module && env->find_module(env->ctx, lookup, &base, &size))
                callee->module_base = base;
            callee->function_begin = info.rva;
            callee->function_end = info.rva + info.code_size;
            f.step_state = my_params;
            *ret_caller = f;
            return UNWIND_STOP_NONE;
        }
        /*
         * The program failed (Breakpad: "%eip is not somewhere with stack frame info, or %ebp
         * points to non-stack memory"). The function keeps no EBP chain of its own, so scan;
         * failing that, an EBP chain still leads to some caller further up. A program past its
         * limits is said so (docs/limits.md).
         */
        if (st == X86_REFUSED)
            callee->flags |= UNWIND_FRAME_BAD_UNWIND;
        enum unwind_stop stop = x86_scan(env, opts, callee, &f, ret_fault);
        if (stop != UNWIND_STOP_NONE && ebp_chain(env, callee, &f) == X86_OK)
            stop = UNWIND_STOP_NONE;
        if (stop == UNWIND_STOP_NONE) {
            f.step_state = my_params;
            *ret_caller = f;
        } else if (faulted) {
            *ret_fault = fault;
            stop = UNWIND_STOP_FAULT;
        }
        return stop;
    }
    if (have && info.cfi_nrows > 0) {
        uint64_t fault = 0;
        st = x86_unwind_cfi(env, callee, &info, &f, &fault);
        if (st == X86_OK) {
            f.step_state = my_params;
            *ret_caller = f;
            return UNWIND_STOP_NONE;
        }
        if (st == X86_REFUSED) /* past its limits: the EBP chain or scan, said (docs/limits.md) */
            callee->flags |= UNWIND_FRAME_BAD_UNWIND;
    }
    if (ebp_chain(env, callee, &f) == X86_OK) {
        f.step_state = my_params;
        *ret_caller = f;
        return UNWIND_STOP_NONE;
    }
    enum unwind_stop stop = x86_scan(env, opts, callee, &f, ret_fault);
    if (stop == UNWIND_STOP_NONE) {
        f.step_state = my_params;
        *ret_caller = f;
    }
    return stop;
}

const struct unwind_arch unwind_arch_x86 = {
    .name = "x86",
    .pc_slot = X86_EIP,
    .sp_slot = X86_ESP,
    .step = x86_step,
    .from_trap_frame = unwind_x86_from_trap_frame,
};

struct dd_error *unwind_x86_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                 const struct unwind_options *opts, struct unwind_walk *ret)
{
    return unwind_walk_run(&unwind_arch_x86, env, start, opts, ret);
}
