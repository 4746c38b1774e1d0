/* PsActiveProcessHead walker and EPROCESS reader (see kprocess.h). */
#include "nt/kprocess.h"

#include <stdlib.h>
#include <string.h>

#include "base/array.h"

static void get(struct nt_kernel *k, uint64_t base, enum nt_field f, uint64_t *dst, uint32_t *have,
                uint32_t bit)
{
    uint64_t v;
    if (nt_field_read(k, base, f, &v)) {
        *dst = v;
        *have |= bit;
    }
}

static bool process_layout_known(const struct nt_layout *l)
{
    return nt_layout_has(l, NT_EPROCESS_UNIQUE_PROCESS_ID) ||
           nt_layout_has(l, NT_EPROCESS_IMAGE_FILE_NAME) ||
           nt_layout_has(l, NT_EPROCESS_DIRECTORY_TABLE_BASE);
}

struct dd_error *nt_process_read(struct nt_kernel *k, uint64_t eprocess, struct nt_process *ret)
{
    const struct nt_layout *l = &k->layout;
    if (!process_layout_known(l))
        return dd_error_create(DD_ERR_NOT_FOUND, "the EPROCESS layout is unknown");
    struct nt_process p;
    memset(&p, 0, sizeof(p));
    p.eprocess = eprocess;
    get(k, eprocess, NT_EPROCESS_UNIQUE_PROCESS_ID, &p.pid, &p.have, NT_PROC_PID);
    get(k, eprocess, NT_EPROCESS_INHERITED_FROM_UNIQUE_PROCESS_ID, &p.parent_pid, &p.have,
        NT_PROC_PARENT_PID);
    get(k, eprocess, NT_EPROCESS_DIRECTORY_TABLE_BASE, &p.dtb, &p.have, NT_PROC_DTB);
    get(k, eprocess, NT_EPROCESS_PEB, &p.peb, &p.have, NT_PROC_PEB);
    get(k, eprocess, NT_EPROCESS_OBJECT_TABLE, &p.object_table, &p.have, NT_PROC_OBJECT_TABLE);
    get(k, eprocess, NT_EPROCESS_SESSION, &p.session, &p.have, NT_PROC_SESSION);
    get(k, eprocess, NT_EPROCESS_WOW64_PROCESS, &p.wow64, &p.have, NT_PROC_WOW64);
    get(k, eprocess, NT_EPROCESS_CREATE_TIME, &p.create_time, &p.have, NT_PROC_CREATE_TIME);
    uint64_t v;
    if (nt_field_read(k, eprocess, NT_EPROCESS_ACTIVE_THREADS, &v)) {
        p.active_threads = (uint32_t)v;
        p.have |= NT_PROC_ACTIVE_THREADS;
    }
    if ((p.have & NT_PROC_SESSION) && p.session &&
        nt_field_read(k, p.session, NT_MM_SESSION_SPACE_SESSION_ID, &v)) {
        p.session_id = (uint32_t)v;
        p.have |= NT_PROC_SESSION_ID;
    }
    /* HANDLE_TABLE.HandleCount exists up to Windows 8; later tables do not count handles. */
    if ((p.have & NT_PROC_OBJECT_TABLE) && p.object_table &&
        nt_field_read(k, p.object_table, NT_HANDLE_TABLE_HANDLE_COUNT, &v)) {
        p.handle_count = (uint32_t)v;
        p.have |= NT_PROC_HANDLE_COUNT;
    }
    if (nt_layout_has(l, NT_EPROCESS_IMAGE_FILE_NAME)) {
        uint8_t name[15];
        if (!dd_error_drop(target_read_exact(k->target, eprocess + l->off[NT_EPROCESS_IMAGE_FILE_NAME],
                                             name, sizeof(name)))) {
            size_t n = 0;
            while (n < sizeof(name) && name[n])
                n++;
            for (size_t i = 0; i < n; i++)
                p.image_name[i] = (char)(name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?');
            p.image_name[n] = 0;
            p.have |= NT_PROC_IMAGE_NAME;
        }
    }
    *ret = p;
    return NULL;
}

struct proc_ctx {
    struct nt_kernel *k;
    uint32_t links;
    struct nt_process *items;
    size_t count, cap;
    bool oom;
};

static bool proc_add(void *ctx, uint64_t entry)
{
    struct proc_ctx *c = ctx;
    void *grown = dd_array_grow(c->items, &c->cap, c->count, sizeof(*c->items), 64);
    if (!grown) {
        c->oom = true;
        return false;
    }
    c->items = grown;
    struct nt_process *p = &c->items[c->count++];
    if (dd_error_drop(nt_process_read(c->k, entry - c->links, p))) {
        memset(p, 0, sizeof(*p)); /* unreachable: the layout was checked before the walk */
        p->eprocess = entry - c->links;
    }
    return true;
}

struct dd_error *nt_processes_list(struct nt_kernel *k, struct nt_process_list *ret)
{
    if (!k->ps_active_process_head)
        return dd_error_create(DD_ERR_NOT_FOUND, "PsActiveProcessHead is unknown");
    if (!nt_layout_has(&k->layout, NT_EPROCESS_ACTIVE_PROCESS_LINKS))
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "the offset of EPROCESS.ActiveProcessLinks is unknown (no ntoskrnl "
                               "PDB or ISF type file, and no built-in layout for build %u)",
                               k->build);
    if (!process_layout_known(&k->layout))
        return dd_error_create(DD_ERR_NOT_FOUND, "the EPROCESS layout is unknown");
    struct proc_ctx c = {.k = k, .links = k->layout.off[NT_EPROCESS_ACTIVE_PROCESS_LINKS]};
    struct nt_list_status st;
    nt_list_walk(k, k->ps_active_process_head, 0, proc_add, &c, &st);
    if (c.oom) {
        free(c.items);
        return &dd_error_no_memory;
    }
    ret->items = c.items;
    ret->count = c.count;
    ret->status = st;
    return NULL;
}

void nt_process_list_free(struct nt_process_list *l)
{
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

const struct nt_process *nt_process_list_find_pid(const struct nt_process_list *l, uint64_t pid)
{
    for (size_t i = 0; i < l->count; i++)
        if ((l->items[i].have & NT_PROC_PID) && l->items[i].pid == pid)
            return &l->items[i];
    return NULL;
}

/* Reads a pointer of K's size: the kernel's, or 4 in the 32-bit view of a WoW64 process. */
static bool user_ptr(struct nt_kernel *k, uint64_t addr, uint64_t *ret)
{
    return !dd_error_drop(nt_read_ptr(k, addr, ret));
}

/*
 * Walks the loader list of the PEB at PEB with K's pointer size and LDR_DATA_TABLE_ENTRY
 * layout (the native one, or the 32-bit view nt_process_wow64_modules makes).
 */
static struct dd_error *loader_walk(struct nt_kernel *k, uint64_t peb, struct nt_kmodule_list *ret)
{
    const struct nt_layout *l = &k->layout;
    if (!nt_layout_has(l, NT_LDR_DLL_BASE) || !nt_layout_has(l, NT_LDR_SIZE_OF_IMAGE))
        return dd_error_create(DD_ERR_NOT_FOUND, "the loader entry layout is unknown");
    bool wide = k->ptr_size == 8;
    uint64_t ldr;
    if (!user_ptr(k, peb + (wide ? NT_PEB64_LDR : NT_PEB32_LDR), &ldr))
        return dd_error_wrap(dd_error_memory(peb), "the PEB is not in the dump");
    if (!ldr)
        return dd_error_create(DD_ERR_NOT_FOUND, "the PEB has no loader data (Ldr is 0)");
    uint64_t head = ldr + (wide ? NT_PEB_LDR64_IN_LOAD_ORDER : NT_PEB_LDR32_IN_LOAD_ORDER);
    struct nt_kmodule_list out = {0};
    out.status.end = NT_LIST_END_HEAD;
    out.status.at = head;
    size_t cap = 0;
    uint64_t entry;
    uint64_t prev = head;
    for (;;) {
        if (!user_ptr(k, prev, &entry)) {
            out.status.end = NT_LIST_END_UNREADABLE;
            out.status.at = prev;
            break;
        }
        if (entry == head)
            break;
        if (!entry || (entry & (k->ptr_size - 1))) {
            out.status.end = NT_LIST_END_BAD_LINK;
            out.status.at = prev;
            out.status.value = entry;
            break;
        }
        if (out.count >= NT_USER_MODULES_MAX) {
            out.status.end = NT_LIST_END_CAP;
            break;
        }
        /* A loop that does not pass the head: an entry seen before (the lists are short). */
        bool seen = false;
        for (size_t i = 0; i < out.count && !seen; i++)
            seen = out.items[i].entry == entry;
        if (seen) {
            out.status.end = NT_LIST_END_LOOP;
            out.status.at = entry;
            break;
        }
        void *grown = dd_array_grow(out.items, &cap, out.count, sizeof(*out.items), 16);
        if (!grown) {
            free(out.items);
            return &dd_error_no_memory;
        }
        out.items = grown;
        nt_kmodule_read(k, entry, &out.items[out.count++]);
        prev = entry;
    }
    out.status.count = out.count;
    *ret = out;
    return NULL;
}

struct dd_error *nt_process_user_modules(struct nt_kernel *k, const struct nt_process *p,
                                         struct nt_kmodule_list *ret)
{
    if (!(p->have & NT_PROC_PEB) || !p->peb)
        return dd_error_create(DD_ERR_NOT_FOUND, "the process has no PEB");
    return loader_walk(k, p->peb, ret);
}

struct dd_error *nt_process_wow64_peb(struct nt_kernel *k, const struct nt_process *p,
                                      uint64_t *ret)
{
    if (k->ptr_size != 8 || !(p->have & NT_PROC_WOW64) || !p->wow64)
        return dd_error_create(DD_ERR_NOT_FOUND, "the process is not a WoW64 process");
    uint64_t peb32 = p->wow64;
    /* A kernel address is an EWOW64PROCESS (or WOW64_PROCESS) whose first member is the PEB32;
     * a value below 4 GB is the PEB32 itself. */
    if (peb32 > UINT32_MAX && dd_error_drop(nt_read_ptr(k, p->wow64, &peb32)))
        return dd_error_wrap(dd_error_memory(p->wow64),
                             "the process's EWOW64PROCESS is not in the dump");
    if (!peb32 || peb32 > UINT32_MAX)
        return dd_error_create(DD_ERR_NOT_FOUND, "the WoW64 process names no 32-bit PEB");
    *ret = peb32;
    return NULL;
}

struct dd_error *nt_process_wow64_modules(struct nt_kernel *k, const struct nt_process *p,
                                          struct nt_kmodule_list *ret)
{
    uint64_t peb32;
    struct dd_error *err = nt_process_wow64_peb(k, p, &peb32);
    if (err)
        return err;
    struct nt_kernel *k32 = malloc(sizeof(*k32));
    if (!k32)
        return &dd_error_no_memory;
    *k32 = *k;
    k32->ptr_size = 4;
    k32->layout.ptr_size = 4;
    nt_layout_set(&k32->layout, NT_LDR_DLL_BASE, NT_LDR32_DLL_BASE, 4);
    nt_layout_set(&k32->layout, NT_LDR_SIZE_OF_IMAGE, NT_LDR32_SIZE_OF_IMAGE, 4);
    nt_layout_set(&k32->layout, NT_LDR_FULL_DLL_NAME, NT_LDR32_FULL_DLL_NAME, 8);
    nt_layout_set(&k32->layout, NT_LDR_BASE_DLL_NAME, NT_LDR32_BASE_DLL_NAME, 8);
    err = loader_walk(k32, peb32, ret);
    free(k32);
    return err;
}

/* Reads every field of FIELDS (N of them) at BASE into DST; true only when all were read. */
static bool read_all(struct nt_kernel *k, uint64_t base, const enum nt_field *fields,
                     uint64_t *const *dst, size_t n)
{
    uint64_t v[8];
    for (size_t i = 0; i < n; i++)
        if (!nt_field_read(k, base, fields[i], &v[i]))
            return false;
    for (size_t i = 0; i < n; i++)
        *dst[i] = v[i];
    return true;
}

void nt_process_read_stats(struct nt_kernel *k, uint64_t eprocess, struct nt_process_stats *ret)
{
    struct nt_process_stats st;
    memset(&st, 0, sizeof(st));
    uint64_t v;
    static const enum nt_field vads[] = {NT_EPROCESS_VAD_ROOT, NT_EPROCESS_VAD_COUNT};
    if (read_all(k, eprocess, vads, (uint64_t *const[]){&st.vad_root, &st.vad_count}, 2))
        st.have |= NT_PSTAT_VADS;
    static const enum nt_field pages[] = {NT_EPROCESS_CLONE_ROOT, NT_EPROCESS_PRIVATE_PAGES,
                                          NT_EPROCESS_MODIFIED_PAGES, NT_EPROCESS_LOCKED_PAGES};
    if (read_all(k, eprocess, pages,
                 (uint64_t *const[]){&st.clone_root, &st.private_pages, &st.modified_pages,
                                     &st.locked_pages},
                 4))
        st.have |= NT_PSTAT_PAGES;
    get(k, eprocess, NT_EPROCESS_DEVICE_MAP, &st.device_map, &st.have, NT_PSTAT_DEVICE_MAP);
    if (nt_field_read(k, eprocess, NT_EPROCESS_TOKEN, &v)) {
        /* EX_FAST_REF: the low bits count references (RefCnt: 4 bits on 64-bit, 3 on 32-bit). */
        st.token = v & ~(uint64_t)(k->ptr_size == 8 ? 0xf : 0x7);
        st.have |= NT_PSTAT_TOKEN;
    }
    uint64_t ut, kt;
    static const enum nt_field times[] = {NT_EPROCESS_USER_TIME, NT_EPROCESS_KERNEL_TIME};
    if (read_all(k, eprocess, times, (uint64_t *const[]){&ut, &kt}, 2)) {
        st.user_time = (uint32_t)ut;
        st.kernel_time = (uint32_t)kt;
        st.have |= NT_PSTAT_TIMES;
    }
    static const enum nt_field ws[] = {NT_EPROCESS_WORKING_SET_SIZE,
                                       NT_EPROCESS_MIN_WORKING_SET_SIZE,
                                       NT_EPROCESS_MAX_WORKING_SET_SIZE};
    if (read_all(k, eprocess, ws, (uint64_t *const[]){&st.ws_size, &st.ws_min, &st.ws_max}, 3))
        st.have |= NT_PSTAT_WORKING_SET;
    get(k, eprocess, NT_EPROCESS_PEAK_WORKING_SET_SIZE, &st.ws_peak, &st.have,
        NT_PSTAT_PEAK_WORKING_SET);
    get(k, eprocess, NT_EPROCESS_VIRTUAL_SIZE, &st.virtual_size, &st.have, NT_PSTAT_VIRTUAL_SIZE);
    get(k, eprocess, NT_EPROCESS_PEAK_VIRTUAL_SIZE, &st.peak_virtual_size, &st.have,
        NT_PSTAT_PEAK_VIRTUAL_SIZE);
    if (nt_field_read(k, eprocess, NT_EPROCESS_PAGE_FAULT_COUNT, &v)) {
        st.page_faults = (uint32_t)v;
        st.have |= NT_PSTAT_PAGE_FAULTS;
    }
    if (nt_field_read(k, eprocess, NT_EPROCESS_BASE_PRIORITY, &v)) {
        st.base_priority = (int8_t)(uint8_t)v;
        st.have |= NT_PSTAT_BASE_PRIORITY;
    }
    get(k, eprocess, NT_EPROCESS_COMMIT_CHARGE, &st.commit_charge, &st.have,
        NT_PSTAT_COMMIT_CHARGE);
    /* ProcessQuotaUsage[PsQuotaTypes]: SIZE_T elements, both pools inside the array's width. */
    const struct nt_layout *l = &k->layout;
    uint64_t q0 = 0, q1 = 0;
    if (nt_layout_has(l, NT_EPROCESS_QUOTA_USAGE) &&
        l->width[NT_EPROCESS_QUOTA_USAGE] >= 2 * k->ptr_size) {
        uint64_t at = eprocess + l->off[NT_EPROCESS_QUOTA_USAGE];
        if (!dd_error_drop(nt_read_ptr(k, at + NT_PS_PAGED_POOL * k->ptr_size, &q1)) &&
            !dd_error_drop(nt_read_ptr(k, at + NT_PS_NON_PAGED_POOL * k->ptr_size, &q0))) {
            st.quota_paged = q1;
            st.quota_nonpaged = q0;
            st.have |= NT_PSTAT_QUOTA;
        }
    }
    if (nt_field_read(k, eprocess, NT_EPROCESS_MEMORY_PRIORITY, &v)) {
        st.memory_priority = (uint8_t)v;
        st.have |= NT_PSTAT_MEMORY_PRIORITY;
    }
    *ret = st;
}
