/* Symbol store keys, name sanitizing and lookups in local stores and plain directories. */
#include "sym/symstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "sym/cab.h"
#include "sym/symfile.h"
#include "sym/sympath.h"

/* A file.ptr is one short line; anything larger is not one. */
#define FILEPTR_MAX 65536

void sym_log_printf(const struct sym_log *log, const char *fmt, ...)
{
    if (!log || !log->fn)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log->fn(log->ctx, buf);
}

void sym_guid_from_bytes(const uint8_t raw[16], struct sym_guid *ret)
{
    /* CodeView RSDS: GUID as Data1 (u32 LE), Data2 (u16 LE), Data3 (u16 LE), Data4[8]. */
    struct sym_guid g;
    g.data1 = dd_le32(raw);
    g.data2 = dd_le16(raw + 4);
    g.data3 = dd_le16(raw + 6);
    memcpy(g.data4, raw + 8, 8);
    *ret = g;
}

static bool char_forbidden(unsigned char c)
{
    /* Control characters and what Windows forbids in a file name (separators are split off). */
    return c < 0x20 || c == 0x7f || strchr(":*?\"<>|/\\", c) != NULL;
}

struct dd_error *symstore_name_sanitize(const char *raw, size_t len, char *buf, size_t buf_len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '/' || raw[i] == '\\')
            start = i + 1;
    const char *s = raw + start;
    size_t n = len - start;
    /* A drive-relative name "C:foo.pdb" has no separator but still names a drive. */
    if (n >= 2 && s[1] == ':' && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) {
        s += 2;
        n -= 2;
    }
    if (n == 0)
        return dd_error_create(DD_ERR_FORMAT, "no file name in a %zu-byte path", len);
    /* "..x" is refused too: its first two characters name a two-tier store's directory. */
    if ((n == 1 && s[0] == '.') || (n >= 2 && s[0] == '.' && s[1] == '.'))
        return dd_error_create(DD_ERR_FORMAT, "file name starts with dots");
    for (size_t i = 0; i < n; i++)
        if (char_forbidden((unsigned char)s[i]))
            return dd_error_create(DD_ERR_FORMAT,
                                   "file name has a forbidden character 0x%02x at offset %zu",
                                   (unsigned char)s[i], start + i);
    if (n > SYMSTORE_NAME_MAX || n + 1 > buf_len)
        return dd_error_create(DD_ERR_FORMAT, "file name is too long (%zu bytes)", n);
    memcpy(buf, s, n);
    buf[n] = '\0';
    return NULL;
}

struct dd_error *symstore_key_make(const struct sym_file_key *key, struct symstore_key *ret)
{
    struct symstore_key k;
    memset(&k, 0, sizeof(k));
    if (!key->name)
        return dd_error_create(DD_ERR_FORMAT, "no file name to look up");
    struct dd_error *err = symstore_name_sanitize(key->name, strlen(key->name), k.name, sizeof(k.name));
    if (err)
        return err;
    memcpy(k.file, k.name, sizeof(k.file));
    const struct sym_guid *g = &key->guid;
    switch (key->kind) {
    case SYM_KEY_PDB:
        snprintf(k.index, sizeof(k.index), "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%X",
                 (unsigned)g->data1, (unsigned)g->data2, (unsigned)g->data3, g->data4[0],
                 g->data4[1], g->data4[2], g->data4[3], g->data4[4], g->data4[5], g->data4[6],
                 g->data4[7], (unsigned)key->age);
        break;
    case SYM_KEY_PDB_NB10:
        snprintf(k.index, sizeof(k.index), "%08X%X", (unsigned)key->signature, (unsigned)key->age);
        break;
    case SYM_KEY_IMAGE:
        /* symstore's image key: TimeDateStamp %08X then SizeOfImage %x (lower case). */
        snprintf(k.index, sizeof(k.index), "%08X%x", (unsigned)key->timestamp,
                 (unsigned)key->image_size);
        break;
    case SYM_KEY_BREAKPAD: {
        const char *id = key->debug_id ? key->debug_id : "";
        size_t n = strlen(id);
        if (n == 0 || n >= sizeof(k.index))
            return dd_error_create(DD_ERR_FORMAT, "bad Breakpad debug id length %zu", n);
        for (size_t i = 0; i < n; i++) {
            char c = id[i];
            /* Breakpad ids are upper-case hex; other letters are kept (still safe in a path). */
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
                return dd_error_create(DD_ERR_FORMAT, "Breakpad debug id is not alphanumeric");
            k.index[i] = c;
        }
        /* Breakpad's symbol supplier: NAME.pdb/ID/NAME.sym; other debug files get ".sym" added. */
        size_t nl = strlen(k.name);
        size_t base = nl >= 4 && dd_strcasecmp(k.name + nl - 4, ".pdb") == 0 ? nl - 4 : nl;
        if (base + 4 > SYMSTORE_NAME_MAX)
            return dd_error_create(DD_ERR_FORMAT, "file name is too long (%zu bytes)", nl);
        memcpy(k.file, k.name, base);
        memcpy(k.file + base, ".sym", 5);
        break;
    }
    default:
        return dd_error_create(DD_ERR_OTHER, "unknown symbol key kind %d", (int)key->kind);
    }
    const char *dot = strrchr(k.file, '.');
    if (dot && dot[1] != '\0') {
        memcpy(k.ext, dot + 1, strlen(dot + 1) + 1);
        size_t fl = strlen(k.file);
        if (k.file[fl - 1] != '_') {
            memcpy(k.compressed, k.file, fl + 1);
            k.compressed[fl - 1] = '_';
        }
    }
    *ret = k;
    return NULL;
}

static bool entry_is(const char *path, bool want_file)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    return want_file ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode);
}

/* Sets ret to DIR/NAME for an entry of DIR matching NAME case-insensitively; NULL when none. */
static struct dd_error *resolve_one(const char *dir, const char *name, bool want_file, char **ret)
{
    char *p = symfile_join(dir, name);
    if (!p)
        return &dd_error_no_memory;
    if (entry_is(p, want_file)) {
        *ret = p;
        return NULL;
    }
    free(p);
    char lower[SYMSTORE_NAME_MAX + 1];
    size_t n = strlen(name);
    if (n <= SYMSTORE_NAME_MAX) {
        bool differs = false;
        for (size_t i = 0; i <= n; i++) {
            char c = name[i];
            lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
            differs |= lower[i] != c;
        }
        if (differs) {
            if (!(p = symfile_join(dir, lower)))
                return &dd_error_no_memory;
            if (entry_is(p, want_file)) {
                *ret = p;
                return NULL;
            }
            free(p);
        }
    }
    /* Scan; when several entries differ only in case, the smallest name wins (stable result). */
    DIR *d = opendir(dir);
    if (!d)
        return &dd_error_not_found;
    char *best = NULL;
    struct dd_error *err = &dd_error_not_found;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (dd_strcasecmp(de->d_name, name) != 0)
            continue;
        if (best && strcmp(de->d_name, strrchr(best, '/') + 1) >= 0)
            continue;
        if (!(p = symfile_join(dir, de->d_name))) {
            err = &dd_error_no_memory;
            break;
        }
        if (entry_is(p, want_file)) {
            free(best);
            best = p;
        } else {
            free(p);
        }
    }
    closedir(d);
    if (best) {
        *ret = best;
        return NULL;
    }
    return err;
}

struct dd_error *symstore_resolve(const char *base, const char *const *comps, size_t n,
                                  bool want_file, char **ret)
{
    char *cur = strdup(base);
    if (!cur)
        return &dd_error_no_memory;
    for (size_t i = 0; i < n; i++) {
        char *next;
        struct dd_error *err = resolve_one(cur, comps[i], i + 1 == n ? want_file : false, &next);
        free(cur);
        if (err)
            return err;
        cur = next;
    }
    *ret = cur;
    return NULL;
}

bool symstore_is_two_tier(const char *root)
{
    /* Asked on every lookup: the two spellings symstore uses, without a directory scan. */
    static const char *const names[] = {"index2.txt", "INDEX2.TXT"};
    for (size_t i = 0; i < 2; i++) {
        char *p = symfile_join(root, names[i]);
        bool found = p && symfile_is_file(p);
        free(p);
        if (found)
            return true;
    }
    return false;
}

/* Fills COMPS with the store components of FILE_NAME under KEY; returns their count. */
static size_t store_comps(const char *root, const struct symstore_key *key, const char *file_name,
                          char prefix[3], const char *comps[4])
{
    size_t n = 0;
    if (symstore_is_two_tier(root)) {
        /* symstore two-tier layout: the first two characters of the name as a directory. */
        prefix[0] = key->name[0];
        prefix[1] = key->name[1];
        prefix[2] = '\0';
        comps[n++] = prefix;
    }
    comps[n++] = key->name;
    comps[n++] = key->index;
    comps[n++] = file_name;
    return n;
}

struct dd_error *symstore_path(const char *root, const struct symstore_key *key,
                               const char *file_name, char **ret)
{
    char prefix[3];
    const char *comps[4];
    size_t n = store_comps(root, key, file_name, prefix, comps);
    char *cur = strdup(root);
    if (!cur)
        return &dd_error_no_memory;
    bool exists = true;
    for (size_t i = 0; i < n; i++) {
        char *next = NULL;
        struct dd_error *err = NULL;
        if (exists) {
            err = resolve_one(cur, comps[i], i + 1 == n, &next);
            if (err == &dd_error_not_found) {
                exists = false;
                err = NULL;
            }
        }
        if (!err && !next && !(next = symfile_join(cur, comps[i])))
            err = &dd_error_no_memory;
        free(cur);
        if (err)
            return err;
        cur = next;
    }
    *ret = cur;
    return NULL;
}

struct dd_error *symstore_fileptr_parse(const char *data, size_t len, char **ret_path)
{
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' ' ||
                       data[len - 1] == '\t' || data[len - 1] == '\0'))
        len--;
    if (len >= 5 && dd_strncasecmp(data, "PATH:", 5) == 0) {
        const char *p = data + 5;
        size_t n = len - 5;
        bool bad = n == 0;
        for (size_t i = 0; i < n && !bad; i++)
            bad = (unsigned char)p[i] < 0x20 || p[i] == 0x7f;
        if (bad)
            return dd_error_create(DD_ERR_FORMAT, "file.ptr holds an unusable path");
        char *path = strndup(p, n);
        if (!path)
            return &dd_error_no_memory;
        *ret_path = path;
        return NULL;
    }
    if (len >= 4 && dd_strncasecmp(data, "MSG:", 4) == 0) {
        char msg[512];
        size_t n = len - 4 < sizeof(msg) - 1 ? len - 4 : sizeof(msg) - 1;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)data[4 + i];
            msg[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        }
        msg[n] = '\0';
        return dd_error_create(DD_ERR_NOT_FOUND, "file.ptr: %s", msg);
    }
    return dd_error_create(DD_ERR_FORMAT, "file.ptr is neither PATH: nor MSG:");
}

/* Reads the small file at PATH into a new NUL-terminated buffer. */
static struct dd_error *read_small(const char *path, size_t max, char **ret, size_t *ret_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dd_error_create(DD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(max + 1);
    if (!buf) {
        close(fd);
        return &dd_error_no_memory;
    }
    size_t n = 0;
    while (n < max) {
        ssize_t r = read(fd, buf + n, max - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *ret = buf;
    *ret_len = n;
    return NULL;
}

/* Follows the file.ptr at PTR_PATH of the store at ROOT. */
static struct dd_error *follow_fileptr(const char *root, const char *ptr_path,
                                       const struct symstore_key *key, const char *dest_root,
                                       const struct sym_log *log, char **ret)
{
    char *data = NULL, *target = NULL;
    size_t len = 0;
    struct dd_error *err = read_small(ptr_path, FILEPTR_MAX, &data, &len);
    if (err)
        return err;
    err = symstore_fileptr_parse(data, len, &target);
    free(data);
    if (err) {
        sym_log_printf(log, "SYMSRV:  %s - %s", ptr_path, err->message);
        return err;
    }
    if (sympath_is_foreign_path(target)) {
        err = dd_error_create(DD_ERR_NOT_FOUND, "%s points to the Windows path %s", ptr_path, target);
        free(target);
        sym_log_printf(log, "SYMSRV:  %s", err->message);
        return err;
    }
    if (target[0] != '/') {
        char *abs = symfile_join(root, target);
        free(target);
        if (!abs)
            return &dd_error_no_memory;
        target = abs;
    }
    if (!symfile_is_file(target)) {
        err = dd_error_create(DD_ERR_NOT_FOUND, "%s points to %s - file not found", ptr_path, target);
        free(target);
        sym_log_printf(log, "SYMSRV:  %s", err->message);
        return err;
    }
    sym_log_printf(log, "SYMSRV:  %s -> %s", ptr_path, target);
    if (dest_root && strcmp(dest_root, root) != 0) {
        char *stored;
        err = symstore_put(dest_root, key, target, false, &stored);
        if (!err) {
            free(target);
            *ret = stored;
            return NULL;
        }
        /* The file is usable where it is even if the cache cannot take a copy. */
        sym_log_printf(log, "SYMSRV:  copy to %s failed: %s", dest_root, err->message);
        dd_error_destroy(err);
    }
    *ret = target;
    return NULL;
}

struct dd_error *symstore_lookup(const char *root, const struct symstore_key *key,
                                 const char *dest_root, const struct sym_log *log, char **ret)
{
    char prefix[3];
    const char *comps[4];
    size_t n = store_comps(root, key, key->file, prefix, comps);
    char *found;
    struct dd_error *err = symstore_resolve(root, comps, n, true, &found);
    if (!err) {
        sym_log_printf(log, "SYMSRV:  %s - found", found);
        *ret = found;
        return NULL;
    }
    if (err != &dd_error_not_found)
        return err;
    if (key->compressed[0]) {
        comps[n - 1] = key->compressed;
        err = symstore_resolve(root, comps, n, true, &found);
        if (!err) {
            sym_log_printf(log, "SYMSRV:  %s - found compressed", found);
            char *out;
            err = symstore_put(dest_root ? dest_root : root, key, found, true, &out);
            free(found);
            if (err)
                return dd_error_wrap(err, "decompressing %s", key->compressed);
            *ret = out;
            return NULL;
        }
        if (err != &dd_error_not_found)
            return err;
    }
    comps[n - 1] = "file.ptr";
    err = symstore_resolve(root, comps, n, true, &found);
    if (!err) {
        err = follow_fileptr(root, found, key, dest_root, log, ret);
        free(found);
        return err;
    }
    if (err != &dd_error_not_found)
        return err;
    sym_log_printf(log, "SYMSRV:  %s/%s%s%s/%s/%s - file not found", root, n == 4 ? prefix : "",
                   n == 4 ? "/" : "", key->name, key->index, key->file);
    return dd_error_create(DD_ERR_NOT_FOUND, "%s: not in store", root);
}

struct dd_error *symstore_lookup_dir(const char *dir, const struct symstore_key *key,
                                     const struct sym_log *log, char **ret)
{
    const char *plain[] = {key->file};
    const char *nested[] = {"symbols", key->ext, key->file};
    const char *by_ext[] = {key->ext, key->file};
    struct {
        const char *const *comps;
        size_t n;
    } probes[] = {{plain, 1}, {nested, 3}, {by_ext, 2}};
    size_t count = key->ext[0] ? 3 : 1;
    for (size_t i = 0; i < count; i++) {
        char *found;
        struct dd_error *err = symstore_resolve(dir, probes[i].comps, probes[i].n, true, &found);
        if (!err) {
            sym_log_printf(log, "DBGHELP: %s - found", found);
            *ret = found;
            return NULL;
        }
        if (err != &dd_error_not_found)
            return err;
    }
    sym_log_printf(log, "DBGHELP: %s/%s - file not found", dir, key->file);
    return dd_error_create(DD_ERR_NOT_FOUND, "%s: no %s", dir, key->file);
}

struct dd_error *symstore_put(const char *root, const struct symstore_key *key, const char *src,
                              bool decompress, char **ret)
{
    char *dest;
    struct dd_error *err = symstore_path(root, key, key->file, &dest);
    if (err)
        return err;
    if (symfile_is_file(dest)) {
        *ret = dest;
        return NULL;
    }
    err = decompress ? cab_extract_file(src, dest, CAB_DEFAULT_MAX_SIZE) : symfile_copy(src, dest);
    if (err) {
        free(dest);
        return err;
    }
    *ret = dest;
    return NULL;
}
