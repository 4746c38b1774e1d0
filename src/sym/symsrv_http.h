/*
 * Symbol server downloads over HTTP(S) with libcurl.
 *
 * A server is asked for URL/NAME/KEY/FILE, then the compressed URL/NAME/KEY/FIL_ (a CAB,
 * decompressed into the store), then URL/NAME/KEY/file.ptr (whose PATH: may name another
 * http(s) URL; a local or Windows path from a server is not followed). Files land in a local
 * store atomically. Timeouts and retries are bounded; URLs that failed are remembered for the
 * life of the session (struct symsrv_http) and not asked again, and a server that cannot be
 * reached at all is not asked again either.
 */
#ifndef DD_SYM_SYMSRV_HTTP_H
#define DD_SYM_SYMSRV_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "sym/symstore.h"

/* What symsrv sends; some servers answer only clients that look like it. */
#define SYMSRV_HTTP_USER_AGENT "Microsoft-Symbol-Server/10.0.0.0"

struct symsrv_http_settings {
    long connect_timeout_ms; /* connection setup bound (default 10000) */
    long low_speed_bytes;    /* a transfer slower than this many bytes/s ... (default 1024) */
    long low_speed_seconds;  /* ... for this many seconds is aborted (default 15) */
    long total_timeout_ms;   /* bound on one attempt, 0 for none (default 0) */
    unsigned retries;        /* extra attempts after a 5xx, timeout or cut transfer (default 2) */
    long retry_delay_ms;     /* wait before retry N is N times this (default 500) */
    long max_redirects;      /* redirects followed per request (default 5) */
    uint64_t max_size;       /* largest file accepted (default 4 GiB) */
    const char *user_agent;  /* NULL: SYMSRV_HTTP_USER_AGENT */
    const char *proxy;       /* NULL: libcurl's *_proxy environment rules; "": no proxy */
    /*
     * Called as a download progresses (TOTAL 0 when unknown); return false to cancel, which
     * makes the download fail with DD_ERR_STOP. May be NULL.
     */
    bool (*progress)(void *ctx, const char *url, uint64_t done, uint64_t total);
    void *progress_ctx;
    struct sym_log log; /* every request and why it failed ("!sym noisy") */
};

struct symsrv_http;

/* Fills S with the defaults listed above. */
void symsrv_http_settings_init(struct symsrv_http_settings *s);

/*
 * Creates a download session with SETTINGS (copied, strings included) in ret; initializes
 * libcurl on first use (call from one thread).
 */
struct dd_error *symsrv_http_create(const struct symsrv_http_settings *settings,
                                    struct symsrv_http **ret);

/* Frees H; NULL is a no-op. */
void symsrv_http_destroy(struct symsrv_http *h);

/*
 * Downloads URL into the file DEST_PATH atomically (its directory is created). DD_ERR_NOT_FOUND
 * for a 4xx answer or a URL that already failed in this session, DD_ERR_STOP when the progress
 * callback cancelled, DD_ERR_IO for other failures; no file is left at DEST_PATH on error.
 */
struct dd_error *symsrv_http_download(struct symsrv_http *h, const char *url,
                                      const char *dest_path);

/*
 * Fetches KEY from the symbol server at BASE_URL into the local store STORE_ROOT (one- or
 * two-tier, per its index2.txt): the file, its compressed form, or what file.ptr points to.
 * ret is the new path of the stored file. Errors as symsrv_http_download.
 */
struct dd_error *symsrv_http_fetch(struct symsrv_http *h, const char *base_url,
                                   const struct symstore_key *key, const char *store_root,
                                   char **ret);

/* Number of HTTP requests H has sent (each attempt counts; cached failures do not). */
unsigned long symsrv_http_request_count(const struct symsrv_http *h);

#endif
