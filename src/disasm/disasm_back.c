/*
 * `ub`'s backward search in linear time. Going backwards through variable-length x86 code has no
 * single answer: every byte in the COUNT*15 bytes before END may start an instruction. The
 * quadratic way decodes forward from each candidate start to END. Here every candidate start is
 * decoded once (its length only) from one read of the window; next[o] links each start to the
 * one after its instruction, and a pass from END backwards gives, for each start, how many
 * valid instructions lead from it exactly to END. The choice is disasm_find_back's: the longest
 * chain, the farthest start among equals, then its last COUNT instructions.
 */
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "disasm/x86_disasm.h"

struct dd_error *disasm_find_back_linear(const struct disasm_ctx *c, uint64_t end, unsigned count,
                                         uint64_t *ret)
{
    if (c->cpu != DD_CPU_X86 && c->cpu != DD_CPU_X64)
        return disasm_find_back(c, end, count, ret);
    if (count == 0) {
        *ret = end;
        return NULL;
    }
    uint64_t span64 = (uint64_t)count * DISASM_MAX_BYTES;
    if (span64 > end)
        span64 = end;
    size_t span = (size_t)span64;
    if (span == 0) {
        *ret = end;
        return NULL;
    }
    uint64_t base = end - span;
    uint8_t *bytes = malloc(span);
    bool *ok = malloc(span * sizeof(*ok));
    uint32_t *chain = malloc((span + 1) * sizeof(*chain)); /* instructions from o to END */
    uint32_t *next = malloc(span * sizeof(*next));
    if (!bytes || !ok || !chain || !next) {
        free(bytes);
        free(ok);
        free(chain);
        free(next);
        return &dd_error_no_memory;
    }
    target_read_marked(c->target, base, bytes, ok, span);
    unsigned bits = c->cpu == DD_CPU_X64 ? 64 : 32;
    /* readable[o]: how many bytes from o on are in the dump (an instruction needs all of its). */
    size_t readable = 0;
    chain[span] = 0;
    for (size_t o = span; o-- > 0;) {
        readable = ok[o] ? readable + 1 : 0;
        chain[o] = 0;
        next[o] = 0;
        size_t avail = readable < DISASM_MAX_BYTES ? readable : DISASM_MAX_BYTES;
        unsigned len = avail ? x86_disasm_length(bits, bytes + o, avail) : 0;
        if (len == 0 || o + len > span)
            continue; /* invalid, not in the dump, or past END: no chain from here */
        next[o] = (uint32_t)(o + len);
        if (o + len == span)
            chain[o] = 1;
        else if (chain[o + len])
            chain[o] = chain[o + len] + 1;
    }
    size_t best = 0;
    uint32_t best_n = 0;
    for (size_t o = 0; o < span; o++) {
        if (chain[o] > best_n) {
            best_n = chain[o];
            best = o;
        }
    }
    if (best_n == 0) {
        *ret = end >= count ? end - count : 0;
    } else {
        size_t o = best;
        for (uint32_t i = 0; best_n > count && i < best_n - count; i++)
            o = next[o];
        *ret = base + o;
    }
    free(bytes);
    free(ok);
    free(chain);
    free(next);
    return NULL;
}
