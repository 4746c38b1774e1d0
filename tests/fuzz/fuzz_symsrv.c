/*
 * libFuzzer target: what a symbol server or store answers with, apart from the files themselves
 * (PE/PDB/CAB have their own targets): the text of a file.ptr redirect.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sym/symstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = NULL;
    struct dd_error *err = symstore_fileptr_parse((const char *)data, size, &path);
    dd_error_destroy(err);
    free(path);
    return 0;
}
