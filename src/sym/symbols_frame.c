/*
 * x86 frame data for the unwinder from whatever symbols a module has: PDB FrameData (else FPO),
 * or a Breakpad file's STACK WIN (else the FUNC/PUBLIC parameter size) and STACK CFI rows.
 */
#include <string.h>

#include "pdb/pdb.h"
#include "sym/breakpad_sym.h"
#include "sym/symbols_internal.h"
#include "unwind/x86/x86_unwind.h"

static bool from_pdb(struct pdb *pdb, uint32_t rva, struct unwind_x86_frame_info *ret)
{
    struct pdb_framedata fd;
    struct dd_error *err = pdb_framedata_find(pdb, rva, &fd);
    if (!err) {
        ret->has_frame = ret->has_params = true;
        ret->type = UNWIND_X86_FRAME_FRAME_DATA;
        ret->rva = fd.rva;
        ret->code_size = fd.code_size;
        ret->prolog_size = fd.prolog_size;
        ret->params_size = fd.params_size;
        ret->saved_regs_size = fd.saved_regs_size;
        ret->locals_size = fd.local_size;
        ret->max_stack_size = fd.max_stack_size;
        if (fd.program && fd.program[0]) {
            ret->program = fd.program; /* valid while the PDB is loaded */
            ret->program_len = strlen(fd.program);
        }
        return true;
    }
    dd_error_destroy(err);
    struct pdb_fpo fpo;
    err = pdb_fpo_find(pdb, rva, &fpo);
    if (!err) {
        ret->has_frame = ret->has_params = true;
        ret->type = fpo.frame_type;
        ret->rva = fpo.rva;
        ret->code_size = fpo.size;
        ret->prolog_size = fpo.prolog;
        ret->params_size = 4u * fpo.params;
        ret->saved_regs_size = 4u * fpo.regs;
        ret->locals_size = 4u * fpo.locals;
        ret->allocates_base_pointer = fpo.use_bp;
        return true;
    }
    dd_error_destroy(err);
    return false;
}

bool symbols_breakpad_x86_frame_info(struct breakpad_sym *sym, uint64_t rva,
                                     struct unwind_x86_frame_info *ret)
{
    bool found = false;
    struct breakpad_stack_win sw;
    struct dd_error *err = breakpad_sym_find_stack_win(sym, rva, &sw);
    if (!err) {
        ret->has_frame = ret->has_params = true;
        ret->type = sw.type;
        ret->rva = (uint32_t)sw.rva;
        ret->code_size = sw.code_size;
        ret->prolog_size = sw.prolog_size;
        ret->params_size = sw.params_size;
        ret->saved_regs_size = sw.saved_regs_size;
        ret->locals_size = sw.locals_size;
        ret->max_stack_size = sw.max_stack_size;
        ret->program = sw.has_program_string ? sw.program_string : NULL;
        ret->program_len = sw.has_program_string ? sw.program_string_len : 0;
        ret->allocates_base_pointer = sw.allocates_base_pointer;
        found = true;
    } else {
        dd_error_destroy(err);
        /* Without a STACK WIN record the function's argument size still helps the caller. */
        struct breakpad_symbol s;
        err = breakpad_sym_lookup(sym, rva, &s);
        if (!err) {
            ret->has_params = true;
            ret->params_size = s.param_size;
            found = true;
        }
        dd_error_destroy(err);
    }
    struct breakpad_cfi cfi;
    err = breakpad_sym_find_cfi(sym, rva, &cfi);
    if (!err) {
        /* The rule texts point into the .sym mapping; only the row array is freed here. */
        size_t n = cfi.count <= UNWIND_X86_MAX_CFI_ROWS ? cfi.count : 0;
        for (size_t i = 0; i < n; i++)
            ret->cfi_rows[i] = (struct unwind_x86_text){cfi.rows[i].rules, cfi.rows[i].rules_len};
        /* More rows than fit: the count tells the unwinder, which refuses and flags the frame. */
        ret->cfi_nrows = cfi.count;
        found = found || cfi.count > 0;
        breakpad_cfi_deinit(&cfi);
    } else {
        dd_error_destroy(err);
    }
    return found;
}

bool symbols_x86_frame_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret)
{
    struct symbols *s = ctx;
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m)
        return false;
    size_t idx = (size_t)(m - s->target->modules);
    uint64_t rva = addr - m->base;
    if (rva > UINT32_MAX)
        return false;
    struct pdb *pdb = symbols_module_pdb(s, idx);
    if (pdb)
        return from_pdb(pdb, (uint32_t)rva, ret);
    struct breakpad_sym *bp = symbols_module_breakpad(s, idx);
    return bp && symbols_breakpad_x86_frame_info(bp, rva, ret);
}
