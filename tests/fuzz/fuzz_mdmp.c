/* libFuzzer target: open bytes as a minidump and run the first commands on it. */
#include <stddef.h>
#include <stdint.h>

#include "base/interrupt.h"
#include "base/writer.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "dump/dump.h"

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
    cmd_execute_line(&s, "vertarget; |; ||; ~; lmv; .exr -1; r; .ecxr; ~* r; dd @$csp; db @$ip; "
                         "dps @$csp L8; da @$csp; du @$csp; .time; .dumpdebug; lmf; "
                         "~1s; .cxr; dc @$csp L8; dqs @$csp L4; lm a @$ip; ~.; ~#; "
                         "? $peb; ? $exentry; ? poi(@$csp); .exr @$csp; .cxr @$csp; r; d; "
                         "u @$ip; ub @$ip L4; "
                         ".cxr; .effmach x86; k; r; !teb; !wow64exts.k; !wow64exts.info; "
                         ".effmach amd64; k; !teb; .effmach #; ~*k; "
                         "s -b 0 L?ffffffff 41 42; s -a 0 L?ffffffff \"A\"; !address; "
                         "!address -summary; !address 0; !vprot 0; !analyze -v; !analyze -json; "
                         "dt _PEB; dt -r2 -b -v ntdll!_TEB @$teb; dt *!*LIST*");
    session_deinit(&s);
    target_destroy(t);
    return 0;
}
