#include "base/fmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/cursor.h"

char *dd_fmt_addr(char buf[DD_ADDR_BUF], uint64_t addr, unsigned ptr_size)
{
    if (ptr_size == 8)
        return dd_fmt_u64_tick(buf, addr);
    snprintf(buf, DD_ADDR_BUF, "%08x", (unsigned)(uint32_t)addr);
    return buf;
}

char *dd_fmt_u64_tick(char buf[DD_ADDR_BUF], uint64_t v)
{
    snprintf(buf, DD_ADDR_BUF, "%08x`%08x", (unsigned)(v >> 32), (unsigned)(uint32_t)v);
    return buf;
}

static const char *const wday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

char *dd_fmt_time(char *buf, size_t len, int64_t t, int32_t bias_minutes)
{
    time_t local = (time_t)(t - (int64_t)bias_minutes * 60);
    struct tm tm;
    if (!gmtime_r(&local, &tm)) {
        snprintf(buf, len, "(invalid time %lld)", (long long)t);
        return buf;
    }
    int32_t east = -bias_minutes;
    char sign = east < 0 ? '-' : '+';
    int32_t mag = east < 0 ? -east : east;
    snprintf(buf, len, "%s %s %2d %02d:%02d:%02d.000 %d (UTC %c %d:%02d)", wday_names[tm.tm_wday],
             month_names[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             tm.tm_year + 1900, sign, (int)(mag / 60), (int)(mag % 60));
    return buf;
}

char *dd_fmt_duration(char *buf, size_t len, uint64_t seconds, unsigned ms)
{
    unsigned long long days = seconds / 86400;
    unsigned rem = (unsigned)(seconds % 86400);
    snprintf(buf, len, "%llu days %u:%02u:%02u.%03u", days, rem / 3600, (rem / 60) % 60, rem % 60,
             ms);
    return buf;
}

int64_t dd_filetime_to_unix(uint64_t ft)
{
    if (ft == 0)
        return 0;
    return (int64_t)(ft / 10000000ULL) - 11644473600LL;
}

int dd_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y || !x)
            return x - y;
    }
}

int dd_strncasecmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y || !x)
            return x - y;
    }
    return 0;
}

bool dd_wildcard_match(const char *p, const char *s)
{
    /* Iterative match with single-star backtracking: linear in practice, never recursive. */
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?' || (*p && tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

char *dd_utf16_to_utf8(const uint8_t *p, size_t n)
{
    if (n > (SIZE_MAX - 1) / 4)
        return NULL;
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = dd_le16(p + 2 * i);
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
            uint32_t lo = dd_le16(p + 2 * (i + 1));
            if (lo >= 0xdc00 && lo < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
        }
        if (c >= 0xd800 && c < 0xe000)
            c = 0xfffd; /* lone surrogate */
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xc0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xe0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
            out[o++] = (char)(0x80 | (c & 0x3f));
        } else {
            out[o++] = (char)(0xf0 | (c >> 18));
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
            out[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    out[o] = '\0';
    return out;
}

const char *dd_path_basename(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    return base;
}
