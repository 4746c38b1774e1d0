/* MSVC C++ name undecoration ("demangling") as dbghelp and WinDbg show symbol names.
 *
 * Two spellings of a decorated name such as ?Method@Class@ns@@QEAAXH@Z:
 * - name only (UNDNAME_NAME_ONLY, what WinDbg shows for a public symbol with SYMOPT_UNDNAME):
 *   "ns::Class::Method"; template arguments are kept in MSVC's spelling, e.g.
 *   "std::vector<int,std::allocator<int> >::push_back", "Foo::`vftable'", "`string'";
 * - full (UNDNAME_FULL): the whole declaration as llvm-undname prints it,
 *   "public: void __cdecl ns::Class::Method(int)", except string literals, which are "`string'"
 *   as MSVC's undname prints them.
 * Pure functions: no global state, safe from any thread. Input that is not a valid mangling is
 * returned unchanged; recursion, back-references and output length are capped so that no input
 * crashes, loops or grows without bound (output past 32768 characters counts as invalid). */
#ifndef DD_SYM_UNDNAME_H
#define DD_SYM_UNDNAME_H

#include "base/error.h"

#define UNDNAME_NAME_ONLY 0x0u /* [scope::]name<args>, as WinDbg shows publics (default) */
#define UNDNAME_FULL 0x1u      /* complete declaration */
#define UNDNAME_X86 0x2u       /* undname_public: the symbol comes from a 32-bit x86 image */

/* Undecorates the MSVC C++ name MANGLED per FLAGS (UNDNAME_FULL or not) into *ret, a malloc'ed
 * string the caller frees; returns a DD_ERR_FORMAT error (static, nothing to free but harmless to
 * destroy) when MANGLED is not a valid mangling, or the no-memory error. */
struct dd_error *undname_demangle(const char *mangled, unsigned flags, char **ret);

/* Like undname_demangle with UNDNAME_NAME_ONLY, but an invalid name is copied unchanged; fails
 * only when out of memory. */
struct dd_error *undname_name_only(const char *mangled, char **ret);

/* Like undname_demangle with UNDNAME_FULL, but an invalid name is copied unchanged; fails only
 * when out of memory. */
struct dd_error *undname_full(const char *mangled, char **ret);

/* The display name dbghelp gives a PDB public symbol NAME with SYMOPT_UNDNAME: a C++ name (?...)
 * undecorated (name only, or full with UNDNAME_FULL); with UNDNAME_X86 the C decorations of
 * 32-bit images removed: _name and _name@12 (cdecl, stdcall) -> name, @name@8 (fastcall) -> name.
 * On other CPUs C names have no decoration and are copied unchanged, as is anything unknown.
 * *ret is malloc'ed; fails only when out of memory. */
struct dd_error *undname_public(const char *name, unsigned flags, char **ret);

#endif
