/* A PE image (EXE/DLL) read from a file on disk or from dump memory: headers, sections, reads by
 * RVA. Exports, debug directory, .pdata and the version resource live in their own headers and
 * are parsed on first use. Format source: Microsoft "PE Format" (learn.microsoft.com). */
#ifndef DD_PE_IMAGE_H
#define DD_PE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/mapfile.h"

/* Machine values of IMAGE_FILE_HEADER.Machine that dumpdbg knows by name. */
#define PE_MACHINE_I386 0x014cu
#define PE_MACHINE_ARMNT 0x01c4u /* ARM Thumb-2 */
#define PE_MACHINE_AMD64 0x8664u
#define PE_MACHINE_ARM64 0xaa64u

/* Optional header magic: PE32 (32-bit) and PE32+ (64-bit). */
#define PE_MAGIC_PE32 0x010bu
#define PE_MAGIC_PE32_PLUS 0x020bu

/* Data directory indices (PE Format, "Optional Header Data Directories"). */
enum pe_dir {
    PE_DIR_EXPORT = 0,
    PE_DIR_IMPORT = 1,
    PE_DIR_RESOURCE = 2,
    PE_DIR_EXCEPTION = 3,
    PE_DIR_SECURITY = 4, /* a file offset, not an RVA */
    PE_DIR_BASERELOC = 5,
    PE_DIR_DEBUG = 6,
    PE_DIR_ARCHITECTURE = 7,
    PE_DIR_GLOBALPTR = 8,
    PE_DIR_TLS = 9,
    PE_DIR_LOAD_CONFIG = 10,
    PE_DIR_BOUND_IMPORT = 11,
    PE_DIR_IAT = 12,
    PE_DIR_DELAY_IMPORT = 13,
    PE_DIR_CLR = 14,
    PE_DIR_COUNT = 16,
};

/* Where the bytes of an image come from. */
enum pe_layout {
    PE_LAYOUT_FILE,   /* a file on disk: RVAs go through the section table */
    PE_LAYOUT_MAPPED, /* loaded memory (a dump): bytes addressed by RVA */
};

struct pe_data_dir {
    uint32_t rva;
    uint32_t size;
};

/* One IMAGE_SECTION_HEADER. */
struct pe_section {
    char name[9]; /* the 8 name bytes, NUL-terminated ("/123" long names are kept as is) */
    uint32_t virtual_size;
    uint32_t virtual_address;
    uint32_t raw_size;   /* SizeOfRawData */
    uint32_t raw_offset; /* PointerToRawData */
    uint32_t characteristics;
};

/* The fields of IMAGE_FILE_HEADER and IMAGE_OPTIONAL_HEADER(32|64), widened where they differ. */
struct pe_headers {
    uint32_t nt_offset; /* e_lfanew: file offset / RVA of "PE\0\0" */
    uint16_t machine;
    uint16_t number_of_sections;
    uint32_t timestamp;
    uint32_t symbol_table_offset;
    uint32_t number_of_symbols;
    uint16_t optional_header_size;
    uint16_t characteristics;
    uint16_t magic; /* PE_MAGIC_PE32 or PE_MAGIC_PE32_PLUS */
    bool is_64;     /* PE32+ */
    uint8_t linker_major;
    uint8_t linker_minor;
    uint32_t size_of_code;
    uint32_t size_of_initialized_data;
    uint32_t size_of_uninitialized_data;
    uint32_t entry_point; /* AddressOfEntryPoint (RVA; 0 for many DLLs) */
    uint32_t base_of_code;
    uint64_t image_base; /* preferred load address */
    uint32_t section_alignment;
    uint32_t file_alignment;
    uint16_t os_major, os_minor;
    uint16_t image_major, image_minor;
    uint16_t subsystem_major, subsystem_minor;
    uint32_t size_of_image;
    uint32_t size_of_headers;
    uint32_t checksum;
    uint16_t subsystem;
    uint16_t dll_characteristics;
    uint64_t stack_reserve, stack_commit, heap_reserve, heap_commit;
    uint32_t number_of_rva_and_sizes; /* as declared; dirs[] holds at most PE_DIR_COUNT */
    struct pe_data_dir dirs[PE_DIR_COUNT]; /* absent directories are zero */
};

/* Internal: the state of one part of an image that is parsed on first use. */
struct pe_lazy {
    int state; /* 0 not tried, 1 parsed, 2 failed (the error below is replayed) */
    enum dd_error_code code;
    const char *message;
    uint64_t file_offset;
};

struct pe_exports;
struct pe_debug_info;
struct pe_pdata;
struct pe_version_info;

/*
 * An open image. The public fields are read-only for callers; everything after "internal" is
 * owned by src/pe. Parsed parts (exports, .pdata, ...) live in the image's arena and stay valid
 * until pe_image_destroy.
 */
struct pe_image {
    enum pe_layout layout;
    uint64_t base;       /* load address (mapped) or the header's ImageBase (file) */
    uint32_t rva_limit;  /* reads at or past this RVA fail: SizeOfImage, or the dump's size */
    struct pe_headers hdr;
    struct pe_section *sections; /* hdr.number_of_sections entries */
    size_t nsections;
    const char *name; /* file path or "image at 0x..." (for messages) */

    /* internal */
    struct dd_mapfile file;
    size_t (*read_fn)(void *ctx, uint32_t rva, void *buf, size_t len);
    void *read_ctx;
    struct dd_arena arena;
    struct pe_lazy exports_lazy, debug_lazy, pdata_lazy, version_lazy;
    struct pe_exports *exports;
    struct pe_debug_info *debug;
    struct pe_pdata *pdata;
    struct pe_version_info *version;
};

/* Maps the file at PATH and parses its headers; ret owns the mapping. */
struct dd_error *pe_image_open_file(const char *path, struct pe_image **ret);

/* Like pe_image_open_file over caller-owned file bytes, which must outlive ret. */
struct dd_error *pe_image_open_bytes(const uint8_t *data, size_t size, const char *name,
                                     struct pe_image **ret);

/*
 * Opens an image loaded at BASE whose bytes READ_FN(CTX, rva, buf, len) serves in the mapped
 * layout; READ_FN returns how many bytes it copied (a prefix of the request, possibly 0).
 * SIZE_OF_IMAGE (0 = take the header's) bounds every read. Fails with DD_ERR_MEMORY when the
 * headers themselves are not available.
 */
struct dd_error *pe_image_open_reader(size_t (*read_fn)(void *ctx, uint32_t rva, void *buf,
                                                        size_t len),
                                      void *ctx, uint64_t base, uint32_t size_of_image,
                                      struct pe_image **ret);

/* Frees IMG and everything parsed from it; NULL is a no-op. */
void pe_image_destroy(struct pe_image *img);

/*
 * Copies up to LEN bytes at RVA into BUF as the loaded image holds them (file layout: through
 * the section table, zero-filled past a section's raw data). Returns the number of bytes copied,
 * which is less than LEN when an unavailable byte is reached.
 */
size_t pe_image_read_rva(const struct pe_image *img, uint32_t rva, void *buf, size_t len);

/* Returns the section containing RVA (by VirtualAddress/VirtualSize), or NULL. */
const struct pe_section *pe_image_section_by_rva(const struct pe_image *img, uint32_t rva);

/* Returns directory IDX (zero when absent or IDX is out of range). */
struct pe_data_dir pe_image_dir(const struct pe_image *img, unsigned idx);

/* Returns a short name for MACHINE ("x86", "x64", "ARM64", "ARM") or NULL when unknown. */
const char *pe_machine_name(uint16_t machine);

#endif
