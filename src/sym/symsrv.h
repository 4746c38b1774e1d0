/*
 * Finding a symbol or image file along a symbol path: plain directories, local stores, the
 * downstream caches and symbol servers, in path order.
 *
 * A cache*DIR element makes DIR the nearest tier of every srv* element after it (a chain's
 * implicit default store is then not used); plain directories are searched in place and not
 * copied into a cache. In a srv* chain a file found in a later tier is copied into the local
 * tiers before it, and a download goes into the nearest local tier before the URL (the default
 * downstream store when there is none usable).
 */
#ifndef DD_SYM_SYMSRV_H
#define DD_SYM_SYMSRV_H

#include <stdbool.h>

#include "base/error.h"
#include "sym/sympath.h"
#include "sym/symsrv_http.h"
#include "sym/symstore.h"

struct sym_find_options {
    const char *default_store; /* the default downstream store; NULL: sympath_default_store() */
    struct symsrv_http *http;  /* downloads; NULL: URL tiers are skipped (offline) */
    /*
     * Decides whether the file at PATH is the one wanted (GUID/age or timestamp/size match);
     * on false it may set *ret_reason to a new string (freed by the finder) and the search goes
     * on. NULL accepts the first file found.
     */
    bool (*accept)(void *ctx, const char *path, char **ret_reason);
    void *accept_ctx;
    struct sym_log log; /* every probe and why it failed ("!sym noisy") */
};

/*
 * Walks PATH's elements in order looking for KEY; ret is the new local path of the first file
 * found and accepted (from a directory, a store, a cache or a download). Returns
 * DD_ERR_NOT_FOUND with a message listing why each element failed, DD_ERR_FORMAT when KEY's
 * name cannot be used safely, DD_ERR_STOP when a download was cancelled.
 */
struct dd_error *symsrv_find(const struct sympath *path, const struct sym_file_key *key,
                             const struct sym_find_options *opts, char **ret);

#endif
