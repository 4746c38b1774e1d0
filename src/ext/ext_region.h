/*
 * The target's memory regions (VirtualQuery's view: base, size, state,
 * protection, type, allocation) and what each is used for, as !address and
 * !vprot show them.
 */
#ifndef DD_EXT_EXT_REGION_H
#define DD_EXT_EXT_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "cmd/session.h"

/* MEMORY_BASIC_INFORMATION State and Type values (winnt.h). */
#define REGION_MEM_COMMIT 0x1000
#define REGION_MEM_RESERVE 0x2000
#define REGION_MEM_FREE 0x10000
#define REGION_MEM_PRIVATE 0x20000
#define REGION_MEM_MAPPED 0x40000
#define REGION_MEM_IMAGE 0x1000000

struct region_set {
    const struct target_region *r; /* sorted by base (a hostile dump's may overlap) */
    size_t n;
    bool synthesized; /* true when the dump has no MemoryInfoList (see region_set_get) */
};

enum region_usage_kind {
    REGION_USAGE_FREE,
    REGION_USAGE_UNKNOWN,
    REGION_USAGE_IMAGE,
    REGION_USAGE_STACK,
    REGION_USAGE_TEB,
    REGION_USAGE_PEB,
    REGION_USAGE_COUNT,
};

struct region_usage {
    enum region_usage_kind kind;
    size_t thread;                    /* thread index for STACK and TEB */
    const struct target_module *mod;  /* for IMAGE; NULL when no module covers the region */
};

/* One row of !address: a region, or the part of one that holds the PEB or a TEB. */
struct region_row {
    struct target_region r; /* the piece, with its region's state, protection and allocation */
    struct region_usage u;
};

struct region_rows {
    struct region_row *row; /* sorted by base */
    size_t n;
};

/*
 * Sets ret to the target's regions: the dump's MemoryInfoList, or when it has
 * none, regions made from what the dump does hold (each module's image as one
 * committed MEM_IMAGE region, the captured memory outside them as committed
 * MEM_PRIVATE regions with unknown protection, and free space between them up
 * to the top of user space). Synthesized regions live in s->scratch.
 */
struct dd_error *region_set_get(struct session *s, struct region_set *ret);

/* Returns the region containing ADDR, or NULL. */
const struct target_region *region_set_find(const struct region_set *set, uint64_t addr);

/* The region's end (base + size), saturated at UINT64_MAX. */
uint64_t region_end(const struct target_region *r);

/*
 * Sets ret to SET's regions as !address lists them (rows in s->scratch): each
 * region split where the PEB's page and each TEB's pages begin and end (the
 * debugger shows them as rows of their own even where VirtualQuery merges them
 * with their neighbours), and every row's usage: Free; PEB; TEB; Stack for the
 * whole allocation that holds a thread's captured stack; Image for a module's
 * memory or MEM_IMAGE; else <unknown>.
 */
struct dd_error *region_rows_build(struct session *s, const struct region_set *set,
                                   struct region_rows *ret);

/* Returns the row containing ADDR, or NULL. */
const struct region_row *region_rows_find(const struct region_rows *rows, uint64_t addr);

/* "Free", "<unknown>", "Image", "Stack", "TEB", "PEB". */
const char *region_usage_name(enum region_usage_kind kind);

/* Writes PROTECT's names ("PAGE_READWRITE | PAGE_GUARD") into BUF; "" when none is known. */
const char *region_protect_name(char *buf, size_t len, uint32_t protect);
/* "MEM_COMMIT", "MEM_RESERVE", "MEM_FREE", or "" for other values. */
const char *region_state_name(uint32_t state);
/* "MEM_PRIVATE", "MEM_MAPPED", "MEM_IMAGE", or "" for other values. */
const char *region_type_name(uint32_t type);

#endif
