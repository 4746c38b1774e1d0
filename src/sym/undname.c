/* Public entry points of the MSVC name undecorator, and the C-name rules of x86 publics. */
#include "sym/undname.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "sym/undname_internal.h"

static struct dd_error undname_invalid = {
    DD_ERR_FORMAT, "not a valid MSVC decorated name", DD_NO_OFFSET, 0, 1,
};

static struct dd_error *copy_string(const char *s, size_t n, char **ret)
{
    char *r = malloc(n + 1);
    if (!r)
        return &dd_error_no_memory;
    memcpy(r, s, n);
    r[n] = '\0';
    *ret = r;
    return NULL;
}

struct dd_error *undname_demangle(const char *mangled, unsigned flags, char **ret)
{
    if (!mangled)
        return &undname_invalid;
    struct dd_arena arena;
    dd_arena_init(&arena);
    struct und_parser p = {0};
    p.p = mangled;
    p.end = mangled + strlen(mangled);
    p.arena = &arena;
    struct und_node *sym = und_parse_symbol(&p);
    struct und_out out = {0};
    if (!p.error && sym)
        und_print_symbol(&out, sym, (flags & UNDNAME_FULL) ? UND_STYLE_FULL : UND_STYLE_NAME_ONLY);
    dd_arena_deinit(&arena);
    if (p.oom || out.oom) {
        free(out.buf);
        return &dd_error_no_memory;
    }
    if (p.error || !sym || out.overflow || out.len == 0) {
        free(out.buf);
        return &undname_invalid;
    }
    *ret = out.buf;
    return NULL;
}

static struct dd_error *demangle_or_copy(const char *mangled, unsigned flags, char **ret)
{
    struct dd_error *err = undname_demangle(mangled, flags, ret);
    if (err == &undname_invalid)
        return copy_string(mangled ? mangled : "", mangled ? strlen(mangled) : 0, ret);
    return err;
}

struct dd_error *undname_name_only(const char *mangled, char **ret)
{
    return demangle_or_copy(mangled, UNDNAME_NAME_ONLY, ret);
}

struct dd_error *undname_full(const char *mangled, char **ret)
{
    return demangle_or_copy(mangled, UNDNAME_FULL, ret);
}

/* Length of NAME without a trailing @<decimal digits> (stdcall/fastcall argument bytes), or
 * LEN when there is none. */
static size_t strip_arg_bytes(const char *name, size_t len)
{
    size_t i = len;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
        i--;
    if (i == len || i < 2 || name[i - 1] != '@')
        return len;
    return i - 1;
}

struct dd_error *undname_public(const char *name, unsigned flags, char **ret)
{
    if (!name)
        name = "";
    if (name[0] == '?')
        return demangle_or_copy(name, flags & UNDNAME_FULL, ret);
    size_t len = strlen(name);
    if (flags & UNDNAME_X86) {
        /* x86 C decoration (MSVC "Argument Passing and Naming Conventions"): __cdecl _name,
         * __stdcall _name@N, __fastcall @name@N, N = bytes of arguments in decimal. */
        if (name[0] == '_' && len > 1) {
            return copy_string(name + 1, strip_arg_bytes(name + 1, len - 1), ret);
        }
        if (name[0] == '@' && len > 1) {
            size_t n = strip_arg_bytes(name + 1, len - 1);
            if (n != len - 1 && n > 0)
                return copy_string(name + 1, n, ret);
        }
    }
    return copy_string(name, len, ret);
}
