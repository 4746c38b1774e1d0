/*
 * FAILURE_BUCKET_ID and FAILURE_ID_HASH as WinDbg forms them:
 *   <PROBLEM_CLASS>_<code>_<image>!<function>
 * e.g. "NULL_CLASS_PTR_WRITE_c0000005_pjlib-test-i386-Win32-vc14-Debug.exe!capacity_test",
 * "NULL_POINTER_READ_c0000005_msctf.dll!CThreadInputMgr::_SetFocus",
 * "BREAKPOINT_80000003_fastrtps-2.6.dll!Unknown" (no symbols), "STACK_OVERFLOW_c00000fd_...",
 * "FAIL_FAST_FATAL_APP_EXIT_c0000409_main.exe!Unknown", "SOFTWARE_NX_FAULT_INVALID_POINTER_
 * EXECUTE_c0000005_...", "BAD_INSTRUCTION_PTR_c0000005_..." (published !analyze -v transcripts:
 * pjsip/cirunner README, dotnet/runtime#73183, windirstat#93, GWToolboxpp#1509 and others).
 *
 * The bucket holds no address that moves between runs: the function's name, or "Unknown"
 * when the module has no symbols, as WinDbg does. So without symbols every crash of one
 * class in one module shares a bucket; the JSON keeps the module offset for finer grouping.
 * Template and operator characters "<", ">", "&" become "_" as in WinDbg's buckets
 * ("IConnectionPointImpl_CBthRadioManager,_IID_...::Unadvise"); dumpdbg also turns blanks
 * and "*" into "_" so the bucket stays one word.
 *
 * FAILURE_ID_HASH is MD5 over the UTF-16LE text "um:" + the bucket in lower case, printed as
 * a GUID (first three fields little-endian). This reproduces the hashes of every published
 * user-mode transcript checked (tests/unit/test_analyze.c lists them); kernel buckets use
 * "km:". dumpdbg lowercases ASCII only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/error_names.h"
#include "analyze/md5.h"
#include "cmd/session.h"

/* "NULL_POINTER" for address 0, "NULL_CLASS_PTR" inside the NULL partition, else invalid. */
static const char *pointer_class(uint64_t addr)
{
    if (addr == 0)
        return "NULL_POINTER";
    if (addr < ANALYZE_NULL_PAGE_LIMIT)
        return "NULL_CLASS_PTR";
    return "INVALID_POINTER";
}

static const char *problem_class(struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    char buf[128];
    if (e->code == 0xc0000005u) {
        if (!e->has_data_address || e->access == ANALYZE_ACCESS_NONE)
            return "INVALID_POINTER_DEREFERENCE";
        const char *pc = pointer_class(e->data_address);
        if (e->access == ANALYZE_ACCESS_EXECUTE) {
            snprintf(buf, sizeof(buf), "SOFTWARE_NX_FAULT_%s_EXECUTE", pc);
            return dd_arena_strdup(&v->arena, buf);
        }
        /* The instruction pointer itself was the bad address: a call or jump went astray. */
        if (e->data_address == e->address)
            return e->data_address < ANALYZE_NULL_PAGE_LIMIT ? "NULL_INSTRUCTION_PTR"
                                                             : "BAD_INSTRUCTION_PTR";
        snprintf(buf, sizeof(buf), "%s_%s", pc,
                 e->access == ANALYZE_ACCESS_WRITE ? "WRITE" : "READ");
        return dd_arena_strdup(&v->arena, buf);
    }
    if (e->code == 0xc0000409u && e->has_fast_fail) {
        const char *n = e->fast_fail_name;
        if (n && strncmp(n, "FAST_FAIL_", 10) == 0)
            n += 10;
        if (n)
            snprintf(buf, sizeof(buf), "FAIL_FAST_%s", n);
        else
            snprintf(buf, sizeof(buf), "FAIL_FAST_%llx", (unsigned long long)e->fast_fail_code);
        return dd_arena_strdup(&v->arena, buf);
    }
    if (e->code == 0xe06d7363u)
        return "CPP_EXCEPTION"; /* dumpdbg's name: msvc's throw has no NTSTATUS name */
    /* Otherwise the status name without "STATUS_": BREAKPOINT, STACK_OVERFLOW, HEAP_CORRUPTION. */
    const char *name = e->name;
    if (name && strncmp(name, "STATUS_", 7) == 0)
        return name + 7;
    if (name)
        return name;
    return "APPLICATION_FAULT";
}

void analyze_bucket_hash(const char *bucket, char ret[39])
{
    analyze_bucket_hash_prefixed("um:", bucket, ret);
}

void analyze_bucket_hash_prefixed(const char *prefix, const char *bucket, char ret[39])
{
    /* UTF-8 -> UTF-16LE, ASCII lowercased; invalid bytes become U+FFFD. */
    size_t n = strlen(prefix) + strlen(bucket);
    uint8_t *buf = malloc(n * 4 + 4);
    uint8_t digest[16];
    if (!buf) {
        snprintf(ret, 39, "{00000000-0000-0000-0000-000000000000}");
        return;
    }
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)prefix;
    for (int pass = 0; pass < 2; pass++, p = (const unsigned char *)bucket) {
        while (*p) {
            uint32_t cp = 0xfffd;
            unsigned len = 1;
            if (p[0] < 0x80) {
                cp = p[0];
            } else if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
                cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
                len = 2;
            } else if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
                cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
                len = 3;
            } else if ((p[0] & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
                       (p[3] & 0xc0) == 0x80) {
                cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
                     (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
                len = 4;
            }
            p += len;
            if (cp >= 'A' && cp <= 'Z')
                cp += 'a' - 'A';
            if (cp >= 0x10000 && cp <= 0x10ffff) {
                uint32_t hi = 0xd800 + ((cp - 0x10000) >> 10),
                         lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
                buf[o++] = (uint8_t)hi;
                buf[o++] = (uint8_t)(hi >> 8);
                cp = lo;
            } else if (cp > 0x10ffff) {
                cp = 0xfffd;
            }
            buf[o++] = (uint8_t)cp;
            buf[o++] = (uint8_t)(cp >> 8);
        }
    }
    md5_digest(buf, o, digest);
    free(buf);
    const uint8_t *d = digest;
    snprintf(ret, 39, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
             (unsigned)d[0] | (unsigned)d[1] << 8 | (unsigned)d[2] << 16 | (unsigned)d[3] << 24,
             (unsigned)d[4] | (unsigned)d[5] << 8, (unsigned)d[6] | (unsigned)d[7] << 8, d[8], d[9],
             d[10], d[11], d[12], d[13], d[14], d[15]);
}

struct dd_error *analyze_bucket(struct session *s, const struct analyze_options *opts,
                                struct analyze_verdict *v)
{
    (void)s;
    (void)opts;
    if (!v->has_exception)
        return NULL;
    v->problem_class = problem_class(v);
    if (!v->problem_class)
        return &dd_error_no_memory;
    const char *image = "unknown", *function = "noop"; /* WinDbg's words without a module */
    if (v->blamed_frame >= 0) {
        const struct analyze_frame *f = &v->stack->frames[v->blamed_frame];
        image = v->image_name;
        function = f->function ? f->function : "Unknown";
    }
    size_t len = strlen(v->problem_class) + strlen(image) + strlen(function) + 16;
    char *b = dd_arena_alloc(&v->arena, len);
    if (!b)
        return &dd_error_no_memory;
    snprintf(b, len, "%s_%08x_%s!", v->problem_class, v->exception.code, image);
    char *fn = b + strlen(b);
    snprintf(fn, len - (size_t)(fn - b), "%s", function);
    for (char *c = fn; *c; c++)
        if (*c == '<' || *c == '>' || *c == '&' || *c == ' ' || *c == '*')
            *c = '_';
    v->bucket = b;
    analyze_bucket_hash(b, v->hash);
    return NULL;
}
