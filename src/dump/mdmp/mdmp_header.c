/* MINIDUMP_HEADER, the stream directory, stream names and lookup. */
#include <stdio.h>
#include <string.h>

#include "dump/mdmp/mdmp_internal.h"

struct stream_name {
    uint32_t type;
    const char *name;
};

/* MINIDUMP_STREAM_TYPE (minidumpapiset.h); Breakpad MD_* and Crashpad vendor streams. */
static const struct stream_name stream_names[] = {
    {0, "UnusedStream"},
    {1, "ReservedStream0"},
    {2, "ReservedStream1"},
    {3, "ThreadListStream"},
    {4, "ModuleListStream"},
    {5, "MemoryListStream"},
    {6, "ExceptionStream"},
    {7, "SystemInfoStream"},
    {8, "ThreadExListStream"},
    {9, "Memory64ListStream"},
    {10, "CommentStreamA"},
    {11, "CommentStreamW"},
    {12, "HandleDataStream"},
    {13, "FunctionTableStream"},
    {14, "UnloadedModuleListStream"},
    {15, "MiscInfoStream"},
    {16, "MemoryInfoListStream"},
    {17, "ThreadInfoListStream"},
    {18, "HandleOperationListStream"},
    {19, "TokenStream"},
    {20, "JavaScriptDataStream"},
    {21, "SystemMemoryInfoStream"},
    {22, "ProcessVmCountersStream"},
    {23, "IptTraceStream"},
    {24, "ThreadNamesStream"},
    /* Windows CE streams (ceStream*). */
    {0x8000, "ceStreamNull"},
    {0x8001, "ceStreamSystemInfo"},
    {0x8002, "ceStreamException"},
    {0x8003, "ceStreamModuleList"},
    {0x8004, "ceStreamProcessList"},
    {0x8005, "ceStreamThreadList"},
    {0x8006, "ceStreamThreadContextList"},
    {0x8007, "ceStreamThreadCallStackList"},
    {0x8008, "ceStreamMemoryVirtualList"},
    {0x8009, "ceStreamMemoryPhysicalList"},
    {0x800a, "ceStreamBucketParameters"},
    {0x800b, "ceStreamProcessModuleMap"},
    {0x800c, "ceStreamDiagnosisList"},
    /* Wine dbghelp writes its host (ELF) modules here in ModuleList layout. */
    {0xfff0, "WineHostModuleListStream"},
    /* Breakpad (minidump_format.h, MD_*). */
    {0x47670001, "BreakpadInfoStream"},
    {0x47670002, "AssertionInfoStream"},
    {0x47670003, "LinuxCpuInfoStream"},
    {0x47670004, "LinuxProcStatusStream"},
    {0x47670005, "LinuxLsbReleaseStream"},
    {0x47670006, "LinuxCmdLineStream"},
    {0x47670007, "LinuxEnvironStream"},
    {0x47670008, "LinuxAuxvStream"},
    {0x47670009, "LinuxMapsStream"},
    {0x4767000a, "LinuxDsoDebugStream"},
    /* Crashpad (minidump_extensions.h). */
    {0x43500001, "CrashpadInfoStream"},
};

const char *mdmp_stream_type_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof(stream_names) / sizeof(stream_names[0]); i++)
        if (stream_names[i].type == type)
            return stream_names[i].name;
    return NULL;
}

struct dd_error *mdmp_header_parse(struct target *t)
{
    struct mdmp_file *f = mdmp_impl(t);
    uint64_t fsize = t->file.size;
    if (fsize < MDMP_HEADER_SIZE)
        return dd_error_at(DD_ERR_FORMAT, 0,
                           "minidump header truncated: the file has 0x%llx bytes, the header "
                           "needs 0x%x",
                           (unsigned long long)fsize, MDMP_HEADER_SIZE);
    const uint8_t *h = t->file.data;
    if (dd_le32(h) != MDMP_SIGNATURE)
        return dd_error_at(DD_ERR_FORMAT, 0, "no MDMP signature at offset 0");
    f->version = dd_le32(h + 4);
    uint32_t nstreams = dd_le32(h + 8);
    uint32_t dir_rva = dd_le32(h + 12);
    f->checksum = dd_le32(h + 16);
    t->proc.dump_time = dd_le32(h + 20);
    f->flags = dd_le64(h + 24);
    t->dump_flags = (uint32_t)f->flags;
    if ((f->version & 0xffff) != MDMP_VERSION)
        mdmp_warn(t, "minidump header version 0x%x (expected low word 0x%x)", f->version,
                  MDMP_VERSION);

    /* The directory itself must be in the file: this also bounds the allocation below. */
    uint64_t dir_size = (uint64_t)nstreams * MDMP_DIRECTORY_ENTRY_SIZE;
    uint64_t dir_end;
    if (dd_add_overflows(dir_rva, dir_size, fsize, &dir_end))
        return dd_error_at(DD_ERR_FORMAT, 12,
                           "stream directory at offset 0x%x: %u entries of %u bytes exceed the "
                           "file size 0x%llx",
                           dir_rva, nstreams, MDMP_DIRECTORY_ENTRY_SIZE, (unsigned long long)fsize);
    if (nstreams == 0)
        return NULL;
    t->streams = dd_arena_calloc(&t->arena, nstreams, sizeof(*t->streams));
    if (!t->streams)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < nstreams; i++) {
        uint64_t at = dir_rva + (uint64_t)i * MDMP_DIRECTORY_ENTRY_SIZE;
        const uint8_t *e = t->file.data + at;
        struct target_stream *s = &t->streams[i];
        s->type = dd_le32(e);
        s->size = dd_le32(e + 4);
        s->offset = dd_le32(e + 8);
        s->name = mdmp_stream_type_name(s->type);
        uint64_t end;
        /* An empty entry is harmless whatever its RVA; a non-empty one must be in the file. */
        if (s->size != 0 && dd_add_overflows(s->offset, s->size, fsize, &end)) {
            char tbuf[32];
            if (!s->name)
                snprintf(tbuf, sizeof(tbuf), "type 0x%x", s->type);
            return dd_error_at(DD_ERR_FORMAT, at,
                               "stream directory entry %u (%s) at offset 0x%llx: data at rva "
                               "0x%llx, size 0x%llx, lies outside the file (size 0x%llx)",
                               i, s->name ? s->name : tbuf, (unsigned long long)at,
                               (unsigned long long)s->offset, (unsigned long long)s->size,
                               (unsigned long long)fsize);
        }
    }
    t->nstreams = nstreams;
    return NULL;
}

const struct target_stream *mdmp_stream_find(const struct target *t, uint32_t type)
{
    for (size_t i = 0; i < t->nstreams; i++)
        if (t->streams[i].type == type && t->streams[i].size != 0)
            return &t->streams[i];
    return NULL;
}

const uint8_t *mdmp_file_range(const struct target *t, uint64_t rva, uint64_t size)
{
    uint64_t end;
    if (dd_add_overflows(rva, size, t->file.size, &end))
        return NULL;
    return t->file.data + rva;
}

struct dd_error *mdmp_list_check(const struct target_stream *s, uint64_t start, uint64_t count,
                                 uint64_t entry_size)
{
    const char *name = s->name ? s->name : "stream";
    if (start > s->size)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "%s at offset 0x%llx: its entries would start 0x%llx bytes in, past "
                           "the stream size 0x%llx",
                           name, (unsigned long long)s->offset, (unsigned long long)start,
                           (unsigned long long)s->size);
    /* count * entry_size must not overflow before the comparison. */
    if (entry_size != 0 && count > (s->size - start) / entry_size)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "%s at offset 0x%llx: count %llu entries of %llu bytes exceed the "
                           "stream size 0x%llx",
                           name, (unsigned long long)s->offset, (unsigned long long)count,
                           (unsigned long long)entry_size, (unsigned long long)s->size);
    return NULL;
}
