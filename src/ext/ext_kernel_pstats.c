/*
 * !process flag 1: the process's statistics, in the layout of the debugger documentation's
 * !process examples (labels padded to 34 columns after a 4-space indent):
 *
 *       VadRoot ffffe0000b31e690 Vads 132 Clone 0 Private 1059. Modified 0. Locked 0.
 *       DeviceMap ffffc00000bf6920
 *       Token                             ffffc00002c06060
 *       ElapsedTime                       00:51:12.515
 *       UserTime                          00:00:00.000
 *       KernelTime                        00:00:00.000
 *       Working Set Sizes (now,min,max)  (2890, 50, 345) (11560KB, 200KB, 1380KB)
 *       PeakWorkingSetSize                3108
 *       VirtualSize                       2097285 Mb
 *       PeakVirtualSize                   2097294 Mb
 *       PageFaultCount                    4005
 *       BasePriority                      8
 *       CommitCharge                      1419
 *
 * with, where the layout has them, after KernelTime
 *       QuotaPoolUsage[PagedPool]         209264
 *       QuotaPoolUsage[NonPagedPool]      11168
 * (EPROCESS.ProcessQuotaUsage, QuotaUsage before Windows 10) and after PageFaultCount
 *       MemoryPriority                    BACKGROUND
 * (the Vm's MMSUPPORT_FLAGS.MemoryPriority: 0 is MEMORY_PRIORITY_BACKGROUND in the WRK's ps.h;
 * transcripts show only BACKGROUND and FOREGROUND, so any other value prints as FOREGROUND).
 * A line whose fields the layout or the dump lacks is left out.
 */
#include <inttypes.h>
#include <stdio.h>

#include "ext/ext_kernel.h"
#include "nt/kprocess.h"

/* 100 ns units as "00:51:12.515", with "N Day(s) " in front past a day. */
static void fmt_elapsed(char *buf, size_t len, uint64_t units)
{
    uint64_t ms = units / 10000;
    uint64_t days = ms / 86400000;
    char d[32] = "";
    if (days)
        snprintf(d, sizeof(d), "%" PRIu64 " Day%s ", days, days == 1 ? "" : "s");
    snprintf(buf, len, "%s%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, d,
             ms / 3600000 % 24, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

void ext_kernel_process_stats(struct ext_kernel *ek, const struct nt_process *p)
{
    struct nt_kernel *k = &ek->k;
    struct dd_writer *o = ek->s->out;
    struct nt_process_stats st;
    nt_process_read_stats(k, p->eprocess, &st);
    char a[24], t[48];
    if (st.have & NT_PSTAT_VADS) {
        dd_printf(o, "    VadRoot %s Vads %" PRIu64, ext_kernel_fmt_ptr(a, k, st.vad_root),
                  st.vad_count);
        if (st.have & NT_PSTAT_PAGES)
            dd_printf(o, " Clone %" PRIx64 " Private %" PRIu64 ". Modified %" PRIu64
                         ". Locked %" PRIu64 ".",
                      st.clone_root, st.private_pages, st.modified_pages, st.locked_pages);
        dd_printf(o, "\n");
    }
    if (st.have & NT_PSTAT_DEVICE_MAP)
        dd_printf(o, "    DeviceMap %s\n", ext_kernel_fmt_ptr(a, k, st.device_map));
    if (st.have & NT_PSTAT_TOKEN)
        dd_printf(o, "    %-34s%s\n", "Token", ext_kernel_fmt_ptr(a, k, st.token));
    /* Elapsed up to the dump's time (the process has not exited, or it would not be listed). */
    uint64_t now = k->target->kernel.system_time;
    if ((p->have & NT_PROC_CREATE_TIME) && p->create_time && now >= p->create_time) {
        fmt_elapsed(t, sizeof(t), now - p->create_time);
        dd_printf(o, "    %-34s%s\n", "ElapsedTime", t);
    }
    uint32_t inc = (st.have & NT_PSTAT_TIMES) ? ext_kernel_tick_increment(k) : 0;
    if (inc) {
        fmt_elapsed(t, sizeof(t), (uint64_t)st.user_time * inc);
        dd_printf(o, "    %-34s%s\n", "UserTime", t);
        fmt_elapsed(t, sizeof(t), (uint64_t)st.kernel_time * inc);
        dd_printf(o, "    %-34s%s\n", "KernelTime", t);
    }
    if (st.have & NT_PSTAT_QUOTA) {
        dd_printf(o, "    %-34s%" PRIu64 "\n", "QuotaPoolUsage[PagedPool]", st.quota_paged);
        dd_printf(o, "    %-34s%" PRIu64 "\n", "QuotaPoolUsage[NonPagedPool]", st.quota_nonpaged);
    }
    /* Working-set sizes count 4 KB pages. */
    if (st.have & NT_PSTAT_WORKING_SET)
        dd_printf(o,
                  "    Working Set Sizes (now,min,max)  (%" PRIu64 ", %" PRIu64 ", %" PRIu64
                  ") (%" PRIu64 "KB, %" PRIu64 "KB, %" PRIu64 "KB)\n",
                  st.ws_size, st.ws_min, st.ws_max, st.ws_size * 4, st.ws_min * 4, st.ws_max * 4);
    if (st.have & NT_PSTAT_PEAK_WORKING_SET)
        dd_printf(o, "    %-34s%" PRIu64 "\n", "PeakWorkingSetSize", st.ws_peak);
    if (st.have & NT_PSTAT_VIRTUAL_SIZE)
        dd_printf(o, "    %-34s%" PRIu64 " Mb\n", "VirtualSize", st.virtual_size >> 20);
    if (st.have & NT_PSTAT_PEAK_VIRTUAL_SIZE)
        dd_printf(o, "    %-34s%" PRIu64 " Mb\n", "PeakVirtualSize", st.peak_virtual_size >> 20);
    if (st.have & NT_PSTAT_PAGE_FAULTS)
        dd_printf(o, "    %-34s%u\n", "PageFaultCount", st.page_faults);
    if (st.have & NT_PSTAT_MEMORY_PRIORITY)
        dd_printf(o, "    %-34s%s\n", "MemoryPriority",
                  st.memory_priority ? "FOREGROUND" : "BACKGROUND");
    if (st.have & NT_PSTAT_BASE_PRIORITY)
        dd_printf(o, "    %-34s%d\n", "BasePriority", st.base_priority);
    if (st.have & NT_PSTAT_COMMIT_CHARGE)
        dd_printf(o, "    %-34s%" PRIu64 "\n", "CommitCharge", st.commit_charge);
}
