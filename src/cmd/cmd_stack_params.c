/*
 * Parameters on the stack listing:
 *  - kp / kP (debugger reference "k, kb, kc, kd, kp, kP, kv"): each parameter's type, name and
 *    value between the function name and its offset, "mod!f(int a = 0n5, char * p = 0x...)+0x12";
 *    kP puts each on its own line after three tabs. Values that cannot be proven at the frame's
 *    address print "<value unavailable>"; inline frames list none (WinDbg shows their locals only).
 *  - kv on x86: the frame type of the FPO/FrameData record, "(FPO: [Non-Fpo])" for frames that
 *    use EBP or have no record, "(FPO: [params,locals,registers])" in dwords, "(FPO: [0,0]
 *    TrapFrame @ 8054a5f0)" for trap frames, then "(CONV: stdcall)" from the PDB procedure type
 *    (cvinfo.h CV_call_e: 0 near C, 4 near fast, 7 near std, 0x0b this call).
 *  - k /proven (dumpdbg's own): under each frame, its parameters whose value is proven, each
 *    marked with where it came from (a register of the context, a register a callee saved on the
 *    stack and where, a memory location), else "unknown" and why. Never a guess shown as a fact:
 *    kb's "Args to Child" on x64 is the callee's home space, which optimized code does not fill.
 */
#include <stdio.h>
#include <string.h>

#include "arch/x86/x86_regs.h"
#include "base/fmt.h"
#include "cmd/cmd_stack.h"
#include "pdb/pdb.h"
#include "unwind/x86/x86_unwind.h"

static struct dd_error *params_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    return target_read_exact(ctx, addr, buf, n);
}

/* Appends "type name = value" of V to OUT. */
static void param_append(struct session *s, const struct cmd_frame_vars *fv,
                         const struct cmd_var *v, struct dd_strbuf *out)
{
    cmd_value_type_name(fv->types, v->type_index, out);
    dd_strbuf_printf(out, " %s = ", v->name ? v->name : "");
    if (!v->available) {
        dd_strbuf_append(out, "<value unavailable>", 19);
        return;
    }
    struct dd_writer w = dd_writer_strbuf(out);
    struct cmd_dt_memory mem = {params_read, s->target, session_ptr_size(s)};
    cmd_value_format(fv->types, v->type_index, v->value,
                     v->size < CMD_VAR_MAX_BYTES ? v->size : CMD_VAR_MAX_BYTES, &mem, &w);
}

void stack_params_text(struct session *s, const struct cmd_frames *fs, size_t idx, bool multiline,
                       struct dd_strbuf *out)
{
    struct cmd_frame_vars fv;
    struct dd_error *err = cmd_frame_vars_get(s, fs, idx, &fv);
    if (err) {
        dd_error_destroy(err);
        return;
    }
    dd_strbuf_append(out, "(", 1);
    size_t shown = 0;
    for (size_t i = 0; i < fv.count; i++) {
        if (!fv.vars[i].is_param)
            continue;
        if (shown++)
            dd_strbuf_append(out, ", ", 2);
        if (multiline)
            dd_strbuf_append(out, "\n\t\t\t", 4);
        param_append(s, &fv, &fv.vars[i], out);
    }
    if (!shown)
        dd_strbuf_append(out, "void", 4);
    dd_strbuf_append(out, ")", 1);
    cmd_frame_vars_deinit(&fv);
}

/* The calling convention of the PDB procedure at frame F, or NULL. */
static const char *frame_convention(struct session *s, const struct cmd_frame *f)
{
    if (f->module == SIZE_MAX || !s->syms)
        return NULL;
    struct pdb *pdb = symbols_module_pdb(s->syms, f->module);
    if (!pdb)
        return NULL;
    uint64_t rva = f->lookup - s->target->modules[f->module].base;
    struct pdb_proc proc;
    struct dd_error *err = rva <= UINT32_MAX ? pdb_find_proc(pdb, (uint32_t)rva, &proc)
                                             : dd_error_create(DD_ERR_NOT_FOUND, "rva");
    if (err || proc.type_is_id) {
        dd_error_destroy(err);
        return NULL;
    }
    struct pdb_types *types = NULL;
    const char *conv = NULL;
    err = pdb_types_open(pdb_msf(pdb), PDB_TYPES_TPI, &types);
    if (err) {
        dd_error_destroy(err);
        return NULL;
    }
    struct pdb_type t;
    err = pdb_types_get(types, proc.type_index, &t);
    if (!err && (t.leaf == PDB_LF_PROCEDURE || t.leaf == PDB_LF_MFUNCTION)) {
        switch (t.u.proc.call_conv) {
        case 0x00:
            conv = "cdecl";
            break;
        case 0x04:
            conv = "fastcall";
            break;
        case 0x07:
            conv = "stdcall";
            break;
        case 0x0b:
            conv = "thiscall";
            break;
        default:
            break;
        }
    }
    dd_error_destroy(err);
    pdb_types_destroy(types);
    return conv;
}

void stack_fpo_text(struct session *s, const struct cmd_frames *fs, size_t idx,
                    struct dd_writer *out)
{
    const struct cmd_frame *f = &fs->frames[idx];
    if (f->is_inline || !s->syms)
        return;
    struct unwind_x86_frame_info info;
    memset(&info, 0, sizeof(info));
    bool found = symbols_x86_frame_info(s->syms, f->lookup, &info) && info.has_frame;
    if (!found || info.type == UNWIND_X86_FRAME_STANDARD) {
        dd_puts(out, " (FPO: [Non-Fpo])");
    } else if (info.type == UNWIND_X86_FRAME_TRAP) {
        const struct unwind_frame *uf = &fs->walk.frames[f->phys];
        uint64_t ebp = unwind_regs_has(&uf->regs, X86_EBP) ? uf->regs.r[X86_EBP] : uf->sp;
        char abuf[DD_ADDR_BUF];
        dd_printf(out, " (FPO: [%u,%u] TrapFrame @ %s)", info.params_size / 4,
                  info.locals_size / 4, dd_fmt_addr(abuf, ebp, 4));
    } else {
        /* A FrameData program that restores EBP from $T0 = $ebp describes an EBP frame. */
        bool ebp_frame = info.type == UNWIND_X86_FRAME_FRAME_DATA && info.program &&
                         strstr(info.program, "$T0 $ebp =") != NULL;
        if (ebp_frame)
            dd_puts(out, " (FPO: [Non-Fpo])");
        else if (info.type == UNWIND_X86_FRAME_FPO)
            dd_printf(out, " (FPO: [%u,%u,%u])", info.params_size / 4, info.locals_size / 4,
                      info.saved_regs_size / 4);
        else
            dd_printf(out, " (FPO: [%u,%u,%u])", info.params_size / 4, info.locals_size / 4,
                      info.saved_regs_size / 4);
    }
    const char *conv = frame_convention(s, f);
    if (conv)
        dd_printf(out, " (CONV: %s)", conv);
}

/* The numbered frame of physical frame PHYS (its non-inline entry). */
static size_t numbered_frame(const struct cmd_frames *fs, size_t phys)
{
    for (size_t i = 0; i < fs->count; i++)
        if (fs->frames[i].phys == phys && !fs->frames[i].is_inline)
            return i;
    return phys;
}

void stack_proven_print(struct session *s, const struct cmd_frames *fs, size_t idx)
{
    struct dd_writer *out = s->out;
    struct cmd_frame_vars fv;
    struct dd_error *err = cmd_frame_vars_get(s, fs, idx, &fv);
    if (err) {
        dd_error_destroy(err);
        dd_puts(out, "      (no parameter records for this frame: its parameters are unknown)\n");
        return;
    }
    char abuf[DD_ADDR_BUF];
    size_t shown = 0;
    for (size_t i = 0; i < fv.count; i++) {
        const struct cmd_var *v = &fv.vars[i];
        if (!v->is_param)
            continue;
        shown++;
        dd_printf(out, "      %s = ", v->name ? v->name : "");
        if (!v->available) {
            dd_printf(out, "unknown  (%s)\n", v->why);
            continue;
        }
        struct cmd_dt_memory mem = {params_read, s->target, session_ptr_size(s)};
        cmd_value_format(fv.types, v->type_index, v->value,
                         v->size < CMD_VAR_MAX_BYTES ? v->size : CMD_VAR_MAX_BYTES, &mem, out);
        switch (v->source) {
        case CMD_VAR_SRC_CONTEXT:
            if (fs->frames[idx].phys == 0)
                dd_printf(out, "  (%s, from the context)\n", v->where);
            else
                dd_printf(out, "  (%s, non-volatile, saved by no callee: the context's)\n",
                          v->where);
            break;
        case CMD_VAR_SRC_SAVED:
            dd_printf(out, "  (%s, saved by frame %02zx at %s)\n", v->where,
                      numbered_frame(fs, v->saved_by),
                      session_fmt_addr(s, abuf, v->saved_at));
            break;
        case CMD_VAR_SRC_MEMORY:
            dd_printf(out, "  (memory at %s%s%s)\n", session_fmt_addr(s, abuf, v->address),
                      v->where[0] ? " = " : "", v->where);
            break;
        case CMD_VAR_SRC_CONSTANT:
            dd_puts(out, "  (a constant)\n");
            break;
        default:
            dd_puts(out, "\n");
            break;
        }
    }
    if (!shown)
        dd_puts(out, "      (no parameters)\n");
    cmd_frame_vars_deinit(&fv);
}
