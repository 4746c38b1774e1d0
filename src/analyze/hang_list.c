/*
 * Bounded walks of LIST_ENTRY lists in dump memory (LIST_ENTRY: Flink then Blink, winnt.h).
 * A list read from a dump may be cut short (a page not captured), corrupt (a link to nowhere)
 * or circular without its head (an entry freed and reused): the walk follows Flink at most CAP
 * times, remembers every entry in a hash set and stops at the first one it sees twice.
 */
#include <stdlib.h>

#include "analyze/hang.h"

/* An open-addressing set of addresses (0 marks a free slot; 0 is never an entry). */
struct addr_set {
    uint64_t *slots;
    size_t mask;
};

static bool set_init(struct addr_set *s, size_t cap)
{
    size_t n = 16;
    while (n < cap * 2)
        n *= 2;
    s->slots = calloc(n, sizeof(*s->slots));
    s->mask = n - 1;
    return s->slots != NULL;
}

/* Adds A; false when it was there already. */
static bool set_add(struct addr_set *s, uint64_t a)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ull;
    for (size_t i = (size_t)(h >> 20) & s->mask;; i = (i + 1) & s->mask) {
        if (s->slots[i] == a)
            return false;
        if (s->slots[i] == 0) {
            s->slots[i] = a;
            return true;
        }
    }
}

struct dd_error *hang_list_walk(hang_read_ptr_fn read, void *read_ctx, uint64_t head, size_t cap,
                                void (*visit)(void *ctx, uint64_t entry), void *visit_ctx,
                                struct hang_list_walk *ret)
{
    struct hang_list_walk w = {0, HANG_LIST_END, 0};
    struct addr_set seen;
    if (!set_init(&seen, cap + 1))
        return &dd_error_no_memory;
    uint64_t at = head;
    for (;;) {
        uint64_t next;
        if (!read(read_ctx, at, &next)) {
            w.stop = HANG_LIST_READ;
            w.stop_address = at;
            break;
        }
        if (next == head) {
            w.stop = HANG_LIST_END;
            break;
        }
        if (next == 0) {
            w.stop = HANG_LIST_NULL;
            w.stop_address = at;
            break;
        }
        if (w.count == cap) {
            w.stop = HANG_LIST_CAP;
            w.stop_address = next;
            break;
        }
        if (!set_add(&seen, next)) {
            w.stop = HANG_LIST_LOOP;
            w.stop_address = next;
            break;
        }
        if (visit)
            visit(visit_ctx, next);
        w.count++;
        at = next;
    }
    free(seen.slots);
    *ret = w;
    return NULL;
}

const char *hang_list_stop_name(enum hang_list_stop stop)
{
    switch (stop) {
    case HANG_LIST_END:
        return "end";
    case HANG_LIST_LOOP:
        return "loop";
    case HANG_LIST_CAP:
        return "limit";
    case HANG_LIST_READ:
        return "unreadable link";
    case HANG_LIST_NULL:
        return "NULL link";
    }
    return "?";
}
