/* Names of exception codes and __fastfail codes as WinDbg prints them. */
#ifndef DD_ANALYZE_STATUS_NAMES_H
#define DD_ANALYZE_STATUS_NAMES_H

#include <stdint.h>

/* WinDbg's short description of exception CODE for .exr ("Access violation"), or NULL. */
const char *status_exception_text(uint32_t code);
/* The FAST_FAIL_* name of __fastfail code CODE, or NULL when unknown. */
const char *status_fastfail_name(uint64_t code);

#endif
