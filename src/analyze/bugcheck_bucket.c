/*
 * FAILURE_BUCKET_ID and FAILURE_ID_HASH of a kernel verdict, in the shapes of WinDbg's
 * kernel transcripts:
 *   AV_o2micro_sdhost!unknown_function        0x7E, exception c0000005, no symbols
 *   AV_fileinfo!FIPfFileFSOpPostCreate        0xD1 (a memory reference at high IRQL)
 *   AV_R_INVALID_WwanUsbMp!unknown_function   0x50 (read of an invalid address)
 *   0x133_DPC_nt!KeAccumulateTicks            0x133 with parameter 1 = 0
 *   0x139_3_CORRUPT_LIST_ENTRY_nt!KiFastFailDispatch, 0x13a_12_Driver!CreateRandomFile,
 *   0x1a_61941_..., 0x9F_4_...                codes whose parameter 1 is a subtype
 *   0x116_IMAGE_nvlddmkm.sys                  display driver time-outs: the image alone
 *   0x13C_nt!PspThreadDelete                  everything else: the code, then the culprit
 * The culprit is MODULE!function, MODULE!unknown_function without symbols (the kernel
 * spelling; user mode says "Unknown"). The bucket's start per code is the table's bucket
 * column (bugcheck_table.tsv); shapes WinDbg gives only with more analysis than dumpdbg does
 * (0x9F_3_<driver>_IMAGE_pci.sys names the driver that holds the IRP) are approximated.
 *
 * FAILURE_ID_HASH is the user-mode hash (bucket.c) with the prefix "km:" in place of "um:":
 * MD5 of UTF-16LE lowercase "km:" + bucket as a GUID. WinDbg prints the hashed text as
 * FAILURE_ID_HASH_STRING ("km:av_ovsext!ovswaiteventioctl", openvswitch's commit message),
 * and tests/unit/test_bugcheck.c checks the rule against eight published kernel transcripts.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/bugcheck_table.h"
#include "cmd/session.h"

/* The bucket's first part, e.g. "AV_", "0x133_DPC_", "0x139_3_CORRUPT_LIST_ENTRY_". */
static void bucket_start(const struct analyze_verdict *v, char *buf, size_t len)
{
    const struct analyze_bugcheck *b = v->bugcheck;
    const struct bugcheck_entry *e = bugcheck_table_find(b->code);
    enum bugcheck_bucket style = e ? e->bucket : BUGCHECK_BUCKET_PLAIN;
    char code[16];
    bool lower = style == BUGCHECK_BUCKET_PLAIN_LOWER || style == BUGCHECK_BUCKET_SUBCODE_LOWER;
    snprintf(code, sizeof(code), lower ? "0x%x" : "0x%X", b->shown_code);
    switch (style) {
    case BUGCHECK_BUCKET_EXCEPTION:
        if (v->has_exception && v->exception.code == 0xc0000005u)
            snprintf(buf, len, "AV_");
        else if (v->has_exception)
            snprintf(buf, len, "%s_%x_", code, v->exception.code);
        else
            snprintf(buf, len, "%s_", code);
        return;
    case BUGCHECK_BUCKET_MEMORY:
        snprintf(buf, len, "AV_");
        return;
    case BUGCHECK_BUCKET_PAGE_FAULT:
        snprintf(buf, len, "AV_%c_INVALID_",
                 b->access == ANALYZE_ACCESS_WRITE     ? 'W'
                 : b->access == ANALYZE_ACCESS_EXECUTE ? 'X'
                                                       : 'R');
        return;
    case BUGCHECK_BUCKET_SUBCODE:
    case BUGCHECK_BUCKET_SUBCODE_LOWER: {
        int i = bugcheck_role_param(b->code, b->params[0], BUGCHECK_ROLE_SUBCODE);
        if (i < 0)
            i = bugcheck_role_param(b->code, b->params[0], BUGCHECK_ROLE_FAST_FAIL);
        uint64_t sub = b->params[i < 0 ? 0 : i];
        const char *ff = b->fast_fail_name;
        if (ff && strncmp(ff, "FAST_FAIL_", 10) == 0)
            ff += 10;
        snprintf(buf, len, "%s_%llx_%s%s", code, (unsigned long long)sub, ff ? ff : "",
                 ff ? "_" : "");
        return;
    }
    case BUGCHECK_BUCKET_IMAGE:
        snprintf(buf, len, "%s_IMAGE_", code);
        return;
    case BUGCHECK_BUCKET_DPC:
        snprintf(buf, len, "%s_DPC_", code);
        return;
    default:
        snprintf(buf, len, "%s_", code);
        return;
    }
}

struct dd_error *analyze_bugcheck_bucket(struct session *s, const struct analyze_options *opts,
                                         struct analyze_verdict *v)
{
    (void)s;
    (void)opts;
    const struct bugcheck_entry *e = bugcheck_table_find(v->bugcheck->code);
    char start[128], bucket[2048];
    bucket_start(v, start, sizeof(start));
    const struct analyze_bugcheck *b = v->bugcheck;
    if (e && e->bucket == BUGCHECK_BUCKET_IMAGE)
        snprintf(bucket, sizeof(bucket), "%s%s", start, b->blamed ? v->image_name : "Unknown_Image");
    else if (b->blamed)
        snprintf(bucket, sizeof(bucket), "%s%s!%s", start, v->module_name,
                 b->blamed_function ? b->blamed_function : "unknown_function");
    else /* WinDbg's words when nothing could be blamed */
        snprintf(bucket, sizeof(bucket), "%sANALYSIS_INCONCLUSIVE!unknown_function", start);
    /* Template and operator characters and blanks would split the bucket (as in bucket.c). */
    for (char *c = bucket + strlen(start); *c; c++)
        if (*c == '<' || *c == '>' || *c == '&' || *c == ' ' || *c == '*')
            *c = '_';
    size_t n = strlen(start);
    if (n && start[n - 1] == '_')
        start[n - 1] = '\0';
    v->problem_class = dd_arena_strdup(&v->arena, start);
    v->bucket = dd_arena_strdup(&v->arena, bucket);
    if (!v->problem_class || !v->bucket)
        return &dd_error_no_memory;
    analyze_bucket_hash_prefixed("km:", v->bucket, v->hash);
    return NULL;
}
