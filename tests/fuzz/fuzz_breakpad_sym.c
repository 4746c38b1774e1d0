/*
 * libFuzzer target: open bytes as a Breakpad .sym file and run every query on it — address
 * lookups at each record's edges and at input-chosen addresses, CFI rule splitting of every CFI
 * row found, name listing and name lookup, and the store path builder on input-chosen names.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sym/breakpad_sym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool count_fn(void *ctx, const struct breakpad_symbol *s)
{
    size_t *n = ctx;
    (*n)++;
    return *n < 1000;
}

static void query(const struct breakpad_sym *sym, uint64_t rva)
{
    struct breakpad_symbol s;
    struct breakpad_line l;
    struct breakpad_inline_frame fr[8];
    struct breakpad_stack_win w;
    struct breakpad_cfi cfi;
    size_t n;
    breakpad_sym_find_func(sym, rva, &s);
    breakpad_sym_find_public(sym, rva, &s);
    breakpad_sym_lookup(sym, rva, &s);
    if (!breakpad_sym_find_line(sym, rva, &l) && l.file && l.file_len > 0)
        (void)l.file[l.file_len - 1];
    if (!breakpad_sym_find_inlines(sym, rva, fr, 8, &n)) {
        for (size_t i = 0; i < n; i++) {
            if (fr[i].name && fr[i].name_len)
                (void)fr[i].name[fr[i].name_len - 1];
            if (fr[i].call_file && fr[i].call_file_len)
                (void)fr[i].call_file[fr[i].call_file_len - 1];
        }
    }
    if (!breakpad_sym_find_stack_win(sym, rva, &w) && w.program_string)
        (void)w.program_string[w.program_string_len - 1];
    if (!breakpad_sym_find_cfi(sym, rva, &cfi)) {
        for (size_t i = 0; i < cfi.count; i++) {
            struct breakpad_cfi_rule rules[16];
            struct dd_error *err =
                breakpad_cfi_rules_parse(cfi.rows[i].rules, cfi.rows[i].rules_len, rules, 16, &n);
            dd_error_destroy(err);
        }
        breakpad_cfi_deinit(&cfi);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The raw input is also a rule string and a pair of store names. */
    struct breakpad_cfi_rule rules[4];
    size_t n;
    dd_error_destroy(breakpad_cfi_rules_parse((const char *)data, size, rules, 4, &n));
    char names[64];
    size_t k = size < sizeof(names) - 1 ? size : sizeof(names) - 1;
    memcpy(names, data, k);
    names[k] = '\0';
    char *path = NULL;
    struct dd_error *perr = breakpad_store_path("/store", names, names + strlen(names) / 2, &path);
    if (perr)
        dd_error_destroy(perr);
    else
        free(path);

    struct breakpad_sym *sym = NULL;
    struct dd_error *err = breakpad_sym_open_memory(data, size, &sym);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    breakpad_sym_module(sym);
    breakpad_sym_stats(sym);
    size_t nf = breakpad_sym_func_count(sym), np = breakpad_sym_public_count(sym);
    for (size_t i = 0; i < nf && i < 64; i++) {
        struct breakpad_symbol s;
        breakpad_sym_func_at(sym, i, &s);
        query(sym, s.addr);
        query(sym, s.addr + s.size / 2);
        query(sym, s.addr + s.size - 1);
        query(sym, s.addr + s.size);
        query(sym, s.addr - 1);
    }
    for (size_t i = 0; i < np && i < 64; i++) {
        struct breakpad_symbol s;
        breakpad_sym_public_at(sym, i, &s);
        query(sym, s.addr);
        query(sym, s.addr + 1);
    }
    /* Addresses taken from the input's last bytes reach records the loops above skip. */
    for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
        uint64_t a = 0;
        memcpy(&a, data + size - 8 - i, 8);
        query(sym, a);
        query(sym, a & 0xffff);
    }
    size_t count = 0;
    dd_error_destroy(breakpad_sym_match(sym, "*a*", count_fn, &count));
    if (nf > 0) {
        struct breakpad_symbol s;
        breakpad_sym_func_at(sym, 0, &s);
        char name[128];
        size_t len = s.name_len < sizeof(name) - 1 ? s.name_len : sizeof(name) - 1;
        memcpy(name, s.name, len);
        name[len] = '\0';
        breakpad_sym_find_name(sym, name, &s);
    }
    struct breakpad_symbol found;
    breakpad_sym_find_name(sym, "main", &found);
    breakpad_sym_destroy(sym);
    return 0;
}
