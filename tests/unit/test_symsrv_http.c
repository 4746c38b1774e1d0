/*
 * Symbol server downloads against a real HTTP server (tests/http/symserver.py on 127.0.0.1)
 * and CAB extraction of cabinets written by tests/http/make_cab.py, both independent of the
 * C code under test. Skipped when python3 is missing. Every test bounds its own time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sym/cab.h"
#include "sym/symfile.h"
#include "sym/symsrv.h"
#include "sym/symsrv_http.h"

#define HTTP_DIR DD_SOURCE_ROOT "/tests/http"

/* ---- helpers ---- */

static char *tmp_dir(void)
{
    char tmpl[] = "/tmp/dd-symhttp-XXXXXX";
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

static int partials_found, files_found;

static int count_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    if (strstr(path + ftw->base, ".partial-"))
        partials_found++;
    if (flag == FTW_F)
        files_found++;
    return 0;
}

/* Number of regular files under ROOT; *partials gets the number of temporary files. */
static int count_files(const char *root, int *partials)
{
    partials_found = files_found = 0;
    nftw(root, count_entry, 16, FTW_PHYS);
    *partials = partials_found;
    return files_found;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    *strrchr(dir, '/') = '\0';
    CHECK_OK(symfile_mkdirs(dir));
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_EQ(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* Reads PATH into a new buffer; NULL when it cannot be read. */
static uint8_t *read_bytes(const char *path, size_t *ret_len)
{
    *ret_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *ret_len = n;
    return buf;
}

static bool file_equals(const char *path, const uint8_t *want, size_t want_len)
{
    size_t n;
    uint8_t *got = read_bytes(path, &n);
    bool same = got && n == want_len && memcmp(got, want, n) == 0;
    free(got);
    return same;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool have_python(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = strdup(path), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char p[4096];
        snprintf(p, sizeof(p), "%s/python3", d);
        found = access(p, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* Runs ARGV and returns its exit status (-1 when it could not run). */
static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- the server, started once for the whole file ---- */

static pid_t server_pid;
static int server_port;
static char *server_root;
static bool server_tried;

static void server_stop(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
    rm_tree(server_root);
    server_root = NULL;
}

/* Starts symserver.py once; false (after check_skip) when it cannot run here. */
static bool server_start(void)
{
    if (server_tried) {
        if (server_port <= 0)
            check_skip("the test symbol server is not running (see the first skip)");
        return server_port > 0;
    }
    server_tried = true;
    if (!have_python()) {
        check_skip("python3 is missing: the HTTP symbol server tests need it");
        return false;
    }
    server_root = tmp_dir();
    /* fds: the server's stdout (the port). life: its stdin, held open by this process only;
     * the server exits on EOF, so it cannot outlive a test binary that crashes or is killed. */
    int fds[2], life[2];
    if (!server_root || pipe(fds) != 0)
        return false;
    if (pipe(life) != 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    fcntl(life[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        /* stderr too goes elsewhere: a server must never hold the caller's output pipe open. */
        int devnull = open("/dev/null", O_WRONLY);
        dup2(life[0], 0);
        dup2(fds[1], 1);
        if (devnull >= 0)
            dup2(devnull, 2);
        close(fds[0]);
        close(fds[1]);
        close(life[0]);
        execlp("python3", "python3", HTTP_DIR "/symserver.py", server_root, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    close(life[0]);
    server_pid = pid;
    atexit(server_stop);
    char line[32] = "";
    size_t n = 0;
    double deadline = now_s() + 15;
    while (n < sizeof(line) - 1 && !strchr(line, '\n') && now_s() < deadline) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        if (poll(&pfd, 1, 500) <= 0)
            continue;
        ssize_t r = read(fds[0], line + n, sizeof(line) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        line[n] = '\0';
    }
    close(fds[0]);
    server_port = atoi(line);
    if (server_port <= 0) {
        check_fail(__FILE__, __LINE__, "symserver.py did not report a port");
        return false;
    }
    return true;
}

static void url_of(char *buf, size_t len, const char *mode)
{
    snprintf(buf, len, "http://127.0.0.1:%d/%s", server_port, mode);
}

static void test_settings(struct symsrv_http_settings *s)
{
    symsrv_http_settings_init(s);
    s->connect_timeout_ms = 3000;
    s->low_speed_bytes = 1024;
    s->low_speed_seconds = 1;
    s->total_timeout_ms = 10000;
    s->retries = 2;
    s->retry_delay_ms = 10;
    s->proxy = ""; /* never send 127.0.0.1 through a proxy from the environment */
}

/* How often the server saw PATH (-1 when the stats cannot be read); UA gets the last agent. */
static int server_count(const char *path, char *ua, size_t ua_len)
{
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h;
    if (symsrv_http_create(&s, &h))
        return -1;
    char url[256], dest[4200];
    url_of(url, sizeof(url), "stats");
    snprintf(dest, sizeof(dest), "%s.stats-%d", server_root, (int)getpid());
    struct dd_error *err = symsrv_http_download(h, url, dest);
    symsrv_http_destroy(h);
    if (err) {
        dd_error_destroy(err);
        return -1;
    }
    size_t n;
    char *text = (char *)read_bytes(dest, &n);
    unlink(dest);
    if (!text)
        return -1;
    text = realloc(text, n + 1);
    text[n] = '\0';
    int count = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        if (strncmp(line, "ua ", 3) == 0 && ua)
            snprintf(ua, ua_len, "%s", line + 3);
        else if (strcmp(sp + 1, path) == 0)
            count = atoi(line);
    }
    free(text);
    return count;
}

/* The test file, 100 KB: four MSZIP blocks, part text and part pseudo-random bytes. */
#define DATA_LEN 100000
static uint8_t test_data[DATA_LEN];

#define INDEX "0123456789ABCDEF0123456789ABCDEF3"
static const struct sym_guid test_guid = {
    0x01234567, 0x89ab, 0xcdef, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}};

static void make_key(const char *name, struct symstore_key *ret)
{
    struct sym_file_key k = {.kind = SYM_KEY_PDB, .name = name, .guid = test_guid, .age = 3};
    CHECK_OK(symstore_key_make(&k, ret));
}

/* Starts the server, puts the test file in its store as NAME; false when the test must stop. */
static bool setup(const char *name)
{
    if (!server_start())
        return false;
    uint32_t x = 12345;
    for (size_t i = 0; i < DATA_LEN; i++) {
        x = x * 1103515245 + 12345;
        test_data[i] = i < DATA_LEN / 2 ? (uint8_t)("symbol data "[i % 12]) : (uint8_t)(x >> 16);
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/%s/%s", server_root, name, INDEX, name);
    write_bytes(path, test_data, DATA_LEN);
    return true;
}

static struct symsrv_http *session(struct symsrv_http_settings *s)
{
    struct symsrv_http *h = NULL;
    CHECK_OK(symsrv_http_create(s, &h));
    return h;
}

/* ---- tests ---- */

TEST(symsrv_http_success)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char *cache = tmp_dir(), url[256], *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("C:\\build\\app.pdb", &k);
    url_of(url, sizeof(url), "store/");
    CHECK_OK(symsrv_http_fetch(h, url, &k, cache, &got));
    char want[4200];
    snprintf(want, sizeof(want), "%s/app.pdb/%s/app.pdb", cache, INDEX);
    CHECK_STR(got, want);
    CHECK(got && file_equals(got, test_data, DATA_LEN));
    CHECK_EQ(symsrv_http_request_count(h), 1);
    char ua[128] = "";
    CHECK_EQ(server_count("/store/app.pdb/" INDEX "/app.pdb", ua, sizeof(ua)), 1);
    CHECK_STR(ua, SYMSRV_HTTP_USER_AGENT);
    free(got);
    /* Already in the cache: no request. */
    CHECK_OK(symsrv_http_fetch(h, url, &k, cache, &got));
    CHECK_EQ(symsrv_http_request_count(h), 1);
    free(got);
    int partials;
    CHECK_EQ(count_files(cache, &partials), 1);
    CHECK_EQ(partials, 0);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

TEST(symsrv_http_not_found_is_remembered)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char *cache = tmp_dir(), url[256], *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("missing.pdb", &k);
    url_of(url, sizeof(url), "store");
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    /* The file, its compressed form and file.ptr: one request each, no retries on 404. */
    CHECK_EQ(symsrv_http_request_count(h), 3);
    CHECK_EQ(server_count("/store/missing.pdb/" INDEX "/missing.pdb", NULL, 0), 1);
    CHECK_EQ(server_count("/store/missing.pdb/" INDEX "/missing.pd_", NULL, 0), 1);
    CHECK_EQ(server_count("/store/missing.pdb/" INDEX "/file.ptr", NULL, 0), 1);
    err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    CHECK_EQ(symsrv_http_request_count(h), 3);
    CHECK_EQ(server_count("/store/missing.pdb/" INDEX "/missing.pdb", NULL, 0), 1);
    /* A miss leaves nothing behind, not even directories. */
    int partials;
    CHECK_EQ(count_files(cache, &partials), 0);
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/missing.pdb", cache);
    CHECK(access(dir, F_OK) != 0);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

TEST(symsrv_http_500_bounded_retries)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char *cache = tmp_dir(), url[256], *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("app.pdb", &k);
    url_of(url, sizeof(url), "e500");
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_IO);
    dd_error_destroy(err);
    CHECK_EQ(server_count("/e500/app.pdb/" INDEX "/app.pdb", NULL, 0), 3);
    /* A server error ends the search on that server: the compressed form is not asked for. */
    CHECK_EQ(server_count("/e500/app.pdb/" INDEX "/app.pd_", NULL, 0), 0);

    /* 500 then 200: the retry succeeds. */
    url_of(url, sizeof(url), "flaky");
    CHECK_OK(symsrv_http_fetch(h, url, &k, cache, &got));
    CHECK(got && file_equals(got, test_data, DATA_LEN));
    free(got);
    CHECK_EQ(server_count("/flaky/app.pdb/" INDEX "/app.pdb", NULL, 0), 2);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

TEST(symsrv_http_slow_times_out)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char *cache = tmp_dir(), url[256], *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    s.retries = 1;
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("app.pdb", &k);
    url_of(url, sizeof(url), "slow");
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    double took = now_s() - t0;
    CHECK(err && err->code == DD_ERR_IO);
    dd_error_destroy(err);
    /* Two attempts of about one second below 1 KB/s each. */
    CHECK(took < 8);
    CHECK_EQ(server_count("/slow/app.pdb/" INDEX "/app.pdb", NULL, 0), 2);
    int partials;
    CHECK_EQ(count_files(cache, &partials), 0);
    CHECK_EQ(partials, 0);
    symsrv_http_destroy(h);
    rm_tree(cache);
}

TEST(symsrv_http_truncated_leaves_nothing)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char *cache = tmp_dir(), url[256], *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("app.pdb", &k);
    url_of(url, sizeof(url), "trunc");
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_IO);
    dd_error_destroy(err);
    CHECK_EQ(server_count("/trunc/app.pdb/" INDEX "/app.pdb", NULL, 0), 3);
    int partials;
    CHECK_EQ(count_files(cache, &partials), 0);
    CHECK_EQ(partials, 0);

    /* Over the size limit: refused, nothing kept. */
    symsrv_http_destroy(h);
    s.max_size = 1000;
    h = session(&s);
    url_of(url, sizeof(url), "store");
    err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err != NULL);
    dd_error_destroy(err);
    CHECK_EQ(count_files(cache, &partials), 0);
    CHECK_EQ(partials, 0);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

TEST(symsrv_http_redirects)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char *cache = tmp_dir(), url[256], *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("app.pdb", &k);
    url_of(url, sizeof(url), "redirect");
    CHECK_OK(symsrv_http_fetch(h, url, &k, cache, &got));
    CHECK(got && file_equals(got, test_data, DATA_LEN));
    free(got);
    rm_tree(cache);
    cache = tmp_dir();
    url_of(url, sizeof(url), "loop");
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    /* The first request and at most max_redirects more. */
    int n = server_count("/loop/app.pdb/" INDEX "/app.pdb", NULL, 0);
    CHECK(n >= 2 && n <= 1 + s.max_redirects);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

TEST(symsrv_http_compressed)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("app.pdb", &k);
    static const char *modes[] = {"cab", "cabstored"};
    for (size_t i = 0; i < 2; i++) {
        char *cache = tmp_dir(), url[256], *got = NULL;
        url_of(url, sizeof(url), modes[i]);
        CHECK_OK(symsrv_http_fetch(h, url, &k, cache, &got));
        char want[4200];
        snprintf(want, sizeof(want), "%s/app.pdb/%s/app.pdb", cache, INDEX);
        CHECK_STR(got, want);
        CHECK(got && file_equals(got, test_data, DATA_LEN));
        free(got);
        /* Only the decompressed file stays. */
        int partials;
        CHECK_EQ(count_files(cache, &partials), 1);
        CHECK_EQ(partials, 0);
        rm_tree(cache);
    }
    char *cache = tmp_dir(), url[256], *got = NULL;
    url_of(url, sizeof(url), "badcab");
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err != NULL);
    dd_error_destroy(err);
    int partials;
    CHECK_EQ(count_files(cache, &partials), 0);
    CHECK_EQ(partials, 0);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

TEST(symsrv_http_fileptr)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char text[512], path[4200];
    snprintf(text, sizeof(text), "PATH:http://127.0.0.1:%d/store/app.pdb/%s/app.pdb\r\n",
             server_port, INDEX);
    snprintf(path, sizeof(path), "%s/ptr.pdb/%s/file.ptr", server_root, INDEX);
    write_bytes(path, text, strlen(text));
    snprintf(path, sizeof(path), "%s/msg.pdb/%s/file.ptr", server_root, INDEX);
    write_bytes(path, "MSG:removed by the publisher", 28);
    snprintf(path, sizeof(path), "%s/local.pdb/%s/file.ptr", server_root, INDEX);
    write_bytes(path, "PATH:/etc/passwd", 16);

    char *cache = tmp_dir(), url[256], *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    url_of(url, sizeof(url), "store");
    make_key("ptr.pdb", &k);
    CHECK_OK(symsrv_http_fetch(h, url, &k, cache, &got));
    char want[4200];
    snprintf(want, sizeof(want), "%s/ptr.pdb/%s/ptr.pdb", cache, INDEX);
    CHECK_STR(got, want);
    CHECK(got && file_equals(got, test_data, DATA_LEN));
    free(got);

    make_key("msg.pdb", &k);
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND && strstr(err->message, "removed by the publisher"));
    dd_error_destroy(err);

    /* A server cannot make us read local files. */
    make_key("local.pdb", &k);
    err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND && strstr(err->message, "not followed"));
    dd_error_destroy(err);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

static bool cancel_progress(void *ctx, const char *url, uint64_t done, uint64_t total)
{
    int *calls = ctx;
    (*calls)++;
    return false;
}

TEST(symsrv_http_unreachable_and_cancel)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    /* A port nobody listens on: bind one, note it, close it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
    close(fd);
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/symbols", ntohs(a.sin_port));

    char *cache = tmp_dir(), *got = NULL;
    struct symsrv_http_settings s;
    test_settings(&s);
    struct symsrv_http *h = session(&s);
    struct symstore_key k;
    make_key("app.pdb", &k);
    struct dd_error *err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_IO);
    dd_error_destroy(err);
    CHECK_EQ(symsrv_http_request_count(h), 1);
    /* The server is not asked again in this session, whatever the file. */
    make_key("other.pdb", &k);
    err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err != NULL);
    dd_error_destroy(err);
    CHECK_EQ(symsrv_http_request_count(h), 1);
    symsrv_http_destroy(h);

    int calls = 0;
    s.progress = cancel_progress;
    s.progress_ctx = &calls;
    h = session(&s);
    make_key("app.pdb", &k);
    url_of(url, sizeof(url), "store");
    err = symsrv_http_fetch(h, url, &k, cache, &got);
    CHECK(err && err->code == DD_ERR_STOP);
    dd_error_destroy(err);
    CHECK(calls > 0);
    int partials;
    CHECK_EQ(count_files(cache, &partials), 0);
    CHECK_EQ(partials, 0);
    symsrv_http_destroy(h);
    rm_tree(cache);
    CHECK(now_s() - t0 < 5);
}

static void log_collect(void *ctx, const char *msg)
{
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 16384 - n, "%s\n", msg);
}

TEST(symsrv_find_over_http)
{
    if (!setup("app.pdb"))
        return;
    double t0 = now_s();
    char *base = tmp_dir(), text[2048], log[16384] = "";
    struct symsrv_http_settings s;
    test_settings(&s);
    s.log = (struct sym_log){log_collect, log};
    struct symsrv_http *h = session(&s);
    struct sym_find_options o = {.http = h, .log = {log_collect, log}};
    char def[4096];
    snprintf(def, sizeof(def), "%s/default", base);
    o.default_store = def;
    struct sym_file_key k = {.kind = SYM_KEY_PDB, .name = "app.pdb", .guid = test_guid, .age = 3};

    /* A chain: a 404 server, then the one that has it; the file lands in the local tier. */
    snprintf(text, sizeof(text), "srv*%s/cache*http://127.0.0.1:%d/e404*http://127.0.0.1:%d/store",
             base, server_port, server_port);
    struct sympath *p;
    CHECK_OK(sympath_parse(text, &p));
    char *got = NULL;
    CHECK_OK(symsrv_find(p, &k, &o, &got));
    char want[4200];
    snprintf(want, sizeof(want), "%s/cache/app.pdb/%s/app.pdb", base, INDEX);
    CHECK_STR(got, want);
    CHECK(got && file_equals(got, test_data, DATA_LEN));
    CHECK(strstr(log, "HTTPGET: http://127.0.0.1") != NULL);
    CHECK(strstr(log, "HTTP status 404") != NULL);
    free(got);
    sympath_destroy(p);

    /* srv*URL: the default downstream store takes the download; cache* replaces it. */
    snprintf(text, sizeof(text), "srv*http://127.0.0.1:%d/cab", server_port);
    CHECK_OK(sympath_parse(text, &p));
    CHECK_OK(symsrv_find(p, &k, &o, &got));
    snprintf(want, sizeof(want), "%s/app.pdb/%s/app.pdb", def, INDEX);
    CHECK_STR(got, want);
    free(got);
    sympath_destroy(p);
    snprintf(text, sizeof(text), "cache*%s/c2;srv*http://127.0.0.1:%d/cabstored", base,
             server_port);
    CHECK_OK(sympath_parse(text, &p));
    CHECK_OK(symsrv_find(p, &k, &o, &got));
    snprintf(want, sizeof(want), "%s/c2/app.pdb/%s/app.pdb", base, INDEX);
    CHECK_STR(got, want);
    CHECK(got && file_equals(got, test_data, DATA_LEN));
    free(got);
    sympath_destroy(p);

    /* Not anywhere: the reason names the servers. */
    k.age = 4;
    snprintf(text, sizeof(text), "srv*%s/cache*http://127.0.0.1:%d/store", base, server_port);
    CHECK_OK(sympath_parse(text, &p));
    struct dd_error *err = symsrv_find(p, &k, &o, &got);
    CHECK(err && err->code == DD_ERR_NOT_FOUND && strstr(err->message, "/store/app.pdb/"));
    dd_error_destroy(err);
    sympath_destroy(p);
    int partials;
    count_files(base, &partials);
    CHECK_EQ(partials, 0);
    symsrv_http_destroy(h);
    rm_tree(base);
    CHECK(now_s() - t0 < 5);
}

/* Writes TEST_DATA to DIR/in and runs make_cab.py with FLAG (or none) into OUT. */
static bool make_cab(const char *dir, const char *flag, const char *out)
{
    char in[4200];
    snprintf(in, sizeof(in), "%s/in.pdb", dir);
    write_bytes(in, test_data, DATA_LEN);
    char *argv[8];
    int n = 0;
    argv[n++] = "python3";
    argv[n++] = HTTP_DIR "/make_cab.py";
    if (flag)
        argv[n++] = (char *)flag;
    argv[n++] = in;
    argv[n++] = (char *)out;
    argv[n] = NULL;
    int rc = run(argv);
    unlink(in);
    if (rc != 0)
        check_fail(__FILE__, __LINE__, "make_cab.py failed (%d)", rc);
    return rc == 0;
}

TEST(cab_extract_checks)
{
    if (!setup("app.pdb"))
        return;
    char *dir = tmp_dir(), cab[4200];
    snprintf(cab, sizeof(cab), "%s/x.pd_", dir);
    static const char *flags[] = {NULL, "--stored"};
    for (size_t i = 0; i < 2; i++) {
        if (!make_cab(dir, flags[i], cab))
            break;
        size_t n = 0, got_len = 0;
        uint8_t *bytes = read_bytes(cab, &n), *got = NULL;
        CHECK(bytes && cab_is_cabinet(bytes, n));
        CHECK_OK(cab_extract_memory(bytes, n, CAB_DEFAULT_MAX_SIZE, &got, &got_len));
        CHECK(got && got_len == DATA_LEN && memcmp(got, test_data, DATA_LEN) == 0);
        free(got);
        /* The cap holds: one byte less than the file is refused. */
        struct dd_error *err = cab_extract_memory(bytes, n, DATA_LEN - 1, &got, &got_len);
        CHECK(err != NULL);
        dd_error_destroy(err);
        /* Every cut of the cabinet is refused cleanly. */
        for (size_t cut = 0; cut < n; cut += n / 97 + 1) {
            err = cab_extract_memory(bytes, cut, CAB_DEFAULT_MAX_SIZE, &got, &got_len);
            CHECK(err != NULL);
            dd_error_destroy(err);
        }
        /* A flipped data byte fails the block checksum. */
        bytes[n - 100] ^= 0x55;
        err = cab_extract_memory(bytes, n, CAB_DEFAULT_MAX_SIZE, &got, &got_len);
        CHECK(err != NULL);
        dd_error_destroy(err);
        free(bytes);
    }
    if (make_cab(dir, "--extra-file", cab)) {
        size_t n = 0, got_len = 0;
        uint8_t *bytes = read_bytes(cab, &n), *got = NULL;
        struct dd_error *err = cab_extract_memory(bytes, n, CAB_DEFAULT_MAX_SIZE, &got, &got_len);
        CHECK(err && strstr(err->message, "several"));
        dd_error_destroy(err);
        free(bytes);
    }

    /* A local store holding only the compressed file: decompressed into the destination. */
    char store[4200], out[4200];
    snprintf(store, sizeof(store), "%s/store/app.pdb/%s/app.pd_", dir, INDEX);
    write_bytes(store, "", 0);
    if (make_cab(dir, NULL, store)) {
        snprintf(store, sizeof(store), "%s/store", dir);
        snprintf(out, sizeof(out), "%s/dest", dir);
        struct symstore_key k;
        make_key("app.pdb", &k);
        char *got = NULL;
        CHECK_OK(symstore_lookup(store, &k, out, NULL, &got));
        char want[4400];
        snprintf(want, sizeof(want), "%s/app.pdb/%s/app.pdb", out, INDEX);
        CHECK_STR(got, want);
        CHECK(got && file_equals(got, test_data, DATA_LEN));
        free(got);
    }
    rm_tree(dir);
}
