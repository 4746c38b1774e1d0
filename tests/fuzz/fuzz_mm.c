/*
 * libFuzzer target: the page-table walkers (src/mm) and the kernel memory extensions
 * (!vtop, !pte, !dq) over a small fake physical memory described by the input:
 *
 *   byte 0        paging mode (mod 5; FUZZ_MM_MODE=0..4 in the environment pins it)
 *   bytes 1-8     DTB (little endian); bytes 9-16 ARM64 TTBR1 (used when not zero)
 *   byte 17       page count (mod 9), then per page: 8-byte physical address (page-aligned
 *                 down) and a count byte of 10-byte patches (2-byte offset, 8-byte value), so
 *                 short inputs can build deep page tables
 *   the rest      8-byte VAs: each is walked, translated (twice: the cache must agree), and read
 *                 (length from its low bits, up to 3 pages, so reads cross page boundaries)
 * Invariants checked: at most 5 levels, translate agrees with walk, ret_read <= n, and a partial
 * read's error address is the first missing byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/writer.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "core/target.h"
#include "mm/mm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAGES 8

static struct {
    unsigned n;
    uint64_t pa[MAX_PAGES];
    uint8_t data[MAX_PAGES][4096];
} mem;

static struct dd_error *phys_read(void *ctx, uint64_t pa, void *buf, size_t n, size_t *ret_read)
{
    size_t done = 0;
    while (done < n) {
        uint64_t cur = pa + done;
        const uint8_t *page = NULL;
        for (unsigned i = 0; i < mem.n; i++)
            if (mem.pa[i] == (cur & ~0xfffULL))
                page = mem.data[i];
        if (!page) {
            *ret_read = done;
            return dd_error_memory(cur);
        }
        size_t chunk = 4096 - (size_t)(cur & 0xfff);
        if (chunk > n - done)
            chunk = n - done;
        memcpy((uint8_t *)buf + done, page + (cur & 0xfff), chunk);
        done += chunk;
    }
    *ret_read = done;
    return NULL;
}

static struct dd_error *target_phys(struct target *t, uint64_t addr, void *buf, size_t n,
                                    size_t *ret_read)
{
    return phys_read(NULL, addr, buf, n, ret_read);
}

static struct dd_error *target_virt(struct target *t, uint64_t addr, void *buf, size_t n,
                                    size_t *ret_read)
{
    *ret_read = 0;
    return dd_error_memory(addr);
}

static const struct target_ops ops = {.read_virtual = target_virt, .read_physical = target_phys};

static void discard(void *ctx, const char *d, size_t n)
{
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void check_va(struct mm_space *sp, uint64_t va)
{
    struct mm_walk w;
    mm_space_walk(sp, va, &w);
    if (w.nlevels > MM_WALK_MAX_LEVELS || w.present != (w.result == MM_WALK_PRESENT))
        abort();
    uint64_t pa1 = 0, pa2 = 0;
    struct dd_error *e1 = mm_space_translate(sp, va, &pa1);
    struct dd_error *e2 = mm_space_translate(sp, va, &pa2);
    if ((e1 == NULL) != w.present || (e2 == NULL) != w.present || (w.present && (pa1 != w.pa || pa2 != w.pa)))
        abort();
    if (e1 && e1->code != DD_ERR_MEMORY)
        abort();
    dd_error_destroy(e1);
    dd_error_destroy(e2);
    static uint8_t buf[3 * 4096];
    size_t n = (size_t)((va >> 3) % sizeof(buf));
    size_t got = 0;
    struct dd_error *err = mm_space_read(sp, va, buf, n, &got);
    if (got > n || (err == NULL) != (got == n))
        abort();
    if (err && !err->is_static && err->address != va + got)
        abort();
    dd_error_destroy(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 18 || size > 4096)
        return 0;
    static int pinned = -2;
    if (pinned == -2) {
        const char *m = getenv("FUZZ_MM_MODE");
        pinned = m ? atoi(m) % 5 : -1;
    }
    enum mm_paging paging = (enum mm_paging)(pinned >= 0 ? pinned : data[0] % 5);
    uint64_t dtb = le64(data + 1), ttbr1 = le64(data + 9);
    size_t pos = 18;
    mem.n = 0;
    unsigned npages = data[17] % (MAX_PAGES + 1);
    for (unsigned p = 0; p < npages && pos + 9 <= size; p++) {
        mem.pa[mem.n] = le64(data + pos) & ~0xfffULL;
        memset(mem.data[mem.n], 0, 4096);
        unsigned patches = data[pos + 8];
        pos += 9;
        for (unsigned k = 0; k < patches && pos + 10 <= size; k++, pos += 10) {
            unsigned off = (unsigned)(data[pos] | data[pos + 1] << 8) & 0xff8;
            memcpy(mem.data[mem.n] + off, data + pos + 2, 8);
        }
        mem.n++;
    }
    struct mm_space *sp = NULL;
    if (mm_space_create(paging, dtb, phys_read, NULL, &sp))
        abort();
    if (paging == MM_PAGING_ARM64 && ttbr1)
        mm_space_set_ttbr1(sp, ttbr1);
    unsigned nva = 0;
    for (; pos + 8 <= size && nva < 64; pos += 8, nva++)
        check_va(sp, le64(data + pos));
    mm_space_destroy(sp);

    /* The extensions on the same memory: the first VA through !pte, !vtop and !dq. */
    if (nva == 0 || paging == MM_PAGING_X64_LA57) /* no dump says LA57: the target is 4-level */
        return 0;
    static struct target t;
    t.ops = &ops;
    t.kind = TARGET_KERNEL;
    t.sys.cpu = paging == MM_PAGING_ARM64 ? DD_CPU_ARM64
                : paging == MM_PAGING_X64 ? DD_CPU_X64
                                          : DD_CPU_X86;
    t.kernel.pae_enabled = paging == MM_PAGING_X86_PAE;
    t.kernel.directory_table_base = dtb;
    t.kernel.pte_base = ttbr1; /* any value: the self-map arithmetic must not care */
    struct dd_writer out = {discard, NULL};
    struct session s;
    session_init(&s, &t, &out, "fuzz.dmp");
    uint64_t va = le64(data + size - 8);
    char line[96];
    snprintf(line, sizeof(line), "!pte %llx", (unsigned long long)va);
    cmd_execute(&s, line);
    snprintf(line, sizeof(line), "!vtop %llx %llx", (unsigned long long)(dtb & 0xffffffffffffULL),
             (unsigned long long)va);
    cmd_execute(&s, line);
    snprintf(line, sizeof(line), "!dq %llx L20", (unsigned long long)(dtb & 0xffffffffffffULL));
    cmd_execute(&s, line);
    session_deinit(&s);
    return 0;
}
