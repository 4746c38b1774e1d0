/* The debugger state a person changes: current thread, context, radix, last address. */
#ifndef DD_CMD_SESSION_H
#define DD_CMD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/arena.h"
#include "base/writer.h"
#include "core/target.h"
#include "sym/symbols.h"

enum session_ctx_source {
    SESSION_CTX_THREAD, /* the current thread's own context */
    SESSION_CTX_OVERRIDE, /* set by .cxr ADDR or .ecxr */
};

struct session {
    struct target *target;
    struct dd_writer *out;
    const char *dump_path;

    size_t cur_thread;   /* index into target->threads */
    long event_thread;   /* index of the thread of the last event, -1 when none */
    const struct arch_ops *arch;    /* the target's native CPU; NULL when unsupported */
    const struct arch_ops *effmach; /* effective machine (== arch until .effmach changes it) */
    unsigned radix;      /* 16 by default; `n 10` changes it */

    size_t cur_frame;    /* the frame .frame selected (0: the context's own) */
    enum session_ctx_source ctx_source;
    struct regset ctx;   /* valid when ctx_source == SESSION_CTX_OVERRIDE */

    /* Where the next bare d* command continues, and which one it repeats. */
    uint64_t next_dump_addr;
    char last_dump_cmd[8];

    /* Where a bare `u` continues: after the last instruction shown (valid when has_next_disasm). */
    bool has_next_disasm;
    uint64_t next_disasm_addr;

    struct symbols *syms; /* NULL when it could not be created (no memory) */
    uint32_t symopt;      /* .symopt bits; cdb's default 0x30237 */

    bool quit;
    uint8_t json; /* JSON mode (cmd/json_cmd.h JSON_MODE_*): 0 text, else a document per command */
    struct dd_arena scratch; /* per-command scratch, reset after each command */
    /*
     * Kernel targets: the implicit process and thread that .process and .thread chose (0: the
     * defaults, the current processor's thread and its process), see ext/ext_kcontext.c.
     * process_dtb is the DirectoryTableBase virtual addresses are translated through (0: the
     * dump header's).
     */
    uint64_t implicit_process;
    uint64_t implicit_thread;
    uint64_t process_dtb;
    /* State an extension keeps between commands (the kernel's type sources, see ext_kernel.c),
     * freed by session_deinit through ext_state_destroy. */
    void *ext_state;
    void (*ext_state_destroy)(void *state);
};

/* Initializes S over target T (not owned), writing to OUT. */
void session_init(struct session *s, struct target *t, struct dd_writer *out, const char *path);
void session_deinit(struct session *s);
/* Frees what extensions keep between commands (ext_state); they rebuild it when next used. */
void session_ext_state_drop(struct session *s);

/*
 * Sets ret to the register context commands should use now: the .cxr/.ecxr
 * override, else the current thread's (its x86 context when the effective machine
 * is x86 on a WoW64 target). Errors when the thread has no such context.
 */
struct dd_error *session_regs(struct session *s, struct regset *ret);
/* True when the target is an x64 dump of a 32-bit (WoW64) process (nt/wow64.h). */
bool session_is_wow64(const struct session *s);
/*
 * Sets ret to thread IDX's x86 registers on a WoW64 target: from its WOW64 CPU area, or
 * its own context when it was running 32-bit code. Errors say what the dump lacks.
 */
struct dd_error *session_wow64_regs(struct session *s, size_t idx, struct regset *ret);
/* Decodes thread IDX's own context into ret. */
struct dd_error *session_thread_regs(struct session *s, size_t idx, struct regset *ret);
/* Switches to thread IDX and drops any .cxr override. */
void session_set_thread(struct session *s, size_t idx);
/* Pointer size of the effective machine (4 or 8). */
unsigned session_ptr_size(const struct session *s);
/* The prompt, e.g. "0:000> " or "0:000:x86> ", into BUF. */
const char *session_prompt(const struct session *s, char *buf, size_t len);
/* Formats ADDR for the effective machine ("0012fe84" or "00000000`0012fe84"). */
const char *session_fmt_addr(const struct session *s, char buf[18], uint64_t addr);
/*
 * Formats ADDR as WinDbg does: "module!symbol+0xoff", "module!symbol" at its start, or
 * "module+0xoff" without symbols, into BUF; returns false (BUF empty) when ADDR is in no module.
 */
bool session_symbolize(struct session *s, uint64_t addr, char *buf, size_t len);
struct unwind_walk;
/*
 * Walks the stack of the context commands use now (.cxr/.ecxr, else the current thread) with the
 * effective machine's unwinder into ret (at most MAX frames; free with unwind_walk_deinit). CPUs
 * without an unwinder yet give the context as the only frame (stop UNWIND_STOP_NO_CALLER).
 */
struct dd_error *session_stack_walk(struct session *s, size_t max, struct unwind_walk *ret);
/* Prints an error the way WinDbg reports it, through s->out. */
void session_report_error(struct session *s, const struct dd_error *err);

#endif
