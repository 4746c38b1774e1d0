/* Resource directory walk: type -> name -> language -> IMAGE_RESOURCE_DATA_ENTRY (PE Format,
 * "The .rsrc Section"). The walk is three levels deep and no more, so a directory that points
 * back at itself ends with an error instead of a loop. */
#include "pe/pe_resource.h"

#include "base/cursor.h"
#include "pe/pe_internal.h"

#define RES_DIR_SIZE 16u
#define RES_ENTRY_SIZE 8u
#define RES_DATA_ENTRY_SIZE 16u
#define RES_HIGH_BIT 0x80000000u /* name is a string / offset is a subdirectory */

struct res_entry {
    uint32_t name;   /* id, or string offset with the high bit */
    uint32_t offset; /* relative to the resource directory; high bit = subdirectory */
};

/* Reads N bytes at OFF inside the resource directory DIR (bounds-checked against its size). */
static struct dd_error *res_read(const struct pe_image *img, struct pe_data_dir dir, uint32_t off,
                                 void *buf, uint32_t n, const char *what)
{
    if ((uint64_t)off + n > dir.size || (uint64_t)dir.rva + off + n > UINT32_MAX)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: resource %s at offset 0x%x (0x%x bytes) extends past the "
                               "resource directory (size 0x%x)",
                               what, off, n, dir.size);
    return pe_read_exact(img, dir.rva + off, buf, n, what);
}

/*
 * Reads the directory at OFF and finds its entry: the ID entry equal to WANT_ID, or the first
 * entry when ANY is true. Sets ret_found false when there is none.
 */
static struct dd_error *res_dir_find(const struct pe_image *img, struct pe_data_dir dir,
                                     uint32_t off, bool any, uint32_t want_id,
                                     struct res_entry *ret, bool *ret_found)
{
    uint8_t h[RES_DIR_SIZE];
    struct dd_error *err = res_read(img, dir, off, h, sizeof(h), "directory");
    if (err)
        return err;
    uint32_t named = dd_le16(h + 12), ids = dd_le16(h + 14);
    uint64_t count = (uint64_t)named + ids;
    if (off + RES_DIR_SIZE + count * RES_ENTRY_SIZE > dir.size)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: resource directory at offset 0x%x has %llu entries, more than "
                               "fit in the resource directory (size 0x%x)",
                               off, (unsigned long long)count, dir.size);
    /* Named entries come first; an integer ID is searched among the ID entries only. */
    for (uint64_t i = any ? 0 : named; i < count; i++) {
        uint8_t e[RES_ENTRY_SIZE];
        err = res_read(img, dir, (uint32_t)(off + RES_DIR_SIZE + i * RES_ENTRY_SIZE), e,
                       sizeof(e), "directory entry");
        if (err)
            return err;
        struct res_entry re = {dd_le32(e), dd_le32(e + 4)};
        if (any || (!(re.name & RES_HIGH_BIT) && re.name == want_id)) {
            *ret = re;
            *ret_found = true;
            return NULL;
        }
    }
    *ret_found = false;
    return NULL;
}

struct dd_error *pe_resource_find(const struct pe_image *img, uint32_t type_id,
                                  struct pe_resource *ret)
{
    struct pe_data_dir dir = pe_image_dir(img, PE_DIR_RESOURCE);
    if (dir.rva == 0 || dir.size == 0)
        return dd_error_create(DD_ERR_NOT_FOUND, "PE: the image has no resource directory");
    static const char *const level_names[] = {"type", "name", "language"};
    struct res_entry path[3];
    uint32_t off = 0;
    for (int level = 0; level < 3; level++) {
        bool found;
        struct dd_error *err =
            res_dir_find(img, dir, off, level > 0, type_id, &path[level], &found);
        if (err)
            return err;
        if (!found)
            return dd_error_create(DD_ERR_NOT_FOUND,
                                   level == 0 ? "PE: no resource of type %u"
                                              : "PE: resource type %u has no entries",
                                   type_id);
        bool is_dir = (path[level].offset & RES_HIGH_BIT) != 0;
        if (is_dir != (level < 2))
            return dd_error_create(DD_ERR_FORMAT,
                                   "PE: resource %s entry of type %u at offset 0x%x points to a "
                                   "%s where a %s belongs",
                                   level_names[level], type_id, off, is_dir ? "directory" : "data entry",
                                   is_dir ? "data entry" : "directory");
        off = path[level].offset & ~RES_HIGH_BIT;
    }
    uint8_t d[RES_DATA_ENTRY_SIZE];
    struct dd_error *err = res_read(img, dir, off, d, sizeof(d), "data entry");
    if (err)
        return err;
    ret->rva = dd_le32(d);
    ret->size = dd_le32(d + 4);
    ret->codepage = dd_le32(d + 8);
    ret->name_is_string = (path[1].name & RES_HIGH_BIT) != 0;
    ret->name_id = ret->name_is_string ? 0 : path[1].name;
    ret->language = path[2].name & ~RES_HIGH_BIT;
    return NULL;
}
