/* MD5 (RFC 1321), for WinDbg-compatible FAILURE_ID_HASH values; not for security. */
#ifndef DD_ANALYZE_MD5_H
#define DD_ANALYZE_MD5_H

#include <stddef.h>
#include <stdint.h>

/* Writes the MD5 digest of the LEN bytes at DATA into ret. */
void md5_digest(const void *data, size_t len, uint8_t ret[16]);

#endif
