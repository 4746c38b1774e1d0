/*
 * Kernel modules: the PsLoadedModuleList chain of KLDR_DATA_TABLE_ENTRY records (drivers and the
 * kernel itself, in load order), with each image's TimeDateStamp and CheckSum read from its PE
 * header in memory when the dump has that page.
 */
#ifndef DD_NT_KMODULES_H
#define DD_NT_KMODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "nt/kernel.h"

struct nt_kmodule {
    uint64_t entry;      /* the KLDR_DATA_TABLE_ENTRY */
    uint64_t base;       /* DllBase (0 when unreadable) */
    uint32_t size;       /* SizeOfImage */
    char name[128];      /* BaseDllName, UTF-8 ("" when not in the dump) */
    char path[512];      /* FullDllName */
    bool has_header;     /* the PE header at base was read */
    uint32_t timestamp;  /* IMAGE_FILE_HEADER.TimeDateStamp */
    uint32_t checksum;   /* IMAGE_OPTIONAL_HEADER.CheckSum */
};

struct nt_kmodule_list {
    struct nt_kmodule *items; /* malloc'd; free with nt_kmodule_list_free */
    size_t count;
    struct nt_list_status status; /* how the walk ended (loops and broken links are reported) */
};

/*
 * Reads the image header at BASE: sets ret_timestamp and ret_checksum; false when the dump lacks
 * the header or it is not a PE image (PE/COFF: e_lfanew at 0x3c, "PE\0\0", TimeDateStamp at
 * +8, the optional header at +24 with CheckSum at +64 in PE32 and PE32+).
 */
bool nt_image_header_read(struct nt_kernel *k, uint64_t base, uint32_t *ret_timestamp,
                          uint32_t *ret_checksum);

/*
 * Walks PsLoadedModuleList into ret. DD_ERR_NOT_FOUND when the list head or the entry layout
 * is unknown; a walk that ends early is not an error (ret->status says why).
 */
struct dd_error *nt_kmodules_list(struct nt_kernel *k, struct nt_kmodule_list *ret);
/*
 * Reads the LDR_DATA_TABLE_ENTRY at ENTRY (kernel or, through the current process's address
 * space, user) into M: base, size, names and the image header's timestamp and checksum, each
 * when readable.
 */
void nt_kmodule_read(struct nt_kernel *k, uint64_t entry, struct nt_kmodule *m);
/* Frees L's items; a zeroed L is a no-op. */
void nt_kmodule_list_free(struct nt_kmodule_list *l);

#endif
