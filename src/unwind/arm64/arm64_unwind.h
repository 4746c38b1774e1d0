/*
 * The ARM64 unwind cascade (Microsoft "ARM64 exception handling"): a function's .pdata packed
 * unwind data or .xdata unwind codes (epilog scopes, fragments, partly run prologs and epilogs,
 * trap/machine frames and saved contexts), LR-only leaf functions, the x29 frame chain, then a
 * stack scan that accepts only return addresses that follow a BL/BLR in a known module.
 *
 * Register slots follow enum arm64_slot (arch/arm64/arm64_regs.h): x0-x28, fp (x29), lr (x30),
 * sp, pc. Vector slots 0-15 hold v0-v15; in caller frames only d8-d15 survive a call, so only the
 * low 64 bits of slots 8-15 are known there (the upper halves read as zero). After the first
 * frame x0-x18, v0-v7, cpsr and fpsr are unknown. unwind_env.find_function must return the raw
 * second .pdata word in ret_unwind_rva (packed unwind data when its low 2 bits are 1 or 2, else
 * the .xdata RVA).
 */
#ifndef DD_UNWIND_ARM64_ARM64_UNWIND_H
#define DD_UNWIND_ARM64_ARM64_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind/unwind.h"

/* The ARM64 cascade for unwind_walk_run. */
extern const struct unwind_arch unwind_arch_arm64;

/* Walks an ARM64 stack from START (see unwind_walk_run); OPTS may be NULL. */
struct dd_error *unwind_arm64_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                   const struct unwind_options *opts, struct unwind_walk *ret);

/* Unwind code operations ("ARM64 exception handling", Unwind codes table). */
enum unwind_arm64_op {
    UNWIND_ARM64_ALLOC_S,       /* 000xxxxx: sub sp, #x*16 */
    UNWIND_ARM64_SAVE_R19R20_X, /* 001zzzzz: stp x19, x20, [sp, #-z*8]! */
    UNWIND_ARM64_SAVE_FPLR,     /* 01zzzzzz: stp x29, x30, [sp, #z*8] */
    UNWIND_ARM64_SAVE_FPLR_X,   /* 10zzzzzz: stp x29, x30, [sp, #-(z+1)*8]! */
    UNWIND_ARM64_ALLOC_M,       /* 11000xxx'xxxxxxxx */
    UNWIND_ARM64_SAVE_REGP,     /* 110010xx'xxzzzzzz */
    UNWIND_ARM64_SAVE_REGP_X,   /* 110011xx'xxzzzzzz */
    UNWIND_ARM64_SAVE_REG,      /* 110100xx'xxzzzzzz */
    UNWIND_ARM64_SAVE_REG_X,    /* 1101010x'xxxzzzzz */
    UNWIND_ARM64_SAVE_LRPAIR,   /* 1101011x'xxzzzzzz: stp x(19+2x), x30 */
    UNWIND_ARM64_SAVE_FREGP,    /* 1101100x'xxzzzzzz */
    UNWIND_ARM64_SAVE_FREGP_X,  /* 1101101x'xxzzzzzz */
    UNWIND_ARM64_SAVE_FREG,     /* 1101110x'xxzzzzzz */
    UNWIND_ARM64_SAVE_FREG_X,   /* 11011110'xxxzzzzz */
    UNWIND_ARM64_ALLOC_Z,       /* 11011111'zzzzzzzz: z * SVE vector length (not undone) */
    UNWIND_ARM64_ALLOC_L,       /* 11100000'x'x'x (24 bits) */
    UNWIND_ARM64_SET_FP,        /* 11100001: mov x29, sp */
    UNWIND_ARM64_ADD_FP,        /* 11100010'xxxxxxxx: add x29, sp, #x*8 */
    UNWIND_ARM64_NOP,           /* 11100011 */
    UNWIND_ARM64_END,           /* 11100100 (implies ret in an epilog) */
    UNWIND_ARM64_END_C,         /* 11100101: end of this fragment's codes; the parent's follow */
    UNWIND_ARM64_SAVE_NEXT,     /* 11100110: the next pair save covers one more pair */
    UNWIND_ARM64_SAVE_ANY_REG,  /* 11100111'0pxrrrrr'ffoooooo: X, D or Q register(s) */
    UNWIND_ARM64_TRAP_FRAME,    /* 11101000: MSFT_OP_TRAP_FRAME (KTRAP_FRAME at sp) */
    UNWIND_ARM64_MACHINE_FRAME, /* 11101001: MSFT_OP_MACHINE_FRAME ({sp, pc} at sp) */
    UNWIND_ARM64_CONTEXT,       /* 11101010: MSFT_OP_CONTEXT (CONTEXT at sp) */
    UNWIND_ARM64_EC_CONTEXT,    /* 11101011: MSFT_OP_EC_CONTEXT (ARM64EC; not undone) */
    UNWIND_ARM64_CLEAR_UNWOUND, /* 11101100: MSFT_OP_CLEAR_UNWOUND_TO_CALL */
    UNWIND_ARM64_PAC_SIGN_LR,   /* 11111100: pacibsp */
    UNWIND_ARM64_RESERVED_NOP,  /* 11111000-11111011 (+1-4 bytes), 111111xx: no unwind effect */
};

/* Register file of a save code. */
enum unwind_arm64_reg_kind {
    UNWIND_ARM64_X, /* x0-x30 */
    UNWIND_ARM64_D, /* low 64 bits of v0-v31 */
    UNWIND_ARM64_Q, /* all 128 bits of v0-v31 */
};

/* One decoded unwind code. */
struct unwind_arm64_code {
    uint8_t op;       /* enum unwind_arm64_op */
    uint8_t size;     /* bytes in the code stream (1-5) */
    uint8_t insns;    /* prolog/epilog instructions it stands for: 0 or 1 */
    uint8_t kind;     /* save codes: enum unwind_arm64_reg_kind */
    uint8_t reg;      /* save codes: first register number (x19.., x29 for fplr; d8..) */
    uint8_t nregs;    /* save codes: registers saved without save_next (1 or 2) */
    bool writeback;   /* pre-indexed store: sp moved down by `offset` first */
    bool lr_pair;     /* save_lrpair: the second register is x30 */
    uint32_t offset;  /* bytes: store offset or pre-decrement; alloc size; add_fp offset */
    uint8_t bytes[5]; /* the code as stored */
};

/* The largest unwind code array: 255 extended code words of 4 bytes. */
#define UNWIND_ARM64_MAX_CODE_BYTES 1020

/* Unwind data of one function: a decoded .xdata record or an expanded packed .pdata word. */
struct unwind_arm64_info {
    uint8_t flag;             /* .pdata Flag: 0 .xdata, 1 packed, 2 packed fragment */
    uint32_t function_length; /* bytes */
    bool has_handler;         /* X: exception handler RVA and data follow the codes */
    bool single_epilog;       /* E: one epilog, at the function's end, codes at epilog_index */
    uint16_t epilog_index;    /* E set: byte index of the epilog's first code */
    uint32_t nscopes;         /* E clear: epilog scope words at scopes_rva */
    uint32_t scopes_rva;
    uint32_t handler_rva; /* X set: the exception handler */
    uint32_t ncodes;      /* bytes in codes[] */
    uint8_t codes[UNWIND_ARM64_MAX_CODE_BYTES];
};

/*
 * Decodes the unwind code at byte AT of CODES (LEN bytes) into ret; false (ret untouched) when AT
 * is past the end, the code is cut short, or its encoding is reserved without a defined length.
 */
bool unwind_arm64_code_decode(const uint8_t *codes, size_t len, size_t at,
                              struct unwind_arm64_code *ret);

/*
 * Writes the instruction CODE stands for into BUF (LEN bytes, NUL-terminated): the prolog form
 * ("stp x19, x20, [sp, #-32]!", "sub sp, #16") or, with EPILOG, the epilog form ("ldp x19, x20,
 * [sp], #32", "add sp, #16"); special codes by name ("end", "save_next", "trap frame").
 */
void unwind_arm64_code_format(const struct unwind_arm64_code *code, bool epilog, char *buf,
                              size_t len);

/*
 * Expands the packed second .pdata word WORD (Flag 1 or 2) into the codes of the canonical prolog
 * it describes, followed by those of its epilog (Flag 1; single_epilog set), and sets ret. False
 * for Flag 0 or 3.
 */
bool unwind_arm64_packed_expand(uint32_t word, struct unwind_arm64_info *ret);

/*
 * Reads the unwind data named by the second .pdata word WORD of a function in the module at
 * BASE: expands packed data or reads the .xdata record (through env->read_image, else target
 * memory) and sets ret. False when the record is unreadable, of an unknown version or malformed.
 */
bool unwind_arm64_info_read(const struct unwind_env *env, uint64_t base, uint32_t word,
                            struct unwind_arm64_info *ret);

/* Reads epilog scope I of INFO: its start offset in bytes and its first code's index. */
bool unwind_arm64_info_scope(const struct unwind_env *env, uint64_t base,
                             const struct unwind_arm64_info *info, uint32_t i, uint32_t *ret_start,
                             uint16_t *ret_index);

/*
 * True when INSN (the instruction before a return address RA) is BL, BLR or one of the
 * pointer-authenticating BLRAA/BLRAB/BLRAAZ/BLRABZ. ENV (may be NULL) is used to check that a BL
 * target lies in a known module.
 */
bool unwind_arm64_call_precedes(const struct unwind_env *env, uint64_t ra, uint32_t insn);

/*
 * Removes pointer-authentication bits from a code address V (48-bit virtual addresses): bits 48-63
 * become copies of bit 55, as XPACI does.
 */
uint64_t unwind_arm64_strip_pac(uint64_t v);

#endif
