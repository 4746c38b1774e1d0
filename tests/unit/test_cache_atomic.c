/*
 * The symbol cache is written atomically (docs/limits.md, "Symbol cache writes"): a compressed
 * symbol file (.pd_) that fails to unpack part way - cut in a later CFDATA block, a bad block
 * checksum, more bytes than the size cap - leaves nothing under its final name and no temporary
 * file beside it; one that unpacks appears whole. Cabinets come from tests/http/make_cab.py
 * (written from [MS-CAB], independent of the C code); 100,000 bytes make four 32 KiB CFDATA
 * blocks, so a cut in the third block fails after the first blocks were written out.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sym/cab.h"

#define ATOMIC_DATA_LEN 100000

static uint8_t atomic_data[ATOMIC_DATA_LEN];

static bool write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static uint8_t *read_file(const char *path, size_t *ret_size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *n = realloc(buf, cap);
            if (!n)
                break;
            buf = n;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got);
    fclose(f);
    *ret_size = len;
    return buf;
}

/* Runs make_cab.py [FLAG] IN OUT; false (and a failure) when it does not work. */
static bool make_cab(const char *flag, const char *in, const char *out)
{
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        if (flag)
            execlp("python3", "python3", DD_SOURCE_ROOT "/tests/http/make_cab.py", flag, in, out,
                   (char *)NULL);
        else
            execlp("python3", "python3", DD_SOURCE_ROOT "/tests/http/make_cab.py", in, out,
                   (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Names in DIR (its own entries only): how many, and whether one is a ".partial-" file. */
static size_t dir_entries(const char *dir, bool *ret_partial)
{
    size_t n = 0;
    *ret_partial = false;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strstr(e->d_name, ".partial-"))
            *ret_partial = true;
    }
    closedir(d);
    return n;
}

/* Extracts CAB into OUT_DIR/app.pdb with MAX; checks that it fails and leaves OUT_DIR empty. */
static void check_fails_cleanly(const char *cab, const char *out_dir, uint64_t max,
                                const char *what)
{
    char out[4300];
    snprintf(out, sizeof(out), "%s/app.pdb", out_dir);
    struct dd_error *err = cab_extract_file(cab, out, max);
    if (!err)
        check_fail(__FILE__, __LINE__, "%s: extraction succeeded", what);
    dd_error_destroy(err);
    struct stat st;
    if (stat(out, &st) == 0)
        check_fail(__FILE__, __LINE__, "%s: %s exists", what, out);
    bool partial;
    size_t n = dir_entries(out_dir, &partial);
    if (n != 0)
        check_fail(__FILE__, __LINE__, "%s: %zu files left in %s%s", what, n, out_dir,
                   partial ? " (a .partial- file)" : "");
}

TEST(cache_atomic_failed_unpack_leaves_nothing)
{
    char dir[] = "/tmp/dd-cache-atomic-XXXXXX";
    if (!mkdtemp(dir)) {
        check_skip("mkdtemp: %s", strerror(errno));
        return;
    }
    uint32_t x = 12345;
    for (size_t i = 0; i < ATOMIC_DATA_LEN; i++) {
        x = x * 1103515245u + 12345u; /* incompressible enough to need every block */
        atomic_data[i] = (uint8_t)(x >> 16);
    }
    char in[4200], cab[4200], cut[4200], out_dir[4200], out[4300];
    snprintf(in, sizeof(in), "%s/in.pdb", dir);
    snprintf(cab, sizeof(cab), "%s/app.pd_", dir);
    snprintf(cut, sizeof(cut), "%s/cut.pd_", dir);
    snprintf(out_dir, sizeof(out_dir), "%s/cache", dir);
    snprintf(out, sizeof(out), "%s/app.pdb", out_dir);
    CHECK(write_file(in, atomic_data, ATOMIC_DATA_LEN));
    CHECK(mkdir(out_dir, 0755) == 0);
    static const char *flags[] = {NULL, "--stored"};
    for (size_t k = 0; k < 2; k++) {
        if (!make_cab(flags[k], in, cab)) {
            check_skip("make_cab.py did not run (python3 missing?)");
            break;
        }
        size_t n = 0;
        uint8_t *bytes = read_file(cab, &n);
        CHECK(bytes && n > 3 * 32768 / (k ? 1 : 2));
        if (!bytes)
            break;
        /* Cut in the third of four blocks: the first two were unpacked and written first. */
        CHECK(write_file(cut, bytes, n * 5 / 8));
        check_fails_cleanly(cut, out_dir, CAB_DEFAULT_MAX_SIZE, "cut in block 3");
        /* A flipped byte near the end: the last block's checksum fails. */
        bytes[n - 50] ^= 0x55;
        CHECK(write_file(cut, bytes, n));
        check_fails_cleanly(cut, out_dir, CAB_DEFAULT_MAX_SIZE, "bad checksum");
        bytes[n - 50] ^= 0x55;
        free(bytes);
        /* More than the size cap. */
        check_fails_cleanly(cab, out_dir, ATOMIC_DATA_LEN - 1, "over the size cap");
        /* The whole cabinet: the file appears, whole, and nothing else. */
        CHECK_OK(cab_extract_file(cab, out, CAB_DEFAULT_MAX_SIZE));
        size_t got_len = 0;
        uint8_t *got = read_file(out, &got_len);
        CHECK(got && got_len == ATOMIC_DATA_LEN && memcmp(got, atomic_data, got_len) == 0);
        free(got);
        bool partial;
        CHECK_EQ(dir_entries(out_dir, &partial), 1);
        CHECK(!partial);
        unlink(out);
    }
    unlink(in);
    unlink(cab);
    unlink(cut);
    rmdir(out_dir);
    rmdir(dir);
}
