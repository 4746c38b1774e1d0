/*
 * What each bug check's four parameters mean, as data: one row per documented code (and one
 * per parameter-1 value where that value changes the meaning of the others), with the role a
 * parameter plays for analysis (the faulting address, the exception or context record, the
 * trap frame, the driver's name ...) and how the failure bucket starts. The rows live in the
 * generated bugcheck_table.c (src/analyze/gen/gen_bugcheck_table.py from bugcheck_table.tsv);
 * the names of all codes are in error_table_bugchecks.c (bugcheck_name()).
 */
#ifndef DD_ANALYZE_BUGCHECK_TABLE_H
#define DD_ANALYZE_BUGCHECK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a parameter holds, when analysis can follow it. */
enum bugcheck_role {
    BUGCHECK_ROLE_NONE = 0,
    BUGCHECK_ROLE_EXCEPTION_CODE,   /* an NTSTATUS exception code (ffffffff`c0000005 on x64) */
    BUGCHECK_ROLE_FAULTING_IP,      /* address of the instruction at fault */
    BUGCHECK_ROLE_EXCEPTION_RECORD, /* address of an EXCEPTION_RECORD */
    BUGCHECK_ROLE_CONTEXT_RECORD,   /* address of a CONTEXT */
    BUGCHECK_ROLE_TRAP_FRAME,       /* address of a KTRAP_FRAME */
    BUGCHECK_ROLE_REFERENCED,       /* a memory address that was touched */
    BUGCHECK_ROLE_IRQL,             /* an interrupt request level */
    BUGCHECK_ROLE_ACCESS,           /* read/write/execute (see bugcheck_access_decode) */
    BUGCHECK_ROLE_DRIVER_NAME,      /* address of a UNICODE_STRING naming a driver */
    BUGCHECK_ROLE_DRIVER_ADDRESS,   /* an address inside the driver at fault */
    BUGCHECK_ROLE_PROCESS,          /* an EPROCESS */
    BUGCHECK_ROLE_THREAD,           /* an ETHREAD */
    BUGCHECK_ROLE_IRP,              /* an IRP */
    BUGCHECK_ROLE_DEVICE_OBJECT,    /* a DEVICE_OBJECT */
    BUGCHECK_ROLE_STATUS,           /* an NTSTATUS result */
    BUGCHECK_ROLE_FAST_FAIL,        /* a FAST_FAIL_* code */
    BUGCHECK_ROLE_SUBCODE,          /* selects what the other parameters mean */
};

/* How FAILURE_BUCKET_ID starts for a code (bugcheck_bucket.c). */
enum bugcheck_bucket {
    BUGCHECK_BUCKET_PLAIN,        /* 0xCODE_ */
    BUGCHECK_BUCKET_PLAIN_LOWER,  /* 0xcode_ */
    BUGCHECK_BUCKET_EXCEPTION,    /* AV_ for c0000005, else 0xCODE_exception_ */
    BUGCHECK_BUCKET_MEMORY,       /* AV_ */
    BUGCHECK_BUCKET_PAGE_FAULT,   /* AV_R_INVALID_, AV_W_INVALID_, AV_X_INVALID_ */
    BUGCHECK_BUCKET_SUBCODE,      /* 0xCODE_subcode_ */
    BUGCHECK_BUCKET_SUBCODE_LOWER,/* 0xcode_subcode_ */
    BUGCHECK_BUCKET_IMAGE,        /* 0xCODE_IMAGE_image.sys */
    BUGCHECK_BUCKET_DPC,          /* 0x133_DPC_ */
};

struct bugcheck_param {
    const char *meaning; /* dumpdbg's short words; NULL when reserved or undocumented */
    enum bugcheck_role role;
};

struct bugcheck_entry {
    uint32_t code;
    uint32_t base_code;   /* the code whose meanings these are: 0x7E for 0x1000007E */
    bool has_subcode;     /* this row applies only when parameter 1 equals subcode */
    uint32_t subcode;
    enum bugcheck_bucket bucket;
    const char *description; /* what happened; for a subcode row, what that value means */
    struct bugcheck_param params[4];
};

/* Sorted by code, the generic row of a code first, then its subcode rows by value. */
extern const struct bugcheck_entry bugcheck_table[];
extern const size_t bugcheck_table_count;

/* The generic row of CODE, or NULL when the table does not describe it. */
const struct bugcheck_entry *bugcheck_table_find(uint32_t code);
/* The row of CODE for parameter 1 = P1, or NULL when there is none for that value. */
const struct bugcheck_entry *bugcheck_table_find_subcode(uint32_t code, uint64_t p1);
/*
 * Index (0-3) of the parameter of CODE with ROLE, looking at the row for parameter 1 = P1 first,
 * then the generic row; -1 when no parameter has that role.
 */
int bugcheck_role_param(uint32_t code, uint64_t p1, enum bugcheck_role role);
/*
 * The code !analyze names: the base code of an "_M" variant whose row says it shares the
 * base's meaning (0x1000007E -> 0x7E), else CODE.
 */
uint32_t bugcheck_shown_code(uint32_t code);
/* A role's name as the JSON output spells it ("exception_record"), "" for NONE. */
const char *bugcheck_role_name(enum bugcheck_role role);

/* How an ACCESS parameter reads. */
enum bugcheck_access {
    BUGCHECK_ACCESS_READ,
    BUGCHECK_ACCESS_WRITE,
    BUGCHECK_ACCESS_EXECUTE,
};
/*
 * Decodes an access parameter: bit 3 (8, or 10 = 8|2 in 0x50's encoding) means execute, else
 * bit 0 or 1 (1 write; 2 write in 0x50's encoding) means write, else read.
 */
enum bugcheck_access bugcheck_access_decode(uint64_t value);

#endif
