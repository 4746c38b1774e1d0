/*
 * libcurl, loaded when the first symbol download needs it rather than at program start: libcurl
 * pulls in some thirty shared libraries (TLS, HTTP/2, Kerberos, LDAP...) whose loading and
 * relocation cost a dump that needs no download more than its whole analysis.
 */
#ifndef DD_SYM_CURL_API_H
#define DD_SYM_CURL_API_H

#include <curl/curl.h>

#include "base/error.h"

/* The libcurl functions the symbol server client calls. */
struct curl_api {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
};

/*
 * Loads and initializes libcurl once (curl_global_init) and sets ret to its functions; an error
 * naming the library when it cannot be loaded (then downloads are unavailable, nothing else).
 */
struct dd_error *curl_api_get(const struct curl_api **ret);

#endif
