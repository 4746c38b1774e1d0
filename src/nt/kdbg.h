/*
 * KdDebuggerDataBlock: the kernel's table of addresses and structure offsets for debuggers
 * (KDDEBUGGER_DATA64, and the NT4/Windows 2000 KDDEBUGGER_DATA32), found through the dump
 * header, the copy a triage dump carries, or a bounded scan. Windows 8+ may keep the block
 * encoded in memory (KdpDataBlockEncoded); kdbg_unscramble undoes that with the two boot-time
 * keys KiWaitNever and KiWaitAlways.
 *
 * Layout: wdbgexts.h from the Windows SDK/WDK ("DO NOT ADD OR REMOVE FIELDS FROM THE MIDDLE"),
 * as reproduced in QEMU contrib/elf2dmp/kdbg.h (up to OffsetPrcbContext) and later headers
 * (Windows 8 .. RS5 additions: OffsetPrcbMaxBreakpoints .. RetpolineStubSize, then
 * OffsetEProcessMmHotPatchContext). Fields are read by offset and only when the block's Size
 * covers them, so old and new blocks decode alike.
 */
#ifndef DD_NT_KDBG_H
#define DD_NT_KDBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "core/target.h"

/* DBGKD_DEBUG_DATA_HEADER.OwnerTag of the kernel's block: 'KDBG' read little-endian. */
#define KDBG_OWNER_TAG 0x4742444bu
/* Bytes of the header: LIST_ENTRY64 + OwnerTag + Size (64); LIST_ENTRY32 + tag + size (32). */
#define KDBG_HEADER64_SIZE 0x18u
#define KDBG_HEADER32_SIZE 0x10u
/* The largest Size accepted: every known block is below 0x400 bytes (0x3a0 in Windows 11). */
#define KDBG_MAX_SIZE 0x1000u
/* A scan never reads more than this many bytes of the target. */
#define KDBG_SCAN_MAX ((uint64_t)256 << 20)

/* The decoded block; addresses are 0 and offsets KDBG_NO_OFFSET where the block is too short. */
#define KDBG_NO_OFFSET UINT32_MAX

struct kdbg {
    bool is32;     /* a KDDEBUGGER_DATA32 (NT4/Windows 2000 header) */
    uint32_t size; /* Header.Size */
    bool pae_enabled;

    uint64_t kern_base, breakpoint_with_status, saved_context;
    uint64_t ki_call_user_mode, ke_user_callback_dispatcher;
    uint64_t ps_loaded_module_list, ps_active_process_head, psp_cid_table;
    uint64_t ke_time_increment, ki_bugcheck_data;
    uint64_t obp_root_directory_object, obp_type_object_type;
    uint64_t mm_pfn_database, mm_highest_user_address, mm_system_range_start;
    uint64_t mm_user_probe_address, mm_loaded_user_image_list;
    /* NT 5.x additions (64-bit block only). */
    uint64_t nt_build_lab, ki_processor_block, mm_unloaded_drivers, mm_last_unloaded_driver;
    uint64_t cm_nt_csd_version, mm_physical_memory_block, ke_loader_block;
    uint64_t pte_base; /* Windows 10 RS1+ */

    /* Server 2003 offsets (0 or KDBG_NO_OFFSET when absent; 0 is a valid offset only where noted). */
    uint32_t offset_kthread_next_processor, offset_kthread_teb, offset_kthread_kernel_stack;
    uint32_t offset_kthread_initial_stack, offset_kthread_apc_process, offset_kthread_state;
    uint32_t size_eprocess, offset_eprocess_peb, offset_eprocess_parent_cid;
    uint32_t offset_eprocess_directory_table_base;
    uint32_t size_prcb, offset_prcb_dpc_routine, offset_prcb_current_thread, offset_prcb_mhz;
    uint32_t offset_prcb_cpu_type, offset_prcb_vendor_string, offset_prcb_proc_state_context;
    uint32_t offset_prcb_number, size_ethread;
    uint32_t size_pcr, offset_pcr_self_pcr, offset_pcr_current_prcb, offset_pcr_contained_prcb;
    uint32_t offset_pcr_initial_stack, offset_pcr_stack_limit;
    uint32_t offset_prcb_proc_state_special_reg;
    /* Windows 7, 8 and 8.1 additions. */
    uint32_t offset_prcb_context;
    uint32_t offset_kthread_stack_limit, offset_kthread_stack_base;
    uint32_t offset_prcb_idle_thread, offset_prcb_dpc_stack;
    uint32_t offset_kthread_wait_reason;
};

/* The boot-time keys of an encoded block (values, and the address of KdpDataBlockEncoded). */
struct kdbg_keys {
    uint64_t wait_never;         /* the value of nt!KiWaitNever */
    uint64_t wait_always;        /* the value of nt!KiWaitAlways */
    uint64_t block_encoded_addr; /* the address of nt!KdpDataBlockEncoded */
};

/*
 * Decodes the plain block of SIZE bytes at DATA into ret: a KDDEBUGGER_DATA64 (tag at 0x10) or a
 * KDDEBUGGER_DATA32 (tag at 0x08). DD_ERR_FORMAT when no 'KDBG' tag is found or the recorded Size
 * is below the header or above KDBG_MAX_SIZE; fields past min(Size, SIZE) are left unset.
 */
struct dd_error *kdbg_decode(const uint8_t *data, size_t size, struct kdbg *ret);

/* True when DATA (at least 0x18 bytes) carries a 'KDBG' tag in either header form. */
bool kdbg_has_tag(const uint8_t *data, size_t size);

/*
 * Undoes KdCopyDataBlock's encoding in place, one 64-bit word at a time (a trailing partial word
 * is left as is): plain = KiWaitAlways ^ bswap64(&KdpDataBlockEncoded ^ rol64(word ^ KiWaitNever,
 * KiWaitNever & 63)).
 */
void kdbg_unscramble(uint8_t *data, size_t size, const struct kdbg_keys *keys);
/* The inverse of kdbg_unscramble (KdEncodeDataBlock), for tests and fixtures. */
void kdbg_scramble(uint8_t *data, size_t size, const struct kdbg_keys *keys);

/*
 * Reads and decodes the block at ADDR of T into ret. When its tag is not plain and KEYS is not
 * NULL, the header is unscrambled and, when that shows 'KDBG', the whole block too; ret_encoded
 * (may be NULL) says which happened. Errors: DD_ERR_MEMORY when the block is not in the dump,
 * DD_ERR_FORMAT when neither form is a valid block.
 */
struct dd_error *kdbg_read(struct target *t, uint64_t addr, const struct kdbg_keys *keys,
                           struct kdbg *ret, bool *ret_encoded);

/*
 * Looks for a plain 64-bit block in [START, START+LEN) of T (LEN capped at KDBG_SCAN_MAX),
 * reading page by page and skipping pages the dump lacks: a 'KDBG' tag at an 8-aligned +0x10, a
 * sane Size and, when WANT_KERN_BASE is not 0, that KernBase. Sets ret_addr and ret to the first
 * match; DD_ERR_NOT_FOUND when there is none.
 */
struct dd_error *kdbg_scan(struct target *t, uint64_t start, uint64_t len, uint64_t want_kern_base,
                           uint64_t *ret_addr, struct kdbg *ret);

#endif
