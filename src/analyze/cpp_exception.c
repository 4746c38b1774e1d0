/*
 * The type a C++ `throw` threw (exception e06d7363, "msc" | 0xe0000000), read from the
 * compiler's EH data the record points at (MSVC ehdata.h, as the CRT's _CxxThrowException
 * fills it):
 *   ExceptionInformation[0] magic 0x19930520 (.. 0x19930522, 0x01994000 for /d2FH4)
 *   ExceptionInformation[1] the thrown object
 *   ExceptionInformation[2] ThrowInfo
 *   ExceptionInformation[3] (64-bit only) the image base the EH data's RVAs count from
 * ThrowInfo { u32 attributes; 4-byte pmfnUnwind, pForwardCompat, pCatchableTypeArray },
 * CatchableTypeArray { i32 count; 4-byte CatchableType refs }, CatchableType { u32 properties;
 * 4-byte pType; ... }, TypeDescriptor { pointer vftable; pointer spare; char name[] }. The 4-byte
 * references are pointers in 32-bit processes and image-relative offsets in 64-bit ones. The
 * first catchable type is the thrown (most derived) type; its decorated name ".?AVfoo@ns@@" is
 * an RTTI Type Descriptor name, undecorated here as "ns::foo".
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "base/cursor.h"
#include "cmd/session.h"
#include "sym/undname.h"

#define CPP_EXCEPTION_CODE 0xe06d7363u
#define TYPE_NAME_MAX 512

static bool read_u32(struct session *s, uint64_t addr, uint32_t *ret)
{
    uint8_t b[4];
    struct dd_error *err = target_read_exact(s->target, addr, b, 4);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    *ret = dd_le32(b);
    return true;
}

/* Where a 4-byte EH reference points: a pointer (32-bit) or BASE + offset (64-bit). */
static uint64_t eh_ref(unsigned ptr_size, uint64_t base, uint32_t ref)
{
    return ptr_size == 8 ? base + ref : ref;
}

struct dd_error *analyze_cpp_exception(struct session *s, const struct analyze_options *opts,
                                       struct analyze_verdict *v)
{
    (void)opts;
    const struct analyze_exception *e = &v->exception;
    if (!v->has_exception || e->code != CPP_EXCEPTION_CODE || e->num_params < 3)
        return NULL;
    uint64_t magic = e->params[0];
    if (magic != 0x19930520u && magic != 0x19930521u && magic != 0x19930522u &&
        magic != 0x01994000u)
        return NULL;
    unsigned ps = s->arch ? s->arch->ptr_size : target_ptr_size(s->target);
    uint64_t base = ps == 8 && e->num_params >= 4 ? e->params[3] : 0;
    if (ps == 8 && base == 0)
        return NULL;
    uint64_t throw_info = e->params[2];
    uint32_t cta_ref, count, ct_ref, type_ref;
    if (!read_u32(s, throw_info + 12, &cta_ref) || cta_ref == 0)
        goto unreadable;
    uint64_t cta = eh_ref(ps, base, cta_ref);
    if (!read_u32(s, cta, &count) || count == 0 || !read_u32(s, cta + 4, &ct_ref))
        goto unreadable;
    if (!read_u32(s, eh_ref(ps, base, ct_ref) + 4, &type_ref))
        goto unreadable;
    char name[TYPE_NAME_MAX + 16];
    size_t got = 0;
    uint64_t name_addr = eh_ref(ps, base, type_ref) + 2 * (uint64_t)ps;
    struct dd_error *err = target_read(s->target, name_addr, name + 4, TYPE_NAME_MAX, &got);
    dd_error_destroy(err);
    char *nul = got ? memchr(name + 4, '\0', got) : NULL;
    if (!nul || name[4] != '.')
        goto unreadable;
    const char *decorated = dd_arena_strdup(&v->arena, name + 4);
    /* ".?AVfoo@@" -> "??_R0?AVfoo@@@8", the RTTI Type Descriptor symbol of the type. */
    memcpy(name, "??_R", 4);
    name[4] = '0';
    memcpy(nul, "@8", 3);
    char *text = NULL;
    err = undname_name_only(name, &text);
    if (err)
        return err;
    const char *suffix = " `RTTI Type Descriptor'";
    size_t n = strlen(text), sl = strlen(suffix);
    if (n > sl && strcmp(text + n - sl, suffix) == 0) {
        text[n - sl] = '\0';
        v->cpp_exception_type = dd_arena_strdup(&v->arena, text);
    } else {
        v->cpp_exception_type = decorated; /* not a valid mangling: shown as found */
    }
    free(text);
    if (!v->cpp_exception_type)
        return &dd_error_no_memory;
    return NULL;

unreadable:
    analyze_verdict_add_note(v,
                             "the thrown C++ type cannot be read: its EH data is not in the dump");
    return NULL;
}
