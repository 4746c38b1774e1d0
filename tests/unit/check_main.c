/* Runs every registered unit test (or those whose name contains argv[1]). */
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

static struct check_test *check_head;
static int check_current_failed;
static int check_current_skipped;

void check_register(struct check_test *t)
{
    t->next = check_head;
    check_head = t;
}

void check_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    check_current_failed = 1;
}

void check_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  skipped: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    check_current_skipped = 1;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *check_corpus_dir(void)
{
    static char buf[4096];
    const char *env = getenv("DD_CORPUS");
    if (env)
        return is_dir(env) ? env : NULL;
    snprintf(buf, sizeof(buf), "%s/../shared/corpus", DD_SOURCE_ROOT);
    return is_dir(buf) ? buf : NULL;
}

const char *check_fixtures_dir(void)
{
    return DD_SOURCE_ROOT "/tests/fixtures";
}

int main(int argc, char **argv)
{
    /* Registration order is reversed by the constructors; restore file order. */
    struct check_test *rev = NULL;
    while (check_head) {
        struct check_test *n = check_head->next;
        check_head->next = rev;
        rev = check_head;
        check_head = n;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (struct check_test *t = rev; t; t = t->next) {
        if (argc > 1 && !strstr(t->name, argv[1]))
            continue;
        check_current_failed = 0;
        check_current_skipped = 0;
        t->fn();
        if (check_current_failed) {
            printf("FAIL unit/%s\n", t->name);
            failed++;
        } else if (check_current_skipped) {
            printf("skip unit/%s\n", t->name);
            skipped++;
        } else {
            printf("ok   unit/%s\n", t->name);
            passed++;
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
