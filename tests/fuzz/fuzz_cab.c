/*
 * libFuzzer target: a cabinet in memory decompressed into memory with a 1 MiB cap, as a symbol
 * server's NAME.pd_ would be. Besides crashes it checks that a success honours the cap.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sym/cab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CAB_MAX ((uint64_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    struct dd_error *err = cab_extract_memory(data, size, FUZZ_CAB_MAX, &out, &out_len);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    if (!out || out_len > FUZZ_CAB_MAX)
        abort();
    free(out);
    return 0;
}
