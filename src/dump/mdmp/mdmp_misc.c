/* MiscInfoStream: MINIDUMP_MISC_INFO and its _2.._5 extensions, told apart by size. */
#include "dump/mdmp/mdmp_internal.h"

/* Sizes of MINIDUMP_MISC_INFO, _2, _3, _4, _5 (minidumpapiset.h). */
static const uint32_t misc_sizes[] = {24, 44, 232, 832, 1364};

/* Flags1 bits (minidumpapiset.h). */
#define MISC1_PROCESS_ID 0x1u
#define MISC1_PROCESS_TIMES 0x2u
#define MISC1_PROCESSOR_POWER_INFO 0x4u
#define MISC3_PROCESS_INTEGRITY 0x10u
#define MISC3_PROCESS_EXECUTE_FLAGS 0x20u
#define MISC3_TIMEZONE 0x40u
#define MISC3_PROTECTED_PROCESS 0x80u
#define MISC4_BUILDSTRING 0x100u
#define MISC5_PROCESS_COOKIE 0x200u

/* TIME_ZONE_INFORMATION at offset 60 of MINIDUMP_MISC_INFO_3. */
static struct dd_error *time_zone_parse(struct target *t, const uint8_t *p)
{
    struct mdmp_misc_info *m = &mdmp_impl(t)->misc;
    struct target_process *proc = &t->proc;
    m->time_zone_id = dd_le32(p + 56);
    proc->has_time_zone = true;
    proc->tz_bias = (int32_t)dd_le32(p + 60);
    proc->tz_standard_name = mdmp_utf16_dup(t, p + 64, 32);
    proc->tz_daylight_name = mdmp_utf16_dup(t, p + 148, 32);
    if (!proc->tz_standard_name || !proc->tz_daylight_name)
        return &dd_error_no_memory;
    for (int i = 0; i < 8; i++) {
        m->tz_standard_date[i] = dd_le16(p + 128 + 2 * i);
        m->tz_daylight_date[i] = dd_le16(p + 212 + 2 * i);
    }
    m->tz_standard_bias = (int32_t)dd_le32(p + 144);
    m->tz_daylight_bias = (int32_t)dd_le32(p + 228);
    return NULL;
}

/* XSTATE_CONFIG_FEATURE_MSC_INFO at offset 832 of MINIDUMP_MISC_INFO_5. */
static void xstate_parse(struct target *t, const uint8_t *p)
{
    struct mdmp_xstate_config *x = &mdmp_impl(t)->xstate;
    x->size_of_info = dd_le32(p);
    if (x->size_of_info == 0)
        return;
    x->present = true;
    x->context_size = dd_le32(p + 4);
    x->enabled_features = dd_le64(p + 8);
    for (int i = 0; i < MDMP_XSTATE_FEATURES; i++) {
        x->offset[i] = dd_le32(p + 16 + 8 * i);
        x->size[i] = dd_le32(p + 20 + 8 * i);
    }
}

struct dd_error *mdmp_misc_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_MISC_INFO);
    if (!s)
        return NULL;
    struct mdmp_misc_info *m = &mdmp_impl(t)->misc;
    const uint8_t *p = t->file.data + s->offset;
    if (s->size < 8) {
        mdmp_warn(t, "MiscInfoStream at offset 0x%llx: size 0x%llx is too small, ignored",
                  (unsigned long long)s->offset, (unsigned long long)s->size);
        return NULL;
    }
    /* The usable size is the smaller of the recorded SizeOfInfo and the stream size. */
    uint64_t avail = dd_le32(p);
    if (avail > s->size)
        avail = s->size;
    unsigned level = 0;
    while (level < 5 && misc_sizes[level] <= avail)
        level++;
    if (level == 0) {
        mdmp_warn(t,
                  "MiscInfoStream at offset 0x%llx: SizeOfInfo %u is smaller than "
                  "MINIDUMP_MISC_INFO, ignored",
                  (unsigned long long)s->offset, dd_le32(p));
        return NULL;
    }
    m->present = true;
    m->size_of_info = dd_le32(p);
    m->level = level;
    m->flags1 = dd_le32(p + 4);

    struct target_process *proc = &t->proc;
    if (m->flags1 & MISC1_PROCESS_ID) {
        proc->has_pid = true;
        proc->pid = dd_le32(p + 8);
    }
    if (m->flags1 & MISC1_PROCESS_TIMES) {
        proc->has_times = true;
        proc->create_time = dd_le32(p + 12);
        proc->user_time = dd_le32(p + 16);
        proc->kernel_time = dd_le32(p + 20);
    }
    if (level >= 2 && (m->flags1 & MISC1_PROCESSOR_POWER_INFO)) {
        proc->has_processor_power = true;
        proc->processor_max_mhz = dd_le32(p + 24);
        proc->processor_current_mhz = dd_le32(p + 28);
        proc->processor_mhz_limit = dd_le32(p + 32);
        proc->processor_max_idle_state = dd_le32(p + 36);
        proc->processor_current_idle_state = dd_le32(p + 40);
    }
    if (level >= 3) {
        m->has_integrity = (m->flags1 & MISC3_PROCESS_INTEGRITY) != 0;
        m->has_execute_flags = (m->flags1 & MISC3_PROCESS_EXECUTE_FLAGS) != 0;
        m->has_protected_process = (m->flags1 & MISC3_PROTECTED_PROCESS) != 0;
        m->process_integrity_level = dd_le32(p + 44);
        m->process_execute_flags = dd_le32(p + 48);
        m->protected_process = dd_le32(p + 52);
        if (m->flags1 & MISC3_TIMEZONE) {
            struct dd_error *err = time_zone_parse(t, p);
            if (err)
                return err;
        }
    }
    if (level >= 4 && (m->flags1 & MISC4_BUILDSTRING)) {
        t->sys.build_string = mdmp_utf16_dup(t, p + 232, 260);
        t->sys.dbg_build_string = mdmp_utf16_dup(t, p + 752, 40);
        if (!t->sys.build_string || !t->sys.dbg_build_string)
            return &dd_error_no_memory;
    }
    if (level >= 5) {
        xstate_parse(t, p + 832);
        m->has_process_cookie = (m->flags1 & MISC5_PROCESS_COOKIE) != 0;
        m->process_cookie = dd_le32(p + 1360);
    }
    return NULL;
}
