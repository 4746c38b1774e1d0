/*
 * Building JSON documents with cJSON (schema: docs/json-schema.md). Every adder records an
 * allocation failure in the document instead of making each caller check, and the document is
 * only printed when nothing failed. Addresses are "0x" strings padded to the pointer width, as
 * rust-minidump writes them; a value that is not known is null, never omitted.
 */
#ifndef DD_CMD_JSON_DOC_H
#define DD_CMD_JSON_DOC_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "base/error.h"
#include "base/writer.h"

struct json_doc {
    cJSON *root;       /* the document's top-level object; owned */
    bool oom;          /* an addition failed: the document is incomplete and is not printed */
    unsigned ptr_size; /* 4 or 8: how many digits json_add_addr pads to */
};

/* Starts DOC with an empty root object; false (and DOC->oom) when out of memory. */
bool json_doc_init(struct json_doc *doc, unsigned ptr_size);
/* Frees DOC's tree; DOC may be zeroed. */
void json_doc_deinit(struct json_doc *doc);
/*
 * Writes DOC's root to OUT and a newline, indented when PRETTY else on one line. Errors only for
 * lack of memory (now or in an earlier addition).
 */
struct dd_error *json_doc_write(struct json_doc *doc, bool pretty, struct dd_writer *out);

/*
 * The adders put a value under KEY in object PARENT, or append it when KEY is NULL (PARENT an
 * array). A NULL PARENT (an earlier failure) is ignored. They return the new item or NULL.
 */
cJSON *json_add_object(struct json_doc *doc, cJSON *parent, const char *key);
cJSON *json_add_array(struct json_doc *doc, cJSON *parent, const char *key);
/* A string, or null when V is NULL; bytes that are not UTF-8 become U+FFFD. */
cJSON *json_add_string(struct json_doc *doc, cJSON *parent, const char *key, const char *v);
cJSON *json_add_number(struct json_doc *doc, cJSON *parent, const char *key, double v);
/* A number when V is exact in a double (< 2^53), else its decimal digits as a string. */
cJSON *json_add_u64(struct json_doc *doc, cJSON *parent, const char *key, uint64_t v);
cJSON *json_add_bool(struct json_doc *doc, cJSON *parent, const char *key, bool v);
cJSON *json_add_null(struct json_doc *doc, cJSON *parent, const char *key);
/* "0x" and V in hex padded to the document's pointer width ("0x0040429e"). */
cJSON *json_add_addr(struct json_doc *doc, cJSON *parent, const char *key, uint64_t v);
/* "0x" and V in hex padded to DIGITS digits ("0x00000045" for 8). */
cJSON *json_add_hex(struct json_doc *doc, cJSON *parent, const char *key, uint64_t v,
                    unsigned digits);
/* Attaches ITEM (owned from now on, even on failure) under KEY, or appends it when KEY is NULL. */
cJSON *json_add_item(struct json_doc *doc, cJSON *parent, const char *key, cJSON *item);

#endif
