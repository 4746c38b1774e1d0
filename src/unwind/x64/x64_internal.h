/* Shared by the x64 unwinder's files; not part of the public API. */
#ifndef DD_UNWIND_X64_X64_INTERNAL_H
#define DD_UNWIND_X64_X64_INTERNAL_H

#include "arch/x64/x64_regs.h"
#include "unwind/x64/x64_unwind.h"

/* Longest chain of UNW_FLAG_CHAININFO links followed (real images use one or two). */
#define X64_MAX_CHAIN 32
/* UNWIND_INFO: 4-byte header, up to 255 two-byte codes (+1 pad), then a RUNTIME_FUNCTION. */
#define X64_UNWIND_INFO_MAX (4 + 256 * 2 + 12)

/* UNWIND_INFO.Flags ("x64 exception handling", struct UNWIND_INFO). */
#define X64_UNW_FLAG_EHANDLER 0x1
#define X64_UNW_FLAG_UHANDLER 0x2
#define X64_UNW_FLAG_CHAININFO 0x4

/* UNWIND_CODE operations ("x64 exception handling", Unwind operation code). */
enum x64_uwop {
    X64_UWOP_PUSH_NONVOL = 0,     /* 1 slot: pop OpInfo register */
    X64_UWOP_ALLOC_LARGE = 1,     /* 2 slots (size/8) or 3 slots (size) by OpInfo 0/1 */
    X64_UWOP_ALLOC_SMALL = 2,     /* 1 slot: OpInfo*8+8 bytes */
    X64_UWOP_SET_FPREG = 3,       /* 1 slot: rsp = FrameRegister - FrameOffset*16 */
    X64_UWOP_SAVE_NONVOL = 4,     /* 2 slots: [frame + next*8] */
    X64_UWOP_SAVE_NONVOL_FAR = 5, /* 3 slots: [frame + 32-bit offset] */
    X64_UWOP_EPILOG = 6,          /* v2 epilog descriptor; v1: the old SAVE_XMM, 2 slots */
    X64_UWOP_SPARE_CODE = 7,      /* v1: the old SAVE_XMM_FAR, 3 slots; ignored */
    X64_UWOP_SAVE_XMM128 = 8,     /* 2 slots: [frame + next*16] */
    X64_UWOP_SAVE_XMM128_FAR = 9, /* 3 slots: [frame + 32-bit offset] */
    X64_UWOP_PUSH_MACHFRAME = 10, /* 1 slot: OpInfo 1 = an error code was pushed too */
};

enum x64_status {
    X64_OK,       /* done; the registers were updated */
    X64_FAULT,    /* stack memory could not be read (cpu.fault says where) */
    X64_BAD_INFO, /* unwind data malformed or unreadable, or a needed register unknown */
    X64_NO,       /* (epilog checks) not applicable: unwind by the prolog codes */
};

/* A decoded UNWIND_INFO. */
struct x64_unwind_info {
    uint8_t version, flags, prolog_size, ncodes;
    uint8_t frame_reg, frame_offset; /* offset already in 16-byte units, as stored */
    uint16_t slots[256];             /* UNWIND_CODE slots as little-endian 16-bit values */
    uint8_t first_code;              /* first prolog code (after v2 epilog descriptors) */
    /* Version 2 epilog descriptors: every epilog is epilog_size bytes long. */
    uint8_t epilog_size;
    bool epilog_at_end;           /* one epilog ends at the function's end */
    uint16_t epilog_offsets[128]; /* the others start this far before the function's end */
    uint8_t nepilogs;
    /* UNW_FLAG_CHAININFO: the parent RUNTIME_FUNCTION. */
    uint32_t chain_begin, chain_end, chain_unwind_rva;
};

/* The registers being unwound and where a read failed. */
struct x64_cpu {
    const struct unwind_env *env;
    struct unwind_regs regs;
    uint64_t fault;
};

static inline uint8_t x64_code_offset(uint16_t slot)
{
    return (uint8_t)slot;
}
static inline uint8_t x64_code_op(uint16_t slot)
{
    return (slot >> 8) & 0xf;
}
static inline uint8_t x64_code_info(uint16_t slot)
{
    return (uint8_t)(slot >> 12);
}

/* Reads image bytes at BASE+RVA (read_image, else target memory); returns bytes read. */
size_t x64_read_image(const struct unwind_env *env, uint64_t base, uint32_t rva, void *buf,
                      size_t len);
/* Reads code bytes at ADDR: from the containing module's image first, else memory. */
size_t x64_read_code(const struct unwind_env *env, uint64_t addr, void *buf, size_t len);
/* Reads 8 (or 16) stack bytes at ADDR; on failure sets cpu->fault and returns X64_FAULT. */
enum x64_status x64_read_u64(struct x64_cpu *cpu, uint64_t addr, uint64_t *ret);
enum x64_status x64_read_u128(struct x64_cpu *cpu, uint64_t addr, uint8_t ret[16]);

/* Reads and decodes the UNWIND_INFO at RVA of the module at BASE into ret. */
enum x64_status x64_unwind_info_read(const struct unwind_env *env, uint64_t base, uint32_t rva,
                                     struct x64_unwind_info *ret);
/* Resolves an indirect function entry (UnwindData bit 0) into begin/end/unwind RVA. */
enum x64_status x64_function_resolve(const struct unwind_env *env, uint64_t base, uint32_t *begin,
                                     uint32_t *end, uint32_t *unwind_rva);

/*
 * Unwinds one frame of the function (BEGIN, END, UNWIND_RVA) in the module at BASE with
 * the instruction pointer IP (EXACT: not a return address, so epilogs are possible).
 * Updates cpu->regs to the caller's rip/rsp/non-volatile registers and sets ret_flags
 * (UNWIND_FRAME_EPILOG / _PROLOG / _TRAP) on success.
 */
enum x64_status x64_unwind_by_info(struct x64_cpu *cpu, uint64_t base, uint32_t begin, uint32_t end,
                                   uint32_t unwind_rva, uint64_t ip, bool exact,
                                   uint32_t *ret_flags);

/*
 * When the instruction stream at IP is the rest of an epilog (add/lea rsp, pops, ret or a
 * tail jump out of [FN_BEGIN, FN_END)), simulates it and returns X64_OK; X64_NO when not.
 * FRAME_REG is the function's frame register (0: none), the only base `lea rsp` may use.
 */
enum x64_status x64_epilog_decode(struct x64_cpu *cpu, uint64_t fn_begin, uint64_t fn_end,
                                  uint8_t frame_reg, uint64_t ip);
/*
 * Version 2: IP lies REMAINING bytes before the end of a described epilog of INFO's
 * function; undoes the rest of it from the prolog codes alone (pops, ret). X64_NO when
 * nothing of the epilog has run yet.
 */
enum x64_status x64_epilog_from_codes(struct x64_cpu *cpu, const struct x64_unwind_info *info,
                                      uint64_t remaining);

/*
 * When CALLEE is KiUserExceptionDispatcher (a CONTEXT at its stack pointer, the
 * EXCEPTION_RECORD at +0x4f0), fills ret_caller with every register of that CONTEXT (the
 * interrupted code, exact ip) and returns true; false for any other frame.
 */
bool x64_dispatcher_caller(const struct unwind_env *env, const struct unwind_frame *callee,
                           struct unwind_frame *ret_caller);
/*
 * x64_scan, except that a dispatcher CONTEXT lying below the scan's return address (frames
 * without unwind data in between) wins: its registers become the caller's (found by scan).
 */
enum unwind_stop x64_dispatcher_scan(const struct unwind_env *env,
                                     const struct unwind_options *opts,
                                     const struct unwind_frame *callee,
                                     struct unwind_frame *ret_caller, uint64_t *ret_fault);

/*
 * Scans the stack from CALLEE's stack pointer for a value that is a return address
 * (in a module, after a call instruction); fills ret_caller (found by scan).
 */
enum unwind_stop x64_scan(const struct unwind_env *env, const struct unwind_options *opts,
                          const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                          uint64_t *ret_fault);
/* True when VALUE is in a module and follows a call; *ret_unverified when no code could be read. */
bool x64_is_return_address(const struct unwind_env *env, uint64_t value, bool *ret_unverified);

#endif
