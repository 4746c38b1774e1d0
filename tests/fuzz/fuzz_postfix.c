/*
 * libFuzzer target: the postfix evaluator of frame programs (src/unwind/postfix.c) over a small
 * fuzzed stack. Input: [0] flags (bit 0: 8-byte values, bit 1: evaluate one expression instead of
 * running a program), [1] stack length N, then N stack bytes (at STACK_BASE), then the program
 * text. Registers and the Breakpad constants are preset to addresses around the stack.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unwind/postfix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STACK_BASE 0x1000u

struct fuzz_stack {
    const uint8_t *bytes;
    size_t len;
};

static size_t fs_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    const struct fuzz_stack *s = ctx;
    if (addr < STACK_BASE || addr - STACK_BASE >= s->len)
        return 0;
    size_t n = s->len - (size_t)(addr - STACK_BASE);
    if (n > len)
        n = len;
    memcpy(buf, s->bytes + (addr - STACK_BASE), n);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t flags = data[0];
    size_t n = data[1];
    if (n > size - 2)
        n = size - 2;
    struct fuzz_stack s = {data + 2, n};
    const char *text = (const char *)data + 2 + n;
    size_t text_len = size - 2 - n;

    static struct postfix_machine m; /* 3 KB: keep it off the stack */
    postfix_init(&m, (flags & 1) ? 8 : 4, fs_read, &s);
    static const char *const names[] = {
        "$esp",         "$ebp",      "$ebx",      "$eip",           ".cbLocals",
        ".cbSavedRegs", ".cbParams", ".raSearch", ".raSearchStart", ".cbCalleeParams",
        ".cfa"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct dd_error *err = postfix_define(&m, names[i], STACK_BASE + 4 * i);
        if (err)
            __builtin_trap();
    }
    struct dd_error *err;
    if (flags & 2) {
        struct postfix_value v;
        err = postfix_eval(&m, text, text_len, &v);
        if (!err && (flags & 1) == 0 && v.value > 0xffffffffu)
            __builtin_trap(); /* 4-byte values never exceed 32 bits */
    } else {
        err = postfix_run(&m, text, text_len);
    }
    if (err && err->code == DD_ERR_MEMORY && (flags & 1) == 0 && err->address > 0xffffffffu)
        __builtin_trap();
    dd_error_destroy(err);
    if (m.nvars > POSTFIX_MAX_VARS)
        __builtin_trap();
    for (size_t i = 0; i < m.nvars; i++)
        if (memchr(m.vars[i].name, '\0', POSTFIX_MAX_NAME) == NULL)
            __builtin_trap();
    return 0;
}
