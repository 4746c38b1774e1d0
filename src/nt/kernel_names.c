#include "nt/kernel_names.h"

#include <string.h>

#include "base/fmt.h"

/* ntkrnlmp (MP), ntoskrnl (UP), ntkrnlpa and ntkrpamp (x86 PAE UP/MP); the image is renamed to
 * ntoskrnl.exe on install, the PDB keeps its build name. */
const char *const nt_kernel_stems[] = {"ntkrnlmp", "ntoskrnl", "ntkrnlpa", "ntkrpamp"};
const size_t nt_kernel_stem_count = sizeof(nt_kernel_stems) / sizeof(nt_kernel_stems[0]);

bool nt_kernel_file_name(const char *name, size_t len)
{
    const char *dot = memchr(name, '.', len);
    size_t stem = dot ? (size_t)(dot - name) : len;
    for (size_t i = 0; i < nt_kernel_stem_count; i++)
        if (strlen(nt_kernel_stems[i]) == stem && dd_strncasecmp(name, nt_kernel_stems[i], stem) == 0)
            return true;
    return false;
}
