/*
 * Symbol paths, store keys, name sanitizing and local store lookups. Expected values follow the
 * WinDbg symbol path documentation and the symstore layout (NAME/KEY/NAME, index2.txt,
 * file.ptr), not dumpdbg's output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sym/symfile.h"
#include "sym/sympath.h"
#include "sym/symsrv.h"
#include "sym/symstore.h"

/* ---- helpers ---- */

static char *tmp_dir(void)
{
    char tmpl[] = "/tmp/dd-sympath-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void rm_tree(char *dir)
{
    if (dir)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* Writes DATA to ROOT/REL, creating directories. */
static void put_file(const char *root, const char *rel, const char *data)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    CHECK_OK(symfile_mkdirs(path));
    *slash = '/';
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(data, f);
    fclose(f);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char *expanded(const char *text)
{
    struct sympath *p;
    struct dd_error *err = sympath_parse(text, &p);
    if (err) {
        dd_error_destroy(err);
        return NULL;
    }
    char *s = NULL;
    CHECK_OK(sympath_format(p, SYMPATH_FORMAT_EXPANDED, &s));
    sympath_destroy(p);
    return s;
}

/* ---- parsing ---- */

TEST(sympath_parse_table)
{
    static const struct {
        const char *in;
        const char *expanded;
    } rows[] = {
        /* The examples of WinDbg's "Symbol path for Windows debuggers" page. */
        {"srv*c:\\symbols*https://msdl.microsoft.com/download/symbols",
         "SRV*c:\\symbols*https://msdl.microsoft.com/download/symbols"},
        {"cache*/tmp/c;srv*https://x", "cache*/tmp/c;SRV*https://x"},
        {"SRV*;dir", "SRV*https://msdl.microsoft.com/download/symbols;dir"},
        {"srv*", "SRV*https://msdl.microsoft.com/download/symbols"},
        {"srv**https://x/", "SRV**https://x"},
        {"symsrv*symsrv.dll*/tmp/s*https://x", "SRV*/tmp/s*https://x"},
        {"SymSrv*SYMSRV.DLL*c:\\localcache*https://msdl.microsoft.com/download/symbols",
         "SRV*c:\\localcache*https://msdl.microsoft.com/download/symbols"},
        {"  /a/b  ;; /c ;", "/a/b;/c"},
        {"\"/my syms;x\";Srv*/s", "\"/my syms;x\";SRV*/s"},
        {"cache*", "cache*"},
        {"CACHE*/tmp/c", "cache*/tmp/c"},
        {"https://x", "SRV*https://x"},
        {"SrV*\\\\server\\share*https://a*https://b", "SRV*\\\\server\\share*https://a*https://b"},
        {"srv*/cache*https://a/b//", "SRV*/cache*https://a/b"},
        {"srv* /cache * https://a ", "SRV*/cache*https://a"},
        {"\"srv*x\"", "\"srv*x\""},
        {"", ""},
        {" ; ;", ""},
        {"c:\\symbols;/opt/syms", "c:\\symbols;/opt/syms"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *got = expanded(rows[i].in);
        if (!got || strcmp(got, rows[i].expanded) != 0)
            check_fail(__FILE__, __LINE__, "row %zu \"%s\": got \"%s\", want \"%s\"", i,
                       rows[i].in, got ? got : "(error)", rows[i].expanded);
        free(got);
    }
}

TEST(sympath_parse_elements)
{
    struct sympath *p;
    CHECK_OK(sympath_parse("srv*c:\\symbols*https://msdl.microsoft.com/download/symbols;"
                           "cache*;/x;SRV*",
                           &p));
    CHECK_EQ(p->count, 4);
    const struct sympath_elem *e = &p->elems[0];
    CHECK_EQ(e->kind, SYMPATH_ELEM_SRV);
    CHECK_EQ(e->tier_count, 2);
    CHECK_EQ(e->tiers[0].kind, SYMPATH_TIER_DIR);
    CHECK_STR(e->tiers[0].location, "c:\\symbols");
    CHECK(e->tiers[0].foreign);
    CHECK_EQ(e->tiers[1].kind, SYMPATH_TIER_URL);
    CHECK_STR(e->tiers[1].location, SYMPATH_MSDL_URL);
    e = &p->elems[1];
    CHECK_EQ(e->kind, SYMPATH_ELEM_CACHE);
    CHECK(e->dir == NULL);
    e = &p->elems[2];
    CHECK_EQ(e->kind, SYMPATH_ELEM_DIR);
    CHECK_STR(e->dir, "/x");
    CHECK(!e->foreign);
    /* "srv*" alone: the default downstream store (implicit) in front of Microsoft's server. */
    e = &p->elems[3];
    CHECK_EQ(e->kind, SYMPATH_ELEM_SRV);
    CHECK_EQ(e->tier_count, 2);
    CHECK_EQ(e->tiers[0].kind, SYMPATH_TIER_DEFAULT);
    CHECK(e->tiers[0].implicit);
    CHECK_STR(e->tiers[1].location, SYMPATH_MSDL_URL);

    char *orig;
    CHECK_OK(sympath_format(p, SYMPATH_FORMAT_ORIGINAL, &orig));
    CHECK_STR(orig, "srv*c:\\symbols*https://msdl.microsoft.com/download/symbols;cache*;/x;SRV*");
    free(orig);
    sympath_destroy(p);

    /* An explicit empty first tier is the default store, and is shown. */
    CHECK_OK(sympath_parse("srv**https://x", &p));
    CHECK_EQ(p->elems[0].tiers[0].kind, SYMPATH_TIER_DEFAULT);
    CHECK(!p->elems[0].tiers[0].implicit);
    sympath_destroy(p);
}

TEST(sympath_parse_errors)
{
    static const char *bad[] = {"foo*bar", "cache*a*b", "\"\"", "/ok;nope*x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sympath *p = NULL;
        struct dd_error *err = sympath_parse(bad[i], &p);
        if (!err) {
            check_fail(__FILE__, __LINE__, "\"%s\" parsed", bad[i]);
            sympath_destroy(p);
            continue;
        }
        CHECK_EQ(err->code, DD_ERR_SYNTAX);
        dd_error_destroy(err);
    }
}

TEST(sympath_append_and_env)
{
    struct sympath *p;
    CHECK_OK(sympath_parse("/a", &p));
    CHECK_OK(sympath_append(p, "srv*"));
    struct dd_error *err = sympath_append(p, "bogus*x");
    CHECK(err != NULL);
    dd_error_destroy(err);
    char *s;
    CHECK_OK(sympath_format(p, SYMPATH_FORMAT_EXPANDED, &s));
    CHECK_STR(s, "/a;SRV*https://msdl.microsoft.com/download/symbols");
    free(s);
    CHECK_OK(sympath_format(p, SYMPATH_FORMAT_ORIGINAL, &s));
    CHECK_STR(s, "/a;srv*");
    free(s);
    sympath_destroy(p);

    /* dbghelp: _NT_ALT_SYMBOL_PATH is searched before _NT_SYMBOL_PATH. */
    CHECK_OK(sympath_compose_env("nt", "alt", &s));
    CHECK_STR(s, "alt;nt");
    free(s);
    CHECK_OK(sympath_compose_env(NULL, "alt", &s));
    CHECK_STR(s, "alt");
    free(s);
    CHECK_OK(sympath_compose_env("nt", "", &s));
    CHECK_STR(s, "nt");
    free(s);
    CHECK_OK(sympath_compose_env(NULL, NULL, &s));
    CHECK_STR(s, "");
    free(s);
}

TEST(sympath_default_store)
{
    char *old_xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *s;
    setenv("XDG_CACHE_HOME", "/var/cache/me/", 1);
    CHECK_OK(sympath_default_store(&s));
    CHECK_STR(s, "/var/cache/me/dumpdbg/symbols");
    free(s);
    /* A relative XDG_CACHE_HOME is ignored (XDG Base Directory specification). */
    setenv("XDG_CACHE_HOME", "relative", 1);
    setenv("HOME", "/home/u", 1);
    CHECK_OK(sympath_default_store(&s));
    CHECK_STR(s, "/home/u/.cache/dumpdbg/symbols");
    free(s);
    unsetenv("XDG_CACHE_HOME");
    CHECK_OK(sympath_default_store(&s));
    CHECK_STR(s, "/home/u/.cache/dumpdbg/symbols");
    free(s);
    if (old_xdg)
        setenv("XDG_CACHE_HOME", old_xdg, 1);
    if (old_home)
        setenv("HOME", old_home, 1);
    else
        unsetenv("HOME");
    free(old_xdg);
    free(old_home);
}

/* ---- names and keys ---- */

TEST(symstore_sanitize_table)
{
    static const struct {
        const char *in;
        size_t len; /* 0: strlen */
        const char *out; /* NULL: rejected */
    } rows[] = {
        {"C:\\build\\out\\foo.pdb", 0, "foo.pdb"},
        {"/usr/lib/libc.so.6", 0, "libc.so.6"},
        {"..\\..\\x.pdb", 0, "x.pdb"},
        {"../../../etc/passwd", 0, "passwd"},
        {"\\\\server\\share\\a.pdb", 0, "a.pdb"},
        {"C:foo.pdb", 0, "foo.pdb"},
        {"ntdll.pdb", 0, "ntdll.pdb"},
        {"My App.pdb", 0, "My App.pdb"},
        {"..", 0, NULL},
        {".", 0, NULL},
        {"..x.pdb", 0, NULL},
        {"a\\..", 0, NULL},
        {"C:", 0, NULL},
        {"C:\\", 0, NULL},
        {"x\\", 0, NULL},
        {"", 0, NULL},
        {"foo.pdb:stream", 0, NULL},
        {"a\001b.pdb", 0, NULL},
        {"a\033[31mred.pdb", 0, NULL},
        {"foo*.pdb", 0, NULL},
        {"fo?.pdb", 0, NULL},
        {"a\0b.pdb", 7, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char buf[SYMSTORE_NAME_MAX + 1];
        size_t len = rows[i].len ? rows[i].len : strlen(rows[i].in);
        struct dd_error *err = symstore_name_sanitize(rows[i].in, len, buf, sizeof(buf));
        if (rows[i].out) {
            if (err) {
                check_fail(__FILE__, __LINE__, "row %zu rejected: %s", i, err->message);
                dd_error_destroy(err);
            } else if (strcmp(buf, rows[i].out) != 0) {
                check_fail(__FILE__, __LINE__, "row %zu: \"%s\" != \"%s\"", i, buf, rows[i].out);
            }
        } else if (!err) {
            check_fail(__FILE__, __LINE__, "row %zu accepted as \"%s\"", i, buf);
        } else {
            CHECK_EQ(err->code, DD_ERR_FORMAT);
            dd_error_destroy(err);
        }
    }
    char longname[400];
    memset(longname, 'a', sizeof(longname));
    char buf[SYMSTORE_NAME_MAX + 1];
    struct dd_error *err = symstore_name_sanitize(longname, 256, buf, sizeof(buf));
    CHECK(err != NULL);
    dd_error_destroy(err);
    CHECK_OK(symstore_name_sanitize(longname, 255, buf, sizeof(buf)));
    CHECK_EQ(strlen(buf), 255);
}

TEST(symstore_keys)
{
    /* RSDS GUID bytes as stored: Data1..Data3 little-endian, Data4 as is. Textual form
     * {F3E2B11E-1B0A-3D2C-4E5F-60718293A4B5}. */
    static const uint8_t raw[16] = {0x1e, 0xb1, 0xe2, 0xf3, 0x0a, 0x1b, 0x2c, 0x3d,
                                    0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5};
    struct sym_file_key k = {.kind = SYM_KEY_PDB, .name = "C:\\src\\out\\ntdll.pdb", .age = 0x1a};
    sym_guid_from_bytes(raw, &k.guid);
    CHECK_EQ(k.guid.data1, 0xf3e2b11e);
    CHECK_EQ(k.guid.data2, 0x1b0a);
    CHECK_EQ(k.guid.data3, 0x3d2c);
    struct symstore_key sk;
    CHECK_OK(symstore_key_make(&k, &sk));
    CHECK_STR(sk.name, "ntdll.pdb");
    CHECK_STR(sk.index, "F3E2B11E1B0A3D2C4E5F60718293A4B51A");
    CHECK_STR(sk.file, "ntdll.pdb");
    CHECK_STR(sk.compressed, "ntdll.pd_");
    CHECK_STR(sk.ext, "pdb");

    /* Age 1 has no leading zeros. */
    k.age = 1;
    CHECK_OK(symstore_key_make(&k, &sk));
    CHECK_STR(sk.index, "F3E2B11E1B0A3D2C4E5F60718293A4B51");

    struct sym_file_key nb = {
        .kind = SYM_KEY_PDB_NB10, .name = "old.pdb", .signature = 0x3a1b0c, .age = 2};
    CHECK_OK(symstore_key_make(&nb, &sk));
    CHECK_STR(sk.index, "003A1B0C2");

    /* Image key: TimeDateStamp %08X, SizeOfImage %x. */
    struct sym_file_key im = {
        .kind = SYM_KEY_IMAGE, .name = "\\SystemRoot\\System32\\KERNEL32.DLL",
        .timestamp = 0x4a5bc60f, .image_size = 0x1b4000};
    CHECK_OK(symstore_key_make(&im, &sk));
    CHECK_STR(sk.name, "KERNEL32.DLL");
    CHECK_STR(sk.index, "4A5BC60F1b4000");
    CHECK_STR(sk.compressed, "KERNEL32.DL_");

    struct sym_file_key bp = {.kind = SYM_KEY_BREAKPAD, .name = "crash.pdb",
                              .debug_id = "3f5c0b1a2d3e4f5a6b7c8d9e0f1a2b3c1"};
    CHECK_OK(symstore_key_make(&bp, &sk));
    CHECK_STR(sk.name, "crash.pdb");
    CHECK_STR(sk.index, "3F5C0B1A2D3E4F5A6B7C8D9E0F1A2B3C1");
    CHECK_STR(sk.file, "crash.sym");
    bp.name = "/usr/lib/libfoo.so";
    CHECK_OK(symstore_key_make(&bp, &sk));
    CHECK_STR(sk.file, "libfoo.so.sym");
    bp.debug_id = "../x";
    struct dd_error *err = symstore_key_make(&bp, &sk);
    CHECK(err != NULL);
    dd_error_destroy(err);

    k.name = "..\\..\\..";
    err = symstore_key_make(&k, &sk);
    CHECK(err != NULL);
    dd_error_destroy(err);
}

/* ---- local stores ---- */

static const struct sym_file_key pdb_key = {
    .kind = SYM_KEY_PDB,
    .name = "C:\\work\\bin\\app.pdb",
    .guid = {0x01234567, 0x89ab, 0xcdef, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}},
    .age = 3,
};
#define PDB_INDEX "0123456789ABCDEF0123456789ABCDEF3"

TEST(symstore_lookup_layouts)
{
    char *root = tmp_dir();
    CHECK(root != NULL);
    if (!root)
        return;
    struct symstore_key sk;
    CHECK_OK(symstore_key_make(&pdb_key, &sk));
    char *got = NULL;
    struct dd_error *err = symstore_lookup(root, &sk, NULL, NULL, &got);
    CHECK(err != NULL && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);

    /* One-tier. */
    put_file(root, "app.pdb/" PDB_INDEX "/app.pdb", "one-tier");
    CHECK_OK(symstore_lookup(root, &sk, NULL, NULL, &got));
    CHECK(got && ends_with(got, "/app.pdb/" PDB_INDEX "/app.pdb"));
    CHECK_STR(read_all(got), "one-tier");
    free(got);

    /* Two-tier: with index2.txt only NA/NAME/KEY/NAME counts. */
    put_file(root, "index2.txt", "");
    CHECK(symstore_is_two_tier(root));
    err = symstore_lookup(root, &sk, NULL, NULL, &got);
    CHECK(err != NULL);
    dd_error_destroy(err);
    put_file(root, "ap/app.pdb/" PDB_INDEX "/app.pdb", "two-tier");
    got = NULL;
    CHECK_OK(symstore_lookup(root, &sk, NULL, NULL, &got));
    CHECK(got && ends_with(got, "/ap/app.pdb/" PDB_INDEX "/app.pdb"));
    CHECK_STR(read_all(got), "two-tier");
    free(got);
    /* Where a new file would go follows the layout. */
    CHECK_OK(symstore_path(root, &sk, "app.pd_", &got));
    CHECK(got && ends_with(got, "/ap/app.pdb/" PDB_INDEX "/app.pd_"));
    free(got);
    rm_tree(root);
}

TEST(symstore_lookup_case_insensitive)
{
    char *root = tmp_dir();
    if (!root)
        return;
    struct symstore_key sk;
    CHECK_OK(symstore_key_make(&pdb_key, &sk));
    /* A store copied from Windows: other letter case in every component. */
    put_file(root, "APP.PDB/0123456789abcdef0123456789abcdef3/App.Pdb", "ci");
    char *got = NULL;
    CHECK_OK(symstore_lookup(root, &sk, NULL, NULL, &got));
    CHECK(got && ends_with(got, "/APP.PDB/0123456789abcdef0123456789abcdef3/App.Pdb"));
    free(got);
    /* Exact and lower-case names win over the scan. */
    put_file(root, "app.pdb/" PDB_INDEX "/app.pdb", "exact");
    CHECK_OK(symstore_lookup(root, &sk, NULL, NULL, &got));
    CHECK_STR(read_all(got), "exact");
    free(got);
    rm_tree(root);
}

static void log_collect(void *ctx, const char *msg)
{
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 8192 - n, "%s\n", msg);
}

TEST(symstore_fileptr)
{
    char *root = tmp_dir();
    if (!root)
        return;
    struct symstore_key sk;
    CHECK_OK(symstore_key_make(&pdb_key, &sk));
    char target[4096], text[4200];
    snprintf(target, sizeof(target), "%s/elsewhere/app.pdb", root);
    put_file(root, "elsewhere/app.pdb", "pointed");
    snprintf(text, sizeof(text), "PATH:%s\r\n", target);
    put_file(root, "app.pdb/" PDB_INDEX "/file.ptr", text);
    char *got = NULL;
    CHECK_OK(symstore_lookup(root, &sk, NULL, NULL, &got));
    CHECK_STR(got, target);
    free(got);

    /* A relative PATH: is taken from the store root. */
    put_file(root, "app.pdb/" PDB_INDEX "/file.ptr", "PATH:elsewhere/app.pdb");
    CHECK_OK(symstore_lookup(root, &sk, NULL, NULL, &got));
    CHECK_STR(read_all(got), "pointed");
    free(got);

    /* With a destination store the pointed-to file is copied there. */
    char *dest = tmp_dir();
    CHECK_OK(symstore_lookup(root, &sk, dest, NULL, &got));
    CHECK(got && strncmp(got, dest, strlen(dest)) == 0);
    CHECK_STR(read_all(got), "pointed");
    free(got);
    rm_tree(dest);

    put_file(root, "app.pdb/" PDB_INDEX "/file.ptr", "MSG:withdrawn by the owner\n");
    struct dd_error *err = symstore_lookup(root, &sk, NULL, NULL, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND && strstr(err->message, "withdrawn by the owner"));
    dd_error_destroy(err);

    put_file(root, "app.pdb/" PDB_INDEX "/file.ptr", "PATH:\\\\server\\share\\app.pdb");
    char log[8192] = "";
    struct sym_log lg = {log_collect, log};
    err = symstore_lookup(root, &sk, NULL, &lg, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    CHECK(strstr(log, "Windows path") != NULL);
    dd_error_destroy(err);

    put_file(root, "app.pdb/" PDB_INDEX "/file.ptr", "garbage");
    err = symstore_lookup(root, &sk, NULL, NULL, &got);
    CHECK(err != NULL);
    dd_error_destroy(err);
    rm_tree(root);
}

TEST(symstore_lookup_plain_dir)
{
    char *dir = tmp_dir();
    if (!dir)
        return;
    struct sym_file_key im = {
        .kind = SYM_KEY_IMAGE, .name = "C:\\Windows\\System32\\Foo.DLL", .timestamp = 1,
        .image_size = 2};
    struct symstore_key sk;
    CHECK_OK(symstore_key_make(&im, &sk));
    char *got = NULL;
    struct dd_error *err = symstore_lookup_dir(dir, &sk, NULL, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    /* Probes: DIR/NAME, DIR/symbols/ext/NAME, DIR/ext/NAME; each file added below is found
     * ahead of the ones added before it. */
    put_file(dir, "dll/foo.dll", "by-ext");
    CHECK_OK(symstore_lookup_dir(dir, &sk, NULL, &got));
    CHECK_STR(read_all(got), "by-ext");
    free(got);
    put_file(dir, "Symbols/DLL/FOO.dll", "nested");
    CHECK_OK(symstore_lookup_dir(dir, &sk, NULL, &got));
    CHECK_STR(read_all(got), "nested");
    free(got);
    put_file(dir, "foo.dll", "plain");
    CHECK_OK(symstore_lookup_dir(dir, &sk, NULL, &got));
    CHECK_STR(read_all(got), "plain");
    free(got);
    rm_tree(dir);
}

/* ---- the path walk (no network) ---- */

static bool reject_first(void *ctx, const char *path, char **ret_reason)
{
    int *calls = ctx;
    if ((*calls)++ == 0) {
        *ret_reason = strdup("GUID mismatch");
        return false;
    }
    return true;
}

static bool no_partials_in(const char *root);

TEST(symsrv_find_local)
{
    char *base = tmp_dir();
    if (!base)
        return;
    char dir[4096], store[4096], cache[4096], def[4096], text[16384];
    snprintf(dir, sizeof(dir), "%s/dir", base);
    snprintf(store, sizeof(store), "%s/store", base);
    snprintf(cache, sizeof(cache), "%s/cache", base);
    snprintf(def, sizeof(def), "%s/default", base);
    put_file(store, "app.pdb/" PDB_INDEX "/app.pdb", "from-store");

    struct sympath *p;
    char log[8192] = "";
    struct sym_find_options o = {.default_store = def, .log = {log_collect, log}};
    char *got = NULL;

    /* Not found: the message tells why for each element. */
    snprintf(text, sizeof(text), "%s;c:\\symbols", dir);
    CHECK_OK(sympath_parse(text, &p));
    struct dd_error *err = symsrv_find(p, &pdb_key, &o, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    CHECK(err && strstr(err->message, "app.pdb not found") && strstr(err->message, "Windows path"));
    dd_error_destroy(err);
    sympath_destroy(p);

    /* A chain: found in the second tier, copied into the first. */
    snprintf(text, sizeof(text), "%s;srv*%s*%s", dir, cache, store);
    CHECK_OK(sympath_parse(text, &p));
    CHECK_OK(symsrv_find(p, &pdb_key, &o, &got));
    CHECK_STR(read_all(got), "from-store");
    free(got);
    char copy[4200];
    snprintf(copy, sizeof(copy), "%s/app.pdb/%s/app.pdb", cache, PDB_INDEX);
    CHECK(symfile_is_file(copy));
    sympath_destroy(p);

    /* The plain directory comes first in path order, unless the caller refuses its file. */
    put_file(dir, "app.pdb", "from-dir");
    snprintf(text, sizeof(text), "%s;srv*%s", dir, store);
    CHECK_OK(sympath_parse(text, &p));
    CHECK_OK(symsrv_find(p, &pdb_key, &o, &got));
    CHECK_STR(read_all(got), "from-dir");
    free(got);
    int calls = 0;
    o.accept = reject_first;
    o.accept_ctx = &calls;
    log[0] = '\0';
    CHECK_OK(symsrv_find(p, &pdb_key, &o, &got));
    CHECK_STR(read_all(got), "from-store");
    CHECK(strstr(log, "GUID mismatch") != NULL);
    free(got);
    o.accept = NULL;
    sympath_destroy(p);

    /* cache*DIR: the cache is the nearest tier of the srv* elements after it. */
    char cache2[4096];
    snprintf(cache2, sizeof(cache2), "%s/cache2", base);
    snprintf(text, sizeof(text), "cache*%s;srv*%s", cache2, store);
    CHECK_OK(sympath_parse(text, &p));
    CHECK_OK(symsrv_find(p, &pdb_key, &o, &got));
    CHECK(got && strncmp(got, store, strlen(store)) == 0);
    free(got);
    snprintf(copy, sizeof(copy), "%s/app.pdb/%s/app.pdb", cache2, PDB_INDEX);
    CHECK(symfile_is_file(copy));
    CHECK(no_partials_in(base));
    sympath_destroy(p);

    /* srv**STORE: the explicit default store is searched first and receives the copy. */
    snprintf(text, sizeof(text), "srv**%s", store);
    CHECK_OK(sympath_parse(text, &p));
    CHECK_OK(symsrv_find(p, &pdb_key, &o, &got));
    free(got);
    snprintf(copy, sizeof(copy), "%s/app.pdb/%s/app.pdb", def, PDB_INDEX);
    CHECK(symfile_is_file(copy));
    sympath_destroy(p);

    /* URL tiers without a download session are skipped with a reason. */
    CHECK_OK(sympath_parse("srv*https://example.invalid/symbols", &p));
    struct sym_file_key other = pdb_key;
    other.age = 9;
    err = symsrv_find(p, &other, &o, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND && strstr(err->message, "downloads are off"));
    dd_error_destroy(err);
    sympath_destroy(p);

    /* A name that would leave the store is refused before anything is probed. */
    CHECK_OK(sympath_parse(store, &p));
    other.name = "C:\\..";
    err = symsrv_find(p, &other, &o, &got);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    sympath_destroy(p);
    rm_tree(base);
}

static int partials_found;

static int check_partial(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    if (strstr(path + ftw->base, ".partial-"))
        partials_found++;
    return 0;
}

static bool no_partials_in(const char *root)
{
    partials_found = 0;
    nftw(root, check_partial, 16, FTW_PHYS);
    return partials_found == 0;
}

TEST(symfile_atomic)
{
    char *base = tmp_dir();
    if (!base)
        return;
    char final[4200];
    snprintf(final, sizeof(final), "%s/a/b/c.bin", base);
    struct symfile_temp t;
    CHECK_OK(symfile_temp_open(final, &t));
    CHECK_OK(symfile_temp_write(&t, "abc", 3));
    CHECK(!symfile_is_file(final));
    symfile_temp_abort(&t);
    CHECK(!symfile_is_file(final));
    CHECK(no_partials_in(base));
    CHECK_OK(symfile_temp_open(final, &t));
    CHECK_OK(symfile_temp_write(&t, "xyz", 3));
    CHECK_OK(symfile_temp_commit(&t));
    CHECK_STR(read_all(final), "xyz");
    CHECK(no_partials_in(base));
    char copy[4200];
    snprintf(copy, sizeof(copy), "%s/d/copy.bin", base);
    CHECK_OK(symfile_copy(final, copy));
    CHECK_STR(read_all(copy), "xyz");
    rm_tree(base);
}
