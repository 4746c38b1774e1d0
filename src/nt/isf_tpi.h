/*
 * An ISF file's types (isf.h) as a TPI stream image (pdb/tpi.h), so the commands that show PDB
 * types (dt, ??, sizeof) show an ISF's types through the same code: base types become CodeView
 * simple types, user types LF_STRUCTURE/LF_UNION with an LF_FIELDLIST of LF_MEMBERs, enums
 * LF_ENUM with LF_ENUMERATEs, and type trees LF_POINTER, LF_ARRAY, LF_BITFIELD and LF_PROCEDURE
 * records (cvinfo.h layouts). The image has no hash stream: lookups by name scan it.
 *
 * An ISF keeps no declaration order (volatility3 writes "fields" with sorted keys), so members
 * are ordered by offset, then bitfields after plain members by bit position, then by name.
 */
#ifndef DD_NT_ISF_TPI_H
#define DD_NT_ISF_TPI_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct isf;

/* Largest TPI image made (type records past it are refused rather than cut). */
#define ISF_TPI_MAX_BYTES ((size_t)256 << 20)

/*
 * Builds the TPI stream image of ISF's types for a target with PTR_SIZE-byte pointers (4 or 8)
 * into ret (malloc'd) and ret_size. User type I of the ISF (isf_user_type_at) is type index
 * 0x1000 + I, enum J is 0x1000 + (user type count) + J. DD_ERR_FORMAT names a malformed type.
 */
struct dd_error *isf_tpi_build(struct isf *isf, unsigned ptr_size, uint8_t **ret, size_t *ret_size);

#endif
