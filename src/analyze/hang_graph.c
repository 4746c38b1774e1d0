/*
 * The "waits for" graph of a hang: node i (a thread) waits for node next[i] (the owner of what
 * it waits for) or for no node (-1). Each thread waits for at most one thing at a time, so the
 * graph is a functional graph: every path ends at a node that waits for nobody or runs into
 * exactly one cycle (a deadlock). Linear time, no allocation.
 */
#include <limits.h>

#include "analyze/hang.h"

#define DONE LONG_MIN /* visited, on no cycle */

static bool valid(const long *next, size_t n, size_t i)
{
    return next[i] >= 0 && (size_t)next[i] < n;
}

size_t hang_cycles_find(const long *next, size_t n, long *cycle_of)
{
    for (size_t i = 0; i < n; i++)
        cycle_of[i] = -1;
    size_t ncycles = 0;
    for (size_t s = 0; s < n; s++) {
        if (cycle_of[s] != -1)
            continue;
        /* Stamp the path from s until it leaves the graph or meets a visited node. */
        long stamp = -2 - (long)s;
        size_t i = s;
        bool more = true;
        while (more && cycle_of[i] == -1) {
            cycle_of[i] = stamp;
            if (valid(next, n, i))
                i = (size_t)next[i];
            else
                more = false;
        }
        /* Met its own stamp: a new cycle through i. */
        if (more && cycle_of[i] == stamp) {
            long c = (long)ncycles++;
            size_t j = i;
            do {
                cycle_of[j] = c;
                j = (size_t)next[j];
            } while (j != i);
        }
        /* The rest of the path (the tail into the cycle or out of the graph) is on none. */
        for (size_t j = s; cycle_of[j] == stamp;) {
            cycle_of[j] = DONE;
            if (!valid(next, n, j))
                break;
            j = (size_t)next[j];
        }
    }
    for (size_t i = 0; i < n; i++)
        if (cycle_of[i] == DONE)
            cycle_of[i] = -1;
    return ncycles;
}

size_t hang_cycle_members(const long *next, const long *cycle_of, size_t n, long c, size_t *ret)
{
    size_t first = n;
    for (size_t i = 0; i < n && first == n; i++)
        if (cycle_of[i] == c)
            first = i;
    if (first == n)
        return 0;
    size_t count = 0, j = first;
    do {
        ret[count++] = j;
        j = (size_t)next[j];
    } while (j != first && count < n);
    return count;
}

size_t hang_chain_end(const long *next, size_t n, size_t start, size_t *ret_length)
{
    /* Floyd: a cycle on the path is met by the hare; then its first node is found. */
    size_t tortoise = start, hare = start;
    bool cycle = false;
    for (;;) {
        if (!valid(next, n, hare))
            break;
        hare = (size_t)next[hare];
        if (!valid(next, n, hare))
            break;
        hare = (size_t)next[hare];
        tortoise = (size_t)next[tortoise];
        if (hare == tortoise) {
            cycle = true;
            break;
        }
    }
    size_t len = 0, end = start;
    if (cycle) {
        size_t a = start, b = hare;
        while (a != b) {
            a = (size_t)next[a];
            b = (size_t)next[b];
            len++;
        }
        end = a;
    } else {
        while (valid(next, n, end)) {
            end = (size_t)next[end];
            len++;
        }
    }
    *ret_length = len;
    return end;
}
