/* PsActiveProcessHead walker and EPROCESS reader (see kprocess.h). */
#include "nt/kprocess.h"

#include <stdlib.h>
#include <string.h>

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
    if (c->count == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct nt_process *n = realloc(c->items, ncap * sizeof(*n));
        if (!n) {
            c->oom = true;
            return false;
        }
        c->items = n;
        c->cap = ncap;
    }
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
