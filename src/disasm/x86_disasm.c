/*
 * x86/x64 instructions in WinDbg's MASM layout, decoded and formatted by Zydis 4.
 * Zydis' MASM style is close; hooks make numbers, displacements and addresses look
 * the way WinDbg prints them ("28h", "0FFFFFFFFh", "[ebp-4]", "module+0x10 (addr)").
 */
#include <stdio.h>
#include <string.h>

#include <Zycore/Format.h>
#include <Zydis/Zydis.h>

#include "base/fmt.h"
#include "disasm/x86_disasm.h"

/* Formats V as WinDbg's MASM hex: "0" .. "9" bare, else "44Dh" / "0FFh" (leading 0 before a letter). */
static void masm_hex(char *buf, size_t len, uint64_t v, unsigned min_digits)
{
    if (v < 10 && min_digits <= 1) {
        snprintf(buf, len, "%u", (unsigned)v);
        return;
    }
    char digits[24];
    snprintf(digits, sizeof(digits), "%0*llX", (int)min_digits, (unsigned long long)v);
    snprintf(buf, len, "%s%sh", (digits[0] >= 'A' && digits[0] <= 'F') ? "0" : "", digits);
}

static ZyanStatus append_text(ZydisFormatterBuffer *buffer, ZydisTokenType token, const char *text)
{
    ZYAN_CHECK(ZydisFormatterBufferAppend(buffer, token));
    ZyanString *str;
    ZYAN_CHECK(ZydisFormatterBufferGetString(buffer, &str));
    return ZyanStringAppendFormat(str, "%s", text);
}

static ZyanStatus hook_print_imm(const ZydisFormatter *f, ZydisFormatterBuffer *buffer,
                                 ZydisFormatterContext *context)
{
    (void)f;
    const ZydisDecodedOperand *op = context->operand;
    uint64_t v = op->imm.value.u;
    /*
     * Sign-extended immediates show at the instruction's operand width ("push 0FFFFFFFFh"
     * for 6a ff, "and rsp,0FFFFFFFFFFFFFFF0h"); others at their own size.
     */
    unsigned width = op->imm.is_signed ? context->instruction->operand_width : op->size;
    if (width > 0 && width < 64)
        v &= (1ULL << width) - 1;
    char text[32];
    masm_hex(text, sizeof(text), v, 1);
    return append_text(buffer, ZYDIS_TOKEN_IMMEDIATE, text);
}

static ZyanStatus hook_print_disp(const ZydisFormatter *f, ZydisFormatterBuffer *buffer,
                                  ZydisFormatterContext *context)
{
    (void)f;
    int64_t d = context->operand->mem.disp.value;
    char text[40];
    uint64_t mag = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    if (context->instruction->address_width == 32)
        mag &= 0xffffffffu;
    text[0] = d < 0 ? '-' : '+';
    masm_hex(text + 1, sizeof(text) - 1, mag, 1);
    ZYAN_CHECK(ZydisFormatterBufferAppend(buffer, ZYDIS_TOKEN_DELIMITER));
    ZyanString *str;
    ZYAN_CHECK(ZydisFormatterBufferGetString(buffer, &str));
    ZYAN_CHECK(ZyanStringAppendFormat(str, "%c", text[0]));
    return append_text(buffer, ZYDIS_TOKEN_DISPLACEMENT, text + 1);
}

/* Branch targets, RIP-relative and absolute memory operands. */
static ZyanStatus hook_print_address_abs(const ZydisFormatter *f, ZydisFormatterBuffer *buffer,
                                         ZydisFormatterContext *context)
{
    (void)f;
    const struct disasm_ctx *c = context->user_data;
    const ZydisDecodedInstruction *insn = context->instruction;
    const ZydisDecodedOperand *op = context->operand;
    uint64_t addr = 0;
    ZYAN_CHECK(ZydisCalcAbsoluteAddress(insn, op, context->runtime_address, &addr));
    unsigned ptr_size = insn->machine_mode == ZYDIS_MACHINE_MODE_LONG_64 ? 8 : 4;
    if (ptr_size == 4)
        addr &= 0xffffffffu;
    bool riprel = op->type == ZYDIS_OPERAND_TYPE_MEMORY &&
                  (op->mem.base == ZYDIS_REGISTER_RIP || op->mem.base == ZYDIS_REGISTER_EIP);
    char sym[256], abuf[DD_ADDR_BUF], text[320];
    dd_fmt_addr(abuf, addr, ptr_size);
    bool code_or_riprel = op->type != ZYDIS_OPERAND_TYPE_MEMORY || riprel;
    /* WinDbg names addresses inside modules: "call    mod+0x1540 (00000001`40001540)". */
    if (c && c->symbolize && (code_or_riprel || addr >= 0x10000) &&
        c->symbolize(c->symbolize_arg, addr, sym, sizeof(sym))) {
        snprintf(text, sizeof(text), "%s (%s)", sym, abuf);
    } else if (code_or_riprel) {
        snprintf(text, sizeof(text), "%s", abuf);
    } else if (ptr_size == 4) {
        masm_hex(text, sizeof(text), addr, 8); /* x86: "fs:[00000018h]" */
    } else {
        masm_hex(text, sizeof(text), addr, 1); /* x64: "gs:[30h]", "[0]" */
    }
    return append_text(buffer, ZYDIS_TOKEN_ADDRESS_ABS, text);
}

/*
 * WinDbg's condition-code spellings: je/jne/jae/ja/jge/jg (and set/cmov alike) where
 * Zydis says jz/jnz/jnb/jnbe/jnl/jnle.
 */
static void fix_mnemonic(char *m, size_t len)
{
    static const char *const stems[] = {"j", "set", "cmov"};
    static const struct {
        const char *from, *to;
    } conds[] = {{"z", "e"}, {"nz", "ne"}, {"nb", "ae"}, {"nbe", "a"}, {"nl", "ge"}, {"nle", "g"}};
    /* The mnemonic is the last word (after any prefixes such as "lock"). */
    char *word = strrchr(m, ' ');
    word = word ? word + 1 : m;
    for (size_t i = 0; i < sizeof(stems) / sizeof(stems[0]); i++) {
        size_t sl = strlen(stems[i]);
        if (strncmp(word, stems[i], sl) != 0)
            continue;
        for (size_t j = 0; j < sizeof(conds) / sizeof(conds[0]); j++)
            if (strcmp(word + sl, conds[j].from) == 0) {
                size_t off = (size_t)(word - m) + sl;
                snprintf(m + off, len - off, "%s", conds[j].to);
                return;
            }
    }
}

static bool formatter_init(ZydisFormatter *f)
{
    if (ZYAN_FAILED(ZydisFormatterInit(f, ZYDIS_FORMATTER_STYLE_INTEL_MASM)))
        return false;
    /* WinDbg always names the operand size of a memory access ("mov rax,qword ptr [rsp+30h]"). */
    ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_FORCE_SIZE, ZYAN_TRUE);
    /* "[rax+rax]", not "[rax+rax*1]". */
    ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_FORCE_SCALE_ONE, ZYAN_FALSE);
    ZydisFormatterFunc fn = hook_print_imm;
    ZydisFormatterSetHook(f, ZYDIS_FORMATTER_FUNC_PRINT_IMM, (const void **)&fn);
    fn = hook_print_disp;
    ZydisFormatterSetHook(f, ZYDIS_FORMATTER_FUNC_PRINT_DISP, (const void **)&fn);
    fn = hook_print_address_abs;
    ZydisFormatterSetHook(f, ZYDIS_FORMATTER_FUNC_PRINT_ADDRESS_ABS, (const void **)&fn);
    return true;
}

/*
 * Records the one visible memory operand WinDbg annotates on the `r` line. lea computes an
 * address without touching memory and nop/prefetch only hint, so they get none.
 */
static void describe_memory(const ZydisDecodedInstruction *insn, const ZydisDecodedOperand *ops,
                            unsigned nops, struct disasm_mem_ref *ret)
{
    memset(ret, 0, sizeof(*ret));
    switch (insn->mnemonic) {
    case ZYDIS_MNEMONIC_LEA:
    case ZYDIS_MNEMONIC_NOP:
    case ZYDIS_MNEMONIC_PREFETCH:
    case ZYDIS_MNEMONIC_PREFETCHNTA:
    case ZYDIS_MNEMONIC_PREFETCHT0:
    case ZYDIS_MNEMONIC_PREFETCHT1:
    case ZYDIS_MNEMONIC_PREFETCHT2:
    case ZYDIS_MNEMONIC_PREFETCHW:
        return;
    default:
        break;
    }
    const ZydisDecodedOperand *mem = NULL;
    for (unsigned i = 0; i < nops; i++) {
        if (ops[i].type != ZYDIS_OPERAND_TYPE_MEMORY)
            continue;
        if (mem || ops[i].mem.type != ZYDIS_MEMOP_TYPE_MEM)
            return; /* two memory operands (movs, cmps) or an address-only form */
        mem = &ops[i];
    }
    if (!mem || mem->size == 0 || mem->size % 8 != 0)
        return;
    const char *seg = ZydisRegisterGetString(mem->mem.segment);
    const char *base = mem->mem.base == ZYDIS_REGISTER_NONE ? "" : ZydisRegisterGetString(mem->mem.base);
    const char *index =
        mem->mem.index == ZYDIS_REGISTER_NONE ? "" : ZydisRegisterGetString(mem->mem.index);
    if (!seg || !base || !index)
        return;
    snprintf(ret->segment, sizeof(ret->segment), "%s", seg);
    snprintf(ret->base, sizeof(ret->base), "%s", base);
    snprintf(ret->index, sizeof(ret->index), "%s", index);
    ret->scale = mem->mem.scale ? mem->mem.scale : 1;
    ret->disp = mem->mem.disp.has_displacement ? mem->mem.disp.value : 0;
    ret->addr_bits = insn->address_width == 64 ? 64 : 32;
    ret->size = mem->size / 8;
    if (mem->mem.base == ZYDIS_REGISTER_RIP || mem->mem.base == ZYDIS_REGISTER_EIP)
        ret->disp += insn->length; /* relative to the next instruction */
    ret->present = true;
}

/* Records whether and where the instruction branches, for uf. */
static void describe_flow(const ZydisDecodedInstruction *insn, const ZydisDecodedOperand *ops,
                          uint64_t addr, struct disasm_insn *ret)
{
    switch (insn->meta.category) {
    case ZYDIS_CATEGORY_COND_BR:
        ret->flow = DISASM_FLOW_COND;
        break;
    case ZYDIS_CATEGORY_UNCOND_BR:
        ret->flow = DISASM_FLOW_JUMP;
        break;
    case ZYDIS_CATEGORY_CALL:
        ret->flow = DISASM_FLOW_CALL;
        break;
    case ZYDIS_CATEGORY_RET:
        ret->flow = DISASM_FLOW_RET;
        return;
    default:
        ret->flow = DISASM_FLOW_NONE;
        return;
    }
    ZyanU64 target;
    if (insn->operand_count_visible > 0 && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
        ops[0].imm.is_relative &&
        ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(insn, &ops[0], addr, &target))) {
        ret->has_target = true;
        ret->target = target;
    }
}

void x86_disasm_decode(const struct disasm_ctx *c, unsigned bits, const uint8_t *bytes,
                       size_t len, uint64_t addr, struct disasm_insn *ret)
{
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32,
                     bits == 64 ? ZYDIS_STACK_WIDTH_64 : ZYDIS_STACK_WIDTH_32);
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus st = ZydisDecoderDecodeFull(&dec, bytes, len, &insn, ops);
    ret->size = 1;
    if (st == ZYDIS_STATUS_NO_MORE_DATA && len < DISASM_MAX_BYTES) {
        ret->missing = true;
        snprintf(ret->text, sizeof(ret->text), "???");
        return;
    }
    ZydisFormatter f;
    if (ZYAN_FAILED(st) || !formatter_init(&f)) {
        ret->invalid = true;
        snprintf(ret->text, sizeof(ret->text), "???");
        return;
    }
    ret->size = insn.length;

    /*
     * Zydis formats whole instructions only, so the mnemonic with its prefixes ("lock
     * xadd") is the formatted text up to the end of the mnemonic's own word; the
     * operands are formatted one by one and joined with WinDbg's bare commas.
     */
    char full[256];
    if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&f, &insn, ops, insn.operand_count_visible,
                                                    full, sizeof(full), addr, (void *)c))) {
        ret->invalid = true;
        ret->size = 1;
        snprintf(ret->text, sizeof(ret->text), "???");
        return;
    }
    char mnem[64];
    const char *ms = ZydisMnemonicGetString(insn.mnemonic);
    size_t ml = ms ? strlen(ms) : 0;
    snprintf(mnem, sizeof(mnem), "%s", ms ? ms : "???");
    for (const char *p = full; ml && (p = strstr(p, ms)) != NULL; p++) {
        bool starts = p == full || p[-1] == ' ';
        bool ends = p[ml] == ' ' || p[ml] == '\0';
        if (starts && ends) {
            snprintf(mnem, sizeof(mnem), "%.*s", (int)((size_t)(p - full) + ml), full);
            break;
        }
    }
    char operands[200] = "";
    size_t used = 0;
    unsigned nops = insn.operand_count_visible;
    /* The multi-byte nop (0f 1f /0) names only its memory operand in WinDbg. */
    if (insn.mnemonic == ZYDIS_MNEMONIC_NOP && nops > 1)
        nops = 1;
    for (unsigned i = 0; i < nops; i++) {
        char one[160];
        if (ZYAN_FAILED(ZydisFormatterFormatOperand(&f, &insn, &ops[i], one, sizeof(one), addr,
                                                   (void *)c)))
            snprintf(one, sizeof(one), "?");
        /* x86 names the default segment of an unnamed absolute address: "ds:[00403018h]". */
        const ZydisDecodedOperand *op = &ops[i];
        if (bits == 32 && op->type == ZYDIS_OPERAND_TYPE_MEMORY &&
            op->mem.type == ZYDIS_MEMOP_TYPE_MEM && op->mem.base == ZYDIS_REGISTER_NONE &&
            op->mem.index == ZYDIS_REGISTER_NONE && op->mem.segment == ZYDIS_REGISTER_DS) {
            char *br = strchr(one, '[');
            if (br && br[1] >= '0' && br[1] <= '9' && (br == one || br[-1] != ':') &&
                strlen(one) + 4 <= sizeof(one)) {
                memmove(br + 3, br, strlen(br) + 1);
                memcpy(br, "ds:", 3);
            }
        }
        int n = snprintf(operands + used, sizeof(operands) - used, "%s%s", i ? "," : "", one);
        if (n < 0 || (size_t)n >= sizeof(operands) - used)
            break;
        used += (size_t)n;
    }
    describe_memory(&insn, ops, nops, &ret->mem);
    describe_flow(&insn, ops, addr, ret);
    if (insn.mnemonic == ZYDIS_MNEMONIC_INT3) {
        snprintf(mnem, sizeof(mnem), "int"); /* WinDbg: "int     3" */
        snprintf(operands, sizeof(operands), "3");
    }
    fix_mnemonic(mnem, sizeof(mnem));
    if (operands[0])
        snprintf(ret->text, sizeof(ret->text), "%-7s %s", mnem, operands);
    else
        snprintf(ret->text, sizeof(ret->text), "%s", mnem);
}

unsigned x86_disasm_length(unsigned bits, const uint8_t *bytes, size_t len)
{
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32,
                     bits == 64 ? ZYDIS_STACK_WIDTH_64 : ZYDIS_STACK_WIDTH_32);
    ZydisDecodedInstruction insn;
    if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&dec, NULL, bytes, len, &insn)))
        return 0;
    return insn.length;
}
