/*
 * Unwinding by x86 frame data: PDB FrameData programs and FPO records, or the same from
 * Breakpad STACK WIN records. The program names its inputs: .cbLocals, .cbSavedRegs, .cbParams
 * (from the record), .cbCalleeParams (the arguments pushed for this frame's own callee: a
 * Breakpad extension), and .raSearch / .raSearchStart, where the return address is looked for.
 * Microsoft documents no formula for .raSearch; this follows Breakpad's x86 walker
 * (src/processor/stackwalker_x86.cc, GetCallerByWindowsFrameInfo), which rust-minidump
 * (stackwalker/x86.rs) shares and lldb approximates (SymbolFileBreakpad: RaSearch with offset
 * LocalSize + SavedRegisterSize):
 *
 *   .raSearch = .raSearchStart = esp + .cbCalleeParams + .cbLocals + .cbSavedRegs
 *
 * moved up to the first return address among that word and the next two (the stack may have
 * been aligned to 8 bytes), or to ebp + 4 when the program aligns the stack itself ('@').
 *
 * Records without a program (STACK WIN 0, FPO_DATA) get Breakpad's fixed programs: the return
 * address at .raSearchStart, and with fUseBP ("allocates base pointer") the caller's ebp in the
 * saved-register area at esp + .cbCalleeParams + .cbSavedRegs - 8.
 */
#include <string.h>

#include "unwind/postfix.h"
#include "unwind/x86/x86_internal.h"

static const char program_fpo[] = "$eip .raSearchStart ^ = $esp .raSearchStart 4 + =";
static const char program_fpo_bp[] = "$eip .raSearchStart ^ = "
                                     "$ebp $esp .cbCalleeParams + .cbSavedRegs + 8 - ^ = "
                                     "$esp .raSearchStart 4 + =";

/*
 * A non-volatile register the program restored: by name, or by CodeView register number
 * (cvconst.h CV_HREG_e: CV_REG_EBX 20, CV_REG_EBP 22, CV_REG_ESI 23, CV_REG_EDI 24), which some
 * MSVC FrameData programs use ("$23 $T0 4 - ^ =").
 */
static const struct postfix_var *restored(const struct postfix_machine *m, unsigned slot)
{
    static const struct {
        uint8_t slot;
        const char *name, *cv_name;
    } regs[] = {{X86_EBX, "$ebx", "$20"},
                {X86_EBP, "$ebp", "$22"},
                {X86_ESI, "$esi", "$23"},
                {X86_EDI, "$edi", "$24"}};
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        if (regs[i].slot != slot)
            continue;
        const struct postfix_var *v = postfix_assigned(m, regs[i].name);
        return v ? v : postfix_assigned(m, regs[i].cv_name);
    }
    return NULL;
}

static bool has_char(const char *s, size_t len, char c)
{
    return s && memchr(s, c, len) != NULL;
}

/*
 * True when ADDR can be a caller's frame pointer seen from a frame whose esp is ESP: readable
 * stack memory at or above ESP. Breakpad asks the same of a recovered ebp ("a pointer to the
 * same memory region (the stack)"); a dump's images are readable too, so without the module
 * test a return address in the saved-register area passed for a frame pointer.
 */
static bool stack_pointer_like(const struct unwind_env *env, uint32_t esp, uint32_t addr)
{
    uint32_t v;
    return addr >= esp && !x86_in_module(env, addr) && x86_read_u32(env, addr, &v);
}

enum x86_status x86_unwind_frame_data(const struct unwind_env *env,
                                      const struct unwind_options *opts,
                                      const struct unwind_frame *callee,
                                      const struct unwind_x86_frame_info *info,
                                      uint32_t callee_params, struct unwind_frame *ret_caller,
                                      uint64_t *ret_fault, bool *ret_faulted)
{
    const struct unwind_regs *cr = &callee->regs;
    *ret_faulted = false;
    if (!unwind_regs_has(cr, X86_ESP))
        return X86_FAIL;
    uint32_t esp = (uint32_t)cr->r[X86_ESP];
    bool has_ebp = unwind_regs_has(cr, X86_EBP);
    uint32_t ebp = (uint32_t)cr->r[X86_EBP];
    uint32_t scan_words = (opts->scan_bytes ? opts->scan_bytes : UNWIND_DEFAULT_SCAN_BYTES) / 4;

    uint32_t ra_search = esp + callee_params + info->locals_size + info->saved_regs_size;
    uint32_t loc, value;
    bool unverified;
    uint64_t ignored;
    if (x86_scan_words(env, opts, ra_search, 3, &loc, &value, &unverified, &ignored) == X86_OK) {
        if (callee->found_by == UNWIND_FOUND_CONTEXT && info->type == UNWIND_X86_FRAME_FPO &&
            loc == ra_search && value == (uint32_t)callee->ip) {
            /*
             * An FPO system-call stub in the context frame: its callee returned, but the
             * return address into the stub is still on top of the stack (Breakpad). Skip it.
             */
            ra_search += 4;
            if (x86_scan_words(env, opts, ra_search, 3, &loc, &value, &unverified, &ignored) ==
                X86_OK)
                ra_search = loc;
        } else {
            ra_search = loc;
        }
    }

    const char *prog = info->program;
    size_t prog_len = info->program ? info->program_len : 0;
    bool recover_ebp = true;
    if (prog_len == 0) {
        if (info->allocates_base_pointer) {
            prog = program_fpo_bp;
            prog_len = sizeof(program_fpo_bp) - 1;
        } else {
            prog = program_fpo;
            prog_len = sizeof(program_fpo) - 1;
            recover_ebp = false; /* the function does not touch ebp */
        }
    }
    /* An aligned stack (and esp) cannot locate the return address; ebp still can. */
    if (has_ebp && has_char(prog, prog_len, '@'))
        ra_search = ebp + 4;

    struct postfix_machine m;
    postfix_init(&m, 4, env->read_memory, env->ctx);
    struct dd_error *err = x86_postfix_define_regs(&m, cr, false);
    if (!err)
        err = postfix_define(&m, ".cbCalleeParams", callee_params);
    if (!err)
        err = postfix_define(&m, ".cbSavedRegs", info->saved_regs_size);
    if (!err)
        err = postfix_define(&m, ".cbLocals", info->locals_size);
    if (!err)
        err = postfix_define(&m, ".cbParams", info->params_size);
    if (!err)
        err = postfix_define(&m, ".raSearchStart", ra_search);
    if (!err)
        err = postfix_define(&m, ".raSearch", ra_search);
    if (!err)
        err = postfix_run(&m, prog, prog_len);
    if (err) {
        if (err->code == DD_ERR_MEMORY) {
            *ret_faulted = true;
            *ret_fault = err->address;
        }
        enum x86_status st = err->code == DD_ERR_UNSUPPORTED ? X86_REFUSED : X86_FAIL;
        dd_error_destroy(err);
        return st;
    }
    const struct postfix_var *veip = postfix_assigned(&m, "$eip");
    const struct postfix_var *vesp = postfix_assigned(&m, "$esp");
    if (!veip || !vesp)
        return X86_FAIL;

    struct unwind_frame f;
    x86_caller_init(callee, &f);
    f.found_by = UNWIND_FOUND_FRAME_DATA;
    uint32_t new_eip = (uint32_t)veip->v.value, new_esp = (uint32_t)vesp->v.value;
    bool eip_from_memory = veip->v.from_memory;
    uint32_t eip_addr = (uint32_t)veip->v.addr;

    const struct postfix_var *vebp = restored(&m, X86_EBP);
    bool new_has_ebp = vebp != NULL || has_ebp;
    uint32_t new_ebp = vebp ? (uint32_t)vebp->v.value : ebp;
    bool ebp_from_memory = vebp && vebp->v.from_memory;
    uint32_t ebp_addr = vebp ? (uint32_t)vebp->v.addr : 0;

    /* A program giving eip 0 and ebp 0 marks the end of the stack: no second guesses. */
    if (new_eip != 0 || !new_has_ebp || new_ebp != 0) {
        uint32_t offset = 0;
        if (env->find_module && !x86_in_module(env, new_eip)) {
            /* The return address at .raSearch is no code address: look further up. */
            uint32_t start = ra_search + 4;
            if (!opts->no_scan && x86_scan_words(env, opts, start, scan_words, &loc, &value,
                                                 &unverified, &ignored) == X86_OK) {
                new_eip = value;
                eip_from_memory = true;
                eip_addr = loc;
                new_esp = loc + 4;
                offset = loc - start;
                f.flags |= UNWIND_X86_FRAME_RA_SCANNED;
                if (unverified)
                    f.flags |= UNWIND_FRAME_UNVERIFIED;
            }
        }
        if (recover_ebp) {
            /*
             * Breakpad's frame-pointer recovery: when the ebp found cannot be read, or frames
             * were skipped (ebp below the return address found), take the highest word of the
             * saved-register area (grown by the skipped distance) that points into the
             * stack: prologs save ebp first.
             */
            bool skipped = (f.flags & UNWIND_X86_FRAME_RA_SCANNED) && new_has_ebp &&
                           new_ebp <= ra_search + offset;
            if (skipped || !new_has_ebp || !stack_pointer_like(env, esp, new_ebp)) {
                uint32_t low = esp + callee_params;
                uint64_t span = (uint64_t)info->saved_regs_size + offset;
                if (span > (uint64_t)scan_words * 4 + 64) /* bounded: untrusted sizes */
                    span = (uint64_t)scan_words * 4 + 64;
                uint32_t high = low + (uint32_t)span;
                for (uint32_t at = high; at >= low && at <= high; at -= 4) {
                    uint32_t cand;
                    if (!x86_read_u32(env, at, &cand))
                        break;
                    if (stack_pointer_like(env, esp, cand)) {
                        new_has_ebp = true;
                        new_ebp = cand;
                        ebp_from_memory = true;
                        ebp_addr = at;
                        break;
                    }
                    if (at < 4)
                        break;
                }
            }
        }
    }

    x86_caller_set_ra(&f, new_eip, eip_from_memory, eip_addr, new_esp);
    if (new_has_ebp && ebp_from_memory)
        unwind_regs_set_saved(&f.regs, X86_EBP, new_ebp, ebp_addr);
    else if (new_has_ebp)
        unwind_regs_set(&f.regs, X86_EBP, new_ebp);
    else
        unwind_regs_forget(&f.regs, X86_EBP);

    /*
     * ebx, esi, edi: as the program restored them; else unchanged when the registers the
     * program restored fill the whole saved-register area (the function may not change one
     * without saving it: clang's programs restore every register they save, e.g. "$esi $T0 4 -
     * ^ ="); else unknown. ebp is not counted: MSVC's EBP-frame programs restore only ebp
     * whatever else was saved. Frames skipped by a rescan may have changed any of them.
     */
    static const uint8_t nonvolatile[] = {X86_EBX, X86_ESI, X86_EDI};
    uint32_t restored_size = 0;
    for (size_t i = 0; i < sizeof(nonvolatile); i++)
        if (restored(&m, nonvolatile[i]))
            restored_size += 4;
    bool all_restored = restored_size >= info->saved_regs_size;
    for (size_t i = 0; i < sizeof(nonvolatile); i++) {
        unsigned slot = nonvolatile[i];
        const struct postfix_var *v = restored(&m, slot);
        if (f.flags & UNWIND_X86_FRAME_RA_SCANNED)
            unwind_regs_forget(&f.regs, slot);
        else if (v && v->v.from_memory)
            unwind_regs_set_saved(&f.regs, slot, (uint32_t)v->v.value, v->v.addr);
        else if (v)
            unwind_regs_set(&f.regs, slot, (uint32_t)v->v.value);
        else if (!all_restored)
            unwind_regs_forget(&f.regs, slot);
    }
    *ret_caller = f;
    return X86_OK;
}
