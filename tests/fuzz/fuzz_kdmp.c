/*
 * libFuzzer target: open bytes as a kernel dump (PAGEDUMP / PAGEDU64), check the reader's read
 * contracts on physical and virtual reads at addresses taken from the input, and run the
 * commands that make sense on a kernel dump.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/writer.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "core/target.h"
#include "dump/dump.h"
#include "dump/kdmp/kdmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Throws output away, but stops a command that prints more than 1 MB. */
static void discard(void *ctx, const char *d, size_t n)
{
    size_t *total = ctx;
    *total += n;
    if (*total > (1u << 20))
        dd_interrupt_request();
}

/* A read's contract: at most N bytes, and a failure's address is the first missing byte. */
static void check_read(struct target *t, uint64_t addr, size_t n, bool phys)
{
    static uint8_t buf[3 * 4096];
    size_t got = (size_t)-1;
    struct dd_error *err =
        phys ? target_read_physical(t, addr, buf, n, &got) : target_read(t, addr, buf, n, &got);
    if (got > n)
        abort();
    if (err && err->code == DD_ERR_MEMORY && !err->is_static && err->address != addr + got)
        abort();
    if (!err && got != n)
        abort();
    dd_error_destroy(err);
}

static uint64_t le64_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct target *t = NULL;
    struct dd_error *err = dump_open_memory(data, size, "fuzz.dmp", &t);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    /* Addresses from the input's last 64 bytes, and the dump's own interesting ones. */
    if (size >= 64) {
        for (size_t i = 0; i < 8; i++) {
            uint64_t a = le64_at(data + size - 64 + 8 * i);
            check_read(t, a, (size_t)(a & 0x1fff) + 1, i & 1);
        }
    }
    check_read(t, t->kernel.directory_table_base, 4096, true);
    check_read(t, t->kernel.top_of_stack, 64, false);
    check_read(t, t->kernel.kd_debugger_data_block, 0x380, false);
    const struct kdmp_file *f = kdmp_file_of(t);
    if (f && f->nruns)
        check_read(t, f->runs[0].base_page << 12, 8192, true);

    size_t printed = 0;
    struct dd_writer out = {discard, &printed};
    struct session s;
    session_init(&s, t, &out, "fuzz.dmp");
    cmd_execute_line(&s, "vertarget; |; ||; ~; lm; lmv; lm k; lm u; lm a @$ip; r; .time; "
                         ".dumpdebug; dq @$csp L8; db @$ip; dps @$csp L8; da @$csp; "
                         "u @$ip; ub @$ip L4; k; kb; .bugcheck; !analyze -v; !analyze -json; "
                         "!vtop 0 @$ip; !pte @$ip; !dq 0 L8; !db 1000 L10; .cxr; "
                         "dt nt!_EPROCESS; s -b @$csp L100 41 42");
    session_deinit(&s);
    target_destroy(t);
    return 0;
}
