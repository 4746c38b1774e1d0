/*
 * The ARM (Thumb-2, 32-bit Windows on ARM) unwind cascade (Microsoft "ARM Exception Handling"): a
 * function's .pdata packed unwind data or .xdata unwind codes (epilog scopes with their condition,
 * fragments, partly run prologs and epilogs, machine frames and saved contexts), leaf functions
 * (the return address in lr), the r11 frame chain, then a stack scan that accepts only return
 * addresses that follow a BL/BLX in a known module.
 *
 * Register slots follow enum arm_slot (arch/arm/arm_regs.h): r0-r12, sp, lr, pc, cpsr, fpscr.
 * Vector slots 0-15 hold q0-q15 (q<i> = d<2i> low, d<2i+1> high); d8-d15 (q4-q7) survive calls.
 * After the first frame r0-r3, r12, lr, cpsr and q0-q3, q8-q15 are unknown. Addresses are 32-bit;
 * pc values never carry the Thumb bit. unwind_env.find_function must return the function start
 * RVA without the Thumb bit and the raw second .pdata word in ret_unwind_rva (packed unwind data
 * when its low 2 bits are 1 or 2, else the .xdata RVA).
 */
#ifndef DD_UNWIND_ARM_ARM_UNWIND_H
#define DD_UNWIND_ARM_ARM_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind/unwind.h"

/* The ARM cascade for unwind_walk_run. */
extern const struct unwind_arch unwind_arch_arm;

/* Walks an ARM stack from START (see unwind_walk_run); OPTS may be NULL. */
struct dd_error *unwind_arm_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                 const struct unwind_options *opts, struct unwind_walk *ret);

/* Unwind code operations ("ARM Exception Handling", Unwind Codes table). */
enum unwind_arm_op {
    UNWIND_ARM_ALLOC,    /* 00-7F, E8-EB, F7-FA: add sp, sp, #offset */
    UNWIND_ARM_POP,      /* 80-BF, D0-DF, EC-ED: pop {mask} (bit 14 = lr) */
    UNWIND_ARM_MOV_SP,   /* C0-CF: mov sp, r<reg> */
    UNWIND_ARM_VPOP,     /* E0-E7, F5, F6: vpop {d<dfirst>-d<dlast>} */
    UNWIND_ARM_LDR_LR,   /* EF 00-0F: ldr lr, [sp], #offset */
    UNWIND_ARM_MSFT,     /* EE 00-0F: Microsoft-specific (reg: 1 machine frame, 2 context) */
    UNWIND_ARM_NOP,      /* FB (16-bit), FC (32-bit) */
    UNWIND_ARM_END,      /* FF; FD / FE: end, the epilog one 16/32-bit instruction longer */
};

/* One decoded unwind code. */
struct unwind_arm_code {
    uint8_t op;        /* enum unwind_arm_op */
    uint8_t size;      /* bytes in the code stream (1-4) */
    uint8_t insn_size; /* bytes of the prolog/epilog instruction it stands for (0, 2 or 4) */
    uint8_t end_extra; /* END: bytes of the epilog's final instruction (FD 2, FE 4, FF 0) */
    uint16_t mask;     /* POP: r0-r12 in bits 0-12, lr in bit 14 */
    bool wide;         /* POP: the 32-bit form (80-BF, D8-DF) */
    uint8_t reg;       /* MOV_SP: the register; MSFT: the type byte */
    uint8_t dfirst, dlast; /* VPOP */
    uint32_t offset;   /* ALLOC: bytes; LDR_LR: post-increment bytes */
    uint8_t bytes[4];  /* the code as stored */
};

/* The largest unwind code array: 255 extended code words of 4 bytes. */
#define UNWIND_ARM_MAX_CODE_BYTES 1020

/* Unwind data of one function: a decoded .xdata record or an expanded packed .pdata word. */
struct unwind_arm_info {
    uint8_t flag;             /* .pdata Flag: 0 .xdata, 1 packed, 2 packed fragment */
    uint32_t function_length; /* bytes */
    bool fragment;            /* F (or Flag 2): no prolog; every unwind outside an epilog is full */
    bool has_handler;         /* X: exception handler RVA and data follow the codes */
    bool single_epilog;       /* E: one epilog, at the function's end, codes at epilog_index */
    bool no_epilog;           /* packed Ret 3: the function has no epilog */
    uint16_t epilog_index;    /* E set: byte index of the epilog's first code */
    uint32_t nscopes;         /* E clear: epilog scope words at scopes_rva */
    uint32_t scopes_rva;
    uint32_t handler_rva; /* X set: the exception handler */
    uint32_t ncodes;      /* bytes in codes[] */
    uint8_t codes[UNWIND_ARM_MAX_CODE_BYTES];
};

/* One epilog scope word of an .xdata record. */
struct unwind_arm_scope {
    uint32_t start;    /* bytes from the function start */
    uint8_t condition; /* ARM condition code: 0xE always */
    uint8_t index;     /* byte index of its first unwind code */
};

/*
 * Decodes the unwind code at byte AT of CODES (LEN bytes) into ret; false (ret untouched) when AT
 * is past the end, the code is cut short or its encoding is one the document leaves "Available".
 */
bool unwind_arm_code_decode(const uint8_t *codes, size_t len, size_t at,
                            struct unwind_arm_code *ret);

/*
 * Writes the instruction CODE stands for into BUF (LEN bytes, NUL-terminated), spelled as
 * llvm-readobj's ARM decoder does: the prolog form ("push.w {r4-r11, lr}", "sub sp, #(4 * 4)",
 * "mov r7, sp") or, with EPILOG, the epilog form ("pop.w {r4-r11, pc}", "add sp, #(4 * 4)").
 */
void unwind_arm_code_format(const struct unwind_arm_code *code, bool epilog, char *buf,
                            size_t len);

/*
 * Expands the packed second .pdata word WORD (Flag 1 or 2) into the codes of the canonical prolog
 * it describes, followed (unless Ret is 3) by those of its epilog (single_epilog set), and sets
 * ret. False for Flag 0 or 3.
 */
bool unwind_arm_packed_expand(uint32_t word, struct unwind_arm_info *ret);

/*
 * Reads the unwind data named by the second .pdata word WORD of a function in the module at BASE:
 * expands packed data or reads the .xdata record (through env->read_image, else target memory)
 * and sets ret. False when the record is unreadable, of an unknown version or malformed.
 */
bool unwind_arm_info_read(const struct unwind_env *env, uint64_t base, uint32_t word,
                          struct unwind_arm_info *ret);

/* Reads epilog scope I of INFO into ret; false when it cannot be read. */
bool unwind_arm_info_scope(const struct unwind_env *env, uint64_t base,
                           const struct unwind_arm_info *info, uint32_t i,
                           struct unwind_arm_scope *ret);

/*
 * Bytes of prolog (EPILOG false) or epilog (true) instructions the codes of INFO describe from
 * byte START up to the end code (an epilog counts its final bx/b of FD/FE).
 */
uint32_t unwind_arm_sequence_size(const struct unwind_arm_info *info, uint32_t start, bool epilog);

/*
 * True when the code before the Thumb return address RA (bit 0 clear) is a call: PREV4 holds the
 * 4 bytes at RA-4, a BL or BLX (immediate) there, or a BLX register in the 2 bytes at RA-2. ENV
 * (may be NULL) is used to check that a BL target lies in a known module.
 */
bool unwind_arm_call_precedes(const struct unwind_env *env, uint32_t ra, const uint8_t prev4[4]);

#endif
