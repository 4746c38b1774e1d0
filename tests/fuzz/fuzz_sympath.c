/*
 * libFuzzer target: symbol path parsing and formatting, store name sanitizing, store keys and
 * file.ptr parsing on arbitrary strings. Besides crashes it checks two properties: the expanded
 * form of a parsed path parses again to the same expanded form, and a sanitized name can never
 * step outside a store directory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sym/sympath.h"
#include "sym/symstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path_roundtrip(const char *text)
{
    struct sympath *p;
    struct dd_error *err = sympath_parse(text, &p);
    if (err) {
        dd_error_destroy(err);
        return;
    }
    char *orig = NULL, *exp = NULL, *again = NULL;
    if (sympath_format(p, SYMPATH_FORMAT_ORIGINAL, &orig) ||
        sympath_format(p, SYMPATH_FORMAT_EXPANDED, &exp))
        abort();
    struct sympath *q;
    if ((err = sympath_parse(exp, &q)) != NULL)
        abort(); /* the expanded form must always parse */
    if (sympath_format(q, SYMPATH_FORMAT_EXPANDED, &again) || strcmp(exp, again) != 0)
        abort();
    if (q->count != p->count)
        abort();
    for (size_t i = 0; i < p->count; i++)
        if (p->elems[i].kind != q->elems[i].kind || p->elems[i].tier_count != q->elems[i].tier_count)
            abort();
    /* .sympath+ with the same text doubles the element count. */
    size_t before = p->count;
    if ((err = sympath_append(p, text)) != NULL || p->count != 2 * before)
        abort();
    sympath_destroy(q);
    sympath_destroy(p);
    free(orig);
    free(exp);
    free(again);
}

static void check_name(const uint8_t *data, size_t size)
{
    char buf[SYMSTORE_NAME_MAX + 1];
    struct dd_error *err = symstore_name_sanitize((const char *)data, size, buf, sizeof(buf));
    if (err) {
        dd_error_destroy(err);
        return;
    }
    size_t n = strlen(buf);
    if (n == 0 || n > SYMSTORE_NAME_MAX || strchr(buf, '/') || strchr(buf, '\\') ||
        strchr(buf, ':') || strcmp(buf, ".") == 0 || strncmp(buf, "..", 2) == 0)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    check_path_roundtrip(text);
    check_name(data, size);

    /* Keys of every kind from the same bytes (as the name, and as the Breakpad id). */
    static const enum sym_key_kind kinds[] = {SYM_KEY_PDB, SYM_KEY_PDB_NB10, SYM_KEY_IMAGE,
                                              SYM_KEY_BREAKPAD};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct sym_file_key k = {.kind = kinds[i], .name = text, .debug_id = text, .age = 1};
        struct symstore_key sk;
        struct dd_error *err = symstore_key_make(&k, &sk);
        if (!err && (strchr(sk.index, '/') || strchr(sk.file, '/') || strstr(sk.name, "..") == sk.name))
            abort();
        dd_error_destroy(err);
    }

    char *target = NULL;
    struct dd_error *err = symstore_fileptr_parse(text, size, &target);
    dd_error_destroy(err);
    free(target);

    /* The environment rule on the two halves. */
    size_t half = size / 2;
    char *alt = strndup(text, half);
    char *composed = NULL;
    if (alt && !sympath_compose_env(text + half, alt, &composed))
        free(composed);
    free(alt);
    free(text);
    return 0;
}
