/*
 * Where a symbol file sits in a Breakpad symbol store: ROOT/NAME/DEBUGID/NAME.sym, with ".pdb"
 * replaced by ".sym" (Breakpad's SimpleSymbolSupplier layout, also used by Mozilla's, Chrome's
 * and Sentry's symbol servers).
 */
#include "sym/breakpad_sym.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"

struct dd_error *breakpad_store_path(const char *root, const char *debug_file,
                                     const char *debug_id, char **ret)
{
    /* Only the last component counts, whichever separator the dump's OS used; this also drops
     * drive letters and absolute prefixes, so a name from a dump cannot leave ROOT. */
    const char *name = debug_file;
    for (const char *p = debug_file; *p; p++)
        if (*p == '/' || *p == '\\' || *p == ':')
            name = p + 1;
    size_t name_len = strlen(name);
    if (name_len == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return dd_error_create(DD_ERR_FORMAT, "debug file name \"%s\" has no usable file name",
                               debug_file);
    size_t id_len = strlen(debug_id);
    if (id_len == 0)
        return dd_error_create(DD_ERR_FORMAT, "empty debug id");
    for (size_t i = 0; i < id_len; i++) {
        char c = debug_id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return dd_error_create(DD_ERR_FORMAT, "debug id \"%s\" is not alphanumeric",
                                   debug_id);
    }
    size_t stem_len = name_len;
    if (name_len > 4 && dd_strcasecmp(name + name_len - 4, ".pdb") == 0)
        stem_len -= 4;
    size_t root_len = strlen(root);
    while (root_len > 1 && root[root_len - 1] == '/')
        root_len--;
    /* root / name / id / stem ".sym" NUL */
    size_t len = root_len + 1 + name_len + 1 + id_len + 1 + stem_len + 5;
    char *path = malloc(len);
    if (!path)
        return &dd_error_no_memory;
    /* An empty ROOT means the current directory, not "/". */
    snprintf(path, len, "%.*s%s%s/%s/%.*s.sym", (int)root_len, root, root_len ? "/" : "", name,
             debug_id, (int)stem_len, name);
    *ret = path;
    return NULL;
}
