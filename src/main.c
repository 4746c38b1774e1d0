/* dumpdbg: open a Windows crash dump and run WinDbg/cdb commands on it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef DD_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

#include "analyze/status_names.h"
#include "base/interrupt.h"
#include "base/writer.h"
#include "cmd/command.h"
#include "cmd/json_cmd.h"
#include "cmd/session.h"
#include "sym/sympath.h"
#include "core/target.h"
#include "triage/triage.h"

#define DD_VERSION "0.1.0"

struct options {
    const char *dump;
    const char *commands;
    const char *sympath;
    const char *imagepath;
    const char *logfile;
    bool json;        /* --json: each command prints one JSON document (cmd/json_cmd.h) */
    bool pretty;      /* --pretty: indent JSON documents */
    bool json_report; /* --json-report: print the crash report and exit */
    bool compact;     /* --compact: the crash report on one line */
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
               "[-logo FILE] [--json [--pretty]]\n"
               "       dumpdbg --json-report DUMP [--compact] [-y SYMPATH] [-i IMAGEPATH]\n"
               "       dumpdbg triage [--sorted] [-j N] [--timeout SEC] [-y SYMPATH] "
               "[-i IMAGEPATH] (DUMP... | --batch DIR)\n"
               "  -z DUMP        the crash dump to open (a bare DUMP argument works too)\n"
               "  -c CMDS        run these commands (separated by ';') first; 'q' quits\n"
               "  -y SYMPATH     symbol search path (default: _NT_ALT_SYMBOL_PATH;_NT_SYMBOL_PATH)\n"
               "  -i PATH        image search path\n"
               "  -logo FILE     also write all output to FILE\n"
               "  --json         each command prints one JSON document, one per line (.json on)\n"
               "  --pretty       indent the JSON documents\n"
               "  --json-report  print the crash report (rust-minidump's JSON fields and more)\n"
               "  triage         analyze many dumps, one JSON line each (docs/json-schema.md);\n"
               "                 exit status 0 when every dump was analyzed, 1 when some could\n"
               "                 not be, 2 for a usage error\n");
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
        else if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        } else if (strcmp(a, "--pretty") == 0) {
            o->pretty = true;
            continue;
        } else if (strcmp(a, "--json-report") == 0) {
            o->json_report = true;
            continue;
        } else if (strcmp(a, "--compact") == 0) {
            o->compact = true;
            continue;
        }
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
    /* JSON mode keeps standard output a stream of documents: no prompts echoed, no "quit:". */
    if (echo && !s->json) {
        char prompt[64];
        dd_printf(s->out, "%s%s\n", session_prompt(s, prompt, sizeof(prompt)), line);
    }
    cmd_execute_line(s, line);
    if (s->quit && !s->json)
        dd_puts(s->out, "quit:\n");
}

static void on_interrupt(int sig)
{
    (void)sig;
    dd_interrupt_request();
}

/*
 * Ctrl-C at a terminal stops the running command (a long d* or u) and the rest of its line, as
 * Ctrl+Break does in cdb, instead of ending the session. SA_RESTART keeps the prompt's read going.
 */
static void catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* Reads commands from stdin until EOF or q: a REPL on a terminal, a script otherwise. */
static void read_loop(struct session *s)
{
    bool tty = isatty(STDIN_FILENO);
    char prompt[64];
    if (tty)
        catch_interrupts();
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

/*
 * The symbol path to use: -y wins over the environment (_NT_ALT_SYMBOL_PATH before
 * _NT_SYMBOL_PATH), as in cdb. Sets *owned to what must be freed.
 */
static const char *choose_sympath(const char *opt, char **owned)
{
    *owned = NULL;
    if (opt)
        return opt;
    if (sympath_compose_env(getenv("_NT_SYMBOL_PATH"), getenv("_NT_ALT_SYMBOL_PATH"), owned))
        return NULL;
    return *owned;
}

static const char *choose_imagepath(const char *opt)
{
    return opt ? opt : getenv("_NT_EXECUTABLE_IMAGE_PATH");
}

/* Sets the session's symbol and image paths; a bad path is reported and left out. */
static void session_paths(struct session *s, const char *sympath_opt, const char *imagepath_opt)
{
    if (!s->syms)
        return;
    char *env_path;
    const char *sympath = choose_sympath(sympath_opt, &env_path);
    const char *imagepath = choose_imagepath(imagepath_opt);
    struct dd_error *perr = sympath ? symbols_set_path(s->syms, sympath) : NULL;
    if (!perr && imagepath)
        perr = symbols_set_image_path(s->syms, imagepath);
    free(env_path);
    if (perr) {
        fprintf(stderr, "dumpdbg: bad path: %s\n", perr->message);
        dd_error_destroy(perr);
    }
}

/* A JSON error document on standard output for a dump that cannot be opened (JSON modes). */
static void print_open_error(const char *status, const struct dd_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *e = root ? cJSON_AddObjectToObject(root, "error") : NULL;
    if (e && cJSON_AddStringToObject(root, "status", status) &&
        cJSON_AddStringToObject(e, "message", err->message)) {
        char *text = cJSON_PrintUnformatted(root);
        if (text)
            printf("%s\n", text);
        cJSON_free(text);
    }
    cJSON_Delete(root);
}

/*
 * dumpdbg triage [--sorted] [-j N] [--timeout SEC] [-y SYMPATH] [-i IMAGEPATH]
 *                (DUMP... | --batch DIR...): one JSON record line per dump (src/triage/).
 * Exit status: 0 when every dump was analyzed, 1 when some got an error record, 2 for a usage
 * error or when the workers could not run.
 */
static int triage_main(int argc, char **argv)
{
    struct triage_options o;
    memset(&o, 0, sizeof(o));
    o.timeout_s = 300;
    const char *sympath_opt = NULL, *imagepath_opt = NULL;
    char **paths = NULL;
    size_t n = 0, cap = 0;
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool needs_value = strcmp(a, "-j") == 0 || strcmp(a, "--timeout") == 0 ||
                           strcmp(a, "-y") == 0 || strcmp(a, "-i") == 0 ||
                           strcmp(a, "--batch") == 0;
        if (needs_value && i + 1 >= argc) {
            fprintf(stderr, "dumpdbg triage: option '%s' needs a value\n", a);
            goto out;
        }
        char **found = NULL;
        size_t nfound = 0;
        if (strcmp(a, "--sorted") == 0) {
            o.sorted = true;
            continue;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--timeout") == 0) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v > 100000) {
                fprintf(stderr, "dumpdbg triage: bad number '%s'\n", argv[i]);
                goto out;
            }
            if (a[1] == 'j')
                o.jobs = (unsigned)v;
            else
                o.timeout_s = (unsigned)v;
            continue;
        } else if (strcmp(a, "-y") == 0) {
            sympath_opt = argv[++i];
            continue;
        } else if (strcmp(a, "-i") == 0) {
            imagepath_opt = argv[++i];
            continue;
        } else if (strcmp(a, "--batch") == 0) {
            struct dd_error *err = triage_collect(argv[++i], &found, &nfound);
            if (err) {
                fprintf(stderr, "dumpdbg triage: %s\n", err->message);
                dd_error_destroy(err);
                goto out;
            }
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "dumpdbg triage: unknown option '%s'\n", a);
            goto out;
        } else {
            found = malloc(sizeof(*found));
            if (found && (found[0] = strdup(a)) != NULL)
                nfound = 1;
            else if (found) {
                free(found);
                found = NULL;
            }
            if (!found) {
                fprintf(stderr, "dumpdbg triage: out of memory\n");
                goto out;
            }
        }
        if (n + nfound > cap) {
            size_t ncap = (n + nfound) * 2;
            char **p = realloc(paths, ncap * sizeof(*p));
            if (!p) {
                triage_paths_free(found, nfound);
                fprintf(stderr, "dumpdbg triage: out of memory\n");
                goto out;
            }
            paths = p;
            cap = ncap;
        }
        memcpy(paths + n, found, nfound * sizeof(*found));
        n += nfound;
        free(found);
    }
    if (n == 0) {
        fprintf(stderr, "dumpdbg triage: no dumps to analyze\n");
        rc = argc > 1 ? 0 : 2;
        if (rc)
            usage(stderr);
        goto out;
    }
    char *env_path;
    o.sympath = choose_sympath(sympath_opt, &env_path);
    o.imagepath = choose_imagepath(imagepath_opt);
    struct sympath *check = NULL;
    struct dd_error *err = o.sympath ? sympath_parse(o.sympath, &check) : NULL;
    sympath_destroy(check);
    if (err) {
        fprintf(stderr, "dumpdbg triage: bad symbol path: %s\n", err->message);
        dd_error_destroy(err);
        free(env_path);
        goto out;
    }
    struct triage_stats st;
    err = triage_run(&o, paths, n, stdout, &st);
    free(env_path);
    if (err) {
        fprintf(stderr, "dumpdbg triage: %s\n", err->message);
        dd_error_destroy(err);
        goto out;
    }
    rc = st.bad ? 1 : 0;
out:
    triage_paths_free(paths, n);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "triage") == 0)
        return triage_main(argc - 1, argv + 1);
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
        if (o.json_report || o.json)
            print_open_error(o.json_report ? "ERROR_MINIDUMP_READ" : "error", err);
        dd_error_destroy(err);
        if (tee.log)
            fclose(tee.log);
        return 2;
    }

    struct session s;
    session_init(&s, t, &out, o.dump);
    session_paths(&s, o.sympath, o.imagepath);
    if (o.json_report) {
        err = json_report_write(&s, NULL, !o.compact, &out);
        if (err) {
            fprintf(stderr, "dumpdbg: %s\n", err->message);
            dd_error_destroy(err);
        }
    } else {
        if (o.json)
            s.json = o.pretty ? JSON_MODE_PRETTY : JSON_MODE_LINES;
        else
            print_banner(&s, &o);
        if (o.commands)
            run_command_line(&s, o.commands, true);
        if (!s.quit)
            read_loop(&s);
    }

    session_deinit(&s);
    target_destroy(t);
    fflush(stdout);
    if (tee.log)
        fclose(tee.log);
    return 0;
}
