#include "unwind/x86_common.h"

size_t unwind_x86_modrm_length(const uint8_t *p, size_t avail)
{
    uint8_t mod = p[0] >> 6, rm = p[0] & 7;
    size_t len = 1;
    if (mod == 3)
        return len;
    if (rm == 4) { /* SIB follows */
        if (avail < 2)
            return 0;
        len++;
        if (mod == 0 && (p[1] & 7) == 5)
            len += 4; /* SIB with no base: disp32 */
    } else if (mod == 0 && rm == 5) {
        len += 4; /* [disp32], or [rip+disp32] in 64-bit mode */
    }
    if (mod == 1)
        len += 1;
    else if (mod == 2)
        len += 4;
    return len;
}
