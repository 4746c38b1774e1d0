#include "sym/curl_api.h"

#include <dlfcn.h>
#include <stdbool.h>

/* libcurl's SONAME since 7.16 (Debian libcurl4 / libcurl3-gnutls ship libcurl.so.4). */
static const char *const curl_libraries[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};

static struct curl_api api;
static bool loaded;

/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
#define CURL_API_BIND(handle, field, name)                                                        \
    do {                                                                                          \
        void *sym_ = dlsym(handle, name);                                                         \
        if (!sym_)                                                                                \
            return dd_error_create(DD_ERR_UNSUPPORTED, "libcurl lacks %s: %s", name, dlerror());  \
        *(void **)&api.field = sym_;                                                              \
    } while (0)

static struct dd_error *curl_api_load(void)
{
    void *handle = NULL;
    for (size_t i = 0; i < sizeof(curl_libraries) / sizeof(curl_libraries[0]) && !handle; i++)
        handle = dlopen(curl_libraries[i], RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "symbol downloads need libcurl (Debian package libcurl4): %s",
                               dlerror());
    CURLcode (*global_init)(long flags);
    void *init = dlsym(handle, "curl_global_init");
    if (!init)
        return dd_error_create(DD_ERR_UNSUPPORTED, "libcurl lacks curl_global_init");
    *(void **)&global_init = init;
    CURL_API_BIND(handle, easy_init, "curl_easy_init");
    CURL_API_BIND(handle, easy_setopt, "curl_easy_setopt");
    CURL_API_BIND(handle, easy_perform, "curl_easy_perform");
    CURL_API_BIND(handle, easy_getinfo, "curl_easy_getinfo");
    CURL_API_BIND(handle, easy_reset, "curl_easy_reset");
    CURL_API_BIND(handle, easy_cleanup, "curl_easy_cleanup");
    CURL_API_BIND(handle, easy_strerror, "curl_easy_strerror");
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return dd_error_create(DD_ERR_OTHER, "libcurl initialization failed");
    /* The library stays loaded for the life of the process, as curl_global_init requires. */
    return NULL;
}

struct dd_error *curl_api_get(const struct curl_api **ret)
{
    if (!loaded) {
        struct dd_error *err = curl_api_load();
        if (err)
            return err;
        loaded = true;
    }
    *ret = &api;
    return NULL;
}
