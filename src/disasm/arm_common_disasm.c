/*
 * WinDbg's ARM and ARM64 instruction text, built from Capstone's. The layout follows the Microsoft
 * disassembler that WinDbg and dumpbin share, as real output shows it ("00007ff8`4862e698 aa1503e0
 * mov         x0,x21", "bl          System.String.Equals(...) (00007ff8`48623958)", "cmp
 * w0,#0", "stp         fp,lr,[sp,#-0x10]!", "ldrsw       x8,[x9,w8 uxtw #2]", "sub
 * sp,sp,#0x4D0"; Thumb: "push        {r4-r11,lr}", "mov         r12,#0xC104").
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "disasm/arm_common_disasm.h"

/* True when IN at I starts the word W (not preceded or followed by an identifier character). */
static bool word_at(const char *in, size_t i, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(in + i, w, n) != 0)
        return false;
    if (i > 0 && (isalnum((unsigned char)in[i - 1]) || in[i - 1] == '_'))
        return false;
    return !isalnum((unsigned char)in[i + n]) && in[i + n] != '_';
}

/* Register number of "rN" at IN (advancing *P), or -1. */
static int reg_number(const char **p)
{
    const char *s = *p;
    if (s[0] != 'r' || !isdigit((unsigned char)s[1]))
        return -1;
    int n = 0;
    s++;
    while (isdigit((unsigned char)*s))
        n = n * 10 + (*s++ - '0');
    if (isalnum((unsigned char)*s))
        return -1;
    *p = s;
    return n;
}

/* "{r4, r5, r6, r7, lr}" at *P into OUT as "{r4-r7,lr}"; false when it is not a plain list. */
static bool reg_list(const char **p, char *out, size_t len)
{
    const char *s = *p + 1;
    size_t n = 0;
    int run_first = -1, run_last = -1;
    bool first = true;
    out[n++] = '{';
    for (;;) {
        while (*s == ' ' || *s == ',')
            s++;
        int r = reg_number(&s);
        bool end = *s == '}' && r < 0;
        if (r >= 0 && run_last >= 0 && r == run_last + 1) {
            run_last = r;
            continue;
        }
        if (run_first >= 0) {
            int w = run_last > run_first
                        ? snprintf(out + n, len - n, "%sr%d-r%d", first ? "" : ",", run_first, run_last)
                        : snprintf(out + n, len - n, "%sr%d", first ? "" : ",", run_first);
            if (w < 0 || (size_t)w >= len - n)
                return false;
            n += (size_t)w;
            first = false;
            run_first = run_last = -1;
        }
        if (r >= 0) {
            run_first = run_last = r;
            continue;
        }
        if (end)
            break;
        /* sp, lr, pc, d8 ...: copied as they are. */
        const char *e = s;
        while (*e && *e != ',' && *e != '}')
            e++;
        if (!*e || e == s)
            return false;
        int w = snprintf(out + n, len - n, "%s%.*s", first ? "" : ",", (int)(e - s), s);
        if (w < 0 || (size_t)w >= len - n)
            return false;
        n += (size_t)w;
        first = false;
        s = e;
    }
    if (n + 2 > len)
        return false;
    out[n++] = '}';
    out[n] = '\0';
    *p = s + 1;
    return true;
}

/* True when the text before OUT+N ends with a shift or extend keyword and a blank ("lsl #2"). */
static bool after_shift(const char *out, size_t n)
{
    static const char *const kw[] = {"lsl ", "lsr ", "asr ", "ror ", "msl ", "uxtw ", "sxtw ",
                                     "uxtx ", "sxtx ", "uxtb ", "uxth ", "sxtb ", "sxth "};
    for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
        size_t k = strlen(kw[i]);
        if (n >= k && strncmp(out + n - k, kw[i], k) == 0)
            return true;
    }
    return false;
}

/*
 * Immediates as the Microsoft disassembler writes them ("#0", "#1", "#0x10", "#0x4D0"): below 10
 * in decimal, else hex with upper-case digits, whichever way Capstone spelled them; shift amounts
 * stay decimal ("lsl #48"), and so does an alignment (":128").
 */
static void canonical_immediates(char *s, size_t len)
{
    char out[256];
    size_t n = 0;
    for (const char *p = s; *p && n + 24 < sizeof(out);) {
        bool hash = *p == '#', colon = *p == ':';
        if ((hash || colon) && (isdigit((unsigned char)p[1]) ||
                                (hash && p[1] == '-' && isdigit((unsigned char)p[2])))) {
            const char *q = p + 1;
            bool neg = *q == '-';
            if (neg)
                q++;
            char *end;
            unsigned long long v = strtoull(q, &end, 0);
            bool decimal = colon || after_shift(out, n) || v < 10;
            n += (size_t)snprintf(out + n, sizeof(out) - n, decimal ? "%c%s%llu" : "%c%s0x%llX",
                                  *p, neg ? "-" : "", v);
            p = end;
            continue;
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
    snprintf(s, len, "%s", out);
}

void armdis_operands_normalize(const char *in, bool a64, char *out, size_t len)
{
    static const char *const extends[] = {"uxtw", "sxtw", "uxtx", "sxtx", "lsl", "uxtb", "uxth",
                                          "sxtb", "sxth"};
    size_t n = 0;
    int bracket = 0;
    bool hex = false;
    for (const char *p = in; *p && n + 1 < len;) {
        size_t i = (size_t)(p - in);
        if (*p == '[')
            bracket++;
        else if (*p == ']' && bracket > 0)
            bracket--;
        if (p[0] == ',' && p[1] == ' ') {
            /* A64 "[x9, w8, uxtw #2]": the extend follows its register with a blank. */
            bool ext = false;
            for (size_t k = 0; a64 && bracket > 0 && k < sizeof(extends) / sizeof(extends[0]); k++)
                ext = ext || word_at(in, i + 2, extends[k]);
            out[n++] = ext ? ' ' : ',';
            p += 2;
            hex = false;
            continue;
        }
        if (!a64 && *p == '{') {
            char list[160];
            const char *q = p;
            if (reg_list(&q, list, sizeof(list))) {
                int w = snprintf(out + n, len - n, "%s", list);
                if (w < 0 || (size_t)w >= len - n)
                    break;
                n += (size_t)w;
                p = q;
                continue;
            }
        }
        const char *rename = NULL;
        size_t skip = 0;
        if (a64 && word_at(in, i, "x29")) {
            rename = "fp";
            skip = 3;
        } else if (a64 && word_at(in, i, "x30")) {
            rename = "lr";
            skip = 3;
        }
        if (rename) {
            int w = snprintf(out + n, len - n, "%s", rename);
            if (w < 0 || (size_t)w >= len - n)
                break;
            n += (size_t)w;
            p += skip;
            continue;
        }
        if (p[0] == '0' && p[1] == 'x') {
            hex = true;
            out[n++] = '0';
            if (n + 1 < len)
                out[n++] = 'x';
            p += 2;
            continue;
        }
        if (hex && !isxdigit((unsigned char)*p))
            hex = false;
        out[n++] = hex ? (char)toupper((unsigned char)*p) : *p;
        p++;
    }
    out[n < len ? n : len - 1] = '\0';
    canonical_immediates(out, len);
}

void armdis_target_format(const struct disasm_ctx *c, uint64_t addr, char *buf, size_t len)
{
    char abuf[DD_ADDR_BUF], sym[256];
    unsigned ps = c->cpu == DD_CPU_ARM ? 4 : 8;
    dd_fmt_addr(abuf, addr, ps);
    if (c->symbolize && c->symbolize(c->symbolize_arg, addr, sym, sizeof(sym)))
        snprintf(buf, len, "%s (%s)", sym, abuf);
    else
        snprintf(buf, len, "%s", abuf);
}

bool armdis_operands_set_target(char *ops, size_t len, const char *target)
{
    char *hash = strrchr(ops, '#');
    char tail[256] = "";
    size_t at;
    if (hash) {
        char *e = hash + 1;
        if (*e == '-')
            e++;
        while (isalnum((unsigned char)*e))
            e++;
        snprintf(tail, sizeof(tail), "%s", e);
        at = (size_t)(hash - ops);
    } else {
        at = strlen(ops);
        if (at && at + 1 < len)
            ops[at++] = ',';
    }
    int w = snprintf(ops + at, len - at, "%s%s", target, tail);
    return w >= 0 && (size_t)w < len - at;
}

void armdis_text_set(struct disasm_insn *ret, const char *mnemonic, const char *operands)
{
    if (operands[0])
        snprintf(ret->text, sizeof(ret->text), "%-11s %s", mnemonic, operands);
    else
        snprintf(ret->text, sizeof(ret->text), "%s", mnemonic);
}
