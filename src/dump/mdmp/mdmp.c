/* The minidump format entry: probe, open (runs every stream family parser), target ops. */
#include "dump/mdmp/mdmp.h"

#include <string.h>

#include "dump/mdmp/mdmp_internal.h"

static const char kind_mini[] =
    "User Mini Dump File: Only registers, stack and portions of memory are available";
static const char kind_full[] =
    "User Mini Dump File with Full Memory: Only application data is available";

static bool mdmp_probe(const uint8_t *head, size_t len)
{
    return len >= 4 && memcmp(head, "MDMP", 4) == 0;
}

static struct dd_error *mdmp_read_virtual(struct target *t, uint64_t addr, void *buf, size_t n,
                                          size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static void mdmp_destroy(struct target *t)
{
    /* Everything the reader made lives in the arena or the mapping; nothing else to free. */
    t->impl = NULL;
}

static const struct target_ops mdmp_ops = {.read_virtual = mdmp_read_virtual, .destroy = mdmp_destroy};

static struct dd_error *mdmp_open(struct target *t)
{
    struct mdmp_file *f = dd_arena_alloc(&t->arena, sizeof(*f));
    if (!f)
        return &dd_error_no_memory;
    f->string_budget = (1u << 20) + 8 * (uint64_t)t->file.size;
    t->impl = f;
    t->ops = &mdmp_ops;
    t->kind = TARGET_USER_MINI;
    t->kind_text = kind_mini;
    t->sys.csd_version = "";

    /* Order matters: threads add stacks to the memory map before it is finished, and
       Crashpad module annotations index the module list before it is sorted. */
    struct dd_error *(*const parsers[])(struct target *) = {
        mdmp_header_parse,  mdmp_sysinfo_parse,   mdmp_misc_parse,      mdmp_threads_parse,
        mdmp_modules_parse, mdmp_memory_parse,    mdmp_exception_parse, mdmp_handles_parse,
        mdmp_process_parse, mdmp_functable_parse, mdmp_breakpad_parse,
    };
    for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
        struct dd_error *err = parsers[i](t);
        if (err)
            return err;
    }
    mdmp_modules_sort(t);
    struct dd_error *err = dd_memmap_finish(&t->memory);
    if (err)
        return err;
    t->warnings = f->warnings;
    t->nwarnings = f->nwarnings;
    t->warnings_dropped = f->warnings_dropped;
    if (mdmp_stream_find(t, MDMP_STREAM_MEMORY64_LIST)) {
        t->kind = TARGET_USER_FULL;
        t->kind_text = kind_full;
    }
    return NULL;
}

const struct mdmp_file *mdmp_file_of(const struct target *t)
{
    if (!t || t->ops != &mdmp_ops)
        return NULL;
    return t->impl;
}

const struct dump_format mdmp_format = {"minidump", mdmp_probe, mdmp_open};
