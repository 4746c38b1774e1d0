/*
 * JSON mode (cmd/json_cmd.c): each command's document, parsed back with cJSON and checked
 * against independent facts:
 * - the repo fixture crash_null_write.dmp: tests/fixtures/dumps/crash_null_write.expect (what the
 *   fixture program printed about itself at run time, and the dump's documented MINIDUMP fields
 *   read by gen/mdmp_facts.py): call chain, return addresses, thread ids, modules, exception;
 * - the corpus's minidump2.dmp: Breakpad's goldens minidump2.dump.out (minidump_dump: thread ids,
 *   module bases and sizes, exception record) and minidump2.stackwalk.out (minidump_stackwalk
 *   with test_app.sym: the crashing stack's functions and lines);
 * - !error's names: Microsoft's published values (ERROR_FILE_NOT_FOUND is 2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "cmd/command.h"
#include "cmd/json_cmd.h"
#include "cmd/session.h"
#include "sym/symbols.h"

struct jrun {
    struct target *t;
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
    bool open;
};

/* Opens DUMP with symbol path SYMPATH (may be NULL) in JSON mode; false (test failed) if not. */
static bool jrun_open(struct jrun *r, const char *dump, const char *sympath)
{
    memset(r, 0, sizeof(*r));
    struct dd_error *err = target_open(dump, &r->t);
    if (err) {
        check_fail(__FILE__, __LINE__, "%s: %s", dump, err->message);
        dd_error_destroy(err);
        return false;
    }
    r->w = dd_writer_strbuf(&r->out);
    session_init(&r->s, r->t, &r->w, dump);
    if (sympath && r->s.syms) {
        CHECK_OK(symbols_set_path(r->s.syms, sympath));
        CHECK_OK(symbols_set_image_path(r->s.syms, sympath));
    }
    r->s.json = JSON_MODE_LINES;
    r->open = true;
    return true;
}

static void jrun_close(struct jrun *r)
{
    if (!r->open)
        return;
    session_deinit(&r->s);
    target_destroy(r->t);
    dd_strbuf_deinit(&r->out);
}

/* Runs CMD and parses its one-line document (NULL, after failing the test, when it is not). */
static cJSON *jrun_cmd(struct jrun *r, const char *cmd)
{
    dd_strbuf_reset(&r->out);
    cmd_execute_line(&r->s, cmd);
    const char *text = r->out.data ? r->out.data : "";
    const char *nl = strchr(text, '\n');
    if (!nl || nl[1] != '\0') {
        check_fail(__FILE__, __LINE__, "'%s': not one line: %.300s", cmd, text);
        return NULL;
    }
    cJSON *doc = cJSON_Parse(text);
    if (!doc) {
        check_fail(__FILE__, __LINE__, "'%s': not JSON: %.300s", cmd, text);
        return NULL;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "command");
    if (!cJSON_IsString(c) || strcmp(c->valuestring, cmd) != 0)
        check_fail(__FILE__, __LINE__, "'%s': the document's command is wrong", cmd);
    return doc;
}

/* The item at a path of object keys and array indexes ("frames", "0", "function"). */
static const cJSON *at(const cJSON *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    char *save = NULL;
    for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save)) {
        if (cJSON_IsArray(o))
            o = cJSON_GetArrayItem(o, atoi(k));
        else
            o = cJSON_GetObjectItemCaseSensitive(o, k);
    }
    return o;
}

static const char *str_at(const cJSON *o, const char *path)
{
    const cJSON *x = at(o, path);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static unsigned long long hex_at(const cJSON *o, const char *path)
{
    const char *s = str_at(o, path);
    return s ? strtoull(s, NULL, 16) : ~0ull;
}

static double num_at(const cJSON *o, const char *path)
{
    const cJSON *x = at(o, path);
    return cJSON_IsNumber(x) ? x->valuedouble : -1;
}

/* The value of KEY in a fixture's .expect file ("key: value" lines), or false when absent. */
static bool expect_get(const char *name, const char *key, char *buf, size_t len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/dumps/%s.expect", check_fixtures_dir(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[2048];
    size_t klen = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':' && line[klen + 1] == ' ') {
            snprintf(buf, len, "%s", line + klen + 2);
            buf[strcspn(buf, "\r\n")] = '\0';
            found = true;
        }
    }
    fclose(f);
    return found;
}

static unsigned long long expect_hex(const char *name, const char *key)
{
    char buf[256];
    if (!expect_get(name, key, buf, sizeof(buf))) {
        check_fail(__FILE__, __LINE__, "%s.expect has no %s", name, key);
        return 0;
    }
    return strtoull(buf, NULL, 16);
}

static unsigned long long expect_dec(const char *name, const char *key)
{
    char buf[256];
    if (!expect_get(name, key, buf, sizeof(buf))) {
        check_fail(__FILE__, __LINE__, "%s.expect has no %s", name, key);
        return 0;
    }
    return strtoull(buf, NULL, 10);
}

#define NW "crash_null_write"

TEST(json_fixture_stack)
{
    char dump[1024], syms[1024], chain[256];
    snprintf(dump, sizeof(dump), "%s/dumps/" NW ".dmp", check_fixtures_dir());
    snprintf(syms, sizeof(syms), "%s/dumps", check_fixtures_dir());
    struct jrun r;
    if (!jrun_open(&r, dump, syms))
        return;
    cJSON *k = jrun_cmd(&r, "k");
    if (k) {
        /* call_chain: crash_here level_two level_one main (the program's own source). */
        CHECK(expect_get(NW, "call_chain", chain, sizeof(chain)));
        char *save = NULL;
        int i = 0;
        for (char *fn = strtok_r(chain, " ", &save); fn; fn = strtok_r(NULL, " ", &save), i++) {
            char path[64];
            snprintf(path, sizeof(path), "frames.%d.function", i);
            CHECK_STR(str_at(k, path), fn);
            snprintf(path, sizeof(path), "frames.%d.module", i);
            CHECK_STR(str_at(k, path), NW ".exe");
        }
        CHECK(num_at(k, "frame_count") >= 4);
        CHECK_EQ(hex_at(k, "frames.0.offset"), expect_hex(NW, "exception_address"));
        CHECK_EQ(hex_at(k, "frames.0.child_sp"), expect_hex(NW, "exception_context_rsp"));
        CHECK_STR(str_at(k, "frames.0.trust"), "context");
        CHECK_STR(str_at(k, "frames.0.found_by"), "context");
        CHECK_EQ(hex_at(k, "frames.0.function_offset"),
                 expect_hex(NW, "exception_offset_in_fault_function"));
        CHECK_EQ(hex_at(k, "frames.0.module_offset"),
                 expect_hex(NW, "exception_address") - expect_hex(NW, "image_base"));
        /* Each caller's instruction pointer is the return address the program printed. */
        CHECK_EQ(hex_at(k, "frames.0.return_address"),
                 expect_hex(NW, "return_into_level_two_address"));
        CHECK_EQ(hex_at(k, "frames.1.instruction_pointer"),
                 expect_hex(NW, "return_into_level_two_address"));
        CHECK_EQ(hex_at(k, "frames.1.offset"), expect_hex(NW, "return_into_level_two_address") - 1);
        CHECK_EQ(hex_at(k, "frames.2.instruction_pointer"),
                 expect_hex(NW, "return_into_level_one_address"));
        CHECK_EQ(hex_at(k, "frames.3.instruction_pointer"),
                 expect_hex(NW, "return_into_main_address"));
        CHECK(strcmp(str_at(k, "frames.1.trust") ? str_at(k, "frames.1.trust") : "", "context"));
        CHECK_STR(str_at(k, "context"), "thread");
        CHECK_EQ(num_at(k, "thread_id"), expect_dec(NW, "faulting_tid"));
        cJSON_Delete(k);
    }
    cJSON *kb = jrun_cmd(&r, "kb 2");
    if (kb) {
        CHECK_EQ(num_at(kb, "frame_count"), 2);
        CHECK(cJSON_IsArray(at(kb, "frames.0.args")));
        cJSON_Delete(kb);
    }
    cJSON *all = jrun_cmd(&r, "~*k");
    if (all) {
        /* thread_ids: 36 228, the order of the dump's thread list. */
        CHECK_EQ(cJSON_GetArraySize(at(all, "threads")), expect_dec(NW, "thread_count"));
        CHECK_EQ(num_at(all, "threads.0.thread_id"), expect_dec(NW, "main_tid"));
        CHECK_EQ(num_at(all, "threads.1.thread_id"), expect_dec(NW, "worker_tid"));
        CHECK(num_at(all, "threads.1.frame_count") >= 1);
        cJSON_Delete(all);
    }
    jrun_close(&r);
}

TEST(json_fixture_target_commands)
{
    char dump[1024], syms[1024], buf[512];
    snprintf(dump, sizeof(dump), "%s/dumps/" NW ".dmp", check_fixtures_dir());
    snprintf(syms, sizeof(syms), "%s/dumps", check_fixtures_dir());
    struct jrun r;
    if (!jrun_open(&r, dump, syms))
        return;
    cJSON *d = jrun_cmd(&r, "r");
    if (d) {
        CHECK_EQ(hex_at(d, "registers.rip"), expect_hex(NW, "faulting_thread_list_context_rip"));
        CHECK_STR(str_at(d, "machine"), "x64");
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "r rip, eax");
    if (d) {
        CHECK_EQ(hex_at(d, "registers.rip"), expect_hex(NW, "faulting_thread_list_context_rip"));
        CHECK(str_at(d, "registers.eax") && strlen(str_at(d, "registers.eax")) == 10);
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "~");
    if (d) {
        CHECK_EQ(cJSON_GetArraySize(at(d, "threads")), expect_dec(NW, "thread_count"));
        CHECK_EQ(num_at(d, "threads.0.thread_id"), expect_dec(NW, "main_tid"));
        CHECK_EQ(num_at(d, "threads.1.thread_id"), expect_dec(NW, "worker_tid"));
        CHECK(cJSON_IsTrue(at(d, "threads.0.current")));
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "lm");
    if (d) {
        /* modules: the dump's module list, by file name; the image's base and SizeOfImage. */
        CHECK(expect_get(NW, "modules", buf, sizeof(buf)));
        CHECK_EQ(cJSON_GetArraySize(at(d, "modules")), expect_dec(NW, "module_count"));
        char *save = NULL;
        for (char *m = strtok_r(buf, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
            bool found = false;
            const cJSON *e;
            cJSON_ArrayForEach(e, at(d, "modules"))
            {
                const char *f = str_at(e, "filename");
                if (f && strcasecmp(f, m) == 0) {
                    found = true;
                    if (strcmp(m, NW ".exe") == 0) {
                        CHECK_EQ(hex_at(e, "base_addr"), expect_hex(NW, "image_base"));
                        CHECK_EQ(hex_at(e, "end_addr"),
                                 expect_hex(NW, "image_base") + expect_hex(NW, "image_size"));
                    }
                }
            }
            if (!found)
                check_fail(__FILE__, __LINE__, "lm lacks module %s", m);
        }
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "lm m " NW);
    if (d) {
        CHECK_EQ(cJSON_GetArraySize(at(d, "modules")), 1);
        CHECK_STR(str_at(d, "modules.0.name"), NW);
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "vertarget");
    if (d) {
        CHECK(expect_get(NW, "os_version", buf, sizeof(buf)));
        const char *os = str_at(d, "system_info.os_ver");
        CHECK(os && strncmp(os, buf, strlen(buf)) == 0);
        CHECK_STR(str_at(d, "system_info.cpu_arch"), "amd64"); /* arch: x64 */
        CHECK_STR(str_at(d, "system_info.os"), "Windows NT");
        CHECK_EQ(num_at(d, "process.pid"), expect_dec(NW, "pid"));
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, ".exr -1");
    if (d) {
        CHECK_EQ(hex_at(d, "exception.code"), expect_hex(NW, "exception_code"));
        CHECK_EQ(hex_at(d, "exception.address"), expect_hex(NW, "exception_address"));
        CHECK_EQ(num_at(d, "exception.num_params"), expect_dec(NW, "exception_parameter_count"));
        CHECK(expect_get(NW, "exception_access", buf, sizeof(buf)));
        CHECK_STR(str_at(d, "exception.access"), buf);
        CHECK_EQ(hex_at(d, "exception.data_address"), expect_hex(NW, "exception_data_address"));
        CHECK_EQ(num_at(d, "thread_id"), expect_dec(NW, "faulting_tid"));
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "!error 2");
    if (d) {
        CHECK_STR(str_at(d, "source"), "win32");
        CHECK_STR(str_at(d, "name"), "ERROR_FILE_NOT_FOUND");
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "? 1+2");
    if (d) {
        CHECK_EQ(hex_at(d, "value"), 3);
        CHECK_STR(str_at(d, "signed"), "3");
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "? 0-1");
    if (d) {
        CHECK_STR(str_at(d, "signed"), "-1");
        CHECK_STR(str_at(d, "unsigned"), "18446744073709551615");
        cJSON_Delete(d);
    }
    jrun_close(&r);
}

TEST(json_errors_and_mode_switch)
{
    char dump[1024];
    snprintf(dump, sizeof(dump), "%s/dumps/" NW ".dmp", check_fixtures_dir());
    struct jrun r;
    if (!jrun_open(&r, dump, NULL))
        return;
    /* A command without a JSON form runs as text: the document says so and carries the text. */
    cJSON *d = jrun_cmd(&r, "db 0 l4");
    if (d) {
        CHECK_STR(str_at(d, "error.code"), "no_json_form");
        CHECK(str_at(d, "text") && strstr(str_at(d, "text"), "??"));
        cJSON_Delete(d);
    }
    /* A failing command: the error with WinDbg's words. */
    d = jrun_cmd(&r, ".exr 0");
    if (d) {
        CHECK_STR(str_at(d, "error.code"), "memory");
        CHECK(str_at(d, "error.text") && strstr(str_at(d, "error.text"), "Memory read error"));
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "r nosuchreg");
    if (d) {
        CHECK_STR(str_at(d, "error.code"), "syntax");
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "~9");
    if (d) {
        CHECK_STR(str_at(d, "error.code"), "not_found");
        cJSON_Delete(d);
    }
    /* ~1s switches thread in JSON mode too, and answers with the new thread's registers. */
    d = jrun_cmd(&r, "~1s");
    if (d) {
        CHECK_EQ(num_at(d, "current_thread"), 1);
        CHECK(at(d, "registers.rip") != NULL);
        cJSON_Delete(d);
    }
    CHECK_EQ(r.s.cur_thread, 1);
    /* q prints nothing; .json off goes back to text. */
    dd_strbuf_reset(&r.out);
    cmd_execute_line(&r.s, "q");
    CHECK(r.out.len == 0);
    CHECK(r.s.quit);
    r.s.quit = false;
    d = jrun_cmd(&r, ".json off");
    if (d) {
        CHECK_STR(str_at(d, "json"), "off");
        cJSON_Delete(d);
    }
    dd_strbuf_reset(&r.out);
    cmd_execute_line(&r.s, "? 1");
    CHECK(r.out.data && strncmp(r.out.data, "Evaluate expression: 1 = ", 25) == 0);
    cmd_execute_line(&r.s, ".json on");
    CHECK_EQ(r.s.json, JSON_MODE_LINES);
    jrun_close(&r);
}

/* minidump2.dmp against Breakpad's goldens (minidump2.dump.out, minidump2.stackwalk.out). */
TEST(json_minidump2_breakpad_goldens)
{
    const char *corpus = check_corpus_dir();
    if (!corpus) {
        check_skip("shared corpus not found");
        return;
    }
    char dump[1024], syms[1024];
    snprintf(dump, sizeof(dump), "%s/user/google-breakpad/minidump2.dmp", corpus);
    snprintf(syms, sizeof(syms), "%s/user/google-breakpad/symbols", corpus);
    struct jrun r;
    if (!jrun_open(&r, dump, syms))
        return;
    cJSON *d = jrun_cmd(&r, "~");
    if (d) {
        CHECK_EQ(num_at(d, "threads.0.thread_id"), 0xbf4); /* thread_id = 0xbf4 */
        CHECK_EQ(num_at(d, "threads.1.thread_id"), 0x11c0);
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "lm");
    if (d) {
        CHECK_EQ(cJSON_GetArraySize(at(d, "modules")), 13); /* module_count = 13 */
        CHECK_EQ(hex_at(d, "modules.0.base_addr"), 0x400000);
        CHECK_EQ(hex_at(d, "modules.0.end_addr"), 0x400000 + 0x2d000);
        CHECK_STR(str_at(d, "modules.0.image_path"), "c:\\test_app.exe");
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, ".exr -1");
    if (d) {
        CHECK_EQ(hex_at(d, "exception.code"), 0xc0000005);
        CHECK_EQ(hex_at(d, "exception.address"), 0x40429e);
        CHECK_EQ(hex_at(d, "exception.parameters.1"), 0x45);
        CHECK_STR(str_at(d, "exception.access"), "write"); /* exception_information[0] = 0x1 */
        cJSON_Delete(d);
    }
    d = jrun_cmd(&r, "vertarget");
    if (d) {
        CHECK_STR(str_at(d, "system_info.os_ver"), "5.1.2600 Service Pack 2");
        CHECK_STR(str_at(d, "system_info.cpu_info"), "GenuineIntel family 6 model 13 stepping 8");
        CHECK_EQ(num_at(d, "system_info.cpu_count"), 1);
        cJSON_Delete(d);
    }
    /* minidump_stackwalk's crashing stack: CrashFunction, main, __tmainCRTStartup, kernel32. */
    cmd_execute_line(&r.s, ".json off");
    cmd_execute_line(&r.s, ".ecxr");
    cmd_execute_line(&r.s, ".json on");
    d = jrun_cmd(&r, "k");
    if (d) {
        CHECK_STR(str_at(d, "context"), "override");
        CHECK_STR(str_at(d, "frames.0.function"), "`anonymous namespace'::CrashFunction");
        CHECK_EQ(num_at(d, "frames.0.line"), 58);
        CHECK_STR(str_at(d, "frames.1.function"), "main");
        CHECK_EQ(num_at(d, "frames.1.line"), 65);
        CHECK_EQ(hex_at(d, "frames.1.instruction_pointer"), 0x404200);
        CHECK_STR(str_at(d, "frames.2.function"), "__tmainCRTStartup");
        CHECK_EQ(num_at(d, "frames.2.line"), 327);
        CHECK_STR(str_at(d, "frames.3.module"), "kernel32.dll");
        CHECK_STR(str_at(d, "frames.3.function"), "BaseProcessStart");
        CHECK_EQ(hex_at(d, "frames.3.instruction_pointer"), 0x7c816fd7);
        CHECK_STR(str_at(d, "frames.1.trust"), "cfi"); /* "Found by: call frame info" */
        cJSON_Delete(d);
    }
    jrun_close(&r);
}

/* Strings from a dump are not trusted to be UTF-8: bad bytes become U+FFFD (RFC 3629 rules). */
TEST(json_doc_strings_and_numbers)
{
    struct json_doc doc;
    CHECK(json_doc_init(&doc, 4));
    json_add_string(&doc, doc.root, "ok", "caf\xc3\xa9 \xe4\xb8\xad");
    json_add_string(&doc, doc.root, "bad",
                    "a\xff"
                    "b\xc0\xaf"
                    "c\xed\xa0\x80"
                    "d\xe4\xb8");
    json_add_string(&doc, doc.root, "null", NULL);
    json_add_u64(&doc, doc.root, "small", 12345);
    json_add_u64(&doc, doc.root, "big", 0xffffffffffffffffull);
    json_add_addr(&doc, doc.root, "addr", 0x45);
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    CHECK_OK(json_doc_write(&doc, false, &w));
    json_doc_deinit(&doc);
    cJSON *d = sb.data ? cJSON_Parse(sb.data) : NULL;
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(str_at(d, "ok"), "caf\xc3\xa9 \xe4\xb8\xad");
        /* 0xff; an overlong '/' (2 bytes); a UTF-16 surrogate (3 bytes); a cut sequence (2). */
        CHECK_STR(str_at(d, "bad"), "a\xef\xbf\xbd"
                                    "b\xef\xbf\xbd\xef\xbf\xbd"
                                    "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                    "d\xef\xbf\xbd\xef\xbf\xbd");
        CHECK(cJSON_IsNull(at(d, "null")));
        CHECK_EQ(num_at(d, "small"), 12345);
        CHECK_STR(str_at(d, "big"), "18446744073709551615");
        CHECK_STR(str_at(d, "addr"), "0x00000045");
        cJSON_Delete(d);
    }
    dd_strbuf_deinit(&sb);
}
