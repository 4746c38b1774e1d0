/*
 * Who to blame: the first frame of the faulting stack that is neither in a well-known system
 * module nor a thunk, after WinDbg's follow-up idea (the "Followup" field and triage.ini of
 * "Using the !analyze Extension": modules whose owners are not the crash's owners are
 * skipped). The lists below are dumpdbg's, not triage.ini's: the OS loader, the Win32 API
 * layers, the C/C++ runtimes and the COM runtime, whose frames on a crash stack nearly
 * always report someone else's bad argument.
 *
 * The names printed follow WinDbg's transcripts (see render_text.c): SYMBOL_NAME is
 * "module!function+hexoffset" without 0x ("capacity_test+78"), or "module+hexoffset" without
 * symbols ("fastrtps_2_6+167872"); IMAGE_NAME is the image's file name.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "base/fmt.h"
#include "cmd/session.h"

/* Module names as lm shows them (no extension), WinDbg wildcards, case-insensitive. */
static const char *const system_modules[] = {
    "ntdll",    "kernelbase", "kernel32", "ucrtbase", "ucrtbased",      "msvcrt",
    "msvcr*",   "vcruntime*", "msvcp*",   "user32",   "win32u",         "combase",
    "gdi32",    "gdi32full",  "rpcrt4",   "sechost",  "advapi32",       "ole32",
    "oleaut32", "wow64*",     "dbghelp",  "dbgcore",  "kernel_appcore", "msvcp_win",
};

/* Functions that forward or report a failure found elsewhere (prefix match). */
static const char *const thunk_prefixes[] = {
    "ILT+", /* incremental-link jump thunks */
    "_imp_",
    "__imp_",                /* import address slots */
    "[thunk]:",              /* undecorated adjustor thunks */
    "_guard_dispatch_icall", /* CFG dispatch */
    "__guard_dispatch_icall",
    "__report_gsfailure", /* /GS: the failure is the caller's */
    "__security_check_cookie",
    "_CxxThrowException", /* C++ throw helper */
    "_invalid_parameter", /* CRT invalid-parameter reporting */
    "_invoke_watson",
    "abort",
};

bool analyze_module_is_system(const char *name)
{
    if (!name)
        return false;
    for (size_t i = 0; i < sizeof(system_modules) / sizeof(system_modules[0]); i++)
        if (dd_wildcard_match(system_modules[i], name))
            return true;
    return false;
}

bool analyze_function_is_thunk(const char *function)
{
    for (size_t i = 0; i < sizeof(thunk_prefixes) / sizeof(thunk_prefixes[0]); i++)
        if (strncmp(function, thunk_prefixes[i], strlen(thunk_prefixes[i])) == 0)
            return true;
    /* "BaseThreadInitThunk"-style names and compiler thunks ("__thunk_..."). */
    return strstr(function, "thunk") != NULL || strstr(function, "Thunk") != NULL;
}

struct dd_error *analyze_blame(struct session *s, const struct analyze_options *opts,
                               struct analyze_verdict *v)
{
    (void)opts;
    const struct analyze_thread *st = v->stack;
    if (!st)
        return NULL;
    long pick = -1, first_in_module = -1;
    for (size_t i = 0; i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        if (f->module < 0)
            continue;
        if (first_in_module < 0)
            first_in_module = (long)i;
        if (!f->system && !f->thunk) {
            pick = (long)i;
            break;
        }
    }
    /* Every frame is system code: blame where it happened, as WinDbg then does. */
    if (pick < 0)
        pick = first_in_module;
    if (pick < 0) {
        analyze_verdict_add_note(v, "no frame of the faulting stack is in a known module");
        return NULL;
    }
    v->blamed_frame = pick;
    const struct analyze_frame *f = &st->frames[pick];
    const struct target_module *m = &s->target->modules[f->module];
    /* WinDbg's SYMBOL_NAME counts from the frame's ip (a return address, for callers). */
    uint64_t back = f->ip - f->lookup;
    char buf[1536];
    if (f->function)
        snprintf(buf, sizeof(buf), "%s!%s+%llx", m->name, f->function,
                 (unsigned long long)(f->function_offset + back));
    else
        snprintf(buf, sizeof(buf), "%s+%llx", m->name,
                 (unsigned long long)(f->module_offset + back));
    v->symbol_name = dd_arena_strdup(&v->arena, buf);
    v->module_name = m->name;
    v->image_name = dd_path_basename(m->path);
    if (!*v->image_name)
        v->image_name = m->name;
    if (m->has_version && m->version.signature == 0xfeef04bdu) {
        /* VS_FIXEDFILEINFO dwFileVersionMS/LS: four 16-bit parts (VerRsrc.h). */
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u", m->version.file_version_ms >> 16,
                 m->version.file_version_ms & 0xffff, m->version.file_version_ls >> 16,
                 m->version.file_version_ls & 0xffff);
        v->image_version = dd_arena_strdup(&v->arena, buf);
    }
    if (pick > 0)
        analyze_verdict_add_note(v,
                                 "frame %ld (%s) is blamed: the frames above it are in system "
                                 "modules, thunks or no module",
                                 pick, v->symbol_name);
    return NULL;
}
