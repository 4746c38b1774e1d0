/* The names the NT kernel image and its PDB have been shipped under. */
#ifndef DD_NT_KERNEL_NAMES_H
#define DD_NT_KERNEL_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel's file stems, most common first: multiprocessor, uniprocessor and PAE variants. */
extern const char *const nt_kernel_stems[];
extern const size_t nt_kernel_stem_count;

/*
 * True when the file name NAME (LEN bytes, any letter case, a path's last part, with or without
 * its extension: "ntoskrnl.exe", "ntkrnlmp.pdb", "ntkrpamp") is one of the kernel's.
 */
bool nt_kernel_file_name(const char *name, size_t len);

#endif
