/* Symbol server downloads with libcurl: bounded, retried, atomic, with a session failure cache. */
#include "sym/symsrv_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fmt.h"
#include "sym/cab.h"
#include "sym/curl_api.h"
#include "sym/symfile.h"

/* A file.ptr is one short line. */
#define FILEPTR_MAX 65536

/* A set of strings (open addressing, FNV-1a); remembers failed URLs and unreachable servers. */
struct strset {
    char **slots;
    size_t cap, count;
};

/* libcurl's functions, loaded by the first request (sym/curl_api.h): a client that never
 * downloads (a symbol path of local directories) never loads libcurl. */
static const struct curl_api *lib;

struct symsrv_http {
    struct symsrv_http_settings settings;
    char *user_agent;
    char *proxy;
    CURL *curl;
    struct strset failed;  /* URLs that failed: not asked again */
    struct strset dead;    /* servers that could not be reached */
    unsigned long requests;
};

/* Where a transfer's body goes: a temporary file or a small memory buffer. */
struct http_sink {
    struct symsrv_http *h;
    const char *url;
    const char *dest_path;     /* file output: opened on the first byte of a 200 answer */
    struct symfile_temp temp;
    bool temp_open;
    char *buf;
    size_t buf_max;
    uint64_t written;
    bool too_large;
    bool cancelled;
    struct dd_error *error;
};

static uint64_t strset_hash(const char *s)
{
    uint64_t x = 0xcbf29ce484222325ull;
    for (; *s; s++)
        x = (x ^ (unsigned char)*s) * 0x100000001b3ull;
    return x;
}

static bool strset_has(const struct strset *set, const char *s)
{
    if (set->cap == 0)
        return false;
    for (size_t i = strset_hash(s) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slots[i])
            return false;
        if (strcmp(set->slots[i], s) == 0)
            return true;
    }
}

/* Adds S; failure to remember is harmless (the URL is asked again), so OOM is ignored. */
static void strset_add(struct strset *set, const char *s)
{
    if (strset_has(set, s))
        return;
    if ((set->count + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        char **slots = calloc(cap, sizeof(*slots));
        if (!slots)
            return;
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slots[i])
                continue;
            size_t j = strset_hash(set->slots[i]) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy)
        return;
    size_t i = strset_hash(s) & (set->cap - 1);
    while (set->slots[i])
        i = (i + 1) & (set->cap - 1);
    set->slots[i] = copy;
    set->count++;
}

static void strset_free(struct strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    set->slots = NULL;
    set->cap = set->count = 0;
}

void symsrv_http_settings_init(struct symsrv_http_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->connect_timeout_ms = 10000;
    s->low_speed_bytes = 1024;
    s->low_speed_seconds = 15;
    s->total_timeout_ms = 0;
    s->retries = 2;
    s->retry_delay_ms = 500;
    s->max_redirects = 5;
    s->max_size = (uint64_t)4 << 30;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct http_sink *sink = ctx;
    size_t n = size * nmemb;
    long status = 0;
    lib->easy_getinfo(sink->h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200)
        return n; /* an error page: read and dropped */
    uint64_t max = sink->dest_path ? sink->h->settings.max_size : sink->buf_max;
    curl_off_t length = -1;
    lib->easy_getinfo(sink->h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if ((length > 0 && (uint64_t)length > max) || n > max - sink->written) {
        sink->too_large = true;
        return 0;
    }
    if (sink->dest_path) {
        if (!sink->temp_open) {
            if ((sink->error = symfile_temp_open(sink->dest_path, &sink->temp)) != NULL)
                return 0;
            sink->temp_open = true;
        }
        if ((sink->error = symfile_temp_write(&sink->temp, data, n)) != NULL)
            return 0;
    } else {
        memcpy(sink->buf + sink->written, data, n);
    }
    sink->written += n;
    return n;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct http_sink *sink = ctx;
    const struct symsrv_http_settings *s = &sink->h->settings;
    if (!s->progress)
        return 0;
    if (!s->progress(s->progress_ctx, sink->url, dlnow > 0 ? (uint64_t)dlnow : 0,
                     dltotal > 0 ? (uint64_t)dltotal : 0)) {
        sink->cancelled = true;
        return 1;
    }
    return 0;
}

struct dd_error *symsrv_http_create(const struct symsrv_http_settings *settings,
                                    struct symsrv_http **ret)
{
    struct symsrv_http *h = calloc(1, sizeof(*h));
    if (!h)
        return &dd_error_no_memory;
    h->settings = *settings;
    h->user_agent = strdup(settings->user_agent ? settings->user_agent : SYMSRV_HTTP_USER_AGENT);
    h->proxy = settings->proxy ? strdup(settings->proxy) : NULL;
    if (!h->user_agent || (settings->proxy && !h->proxy)) {
        symsrv_http_destroy(h);
        return &dd_error_no_memory;
    }
    h->settings.user_agent = h->user_agent;
    h->settings.proxy = h->proxy;
    *ret = h;
    return NULL;
}

void symsrv_http_destroy(struct symsrv_http *h)
{
    if (!h)
        return;
    if (h->curl)
        lib->easy_cleanup(h->curl);
    strset_free(&h->failed);
    strset_free(&h->dead);
    free(h->user_agent);
    free(h->proxy);
    free(h);
}

unsigned long symsrv_http_request_count(const struct symsrv_http *h)
{
    return h->requests;
}

/* How one attempt ended. */
enum attempt_result {
    ATTEMPT_OK,
    ATTEMPT_NOT_FOUND, /* a 4xx answer or too many redirects: asking again will not help */
    ATTEMPT_RETRY,     /* 5xx, timeout, cut transfer: worth another try */
    ATTEMPT_DEAD,      /* the server cannot be reached at all */
    ATTEMPT_FAIL,      /* anything else: give up on this URL */
    ATTEMPT_STOP,      /* cancelled by the progress callback */
};

static void setup_request(struct symsrv_http *h, const char *url, struct http_sink *sink)
{
    const struct symsrv_http_settings *s = &h->settings;
    CURL *c = h->curl;
    lib->easy_reset(c);
    lib->easy_setopt(c, CURLOPT_URL, url);
    lib->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    lib->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    lib->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    lib->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    lib->easy_setopt(c, CURLOPT_MAXREDIRS, s->max_redirects);
    lib->easy_setopt(c, CURLOPT_USERAGENT, s->user_agent);
    lib->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    lib->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, s->low_speed_bytes);
    lib->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, s->low_speed_seconds);
    if (s->total_timeout_ms > 0)
        lib->easy_setopt(c, CURLOPT_TIMEOUT_MS, s->total_timeout_ms);
    if (s->proxy)
        lib->easy_setopt(c, CURLOPT_PROXY, s->proxy);
    lib->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    lib->easy_setopt(c, CURLOPT_WRITEDATA, sink);
    lib->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    lib->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    lib->easy_setopt(c, CURLOPT_XFERINFODATA, sink);
}

static enum attempt_result attempt(struct symsrv_http *h, const char *url, struct http_sink *sink)
{
    const struct sym_log *log = &h->settings.log;
    if (!h->curl) {
        struct dd_error *err = curl_api_get(&lib);
        if (!err && !(h->curl = lib->easy_init()))
            err = &dd_error_no_memory;
        if (err) {
            sym_log_printf(log, "SYMSRV:  %s - %s", url, err->message);
            dd_error_destroy(err);
            return ATTEMPT_DEAD;
        }
    }
    setup_request(h, url, sink);
    h->requests++;
    sym_log_printf(log, "SYMSRV:  HTTPGET: %s", url);
    CURLcode rc = lib->easy_perform(h->curl);
    long status = 0;
    lib->easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (sink->cancelled) {
        sym_log_printf(log, "SYMSRV:  %s - cancelled", url);
        return ATTEMPT_STOP;
    }
    if (sink->error) {
        sym_log_printf(log, "SYMSRV:  %s - %s", url, sink->error->message);
        return ATTEMPT_FAIL;
    }
    if (sink->too_large) {
        sym_log_printf(log, "SYMSRV:  %s - larger than the size limit", url);
        return ATTEMPT_FAIL;
    }
    if (rc == CURLE_OK) {
        curl_off_t length = -1;
        lib->easy_getinfo(h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        sym_log_printf(log, "SYMSRV:  HTTP status %ld", status);
        if (status == 200 && length >= 0 && (uint64_t)length != sink->written) {
            sym_log_printf(log, "SYMSRV:  %s - got %llu of %lld bytes", url,
                           (unsigned long long)sink->written, (long long)length);
            return ATTEMPT_RETRY;
        }
        if (status == 200)
            return ATTEMPT_OK;
        if (status >= 500)
            return ATTEMPT_RETRY;
        return ATTEMPT_NOT_FOUND;
    }
    sym_log_printf(log, "SYMSRV:  %s - %s", url, lib->easy_strerror(rc));
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return ATTEMPT_DEAD;
    case CURLE_OPERATION_TIMEDOUT: {
        /* A timeout before the connection was made means the server is out of reach. A reused
         * connection reports no connect time, but the request went out: pretransfer is set. */
        curl_off_t connect = 0, pretransfer = 0;
        lib->easy_getinfo(h->curl, CURLINFO_CONNECT_TIME_T, &connect);
        lib->easy_getinfo(h->curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
        return connect == 0 && pretransfer == 0 ? ATTEMPT_DEAD : ATTEMPT_RETRY;
    }
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return ATTEMPT_RETRY;
    case CURLE_TOO_MANY_REDIRECTS:
        return ATTEMPT_NOT_FOUND;
    default:
        return ATTEMPT_FAIL;
    }
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/*
 * GETs URL from SERVER (the base URL, for the unreachable-server set) into a fresh SINK per
 * attempt: DEST_PATH's temporary file when set, else BUF (BUF_MAX bytes; ret_len its length).
 */
static struct dd_error *http_get(struct symsrv_http *h, const char *server, const char *url,
                                 const char *dest_path, char *buf, size_t buf_max,
                                 size_t *ret_len)
{
    const struct sym_log *log = &h->settings.log;
    if (server && strset_has(&h->dead, server)) {
        sym_log_printf(log, "SYMSRV:  %s - server unreachable earlier in this session", url);
        return dd_error_create(DD_ERR_NOT_FOUND, "%s: server unreachable", server);
    }
    if (strset_has(&h->failed, url)) {
        sym_log_printf(log, "SYMSRV:  %s - failed earlier in this session", url);
        return dd_error_create(DD_ERR_NOT_FOUND, "%s: failed earlier", url);
    }
    enum attempt_result r = ATTEMPT_FAIL;
    for (unsigned n = 0; n <= h->settings.retries; n++) {
        if (n > 0) {
            sym_log_printf(log, "SYMSRV:  retry %u of %u", n, h->settings.retries);
            sleep_ms(h->settings.retry_delay_ms * (long)n);
        }
        struct http_sink sink = {
            .h = h, .url = url, .dest_path = dest_path, .buf = buf, .buf_max = buf_max};
        r = attempt(h, url, &sink);
        dd_error_destroy(sink.error);
        if (r == ATTEMPT_OK && dest_path) {
            /* An empty file gets no write callback: create it now. */
            struct dd_error *err = NULL;
            if (!sink.temp_open && (err = symfile_temp_open(dest_path, &sink.temp)) != NULL)
                return err;
            return symfile_temp_commit(&sink.temp);
        }
        if (r == ATTEMPT_OK) {
            *ret_len = (size_t)sink.written;
            return NULL;
        }
        if (sink.temp_open)
            symfile_temp_abort(&sink.temp);
        if (r != ATTEMPT_RETRY)
            break;
    }
    switch (r) {
    case ATTEMPT_STOP:
        return &dd_error_stop;
    case ATTEMPT_DEAD:
        if (server)
            strset_add(&h->dead, server);
        strset_add(&h->failed, url);
        return dd_error_create(DD_ERR_IO, "%s: cannot reach the server", url);
    case ATTEMPT_NOT_FOUND:
        strset_add(&h->failed, url);
        return dd_error_create(DD_ERR_NOT_FOUND, "%s: not found", url);
    default:
        strset_add(&h->failed, url);
        return dd_error_create(DD_ERR_IO, "%s: download failed", url);
    }
}

struct dd_error *symsrv_http_download(struct symsrv_http *h, const char *url,
                                      const char *dest_path)
{
    return http_get(h, NULL, url, dest_path, NULL, 0, NULL);
}

/* Appends S to B percent-encoded (RFC 3986 unreserved characters kept). */
static void url_encode(char *b, size_t *len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        if (plain) {
            b[(*len)++] = (char)*p;
        } else {
            b[(*len)++] = '%';
            b[(*len)++] = hex[*p >> 4];
            b[(*len)++] = hex[*p & 15];
        }
    }
    b[*len] = '\0';
}

/* Returns a new "BASE/NAME/INDEX/FILE" URL; NULL on OOM. */
static char *key_url(const char *base, const struct symstore_key *key, const char *file)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    size_t cap = bl + 3 * (strlen(key->name) + strlen(key->index) + strlen(file)) + 4;
    char *u = malloc(cap);
    if (!u)
        return NULL;
    memcpy(u, base, bl);
    size_t len = bl;
    u[len++] = '/';
    url_encode(u, &len, key->name);
    u[len++] = '/';
    url_encode(u, &len, key->index);
    u[len++] = '/';
    url_encode(u, &len, file);
    return u;
}

static struct dd_error *fetch_compressed(struct symsrv_http *h, const char *base_url,
                                         const struct symstore_key *key, const char *store_root,
                                         const char *dest)
{
    char *url = key_url(base_url, key, key->compressed);
    char *cpath = NULL;
    if (!url)
        return &dd_error_no_memory;
    struct dd_error *err = symstore_path(store_root, key, key->compressed, &cpath);
    if (!err)
        err = http_get(h, base_url, url, cpath, NULL, 0, NULL);
    if (!err) {
        err = cab_extract_file(cpath, dest, h->settings.max_size);
        unlink(cpath);
        if (err) {
            sym_log_printf(&h->settings.log, "SYMSRV:  %s - %s", url, err->message);
            /* A bad cabinet will not get better: remember it like any failed URL. */
            strset_add(&h->failed, url);
        }
    }
    free(cpath);
    free(url);
    return err;
}

static struct dd_error *fetch_fileptr(struct symsrv_http *h, const char *base_url,
                                      const struct symstore_key *key, const char *dest)
{
    char *url = key_url(base_url, key, "file.ptr");
    char *buf = malloc(FILEPTR_MAX);
    if (!url || !buf) {
        free(url);
        free(buf);
        return &dd_error_no_memory;
    }
    size_t len = 0;
    char *target = NULL;
    struct dd_error *err = http_get(h, base_url, url, NULL, buf, FILEPTR_MAX, &len);
    if (!err)
        err = symstore_fileptr_parse(buf, len, &target);
    free(buf);
    if (!err) {
        bool http = dd_strncasecmp(target, "http://", 7) == 0 ||
                    dd_strncasecmp(target, "https://", 8) == 0;
        if (http) {
            sym_log_printf(&h->settings.log, "SYMSRV:  %s -> %s", url, target);
            err = http_get(h, NULL, target, dest, NULL, 0, NULL);
        } else {
            /* A server must not make us read local files: only URLs are followed. */
            err = dd_error_create(DD_ERR_NOT_FOUND, "%s points to %s, not a URL; not followed",
                                  url, target);
            sym_log_printf(&h->settings.log, "SYMSRV:  %s", err->message);
        }
    } else if (err->code != DD_ERR_STOP) {
        sym_log_printf(&h->settings.log, "SYMSRV:  %s - %s", url, err->message);
    }
    free(target);
    free(url);
    return err;
}

struct dd_error *symsrv_http_fetch(struct symsrv_http *h, const char *base_url,
                                   const struct symstore_key *key, const char *store_root,
                                   char **ret)
{
    char *dest, *url;
    struct dd_error *err = symstore_path(store_root, key, key->file, &dest);
    if (err)
        return err;
    if (symfile_is_file(dest)) {
        *ret = dest;
        return NULL;
    }
    if (!(url = key_url(base_url, key, key->file))) {
        free(dest);
        return &dd_error_no_memory;
    }
    err = http_get(h, base_url, url, dest, NULL, 0, NULL);
    free(url);
    /* Only "not there" moves on to the other forms; a dead server or a cancel ends the search. */
    if (err && err->code == DD_ERR_NOT_FOUND && key->compressed[0] &&
        !strset_has(&h->dead, base_url)) {
        dd_error_destroy(err);
        err = fetch_compressed(h, base_url, key, store_root, dest);
    }
    if (err && err->code == DD_ERR_NOT_FOUND && !strset_has(&h->dead, base_url)) {
        dd_error_destroy(err);
        err = fetch_fileptr(h, base_url, key, dest);
    }
    if (err) {
        free(dest);
        return err;
    }
    *ret = dest;
    return NULL;
}
