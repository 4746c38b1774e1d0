/* MSVC name undecorator: a table of real and hand-written decorated names checked against
 * llvm-undname (undname_expect.inc, made by gen_undname_table.py), the x86 C-name rules of
 * publics, and hostile inputs that must come back unchanged without crashing. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sym/undname.h"

struct undname_case {
    const char *mangled;
    const char *full;
    const char *name_only;
};

static const struct undname_case undname_cases[] = {
#include "undname_expect.inc"
};

#define N_CASES (sizeof(undname_cases) / sizeof(undname_cases[0]))

static char *full_of(const char *s)
{
    char *r = NULL;
    CHECK_OK(undname_full(s, &r));
    return r;
}

static char *name_of(const char *s)
{
    char *r = NULL;
    CHECK_OK(undname_name_only(s, &r));
    return r;
}

static char *public_of(const char *s, unsigned flags)
{
    char *r = NULL;
    CHECK_OK(undname_public(s, flags, &r));
    return r;
}

TEST(undname_table_size)
{
    CHECK(N_CASES >= 150);
}

TEST(undname_table_full)
{
    for (size_t i = 0; i < N_CASES; i++) {
        char *r = full_of(undname_cases[i].mangled);
        CHECK_STR(r, undname_cases[i].full);
        free(r);
    }
}

TEST(undname_table_name_only)
{
    for (size_t i = 0; i < N_CASES; i++) {
        char *r = name_of(undname_cases[i].mangled);
        CHECK_STR(r, undname_cases[i].name_only);
        free(r);
    }
}

/* undname_demangle reports exactly the names the reference rejected (MD5 names, ??@...@, are
 * valid and shown as they are). */
TEST(undname_table_validity)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const struct undname_case *c = &undname_cases[i];
        int expect_invalid = strcmp(c->full, c->mangled) == 0 && strncmp(c->mangled, "??@", 3);
        char *r = NULL;
        struct dd_error *err = undname_demangle(c->mangled, UNDNAME_FULL, &r);
        if (expect_invalid) {
            CHECK(err != NULL && err->code == DD_ERR_FORMAT);
            CHECK(r == NULL);
        } else {
            CHECK(err == NULL);
        }
        dd_error_destroy(err);
        free(r);
    }
}

/* The examples of the brief, written out by hand. */
TEST(undname_examples)
{
    static const char *const pairs[][2] = {
        {"?Method@Class@ns@@QEAAXH@Z", "ns::Class::Method"},
        {"??$max@H@std@@YAHHH@Z", "std::max<int>"},
        {"??0Foo@@QEAA@XZ", "Foo::Foo"},
        {"??1Foo@@QEAA@XZ", "Foo::~Foo"},
        {"??_7Foo@@6B@", "Foo::`vftable'"},
        {"??_C@_0BA@ABCDEFGH@hello?5world?$AA@", "`string'"},
        {"??2@YAPEAX_K@Z", "operator new"},
        {"??$f@$0A@@@YAXXZ", "f<0>"},
        {"?f@?A0x12345678@@YAXXZ", "`anonymous namespace'::f"},
        {"??R<lambda_1>@?0??main@@YAHXZ@QEBA@XZ", "`main'::`1'::<lambda_1>::operator()"},
        {"?push_back@?$vector@HV?$allocator@H@std@@@std@@QEAAXAEBH@Z",
         "std::vector<int,std::allocator<int> >::push_back"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char *r = name_of(pairs[i][0]);
        CHECK_STR(r, pairs[i][1]);
        free(r);
    }
    char *r = full_of("?Method@Class@ns@@QEAAXH@Z");
    CHECK_STR(r, "public: void __cdecl ns::Class::Method(int)");
    free(r);
}

TEST(undname_public_x86)
{
    static const char *const pairs[][2] = {
        {"_RaiseException@16", "RaiseException"}, /* __stdcall */
        {"__RtlUserThreadStart@8", "_RtlUserThreadStart"},
        {"@FastFn@8", "FastFn"}, /* __fastcall */
        {"_memcpy", "memcpy"},   /* __cdecl */
        {"___security_cookie", "__security_cookie"},
        {"__imp__Sleep@4", "_imp__Sleep"},
        {"_name@", "name@"}, /* no byte count: only the underscore */
        {"_f@1x", "f@1x"},
        {"main", "main"},
        {"_", "_"},
        {"@", "@"},
        {"@8", "@8"},
        {"", ""},
        {"?f@@YAXXZ", "f"},
        {"?Bad", "?Bad"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char *r = public_of(pairs[i][0], UNDNAME_X86);
        CHECK_STR(r, pairs[i][1]);
        free(r);
    }
    char *r = public_of("?f@@YGXH@Z", UNDNAME_X86 | UNDNAME_FULL);
    CHECK_STR(r, "void __stdcall f(int)");
    free(r);
}

TEST(undname_public_x64)
{
    static const char *const same[] = {"_RaiseException@16", "__imp_LoadLibraryExW", "_fltused",
                                       "@f@8", "RtlUserThreadStart"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        char *r = public_of(same[i], 0);
        CHECK_STR(r, same[i]);
        free(r);
    }
    char *r = public_of("??1Foo@@QEAA@XZ", 0);
    CHECK_STR(r, "Foo::~Foo");
    free(r);
    r = public_of(NULL, 0);
    CHECK_STR(r, "");
    free(r);
}

static char *repeat(const char *prefix, const char *unit, size_t n, const char *suffix)
{
    size_t lp = strlen(prefix), lu = strlen(unit), ls = strlen(suffix);
    char *s = malloc(lp + lu * n + ls + 1);
    if (!s)
        return NULL;
    memcpy(s, prefix, lp);
    for (size_t i = 0; i < n; i++)
        memcpy(s + lp + i * lu, unit, lu);
    memcpy(s + lp + lu * n, suffix, ls + 1);
    return s;
}

/* Deep nesting, back-reference explosions and long input come back unchanged. */
TEST(undname_hostile)
{
    static const char *const bad[][3] = {
        {"?x@@3", "PEA", "HEA"},     /* pointer to pointer to ... */
        {"??$f@", "V?$A@", "H@"},    /* nested templates */
        {"?x@", "?1??f@", "@YAXXZ"}, /* nested local scopes */
        {"?f@@YAX", "P6AX", "XZ@Z"}, /* function pointer parameters */
        {"?x@@3", "Y0A@", "HA"},     /* arrays of arrays */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *s = repeat(bad[i][0], bad[i][1], 5000, bad[i][2]);
        CHECK(s != NULL);
        char *r = full_of(s);
        CHECK_STR(r, s);
        free(r);
        r = name_of(s);
        CHECK_STR(r, s);
        free(r);
        free(s);
    }
    /* each parameter back-reference doubles the output: ten of them pass the output cap */
    const char *blowup = "?f@@YAXP6AXHH@ZP6AX00@ZP6AX11@ZP6AX22@ZP6AX33@ZP6AX44@ZP6AX55@Z"
                         "P6AX66@ZP6AX77@ZP6AX88@ZP6AX99@Z9999999999@Z";
    char *r = full_of(blowup);
    CHECK_STR(r, blowup);
    free(r);
    char *out = NULL;
    struct dd_error *err = undname_demangle(NULL, 0, &out);
    CHECK(err != NULL && out == NULL);
    dd_error_destroy(err);
    r = name_of("");
    CHECK_STR(r, "");
    free(r);
}

/* Back-references up to the last slot, and one past it. */
TEST(undname_backrefs)
{
    char *r = full_of("?f@@YAXPAUA@@PAUB@@PAUC@@PAUD@@PAUE@@PAUF@@PAUG@@PAUH@@PAUI@@PAUJ@@"
                      "9@Z");
    CHECK_STR(r, "void __cdecl f(struct A *, struct B *, struct C *, struct D *, struct E *, "
                 "struct F *, struct G *, struct H *, struct I *, struct J *, struct J *)");
    free(r);
    /* names 0-9 are g, a, ..., j (seen in that order) */
    r = name_of("?g@a@b@c@d@e@f@h@i@j@@YAXPAV123456789@@Z");
    CHECK_STR(r, "j::i::h::f::e::d::c::b::a::g");
    free(r);
    r = full_of("?g@a@b@c@d@e@f@h@i@j@@YAXPAV123456789@@Z");
    CHECK_STR(r, "void __cdecl j::i::h::f::e::d::c::b::a::g(class j::i::h::f::e::d::c::b::a *)");
    free(r);
    /* a repeated name takes no new slot, so slot 9 is empty here */
    r = name_of("?g@a@b@c@d@e@f@g@h@i@@YAXPAV123456789@@Z");
    CHECK_STR(r, "?g@a@b@c@d@e@f@g@h@i@@YAXPAV123456789@@Z");
    free(r);
}
