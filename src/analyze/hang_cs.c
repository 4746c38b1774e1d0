/*
 * Critical sections: reading RTL_CRITICAL_SECTION and its RTL_CRITICAL_SECTION_DEBUG block.
 *
 * Layouts (winnt.h; the same offsets appear in Vergilius' _RTL_CRITICAL_SECTION and
 * _RTL_CRITICAL_SECTION_DEBUG for every Windows version since XP):
 *   RTL_CRITICAL_SECTION        x86 (0x18)          x64 (0x28)
 *     DebugInfo                 0x00                0x00
 *     LockCount (LONG)          0x04                0x08
 *     RecursionCount (LONG)     0x08                0x0c
 *     OwningThread (HANDLE)     0x0c                0x10
 *     LockSemaphore (HANDLE)    0x10                0x18
 *     SpinCount (ULONG_PTR)     0x14                0x20
 *   RTL_CRITICAL_SECTION_DEBUG  x86 (0x20)          x64 (0x30)
 *     Type (WORD)               0x00                0x00
 *     CreatorBackTraceIndex     0x02                0x02
 *     CriticalSection           0x04                0x08
 *     ProcessLocksList          0x08                0x10
 *     EntryCount (DWORD)        0x10                0x20
 *     ContentionCount (DWORD)   0x14                0x24
 * When ntdll's PDB is loaded, its _RTL_CRITICAL_SECTION and _RTL_CRITICAL_SECTION_DEBUG type
 * records give the offsets instead.
 */
#include <string.h>

#include "analyze/hang.h"
#include "base/cursor.h"
#include "cmd/session.h"
#include "pdb/pdb.h"
#include "pdb/tpi.h"
#include "sym/symbols.h"

/* Both blocks are small; a PDB that claims otherwise is not believed. */
#define CS_MAX_SIZE 0x100u

static const struct hang_cs_layout layout_x86 = {
    4, 0x18, 0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x20, 0x00, 0x02, 0x04, 0x08, 0x10, 0x14, false,
};
static const struct hang_cs_layout layout_x64 = {
    8, 0x28, 0x00, 0x08, 0x0c, 0x10, 0x18, 0x20, 0x30, 0x00, 0x02, 0x08, 0x10, 0x20, 0x24, false,
};

struct field_want {
    const char *name;
    uint32_t *offset;
    bool found;
};

struct fields_ctx {
    struct field_want *want;
    size_t n;
};

static struct dd_error *field_cb(void *ctx, const struct pdb_type_field *f)
{
    struct fields_ctx *fc = ctx;
    if (f->leaf != PDB_LF_MEMBER || f->offset >= CS_MAX_SIZE)
        return NULL;
    for (size_t i = 0; i < fc->n; i++)
        if (!fc->want[i].found && strcmp(fc->want[i].name, f->name) == 0) {
            *fc->want[i].offset = (uint32_t)f->offset;
            fc->want[i].found = true;
        }
    return NULL;
}

/* Fills the offsets of type NAME's fields WANT from TYPES; false when one is missing. */
static bool pdb_fields(struct pdb_types *types, const char *name, struct field_want *want, size_t n,
                       uint32_t *ret_size)
{
    uint32_t index;
    uint64_t size;
    if (dd_error_drop(pdb_types_find_by_name(types, name, 0, &index)) ||
        dd_error_drop(pdb_types_size_of(types, index, &size)) || size == 0 || size > CS_MAX_SIZE)
        return false;
    struct fields_ctx fc = {want, n};
    if (dd_error_drop(pdb_types_iterate_fields(types, index, field_cb, &fc)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!want[i].found)
            return false;
    *ret_size = (uint32_t)size;
    return true;
}

bool hang_cs_layout_from_types(struct pdb_types *types, unsigned ptr_size,
                               struct hang_cs_layout *ret)
{
    struct hang_cs_layout l = ptr_size == 8 ? layout_x64 : layout_x86;
    struct field_want cs[] = {
        {"DebugInfo", &l.debug_info, false},           {"LockCount", &l.lock_count, false},
        {"RecursionCount", &l.recursion_count, false}, {"OwningThread", &l.owning_thread, false},
        {"LockSemaphore", &l.lock_semaphore, false},   {"SpinCount", &l.spin_count, false},
    };
    struct field_want dbg[] = {
        {"Type", &l.dbg_type, false},
        {"CreatorBackTraceIndex", &l.dbg_creator_index, false},
        {"CriticalSection", &l.dbg_critical_section, false},
        {"ProcessLocksList", &l.dbg_locks_list, false},
        {"EntryCount", &l.dbg_entry_count, false},
        {"ContentionCount", &l.dbg_contention_count, false},
    };
    bool ok = pdb_fields(types, "_RTL_CRITICAL_SECTION", cs, 6, &l.size) &&
              pdb_fields(types, "_RTL_CRITICAL_SECTION_DEBUG", dbg, 6, &l.debug_size);
    /* Every field must fit in the block it belongs to (the readers below rely on it). */
    ok = ok && l.debug_info + ptr_size <= l.size && l.lock_count + 4 <= l.size &&
         l.recursion_count + 4 <= l.size && l.owning_thread + ptr_size <= l.size &&
         l.lock_semaphore + ptr_size <= l.size && l.spin_count + ptr_size <= l.size &&
         l.dbg_type + 2 <= l.debug_size && l.dbg_creator_index + 2 <= l.debug_size &&
         l.dbg_critical_section + ptr_size <= l.debug_size &&
         l.dbg_locks_list + 2 * ptr_size <= l.debug_size && l.dbg_entry_count + 4 <= l.debug_size &&
         l.dbg_contention_count + 4 <= l.debug_size;
    if (!ok)
        return false;
    l.from_pdb = true;
    *ret = l;
    return true;
}

/* The layout from ntdll's PDB types; false when ntdll has no PDB with them. */
static bool layout_from_pdb(struct session *s, unsigned ptr_size, struct hang_cs_layout *ret)
{
    if (!s->syms)
        return false;
    const struct target *t = s->target;
    long ntdll = -1;
    for (size_t i = 0; i < t->nmodules && ntdll < 0; i++)
        if (t->modules[i].name && strcmp(t->modules[i].name, "ntdll") == 0)
            ntdll = (long)i;
    if (ntdll < 0 || symbols_module_state(s->syms, (size_t)ntdll) == SYMBOLS_NONE)
        return false;
    struct pdb *pdb = symbols_module_pdb(s->syms, (size_t)ntdll);
    struct pdb_types *types = NULL;
    if (!pdb || dd_error_drop(pdb_types_open(pdb_msf(pdb), PDB_TYPES_TPI, &types)))
        return false;
    bool ok = hang_cs_layout_from_types(types, ptr_size, ret);
    pdb_types_destroy(types);
    return ok;
}

void hang_cs_layout_get(struct session *s, struct hang_cs_layout *ret)
{
    unsigned ps = session_ptr_size(s);
    if (!layout_from_pdb(s, ps, ret))
        *ret = ps == 8 ? layout_x64 : layout_x86;
}

enum hang_cs_style hang_cs_style_get(struct session *s)
{
    const struct target_sysinfo *sys = &s->target->sys;
    if (sys->is_wine)
        return HANG_CS_STYLE_COUNT; /* Wine's RtlEnterCriticalSection counts XP-style */
    if (sys->major_version > 5)
        return HANG_CS_STYLE_BITS;
    if (sys->major_version == 5 && sys->minor_version == 2 && sys->csd_version &&
        strstr(sys->csd_version, "Service Pack"))
        return HANG_CS_STYLE_BITS; /* Server 2003 SP1 and later */
    return HANG_CS_STYLE_COUNT;
}

static uint64_t ptr_at(const uint8_t *b, uint32_t off, unsigned ps)
{
    return ps == 8 ? dd_le64(b + off) : dd_le32(b + off);
}

struct dd_error *hang_cs_read(struct session *s, const struct hang_cs_layout *l,
                              enum hang_cs_style style, uint64_t addr, struct hang_cs *ret)
{
    uint8_t b[CS_MAX_SIZE];
    if (l->size > sizeof(b) || l->debug_size > sizeof(b))
        return dd_error_create(DD_ERR_FORMAT, "critical section layout too large");
    struct dd_error *err = target_read_exact(s->target, addr, b, l->size);
    if (err)
        return err;
    unsigned ps = l->ptr_size;
    struct hang_cs cs;
    memset(&cs, 0, sizeof(cs));
    cs.address = addr;
    cs.debug_info = ptr_at(b, l->debug_info, ps);
    cs.lock_count = (int32_t)dd_le32(b + l->lock_count);
    cs.recursion_count = (int32_t)dd_le32(b + l->recursion_count);
    cs.owning_thread = ptr_at(b, l->owning_thread, ps);
    cs.lock_semaphore = ptr_at(b, l->lock_semaphore, ps);
    cs.spin_count = ptr_at(b, l->spin_count, ps);
    if (style == HANG_CS_STYLE_BITS) {
        uint32_t lc = (uint32_t)cs.lock_count;
        cs.locked = (lc & 1) == 0;
        cs.waiter_woken = (lc & 2) == 0;
        cs.waiters = (uint32_t)(0xffffffffu - lc) >> 2;
    } else {
        cs.locked = cs.lock_count >= 0;
        int64_t w = (int64_t)cs.lock_count + 1 - cs.recursion_count;
        cs.waiters = cs.locked && w > 0 ? (uint32_t)w : 0;
    }
    cs.owner = -1;
    if (cs.owning_thread && cs.owning_thread <= 0xffffffffu)
        cs.owner = target_thread_by_tid(s->target, (uint32_t)cs.owning_thread);
    uint64_t none = ps == 8 ? UINT64_MAX : 0xffffffffu;
    if (cs.debug_info && cs.debug_info != none &&
        !dd_error_drop(target_read_exact(s->target, cs.debug_info, b, l->debug_size))) {
        cs.has_debug = true;
        cs.debug_type = dd_le16(b + l->dbg_type);
        cs.creator_back_trace_index = dd_le16(b + l->dbg_creator_index);
        cs.entry_count = dd_le32(b + l->dbg_entry_count);
        cs.contention_count = dd_le32(b + l->dbg_contention_count);
        cs.debug_cs = ptr_at(b, l->dbg_critical_section, ps);
    }
    *ret = cs;
    return NULL;
}

bool hang_cs_plausible_locked(const struct hang_cs *cs, unsigned ptr_size)
{
    uint64_t none = ptr_size == 8 ? UINT64_MAX : 0xffffffffu;
    if (!cs->locked || cs->owner < 0 || cs->recursion_count < 1 || cs->recursion_count > 0x10000)
        return false;
    if (cs->debug_info != 0 && cs->debug_info != none && cs->debug_info % ptr_size != 0)
        return false;
    if (cs->address % ptr_size != 0 || cs->spin_count > 0xffffffffu)
        return false;
    /* XP-style counts: the owner's entries are part of LockCount. */
    if (cs->lock_count >= 0 && cs->lock_count > 0x10000)
        return false;
    return true;
}
