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

/* Pass (bugcheck_bucket.c): a kernel verdict's problem_class, bucket and "km:" hash. */
struct dd_error *analyze_bugcheck_bucket(struct session *s, const struct analyze_options *opts,
                                         struct analyze_verdict *v);
/* The passes analyze_run runs for a kernel dump (bugcheck_verdict.c), in order. */
extern const struct analyze_pass analyze_kernel_passes[];
extern const size_t analyze_kernel_passes_count;
/* Writes FAILURE_ID_HASH of BUCKET into ret as analyze_bucket_hash does, after PREFIX ("km:"). */
void analyze_bucket_hash_prefixed(const char *prefix, const char *bucket, char ret[39]);
/* Prints a kernel verdict (V->bugcheck set) as `!analyze [-v]` does (bugcheck_render.c). */
void analyze_render_bugcheck_text(struct session *s, const struct analyze_verdict *v, bool verbose);
/* The verdict's "bugcheck" JSON object (docs/json-schema.md), or NULL when out of memory. */
struct cJSON *analyze_bugcheck_json(const struct analyze_verdict *v, unsigned ptr_size);
/* One STACK_TEXT line as `!analyze -v` prints it (render_text.c). */
void analyze_text_frame(struct session *s, const struct analyze_frame *f);
/* OS_VERSION, BUILDLAB_STR, OSPLATFORM_TYPE and OSNAME lines (render_text.c). */
void analyze_text_os(struct session *s);
/* The .exr body of V's exception, from "ExceptionAddress:" on (render_text.c). */
void analyze_text_exception_record(struct session *s, const struct analyze_verdict *v);
/* dumpdbg's DUMPDBG_* lines (render_text.c). */
void analyze_text_additions(struct session *s, const struct analyze_verdict *v, bool verbose);

/* Prints V as `!analyze -v` (VERBOSE) or `!analyze` does, through s->out. */
void analyze_render_text(struct session *s, const struct analyze_verdict *v, bool verbose);
struct cJSON;
/*
 * Sets ret to V as a JSON tree (docs/json-schema.md; free with cJSON_Delete), for callers that
 * add to the document (the crash report, cmd/json_report.c). Errors only for lack of memory.
 */
struct dd_error *analyze_json_build(struct session *s, const struct analyze_verdict *v,
                                    struct cJSON **ret);
/*
 * Writes V as one JSON document (docs/json-schema.md) to OUT, indented when PRETTY, ending
 * with a newline. Errors only for lack of memory.
 */
struct dd_error *analyze_render_json(struct session *s, const struct analyze_verdict *v,
                                     bool pretty, struct dd_writer *out);

/* Pass (hang_verdict.c): for `!analyze -hang` and dumps without an exception, analyzes the hang
 * (analyze/hang.h) and sets the verdict's hang, bucket, hash and blame. */
struct dd_error *analyze_hang(struct session *s, const struct analyze_options *opts,
                              struct analyze_verdict *v);
/* Pass (pattern.c): runs every named crash pattern (pattern.h) over the verdict. */
struct dd_error *analyze_patterns(struct session *s, const struct analyze_options *opts,
                                  struct analyze_verdict *v);
/* Prints a hang verdict (V->is_hang) as `!analyze [-v] -hang` does and returns true; returns
 * false, printing nothing, for other verdicts (render_patterns.c). */
bool analyze_render_hang_text(struct session *s, const struct analyze_verdict *v, bool verbose);
/* Prints the PATTERNS: section (every pattern with its evidence lines), nothing without
 * patterns (render_patterns.c). */
void analyze_render_patterns_text(struct session *s, const struct analyze_verdict *v);
/* Adds the patterns' evidence lines and the "hang" object to the "analysis" JSON object
 * ANALYSIS (docs/json-schema.md); false when out of memory (render_patterns.c). */
bool analyze_patterns_json(struct session *s, struct cJSON *analysis,
                           const struct analyze_verdict *v);

#endif
