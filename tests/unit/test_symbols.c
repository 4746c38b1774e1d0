/*
 * The symbol resolver over the repo's fixture dump and its PDB. Expected names come from the
 * program itself (the .expect file: function addresses it printed) and lines from
 * `llvm-pdbutil-16 dump -l crash_null_write.pdb`: RVA 0x1569 is in the block
 * "0001:00000540-00000574 ... 51 00000564" of crash_null_write.c (section 1 at RVA 0x1000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/writer.h"
#include "check.h"
#include "core/target.h"
#include "sym/symbols.h"

static long module_index(const struct target *t, const char *name)
{
    for (size_t i = 0; i < t->nmodules; i++)
        if (strcmp(t->modules[i].name, name) == 0)
            return (long)i;
    return -1;
}

TEST(symbols_fixture_pdb)
{
    char path[1200], dir[1024];
    snprintf(dir, sizeof(dir), "%s/dumps", check_fixtures_dir());
    snprintf(path, sizeof(path), "%s/crash_null_write.dmp", dir);
    struct target *t;
    CHECK_OK(target_open(path, &t));
    struct symbols *s;
    CHECK_OK(symbols_create(t, &s));
    long idx = module_index(t, "crash_null_write");
    CHECK(idx >= 0);
    CHECK_EQ(symbols_module_state(s, (size_t)idx), SYMBOLS_DEFERRED);
    /* Without a symbol path nothing is found, and the module keeps only its name. */
    struct symbols_hit hit;
    CHECK_OK(symbols_find_by_addr(s, 0x140001569, &hit));
    CHECK(!hit.has_name);
    CHECK_EQ(hit.disp, 0x1569);
    CHECK_EQ(symbols_module_state(s, (size_t)idx), SYMBOLS_NONE);

    CHECK_OK(symbols_set_path(s, dir));
    symbols_module_reload(s, (size_t)idx, false);
    CHECK_OK(symbols_find_by_addr(s, 0x140001569, &hit));
    CHECK(hit.has_name);
    CHECK_STR(hit.name, "crash_here");
    CHECK_EQ(hit.addr, 0x140001540ULL);
    CHECK_EQ(hit.disp, 0x29);
    CHECK_EQ(symbols_module_state(s, (size_t)idx), SYMBOLS_PRIVATE_PDB);
    CHECK_EQ(symbols_module_flag(s, (size_t)idx), 'C'); /* lld writes no checksum */
    struct symbols_line line;
    CHECK_OK(symbols_find_line(s, 0x140001569, &line));
    CHECK_EQ(line.line, 51);
    CHECK_EQ(line.addr, 0x140001564ULL);
    CHECK(strstr(line.file, "crash_null_write.c") != NULL);
    uint64_t addr = 0;
    CHECK_OK(symbols_find_by_name(s, "crash_null_write!level_one", &addr));
    CHECK_EQ(addr, 0x140001750ULL);
    CHECK_OK(symbols_find_by_name(s, "main", &addr));
    CHECK_EQ(addr, 0x140001790ULL);
    CHECK(symbols_find_by_name(s, "crash_null_write!no_such_function", &addr) != NULL);
    CHECK(symbols_find_by_name(s, "no_such_module!main", &addr) != NULL);
    /* An address outside every module. */
    CHECK(symbols_find_by_addr(s, 0x10, &hit) != NULL);
    symbols_destroy(s);
    target_destroy(t);
}

static void copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    CHECK(in && out);
    char buf[65536];
    size_t n;
    while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        CHECK_EQ(fwrite(buf, 1, n, out), n);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
}

/* A PDB from another build under the right name is refused, and !sym noisy says why. */
TEST(symbols_refuses_mismatched_pdb)
{
    char dir[] = "/tmp/dumpdbg-symtest-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char src[1024], dst[1100], dump[1024];
    snprintf(src, sizeof(src), "%s/dumps/crash_breakpoint.pdb", check_fixtures_dir());
    snprintf(dst, sizeof(dst), "%s/crash_null_write.pdb", dir);
    snprintf(dump, sizeof(dump), "%s/dumps/crash_null_write.dmp", check_fixtures_dir());
    copy_file(src, dst);
    /* The image is needed too: Wine's dumps carry no CodeView record, the image's does. */
    char exe_src[1024], exe_dst[1100];
    snprintf(exe_src, sizeof(exe_src), "%s/dumps/crash_null_write.exe", check_fixtures_dir());
    snprintf(exe_dst, sizeof(exe_dst), "%s/crash_null_write.exe", dir);
    copy_file(exe_src, exe_dst);
    struct target *t;
    CHECK_OK(target_open(dump, &t));
    struct symbols *s;
    CHECK_OK(symbols_create(t, &s));
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    symbols_set_noisy(s, &w);
    CHECK_OK(symbols_set_path(s, dir));
    long idx = module_index(t, "crash_null_write");
    symbols_module_load(s, (size_t)idx);
    CHECK(symbols_module_state(s, (size_t)idx) != SYMBOLS_PRIVATE_PDB);
    CHECK(symbols_module_pdb(s, (size_t)idx) == NULL);
    CHECK(sb.data && strstr(sb.data, "mismatched pdb") != NULL);
    /* .symopt+ 0x40 takes it anyway, and lm marks it 'M'. */
    symbols_set_load_anything(s, true);
    symbols_module_reload(s, (size_t)idx, true);
    CHECK(symbols_module_pdb(s, (size_t)idx) != NULL);
    CHECK_EQ(symbols_module_flag(s, (size_t)idx), 'M');
    symbols_destroy(s);
    target_destroy(t);
    dd_strbuf_deinit(&sb);
    unlink(dst);
    unlink(exe_dst);
    rmdir(dir);
}
