/*
 * Named crash and hang patterns (the names of Dmitry Vostokov's pattern catalogue, as the
 * issue's seed uses them: NULL Data Pointer, NULL Code Pointer, Invalid Pointer, Stack
 * Overflow, Exception Stack Trace, Blocked Thread, Message Box, Wait Chain, Spiking Thread,
 * Dynamic Memory Corruption).
 *
 * One file per pattern (pattern_*.c), each exporting one detector with the signature below and
 * listed once in pattern.c's table. A detector reads the verdict built so far (exception,
 * stacks, hang report) and the session, and when the dump shows its pattern records it with
 * analyze_verdict_add_pattern (one summary line) and analyze_verdict_add_pattern_line (the
 * evidence: instructions as `u` prints them, frames, addresses), so that a person can check
 * the finding with ordinary commands.
 */
#ifndef DD_ANALYZE_PATTERN_H
#define DD_ANALYZE_PATTERN_H

#include <stdbool.h>

#include "analyze/verdict.h"

struct session;
struct pattern_trace;

/* Adds the pattern it detects to V when the dump shows it. Errors only for lack of memory. */
typedef struct dd_error *(*pattern_detect_fn)(struct session *s, struct analyze_verdict *v);

struct pattern_def {
    const char *name;
    pattern_detect_fn detect;
};

/* The detectors, in the order their findings are listed. */
extern const struct pattern_def pattern_table[];
extern const size_t pattern_table_count;

struct dd_error *pattern_stack_overflow(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_null_data(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_null_code(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_invalid_pointer(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_heap_corruption(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_exception_stack(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_message_box(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_blocked_thread(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_wait_chain(struct session *s, struct analyze_verdict *v);
struct dd_error *pattern_spiking_thread(struct session *s, struct analyze_verdict *v);

/* --- helpers shared by the detectors (pattern.c) ------------------------------------------ */

/* Adds TR's steps to the last pattern as evidence lines ("    <u line>    ; <note>"), then
 * LAST_LINE with LAST_NOTE (the instruction traced from; may be NULL) and TR's origin. */
void pattern_add_trace_lines(struct analyze_verdict *v, const struct pattern_trace *tr,
                             const char *last_line, const char *last_note);
/*
 * Traces the base register of the faulting instruction's memory operand back through the
 * code before it (the seed's `ub`) and adds the chain to the last pattern; when the chain ends
 * at an argument, the caller's code that passed it is read too. False when there is nothing
 * to trace.
 */
bool pattern_add_operand_chain(struct session *s, struct analyze_verdict *v);
/* "~0s (tid 24)" style label for target thread IDX into BUF. */
const char *pattern_thread_label(struct session *s, size_t idx, char *buf, size_t len);

#endif
