/*
 * Unit tests for !address and !vprot (src/ext/ext_memory.c, ext_region.c).
 * The fake target rebuilds the regions of two published transcripts, so the
 * expected table rows are those transcripts' lines:
 *   - "!address" in the NahamCon CTF 2023 "Mayhem" write-up (x64 process 5b8,
 *     threads 1a04 and 1e78): the PEB and TEB rows split out of one committed
 *     region, the stack allocations, the free rows;
 *   - the same write-up's image row of demon.exe.
 * The single-address and !vprot expectations follow the transcripts cited in
 * ext_memory.c, with this fake target's values.
 */
#include <ctype.h>

#include "check.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "ext/ext.h"

static struct dd_error *fake_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops fake_ops = {.read_virtual = fake_read};

#define COMMIT 0x1000
#define RESERVE 0x2000
#define FREE 0x10000
#define PRIVATE 0x20000
#define IMAGE 0x1000000
#define RW 0x04

static const struct target_region mayhem_regions[] = {
    {0x0, 0x0, 0x7ffe0000, 0, FREE, 0x01, 0},
    {0x7ffea000, 0x0, 0xa42c000000 - 0x7ffea000, 0, FREE, 0x01, 0},
    {0xa42c000000, 0xa42c000000, 0x78000, RW, RESERVE, 0, PRIVATE},
    /* VirtualQuery merges the PEB page and two TEBs: one committed region. */
    {0xa42c078000, 0xa42c000000, 0x5000, RW, COMMIT, RW, PRIVATE},
    {0xa42c07d000, 0xa42c000000, 0x2000, RW, RESERVE, 0, PRIVATE},
    {0xa42c200000, 0xa42c200000, 0x1f9000, RW, RESERVE, 0, PRIVATE},
    {0xa42c3f9000, 0xa42c200000, 0x3000, RW, COMMIT, 0x104, PRIVATE},
    {0xa42c3fc000, 0xa42c200000, 0x4000, RW, COMMIT, RW, PRIVATE},
    {0xa42c400000, 0xa42c400000, 0x1fb000, RW, RESERVE, 0, PRIVATE},
    {0xa42c5fb000, 0xa42c400000, 0x3000, RW, COMMIT, 0x104, PRIVATE},
    {0xa42c5fe000, 0xa42c400000, 0x2000, RW, COMMIT, RW, PRIVATE},
    {0xa42c600000, 0x0, 0x200000, 0, FREE, 0x01, 0},
    {0x7ff796f50000, 0x7ff796f50000, 0x18000, 0x80, COMMIT, RW, IMAGE},
};

struct fixture {
    struct target t;
    struct target_thread threads[2];
    struct target_module mods[1];
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->t.ops = &fake_ops;
    f->t.sys.cpu = DD_CPU_X64;
    dd_memmap_init(&f->t.memory);
    f->t.regions = (struct target_region *)mayhem_regions;
    f->t.nregions = sizeof(mayhem_regions) / sizeof(mayhem_regions[0]);
    f->t.proc.has_pid = true;
    f->t.proc.pid = 0x5b8;
    f->t.proc.peb = 0xa42c078000;
    f->threads[0] = (struct target_thread){
        .tid = 0x1a04, .teb = 0xa42c079000, .stack_start = 0xa42c3fe000, .stack_size = 0x2000};
    f->threads[1] = (struct target_thread){
        .tid = 0x1e78, .teb = 0xa42c07b000, .stack_start = 0xa42c5ff000, .stack_size = 0x1000};
    f->t.threads = f->threads;
    f->t.nthreads = 2;
    f->mods[0] = (struct target_module){.base = 0x7ff796f50000,
                                        .size = 0x18000,
                                        .path = "C:\\Users\\lowpriv1\\Downloads\\demon.exe",
                                        .name = "demon"};
    f->t.modules = f->mods;
    f->t.nmodules = 1;
    f->w = dd_writer_strbuf(&f->out);
    session_init(&f->s, &f->t, &f->w, "test.dmp");
}

static void fixture_deinit(struct fixture *f)
{
    session_deinit(&f->s);
    dd_memmap_deinit(&f->t.memory);
    dd_strbuf_deinit(&f->out);
}

/* Runs LINE ("!address ...", "!vprot ...") and returns the output or "ERROR: message". */
static const char *run(struct fixture *f, const char *line)
{
    static char buf[32768];
    char name[32];
    size_t n = 0;
    const char *p = line;
    while (*p && *p != ' ' && n + 1 < sizeof(name))
        name[n++] = *p++;
    name[n] = '\0';
    while (*p == ' ')
        p++;
    const struct cmd_def *def = NULL;
    for (const struct cmd_def *d = ext_table_memory; d->name; d++)
        if (strcmp(d->name, name) == 0)
            def = d;
    if (!def)
        return "no such command";
    dd_strbuf_reset(&f->out);
    struct cmd_args a = {name, "", p, line};
    struct dd_error *err = def->handler(&f->s, &a);
    dd_arena_deinit(&f->s.scratch);
    if (err) {
        snprintf(buf, sizeof(buf), "ERROR: %s", err->message);
        dd_error_destroy(err);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%s", f->out.data ? f->out.data : "");
    return buf;
}

/* The table: header, and rows that are the transcript's own lines. */
TEST(address_table_mayhem)
{
    struct fixture f;
    fixture_init(&f);
    const char *out = run(&f, "!address");
    const char *table =
        "\n"
        "        BaseAddress      EndAddress+1        RegionSize     Type       State           "
        "      Protect             Usage\n"
        "---------------------------------------------------------------------------------------"
        "-----------------------------------\n"
        "+        0`00000000        0`7ffe0000        0`7ffe0000             MEM_FREE    "
        "PAGE_NOACCESS                      Free       \n"
        "+        0`7ffea000       a4`2c000000       a3`ac016000             MEM_FREE    "
        "PAGE_NOACCESS                      Free       \n"
        "+       a4`2c000000       a4`2c078000        0`00078000 MEM_PRIVATE MEM_RESERVE      "
        "                              <unknown>  \n"
        "        a4`2c078000       a4`2c079000        0`00001000 MEM_PRIVATE MEM_COMMIT  "
        "PAGE_READWRITE                     PEB        [5b8]\n"
        "        a4`2c079000       a4`2c07b000        0`00002000 MEM_PRIVATE MEM_COMMIT  "
        "PAGE_READWRITE                     TEB        [~0; 5b8.1a04]\n"
        "        a4`2c07b000       a4`2c07d000        0`00002000 MEM_PRIVATE MEM_COMMIT  "
        "PAGE_READWRITE                     TEB        [~1; 5b8.1e78]\n"
        "        a4`2c07d000       a4`2c07f000        0`00002000 MEM_PRIVATE MEM_RESERVE      "
        "                              <unknown>  \n"
        "+       a4`2c200000       a4`2c3f9000        0`001f9000 MEM_PRIVATE MEM_RESERVE      "
        "                              Stack      [~0; 5b8.1a04]\n"
        "        a4`2c3f9000       a4`2c3fc000        0`00003000 MEM_PRIVATE MEM_COMMIT  "
        "PAGE_READWRITE | PAGE_GUARD        Stack      [~0; 5b8.1a04]\n"
        "        a4`2c3fc000       a4`2c400000        0`00004000 MEM_PRIVATE MEM_COMMIT  "
        "PAGE_READWRITE                     Stack      [~0; 5b8.1a04]\n"
        "+       a4`2c400000       a4`2c5fb000        0`001fb000 MEM_PRIVATE MEM_RESERVE      "
        "                              Stack      [~1; 5b8.1e78]\n"
        "        a4`2c5fb000       a4`2c5fe000        0`00003000 MEM_PRIVATE MEM_COMMIT  "
        "PAGE_READWRITE | PAGE_GUARD        Stack      [~1; 5b8.1e78]\n"
        "        a4`2c5fe000       a4`2c600000        0`00002000 MEM_PRIVATE MEM_COMMIT  "
        "PAGE_READWRITE                     Stack      [~1; 5b8.1e78]\n"
        "+       a4`2c600000       a4`2c800000        0`00200000             MEM_FREE    "
        "PAGE_NOACCESS                      Free       \n"
        "+     7ff7`96f50000     7ff7`96f68000        0`00018000 MEM_IMAGE   MEM_COMMIT  "
        "PAGE_READWRITE                     Image      [demon; "
        "\"C:\\Users\\lowpriv1\\Downloads\\demon.exe\"]\n"
        "\n";
    CHECK(strncmp(out, table, strlen(table)) == 0);
    if (strncmp(out, table, strlen(table)) != 0)
        printf("%s\n", out);
    fixture_deinit(&f);
}

/*
 * The summaries of the same regions, added up by hand:
 *   Free: 3 regions, 0x7ffe0000 + 0xa3ac016000 + 0x200000 = 0xa42c1f6000 (656.689 GB);
 *   busy: 0x78000 + 0x5000 + 0x2000 + 0x200000 + 0x200000 + 0x18000 = 0x497000;
 *   total = 0xa42c68d000. Stack: 6 rows, 0x400000; Image 0x18000; <unknown>
 *   0x78000 + 0x2000 = 0x7a000; TEB 0x4000; PEB 0x1000. Reserved: 0x78000 +
 *   0x2000 + 0x1f9000 + 0x1fb000 = 0x46e000; committed 0x29000, of which
 *   0x6000 guard pages. Percentages are of busy (0x497000) and total.
 */
TEST(address_summary_mayhem)
{
    struct fixture f;
    fixture_init(&f);
    CHECK_STR(run(&f, "!address -summary"),
              "\n"
              "--- Usage Summary ---------------- RgnCount ----------- Total Size -------- "
              "%ofBusy %ofTotal\n"
              "Free                                      3       a4`2c1f6000 ( 656.689 GB)   "
              "       100.00%\n"
              "Stack                                     6        0`00400000 (   4.000 MB)  "
              "87.15%    0.00%\n"
              "<unknown>                                 2        0`0007a000 ( 488.000 kB)  "
              "10.38%    0.00%\n"
              "Image                                     1        0`00018000 (  96.000 kB)   "
              "2.04%    0.00%\n"
              "TEB                                       2        0`00004000 (  16.000 kB)   "
              "0.34%    0.00%\n"
              "PEB                                       1        0`00001000 (   4.000 kB)   "
              "0.09%    0.00%\n"
              "\n"
              "--- Type Summary (for busy) ------ RgnCount ----------- Total Size -------- "
              "%ofBusy %ofTotal\n"
              "MEM_PRIVATE                              11        0`0047f000 (   4.496 MB)  "
              "97.96%    0.00%\n"
              "MEM_IMAGE                                 1        0`00018000 (  96.000 kB)   "
              "2.04%    0.00%\n"
              "\n"
              "--- State Summary ---------------- RgnCount ----------- Total Size -------- "
              "%ofBusy %ofTotal\n"
              "MEM_FREE                                  3       a4`2c1f6000 ( 656.689 GB)   "
              "       100.00%\n"
              "MEM_RESERVE                               4        0`0046e000 (   4.430 MB)  "
              "96.51%    0.00%\n"
              "MEM_COMMIT                                8        0`00029000 ( 164.000 kB)   "
              "3.49%    0.00%\n"
              "\n"
              "--- Protect Summary (for commit) - RgnCount ----------- Total Size -------- "
              "%ofBusy %ofTotal\n"
              "PAGE_READWRITE                            6        0`00023000 ( 140.000 kB)   "
              "2.98%    0.00%\n"
              "PAGE_READWRITE | PAGE_GUARD               2        0`00006000 (  24.000 kB)   "
              "0.51%    0.00%\n"
              "\n"
              "--- Largest Region by Usage ----------- Base Address -------- Region Size "
              "----------\n"
              "Free                                      0`7ffea000       a3`ac016000 ( 654.688 GB)\n"
              "Stack                                    a4`2c400000        0`001fb000 (   1.980 MB)\n"
              "<unknown>                                a4`2c000000        0`00078000 ( 480.000 kB)\n"
              "Image                                  7ff7`96f50000        0`00018000 (  96.000 kB)\n"
              "TEB                                      a4`2c079000        0`00002000 (   8.000 kB)\n"
              "PEB                                      a4`2c078000        0`00001000 (   4.000 kB)\n");
    fixture_deinit(&f);
}

TEST(address_single)
{
    struct fixture f;
    fixture_init(&f);
    CHECK_STR(run(&f, "!address a4`2c3fa010"),
              "\n"
              "Usage:                  Stack\n"
              "Base Address:           000000a4`2c3f9000\n"
              "End Address:            000000a4`2c3fc000\n"
              "Region Size:            00000000`00003000 (  12.000 kB)\n"
              "State:                  00001000          MEM_COMMIT\n"
              "Protect:                00000104          PAGE_READWRITE | PAGE_GUARD\n"
              "Type:                   00020000          MEM_PRIVATE\n"
              "Allocation Base:        000000a4`2c200000\n"
              "Allocation Protect:     00000004          PAGE_READWRITE\n"
              "More info:              ~0k\n"
              "\n"
              "\n"
              "Content source: 0 (invalid), length: 1ff0\n");
    /* A reserved region: no protection of its own. */
    CHECK_STR(run(&f, "!address a4`2c07e000"),
              "\n"
              "Usage:                  <unknown>\n"
              "Base Address:           000000a4`2c07d000\n"
              "End Address:            000000a4`2c07f000\n"
              "Region Size:            00000000`00002000 (   8.000 kB)\n"
              "State:                  00002000          MEM_RESERVE\n"
              "Protect:                <info not present at the target>\n"
              "Type:                   00020000          MEM_PRIVATE\n"
              "Allocation Base:        000000a4`2c000000\n"
              "Allocation Protect:     00000004          PAGE_READWRITE\n"
              "\n"
              "\n"
              "Content source: 0 (invalid), length: 1000\n");
    /* Free memory: no type and no allocation. */
    CHECK_STR(run(&f, "!address 1234"),
              "\n"
              "Usage:                  Free\n"
              "Base Address:           00000000`00000000\n"
              "End Address:            00000000`7ffe0000\n"
              "Region Size:            00000000`7ffe0000 (   2.000 GB)\n"
              "State:                  00010000          MEM_FREE\n"
              "Protect:                00000001          PAGE_NOACCESS\n"
              "Type:                   <info not present at the target>\n"
              "\n"
              "\n"
              "Content source: 0 (invalid), length: 7ffdedcc\n");
    /* An image: the module lines and the "More info" commands. */
    const char *out = run(&f, "!address 7ff7`96f51234");
    CHECK(strstr(out, "Usage:                  Image\n") != NULL);
    CHECK(strstr(out, "Image Path:             C:\\Users\\lowpriv1\\Downloads\\demon.exe\n"
                      "Module Name:            demon\n"
                      "Loaded Image Name:      demon.exe\n"
                      "Mapped Image Name:      \n"
                      "More info:              lmv m demon\n"
                      "More info:              !lmi demon\n"
                      "More info:              ln 0x7ff796f51234\n"
                      "More info:              !dh 0x7ff796f50000\n") != NULL);
    /* The TEB row of thread 1 is a region of its own. */
    out = run(&f, "!address a4`2c07b010");
    CHECK(strstr(out, "Usage:                  TEB\nBase Address:           000000a4`2c07b000\n"
                      "End Address:            000000a4`2c07d000\n") != NULL);
    fixture_deinit(&f);
}

/* !vprot: VirtualQuery's answer for the address's page; lines with a 0 value left out. */
TEST(vprot_forms)
{
    struct fixture f;
    fixture_init(&f);
    CHECK_STR(run(&f, "!vprot a4`2c3fa010"), "BaseAddress:       000000a42c3fa000\n"
                                             "AllocationBase:    000000a42c200000\n"
                                             "AllocationProtect: 00000004  PAGE_READWRITE\n"
                                             "RegionSize:        0000000000002000\n"
                                             "State:             00001000  MEM_COMMIT\n"
                                             "Protect:           00000104  PAGE_READWRITE | "
                                             "PAGE_GUARD\n"
                                             "Type:              00020000  MEM_PRIVATE\n");
    /* BugId's examples: a free region has no AllocationProtect or Type, a reserved one no Protect. */
    CHECK_STR(run(&f, "!vprot 0"), "BaseAddress:       0000000000000000\n"
                                   "AllocationBase:    0000000000000000\n"
                                   "RegionSize:        000000007ffe0000\n"
                                   "State:             00010000  MEM_FREE\n"
                                   "Protect:           00000001  PAGE_NOACCESS\n");
    CHECK_STR(run(&f, "!vprot a4`2c000000"), "BaseAddress:       000000a42c000000\n"
                                             "AllocationBase:    000000a42c000000\n"
                                             "AllocationProtect: 00000004  PAGE_READWRITE\n"
                                             "RegionSize:        0000000000078000\n"
                                             "State:             00002000  MEM_RESERVE\n"
                                             "Type:              00020000  MEM_PRIVATE\n");
    CHECK_STR(run(&f, "!vprot 7ff796f68000"), "!vprot: No containing memory region found\n");
    fixture_deinit(&f);
}

/* Without a MemoryInfoList the regions come from the modules and the captured memory. */
TEST(address_without_memory_info)
{
    static const uint8_t stack[0x100];
    struct fixture f;
    fixture_init(&f);
    f.t.regions = NULL;
    f.t.nregions = 0;
    CHECK_OK(dd_memmap_add(&f.t.memory, 0xa42c3fff00, sizeof(stack), stack));
    CHECK_OK(dd_memmap_finish(&f.t.memory));
    f.threads[0].stack_start = 0xa42c3fff00;
    f.threads[0].stack_size = 0x100;
    const char *out = run(&f, "!address");
    CHECK(strstr(out, "The dump holds no memory region list") == out);
    CHECK(strstr(out, "+       a4`2c3fff00       a4`2c400000        0`00000100 MEM_PRIVATE "
                      "MEM_COMMIT                                     Stack      [~0; 5b8.1a04]\n") !=
          NULL);
    CHECK(strstr(out, "+     7ff7`96f50000     7ff7`96f68000        0`00018000 MEM_IMAGE   "
                      "MEM_COMMIT                                     Image      [demon; ") != NULL);
    CHECK(strstr(out, "+     7ff7`96f68000     7fff`ffff0000        8`69088000             MEM_FREE"
                      "    PAGE_NOACCESS                      Free       \n") != NULL);
    CHECK_STR(run(&f, "!vprot a4`2c3fff10"), "BaseAddress:       000000a42c3fff00\n"
                                             "AllocationBase:    000000a42c3fff00\n"
                                             "RegionSize:        0000000000000100\n"
                                             "State:             00001000  MEM_COMMIT\n"
                                             "Type:              00020000  MEM_PRIVATE\n");
    fixture_deinit(&f);
}
