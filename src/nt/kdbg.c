/*
 * KDDEBUGGER_DATA64/32 decoding, unscrambling and scanning (see kdbg.h for the sources).
 *
 * Offsets of KDDEBUGGER_DATA64 (natural alignment, as the C declaration in wdbgexts.h lays it
 * out; checked against the copy in the corpus triage dump, whose Size is 0x380):
 *   0x10 OwnerTag, 0x14 Size, 0x18 KernBase, 0x20 BreakpointWithStatus, 0x28 SavedContext,
 *   0x36 PaeEnabled:1, 0x38 KiCallUserMode ... 0x200 MmLoadedUserImageList (one ULONG64 each),
 *   0x208 NtBuildLab, 0x218 KiProcessorBlock, 0x298 OffsetKThreadNextProcessor .. 0x2c0
 *   SizeEThread (USHORTs), 0x2d8 KeLoaderBlock, 0x2e0 SizePcr .. 0x2f2 OffsetPrcbProcStateSpecialReg,
 *   0x338 OffsetPrcbContext, 0x340 OffsetKThreadStackLimit (ULONGs to 0x34c), 0x350
 *   OffsetPrcbIdleThread, 0x354 OffsetPrcbDpcStack, 0x35c OffsetKThreadWaitReason, 0x360 PteBase.
 * KDDEBUGGER_DATA32 keeps the same order with ULONG fields after a LIST_ENTRY32 header: KernBase
 * at 0x10 and the ULONG run from KiCallUserMode at 0x24 (so a 64-bit offset O >= 0x38 maps to
 * 0x24 + (O - 0x38) / 2), ending with MmLoadedUserImageList.
 */
#include "nt/kdbg.h"

#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"

/* The first 64-bit field that is not part of the 32-bit block. */
#define KDBG64_FIRST_NT51 0x208u
#define KDBG32_MIN_SIZE 0x58u /* through PsActiveProcessHead's neighbours */
#define KDBG64_MIN_SIZE 0x58u

struct kdbg_view {
    const uint8_t *data;
    size_t len; /* min(Size, bytes available) */
    bool is32;
};

static bool view_has(const struct kdbg_view *v, uint32_t off, uint32_t width)
{
    return (uint64_t)off + width <= v->len;
}

/* A 64-bit block address field, or its 32-bit twin (sign-extended, as the 64-bit block stores
 * 32-bit pointers). Zero when the block is too short. */
static uint64_t view_addr(const struct kdbg_view *v, uint32_t off64)
{
    if (!v->is32)
        return view_has(v, off64, 8) ? dd_le64(v->data + off64) : 0;
    if (off64 >= KDBG64_FIRST_NT51)
        return 0;
    uint32_t off32 = off64 == 0x18 ? 0x10 : off64 == 0x20 ? 0x14 : off64 == 0x28 ? 0x18
                                                                                : 0x24 + (off64 - 0x38) / 2;
    if (!view_has(v, off32, 4))
        return 0;
    return (uint64_t)(int64_t)(int32_t)dd_le32(v->data + off32);
}

static uint32_t view_u16(const struct kdbg_view *v, uint32_t off64)
{
    if (v->is32 || !view_has(v, off64, 2))
        return KDBG_NO_OFFSET;
    return dd_le16(v->data + off64);
}

static uint32_t view_u32(const struct kdbg_view *v, uint32_t off64)
{
    if (v->is32 || !view_has(v, off64, 4))
        return KDBG_NO_OFFSET;
    return dd_le32(v->data + off64);
}

bool kdbg_has_tag(const uint8_t *data, size_t size)
{
    if (size >= KDBG_HEADER64_SIZE && dd_le32(data + 0x10) == KDBG_OWNER_TAG)
        return true;
    return size >= KDBG_HEADER32_SIZE && dd_le32(data + 0x08) == KDBG_OWNER_TAG;
}

struct dd_error *kdbg_decode(const uint8_t *data, size_t size, struct kdbg *ret)
{
    struct kdbg_view v = {.data = data};
    uint32_t recorded;
    if (size >= KDBG_HEADER64_SIZE && dd_le32(data + 0x10) == KDBG_OWNER_TAG) {
        recorded = dd_le32(data + 0x14);
        if (recorded < KDBG64_MIN_SIZE || recorded > KDBG_MAX_SIZE)
            return dd_error_create(DD_ERR_FORMAT,
                                   "KDDEBUGGER_DATA64 Size 0x%x is outside 0x%x..0x%x", recorded,
                                   KDBG64_MIN_SIZE, KDBG_MAX_SIZE);
    } else if (size >= KDBG_HEADER32_SIZE && dd_le32(data + 0x08) == KDBG_OWNER_TAG) {
        v.is32 = true;
        recorded = dd_le32(data + 0x0c);
        if (recorded < KDBG32_MIN_SIZE || recorded > KDBG_MAX_SIZE)
            return dd_error_create(DD_ERR_FORMAT,
                                   "KDDEBUGGER_DATA32 Size 0x%x is outside 0x%x..0x%x", recorded,
                                   KDBG32_MIN_SIZE, KDBG_MAX_SIZE);
    } else {
        return dd_error_create(DD_ERR_FORMAT, "no KDBG owner tag in the debugger data block");
    }
    v.len = size < recorded ? size : recorded;

    struct kdbg k;
    memset(&k, 0, sizeof(k));
    k.is32 = v.is32;
    k.size = recorded;
    if (v.is32)
        k.pae_enabled = view_has(&v, 0x22, 2) && (dd_le16(data + 0x22) & 1);
    else
        k.pae_enabled = view_has(&v, 0x36, 2) && (dd_le16(data + 0x36) & 1);

    k.kern_base = view_addr(&v, 0x18);
    k.breakpoint_with_status = view_addr(&v, 0x20);
    k.saved_context = view_addr(&v, 0x28);
    k.ki_call_user_mode = view_addr(&v, 0x38);
    k.ke_user_callback_dispatcher = view_addr(&v, 0x40);
    k.ps_loaded_module_list = view_addr(&v, 0x48);
    k.ps_active_process_head = view_addr(&v, 0x50);
    k.psp_cid_table = view_addr(&v, 0x58);
    k.ke_time_increment = view_addr(&v, 0x78);
    k.ki_bugcheck_data = view_addr(&v, 0x88);
    k.obp_root_directory_object = view_addr(&v, 0x98);
    k.obp_type_object_type = view_addr(&v, 0xa0);
    k.mm_pfn_database = view_addr(&v, 0xc0);
    k.mm_highest_user_address = view_addr(&v, 0x1c8);
    k.mm_system_range_start = view_addr(&v, 0x1d0);
    k.mm_user_probe_address = view_addr(&v, 0x1d8);
    k.mm_loaded_user_image_list = view_addr(&v, 0x200);
    k.nt_build_lab = view_addr(&v, 0x208);
    k.ki_processor_block = view_addr(&v, 0x218);
    k.mm_unloaded_drivers = view_addr(&v, 0x220);
    k.mm_last_unloaded_driver = view_addr(&v, 0x228);
    k.cm_nt_csd_version = view_addr(&v, 0x268);
    k.mm_physical_memory_block = view_addr(&v, 0x270);
    k.ke_loader_block = view_addr(&v, 0x2d8);
    k.pte_base = view_addr(&v, 0x360);

    k.offset_kthread_next_processor = view_u16(&v, 0x298);
    k.offset_kthread_teb = view_u16(&v, 0x29a);
    k.offset_kthread_kernel_stack = view_u16(&v, 0x29c);
    k.offset_kthread_initial_stack = view_u16(&v, 0x29e);
    k.offset_kthread_apc_process = view_u16(&v, 0x2a0);
    k.offset_kthread_state = view_u16(&v, 0x2a2);
    k.size_eprocess = view_u16(&v, 0x2a8);
    k.offset_eprocess_peb = view_u16(&v, 0x2aa);
    k.offset_eprocess_parent_cid = view_u16(&v, 0x2ac);
    k.offset_eprocess_directory_table_base = view_u16(&v, 0x2ae);
    k.size_prcb = view_u16(&v, 0x2b0);
    k.offset_prcb_dpc_routine = view_u16(&v, 0x2b2);
    k.offset_prcb_current_thread = view_u16(&v, 0x2b4);
    k.offset_prcb_mhz = view_u16(&v, 0x2b6);
    k.offset_prcb_cpu_type = view_u16(&v, 0x2b8);
    k.offset_prcb_vendor_string = view_u16(&v, 0x2ba);
    k.offset_prcb_proc_state_context = view_u16(&v, 0x2bc);
    k.offset_prcb_number = view_u16(&v, 0x2be);
    k.size_ethread = view_u16(&v, 0x2c0);
    k.size_pcr = view_u16(&v, 0x2e0);
    k.offset_pcr_self_pcr = view_u16(&v, 0x2e2);
    k.offset_pcr_current_prcb = view_u16(&v, 0x2e4);
    k.offset_pcr_contained_prcb = view_u16(&v, 0x2e6);
    k.offset_pcr_initial_stack = view_u16(&v, 0x2ec);
    k.offset_pcr_stack_limit = view_u16(&v, 0x2ee);
    k.offset_prcb_proc_state_special_reg = view_u16(&v, 0x2f2);
    k.offset_prcb_context = view_u16(&v, 0x338);
    k.offset_kthread_stack_limit = view_u32(&v, 0x340);
    k.offset_kthread_stack_base = view_u32(&v, 0x344);
    k.offset_prcb_idle_thread = view_u16(&v, 0x350);
    k.offset_prcb_dpc_stack = view_u16(&v, 0x354);
    k.offset_kthread_wait_reason = view_u16(&v, 0x35c);
    *ret = k;
    return NULL;
}

static uint64_t bswap64(uint64_t x)
{
    x = ((x & 0x00ff00ff00ff00ffULL) << 8) | ((x >> 8) & 0x00ff00ff00ff00ffULL);
    x = ((x & 0x0000ffff0000ffffULL) << 16) | ((x >> 16) & 0x0000ffff0000ffffULL);
    return (x << 32) | (x >> 32);
}

static uint64_t rol64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? (x << n) | (x >> (64 - n)) : x;
}

static uint64_t ror64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? (x >> n) | (x << (64 - n)) : x;
}

/*
 * The encoding is KdEncodeDataBlock's, seen decompiled in public ntoskrnl listings and used by
 * QEMU contrib/elf2dmp/main.c (kdbg_decode) and Volatility: per 64-bit word,
 *   encoded = KiWaitNever ^ ror64(&KdpDataBlockEncoded ^ bswap64(KiWaitAlways ^ plain), KiWaitNever)
 *   plain   = KiWaitAlways ^ bswap64(&KdpDataBlockEncoded ^ rol64(encoded ^ KiWaitNever, KiWaitNever))
 * with the rotate count taken modulo 64 (the x64 rol/ror instructions mask it).
 */
void kdbg_unscramble(uint8_t *data, size_t size, const struct kdbg_keys *keys)
{
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint64_t w = dd_le64(data + i);
        w = rol64(w ^ keys->wait_never, (unsigned)(keys->wait_never & 63));
        w = bswap64(w ^ keys->block_encoded_addr) ^ keys->wait_always;
        dd_put_le64(data + i, w);
    }
}

void kdbg_scramble(uint8_t *data, size_t size, const struct kdbg_keys *keys)
{
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint64_t w = dd_le64(data + i);
        w = bswap64(w ^ keys->wait_always) ^ keys->block_encoded_addr;
        w = ror64(w, (unsigned)(keys->wait_never & 63)) ^ keys->wait_never;
        dd_put_le64(data + i, w);
    }
}

/* Size recorded in a plain header (64 or 32), clamped to what a block may hold. */
static uint32_t header_size(const uint8_t *h)
{
    uint32_t s = dd_le32(h + 0x10) == KDBG_OWNER_TAG ? dd_le32(h + 0x14) : dd_le32(h + 0x0c);
    return s > KDBG_MAX_SIZE ? KDBG_MAX_SIZE : s;
}

struct dd_error *kdbg_read(struct target *t, uint64_t addr, const struct kdbg_keys *keys,
                           struct kdbg *ret, bool *ret_encoded)
{
    uint8_t hdr[KDBG_HEADER64_SIZE];
    struct dd_error *err = target_read_exact(t, addr, hdr, sizeof(hdr));
    if (err)
        return dd_error_wrap(err, "reading KdDebuggerDataBlock header");
    bool encoded = false;
    if (!kdbg_has_tag(hdr, sizeof(hdr))) {
        if (!keys)
            return dd_error_create(DD_ERR_FORMAT,
                                   "KdDebuggerDataBlock at 0x%llx has no KDBG tag (encoded? the "
                                   "KiWaitNever/KiWaitAlways keys are unknown)",
                                   (unsigned long long)addr);
        kdbg_unscramble(hdr, sizeof(hdr), keys);
        if (!kdbg_has_tag(hdr, sizeof(hdr)))
            return dd_error_create(DD_ERR_FORMAT,
                                   "KdDebuggerDataBlock at 0x%llx has no KDBG tag, plain or "
                                   "decoded",
                                   (unsigned long long)addr);
        encoded = true;
    }
    uint32_t size = header_size(hdr);
    if (size < KDBG_HEADER64_SIZE)
        size = KDBG_HEADER64_SIZE;
    uint8_t *buf = malloc(size);
    if (!buf)
        return &dd_error_no_memory;
    size_t got = 0;
    err = target_read(t, addr, buf, size, &got);
    dd_error_destroy(err); /* a block cut short by a missing page decodes as far as it goes */
    if (got < KDBG_HEADER64_SIZE) {
        free(buf);
        return dd_error_memory(addr + got);
    }
    if (encoded)
        kdbg_unscramble(buf, got, keys);
    struct kdbg k;
    err = kdbg_decode(buf, got, &k);
    free(buf);
    if (err)
        return err;
    if (ret_encoded)
        *ret_encoded = encoded;
    *ret = k;
    return NULL;
}

/* A found block is believable: a page-aligned kernel base and list heads inside the kernel. */
static bool scan_plausible(const struct kdbg *k, uint64_t want_kern_base)
{
    if (k->is32 || !k->kern_base || (k->kern_base & 0xfff))
        return false;
    if (want_kern_base && k->kern_base != want_kern_base)
        return false;
    return k->ps_loaded_module_list > k->kern_base && k->ps_active_process_head > k->kern_base;
}

#define SCAN_PAGE 0x1000u

struct dd_error *kdbg_scan(struct target *t, uint64_t start, uint64_t len, uint64_t want_kern_base,
                           uint64_t *ret_addr, struct kdbg *ret)
{
    if (len > KDBG_SCAN_MAX)
        len = KDBG_SCAN_MAX;
    uint64_t end = start + len;
    if (end < start)
        end = UINT64_MAX;
    /* One page plus a header's worth, so a header crossing a page edge is seen whole. */
    uint8_t buf[SCAN_PAGE + KDBG_HEADER64_SIZE];
    uint64_t p = start & ~7ULL;
    while (p < end) {
        uint64_t page_end = (p | (SCAN_PAGE - 1)) + 1;
        size_t want = (size_t)(page_end - p) + KDBG_HEADER64_SIZE;
        size_t got = 0;
        dd_error_destroy(target_read(t, p, buf, want, &got));
        for (size_t o = 0; o + KDBG_HEADER64_SIZE <= got && p + o < end; o += 8) {
            if (dd_le32(buf + o + 0x10) != KDBG_OWNER_TAG)
                continue;
            struct kdbg k;
            if (!dd_error_drop(kdbg_read(t, p + o, NULL, &k, NULL)) &&
                scan_plausible(&k, want_kern_base)) {
                *ret_addr = p + o;
                *ret = k;
                return NULL;
            }
        }
        if (page_end <= p)
            break; /* wrapped at the top of the address space */
        p = page_end;
    }
    return dd_error_create(DD_ERR_NOT_FOUND, "no KDBG block between 0x%llx and 0x%llx",
                           (unsigned long long)start, (unsigned long long)end);
}
