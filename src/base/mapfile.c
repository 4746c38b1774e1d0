#define _POSIX_C_SOURCE 200809L
#include "base/mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct dd_error *dd_mapfile_open(const char *path, struct dd_mapfile *ret)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dd_error_create(DD_ERR_IO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return dd_error_create(DD_ERR_IO, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return dd_error_create(DD_ERR_IO, "not a regular file");
    }
    struct dd_mapfile m = {NULL, (size_t)st.st_size, strdup(path), 0, 0};
    if (!m.path) {
        close(fd);
        return &dd_error_no_memory;
    }
    if (m.size > 0) {
        void *p = mmap(NULL, m.size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            free(m.path);
            return dd_error_create(DD_ERR_IO, "cannot map: %s", strerror(e));
        }
        m.data = p;
    }
    close(fd);
    *ret = m;
    return NULL;
}

struct dd_error *dd_mapfile_borrow(const uint8_t *data, size_t size, const char *name,
                                   struct dd_mapfile *ret)
{
    struct dd_mapfile m = {size ? data : NULL, size, strdup(name), 1, 0};
    if (!m.path)
        return &dd_error_no_memory;
    *ret = m;
    return NULL;
}

static void mapfile_release(struct dd_mapfile *m)
{
    if (m->heap)
        free((void *)m->data);
    else if (m->data && !m->borrowed)
        munmap((void *)m->data, m->size);
}

void dd_mapfile_adopt(struct dd_mapfile *m, uint8_t *data, size_t size)
{
    mapfile_release(m);
    m->data = data;
    m->size = size;
    m->borrowed = 0;
    m->heap = 1;
}

void dd_mapfile_close(struct dd_mapfile *m)
{
    mapfile_release(m);
    free(m->path);
    m->data = NULL;
    m->size = 0;
    m->path = NULL;
}
