/* dumpdbg: open a Windows crash dump and run WinDbg/cdb commands on it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef DD_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

#include "analyze/status_names.h"
#include "base/writer.h"
#include "cmd/command.h"
#include "cmd/session.h"
#include "sym/sympath.h"
#include "core/target.h"

#define DD_VERSION "0.1.0"

struct options {
    const char *dump;
    const char *commands;
    const char *sympath;
    const char *imagepath;
    const char *logfile;
};

/* Writes to stdout and, with -logo, to the log file too. */
struct tee {
    FILE *log;
};

static void tee_write(void *ctx, const char *data, size_t len)
{
    struct tee *t = ctx;
    fwrite(data, 1, len, stdout);
    if (t->log)
        fwrite(data, 1, len, t->log);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: dumpdbg [-z] DUMP [-c \"cmd; cmd\"] [-y SYMPATH] [-i IMAGEPATH] "
               "[-logo FILE]\n"
               "  -z DUMP     the crash dump to open (a bare DUMP argument works too)\n"
               "  -c CMDS     run these commands (separated by ';') first; 'q' quits\n"
               "  -y SYMPATH  symbol search path\n"
               "  -i PATH     image search path\n"
               "  -logo FILE  also write all output to FILE\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "-z") == 0)
            slot = &o->dump;
        else if (strcmp(a, "-c") == 0)
            slot = &o->commands;
        else if (strcmp(a, "-y") == 0)
            slot = &o->sympath;
        else if (strcmp(a, "-i") == 0)
            slot = &o->imagepath;
        else if (strcmp(a, "-logo") == 0)
            slot = &o->logfile;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-?") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--version") == 0 || strcmp(a, "-version") == 0) {
            printf("dumpdbg %s\n", DD_VERSION);
            exit(0);
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "dumpdbg: unknown option '%s'\n", a);
            usage(stderr);
            return -1;
        } else if (!o->dump) {
            o->dump = a;
            continue;
        } else {
            fprintf(stderr, "dumpdbg: unexpected argument '%s'\n", a);
            usage(stderr);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "dumpdbg: option '%s' needs a value\n", a);
            return -1;
        }
        *slot = argv[++i];
    }
    if (!o->dump) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* What cdb prints after loading: the dump kind, the target, and the stored event. */
static void print_banner(struct session *s, const struct options *o)
{
    struct dd_writer *w = s->out;
    const struct target *t = s->target;
    dd_printf(w, "\ndumpdbg version %s\n\n", DD_VERSION);
    dd_printf(w, "Loading Dump File [%s]\n", o->dump);
    dd_printf(w, "%s\n", t->kind_text ? t->kind_text : "Dump file");
    for (size_t i = 0; i < t->ncomments; i++)
        dd_printf(w, "Comment: '%s'\n", t->comments[i]);
    if (t->sys.is_wine)
        dd_printf(w, "This dump was written under Wine%s%s\n", t->sys.wine_version ? ": " : "",
                  t->sys.wine_version ? t->sys.wine_version : "");
    dd_puts(w, "\n");
    const char *sp = s->syms ? symbols_path_text(s->syms) : "";
    /* cdb's words for an empty symbol path; nothing is looked up until one is set. */
    dd_printf(w, "Symbol search path is: %s\n", *sp ? sp : "*** Invalid ***");
    dd_printf(w, "Executable search path is: %s\n", s->syms ? symbols_image_path_text(s->syms) : "");
    cmd_execute(s, "vertarget");
    if (t->has_exception) {
        const char *text = status_exception_text(t->exception.code);
        dd_puts(w, "This dump file has an exception of interest stored in it.\n");
        dd_puts(w, "The stored exception information can be accessed via .ecxr.\n");
        dd_printf(w, "(%x.%x): %s - code %08x (first/second chance not available)\n",
                  t->proc.has_pid ? t->proc.pid : 0, t->exception.thread_id,
                  text ? text : "Unknown exception", t->exception.code);
    }
}

static void run_command_line(struct session *s, const char *line, bool echo)
{
    if (echo) {
        char prompt[64];
        dd_printf(s->out, "%s%s\n", session_prompt(s, prompt, sizeof(prompt)), line);
    }
    cmd_execute_line(s, line);
    if (s->quit)
        dd_puts(s->out, "quit:\n");
}

/* Reads commands from stdin until EOF or q: a REPL on a terminal, a script otherwise. */
static void read_loop(struct session *s)
{
    bool tty = isatty(STDIN_FILENO);
    char prompt[64];
#ifdef DD_HAVE_LIBEDIT
    if (tty) {
        while (!s->quit) {
            fflush(stdout);
            char *line = readline(session_prompt(s, prompt, sizeof(prompt)));
            if (!line)
                break;
            if (*line)
                add_history(line);
            run_command_line(s, line, false);
            free(line);
        }
        return;
    }
#endif
    char *line = NULL;
    size_t cap = 0;
    while (!s->quit) {
        if (tty) {
            dd_puts(s->out, session_prompt(s, prompt, sizeof(prompt)));
            fflush(stdout);
        }
        ssize_t n = getline(&line, &cap, stdin);
        if (n < 0)
            break;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        run_command_line(s, line, !tty);
    }
    free(line);
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_args(argc, argv, &o) < 0)
        return 1;

    struct tee tee = {NULL};
    if (o.logfile) {
        tee.log = fopen(o.logfile, "w");
        if (!tee.log) {
            fprintf(stderr, "dumpdbg: cannot open log file '%s': %s\n", o.logfile,
                    strerror(errno));
            return 1;
        }
    }
    struct dd_writer out = {tee_write, &tee};

    struct target *t = NULL;
    struct dd_error *err = target_open(o.dump, &t);
    if (err) {
        fprintf(stderr, "dumpdbg: %s: %s\n", o.dump, err->message);
        dd_error_destroy(err);
        if (tee.log)
            fclose(tee.log);
        return 2;
    }

    struct session s;
    session_init(&s, t, &out, o.dump);
    if (s.syms) {
        /* -y wins over the environment (_NT_ALT_SYMBOL_PATH before _NT_SYMBOL_PATH), as in cdb. */
        char *env_path = NULL;
        const char *sympath = o.sympath;
        if (!sympath && !sympath_compose_env(getenv("_NT_SYMBOL_PATH"),
                                             getenv("_NT_ALT_SYMBOL_PATH"), &env_path))
            sympath = env_path;
        struct dd_error *perr = sympath ? symbols_set_path(s.syms, sympath) : NULL;
        if (!perr && o.imagepath)
            perr = symbols_set_image_path(s.syms, o.imagepath);
        else if (!perr && getenv("_NT_EXECUTABLE_IMAGE_PATH"))
            perr = symbols_set_image_path(s.syms, getenv("_NT_EXECUTABLE_IMAGE_PATH"));
        free(env_path);
        if (perr) {
            fprintf(stderr, "dumpdbg: bad path: %s\n", perr->message);
            dd_error_destroy(perr);
        }
    }
    print_banner(&s, &o);
    if (o.commands)
        run_command_line(&s, o.commands, true);
    if (!s.quit)
        read_loop(&s);

    session_deinit(&s);
    target_destroy(t);
    fflush(stdout);
    if (tee.log)
        fclose(tee.log);
    return 0;
}
