/*
 * Disassembly of target memory in WinDbg's layout, independent of the CPU:
 * "ADDRESS BYTES MNEMONIC OPERANDS" with MASM-style operands ("44Dh",
 * "dword ptr [rsp+28h]"). x86 and x64 are decoded with Zydis (x86_disasm.c).
 */
#ifndef DD_DISASM_DISASM_H
#define DD_DISASM_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "arch/arch.h"
#include "core/target.h"

/* Longest x86 instruction (Intel SDM vol. 2, 2.3.11: "15 bytes"). */
#define DISASM_MAX_BYTES 15

/*
 * Resolves ADDR to "module+0xoff" text in BUF (LEN bytes); returns false when ADDR
 * is in no module. ARG is disasm_ctx.symbolize_arg.
 */
typedef bool (*disasm_symbolize_fn)(void *arg, uint64_t addr, char *buf, size_t len);

/* What a decode needs: the CPU, the memory to read and an optional symbolizer. */
struct disasm_ctx {
    enum dd_cpu cpu;
    struct target *target;
    disasm_symbolize_fn symbolize; /* NULL: addresses are shown without names */
    void *symbolize_arg;
};

/*
 * The memory operand an instruction reads or writes, as register names and numbers, so the
 * caller can compute its address from a register set (for the `r` line's "ds:...=value").
 */
struct disasm_mem_ref {
    bool present;       /* exactly one memory access with a known size */
    char segment[3];    /* "ds", "ss", "es", "cs", "fs", "gs" */
    char base[8];       /* register name or "" ("rip" for rip-relative) */
    char index[8];      /* register name or "" */
    unsigned scale;     /* 1, 2, 4, 8 */
    int64_t disp;
    unsigned addr_bits; /* 32 or 64: addresses wrap at this width */
    unsigned size;      /* bytes accessed */
};

/* How an instruction passes control on (for uf's flow graph). */
enum disasm_flow {
    DISASM_FLOW_NONE, /* falls through */
    DISASM_FLOW_JUMP, /* unconditional branch */
    DISASM_FLOW_COND, /* conditional branch: the target or the next instruction */
    DISASM_FLOW_CALL, /* returns to the next instruction */
    DISASM_FLOW_RET,  /* leaves the function */
};

/* One decoded instruction. */
struct disasm_insn {
    uint64_t addr;
    unsigned size;     /* bytes to advance: the instruction length, 1 when missing or invalid */
    bool missing;      /* the bytes at addr are not in the dump ("??" / "???") */
    bool invalid;      /* the bytes do not decode ("???") */
    uint8_t bytes[DISASM_MAX_BYTES];
    char text[288];    /* mnemonic padded to 8 columns and operands: "mov     eax,1" */
    struct disasm_mem_ref mem;
    enum disasm_flow flow;
    bool has_target;   /* a direct branch or call: target holds where it goes */
    uint64_t target;
};

/* True when instructions of CPU can be decoded (x86 and x64). */
bool disasm_cpu_supported(enum dd_cpu cpu);

/*
 * Decodes the instruction at ADDR into ret. Missing memory and undecodable bytes are
 * not errors: ret says so and advances by one byte, as WinDbg does. Errors only when
 * the CPU is not supported.
 */
struct dd_error *disasm_decode(const struct disasm_ctx *c, uint64_t addr, struct disasm_insn *ret);

/*
 * Writes INSN's whole line as `u` prints it, without a newline, into BUF (LEN bytes):
 * "00000001`40001569 c7000df0ad0b    mov     dword ptr [rax],0BADF00Dh". Returns BUF.
 */
char *disasm_line_format(const struct disasm_ctx *c, const struct disasm_insn *insn, char *buf,
                         size_t len);

/*
 * Computes INSN's memory operand address from RS into ret; false when the instruction has no
 * such operand or a register it uses is not valid in RS.
 */
bool disasm_effective_address(const struct disasm_insn *insn, const struct regset *rs,
                              uint64_t *ret);

/*
 * Writes the `r` line for INSN into BUF: the `u` line plus, when it accesses memory, the
 * effective address and the value there, right-aligned to 79 columns as WinDbg does:
 * "... mov al,byte ptr [edi]          ds:0023:00000000=??". Returns BUF.
 */
char *disasm_line_format_ea(const struct disasm_ctx *c, const struct disasm_insn *insn,
                            const struct regset *rs, char *buf, size_t len);

/*
 * Finds where to start decoding so that the last instructions end exactly at END
 * (for `ub`): tries every start up to COUNT*15 bytes back and keeps the longest
 * chain of valid instructions that lands on END. Sets ret to the start address of
 * the last COUNT instructions of that chain (END - COUNT when none lands on END).
 */
struct dd_error *disasm_find_back(const struct disasm_ctx *c, uint64_t end, unsigned count,
                                  uint64_t *ret);
/*
 * The same answer as disasm_find_back in time linear in COUNT (disasm_back.c): the bytes before
 * END are read once and the instruction at every candidate start is decoded once, its length
 * only; chains are then followed through a table. Other CPUs than x86/x64 use
 * disasm_find_back.
 */
struct dd_error *disasm_find_back_linear(const struct disasm_ctx *c, uint64_t end, unsigned count,
                                         uint64_t *ret);

#endif
