/*
 * `?` (Evaluate Expression) and `.formats` (Show Number Formats).
 *
 * Layouts follow WinDbg transcripts:
 *   0:000> ? 0x208
 *   Evaluate expression: 520 = 00000000`00000208
 *   0:000> .formats 0x22
 *   Evaluate expression:
 *     Hex:     00000000`00000022
 *     Decimal: 34
 *     Decimal (unsigned) : 34
 *     Octal:   0000000000000000000042
 *     Binary:  00000000 ... 00100010
 *     Chars:   ......."
 *     Time:    Thu Jan  1 00:00:34 1970
 *     Float:   low 4.76441e-044 high 0
 *     Double:  1.67982e-322
 * On a 32-bit effective machine a value that fits in 32 bits (or is a
 * sign-extended 32-bit value) prints as 8 hex digits, 11 octal digits and
 * 4 bytes ("Sign Extension": display rules). WinDbg shows Time in the host's
 * local time zone; dumpdbg always shows UTC so output does not depend on the
 * machine it runs on.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_format.h"
#include "cmd/expr.h"

static bool fits_32(uint64_t v)
{
    uint32_t high = (uint32_t)(v >> 32);
    return high == 0 || (high == 0xffffffffu && (v & 0x80000000ULL));
}

unsigned cmd_format_ptr_size(const struct session *s)
{
    unsigned n = session_ptr_size(s);
    if (n == 4 || n == 8)
        return n;
    return s->target ? target_ptr_size(s->target) : 8;
}

/* Prints V as 8 digits when the effective machine is 32-bit and V fits, else with the tick. */
static bool narrow_display(const struct session *s, uint64_t v)
{
    return cmd_format_ptr_size(s) == 4 && fits_32(v);
}

char *cmd_format_msvc_g(char *buf, size_t len, uint64_t bits, bool is_double)
{
    bool neg, all_ones, zero_mant, quiet, zero_payload;
    double d;
    if (is_double) {
        uint64_t mant = bits & ((1ULL << 52) - 1);
        neg = bits >> 63;
        all_ones = ((bits >> 52) & 0x7ff) == 0x7ff;
        zero_mant = mant == 0;
        quiet = (mant >> 51) & 1;
        zero_payload = (mant & ((1ULL << 51) - 1)) == 0;
        memcpy(&d, &bits, sizeof(d));
    } else {
        uint32_t b = (uint32_t)bits;
        uint32_t mant = b & 0x7fffff;
        neg = b >> 31;
        all_ones = ((b >> 23) & 0xff) == 0xff;
        zero_mant = mant == 0;
        quiet = (mant >> 22) & 1;
        zero_payload = (mant & 0x3fffff) == 0;
        float f;
        memcpy(&f, &b, sizeof(f));
        d = f;
    }
    /* The Microsoft C runtime's spellings of the IEEE special values. */
    if (all_ones) {
        const char *name = zero_mant               ? "1.#INF"
                           : !quiet                ? "1.#SNAN"
                           : (neg && zero_payload) ? "1.#IND"
                                                   : "1.#QNAN";
        snprintf(buf, len, "%s%s", neg ? "-" : "", name);
        return buf;
    }
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%g", d);
    /* That runtime writes at least three exponent digits: "e-044", "e+014". */
    char *e = strchr(tmp, 'e');
    if (e && (e[1] == '+' || e[1] == '-')) {
        unsigned exp = 0;
        for (const char *q = e + 2; *q >= '0' && *q <= '9'; q++)
            exp = exp * 10 + (unsigned)(*q - '0');
        snprintf(e + 2, sizeof(tmp) - (size_t)(e + 2 - tmp), "%03u", exp);
    }
    snprintf(buf, len, "%s", tmp);
    return buf;
}

static const char *const wday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Civil date of day Z counted from 1970-01-01 (proleptic Gregorian), any sign. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "Thu Jan  1 00:05:31 1970" (CRT time), or with ".mmm" and the zone for a FILETIME. */
static char *format_utc(char *buf, size_t len, int64_t secs, int ms)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t wd = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    if (wd < 0)
        wd += 7;
    char frac[16] = "";
    if (ms >= 0)
        snprintf(frac, sizeof(frac), ".%03d", ms);
    snprintf(buf, len, "%s %s %2u %02u:%02u:%02u%s %" PRId64 "%s", wday_names[wd],
             month_names[m - 1], d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
             (unsigned)(rem % 60), frac, y, ms >= 0 ? " (UTC + 0:00)" : "");
    return buf;
}

/*
 * The Time line: a value whose high half is zero is a CRT time_t (32-bit,
 * signed), anything larger a FILETIME, as the .formats page describes.
 */
static char *format_time_field(char *buf, size_t len, uint64_t v, bool narrow)
{
    if (narrow || (v >> 32) == 0) {
        int32_t t = (int32_t)(uint32_t)v;
        if (t < 0)
            snprintf(buf, len, "***** Invalid");
        else
            format_utc(buf, len, t, -1);
        return buf;
    }
    if ((int64_t)v < 0) {
        snprintf(buf, len, "***** Invalid FILETIME");
        return buf;
    }
    /* FILETIME: 100 ns units since 1601-01-01, 11644473600 s before 1970. */
    int64_t secs = (int64_t)(v / 10000000ULL) - 11644473600LL;
    return format_utc(buf, len, secs, (int)((v / 10000ULL) % 1000));
}

static struct dd_error *extra_chars(const struct cmd_args *a)
{
    return dd_error_create(DD_ERR_SYNTAX, "Extra character error in '%s'", a->line);
}

/* Evaluates all of A->rest; trailing text is WinDbg's "Extra character" error. */
static struct dd_error *eval_args(struct session *s, const struct cmd_args *a, uint64_t *ret)
{
    const char *end;
    uint64_t v = 0;
    struct dd_error *err = expr_eval_prefix(s, a->rest, &end, &v);
    if (err)
        return err;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return extra_chars(a);
    *ret = v;
    return NULL;
}

struct dd_error *cmd_display_evaluate(struct session *s, const struct cmd_args *args)
{
    uint64_t v = 0;
    struct dd_error *err = eval_args(s, args, &v);
    if (err)
        return err;
    char hex[DD_ADDR_BUF];
    if (narrow_display(s, v))
        snprintf(hex, sizeof(hex), "%08x", (unsigned)(uint32_t)v);
    else
        dd_fmt_u64_tick(hex, v);
    dd_printf(s->out, "Evaluate expression: %" PRId64 " = %s\n", (int64_t)v, hex);
    return NULL;
}

struct dd_error *cmd_format_formats(struct session *s, const struct cmd_args *args)
{
    uint64_t v = 0;
    struct dd_error *err = eval_args(s, args, &v);
    if (err)
        return err;
    bool narrow = narrow_display(s, v);
    unsigned bytes = narrow ? 4 : 8;
    struct dd_writer *w = s->out;
    char buf[128];

    dd_puts(w, "Evaluate expression:\n");
    if (narrow)
        dd_printf(w, "  Hex:     %08x\n", (unsigned)(uint32_t)v);
    else
        dd_printf(w, "  Hex:     %s\n", dd_fmt_u64_tick(buf, v));
    dd_printf(w, "  Decimal: %" PRId64 "\n", (int64_t)v);
    dd_printf(w, "  Decimal (unsigned) : %" PRIu64 "\n", narrow ? (uint64_t)(uint32_t)v : v);
    if (narrow)
        dd_printf(w, "  Octal:   %011o\n", (unsigned)(uint32_t)v);
    else
        dd_printf(w, "  Octal:   %022" PRIo64 "\n", v);

    dd_puts(w, "  Binary: ");
    for (unsigned i = bytes; i > 0; i--) {
        unsigned b = (unsigned)(v >> (8 * (i - 1))) & 0xff;
        char bits[10];
        for (int k = 0; k < 8; k++)
            bits[k] = (b >> (7 - k)) & 1 ? '1' : '0';
        bits[8] = '\0';
        dd_printf(w, " %s", bits);
    }
    dd_puts(w, "\n  Chars:   ");
    for (unsigned i = bytes; i > 0; i--) {
        unsigned b = (unsigned)(v >> (8 * (i - 1))) & 0xff;
        dd_printf(w, "%c", b >= 0x20 && b < 0x7f ? (char)b : '.');
    }
    dd_printf(w, "\n  Time:    %s\n", format_time_field(buf, sizeof(buf), v, narrow));

    char lo[48], hi[48];
    cmd_format_msvc_g(lo, sizeof(lo), (uint32_t)v, false);
    cmd_format_msvc_g(hi, sizeof(hi), v >> 32, false);
    dd_printf(w, "  Float:   low %s high %s\n", lo, hi);
    dd_printf(w, "  Double:  %s\n", cmd_format_msvc_g(buf, sizeof(buf), v, true));
    return NULL;
}
