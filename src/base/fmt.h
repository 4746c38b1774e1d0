/* Number, address and time formatting in WinDbg's style. */
#ifndef DD_BASE_FMT_H
#define DD_BASE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest string dd_fmt_addr writes, including the NUL. */
#define DD_ADDR_BUF 18

/*
 * Writes ADDR as WinDbg prints a pointer: "0012fe84" when PTR_SIZE is 4,
 * "00007ff6`12345678" when 8. Returns BUF.
 */
char *dd_fmt_addr(char buf[DD_ADDR_BUF], uint64_t addr, unsigned ptr_size);

/* Formats a 64-bit value with the backtick: "00000000`00000235". Returns BUF. */
char *dd_fmt_u64_tick(char buf[DD_ADDR_BUF], uint64_t v);

/*
 * Writes time_t T shifted by BIAS_MINUTES west of UTC as WinDbg's session time,
 * "Wed Jun  1 10:12:24.000 2022 (UTC + 2:00)". Returns BUF.
 */
char *dd_fmt_time(char *buf, size_t len, int64_t t, int32_t bias_minutes);

/* Writes SECONDS as "0 days 0:00:03.000" (MS extra milliseconds). Returns BUF. */
char *dd_fmt_duration(char *buf, size_t len, uint64_t seconds, unsigned ms);

/* Converts a FILETIME (100 ns since 1601) to time_t; 0 stays 0. */
int64_t dd_filetime_to_unix(uint64_t ft);

/* Case-insensitive ASCII comparisons. */
int dd_strcasecmp(const char *a, const char *b);
int dd_strncasecmp(const char *a, const char *b, size_t n);
/* WinDbg-style wildcard match ('*' and '?'), case-insensitive. */
bool dd_wildcard_match(const char *pattern, const char *s);
/* Returns the file-name part of a Windows or POSIX PATH (after the last '\\' or '/'), within PATH. */
const char *dd_path_basename(const char *path);

/* Converts UTF-16LE (N code units at P) to UTF-8 into an allocated string; NULL on OOM. */
char *dd_utf16_to_utf8(const uint8_t *p, size_t n);

#endif
