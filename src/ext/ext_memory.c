/*
 * !address and !vprot (user mode), after the debugger reference pages
 * "!address" and "!vprot" and the layouts of published WinDbg transcripts:
 *
 * - the region table: "!address" in NahamCon CTF 2023 "Mayhem" write-up
 *   (x64, WinDbg Preview) and a 2025 x86 shellcode write-up ("!address" of
 *   encoded_payload.exe): columns, the "+" on a region that starts an
 *   allocation, "Usage" padded to 10 then "[...]" details;
 * - the summaries: "!address -summary" in a .NET memory-leak note (x64, kB/MB/
 *   GB/TB units, "PAGE_READWRITE | PAGE_GUARD") and a 2015 leak-debugging post
 *   (x86): header lines, column ends, sizes "7df9`74541000 ( 125.974 TB)";
 * - one address: "!address <addr>" transcripts (x64 and x86): 24-column
 *   labels, "<info not present at the target>", the "More info:" lines and
 *   "Content source: 1 (target), length: N" (N = region end - address);
 * - !vprot: the reference's example and transcripts (19-column labels, a line
 *   left out when its value is 0, as BugId's parser of !vprot output notes) and
 *   its failure text "!vprot: No containing memory region found".
 *
 * Heap, MappedFile and "Other" usages need the process heaps and section
 * names, which minidumps rarely hold: such regions show as <unknown>.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_format.h"
#include "cmd/expr.h"
#include "ext/ext.h"
#include "ext/ext_region.h"

/* "Content source" values of the single-address form. */
#define CONTENT_INVALID 0
#define CONTENT_TARGET 1
/* !vprot reports the page that holds the address (VirtualQuery's BaseAddress). */
#define PAGE_SIZE_BYTES 0x1000ULL

enum summary_group { SUM_USAGE, SUM_TYPE, SUM_STATE, SUM_PROTECT };

struct summary_row {
    const char *name;
    uint64_t count, total;
    uint64_t largest_base, largest_size; /* usage rows only */
    bool busy_blank;                     /* Free rows leave %ofBusy empty */
    uint32_t key;
};

static bool wide(const struct session *s)
{
    return cmd_format_ptr_size(s) != 4;
}

/* A value the way the table and summaries print it: "7df9`74541000" (64-bit), "3c876000" (32-bit). */
static const char *fmt_short(char *buf, size_t len, uint64_t v, bool is64)
{
    if (is64)
        snprintf(buf, len, "%x`%08x", (unsigned)(v >> 32), (unsigned)(uint32_t)v);
    else
        snprintf(buf, len, "%llx", (unsigned long long)v);
    return buf;
}

/* "( 125.974 TB)": kB below 1 MB, then MB, GB, TB (three decimals, rounded). */
static const char *fmt_human(char *buf, size_t len, uint64_t v)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB"};
    double d = (double)v / 1024.0;
    size_t u = 0;
    while (u + 1 < sizeof(units) / sizeof(units[0]) && v >= (1ULL << (10 * (u + 2)))) {
        d /= 1024.0;
        u++;
    }
    snprintf(buf, len, "(%8.3f %s)", d, units[u]);
    return buf;
}

/* The details after the Usage column: "[~0; 5b8.1a04]", "[ntdll; "C:\..."]", "[MZ..]". */
static void usage_details(struct session *s, const struct target_region *r,
                          const struct region_usage *u, char *buf, size_t len)
{
    const struct target *t = s->target;
    unsigned pid = t->proc.has_pid ? t->proc.pid : 0;
    buf[0] = '\0';
    switch (u->kind) {
    case REGION_USAGE_STACK:
    case REGION_USAGE_TEB:
        snprintf(buf, len, "[~%zu; %x.%x]", u->thread, pid, t->threads[u->thread].tid);
        break;
    case REGION_USAGE_PEB:
        snprintf(buf, len, "[%x]", pid);
        break;
    case REGION_USAGE_IMAGE:
        if (u->mod)
            snprintf(buf, len, "[%s; \"%s\"]", u->mod->name ? u->mod->name : "",
                     u->mod->path ? u->mod->path : "");
        break;
    case REGION_USAGE_UNKNOWN:
        /* Committed memory the dump holds: its first 16 bytes as characters. */
        if (r->state == REGION_MEM_COMMIT) {
            uint8_t b[16];
            size_t got = 0;
            struct dd_error *err = target_read(s->target, r->base, b, sizeof(b), &got);
            dd_error_destroy(err);
            if (got == sizeof(b)) {
                char text[17];
                for (size_t i = 0; i < 16; i++)
                    text[i] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
                text[16] = '\0';
                snprintf(buf, len, "[%s]", text);
            }
        }
        break;
    default:
        break;
    }
}

static void print_table(struct session *s, const struct region_rows *rows)
{
    bool is64 = wide(s);
    int w = is64 ? 17 : 8;
    dd_puts(s->out, "\n");
    if (is64)
        dd_puts(s->out, "        BaseAddress      EndAddress+1        RegionSize     Type       "
                        "State                 Protect             Usage\n"
                        "------------------------------------------------------------------------"
                        "--------------------------------------------------\n");
    else
        dd_puts(s->out, "  BaseAddr EndAddr+1 RgnSize     Type       State                 "
                        "Protect             Usage\n"
                        "------------------------------------------------------------------------"
                        "-----------------------\n");
    for (size_t i = 0; i < rows->n; i++) {
        const struct target_region *r = &rows->row[i].r;
        const struct region_usage *u = &rows->row[i].u;
        char b1[24], b2[24], b3[24], prot[96], details[600];
        bool starts = r->state == REGION_MEM_FREE || r->base == r->allocation_base;
        usage_details(s, r, u, details, sizeof(details));
        dd_printf(s->out, "%c %*s %*s %*s %-11s %-11s %-34s %-10s %s\n", starts ? '+' : ' ', w,
                  fmt_short(b1, sizeof(b1), r->base, is64), w,
                  fmt_short(b2, sizeof(b2), region_end(r), is64), w,
                  fmt_short(b3, sizeof(b3), r->size, is64), region_type_name(r->type),
                  region_state_name(r->state),
                  region_protect_name(prot, sizeof(prot), r->protect),
                  region_usage_name(u->kind), details);
    }
}

/* Adds REGION to the row keyed KEY in ROWS (creating it), keeping the largest region. */
static void add_row(struct summary_row *rows, size_t *n, uint32_t key, const char *name,
                    const struct target_region *r)
{
    size_t i = 0;
    while (i < *n && rows[i].key != key)
        i++;
    if (i == *n) {
        rows[i] = (struct summary_row){.name = name, .key = key};
        (*n)++;
    }
    rows[i].count++;
    rows[i].total += r->size;
    if (rows[i].count == 1 || r->size > rows[i].largest_size) {
        rows[i].largest_base = r->base;
        rows[i].largest_size = r->size;
    }
}

/* Largest total first; equal totals keep their first-seen order. */
static void sort_rows(struct summary_row *rows, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct summary_row v = rows[i];
        size_t j = i;
        while (j > 0 && rows[j - 1].total < v.total) {
            rows[j] = rows[j - 1];
            j--;
        }
        rows[j] = v;
    }
}

static void print_pct(struct session *s, uint64_t part, uint64_t whole, int width)
{
    double pct = whole ? 100.0 * (double)part / (double)whole : 0.0;
    dd_printf(s->out, "%*.2f%%", width, pct);
}

static void print_rows(struct session *s, const char *header, const struct summary_row *rows,
                       size_t n, uint64_t busy, uint64_t total)
{
    bool is64 = wide(s);
    dd_printf(s->out, "%s\n", header);
    for (size_t i = 0; i < n; i++) {
        char size[24], human[32];
        dd_printf(s->out, "%-35s%8llu %17s %s", rows[i].name, (unsigned long long)rows[i].count,
                  fmt_short(size, sizeof(size), rows[i].total, is64),
                  fmt_human(human, sizeof(human), rows[i].total));
        if (rows[i].busy_blank)
            dd_puts(s->out, "        ");
        else
            print_pct(s, rows[i].total, busy, 7);
        print_pct(s, rows[i].total, total, 8);
        dd_puts(s->out, "\n");
    }
}

static struct dd_error *print_summary(struct session *s, const struct region_rows *rows)
{
    size_t cap = rows->n + REGION_USAGE_COUNT + 4;
    struct summary_row usage[REGION_USAGE_COUNT], type[4], state[4];
    struct summary_row *prot = dd_arena_calloc(&s->scratch, cap, sizeof(*prot));
    char *names = dd_arena_calloc(&s->scratch, cap, 96);
    if (!prot || !names)
        return &dd_error_no_memory;
    size_t nu = 0, nt = 0, ns = 0, np = 0;
    uint64_t busy = 0, total = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const struct target_region *r = &rows->row[i].r;
        enum region_usage_kind kind = rows->row[i].u.kind;
        total += r->size;
        add_row(usage, &nu, kind, region_usage_name(kind), r);
        if (r->state != REGION_MEM_FREE) {
            busy += r->size;
            if (*region_type_name(r->type))
                add_row(type, &nt, r->type, region_type_name(r->type), r);
        }
        if (*region_state_name(r->state))
            add_row(state, &ns, r->state, region_state_name(r->state), r);
        if (r->state == REGION_MEM_COMMIT && r->protect) {
            size_t before = np;
            add_row(prot, &np, r->protect, NULL, r);
            if (np > before) {
                char *name = names + 96 * before;
                region_protect_name(name, 96, r->protect);
                prot[before].name = name;
            }
        }
    }
    for (size_t i = 0; i < nu; i++)
        usage[i].busy_blank = usage[i].key == REGION_USAGE_FREE;
    for (size_t i = 0; i < ns; i++)
        state[i].busy_blank = state[i].key == REGION_MEM_FREE;
    sort_rows(usage, nu);
    sort_rows(type, nt);
    sort_rows(state, ns);
    sort_rows(prot, np);

    dd_puts(s->out, "\n");
    print_rows(s,
               "--- Usage Summary ---------------- RgnCount ----------- Total Size -------- "
               "%ofBusy %ofTotal",
               usage, nu, busy, total);
    dd_puts(s->out, "\n");
    print_rows(s,
               "--- Type Summary (for busy) ------ RgnCount ----------- Total Size -------- "
               "%ofBusy %ofTotal",
               type, nt, busy, total);
    dd_puts(s->out, "\n");
    print_rows(s,
               "--- State Summary ---------------- RgnCount ----------- Total Size -------- "
               "%ofBusy %ofTotal",
               state, ns, busy, total);
    dd_puts(s->out, "\n");
    print_rows(s,
               "--- Protect Summary (for commit) - RgnCount ----------- Total Size -------- "
               "%ofBusy %ofTotal",
               prot, np, busy, total);
    dd_puts(s->out, "\n");
    dd_puts(s->out, "--- Largest Region by Usage ----------- Base Address -------- Region Size "
                    "----------\n");
    bool is64 = wide(s);
    for (size_t i = 0; i < nu; i++) {
        char base[24], size[24], human[32];
        dd_printf(s->out, "%-35s%17s %17s %s\n", usage[i].name,
                  fmt_short(base, sizeof(base), usage[i].largest_base, is64),
                  fmt_short(size, sizeof(size), usage[i].largest_size, is64),
                  fmt_human(human, sizeof(human), usage[i].largest_size));
    }
    return NULL;
}

/* "State:                  00001000          MEM_COMMIT" or the not-present text for 0. */
static void print_field(struct session *s, const char *label, uint32_t value, const char *name)
{
    if (value == 0)
        dd_printf(s->out, "%-24s<info not present at the target>\n", label);
    else
        dd_printf(s->out, "%-24s%08x          %s\n", label, value, name);
}

static void print_single(struct session *s, const struct region_rows *rows, uint64_t addr)
{
    const struct region_row *row = region_rows_find(rows, addr);
    char abuf[DD_ADDR_BUF];
    if (!row) {
        dd_printf(s->out, "!address: No containing memory region found for %s\n",
                  session_fmt_addr(s, abuf, addr));
        return;
    }
    const struct target_region *r = &row->r;
    struct region_usage u = row->u;
    char prot[96], human[32];
    uint64_t end = region_end(r);
    dd_puts(s->out, "\n");
    dd_printf(s->out, "%-24s%s\n", "Usage:", region_usage_name(u.kind));
    dd_printf(s->out, "%-24s%s\n", "Base Address:", session_fmt_addr(s, abuf, r->base));
    dd_printf(s->out, "%-24s%s\n", "End Address:", session_fmt_addr(s, abuf, end));
    dd_printf(s->out, "%-24s%s %s\n", "Region Size:", session_fmt_addr(s, abuf, r->size),
              fmt_human(human, sizeof(human), r->size));
    print_field(s, "State:", r->state, region_state_name(r->state));
    print_field(s, "Protect:", r->protect, region_protect_name(prot, sizeof(prot), r->protect));
    print_field(s, "Type:", r->type, region_type_name(r->type));
    if (r->state != REGION_MEM_FREE) {
        dd_printf(s->out, "%-24s%s\n", "Allocation Base:",
                  session_fmt_addr(s, abuf, r->allocation_base));
        print_field(s, "Allocation Protect:", r->allocation_protect,
                    region_protect_name(prot, sizeof(prot), r->allocation_protect));
    }
    if (u.kind == REGION_USAGE_IMAGE && u.mod) {
        const char *name = u.mod->name ? u.mod->name : "";
        const char *path = u.mod->path ? u.mod->path : "";
        dd_printf(s->out, "%-24s%s\n", "Image Path:", path);
        dd_printf(s->out, "%-24s%s\n", "Module Name:", name);
        dd_printf(s->out, "%-24s%s\n", "Loaded Image Name:", dd_path_basename(path));
        dd_printf(s->out, "%-24s\n", "Mapped Image Name:");
        dd_printf(s->out, "%-24slmv m %s\n", "More info:", name);
        dd_printf(s->out, "%-24s!lmi %s\n", "More info:", name);
        dd_printf(s->out, "%-24sln 0x%llx\n", "More info:", (unsigned long long)addr);
        dd_printf(s->out, "%-24s!dh 0x%llx\n", "More info:", (unsigned long long)u.mod->base);
    } else if (u.kind == REGION_USAGE_STACK) {
        dd_printf(s->out, "%-24s~%zuk\n", "More info:", u.thread);
    }
    /* Content source: the bytes from ADDR to the region's end, when the dump holds ADDR. */
    uint8_t byte;
    size_t got = 0;
    struct dd_error *err = target_read(s->target, addr, &byte, 1, &got);
    dd_error_destroy(err);
    int source = got ? CONTENT_TARGET : CONTENT_INVALID;
    dd_printf(s->out, "\n\nContent source: %d (%s), length: %llx\n", source,
              source == CONTENT_TARGET ? "target" : "invalid", (unsigned long long)(end - addr));
}

static struct dd_error *ext_address(struct session *s, const struct cmd_args *a)
{
    const char *rest = a->rest;
    bool summary_only = false;
    if (rest[0] == '-') {
        if (dd_strcasecmp(rest, "-summary") == 0)
            summary_only = true;
        else
            return dd_error_create(DD_ERR_UNSUPPORTED,
                                   "!address %s: only !address, !address ADDR and "
                                   "!address -summary are supported",
                                   rest);
    }
    uint64_t addr = 0;
    bool single = *rest && !summary_only;
    if (single) {
        struct dd_error *err = expr_eval(s, rest, &addr);
        if (err)
            return err;
    }
    struct region_set set;
    struct dd_error *err = region_set_get(s, &set);
    if (err)
        return err;
    struct region_rows rows;
    err = region_rows_build(s, &set, &rows);
    if (err)
        return err;
    if (single) {
        print_single(s, &rows, addr);
        return NULL;
    }
    if (set.synthesized)
        dd_puts(s->out, "The dump holds no memory region list (MemoryInfoListStream): the "
                        "regions below are its modules and captured memory.\n");
    if (!summary_only)
        print_table(s, &rows);
    return print_summary(s, &rows);
}

/* "AllocationProtect: 00000080  PAGE_EXECUTE_WRITECOPY"; the line is left out for 0. */
static void vprot_field(struct session *s, const char *label, uint32_t value, const char *name)
{
    if (value)
        dd_printf(s->out, "%-19s%08x  %s\n", label, value, name);
}

static struct dd_error *ext_vprot(struct session *s, const struct cmd_args *a)
{
    if (!*a->rest)
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    uint64_t addr;
    struct dd_error *err = expr_eval(s, a->rest, &addr);
    if (err)
        return err;
    struct region_set set;
    err = region_set_get(s, &set);
    if (err)
        return err;
    const struct target_region *r = region_set_find(&set, addr);
    if (!r) {
        dd_puts(s->out, "!vprot: No containing memory region found\n");
        return NULL;
    }
    /* VirtualQuery's answer for ADDR: from its page to the region's end. */
    uint64_t page = addr & ~(PAGE_SIZE_BYTES - 1);
    if (page < r->base)
        page = r->base;
    int digits = wide(s) ? 16 : 8;
    char prot[96];
    dd_printf(s->out, "%-19s%0*llx\n", "BaseAddress:", digits, (unsigned long long)page);
    dd_printf(s->out, "%-19s%0*llx\n", "AllocationBase:", digits,
              (unsigned long long)r->allocation_base);
    vprot_field(s, "AllocationProtect:", r->allocation_protect,
                region_protect_name(prot, sizeof(prot), r->allocation_protect));
    dd_printf(s->out, "%-19s%0*llx\n", "RegionSize:", digits,
              (unsigned long long)(region_end(r) - page));
    vprot_field(s, "State:", r->state, region_state_name(r->state));
    vprot_field(s, "Protect:", r->protect, region_protect_name(prot, sizeof(prot), r->protect));
    vprot_field(s, "Type:", r->type, region_type_name(r->type));
    return NULL;
}

const struct cmd_def ext_table_memory[] = {
    {"!address", ext_address, 0, "!address [ADDR | -summary] - memory regions and their usage"},
    {"!vprot", ext_vprot, 0, "!vprot ADDR - protection of the memory region holding ADDR"},
    {NULL, NULL, 0, NULL},
};
