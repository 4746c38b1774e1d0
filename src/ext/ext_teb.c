/*
 * !teb [ADDR]: the thread environment block, in the layout of current WinDbg transcripts (the
 * "!teb" examples of the debugger documentation's "Debugging a Stack Overflow" page, cdb
 * transcripts quoted in BugId's cThreadEnvironmentBlock parser):
 *     TEB at 000000c64b95d000
 *         ExceptionList:        0000000000000000
 *         ...
 *         ClientId:             0000000000003bbc . 0000000000004ba0
 *         LastErrorValue:       0           (decimal: "LastErrorValue:       126")
 *         LastStatusValue:      c0000034    (hex)
 * For a WoW64 thread both TEBs are shown, the 32-bit one first, as in the "0:000:x86> !teb"
 * transcripts: "Wow64 TEB32 at 00dc2000" ... "Wow64 TEB at 00dc0000" .... Values are as wide as
 * the effective machine's pointers. A TEB whose bytes are not in the dump prints WinDbg's
 * "error InitTypeRead( TEB )..." (TEB32 for the WoW64 one; BugId's parser names both lines).
 *
 * Offsets: NT_TIB and the TEB prefix (winternl.h / the _TEB and _TEB64 symbol listings):
 *     field              TEB32   TEB64
 *     NtTib (7 ptrs)     0x000   0x000
 *     EnvironmentPointer 0x01c   0x038
 *     ClientId           0x020   0x040
 *     ActiveRpcHandle    0x028   0x050
 *     ThreadLocalStoragePointer 0x02c 0x058
 *     ProcessEnvironmentBlock   0x030 0x060
 *     LastErrorValue     0x034   0x068
 *     CountOfOwnedCriticalSections 0x038 0x06c
 *     LastStatusValue    0xbf4   0x1250
 *     HardErrorMode      0xf28   0x16b0
 * These have not moved since Windows Vista (fields are only ever appended to the TEB).
 */
#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "cmd/expr.h"
#include "ext/ext.h"
#include "nt/wow64.h"

struct teb_layout {
    unsigned ptr; /* pointer size of the TEB's own code: 4 or 8 */
    uint32_t last_status, hard_error_mode;
};

static const struct teb_layout teb32_layout = {4, 0xbf4, 0xf28};
static const struct teb_layout teb64_layout = {8, 0x1250, 0x16b0};

/* The bytes !teb shows: from the start through HardErrorMode. */
#define TEB_SHOWN_MAX (0x16b0 + 4)

static uint64_t ptr_at(const uint8_t *b, const struct teb_layout *l, unsigned index)
{
    return l->ptr == 8 ? dd_le64(b + 8 * index) : dd_le32(b + 4 * index);
}

/* Prints one TEB block: HEADER ADDR, then its fields or WinDbg's InitTypeRead error. */
static void print_teb(struct session *s, const char *header, const char *type, uint64_t addr,
                      const struct teb_layout *l)
{
    struct dd_writer *o = s->out;
    int w = (int)session_ptr_size(s) * 2;
    dd_printf(o, "%s %0*llx\n", header, w, (unsigned long long)addr);
    uint8_t b[TEB_SHOWN_MAX];
    size_t n = l->hard_error_mode + 4;
    struct dd_error *err = target_read_exact(s->target, addr, b, n);
    if (err) {
        dd_error_destroy(err);
        dd_printf(o, "error InitTypeRead( %s )...\n", type);
        return;
    }
    static const char *const tib[] = {
        "ExceptionList:",        "StackBase:", "StackLimit:",        "SubSystemTib:", "FiberData:",
        "ArbitraryUserPointer:", "Self:",      "EnvironmentPointer:"};
    for (unsigned i = 0; i < 8; i++)
        dd_printf(o, "    %-22s%0*llx\n", tib[i], w, (unsigned long long)ptr_at(b, l, i));
    dd_printf(o, "    %-22s%0*llx . %0*llx\n", "ClientId:", w, (unsigned long long)ptr_at(b, l, 8),
              w, (unsigned long long)ptr_at(b, l, 9));
    dd_printf(o, "    %-22s%0*llx\n", "RpcHandle:", w, (unsigned long long)ptr_at(b, l, 10));
    dd_printf(o, "    %-22s%0*llx\n", "Tls Storage:", w, (unsigned long long)ptr_at(b, l, 11));
    dd_printf(o, "    %-22s%0*llx\n", "PEB Address:", w, (unsigned long long)ptr_at(b, l, 12));
    /* LastErrorValue and CountOfOwnedCriticalSections follow the 13 pointers. */
    size_t after = 13 * (size_t)l->ptr;
    dd_printf(o, "    %-22s%u\n", "LastErrorValue:", dd_le32(b + after));
    dd_printf(o, "    %-22s%x\n", "LastStatusValue:", dd_le32(b + l->last_status));
    dd_printf(o, "    %-22s%u\n", "Count Owned Locks:", dd_le32(b + after + 4));
    dd_printf(o, "    %-22s%u\n", "HardErrorMode:", dd_le32(b + l->hard_error_mode));
}

static struct dd_error *ext_teb(struct session *s, const struct cmd_args *a)
{
    unsigned ps = session_ptr_size(s);
    if (*a->rest) {
        /* An explicit address is a TEB of the effective machine's kind. */
        uint64_t addr;
        struct dd_error *err = expr_eval(s, a->rest, &addr);
        if (err)
            return err;
        print_teb(s, "TEB at", "TEB", addr, ps == 8 ? &teb64_layout : &teb32_layout);
        return NULL;
    }
    const struct target *t = s->target;
    if (s->cur_thread >= t->nthreads)
        return dd_error_create(DD_ERR_NOT_FOUND, "No current thread");
    uint64_t teb = t->threads[s->cur_thread].teb;
    if (!teb)
        return dd_error_create(DD_ERR_NOT_FOUND, "The dump records no TEB for this thread");
    if (session_is_wow64(s)) {
        uint64_t teb32;
        struct dd_error *err = wow64_teb32(s->target, teb, &teb32);
        if (!err)
            print_teb(s, "Wow64 TEB32 at", "TEB32", teb32, &teb32_layout);
        dd_error_destroy(err);
        print_teb(s, "Wow64 TEB at", "TEB", teb, &teb64_layout);
        return NULL;
    }
    print_teb(s, "TEB at", "TEB", teb, target_ptr_size(t) == 8 ? &teb64_layout : &teb32_layout);
    return NULL;
}

const struct cmd_def ext_table_teb[] = {
    {"!teb", ext_teb, 0, "!teb [ADDR] - show the thread environment block (both TEBs under WoW64)"},
    {NULL, NULL, 0, NULL},
};
