/* Finding one resource in a PE image's resource directory (PE Format, "The .rsrc Section"). */
#ifndef DD_PE_RESOURCE_H
#define DD_PE_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "pe/pe_image.h"

#define PE_RT_VERSION 16u /* RT_VERSION resource type */

/* Where a resource's bytes are (IMAGE_RESOURCE_DATA_ENTRY) and which name and language it has. */
struct pe_resource {
    uint32_t rva; /* OffsetToData: an RVA, not relative to the resource directory */
    uint32_t size;
    uint32_t codepage;
    uint32_t name_id;  /* the integer name, or 0 when named by a string */
    bool name_is_string;
    uint32_t language; /* the language ID (e.g. 1033) */
};

/*
 * Finds the first resource (first name, first language) of integer type TYPE_ID and sets ret.
 * Errors: DD_ERR_NOT_FOUND when the image has no resource directory or no such type;
 * DD_ERR_MEMORY when a mapped image lacks the bytes; DD_ERR_FORMAT when the tree is malformed.
 */
struct dd_error *pe_resource_find(const struct pe_image *img, uint32_t type_id,
                                  struct pe_resource *ret);

#endif
