/*
 * libFuzzer target: the command-line and MASM expression parsers. The input is one line of text
 * evaluated as an expression and then given to a fixed set of commands that parse expressions,
 * ranges and patterns, on a small synthetic x64 target (one thread, one module, 64 KB of memory).
 * Separators are blanked so the input cannot reach commands that touch files or the network.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/writer.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "cmd/session.h"
#include "core/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Throws output away, but asks a command that prints more than 1 MB to stop (fuzz time is for
 * parsing, not for printing 256 MB of "????????"). */
static void discard(void *ctx, const char *d, size_t n)
{
    size_t *total = ctx;
    *total += n;
    if (*total > (1u << 20))
        dd_interrupt_request();
}

static struct dd_error *fake_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops fake_ops = {.read_virtual = fake_read};

#define FAKE_MEM_BASE 0x10000u
#define FAKE_CONTEXT_SIZE 0x4d0 /* x64 CONTEXT */

static uint8_t fake_mem[0x10000];
static uint8_t fake_context[FAKE_CONTEXT_SIZE];

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Builds the target once: memory full of small pointers and text, rsp/rip inside it. */
static struct target *fake_target(void)
{
    static struct target t;
    static struct target_thread thread;
    static struct target_module module;
    static int ready;
    if (ready)
        return &t;
    for (size_t i = 0; i < sizeof(fake_mem); i += 8)
        put64(fake_mem + i, FAKE_MEM_BASE + ((i * 40503u) & 0xfff8u));
    memcpy(fake_mem + 0x100, "hello, fuzz\0w\0i\0d\0e\0\0", 22);
    put64(fake_context + 0x30, 0x10001f); /* ContextFlags: CONTEXT_AMD64 | FULL */
    put64(fake_context + 0x98, FAKE_MEM_BASE + 0x8000); /* Rsp */
    put64(fake_context + 0xf8, FAKE_MEM_BASE + 0x200);  /* Rip */
    t.ops = &fake_ops;
    t.sys.cpu = DD_CPU_X64;
    t.kind = TARGET_USER_MINI;
    dd_memmap_init(&t.memory);
    if (dd_memmap_add(&t.memory, FAKE_MEM_BASE, sizeof(fake_mem), fake_mem) ||
        dd_memmap_finish(&t.memory))
        abort();
    thread = (struct target_thread){.tid = 0x1234, .teb = FAKE_MEM_BASE + 0x1000,
                                    .context = fake_context, .context_size = FAKE_CONTEXT_SIZE};
    module = (struct target_module){.base = FAKE_MEM_BASE, .size = sizeof(fake_mem),
                                    .path = "C:\\fuzz\\fuzz.exe", .name = "fuzz"};
    t.threads = &thread;
    t.nthreads = 1;
    t.modules = &module;
    t.nmodules = 1;
    ready = 1;
    return &t;
}

static const char *const commands[] = {"? ", ".formats ", "dd ", "db ", "dps ", "da ", "du ",
                                       "u ", "ub ", "s -b ", "s -a ", "r ", "k = ", "ln ", "~",
                                       "?? ", "dpa ", "dpu "};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    char text[600];
    for (size_t i = 0; i < size; i++) {
        char c = (char)data[i];
        text[i] = (c == ';' || c == '\n' || c == '\r' || c == '\0') ? ' ' : c;
    }
    text[size] = '\0';

    size_t printed = 0;
    struct dd_writer out = {discard, &printed};
    struct session s;
    session_init(&s, fake_target(), &out, "fuzz.dmp");
    uint64_t value;
    dd_error_destroy(expr_eval(&s, text, &value));
    char line[700];
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        snprintf(line, sizeof(line), "%s%s", commands[i], text);
        printed = 0;
        cmd_execute_line(&s, line);
    }
    session_deinit(&s);
    return 0;
}
