/*
 * Thread and context commands in JSON mode: `r` (registers of the context commands use now),
 * `.exr -1` / `.exr ADDR` (an exception record), and the thread facts `~` lists
 * (json_thread_add; the `~` syntax itself is parsed by the dispatcher, json_cmd.c).
 */
#include <stdio.h>
#include <string.h>

#include "analyze/error_names.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/expr.h"
#include "cmd/json_cmd.h"
#include "disasm/disasm.h"
#include "sym/symbols.h"

void json_thread_add(struct session *s, struct json_doc *doc, cJSON *o, size_t idx)
{
    const struct target *t = s->target;
    const struct target_thread *th = &t->threads[idx];
    json_add_number(doc, o, "index", (double)idx);
    json_add_number(doc, o, "thread_id", th->tid);
    json_add_string(doc, o, "thread_name", th->name);
    json_add_bool(doc, o, "current", idx == s->cur_thread);
    json_add_bool(doc, o, "event", s->event_thread >= 0 && (size_t)s->event_thread == idx);
    json_add_number(doc, o, "suspend_count", th->suspend_count);
    json_add_number(doc, o, "priority_class", th->priority_class);
    json_add_number(doc, o, "priority", th->priority);
    json_add_addr(doc, o, "teb", th->teb);
    json_add_addr(doc, o, "stack_start", th->stack_start);
    json_add_u64(doc, o, "stack_size", th->stack_size);
    json_add_bool(doc, o, "has_context", th->context && th->context_size);
}

/* Hex digits of a WIDTH-bit register. */
static unsigned reg_digits(unsigned bits)
{
    return bits >= 64 ? 16 : (bits + 3) / 4;
}

/* A vector register (or a lane of one) as "0x" + its bytes, most significant first. */
static void add_vector(struct json_doc *doc, cJSON *o, const struct regset *rs,
                       const struct arch_reg *reg)
{
    unsigned bytes = reg->bits / 8, start = reg->shift / 8;
    bool valid = reg->slot < ARCH_MAX_VEC && bytes && start + bytes <= 32 &&
                 ((rs->vec_valid >> reg->slot) & 1) &&
                 (start + bytes <= 16 || ((rs->vec_upper_valid >> reg->slot) & 1));
    if (!valid) {
        json_add_null(doc, o, reg->name);
        return;
    }
    char buf[2 + 64 + 1] = "0x";
    for (unsigned i = 0; i < bytes; i++)
        snprintf(buf + 2 + 2 * i, 3, "%02x", rs->vec[reg->slot][start + bytes - 1 - i]);
    json_add_string(doc, o, reg->name, buf);
}

static void add_reg(struct json_doc *doc, cJSON *o, const struct regset *rs,
                    const struct arch_reg *reg)
{
    if (reg->kind == ARCH_REG_VEC) {
        add_vector(doc, o, rs, reg);
        return;
    }
    uint64_t v;
    if (regset_get(rs, reg, &v))
        json_add_hex(doc, o, reg->name, v, reg_digits(reg->bits));
    else
        json_add_null(doc, o, reg->name);
}

void json_regs_add(struct json_doc *doc, cJSON *o, const char *key, const struct regset *rs)
{
    cJSON *r = json_add_object(doc, o, key);
    const struct arch_ops *a = rs->arch;
    /* One name per slot: the widest unshifted register (rax, not eax or al). */
    short best[ARCH_MAX_REGS];
    for (size_t i = 0; i < ARCH_MAX_REGS; i++)
        best[i] = -1;
    for (size_t i = 0; i < a->nregs; i++) {
        const struct arch_reg *reg = &a->regs[i];
        if (reg->kind == ARCH_REG_VEC || reg->shift || reg->slot >= ARCH_MAX_REGS)
            continue;
        if (best[reg->slot] < 0 || a->regs[best[reg->slot]].bits < reg->bits)
            best[reg->slot] = (short)i;
    }
    for (size_t i = 0; i < a->nregs; i++) {
        const struct arch_reg *reg = &a->regs[i];
        uint64_t v;
        if (reg->kind != ARCH_REG_VEC && reg->slot < ARCH_MAX_REGS && best[reg->slot] == (short)i &&
            regset_get(rs, reg, &v))
            json_add_hex(doc, r, reg->name, v, reg_digits(reg->bits));
    }
}

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

/* The program counter's symbol and instruction, as `r` prints them under the registers. */
static void add_pc(struct session *s, struct json_doc *doc, cJSON *o, const struct regset *rs)
{
    uint64_t pc = regset_slot(rs, rs->arch->pc_slot);
    char sym[1200];
    json_add_string(doc, o, "pc_symbol", session_symbolize(s, pc, sym, sizeof(sym)) ? sym : NULL);
    char line[512];
    bool has_line = false;
    if (disasm_cpu_supported(rs->arch->cpu)) {
        struct disasm_ctx c = {rs->arch->cpu, s->target, symbolize_cb, s};
        struct disasm_insn in;
        if (!dd_error_drop(disasm_decode(&c, pc, &in))) {
            disasm_line_format_ea(&c, &in, rs, line, sizeof(line));
            has_line = true;
        }
    }
    json_add_string(doc, o, "instruction", has_line ? line : NULL);
}

/* r [NAME[, NAME...]]: every register, or the ones named (sub-registers and vectors too). */
static struct dd_error *json_r(struct session *s, const struct cmd_args *a, struct json_doc *doc,
                               cJSON *o)
{
    if (!s->effmach)
        return dd_error_create(DD_ERR_UNSUPPORTED, "the dump's processor type is not supported");
    if (a->suffix[0])
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    struct regset rs;
    struct dd_error *err = session_regs(s, &rs);
    if (err)
        return err;
    json_add_string(doc, o, "context", s->ctx_source == SESSION_CTX_THREAD ? "thread" : "override");
    json_add_number(doc, o, "thread_index", (double)s->cur_thread);
    json_add_string(doc, o, "machine", rs.arch->name);
    if (!a->rest[0]) {
        json_regs_add(doc, o, "registers", &rs);
        add_pc(s, doc, o, &rs);
        return NULL;
    }
    cJSON *r = json_add_object(doc, o, "registers");
    char names[4096];
    snprintf(names, sizeof(names), "%s", a->rest);
    char *save = NULL;
    for (char *tok = strtok_r(names, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
        if (strchr(tok, '='))
            return dd_error_create(DD_ERR_UNSUPPORTED,
                                   "changing registers is not supported in a dump ('%s')", tok);
        const struct arch_reg *reg = arch_reg_find(rs.arch, tok);
        if (!reg && (dd_strcasecmp(tok, "eflags") == 0 || dd_strcasecmp(tok, "@eflags") == 0))
            reg = arch_reg_find(rs.arch, "efl");
        if (!reg)
            return dd_error_create(DD_ERR_SYNTAX, "Bad register error in '%s'", a->line);
        add_reg(doc, r, &rs, reg);
    }
    return NULL;
}

/* Decodes an EXCEPTION_RECORD32 (0x50 bytes) or EXCEPTION_RECORD64 (0x98 bytes, winnt.h). */
static struct dd_error *read_record(struct session *s, uint64_t addr, struct target_exception *ret)
{
    unsigned ps = session_ptr_size(s);
    uint8_t buf[0x98];
    size_t size = ps == 8 ? 0x98 : 0x50;
    struct dd_error *err = target_read_exact(s->target, addr, buf, size);
    if (err)
        return err;
    struct target_exception e;
    memset(&e, 0, sizeof(e));
    e.code = dd_le32(buf);
    e.flags = dd_le32(buf + 4);
    size_t params = ps == 8 ? 32 : 20;
    e.record = ps == 8 ? dd_le64(buf + 8) : dd_le32(buf + 8);
    e.address = ps == 8 ? dd_le64(buf + 16) : dd_le32(buf + 12);
    e.num_params = dd_le32(buf + (ps == 8 ? 24 : 16));
    for (unsigned i = 0; i < TARGET_EXCEPTION_MAX_PARAMS; i++)
        e.params[i] = ps == 8 ? dd_le64(buf + params + 8 * i) : dd_le32(buf + params + 4 * i);
    *ret = e;
    return NULL;
}

static void add_exception(struct session *s, struct json_doc *doc, cJSON *o,
                          const struct target_exception *e)
{
    unsigned ps = session_ptr_size(s);
    uint64_t mask = ps == 8 ? UINT64_MAX : UINT32_MAX;
    json_add_addr(doc, o, "address", e->address & mask);
    char sym[1200];
    json_add_string(doc, o, "symbol",
                    session_symbolize(s, e->address & mask, sym, sizeof(sym)) ? sym : NULL);
    json_add_hex(doc, o, "code", e->code, 8);
    json_add_string(doc, o, "name", ntstatus_name(e->code));
    json_add_string(doc, o, "text", ntstatus_text(e->code));
    json_add_hex(doc, o, "flags", e->flags, 8);
    json_add_addr(doc, o, "record", e->record & mask);
    json_add_number(doc, o, "num_params", e->num_params);
    unsigned n =
        e->num_params < TARGET_EXCEPTION_MAX_PARAMS ? e->num_params : TARGET_EXCEPTION_MAX_PARAMS;
    cJSON *params = json_add_array(doc, o, "parameters");
    for (unsigned i = 0; i < n; i++)
        json_add_addr(doc, params, NULL, e->params[i] & mask);
    /* ExceptionInformation[0]: 0 read, 1 write, 8 execute; [1] the address (winnt.h). */
    if ((e->code == 0xc0000005u || e->code == 0xc0000006u) && n >= 2) {
        uint64_t kind = e->params[0] & mask;
        json_add_string(doc, o, "access",
                        kind == 1   ? "write"
                        : kind == 8 ? "execute"
                        : kind == 0 ? "read"
                                    : NULL);
        json_add_addr(doc, o, "data_address", e->params[1] & mask);
    } else {
        json_add_null(doc, o, "access");
        json_add_null(doc, o, "data_address");
    }
    /* STATUS_STACK_BUFFER_OVERRUN carries the __fastfail code in ExceptionInformation[0]. */
    if (e->code == 0xc0000409u && n >= 1) {
        cJSON *ff = json_add_object(doc, o, "fast_fail");
        json_add_u64(doc, ff, "code", e->params[0] & mask);
        json_add_string(doc, ff, "name", fastfail_name(e->params[0] & mask));
    } else {
        json_add_null(doc, o, "fast_fail");
    }
}

/* .exr -1 | .exr ADDR */
static struct dd_error *json_exr(struct session *s, const struct cmd_args *a, struct json_doc *doc,
                                 cJSON *o)
{
    if (!a->rest[0])
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '.exr'");
    struct target_exception e;
    if (strcmp(a->rest, "-1") == 0) {
        if (!s->target->has_exception)
            return dd_error_create(DD_ERR_NOT_FOUND, "Last event was not an exception");
        e = s->target->exception;
        json_add_number(doc, o, "thread_id", e.thread_id);
        long idx = target_thread_by_tid(s->target, e.thread_id);
        if (idx >= 0)
            json_add_number(doc, o, "thread_index", (double)idx);
        else
            json_add_null(doc, o, "thread_index");
    } else {
        uint64_t addr;
        struct dd_error *err = expr_eval(s, a->rest, &addr);
        if (!err)
            err = read_record(s, addr, &e);
        if (err)
            return err;
        json_add_addr(doc, o, "record_address", addr);
    }
    add_exception(s, doc, json_add_object(doc, o, "exception"), &e);
    return NULL;
}

const struct json_cmd_def json_table_thread[] = {
    {"r", json_r, 0},
    {".exr", json_exr, 0},
    {NULL, NULL, 0},
};
