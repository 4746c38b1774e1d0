/* libFuzzer target: open bytes as a minidump and run the hang analysis and the lock commands
 * (src/analyze/hang*.c, pattern*.c, src/ext/ext_locks.c) on it. */
#include <stddef.h>
#include <stdint.h>

#include "base/interrupt.h"
#include "base/writer.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "dump/dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Throws output away; a command printing more than 1 MB is asked to stop. */
static void discard(void *ctx, const char *d, size_t n)
{
    (void)d;
    size_t *total = ctx;
    *total += n;
    if (*total > (1u << 20))
        dd_interrupt_request();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct target *t = NULL;
    struct dd_error *err = dump_open_memory(data, size, "fuzz.dmp", &t);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    size_t printed = 0;
    struct dd_writer out = {discard, &printed};
    struct session s;
    session_init(&s, t, &out, "fuzz.dmp");
    cmd_execute_line(&s, "!analyze -v -hang; !analyze -v; !cs -l -o -s; !cs @$csp; "
                         "!cs @$csp @$csp+0x200; !cs -d @$csp; !locks -v");
    session_deinit(&s);
    target_destroy(t);
    return 0;
}
