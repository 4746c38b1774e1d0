/*
 * Frames with their inlined calls, and the parameters and locals of one frame: what dv, kp/kP,
 * .frame and the proven-parameter stack (k /proven) share. cmd_frames.c expands a stack walk into
 * WinDbg's numbered frames (inline frames included), cmd_locals.c finds each variable's location
 * and value in a frame, cmd_value.c formats a value the way dv and kp print it.
 */
#ifndef DD_CMD_CMD_VARS_H
#define DD_CMD_CMD_VARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/writer.h"
#include "cmd/cmd_dt.h"
#include "cmd/session.h"
#include "pdb/tpi.h"
#include "unwind/unwind.h"

/* ---- frames (cmd_frames.c) ---- */

/* One frame as k numbers it: a physical frame of the walk, or an inlined call inside one. */
struct cmd_frame {
    size_t phys;           /* index into cmd_frames.walk.frames */
    bool is_inline;        /* an inlined call: no Child-SP or return address of its own */
    uint64_t lookup;       /* the address scopes are looked up at: ip, or ip-1 after a call */
    size_t module;         /* index into target->modules; SIZE_MAX when outside every module */
    char name[512];        /* inline frames: the inlinee's name; "" for physical frames */
    uint64_t inline_start; /* inline frames: start of the inline range holding lookup */
    uint32_t inlinee;      /* inline frames from a PDB: the site's inlinee id; 0 otherwise */
    uint32_t site_offset;  /* inline frames from a PDB: the S_INLINESITE record offset */
    char file[1024];       /* source position of this frame ("" when unknown) */
    uint32_t line;
    /* Physical frames: inlined calls active at the address past the 16 shown before it (the
     * deepest ones), reported by k and JSON (docs/limits.md); 0 otherwise. */
    uint32_t inline_omitted;
};

/* A stack walk and its frames, innermost first. */
struct cmd_frames {
    struct unwind_walk walk;
    struct cmd_frame *frames; /* owned */
    size_t count;
};

/*
 * Walks the stack commands use now (session_stack_walk) and expands it into ret: each physical
 * frame preceded by the inlined calls active at its address (PDB S_INLINESITE records or Breakpad
 * INLINE records), innermost first. At most MAX numbered frames; free with cmd_frames_deinit.
 */
struct dd_error *cmd_frames_collect(struct session *s, size_t max, struct cmd_frames *ret);
/* Like cmd_frames_collect over an existing WALK, which ret takes over (also on error). */
struct dd_error *cmd_frames_expand(struct session *s, struct unwind_walk *walk, size_t max,
                                   struct cmd_frames *ret);
/* Frees F's frames and walk; F may be zeroed. */
void cmd_frames_deinit(struct cmd_frames *f);
/* Writes frame F's call site ("mod!func+0x12", inline: "mod!inlinee+0x3") into BUF; with
 * PARAMS (may be NULL) written between the name and the offset, as kp does. */
void cmd_frame_site(struct session *s, const struct cmd_frames *fs, size_t idx, const char *params,
                    char *buf, size_t len);

/* ---- variables (cmd_locals.c) ---- */

#define CMD_VAR_MAX_BYTES 64 /* largest value read into a cmd_var (bigger ones: address only) */

/* Where a variable's value came from, for dv /V and the proven-parameter stack. */
enum cmd_var_source {
    CMD_VAR_SRC_NONE,     /* no value */
    CMD_VAR_SRC_CONTEXT,  /* a register of the starting context (frame 0, or preserved since) */
    CMD_VAR_SRC_SAVED,    /* a non-volatile register a callee saved on the stack (saved_at) */
    CMD_VAR_SRC_MEMORY,   /* a stack or static memory location */
    CMD_VAR_SRC_CONSTANT, /* S_CONSTANT: a value the compiler folded */
};

/* One parameter or local of a frame. */
struct cmd_var {
    const char *name;    /* valid while the module's PDB is loaded */
    uint32_t type_index; /* TPI */
    bool is_param;
    bool available;      /* value holds the variable's bytes */
    uint8_t value[CMD_VAR_MAX_BYTES];
    uint32_t size;       /* the type's size (0 unknown) */
    bool in_memory;      /* the location is an address (address valid) */
    uint64_t address;
    char where[48];      /* dv /V's location: "@rsp+0x0030", "@rbx", "" for statics */
    enum cmd_var_source source;
    uint64_t saved_at;   /* CMD_VAR_SRC_SAVED: where the register was saved */
    size_t saved_by;     /* CMD_VAR_SRC_SAVED: the frame that saved it (physical index) */
    char why[96];        /* when !available: why ("not live at the call site", ...) */
};

/* The variables of one frame: the module's types stay open until cmd_frame_vars_deinit. */
struct cmd_frame_vars {
    struct cmd_var *vars; /* parameters first (in declaration order), then locals */
    size_t count;
    struct pdb_types *types; /* the frame's module TPI, NULL without private symbols */
    const char *proc_name;   /* physical frames: the procedure; NULL when unknown */
    bool has_proc;           /* the frame's code has a PDB procedure record */
};

/*
 * Finds the parameters and locals of frame IDX of FS with their locations and values at the
 * frame's address into ret. A value is available only when a location record covers that
 * address and, for a register, the register is known in the frame. DD_ERR_NOT_FOUND when the
 * frame's module has no private symbols (no procedure record).
 */
struct dd_error *cmd_frame_vars_get(struct session *s, const struct cmd_frames *fs, size_t idx,
                                    struct cmd_frame_vars *ret);
/* Frees V's variables and types; V may be zeroed. */
void cmd_frame_vars_deinit(struct cmd_frame_vars *v);

/* ---- values (cmd_value.c) ---- */

/*
 * Writes the value of type INDEX held in BYTES (SIZE bytes, little-endian) to OUT as dv and kp
 * show it: "0n5" (signed), "0x11" (unsigned), "0x00000000`0012ff20 "text"" (char pointers with
 * their string read through MEM), "struct point" (aggregates), "red (0n0)" (enums).
 */
void cmd_value_format(struct pdb_types *types, uint32_t index, const uint8_t *bytes, size_t size,
                      const struct cmd_dt_memory *mem, struct dd_writer *out);
/* Appends the C name of type INDEX ("char *", "struct point *") to OUT; "<unknown>" on errors. */
void cmd_value_type_name(struct pdb_types *types, uint32_t index, struct dd_strbuf *out);

#endif
