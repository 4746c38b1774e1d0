/* Target-wide commands: vertarget, |, ||, .time, q. */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/command.h"

/* Windows marketing name from the version numbers, as WinDbg prints it. */
static const char *os_name(const struct target_sysinfo *si)
{
    bool server = si->product_type != 1 && si->product_type != 0;
    unsigned v = si->major_version * 100 + si->minor_version;
    switch (v) {
    case 400:
        return "Windows NT 4";
    case 500:
        return "Windows 2000";
    case 501:
        return "Windows XP";
    case 502:
        return server ? "Windows Server 2003" : "Windows XP";
    case 600:
        return server ? "Windows Server 2008" : "Windows Vista";
    case 601:
        return server ? "Windows Server 2008 R2" : "Windows 7";
    case 602:
        return server ? "Windows Server 2012" : "Windows 8";
    case 603:
        return server ? "Windows Server 2012 R2" : "Windows 8.1";
    case 1000:
        return server ? "Windows Server" : "Windows 10";
    default:
        return "Windows";
    }
}

static const char *cpu_text(enum dd_cpu cpu)
{
    switch (cpu) {
    case DD_CPU_X86:
        return "x86 compatible";
    case DD_CPU_X64:
        return "x64";
    case DD_CPU_ARM64:
        return "ARM 64-bit (AArch64)";
    case DD_CPU_ARM:
        return "ARM (Thumb-2)";
    default:
        return "unknown processor";
    }
}

static void print_suite(struct dd_writer *w, uint16_t mask)
{
    /* VER_SUITE_* bits, winnt.h. */
    static const char *const names[] = {
        "SmallBusiness",  "Enterprise",        "BackOffice",       "CommunicationServer",
        "TerminalServer", "SmallBusinessRestricted", "EmbeddedNT", "DataCenter",
        "SingleUserTS",   "Personal",          "Blade",            "EmbeddedRestricted",
        "SecurityAppliance", "StorageServer",  "ComputeServer",    "WHServer",
    };
    bool first = true;
    for (unsigned i = 0; i < 16; i++) {
        if (mask & (1u << i)) {
            dd_printf(w, "%s%s", first ? "" : " ", names[i]);
            first = false;
        }
    }
}

static const char *product_text(uint8_t type)
{
    switch (type) {
    case 1:
        return "WinNt";
    case 2:
        return "LanManNt";
    case 3:
        return "Server";
    default:
        return "unknown";
    }
}

/* Kernel dumps: the header's SystemTime (FILETIME, with milliseconds) and SystemUpTime. */
static void print_kernel_times(struct session *s)
{
    const struct target_kernel *k = &s->target->kernel;
    char buf[96];
    if (k->system_time) {
        dd_fmt_time(buf, sizeof(buf), dd_filetime_to_unix(k->system_time), 0);
        char *dot = strchr(buf, '.');
        if (dot && strlen(dot) > 3) {
            char ms[8];
            snprintf(ms, sizeof(ms), "%03u", (unsigned)(k->system_time / 10000 % 1000));
            memcpy(dot + 1, ms, 3);
        }
        dd_printf(s->out, "Debug session time: %s\n", buf);
    } else {
        dd_puts(s->out, "Debug session time: not available\n");
    }
    if (k->system_up_time)
        dd_printf(s->out, "System Uptime: %s\n",
                  dd_fmt_duration(buf, sizeof(buf), k->system_up_time / 10000000,
                                  (unsigned)(k->system_up_time / 10000 % 1000)));
    else
        dd_puts(s->out, "System Uptime: not available\n");
}

static void print_times(struct session *s)
{
    const struct target *t = s->target;
    char buf[96];
    if (t->kind == TARGET_KERNEL) {
        print_kernel_times(s);
        return;
    }
    int32_t bias = t->proc.has_time_zone ? t->proc.tz_bias : 0;
    if (t->proc.dump_time)
        dd_printf(s->out, "Debug session time: %s\n",
                  dd_fmt_time(buf, sizeof(buf), t->proc.dump_time, bias));
    else
        dd_puts(s->out, "Debug session time: not available\n");
    dd_puts(s->out, "System Uptime: not available\n");
    if (t->proc.has_times && t->proc.dump_time >= t->proc.create_time && t->proc.create_time) {
        dd_printf(s->out, "Process Uptime: %s\n",
                  dd_fmt_duration(buf, sizeof(buf), t->proc.dump_time - t->proc.create_time, 0));
        dd_printf(s->out, "  Kernel time: %s\n",
                  dd_fmt_duration(buf, sizeof(buf), t->proc.kernel_time, 0));
        dd_printf(s->out, "  User time: %s\n",
                  dd_fmt_duration(buf, sizeof(buf), t->proc.user_time, 0));
    } else {
        dd_puts(s->out, "Process Uptime: not available\n");
    }
}

static struct dd_error *cmd_vertarget(struct session *s, const struct cmd_args *a)
{
    const struct target_sysinfo *si = &s->target->sys;
    struct dd_writer *w = s->out;
    bool kernel = s->target->kind == TARGET_KERNEL;
    dd_printf(w, "%s%s Version %u", os_name(si), kernel ? " Kernel" : "", si->build_number);
    if (strncmp(si->csd_version, "Service Pack", 12) == 0)
        dd_printf(w, " (%s)", si->csd_version);
    if (si->number_of_processors > 1)
        dd_printf(w, " MP (%u procs)", si->number_of_processors);
    else
        dd_puts(w, " UP");
    /* DUMP_HEADER MajorVersion: 0xf free build, 0xc checked build. */
    bool checked = kernel && s->target->kernel.major_version == 0xc;
    dd_printf(w, " %s %s\n", checked ? "Checked" : "Free", cpu_text(si->cpu));
    dd_printf(w, "Product: %s, suite: ", product_text(si->product_type));
    print_suite(w, si->suite_mask);
    dd_puts(w, "\n");
    if (si->build_string && si->build_string[0])
        dd_printf(w, "Edition build lab: %s\n", si->build_string);
    dd_puts(w, "Machine Name:\n");
    if (kernel) {
        char b[DD_ADDR_BUF], l[DD_ADDR_BUF];
        unsigned ps = target_ptr_size(s->target);
        dd_printf(w, "Kernel base = 0x%s PsLoadedModuleList = 0x%s\n",
                  dd_fmt_addr(b, s->target->kernel.kernel_base, ps),
                  dd_fmt_addr(l, s->target->kernel.ps_loaded_module_list, ps));
    }
    print_times(s);
    return NULL;
}

static struct dd_error *cmd_time(struct session *s, const struct cmd_args *a)
{
    print_times(s);
    return NULL;
}

static const char *main_image_path(const struct target *t)
{
    /* The first module a minidump lists is the process's main image. */
    return t->main_image_path ? t->main_image_path : "";
}

static struct dd_error *cmd_process(struct session *s, const struct cmd_args *a)
{
    const struct target *t = s->target;
    dd_printf(s->out, ".  0\tid: %x\texamine\tname: %s\n", t->proc.has_pid ? t->proc.pid : 0,
              main_image_path(t));
    return NULL;
}

static struct dd_error *cmd_system(struct session *s, const struct cmd_args *a)
{
    const char *kind = s->target->kind == TARGET_USER_FULL ? "Full memory user mini dump"
                                                           : "User mini dump";
    if (s->target->kind == TARGET_KERNEL && s->target->kernel.system_text)
        kind = s->target->kernel.system_text; /* "64-bit Kernel triage dump" */
    dd_printf(s->out, ".  0 %s: %s\n", kind, s->dump_path ? s->dump_path : "");
    return NULL;
}

/* MINIDUMP_TYPE bits (minidumpapiset.h), named as WinDbg's .dumpdebug names them. */
static const char *const dump_type_names[] = {
    "MiniDumpWithDataSegs",           "MiniDumpWithFullMemory",
    "MiniDumpWithHandleData",         "MiniDumpFilterMemory",
    "MiniDumpScanMemory",             "MiniDumpWithUnloadedModules",
    "MiniDumpWithIndirectlyReferencedMemory", "MiniDumpFilterModulePaths",
    "MiniDumpWithProcessThreadData",  "MiniDumpWithPrivateReadWriteMemory",
    "MiniDumpWithoutOptionalData",    "MiniDumpWithFullMemoryInfo",
    "MiniDumpWithThreadInfo",         "MiniDumpWithCodeSegs",
    "MiniDumpWithoutAuxiliaryState",  "MiniDumpWithFullAuxiliaryState",
    "MiniDumpWithPrivateWriteCopyMemory", "MiniDumpIgnoreInaccessibleMemory",
    "MiniDumpWithTokenInformation",   "MiniDumpWithModuleHeaders",
    "MiniDumpFilterTriage",           "MiniDumpWithAvxXStateContext",
    "MiniDumpWithIptTrace",           "MiniDumpScanInaccessiblePartialPages",
    "MiniDumpFilterWriteCombinedMemory",
};

/* .dumpdebug: the dump's flags and every stream in its directory, known or not. */
static struct dd_error *cmd_dumpdebug(struct session *s, const struct cmd_args *a)
{
    const struct target *t = s->target;
    struct dd_writer *w = s->out;
    dd_printf(w, "----- %s Analysis\n\n", t->kind == TARGET_KERNEL ? "Kernel Dump" : "User Mini Dump");
    dd_printf(w, "Flags           %X\n", t->dump_flags);
    for (unsigned i = 0; i < sizeof(dump_type_names) / sizeof(dump_type_names[0]); i++)
        if (t->dump_flags & (1u << i))
            dd_printf(w, "                %04X %s\n", 1u << i, dump_type_names[i]);
    dd_printf(w, "\nStreams:\n");
    for (size_t i = 0; i < t->nstreams; i++) {
        const struct target_stream *st = &t->streams[i];
        char type[16];
        /* Custom stream types are tagged constants (0x47670001): hex reads better. */
        snprintf(type, sizeof(type), st->type < 0x10000 ? "%u" : "0x%X", st->type);
        dd_printf(w, "Stream %zu: type %s (%s), size %08llX, RVA %08llX\n", i,
                  st->name ? st->name : "unknown", type, (unsigned long long)st->size,
                  (unsigned long long)st->offset);
    }
    if (t->nannotations) {
        dd_puts(w, "\nAnnotations:\n");
        for (size_t i = 0; i < t->nannotations; i++) {
            const struct target_annotation *an = &t->annotations[i];
            dd_printf(w, "  %s %s = %s\n", an->source ? an->source : "",
                      an->key ? an->key : "", an->value ? an->value : "");
        }
    }
    /* What the reader worked around while opening the file (docs/limits.md). */
    if (t->nwarnings || t->warnings_dropped) {
        dd_puts(w, "\nWarnings:\n");
        for (size_t i = 0; i < t->nwarnings; i++)
            dd_printf(w, "  %s\n", t->warnings[i]);
        if (t->warnings_dropped)
            dd_printf(w, "  (%zu more warnings not kept: the reader keeps the first %zu)\n",
                      t->warnings_dropped, t->nwarnings);
    }
    return NULL;
}

static struct dd_error *cmd_quit(struct session *s, const struct cmd_args *a)
{
    return &dd_error_stop;
}

const struct cmd_def cmd_table_target[] = {
    {"vertarget", cmd_vertarget, 0, "vertarget - show the target computer's version"},
    {".time", cmd_time, 0, ".time - show the dump time and process uptime"},
    {".dumpdebug", cmd_dumpdebug, 0, ".dumpdebug - show the dump's flags, streams and annotations"},
    {"|", cmd_process, 0, "| - show the process"},
    {"||", cmd_system, 0, "|| - show the dump file"},
    {"q", cmd_quit, 0, "q - quit"},
    {"qq", cmd_quit, 0, "qq - quit"},
    {"qd", cmd_quit, 0, "qd - quit and detach"},
    {NULL, NULL, 0, NULL},
};
