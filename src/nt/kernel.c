/*
 * The kernel view of a dump (see kernel.h): locating KdDebuggerDataBlock, resolving the layout,
 * bounded field and list reads.
 */
#include "nt/kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "nt/isf.h"
#include "nt/kernel_names.h"

long nt_kernel_module_index(const struct target *t)
{
    for (size_t i = 0; i < t->nmodules; i++) {
        const struct target_module *m = &t->modules[i];
        if (m->name && dd_strcasecmp(m->name, "nt") == 0)
            return (long)i;
        const char *base = m->path ? dd_path_basename(m->path) : NULL;
        if (base && nt_kernel_file_name(base, strlen(base)))
            return (long)i;
    }
    return -1;
}

static const struct target_module *kernel_module(const struct target *t)
{
    long i = nt_kernel_module_index(t);
    return i < 0 ? NULL : &t->modules[i];
}

bool nt_kernel_symbol(const struct nt_kernel *k, const char *name, uint64_t *ret)
{
    const struct nt_kernel_options *o = k->opt;
    if (!o)
        return false;
    if (o->find_symbol && o->find_symbol(o->symbol_ctx, name, ret))
        return true;
    uint64_t rva;
    if (o->isf && k->kern_base && !dd_error_drop(isf_symbol_rva(o->isf, name, &rva))) {
        *ret = k->kern_base + rva;
        return true;
    }
    return false;
}

struct dd_error *nt_read_ptr(struct nt_kernel *k, uint64_t addr, uint64_t *ret)
{
    uint8_t b[8];
    struct dd_error *err = target_read_exact(k->target, addr, b, k->ptr_size);
    if (err)
        return err;
    *ret = k->ptr_size == 8 ? dd_le64(b) : dd_le32(b);
    return NULL;
}

/* Reads the KiWaitNever/KiWaitAlways keys through the symbols; false when any is missing. */
static bool kdbg_keys_get(struct nt_kernel *k, struct kdbg_keys *ret)
{
    uint64_t never_addr, always_addr, encoded_addr;
    if (!nt_kernel_symbol(k, "KiWaitNever", &never_addr) ||
        !nt_kernel_symbol(k, "KiWaitAlways", &always_addr) ||
        !nt_kernel_symbol(k, "KdpDataBlockEncoded", &encoded_addr))
        return false;
    uint8_t b[8];
    if (dd_error_drop(target_read_exact(k->target, never_addr, b, 8)))
        return false;
    ret->wait_never = dd_le64(b);
    if (dd_error_drop(target_read_exact(k->target, always_addr, b, 8)))
        return false;
    ret->wait_always = dd_le64(b);
    ret->block_encoded_addr = encoded_addr;
    return true;
}

static void note_problem(struct nt_kernel *k, struct dd_error *err)
{
    if (err && !k->kdbg_problem[0])
        snprintf(k->kdbg_problem, sizeof(k->kdbg_problem), "%s", err->message);
    dd_error_destroy(err);
}

static void kdbg_locate(struct nt_kernel *k, const struct target_module *nt)
{
    struct target *t = k->target;
    const struct target_kernel *tk = &t->kernel;
    if (tk->kdbg_copy && tk->kdbg_copy_size) {
        struct dd_error *err = kdbg_decode(tk->kdbg_copy, tk->kdbg_copy_size, &k->kdbg);
        if (!err) {
            k->kdbg_origin = NT_KDBG_COPY;
            return;
        }
        note_problem(k, dd_error_wrap(err, "the triage dump's KDBG copy"));
    }
    if (tk->kd_debugger_data_block) {
        uint64_t addr = tk->kd_debugger_data_block;
        struct dd_error *err = kdbg_read(t, addr, NULL, &k->kdbg, NULL);
        if (!err) {
            k->kdbg_origin = NT_KDBG_HEADER;
            k->kdbg_addr = addr;
            return;
        }
        if (err->code == DD_ERR_FORMAT) {
            struct kdbg_keys keys;
            if (kdbg_keys_get(k, &keys)) {
                bool encoded = false;
                struct dd_error *e2 = kdbg_read(t, addr, &keys, &k->kdbg, &encoded);
                if (!e2) {
                    dd_error_destroy(err);
                    k->kdbg_origin = encoded ? NT_KDBG_DECODED : NT_KDBG_HEADER;
                    k->kdbg_addr = addr;
                    return;
                }
                dd_error_destroy(e2);
            }
        }
        note_problem(k, err);
    }
    if (k->opt && k->opt->no_scan)
        return;
    if (!nt || !nt->base || !nt->size)
        return;
    uint64_t addr;
    struct dd_error *err = kdbg_scan(t, nt->base, nt->size, nt->base, &addr, &k->kdbg);
    if (!err) {
        k->kdbg_origin = NT_KDBG_SCAN;
        k->kdbg_addr = addr;
        return;
    }
    note_problem(k, err);
}

struct dd_error *nt_kernel_init(struct target *t, const struct nt_kernel_options *opt,
                                struct nt_kernel *ret)
{
    if (t->kind != TARGET_KERNEL)
        return dd_error_create(DD_ERR_UNSUPPORTED, "this needs a kernel-mode dump");
    struct nt_kernel *k = ret;
    memset(k, 0, sizeof(*k));
    k->target = t;
    k->opt = opt;
    k->cpu = t->sys.cpu;
    k->ptr_size = target_ptr_size(t);
    k->build = t->kernel.minor_version ? t->kernel.minor_version : t->sys.build_number;
    const struct target_module *nt = kernel_module(t);
    if (nt)
        k->kern_base = nt->base;

    kdbg_locate(k, nt);
    const struct target_kernel *tk = &t->kernel;
    k->ps_loaded_module_list = tk->ps_loaded_module_list;
    k->ps_active_process_head = tk->ps_active_process_head;
    const struct kdbg *kd = k->kdbg_origin != NT_KDBG_NONE ? &k->kdbg : NULL;
    if (kd) {
        if (kd->kern_base)
            k->kern_base = kd->kern_base;
        if (kd->ps_loaded_module_list)
            k->ps_loaded_module_list = kd->ps_loaded_module_list;
        if (kd->ps_active_process_head)
            k->ps_active_process_head = kd->ps_active_process_head;
        k->ki_processor_block = kd->ki_processor_block;
    }
    if (!k->ki_processor_block)
        nt_kernel_symbol(k, "KiProcessorBlock", &k->ki_processor_block);

    /* MmSystemRangeStart is a variable; the block holds its address. */
    uint64_t range;
    if (kd && kd->mm_system_range_start && !dd_error_drop(nt_read_ptr(k, kd->mm_system_range_start,
                                                                      &range)))
        k->mm_system_range_start = range;
    if (!k->mm_system_range_start)
        k->mm_system_range_start = k->ptr_size == 8 ? 0xffff800000000000ULL : 0x80000000ULL;

    if (k->ptr_size == 4) {
        /* The 64-bit block stores 32-bit pointers sign-extended. */
        k->kern_base &= 0xffffffffu;
        k->ps_loaded_module_list &= 0xffffffffu;
        k->ps_active_process_head &= 0xffffffffu;
        k->ki_processor_block &= 0xffffffffu;
        k->mm_system_range_start &= 0xffffffffu;
    }

    struct nt_layout_sources src = {
        .pdb = opt ? opt->pdb : NULL,
        .isf = opt ? opt->isf : NULL,
        .kdbg = kd,
        .cpu = k->cpu,
        .build = k->build,
    };
    nt_layout_resolve(&src, &k->layout);
    return NULL;
}

struct dd_error *nt_field_get(struct nt_kernel *k, uint64_t base, enum nt_field f, uint64_t *ret)
{
    const struct nt_layout *l = &k->layout;
    if (!nt_layout_has(l, f))
        return dd_error_create(DD_ERR_NOT_FOUND, "the layout of %s is unknown", nt_field_path(f));
    uint32_t w = l->width[f];
    if (w != 1 && w != 2 && w != 4 && w != 8)
        return dd_error_create(DD_ERR_UNSUPPORTED, "%s is %u bytes wide, not a scalar",
                               nt_field_path(f), w);
    uint8_t b[8];
    struct dd_error *err = target_read_exact(k->target, base + l->off[f], b, w);
    if (err)
        return err;
    uint64_t v = w == 1 ? b[0] : w == 2 ? dd_le16(b) : w == 4 ? dd_le32(b) : dd_le64(b);
    if (l->bit_len[f]) {
        v >>= l->bit_pos[f];
        if (l->bit_len[f] < 64)
            v &= (1ULL << l->bit_len[f]) - 1;
    }
    *ret = v;
    return NULL;
}

bool nt_field_read(struct nt_kernel *k, uint64_t base, enum nt_field f, uint64_t *ret)
{
    return !dd_error_drop(nt_field_get(k, base, f, ret));
}

/* Longest name read from a UNICODE_STRING (bytes of UTF-16). */
#define NT_USTR_MAX 1024

bool nt_read_unicode_string(struct nt_kernel *k, uint64_t addr, char *buf, size_t len)
{
    uint8_t hdr[16];
    unsigned ps = k->ptr_size;
    if (!len || dd_error_drop(target_read_exact(k->target, addr, hdr, ps == 8 ? 16 : 8)))
        return false;
    uint16_t n = dd_le16(hdr);
    uint64_t buffer = ps == 8 ? dd_le64(hdr + 8) : dd_le32(hdr + 4);
    if (n > NT_USTR_MAX)
        n = NT_USTR_MAX;
    n &= (uint16_t)~1u;
    buf[0] = 0;
    if (!n)
        return true;
    uint8_t raw[NT_USTR_MAX];
    if (!buffer || dd_error_drop(target_read_exact(k->target, buffer, raw, n)))
        return false;
    char *s = dd_utf16_to_utf8(raw, n / 2);
    if (!s)
        return false;
    snprintf(buf, len, "%s", s);
    free(s);
    return true;
}

/* An open-addressing set of visited entries (0 is never an entry), for loop detection. */
struct visit_set {
    uint64_t *slots;
    size_t cap; /* power of two, or 0 when allocation failed (then only the cap bounds a walk) */
    size_t used;
};

static size_t visit_hash(uint64_t v, size_t cap)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return (size_t)v & (cap - 1);
}

/* Adds V; returns true when V was already there. */
static bool visit_add(struct visit_set *s, uint64_t v)
{
    if (s->used * 2 >= s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        uint64_t *n = calloc(ncap, sizeof(*n));
        if (!n) {
            free(s->slots);
            s->slots = NULL;
            s->cap = s->used = 0;
            return false;
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) {
                size_t j = visit_hash(s->slots[i], ncap);
                while (n[j])
                    j = (j + 1) & (ncap - 1);
                n[j] = s->slots[i];
            }
        free(s->slots);
        s->slots = n;
        s->cap = ncap;
    }
    size_t j = visit_hash(v, s->cap);
    while (s->slots[j]) {
        if (s->slots[j] == v)
            return true;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = v;
    s->used++;
    return false;
}

static bool link_valid(const struct nt_kernel *k, uint64_t link)
{
    if (!link || (link & (k->ptr_size - 1)))
        return false;
    return link >= k->mm_system_range_start;
}

void nt_list_walk(struct nt_kernel *k, uint64_t head, size_t cap, nt_list_fn fn, void *ctx,
                  struct nt_list_status *ret)
{
    if (!cap || cap > NT_LIST_MAX)
        cap = NT_LIST_MAX;
    struct nt_list_status st = {.end = NT_LIST_END_HEAD, .at = head};
    struct visit_set seen = {0};
    uint64_t prev = head;
    uint64_t entry;
    for (;;) {
        struct dd_error *err = nt_read_ptr(k, prev, &entry);
        if (err) {
            dd_error_destroy(err);
            st.end = NT_LIST_END_UNREADABLE;
            st.at = prev;
            break;
        }
        if (entry == head)
            break;
        if (!link_valid(k, entry)) {
            st.end = NT_LIST_END_BAD_LINK;
            st.at = prev;
            st.value = entry;
            break;
        }
        if (st.count >= cap) {
            st.end = NT_LIST_END_CAP;
            st.at = prev;
            break;
        }
        if (visit_add(&seen, entry)) {
            st.end = NT_LIST_END_LOOP;
            st.at = prev;
            st.value = entry;
            break;
        }
        st.count++;
        if (!fn(ctx, entry)) {
            st.end = NT_LIST_END_STOPPED;
            st.at = entry;
            break;
        }
        prev = entry;
    }
    free(seen.slots);
    *ret = st;
}

void nt_list_status_format(const struct nt_list_status *st, unsigned ptr_size, char *buf,
                           size_t len)
{
    char at[DD_ADDR_BUF], val[DD_ADDR_BUF];
    dd_fmt_addr(at, st->at, ptr_size);
    dd_fmt_addr(val, st->value, ptr_size);
    switch (st->end) {
    case NT_LIST_END_HEAD:
    case NT_LIST_END_STOPPED:
        snprintf(buf, len, "%zu entries", st->count);
        break;
    case NT_LIST_END_CAP:
        snprintf(buf, len, "list walk stopped after %zu entries (the limit) at %s", st->count, at);
        break;
    case NT_LIST_END_LOOP:
        snprintf(buf, len, "list loops: the Flink at %s points back to entry %s (after %zu entries)",
                 at, val, st->count);
        break;
    case NT_LIST_END_UNREADABLE:
        snprintf(buf, len, "list broken: the Flink at %s is not in the dump (after %zu entries)", at,
                 st->count);
        break;
    case NT_LIST_END_BAD_LINK:
        snprintf(buf, len, "list broken: the Flink at %s is %s, not a kernel address (after %zu "
                 "entries)", at, val, st->count);
        break;
    }
}
