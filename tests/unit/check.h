/* A tiny unit-test harness: TEST(name) { CHECK(...); } registers itself at load time. */
#ifndef DD_TESTS_CHECK_H
#define DD_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct check_test {
    const char *name;
    void (*fn)(void);
    struct check_test *next;
};

void check_register(struct check_test *t);
void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Directory of the shared corpus ("../shared/corpus" relative to the repo), or NULL if absent. */
const char *check_corpus_dir(void);
/* Directory of the repo's own fixtures (tests/fixtures). */
const char *check_fixtures_dir(void);
/* Marks the current test as skipped with a reason (the test should return). */
void check_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST(tname)                                                                               \
    static void test_##tname(void);                                                               \
    static struct check_test check_entry_##tname = {#tname, test_##tname, NULL};                  \
    __attribute__((constructor)) static void check_reg_##tname(void)                              \
    {                                                                                             \
        check_register(&check_entry_##tname);                                                     \
    }                                                                                             \
    static void test_##tname(void)

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond))                                                                              \
            check_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                   \
    } while (0)

#define CHECK_EQ(a, b)                                                                            \
    do {                                                                                          \
        unsigned long long check_a_ = (unsigned long long)(a);                                    \
        unsigned long long check_b_ = (unsigned long long)(b);                                    \
        if (check_a_ != check_b_)                                                                 \
            check_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, #b, check_a_,        \
                       check_b_);                                                                 \
    } while (0)

#define CHECK_STR(a, b)                                                                           \
    do {                                                                                          \
        const char *check_a_ = (a), *check_b_ = (b);                                              \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0)                            \
            check_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                  \
                       check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");           \
    } while (0)

/* Fails the test when ERR (a struct dd_error *) is not NULL, printing its message. */
#define CHECK_OK(expr)                                                                            \
    do {                                                                                          \
        struct dd_error *check_e_ = (expr);                                                       \
        if (check_e_) {                                                                           \
            check_fail(__FILE__, __LINE__, "%s failed: %s", #expr, check_e_->message);            \
            dd_error_destroy(check_e_);                                                           \
        }                                                                                         \
    } while (0)

#endif
