/*
 * The triage worker pool: at most `jobs` dumps are analyzed at once, each in a process forked
 * for it (so a dump that crashes the analyzer, hangs or exhausts memory loses only its own
 * record, and nothing one dump allocates outlives it). A worker sends its one-line record
 * through a pipe; the parent reads all pipes with poll(), writes whole lines to the output (never
 * interleaved), and makes an error record for a worker that died, timed out or said nothing.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/writer.h"
#include "cmd/json_doc.h"
#include "triage/triage.h"

/* How often the parent looks at the clock for timeouts while no worker says anything. */
#define TRIAGE_POLL_MS 100
/* Exit status of a worker that could not build its record (out of memory). */
#define TRIAGE_EXIT_NO_MEMORY 3

struct job {
    pid_t pid;            /* 0: not started */
    int fd;               /* read end of the worker's pipe; -1 when closed */
    struct dd_strbuf out; /* what the worker wrote */
    struct timespec start;
    bool timed_out;
    bool finished;
    bool ok;    /* the record's status is "ok" */
    char *line; /* the record to print, with its newline */
};

static double ms_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* An error record for PATH made by the parent: the worker could not give one. */
static char *parent_record(const char *path, const char *code, const char *message, double ms)
{
    struct json_doc doc;
    if (!json_doc_init(&doc, 8))
        return NULL;
    json_add_string(&doc, doc.root, "path", path);
    json_add_string(&doc, doc.root, "status", "error");
    json_add_null(&doc, doc.root, "bucket");
    json_add_null(&doc, doc.root, "hash");
    cJSON *e = json_add_object(&doc, doc.root, "error");
    json_add_string(&doc, e, "code", code);
    json_add_string(&doc, e, "message", message);
    json_add_null(&doc, e, "file_offset");
    json_add_number(&doc, doc.root, "time_ms", (double)(long long)(ms * 1000) / 1000);
    char *text = doc.oom ? NULL : cJSON_PrintUnformatted(doc.root);
    json_doc_deinit(&doc);
    char *line = NULL;
    if (text) {
        size_t len = strlen(text);
        line = malloc(len + 2);
        if (line) {
            memcpy(line, text, len);
            memcpy(line + len, "\n", 2);
        }
    }
    cJSON_free(text);
    return line;
}

/* The worker: analyze PATH, write the record and a newline to FD, and leave without cleanup. */
static void worker_main(const struct triage_options *o, const char *path, int fd)
{
    char *text = NULL;
    bool ok = false;
    struct dd_error *err = triage_record(o, path, &text, &ok);
    if (err)
        _exit(TRIAGE_EXIT_NO_MEMORY);
    size_t len = strlen(text);
    text[len] = '\n'; /* the NUL is not sent: the line ends here */
    for (size_t off = 0; off <= len;) {
        ssize_t n = write(fd, text + off, len + 1 - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(1);
        off += (size_t)n;
    }
    /* _exit: the parent's stdio buffers, copied by fork, must not be flushed twice. */
    _exit(0);
}

static struct dd_error *job_start(const struct triage_options *o, const char *path, FILE *out,
                                  struct job *j)
{
    int p[2];
    if (pipe(p) < 0)
        return dd_error_create(DD_ERR_IO, "cannot create a pipe: %s", strerror(errno));
    fflush(out);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return dd_error_create(DD_ERR_IO, "cannot start a worker: %s", strerror(e));
    }
    if (pid == 0) {
        close(p[0]);
        worker_main(o, path, p[1]);
    }
    close(p[1]);
    j->pid = pid;
    j->fd = p[0];
    clock_gettime(CLOCK_MONOTONIC, &j->start);
    return NULL;
}

/* The worker closed its pipe: reap it and settle the record. */
static void job_finish(const char *path, struct job *j)
{
    close(j->fd);
    j->fd = -1;
    int status = 0;
    while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
        ;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = ms_between(&j->start, &now);
    const struct dd_strbuf *b = &j->out;
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (clean && !b->failed && b->len > 1 && b->data[b->len - 1] == '\n' &&
        memchr(b->data, '\n', b->len) == b->data + b->len - 1) {
        j->line = b->data; /* ownership moves to the job's line */
        j->out.data = NULL;
        j->out.len = j->out.cap = 0;
        j->ok = strstr(j->line, "\"status\":\"ok\"") != NULL;
    } else {
        char msg[160];
        const char *code = "worker_failed";
        if (j->timed_out) {
            code = "timeout";
            snprintf(msg, sizeof(msg),
                     "the analysis took longer than the time limit and was "
                     "stopped");
        } else if (WIFSIGNALED(status)) {
            code = "worker_crashed";
            snprintf(msg, sizeof(msg), "the analysis crashed: signal %d (%s)", WTERMSIG(status),
                     strsignal(WTERMSIG(status)));
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == TRIAGE_EXIT_NO_MEMORY) {
            code = "no_memory";
            snprintf(msg, sizeof(msg), "the analysis ran out of memory");
        } else {
            snprintf(msg, sizeof(msg), "the analysis ended without a record (exit status %d)",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        j->line = parent_record(path, code, msg, ms);
        j->ok = false;
    }
    dd_strbuf_deinit(&j->out);
    j->finished = true;
}

static void job_read(const char *path, struct job *j)
{
    char buf[65536];
    ssize_t n = read(j->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n > 0) {
        dd_strbuf_append(&j->out, buf, (size_t)n);
        return;
    }
    job_finish(path, j);
}

static void emit(FILE *out, struct job *j, struct triage_stats *st)
{
    if (j->line) {
        fputs(j->line, out);
        fflush(out);
    }
    if (j->ok)
        st->analyzed++;
    else
        st->bad++;
    free(j->line);
    j->line = NULL;
}

struct dd_error *triage_run(const struct triage_options *o, char *const *paths, size_t n, FILE *out,
                            struct triage_stats *ret)
{
    struct triage_stats st = {0, 0};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t jobs = o->jobs ? o->jobs : cpus > 0 ? (size_t)cpus : 1;
    struct job *all = calloc(n ? n : 1, sizeof(*all));
    struct pollfd *pfd = calloc(jobs, sizeof(*pfd));
    size_t *which = calloc(jobs, sizeof(*which));
    if (!all || !pfd || !which) {
        free(all);
        free(pfd);
        free(which);
        return &dd_error_no_memory;
    }
    for (size_t i = 0; i < n; i++)
        all[i].fd = -1;
    size_t next = 0, running = 0, emitted = 0;
    struct dd_error *fatal = NULL;
    while (emitted < n && !fatal) {
        while (running < jobs && next < n) {
            struct dd_error *err = job_start(o, paths[next], out, &all[next]);
            if (err && running == 0) {
                /* Not even one worker can start: give up rather than spin. */
                fatal = err;
                break;
            }
            if (err) {
                dd_error_destroy(err); /* retry when a worker has finished */
                break;
            }
            next++;
            running++;
        }
        if (fatal)
            break;
        size_t np = 0;
        for (size_t i = emitted; i < next; i++)
            if (all[i].pid && all[i].fd >= 0) {
                pfd[np].fd = all[i].fd;
                pfd[np].events = POLLIN;
                pfd[np].revents = 0;
                which[np++] = i;
            }
        int r = np ? poll(pfd, np, TRIAGE_POLL_MS) : 0;
        if (r < 0 && errno != EINTR) {
            fatal = dd_error_create(DD_ERR_IO, "poll: %s", strerror(errno));
            break;
        }
        for (size_t k = 0; r > 0 && k < np; k++)
            if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                job_read(paths[which[k]], &all[which[k]]);
                if (all[which[k]].finished)
                    running--;
            }
        if (o->timeout_s) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            for (size_t k = 0; k < np; k++) {
                struct job *j = &all[which[k]];
                if (!j->finished && !j->timed_out &&
                    ms_between(&j->start, &now) > (double)o->timeout_s * 1e3) {
                    kill(j->pid, SIGKILL); /* its pipe closes: job_read settles the record */
                    j->timed_out = true;
                }
            }
        }
        /* Sorted: print the finished prefix; otherwise whatever has finished, in any order. */
        for (size_t i = emitted; i < next; i++) {
            if (!all[i].finished || all[i].pid == 0) {
                if (o->sorted)
                    break;
                continue;
            }
            emit(out, &all[i], &st);
            all[i].pid = 0; /* printed */
            if (i == emitted)
                emitted++;
        }
        while (emitted < next && all[emitted].finished && all[emitted].pid == 0)
            emitted++;
    }
    /* After a fatal error: stop the workers still running and release everything. */
    for (size_t i = 0; i < n; i++) {
        if (all[i].fd >= 0) {
            kill(all[i].pid, SIGKILL);
            close(all[i].fd);
            waitpid(all[i].pid, NULL, 0);
        }
        dd_strbuf_deinit(&all[i].out);
        free(all[i].line);
    }
    free(all);
    free(pfd);
    free(which);
    if (fatal)
        return fatal;
    *ret = st;
    return NULL;
}
