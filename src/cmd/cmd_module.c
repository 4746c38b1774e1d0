/* Module listing: lm and its options (v, m PATTERN, k, u, o, f, a ADDR). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/fmt.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "pe/pe_debug.h"
#include "pe/pe_version.h"
#include "sym/symbols.h"


struct lm_options {
    bool verbose;
    bool full_path;
    const char *pattern; /* module name wildcard, or NULL */
    bool has_addr;
    uint64_t addr;
    bool kernel_only, user_only;
    bool loaded_only;
};

static const char *state_text(enum symbols_state st)
{
    switch (st) {
    case SYMBOLS_DEFERRED:
        return "deferred";
    case SYMBOLS_NONE:
        return "no symbols";
    case SYMBOLS_EXPORT:
        return "export symbols";
    case SYMBOLS_PDB:
        return "pdb symbols";
    case SYMBOLS_PRIVATE_PDB:
        return "private pdb symbols";
    case SYMBOLS_BREAKPAD:
        return "breakpad symbols";
    case SYMBOLS_ISF:
        return "ISF symbols";
    }
    return "deferred";
}

/* What lm shows after the state: the symbol file, or the image name for export symbols. */
static const char *state_file(struct session *s, size_t idx, enum symbols_state st)
{
    if (!s->syms)
        return "";
    if (st == SYMBOLS_EXPORT) {
        const char *p = s->target->modules[idx].path;
        return dd_path_basename(p ? p : "");
    }
    const char *f = symbols_module_file(s->syms, idx);
    return f ? f : "";
}

static void fmt_timestamp(char *buf, size_t len, uint32_t ts)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)ts;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, len, "invalid");
        return;
    }
    snprintf(buf, len, "%s %s %2d %02d:%02d:%02d %d", wd[tm.tm_wday], mo[tm.tm_mon], tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

static const char *file_os_text(uint32_t os)
{
    /* VOS_* from verrsrc.h: high word is the OS family, low word the window system. */
    static char buf[64];
    const char *hi;
    switch (os >> 16) {
    case 1:
        hi = "DOS";
        break;
    case 2:
        hi = "OS/2 16-bit";
        break;
    case 3:
        hi = "OS/2 32-bit";
        break;
    case 4:
        hi = "NT";
        break;
    case 5:
        hi = "WinCE";
        break;
    default:
        hi = "Unknown";
        break;
    }
    const char *lo;
    switch (os & 0xffff) {
    case 1:
        lo = "Windows 16-bit";
        break;
    case 2:
        lo = "Presentation Manager 16-bit";
        break;
    case 3:
        lo = "Presentation Manager 32-bit";
        break;
    case 4:
        lo = "Win32";
        break;
    default:
        lo = "Base";
        break;
    }
    snprintf(buf, sizeof(buf), "%s %s", hi, lo);
    return buf;
}

static const char *file_type_text(uint32_t type)
{
    /* VFT_* from verrsrc.h. */
    switch (type) {
    case 1:
        return "App";
    case 2:
        return "Dll";
    case 3:
        return "Driver";
    case 4:
        return "Font";
    case 5:
        return "VXD";
    case 7:
        return "Static library";
    default:
        return "Unknown";
    }
}

/* The StringFileInfo keys lmv shows, in WinDbg's order. */
static const char *const version_keys[] = {
    "CompanyName",   "ProductName",  "InternalName",    "OriginalFilename", "ProductVersion",
    "FileVersion",   "PrivateBuild", "SpecialBuild",    "FileDescription",  "LegalCopyright",
    "LegalTrademarks", "Comments",
};

static void print_verbose(struct session *s, size_t idx)
{
    const struct target_module *m = &s->target->modules[idx];
    struct dd_writer *w = s->out;
    char ts[64];
    /* The image, when one was found (dump memory or a file), gives the version strings. */
    struct pe_image *img = NULL;
    if (s->syms && symbols_module_state(s->syms, idx) != SYMBOLS_DEFERRED)
        img = symbols_module_image(s->syms, idx);
    if (img)
        dd_printf(w, "    Loaded symbol image file: %s\n",
                  symbols_module_image_file(s->syms, idx) ? symbols_module_image_file(s->syms, idx)
                                                          : dd_path_basename(m->path));
    if (s->syms && symbols_module_file(s->syms, idx))
        dd_printf(w, "    Symbol file: %s\n", symbols_module_file(s->syms, idx));
    dd_printf(w, "    Image path: %s\n", m->path);
    dd_printf(w, "    Image name: %s\n", dd_path_basename(m->path));
    const struct pe_debug_info *dbg;
    bool repro = img && !dd_error_drop(pe_debug_get(img, &dbg)) && dbg->has_repro;
    if (repro)
        dd_puts(w, "    Image was built with /Brepro flag.\n");
    if (repro) {
        /* A /Brepro image's TimeDateStamp is a hash of its contents. */
        dd_printf(w, "    Timestamp:        %08X (This is a reproducible build file hash, not a "
                     "timestamp)\n", m->timestamp);
    } else if (m->timestamp) {
        fmt_timestamp(ts, sizeof(ts), m->timestamp);
        dd_printf(w, "    Timestamp:        %s (%08X)\n", ts, m->timestamp);
    } else {
        dd_puts(w, "    Timestamp:        unavailable (00000000)\n");
    }
    dd_printf(w, "    CheckSum:         %08X\n", m->checksum);
    dd_printf(w, "    ImageSize:        %08X\n", (unsigned)m->size);
    const struct target_version_info *v = &m->version;
    /* VS_FIXEDFILEINFO is only meaningful with its 0xFEEF04BD signature. */
    if (m->has_version && v->signature == 0xfeef04bdu) {
        dd_printf(w, "    File version:     %u.%u.%u.%u\n", v->file_version_ms >> 16,
                  v->file_version_ms & 0xffff, v->file_version_ls >> 16, v->file_version_ls & 0xffff);
        dd_printf(w, "    Product version:  %u.%u.%u.%u\n", v->product_version_ms >> 16,
                  v->product_version_ms & 0xffff, v->product_version_ls >> 16,
                  v->product_version_ls & 0xffff);
        dd_printf(w, "    File flags:       %X (Mask %X)\n", v->file_flags, v->file_flags_mask);
        dd_printf(w, "    File OS:          %X %s\n", v->file_os, file_os_text(v->file_os));
        dd_printf(w, "    File type:        %X.%X %s\n", v->file_type, v->file_subtype,
                  file_type_text(v->file_type));
        dd_printf(w, "    File date:        %08X.%08X\n", v->file_date_ms, v->file_date_ls);
    }
    const struct pe_version_info *vi;
    if (!img || dd_error_drop(pe_version_get(img, &vi)) || vi->ntables == 0)
        return;
    /* "Translations:     0409.04e4" then each string (the seed's "Copyright as Timestamp"). */
    if (vi->ntranslations) {
        dd_puts(w, "    Translations:     ");
        for (size_t i = 0; i < vi->ntranslations; i++)
            dd_printf(w, "%s%04x.%04x", i ? " " : "", vi->translations[i] & 0xffff,
                      vi->translations[i] >> 16);
        dd_puts(w, "\n");
    }
    for (size_t k = 0; k < sizeof(version_keys) / sizeof(version_keys[0]); k++) {
        const char *val = pe_version_string(vi, version_keys[k]);
        if (val) {
            char key[32];
            snprintf(key, sizeof(key), "%s:", version_keys[k]);
            dd_printf(w, "    %-17s %s\n", key, val);
        }
    }
}

static struct dd_error *parse_lm_options(struct session *s, const struct cmd_args *a,
                                         struct lm_options *o, char *pattern, size_t plen)
{
    memset(o, 0, sizeof(*o));
    /* Option letters may be glued to "lm" (lmvm) or given as words (lm v m foo). */
    char opts[256];
    snprintf(opts, sizeof(opts), "%s", a->suffix);
    const char *rest = a->rest;
    const char *letters = opts;
    for (;;) {
        for (const char *c = letters; *c; c++) {
            switch (tolower((unsigned char)*c)) {
            case 'v':
                o->verbose = true;
                break;
            case 'f':
                o->full_path = true;
                break;
            case 'k':
                o->kernel_only = true;
                break;
            case 'u':
                o->user_only = true;
                break;
            case 'l': /* modules whose symbols are loaded */
                o->loaded_only = true;
                break;
            case 'o': /* loaded modules only: every module in a dump is loaded */
            case 'e':
            case 'd':
            case 't':
            case 's':
                break;
            case 'm':
                if (c[1]) {
                    snprintf(pattern, plen, "%s", c + 1);
                } else {
                    rest = cmd_next_word(rest, pattern, plen);
                    if (!pattern[0])
                        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
                }
                o->pattern = pattern;
                c += strlen(c) - 1;
                break;
            case 'a': {
                char word[256];
                if (c[1])
                    snprintf(word, sizeof(word), "%s", c + 1);
                else
                    rest = cmd_next_word(rest, word, sizeof(word));
                struct dd_error *err = expr_eval(s, word, &o->addr);
                if (err)
                    return err;
                o->has_addr = true;
                c += strlen(c) - 1;
                break;
            }
            default:
                return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
            }
        }
        if (!*rest)
            break;
        rest = cmd_next_word(rest, opts, sizeof(opts));
        letters = opts;
        /* Words may carry a leading '/' or '-' (lm /v). */
        if (*letters == '/' || *letters == '-')
            letters++;
    }
    return NULL;
}

static struct dd_error *cmd_lm(struct session *s, const struct cmd_args *a)
{
    struct lm_options o;
    char pattern[256] = "";
    struct dd_error *err = parse_lm_options(s, a, &o, pattern, sizeof(pattern));
    if (err)
        return err;
    const struct target *t = s->target;
    struct dd_writer *w = s->out;
    unsigned ps = session_ptr_size(s);
    if (ps == 8)
        dd_puts(w, "start             end                 module name\n");
    else
        dd_puts(w, "start    end        module name\n");
    for (size_t i = 0; i < t->nmodules; i++) {
        const struct target_module *m = &t->modules[i];
        if (o.pattern && !dd_wildcard_match(o.pattern, m->name))
            continue;
        if (o.has_addr && (o.addr < m->base || o.addr - m->base >= m->size))
            continue;
        /* A user-mode dump has no kernel modules; a kernel dump lists drivers (kernel). */
        if (o.kernel_only && t->kind != TARGET_KERNEL)
            continue;
        if (o.user_only && t->kind == TARGET_KERNEL &&
            m->base >= (target_ptr_size(t) == 8 ? 0x8000000000000000ull : 0x80000000ull))
            continue;
        char b[DD_ADDR_BUF], e[DD_ADDR_BUF];
        size_t idx = i;
        enum symbols_state st = s->syms ? symbols_module_state(s->syms, idx) : SYMBOLS_DEFERRED;
        if (o.loaded_only && (st == SYMBOLS_DEFERRED || st == SYMBOLS_NONE))
            continue;
        /* WinDbg: name padded to 8, a status letter column, the symbol state padded to 22,
         * then the symbol file (or with `f`, the image path). */
        char state[32];
        snprintf(state, sizeof(state), "(%s)", state_text(st));
        const char *file = o.full_path ? m->path : state_file(s, idx, st);
        char flag = s->syms ? symbols_module_flag(s->syms, idx) : ' ';
        if (flag == 'C' && m->timestamp == 0)
            flag = 'T';
        dd_printf(w, "%s %s   %-8s %c %-22s %s\n", dd_fmt_addr(b, m->base, ps),
                  dd_fmt_addr(e, m->base + m->size, ps), m->name, flag, state, file ? file : "");
        if (o.verbose)
            print_verbose(s, idx);
    }
    if (!o.pattern && !o.has_addr && t->nunloaded) {
        dd_puts(w, "\nUnloaded modules:\n");
        for (size_t i = 0; i < t->nunloaded; i++) {
            const struct target_unloaded_module *u = &t->unloaded[i];
            char b[DD_ADDR_BUF], e[DD_ADDR_BUF];
            dd_printf(w, "%s %s   %s\n", dd_fmt_addr(b, u->base, ps),
                      dd_fmt_addr(e, u->base + u->size, ps), u->name ? u->name : "");
            if (o.verbose) {
                char ts[64];
                fmt_timestamp(ts, sizeof(ts), u->timestamp);
                dd_printf(w, "    Timestamp: %s (%08X)\n", ts, u->timestamp);
                dd_printf(w, "    Checksum:  %08X\n", u->checksum);
                dd_printf(w, "    ImageSize:  %08X\n", (unsigned)u->size);
            }
        }
    }
    return NULL;
}

const struct cmd_def cmd_table_module[] = {
    {"lm", cmd_lm, CMD_PREFIX, "lm[v][f] [m PATTERN] [a ADDR] - list modules"},
    {NULL, NULL, 0, NULL},
};
