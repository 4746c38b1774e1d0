/* dd_array_grow: doubling from the first size, no change while there is room, overflow refused. */
#include <stdint.h>
#include <stdlib.h>

#include "base/array.h"
#include "check.h"

TEST(array_grow_doubles)
{
    size_t cap = 0;
    int *a = NULL;
    for (size_t i = 0; i < 100; i++) {
        int *n = dd_array_grow(a, &cap, i, sizeof(*a), 4);
        CHECK(n != NULL);
        if (!n)
            break;
        a = n;
        a[i] = (int)i;
    }
    CHECK_EQ(cap, 128); /* 4, 8, 16, 32, 64, 128 */
    CHECK_EQ(a[99], 99);
    CHECK(dd_array_grow(a, &cap, 100, sizeof(*a), 4) == a); /* room left: unchanged */
    free(a);
}

TEST(array_grow_refuses_overflow)
{
    size_t cap = SIZE_MAX / 2 + 1;
    char c = 0;
    CHECK(dd_array_grow(&c, &cap, cap, 1, 4) == NULL); /* doubling wraps */
    CHECK_EQ(cap, SIZE_MAX / 2 + 1);
    size_t cap2 = 0;
    CHECK(dd_array_grow(NULL, &cap2, 0, SIZE_MAX / 2, 4) == NULL); /* 4 * elem overflows */
    CHECK_EQ(cap2, 0);
}
