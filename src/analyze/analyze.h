/*
 * `!analyze` in one include: the verdict (verdict.h), the passes that fill it (one file each)
 * and the two renderers. Commands use analyze_run and a renderer; passes are listed in
 * verdict.c's analyze_passes[].
 */
#ifndef DD_ANALYZE_ANALYZE_H
#define DD_ANALYZE_ANALYZE_H

#include <stdbool.h>

#include "analyze/verdict.h"
#include "base/writer.h"

struct session;

/* Pass (blame.c): picks the frame to blame and sets SYMBOL_NAME, MODULE_NAME, IMAGE_NAME. */
struct dd_error *analyze_blame(struct session *s, const struct analyze_options *opts,
                               struct analyze_verdict *v);
/* True when module NAME (as lm shows it, no extension) is a well-known system module. */
bool analyze_module_is_system(const char *name);
/* True when FUNCTION is a thunk or a runtime helper that reports someone else's failure. */
bool analyze_function_is_thunk(const char *function);

/* Pass (bucket.c): sets problem_class, bucket (FAILURE_BUCKET_ID) and hash (FAILURE_ID_HASH). */
struct dd_error *analyze_bucket(struct session *s, const struct analyze_options *opts,
                                struct analyze_verdict *v);
/*
 * Writes FAILURE_ID_HASH for user-mode bucket BUCKET into ret ("{xxxxxxxx-...}", 39 bytes):
 * MD5 of the UTF-16LE, lowercased "um:" + BUCKET, as a GUID (see bucket.c).
 */
void analyze_bucket_hash(const char *bucket, char ret[39]);

/* Pass (cpp_exception.c): for e06d7363, reads the thrown type's name into cpp_exception_type. */
struct dd_error *analyze_cpp_exception(struct session *s, const struct analyze_options *opts,
                                       struct analyze_verdict *v);
/* Pass (stack_overflow.c): for c00000fd, finds the recursing function (recursion). */
struct dd_error *analyze_stack_overflow(struct session *s, const struct analyze_options *opts,
                                        struct analyze_verdict *v);

/* Pass (exploitability.c): sets rating and rating_reason. */
struct dd_error *analyze_exploitability(struct session *s, const struct analyze_options *opts,
                                        struct analyze_verdict *v);

/* Prints V as `!analyze -v` (VERBOSE) or `!analyze` does, through s->out. */
void analyze_render_text(struct session *s, const struct analyze_verdict *v, bool verbose);
/*
 * Writes V as one JSON document (docs/json-schema.md) to OUT, indented when PRETTY, ending
 * with a newline. Errors only for lack of memory.
 */
struct dd_error *analyze_render_json(struct session *s, const struct analyze_verdict *v,
                                     bool pretty, struct dd_writer *out);

#endif
