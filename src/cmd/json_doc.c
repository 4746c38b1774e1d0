/* JSON document helpers over cJSON (see json_doc.h). */
#include "cmd/json_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool json_doc_init(struct json_doc *doc, unsigned ptr_size)
{
    doc->root = cJSON_CreateObject();
    doc->oom = doc->root == NULL;
    doc->ptr_size = ptr_size == 4 ? 4 : 8;
    return !doc->oom;
}

void json_doc_deinit(struct json_doc *doc)
{
    if (!doc)
        return;
    cJSON_Delete(doc->root);
    doc->root = NULL;
}

struct dd_error *json_doc_write(struct json_doc *doc, bool pretty, struct dd_writer *out)
{
    if (doc->oom || !doc->root)
        return &dd_error_no_memory;
    char *text = pretty ? cJSON_Print(doc->root) : cJSON_PrintUnformatted(doc->root);
    if (!text)
        return &dd_error_no_memory;
    dd_puts(out, text);
    dd_puts(out, "\n");
    cJSON_free(text);
    return NULL;
}

cJSON *json_add_item(struct json_doc *doc, cJSON *parent, const char *key, cJSON *item)
{
    if (!item) {
        doc->oom = true;
        return NULL;
    }
    if (!parent) {
        cJSON_Delete(item);
        return NULL;
    }
    bool ok = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
    if (!ok) {
        cJSON_Delete(item);
        doc->oom = true;
        return NULL;
    }
    return item;
}

cJSON *json_add_object(struct json_doc *doc, cJSON *parent, const char *key)
{
    return json_add_item(doc, parent, key, cJSON_CreateObject());
}

cJSON *json_add_array(struct json_doc *doc, cJSON *parent, const char *key)
{
    return json_add_item(doc, parent, key, cJSON_CreateArray());
}

/* Length of the UTF-8 sequence at S (RFC 3629: no overlongs, surrogates or > U+10FFFF), 0 if bad.
 */
static size_t utf8_seq_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* A JSON string of V: as is when it is UTF-8, else a copy with U+FFFD for each bad byte. */
static cJSON *create_string(const char *v)
{
    const unsigned char *p = (const unsigned char *)v;
    size_t bad = 0, len = 0;
    while (p[len]) {
        size_t n = utf8_seq_len(p + len);
        if (!n) {
            bad++;
            n = 1;
        }
        len += n;
    }
    if (!bad)
        return cJSON_CreateString(v);
    char *copy = malloc(len + bad * 2 + 1); /* each bad byte grows from 1 to 3 bytes */
    if (!copy)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(p + i);
        if (n) {
            memcpy(copy + o, p + i, n);
            o += n;
            i += n;
        } else {
            memcpy(copy + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    copy[o] = '\0';
    cJSON *item = cJSON_CreateString(copy);
    free(copy);
    return item;
}

cJSON *json_add_string(struct json_doc *doc, cJSON *parent, const char *key, const char *v)
{
    return json_add_item(doc, parent, key, v ? create_string(v) : cJSON_CreateNull());
}

cJSON *json_add_number(struct json_doc *doc, cJSON *parent, const char *key, double v)
{
    return json_add_item(doc, parent, key, cJSON_CreateNumber(v));
}

cJSON *json_add_u64(struct json_doc *doc, cJSON *parent, const char *key, uint64_t v)
{
    if (v < ((uint64_t)1 << 53))
        return json_add_number(doc, parent, key, (double)v);
    char buf[24];
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    return json_add_string(doc, parent, key, buf);
}

cJSON *json_add_bool(struct json_doc *doc, cJSON *parent, const char *key, bool v)
{
    return json_add_item(doc, parent, key, cJSON_CreateBool(v));
}

cJSON *json_add_null(struct json_doc *doc, cJSON *parent, const char *key)
{
    return json_add_item(doc, parent, key, cJSON_CreateNull());
}

cJSON *json_add_hex(struct json_doc *doc, cJSON *parent, const char *key, uint64_t v,
                    unsigned digits)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%0*llx", (int)(digits > 16 ? 16 : digits), (unsigned long long)v);
    return json_add_string(doc, parent, key, buf);
}

cJSON *json_add_addr(struct json_doc *doc, cJSON *parent, const char *key, uint64_t v)
{
    return json_add_hex(doc, parent, key, v, doc->ptr_size * 2);
}
