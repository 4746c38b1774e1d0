/*
 * ARM64 instructions in WinDbg's layout, decoded by Capstone (4.x). Capstone 4 predates the
 * pointer-authentication and branch-target instructions Windows uses in every prolog (Arm ARM
 * C6.2: PACIBSP, AUTIBSP, RETAB, BLRAAZ ...), so those few fixed encodings are named here first.
 */
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "base/cursor.h"
#include "disasm/arm64_disasm.h"
#include "disasm/arm_common_disasm.h"

/* Hint-space and return forms with no operands (Arm ARM C6.2, the HINT and RET* encodings). */
static const struct {
    uint32_t word;
    const char *name;
    enum disasm_flow flow;
} fixed[] = {
    {0xd503233fu, "paciasp", DISASM_FLOW_NONE}, {0xd503237fu, "pacibsp", DISASM_FLOW_NONE},
    {0xd50323bfu, "autiasp", DISASM_FLOW_NONE}, {0xd50323ffu, "autibsp", DISASM_FLOW_NONE},
    {0xd503231fu, "paciaz", DISASM_FLOW_NONE},  {0xd503235fu, "pacibz", DISASM_FLOW_NONE},
    {0xd503239fu, "autiaz", DISASM_FLOW_NONE},  {0xd50323dfu, "autibz", DISASM_FLOW_NONE},
    {0xd50320ffu, "xpaclri", DISASM_FLOW_NONE}, {0xd503241fu, "bti", DISASM_FLOW_NONE},
    {0xd503245fu, "bti c", DISASM_FLOW_NONE},   {0xd503249fu, "bti j", DISASM_FLOW_NONE},
    {0xd50324dfu, "bti jc", DISASM_FLOW_NONE},  {0xd65f0bffu, "retaa", DISASM_FLOW_RET},
    {0xd65f0fffu, "retab", DISASM_FLOW_RET},    {0xd69f0bffu, "eretaa", DISASM_FLOW_RET},
    {0xd69f0fffu, "eretab", DISASM_FLOW_RET},
};

/* The register-operand pointer-authenticating branches: BLRAAZ/BLRABZ/BRAAZ/BRABZ, BLRAA ... */
static bool decode_pac_branch(uint32_t w, struct disasm_insn *ret)
{
    unsigned n = (w >> 5) & 31, m = w & 31;
    const char *name = NULL;
    bool two = false;
    uint32_t op = w & 0xfffffc1fu;
    if (op == 0xd63f081fu)
        name = "blraaz";
    else if (op == 0xd63f0c1fu)
        name = "blrabz";
    else if (op == 0xd61f081fu)
        name = "braaz";
    else if (op == 0xd61f0c1fu)
        name = "brabz";
    else if ((w & 0xfffffc00u) == 0xd73f0800u)
        name = "blraa", two = true;
    else if ((w & 0xfffffc00u) == 0xd73f0c00u)
        name = "blrab", two = true;
    else if ((w & 0xfffffc00u) == 0xd71f0800u)
        name = "braa", two = true;
    else if ((w & 0xfffffc00u) == 0xd71f0c00u)
        name = "brab", two = true;
    if (!name)
        return false;
    char ops[32], reg[2][8];
    for (int i = 0; i < 2; i++) {
        unsigned r = i ? m : n;
        snprintf(reg[i], sizeof(reg[i]), "%s", r == 29 ? "fp" : r == 30 ? "lr" : r == 31 ? "sp" : "");
        if (!reg[i][0])
            snprintf(reg[i], sizeof(reg[i]), "x%u", r);
    }
    if (two)
        snprintf(ops, sizeof(ops), "%s,%s", reg[0], reg[1]);
    else
        snprintf(ops, sizeof(ops), "%s", reg[0]);
    armdis_text_set(ret, name, ops);
    ret->flow = name[1] == 'l' ? DISASM_FLOW_CALL : DISASM_FLOW_JUMP;
    return true;
}

/* Bytes a single load or store moves, from its mnemonic and first register; 0 for others. */
static unsigned access_size(const char *mnem, const char *ops)
{
    static const char *const plain[] = {"ldr", "str", "ldur", "stur", "ldar", "stlr", "ldxr",
                                        "ldaxr", "ldapr"};
    size_t ml = strlen(mnem);
    char last = ml ? mnem[ml - 1] : 0;
    if (strncmp(mnem, "ld", 2) != 0 && strncmp(mnem, "st", 2) != 0)
        return 0;
    if (strstr(mnem, "p") && (strncmp(mnem, "ldp", 3) == 0 || strncmp(mnem, "stp", 3) == 0 ||
                              strncmp(mnem, "ldnp", 4) == 0 || strncmp(mnem, "stnp", 4) == 0))
        return 0; /* a pair: two accesses */
    if (strcmp(mnem, "ldrsw") == 0 || strcmp(mnem, "ldursw") == 0)
        return 4;
    if (last == 'b' && mnem[ml - 2] != 'a')
        return 1;
    if (last == 'h')
        return 2;
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (strcmp(mnem, plain[i]) == 0)
            return ops[0] == 'x' ? 8 : ops[0] == 'w' || ops[0] == 's' ? 4 : ops[0] == 'd' ? 8
                 : ops[0] == 'q' ? 16 : ops[0] == 'h' ? 2 : ops[0] == 'b' ? 1 : 0;
    return 0;
}

/* Flow of a decoded instruction by its mnemonic (A64: B, B.cond, BL, BR, BLR, CBZ, TBZ, RET). */
static enum disasm_flow flow_of(const char *m)
{
    if (strcmp(m, "bl") == 0 || strcmp(m, "blr") == 0)
        return DISASM_FLOW_CALL;
    if (strcmp(m, "b") == 0 || strcmp(m, "br") == 0)
        return DISASM_FLOW_JUMP;
    if (strncmp(m, "b.", 2) == 0 || strcmp(m, "cbz") == 0 || strcmp(m, "cbnz") == 0 ||
        strcmp(m, "tbz") == 0 || strcmp(m, "tbnz") == 0)
        return DISASM_FLOW_COND;
    if (strcmp(m, "ret") == 0 || strcmp(m, "eret") == 0)
        return DISASM_FLOW_RET;
    return DISASM_FLOW_NONE;
}

void arm64_disasm_decode(const struct disasm_ctx *c, const uint8_t *bytes, size_t len,
                         uint64_t addr, struct disasm_insn *ret)
{
    ret->size = 4;
    if (len < 4) {
        ret->missing = true;
        snprintf(ret->text, sizeof(ret->text), "???");
        return;
    }
    uint32_t w = dd_le32(bytes);
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (fixed[i].word == w) {
            armdis_text_set(ret, fixed[i].name, "");
            ret->flow = fixed[i].flow;
            return;
        }
    if (decode_pac_branch(w, ret))
        return;

    csh h;
    cs_insn *insn = NULL;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK) {
        ret->invalid = true;
        snprintf(ret->text, sizeof(ret->text), "???");
        return;
    }
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    if (cs_disasm(h, bytes, 4, addr, 1, &insn) != 1) {
        cs_close(&h);
        ret->invalid = true;
        snprintf(ret->text, sizeof(ret->text), "???");
        return;
    }
    const cs_arm64 *d = &insn->detail->arm64;
    char ops[224];
    armdis_operands_normalize(insn->op_str, true, ops, sizeof(ops));
    ret->flow = flow_of(insn->mnemonic);

    /* The last immediate operand of a direct branch, adr/adrp and a literal load is an address. */
    bool addr_op = ret->flow == DISASM_FLOW_CALL || ret->flow == DISASM_FLOW_JUMP ||
                   ret->flow == DISASM_FLOW_COND || strcmp(insn->mnemonic, "adr") == 0 ||
                   strcmp(insn->mnemonic, "adrp") == 0 ||
                   (strncmp(insn->mnemonic, "ldr", 3) == 0 && d->op_count == 2 &&
                    d->operands[1].type == ARM64_OP_IMM);
    if (addr_op && d->op_count > 0 && d->operands[d->op_count - 1].type == ARM64_OP_IMM) {
        uint64_t target = (uint64_t)d->operands[d->op_count - 1].imm;
        char t[320];
        armdis_target_format(c, target, t, sizeof(t));
        armdis_operands_set_target(ops, sizeof(ops), t);
        if (ret->flow != DISASM_FLOW_NONE) {
            ret->has_target = true;
            ret->target = target;
        }
    }

    /* A single load or store: its address from base + index + displacement. */
    unsigned size = access_size(insn->mnemonic, insn->op_str);
    for (unsigned i = 0; size && i < d->op_count; i++) {
        const cs_arm64_op *op = &d->operands[i];
        if (op->type != ARM64_OP_MEM)
            continue;
        const char *b = op->mem.base ? cs_reg_name(h, op->mem.base) : "";
        const char *x = op->mem.index ? cs_reg_name(h, op->mem.index) : "";
        if (!b || !x || op->shift.type != ARM64_SFT_INVALID || op->ext != ARM64_EXT_INVALID)
            break;
        snprintf(ret->mem.base, sizeof(ret->mem.base), "%s", strcmp(b, "x29") == 0 ? "fp" : b);
        snprintf(ret->mem.index, sizeof(ret->mem.index), "%s", x);
        ret->mem.scale = 1;
        ret->mem.disp = op->mem.disp;
        ret->mem.addr_bits = 64;
        ret->mem.size = size;
        ret->mem.present = true;
        break;
    }
    /*
     * MOVZ/MOVN with an immediate that MOV can say are written as MOV ("mov w0,#0" in Microsoft's
     * listings; the Arm ARM's preferred disassembly); the rest as Capstone spells them.
     */
    const char *mnem = insn->mnemonic;
    bool movz = strcmp(mnem, "movz") == 0, movn = strcmp(mnem, "movn") == 0;
    if ((movz || movn) && d->op_count == 2 && d->operands[1].type == ARM64_OP_IMM) {
        uint64_t v = (uint64_t)d->operands[1].imm;
        unsigned sh = d->operands[1].shift.type == ARM64_SFT_LSL ? d->operands[1].shift.value : 0;
        bool w32 = insn->op_str[0] == 'w';
        v = sh < 64 ? v << sh : 0;
        if (movn)
            v = ~v;
        if (w32)
            v &= 0xffffffffu;
        /* MOVN's alias needs a value MOVZ could not make; MOVZ's a nonzero value or no shift. */
        bool alias = movz ? (v != 0 || sh == 0) : !(w32 && (v & 0xffff0000u) == 0 && sh == 0);
        if (alias) {
            char reg[8];
            snprintf(reg, sizeof(reg), "%.*s", (int)strcspn(insn->op_str, ","), insn->op_str);
            bool neg = movn && (w32 ? (v >> 31 & 1) : (v >> 63 & 1));
            uint64_t mag = neg ? (w32 ? (uint32_t)(~v + 1) : ~v + 1) : v;
            char raw[64];
            snprintf(raw, sizeof(raw), "%s, #%s%llu", reg, neg ? "-" : "", (unsigned long long)mag);
            armdis_operands_normalize(raw, true, ops, sizeof(ops));
            mnem = "mov";
        }
    }
    armdis_text_set(ret, mnem, ops);
    cs_free(insn, 1);
    cs_close(&h);
}
