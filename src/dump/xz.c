#include "dump/xz.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>

bool dump_xz_probe(const uint8_t *data, size_t size)
{
    /* xz file format 1.0.4, section 2.1.1.1: magic FD 37 7A 58 5A 00. */
    static const uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    return size >= sizeof(magic) && memcmp(data, magic, sizeof(magic)) == 0;
}

struct dd_error *dump_xz_decompress(const uint8_t *data, size_t size, uint8_t **ret,
                                    size_t *ret_size)
{
    lzma_stream strm = LZMA_STREAM_INIT;
    /* Bound the decoder's own memory too: 1 GiB covers every preset (-9e uses 674 MiB). */
    if (lzma_stream_decoder(&strm, (uint64_t)1 << 30, LZMA_CONCATENATED) != LZMA_OK)
        return dd_error_create(DD_ERR_NO_MEMORY, "cannot start the xz decoder");
    size_t cap = size < ((size_t)1 << 20) ? ((size_t)1 << 20) : size * 4;
    uint8_t *out = malloc(cap);
    if (!out) {
        lzma_end(&strm);
        return &dd_error_no_memory;
    }
    strm.next_in = data;
    strm.avail_in = size;
    strm.next_out = out;
    strm.avail_out = cap;
    struct dd_error *err = NULL;
    for (;;) {
        lzma_ret r = lzma_code(&strm, LZMA_FINISH);
        if (r == LZMA_STREAM_END)
            break;
        if (r == LZMA_OK && strm.avail_out == 0) {
            if (cap >= DUMP_XZ_MAX) {
                err = dd_error_create(DD_ERR_UNSUPPORTED,
                                      "xz-compressed dump expands past %llu GiB; decompress it "
                                      "to a file first",
                                      (unsigned long long)(DUMP_XZ_MAX >> 30));
                break;
            }
            size_t ncap = cap * 2 > DUMP_XZ_MAX ? (size_t)DUMP_XZ_MAX : cap * 2;
            uint8_t *n = realloc(out, ncap);
            if (!n) {
                err = &dd_error_no_memory;
                break;
            }
            out = n;
            strm.next_out = out + cap;
            strm.avail_out = ncap - cap;
            cap = ncap;
            continue;
        }
        err = dd_error_at(DD_ERR_FORMAT, strm.total_in,
                          "corrupt xz data at compressed offset 0x%llx (lzma error %d)",
                          (unsigned long long)strm.total_in, (int)r);
        break;
    }
    size_t total = (size_t)strm.total_out;
    lzma_end(&strm);
    if (err) {
        free(out);
        return err;
    }
    *ret = out;
    *ret_size = total;
    return NULL;
}
