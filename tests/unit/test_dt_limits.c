/*
 * dt's output bounds say when they cut (docs/limits.md): an array longer than the default element
 * cap (0x10000) ends with a "... N more elements not shown" line, and expansion deeper than 16
 * levels ends with a "... nested deeper" line. Types from tests/fixtures/gen/dt_limits.c
 * (DtArray: int[0x10001]; DtNest20 .. DtNest0: each holds the next as member m).
 */
#include <string.h>

#include "base/writer.h"
#include "check.h"
#include "cmd/cmd_dt.h"
#include "pdb/msf.h"
#include "pdb/tpi.h"

#define DT_LIMITS_PDB DD_SOURCE_ROOT "/tests/fixtures/tpi/dt_limits.pdb"

/* Every address reads as zeroes. */
static struct dd_error *zero_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    (void)ctx;
    (void)addr;
    memset(buf, 0, n);
    return NULL;
}

/* Formats type NAME at 0x10000 with OPT over zeroed memory into SB. */
static void format_type(const char *name, const struct cmd_dt_options *opt, struct dd_strbuf *sb)
{
    struct msf_file *msf = NULL;
    struct pdb_types *types = NULL;
    CHECK_OK(msf_open_file(DT_LIMITS_PDB, &msf));
    if (!msf)
        return;
    CHECK_OK(pdb_types_open(msf, PDB_TYPES_TPI, &types));
    uint32_t index = 0;
    if (types) {
        CHECK_OK(pdb_types_find_by_name(types, name, 0, &index));
        struct dd_writer w = dd_writer_strbuf(sb);
        struct cmd_dt_memory mem = {zero_read, NULL, 8};
        CHECK_OK(cmd_dt_format(types, index, opt, &mem, 0x10000, &w));
    }
    pdb_types_destroy(types);
    msf_destroy(msf);
}

static size_t count_lines(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

TEST(dt_limits_array_cut_is_reported)
{
    struct cmd_dt_options opt = {0};
    opt.arrays = true;
    struct dd_strbuf sb = {0};
    format_type("DtArray", &opt, &sb);
    const char *s = sb.data ? sb.data : "";
    /* 0x10000 elements shown, the last one [65535]; element 65536 is the one cut. */
    CHECK(strstr(s, "[65535] 0n0\n") != NULL);
    CHECK(strstr(s, "[65536]") == NULL);
    CHECK(strstr(s, " ... 1 more elements not shown (the limit is 65536 elements; dt -aN shows "
                    "N)\n") != NULL);
    dd_strbuf_deinit(&sb);

    /* A count the user gave is no news: no marker. */
    opt.array_max = 3;
    format_type("DtArray", &opt, &sb);
    s = sb.data ? sb.data : "";
    CHECK(strstr(s, "[02] 0n0\n") != NULL);
    CHECK(strstr(s, "[03]") == NULL);
    CHECK(strstr(s, "more elements") == NULL);
    dd_strbuf_deinit(&sb);
}

TEST(dt_limits_nesting_cut_is_reported)
{
    struct cmd_dt_options opt = {0};
    opt.expand = true;
    struct dd_strbuf sb = {0};
    format_type("DtNest20", &opt, &sb);
    const char *s = sb.data ? sb.data : "";
    /* Levels 0..15 print a member line each ("+0x000 m"), 3 more blanks per level; the UDT met
     * at level 15 is not expanded and a marker one level deeper says so. */
    CHECK_EQ(count_lines(s, "+0x000 m "), 16);
    CHECK(strstr(s, "+0x000 leaf") == NULL);
    CHECK_EQ(count_lines(s, "... members nested deeper than 16 levels not shown\n"), 1);
    char want[128];
    memset(want, ' ', 3 + 3 * 16);
    strcpy(want + 3 + 3 * 16, "... members nested deeper");
    CHECK(strstr(s, want) != NULL);
    dd_strbuf_deinit(&sb);

    /* A shallow type expands completely, without a marker. */
    format_type("DtNest3", &opt, &sb);
    s = sb.data ? sb.data : "";
    CHECK_EQ(count_lines(s, "+0x000 m "), 3);
    CHECK_EQ(count_lines(s, "+0x000 leaf"), 1);
    CHECK(strstr(s, "nested deeper") == NULL);
    dd_strbuf_deinit(&sb);
}
