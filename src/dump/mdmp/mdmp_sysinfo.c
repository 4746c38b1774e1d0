/* SystemInfoStream (MINIDUMP_SYSTEM_INFO), the CSD string, and Wine detection. */
#include <string.h>

#include "dump/mdmp/mdmp_internal.h"

#define SYSTEM_INFO_SIZE 56u

/* PROCESSOR_ARCHITECTURE_* (winnt.h), plus Breakpad's MD_CPU_ARCHITECTURE_ARM64_OLD. */
enum {
    ARCH_INTEL = 0,
    ARCH_ARM = 5,
    ARCH_IA64 = 6,
    ARCH_AMD64 = 9,
    ARCH_IA32_ON_WIN64 = 10,
    ARCH_ARM64 = 12,
    ARCH_ARM32_ON_WIN64 = 13,
    ARCH_IA32_ON_ARM64 = 14,
    ARCH_ARM64_BREAKPAD_OLD = 0x8003,
};

static enum dd_cpu cpu_from_arch(uint16_t arch)
{
    switch (arch) {
    case ARCH_INTEL:
    case ARCH_IA32_ON_WIN64:
    case ARCH_IA32_ON_ARM64:
        return DD_CPU_X86;
    case ARCH_AMD64:
        return DD_CPU_X64;
    case ARCH_ARM:
    case ARCH_ARM32_ON_WIN64:
        return DD_CPU_ARM;
    case ARCH_ARM64:
    case ARCH_ARM64_BREAKPAD_OLD:
        return DD_CPU_ARM64;
    default: /* IA64, MIPS, Alpha, PPC...: not debuggable here */
        return DD_CPU_UNKNOWN;
    }
}

/* Copies a NUL-terminated string that must end before LIMIT; NULL when it does not. */
static const char *bounded_cstr(struct target *t, const uint8_t *p, const uint8_t *limit)
{
    if (p >= limit)
        return NULL;
    size_t n = 0, max = (size_t)(limit - p);
    while (n < max && p[n] != 0)
        n++;
    if (n == max || n > 256)
        return NULL;
    return dd_arena_strndup(&t->arena, (const char *)p, n);
}

/*
 * Wine's dbghelp writes, right after MINIDUMP_SYSTEM_INFO and before the CSD
 * string: "WINE", a u32 count, then COUNT u32 offsets (from just after "WINE")
 * to NUL-terminated build id, host system name and host release.
 */
static void wine_block_parse(struct target *t, uint64_t sysinfo_rva, uint32_t csd_rva)
{
    uint64_t at = sysinfo_rva + SYSTEM_INFO_SIZE;
    const uint8_t *hdr = mdmp_file_range(t, at, 8);
    if (!hdr || memcmp(hdr, "WINE", 4) != 0 || csd_rva < at + 8)
        return;
    t->sys.is_wine = true;
    uint32_t count = dd_le32(hdr + 4);
    const uint8_t *base = hdr + 4;
    /* The block ends where the CSD string starts (or at the end of the file). */
    const uint8_t *limit = mdmp_file_range(t, csd_rva, 0);
    if (!limit)
        limit = t->file.data + t->file.size;
    const char **slots[3] = {&t->sys.wine_version, &mdmp_impl(t)->wine_host_sysname,
                             &mdmp_impl(t)->wine_host_release};
    for (uint32_t i = 0; i < count && i < 3; i++) {
        const uint8_t *op = base + 4 + 4 * (size_t)i;
        if (op + 4 > limit)
            break;
        uint32_t off = dd_le32(op);
        if (off >= (uint64_t)(limit - base))
            break;
        *slots[i] = bounded_cstr(t, base + off, limit);
    }
}

struct dd_error *mdmp_sysinfo_parse(struct target *t)
{
    struct target_sysinfo *sys = &t->sys;
    sys->csd_version = "";
    if (mdmp_stream_find(t, MDMP_STREAM_WINE_HOST_MODULES))
        sys->is_wine = true;
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_SYSTEM_INFO);
    if (!s) {
        mdmp_warn(t, "no SystemInfoStream: CPU and OS version unknown");
        return NULL;
    }
    if (s->size < SYSTEM_INFO_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "SystemInfoStream at offset 0x%llx: size 0x%llx is smaller than "
                           "MINIDUMP_SYSTEM_INFO (%u bytes)",
                           (unsigned long long)s->offset, (unsigned long long)s->size,
                           SYSTEM_INFO_SIZE);
    const uint8_t *p = t->file.data + s->offset;
    sys->processor_architecture = dd_le16(p);
    sys->processor_level = dd_le16(p + 2);
    sys->processor_revision = dd_le16(p + 4);
    sys->number_of_processors = p[6];
    sys->product_type = p[7];
    sys->major_version = dd_le32(p + 8);
    sys->minor_version = dd_le32(p + 12);
    sys->build_number = dd_le32(p + 16);
    sys->platform_id = dd_le32(p + 20);
    uint32_t csd_rva = dd_le32(p + 24);
    sys->suite_mask = dd_le16(p + 28);
    sys->cpu = cpu_from_arch(sys->processor_architecture);
    if (sys->cpu == DD_CPU_UNKNOWN)
        mdmp_warn(t, "unsupported processor architecture %u", sys->processor_architecture);

    /*
     * CPU_INFORMATION is a union: X86CpuInfo (CPUID vendor, version, features) on
     * x86; dbghelp and Breakpad write OtherCpuInfo.ProcessorFeatures on x64 and
     * ARM, so the x86 view is used there only when it holds a plausible vendor.
     */
    sys->processor_features[0] = dd_le64(p + 32);
    sys->processor_features[1] = dd_le64(p + 40);
    bool printable = true;
    for (int i = 0; i < 12; i++)
        if (p[32 + i] < 0x20 || p[32 + i] > 0x7e)
            printable = false;
    if (sys->cpu == DD_CPU_X86 || (sys->cpu == DD_CPU_X64 && printable)) {
        if (printable) {
            memcpy(sys->cpu_vendor, p + 32, 12);
            sys->cpu_vendor[12] = '\0';
        }
        sys->cpu_version_information = dd_le32(p + 44);
        sys->cpu_feature_information = dd_le32(p + 48);
        sys->cpu_amd_extended_features = dd_le32(p + 52);
    }

    const char *csd;
    struct dd_error *err = mdmp_string_utf16_at(t, csd_rva, &csd);
    if (err)
        return err;
    if (csd)
        sys->csd_version = csd;
    else if (csd_rva != 0)
        mdmp_warn(t, "SystemInfoStream: CSD version string at rva 0x%x is outside the file",
                  csd_rva);
    wine_block_parse(t, s->offset, csd_rva);
    return NULL;
}
