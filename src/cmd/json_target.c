/*
 * Target-wide commands in JSON mode: vertarget (system info, dump and process facts), `|`, `||`,
 * lm (modules with their version and PDB facts), `?` (a value) and !error (a status code). The
 * module and system objects carry rust-minidump's field names and formats (its json-schema.md)
 * so the crash report (json_report.c) reuses them.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyze/error_names.h"
#include "base/fmt.h"
#include "cmd/expr.h"
#include "cmd/json_cmd.h"
#include "sym/symbols.h"

static const char *symbols_state_id(enum symbols_state st)
{
    switch (st) {
    case SYMBOLS_DEFERRED:
        return "deferred";
    case SYMBOLS_NONE:
        return "none";
    case SYMBOLS_EXPORT:
        return "export";
    case SYMBOLS_PDB:
        return "pdb";
    case SYMBOLS_PRIVATE_PDB:
        return "private_pdb";
    case SYMBOLS_BREAKPAD:
        return "breakpad";
    case SYMBOLS_ISF:
        return "isf";
    }
    return "deferred";
}

/* "a.b.c.d" from a VS_FIXEDFILEINFO version pair. */
static void add_version(struct json_doc *doc, cJSON *o, const char *key, uint32_t ms, uint32_t ls)
{
    char buf[48];
    snprintf(buf, sizeof(buf), "%u.%u.%u.%u", ms >> 16, ms & 0xffff, ls >> 16, ls & 0xffff);
    json_add_string(doc, o, key, buf);
}

void json_module_add(struct session *s, struct json_doc *doc, cJSON *o, size_t idx)
{
    const struct target_module *m = &s->target->modules[idx];
    char buf[128];
    json_add_addr(doc, o, "base_addr", m->base);
    json_add_addr(doc, o, "end_addr", m->base + m->size);
    json_add_string(doc, o, "filename", dd_path_basename(m->path ? m->path : ""));
    /* Breakpad's and rust-minidump's code id: TimeDateStamp (8 digits) and SizeOfImage. */
    snprintf(buf, sizeof(buf), "%08x%llx", m->timestamp, (unsigned long long)m->size);
    json_add_string(doc, o, "code_id", buf);
    json_add_string(doc, o, "debug_file", m->pdb_name ? dd_path_basename(m->pdb_name) : NULL);
    if (m->cv_kind == TARGET_CV_RSDS) {
        /* The GUID's fields in their on-disk little-endian order, then the age (a debug id). */
        const uint8_t *g = m->pdb_guid;
        int n = snprintf(
            buf, sizeof(buf), "%08X%04X%04X",
            (unsigned)g[0] | (unsigned)g[1] << 8 | (unsigned)g[2] << 16 | (unsigned)g[3] << 24,
            (unsigned)g[4] | (unsigned)g[5] << 8, (unsigned)g[6] | (unsigned)g[7] << 8);
        for (unsigned i = 8; i < 16; i++)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%02X", g[i]);
        snprintf(buf + n, sizeof(buf) - (size_t)n, "%X", m->pdb_age);
        json_add_string(doc, o, "debug_id", buf);
    } else if (m->cv_kind == TARGET_CV_NB10) {
        snprintf(buf, sizeof(buf), "%08X%X", m->pdb_signature, m->pdb_age);
        json_add_string(doc, o, "debug_id", buf);
    } else {
        json_add_null(doc, o, "debug_id");
    }
    bool fixed = m->has_version && m->version.signature == 0xfeef04bdu; /* VS_FIXEDFILEINFO */
    if (fixed)
        add_version(doc, o, "version", m->version.file_version_ms, m->version.file_version_ls);
    else
        json_add_null(doc, o, "version");
    json_add_null(doc, o, "cert_subject"); /* code signatures are not in a minidump */
    enum symbols_state st = s->syms ? symbols_module_state(s->syms, idx) : SYMBOLS_DEFERRED;
    /* rust-minidump: missing = looked for and not found; loaded = a symbol file was read. */
    json_add_bool(doc, o, "missing_symbols", st == SYMBOLS_NONE);
    json_add_bool(doc, o, "loaded_symbols",
                  st == SYMBOLS_PDB || st == SYMBOLS_PRIVATE_PDB || st == SYMBOLS_BREAKPAD ||
                      st == SYMBOLS_ISF);
    json_add_bool(doc, o, "corrupt_symbols", false);
    json_add_null(doc, o, "symbol_url");

    /* dumpdbg's additions: what lm and lmv show. */
    json_add_string(doc, o, "name", m->name);
    json_add_string(doc, o, "image_path", m->path);
    json_add_number(doc, o, "timestamp", m->timestamp);
    json_add_hex(doc, o, "checksum", m->checksum, 8);
    json_add_u64(doc, o, "size", m->size);
    if (fixed)
        add_version(doc, o, "product_version", m->version.product_version_ms,
                    m->version.product_version_ls);
    else
        json_add_null(doc, o, "product_version");
    if (m->cv_kind == TARGET_CV_RSDS) {
        const uint8_t *g = m->pdb_guid;
        snprintf(buf, sizeof(buf), "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                 (unsigned)g[0] | (unsigned)g[1] << 8 | (unsigned)g[2] << 16 | (unsigned)g[3] << 24,
                 (unsigned)g[4] | (unsigned)g[5] << 8, (unsigned)g[6] | (unsigned)g[7] << 8, g[8],
                 g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
        json_add_string(doc, o, "pdb_guid", buf);
        json_add_number(doc, o, "pdb_age", m->pdb_age);
    } else {
        json_add_null(doc, o, "pdb_guid");
        if (m->cv_kind == TARGET_CV_NB10)
            json_add_number(doc, o, "pdb_age", m->pdb_age);
        else
            json_add_null(doc, o, "pdb_age");
    }
    json_add_string(doc, o, "pdb_path", m->pdb_name);
    json_add_string(doc, o, "symbols", symbols_state_id(st));
    json_add_string(doc, o, "symbol_file", s->syms ? symbols_module_file(s->syms, idx) : NULL);
}

void json_unloaded_module_add(struct session *s, struct json_doc *doc, cJSON *o, size_t idx)
{
    const struct target_unloaded_module *u = &s->target->unloaded[idx];
    json_add_addr(doc, o, "base_addr", u->base);
    json_add_addr(doc, o, "end_addr", u->base + u->size);
    json_add_string(doc, o, "filename", u->name ? u->name : "");
    char buf[40];
    snprintf(buf, sizeof(buf), "%08x%llx", u->timestamp, (unsigned long long)u->size);
    json_add_string(doc, o, "code_id", buf);
    json_add_null(doc, o, "cert_subject");
    json_add_number(doc, o, "timestamp", u->timestamp);
    json_add_hex(doc, o, "checksum", u->checksum, 8);
}

/* rust-minidump's cpu_arch names. */
static const char *cpu_arch_name(enum dd_cpu cpu)
{
    switch (cpu) {
    case DD_CPU_X86:
        return "x86";
    case DD_CPU_X64:
        return "amd64";
    case DD_CPU_ARM64:
        return "arm64";
    case DD_CPU_ARM:
        return "arm";
    default:
        return "unknown";
    }
}

void json_system_add(struct session *s, struct json_doc *doc, cJSON *o)
{
    const struct target_sysinfo *sys = &s->target->sys;
    char buf[320];
    /* Breakpad minidump_processor GetOSInfo wording, which rust-minidump keeps. */
    json_add_string(doc, o, "os",
                    sys->platform_id == 2   ? "Windows NT"
                    : sys->platform_id == 1 ? "Windows"
                                            : NULL);
    const char *csd = sys->csd_version ? sys->csd_version : "";
    snprintf(buf, sizeof(buf), "%u.%u.%u%s%s", sys->major_version, sys->minor_version,
             sys->build_number, csd[0] ? " " : "", csd);
    json_add_string(doc, o, "os_ver", buf);
    json_add_string(doc, o, "cpu_arch", cpu_arch_name(sys->cpu));
    if (sys->cpu == DD_CPU_X86 || sys->cpu == DD_CPU_X64) {
        /* GetCPUInfo: "GenuineIntel family 6 model 13 stepping 8" from CPUID and the level. */
        snprintf(buf, sizeof(buf), "%s%sfamily %u model %u stepping %u", sys->cpu_vendor,
                 sys->cpu_vendor[0] ? " " : "", sys->processor_level, sys->processor_revision >> 8,
                 sys->processor_revision & 0xff);
        json_add_string(doc, o, "cpu_info", buf);
    } else {
        json_add_null(doc, o, "cpu_info");
    }
    json_add_number(doc, o, "cpu_count", sys->number_of_processors);
    json_add_null(doc, o, "cpu_microcode_version"); /* a Linux /proc/cpuinfo fact */

    json_add_number(doc, o, "os_major", sys->major_version);
    json_add_number(doc, o, "os_minor", sys->minor_version);
    json_add_number(doc, o, "os_build", sys->build_number);
    json_add_number(doc, o, "platform_id", sys->platform_id);
    json_add_number(doc, o, "product_type", sys->product_type);
    json_add_hex(doc, o, "suite_mask", sys->suite_mask, 4);
    json_add_string(doc, o, "csd_version", csd);
    json_add_string(doc, o, "build_string", sys->build_string);
    json_add_number(doc, o, "processor_architecture", sys->processor_architecture);
    json_add_number(doc, o, "processor_level", sys->processor_level);
    json_add_hex(doc, o, "processor_revision", sys->processor_revision, 4);
    json_add_bool(doc, o, "wine", sys->is_wine);
    json_add_string(doc, o, "wine_version", sys->wine_version);
}

void json_dump_add(struct session *s, struct json_doc *doc, cJSON *o)
{
    const struct target *t = s->target;
    json_add_string(doc, o, "path", s->dump_path);
    json_add_string(doc, o, "format", t->format_name);
    json_add_string(doc, o, "kind",
                    t->kind == TARGET_USER_FULL ? "user_full"
                    : t->kind == TARGET_KERNEL  ? "kernel"
                                                : "user_mini");
    json_add_string(doc, o, "kind_text", t->kind_text);
    json_add_hex(doc, o, "flags", t->dump_flags, 8);
    if (t->proc.dump_time)
        json_add_number(doc, o, "time", t->proc.dump_time);
    else
        json_add_null(doc, o, "time");
    cJSON *comments = json_add_array(doc, o, "comments");
    for (size_t i = 0; i < t->ncomments; i++)
        json_add_string(doc, comments, NULL, t->comments[i]);
}

static void add_process(struct session *s, struct json_doc *doc, cJSON *o)
{
    const struct target_process *p = &s->target->proc;
    if (p->has_pid)
        json_add_number(doc, o, "pid", p->pid);
    else
        json_add_null(doc, o, "pid");
    json_add_string(doc, o, "image_path", s->target->main_image_path);
    if (p->has_times && p->create_time) {
        json_add_number(doc, o, "create_time", p->create_time);
        if (p->dump_time >= p->create_time)
            json_add_number(doc, o, "uptime_seconds", p->dump_time - p->create_time);
        else
            json_add_null(doc, o, "uptime_seconds");
        json_add_number(doc, o, "user_time_seconds", p->user_time);
        json_add_number(doc, o, "kernel_time_seconds", p->kernel_time);
    } else {
        json_add_null(doc, o, "create_time");
        json_add_null(doc, o, "uptime_seconds");
        json_add_null(doc, o, "user_time_seconds");
        json_add_null(doc, o, "kernel_time_seconds");
    }
    if (p->peb)
        json_add_addr(doc, o, "peb", p->peb);
    else
        json_add_null(doc, o, "peb");
}

static struct dd_error *json_vertarget(struct session *s, const struct cmd_args *a,
                                       struct json_doc *doc, cJSON *o)
{
    json_system_add(s, doc, json_add_object(doc, o, "system_info"));
    json_dump_add(s, doc, json_add_object(doc, o, "dump"));
    add_process(s, doc, json_add_object(doc, o, "process"));
    return NULL;
}

static struct dd_error *json_process(struct session *s, const struct cmd_args *a,
                                     struct json_doc *doc, cJSON *o)
{
    add_process(s, doc, json_add_object(doc, o, "process"));
    return NULL;
}

static struct dd_error *json_system(struct session *s, const struct cmd_args *a,
                                    struct json_doc *doc, cJSON *o)
{
    json_dump_add(s, doc, json_add_object(doc, o, "dump"));
    return NULL;
}

/*
 * lm[v|f|l|o...] [m PATTERN] [a ADDR]: every module with all its facts (the letters that only
 * change the text layout are accepted and ignored); m and a select modules as in text mode.
 */
static struct dd_error *json_lm(struct session *s, const struct cmd_args *a, struct json_doc *doc,
                                cJSON *o)
{
    char pattern[256] = "";
    bool has_addr = false, loaded_only = false, kernel_only = false;
    uint64_t addr = 0;
    char opts[256];
    snprintf(opts, sizeof(opts), "%s", a->suffix);
    const char *rest = a->rest;
    for (const char *letters = opts;;) {
        for (const char *c = letters; *c; c++) {
            int ch = tolower((unsigned char)*c);
            if (ch == 'm' || ch == 'a') {
                char word[256];
                if (c[1])
                    snprintf(word, sizeof(word), "%s", c + 1);
                else
                    rest = cmd_next_word(rest, word, sizeof(word));
                if (!word[0])
                    return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
                if (ch == 'm') {
                    snprintf(pattern, sizeof(pattern), "%s", word);
                } else {
                    struct dd_error *err = expr_eval(s, word, &addr);
                    if (err)
                        return err;
                    has_addr = true;
                }
                break;
            }
            if (ch == 'l')
                loaded_only = true;
            else if (ch == 'k')
                kernel_only = true;
            else if (!strchr("vfuoedts", ch))
                return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
        }
        if (!*rest)
            break;
        rest = cmd_next_word(rest, opts, sizeof(opts));
        letters = opts[0] == '/' || opts[0] == '-' ? opts + 1 : opts;
    }
    const struct target *t = s->target;
    cJSON *mods = json_add_array(doc, o, "modules");
    for (size_t i = 0; i < t->nmodules && !kernel_only; i++) {
        const struct target_module *m = &t->modules[i];
        if (pattern[0] && !dd_wildcard_match(pattern, m->name))
            continue;
        if (has_addr && (addr < m->base || addr - m->base >= m->size))
            continue;
        enum symbols_state st = s->syms ? symbols_module_state(s->syms, i) : SYMBOLS_DEFERRED;
        if (loaded_only && (st == SYMBOLS_DEFERRED || st == SYMBOLS_NONE))
            continue;
        json_module_add(s, doc, json_add_object(doc, mods, NULL), i);
    }
    cJSON *unl = json_add_array(doc, o, "unloaded_modules");
    for (size_t i = 0; i < t->nunloaded && !pattern[0] && !has_addr; i++) {
        json_unloaded_module_add(s, doc, json_add_object(doc, unl, NULL), i);
    }
    return NULL;
}

/* ? EXPR: the value as cdb's "Evaluate expression: SIGNED = HEX" gives it. */
static struct dd_error *json_evaluate(struct session *s, const struct cmd_args *a,
                                      struct json_doc *doc, cJSON *o)
{
    const char *end;
    uint64_t v = 0;
    struct dd_error *err = expr_eval_prefix(s, a->rest, &end, &v);
    if (err)
        return err;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return dd_error_create(DD_ERR_SYNTAX, "Extra character error in '%s'", a->line);
    json_add_string(doc, o, "expression", a->rest);
    json_add_hex(doc, o, "value", v, 16);
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)v);
    json_add_string(doc, o, "signed", buf);
    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    json_add_string(doc, o, "unsigned", buf);
    return NULL;
}

static const char *source_id(enum error_source source)
{
    return source == ERROR_SOURCE_NTSTATUS  ? "ntstatus"
           : source == ERROR_SOURCE_HRESULT ? "hresult"
                                            : "win32";
}

/* !error VALUE [FLAGS]: the family !error reads VALUE as, its name and message text. */
static struct dd_error *json_error_cmd(struct session *s, const struct cmd_args *a,
                                       struct json_doc *doc, cJSON *o)
{
    if (!*a->rest)
        return dd_error_create(DD_ERR_SYNTAX, "Usage: !error VALUE [FLAGS]");
    uint64_t value64, flags = 0;
    const char *end;
    struct dd_error *err = expr_eval_prefix(s, a->rest, &end, &value64);
    if (err)
        return err;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end && (err = expr_eval(s, end, &flags)) != NULL)
        return err;
    uint32_t value = (uint32_t)value64; /* !error cuts a 64-bit value to its low 32 bits */
    enum error_source source = (flags & 1) ? ERROR_SOURCE_NTSTATUS : error_source_classify(value);
    json_add_hex(doc, o, "value", value, 8);
    json_add_string(doc, o, "source", source_id(source));
    const char *name = source == ERROR_SOURCE_NTSTATUS  ? ntstatus_name(value)
                       : source == ERROR_SOURCE_HRESULT ? hresult_name(value)
                                                        : win32_error_name(value);
    const char *message = source == ERROR_SOURCE_NTSTATUS  ? ntstatus_message(value)
                          : source == ERROR_SOURCE_HRESULT ? hresult_message(value)
                                                           : win32_error_message(value);
    json_add_string(doc, o, "name", name);
    json_add_string(doc, o, "message", message);
    json_add_string(doc, o, "text", error_describe(value, source));
    return NULL;
}

const struct json_cmd_def json_table_target[] = {
    {"vertarget", json_vertarget, 0},
    {"|", json_process, 0},
    {"||", json_system, 0},
    {"lm", json_lm, CMD_PREFIX},
    {"?", json_evaluate, 0},
    {"!error", json_error_cmd, 0},
    {NULL, NULL, 0},
};
