#!/usr/bin/env python3
"""Generates undname_expect.inc, the expected outputs of test_undname.c, from undname_names.txt.

Usage: tests/unit/gen_undname_table.py [path/to/llvm-undname]   (default: llvm-undname-16)

Expected values come from LLVM's llvm-undname, an implementation independent of dumpdbg's.

Full form ("undname_full"): llvm-undname's output as is, with these documented overrides where
llvm-undname and MSVC's undname / dbghelp differ:
  F1. String literals (??_C@_...): MSVC and dbghelp print `string'; llvm-undname decodes the
      bytes ("hello"...). We follow MSVC.
  F2. A back-reference to an anonymous namespace (?A0x1234@ ... 1@): llvm-undname prints the
      namespace key ("0x1234::S"), MSVC prints "`anonymous namespace'::S". We follow MSVC.
  F3. A name llvm-undname rejects is returned unchanged.

Name-only form ("undname_name_only", what WinDbg shows for a public symbol): derived from
llvm-undname's output by rule N1-N9 below, then spelled as MSVC/dbghelp spell names (N10).
  N1. Invalid names are unchanged; string literals are `string'; MD5 names (??@...@) are as is.
  N2. Start from llvm-undname --no-calling-convention --no-return-type --no-access-specifier
      --no-member-type --no-variable-type (the declaration without its type parts).
  N3. RTTI type descriptors keep their type: "class type_info `RTTI Type Descriptor'" ->
      "type_info `RTTI Type Descriptor'" (the full output minus the tag keyword, see N10), with
      one space between type and name ("void * `RTTI Type Descriptor'").
  N4. Special tables (vftable, vbtable, local vftable, RTTI Complete Object Locator) drop their
      "const " qualifier: "Foo::`vftable'".
  N5. "[thunk]: " is written "[thunk]:" as MSVC does.
  N6. A function's parameter list and the qualifiers after it are removed: "S::f(void) const"
      -> "S::f".
  N7. A function-local scope "`<declaration>'::`N'" names the function by its name only:
      "`int __cdecl main(void)'::`1'" -> "`main'::`1'", "`extern "C" f'::`2'" -> "`f'::`2'".
  N8. Names with symbols as template arguments or dynamic initializers of members are given as
      hand-checked explicit values (NAME_ONLY_OVERRIDES).
  N9. (nothing else is dropped: template arguments stay, e.g. "std::max<int>").
  N10. MSVC spelling: no "class "/"struct "/"union "/"enum " keywords; "," without a space
      between arguments ("<int,char>", "(0,-1,0,64)"); a space between closing brackets
      ("<A<int> >"); pointers as "char const *", "char * const", "int * *", "void (__cdecl*)(int)"
      (a space between a '*' or '&' and a following qualifier or '*', '&').
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = os.path.join(HERE, 'undname_names.txt')
OUTPUT = os.path.join(HERE, 'undname_expect.inc')
REDUCE_FLAGS = ['--no-calling-convention', '--no-return-type', '--no-access-specifier',
                '--no-member-type', '--no-variable-type']

# N8: checked by hand against the full form.
NAME_ONLY_OVERRIDES = {
    '??$f@$1?x@@3HA@@YAXXZ': 'f<&x>',
    '??$f@$E?x@@3HA@@YAXXZ': 'f<x>',
    '??$f@$1?g@@YAXXZ@@YAXXZ': 'f<&g>',
    '??$f@$H?g@S@@QEAAXXZA@@@YAXXZ': 'f<{S::g,0}>',
    '??$f@$I?g@S@@QEAAXXZA@A@@@YAXXZ': 'f<{S::g,0,0}>',
    '??$f@$J?g@S@@QEAAXXZA@A@A@@@YAXXZ': 'f<{S::g,0,0,0}>',
    '??__E?x@S@@2HA@@YAXXZ': '`dynamic initializer for `S::x\'\'',
    '??__E?s_instance@Foo@@2V1@A@@YAXXZ': '`dynamic initializer for `Foo::s_instance\'\'',
    # llvm's --no-return-type/--no-calling-convention also strip them inside template arguments
    '??$f@$$A6AHH@Z@@YAXXZ': 'f<int __cdecl(int)>',
    '??0?$function@$$A6AXH@Z@std@@QEAA@XZ':
        'std::function<void __cdecl(int)>::function<void __cdecl(int)>',
}

CALLING_CONVENTIONS = ['__cdecl', '__pascal', '__thiscall', '__stdcall', '__fastcall',
                       '__clrcall', '__eabi', '__vectorcall', '__regcall',
                       '__attribute__((__swiftcall__))', '__attribute__((__swiftasynccall__))']
TRAILING_QUALIFIERS = [' const', ' volatile', ' __restrict', ' __unaligned', ' noexcept',
                       ' &&', ' &']
OPERATOR_TOKENS = sorted(['<=>', '>>=', '<<=', '->*', '>>', '<<', '<=', '>=', '->', '<', '>',
                          '()', '[]', '==', '!=', '&&', '||', '++', '--', '+=', '-=', '*=',
                          '/=', '%=', '&=', '|=', '^=', '=', '!', '~', '+', '-', '*', '/',
                          '%', '&', '|', '^', ','], key=len, reverse=True)


def run_undname(tool, names, flags):
    # llvm-undname exits 1 when any name is invalid and reports it on stderr, in step
    text = subprocess.run([tool] + flags, input='\n'.join(names) + '\n', stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout
    lines = text.split('\n')
    out = []
    for i, name in enumerate(names):
        # llvm-undname echoes each name, prints its result, then an empty line
        if lines[3 * i] != name:
            sys.exit('llvm-undname output out of step at %r' % name)
        result = lines[3 * i + 1]
        out.append(None if result.startswith('error:') or 'Invalid mangled name' in result
                   else result)
    return out


def anon_keys(mangled):
    return re.findall(r'\?A(0x[0-9a-fA-F]+)@', mangled)


def fix_anon_backrefs(mangled, text):
    """F2: llvm prints a back-referenced anonymous namespace as its key."""
    for key in anon_keys(mangled):
        text = re.sub(r'(?<![\w`])' + re.escape(key) + r'::', "`anonymous namespace'::", text)
    return text


def skip_quoted(s, i):
    """Index after the `...' group starting at s[i] (nested groups allowed)."""
    depth = 0
    while i < len(s):
        if s[i] == '`':
            depth += 1
        elif s[i] == "'":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def strip_params(s):
    """N6: removes a trailing '(params)' and the qualifiers after it, if there is one."""
    changed = True
    while changed:
        changed = False
        for q in TRAILING_QUALIFIERS:
            if s.endswith(q):
                s = s[:-len(q)]
                changed = True
    if not s.endswith(')'):
        return s
    depth = 0
    for i in range(len(s) - 1, -1, -1):
        if s[i] == ')':
            depth += 1
        elif s[i] == '(':
            depth -= 1
            if depth == 0:
                return s[:i]
    return s


def reduce_declaration(decl):
    """N7: the name of a full function declaration printed inside `...'."""
    decl = reduce_local_scopes(decl)
    decl = strip_params(decl)
    for prefix in ('[thunk]: ', 'public: ', 'protected: ', 'private: ', 'static ', 'virtual ',
                   'extern "C" '):
        if decl.startswith(prefix):
            decl = decl[len(prefix):]
    # everything up to the last calling convention outside brackets and quotes is return type
    i, depth, cut = 0, 0, 0
    while i < len(decl):
        c = decl[i]
        if c == '`':
            i = skip_quoted(decl, i)
            continue
        if c in '<(':
            depth += 1
        elif c in '>)':
            depth -= 1
        elif depth == 0:
            for cc in CALLING_CONVENTIONS:
                if decl.startswith(cc + ' ', i):
                    cut = i + len(cc) + 1
        i += 1
    return decl[cut:]


def reduce_local_scopes(s):
    """Rewrites every `<declaration>'::`N' group (N7)."""
    out, i = [], 0
    while i < len(s):
        if s[i] == '`':
            j = skip_quoted(s, i)
            m = re.match(r"::`\d+'", s[j:])
            if m:
                out.append('`' + reduce_declaration(s[i + 1:j - 1]) + "'")
            else:
                out.append(s[i:j])
            i = j
            continue
        out.append(s[i])
        i += 1
    return ''.join(out)


def msvc_spelling(s):
    """N10."""
    s = re.sub(r'\b(class|struct|union|enum) ', '', s)
    s = s.replace(', ', ',')
    for cc in CALLING_CONVENTIONS:
        s = s.replace('(' + cc + ' *', '(' + cc + '*')
    # a space after a pointer or reference before a qualifier or another pointer or reference
    s = re.sub(r'([*&])(?=const|volatile|__restrict|__unaligned)', r'\1 ', s)
    s = re.sub(r'(?<=[*&])\*', ' *', s)
    s = re.sub(r'\*(?=&)', '* ', s)
    # a space between two template-closing brackets; operator names and <lambda_N> are opaque
    out, i, depth = [], 0, 0
    while i < len(s):
        if s.startswith('operator', i) and (i == 0 or not (s[i - 1].isalnum() or s[i - 1] == '_')):
            j = i + len('operator')
            for tok in OPERATOR_TOKENS:
                if s.startswith(tok, j):
                    j += len(tok)
                    break
            out.append(s[i:j])
            i = j
            continue
        c = s[i]
        if c == '`':
            j = skip_quoted(s, i)
            out.append(msvc_spelling_quoted(s[i:j]))
            i = j
            continue
        prev = out[-1][-1] if out and out[-1] else ''
        after_operator = bool(out) and out[-1].startswith('operator')
        if c == '<' and not after_operator and not (prev.isalnum() or prev in '_>)]\''):
            j = s.index('>', i) + 1  # <lambda_1> and other names in angle brackets
            out.append(s[i:j])
            i = j
            continue
        if c == '<':
            depth += 1
        elif c == '>' and depth > 0:
            depth -= 1
            if prev == '>':
                out.append(' ')
        out.append(c)
        i += 1
    return ''.join(out)


def msvc_spelling_quoted(q):
    inner = q[1:-1]
    return '`' + msvc_spelling(inner) + "'" if q.endswith("'") else q


def name_only(mangled, full, reduced):
    if full is None:
        return mangled
    if mangled in NAME_ONLY_OVERRIDES:
        return NAME_ONLY_OVERRIDES[mangled]
    if mangled.startswith('??_C@_'):
        return "`string'"
    if mangled.startswith('??@'):
        return full
    if full.endswith("`RTTI Type Descriptor'") or full.endswith("`RTTI Type Descriptor Name'"):
        t = msvc_spelling(fix_anon_backrefs(mangled, full))
        return re.sub(r" ?(`RTTI Type Descriptor(?: Name)?')$", r" \1", t)
    s = fix_anon_backrefs(mangled, reduced)
    for prefix in ('const volatile ', 'const ', 'volatile '):
        if re.match(r'\?\?_(7|8|S|R4)', mangled) and s.startswith(prefix):
            s = s[len(prefix):]
            break
    s = s.replace('[thunk]: ', '[thunk]:')
    s = strip_params(s)
    s = reduce_local_scopes(s)
    return msvc_spelling(s)


def c_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def main():
    tool = sys.argv[1] if len(sys.argv) > 1 else 'llvm-undname-16'
    names = [l.rstrip('\n') for l in open(NAMES, encoding='ascii')]
    names = [n for n in names if n and not n.startswith('#')]
    full = run_undname(tool, names, [])
    reduced = run_undname(tool, names, REDUCE_FLAGS)
    rows = []
    for n, f, r in zip(names, full, reduced):
        if f is None:
            ef = n  # F3
        elif n.startswith('??_C@_'):
            ef = "`string'"  # F1
        else:
            ef = fix_anon_backrefs(n, f)  # F2
        rows.append('    {%s,\n     %s,\n     %s},' % (c_string(n), c_string(ef),
                                                     c_string(name_only(n, f, r))))
    with open(OUTPUT, 'w', encoding='ascii') as out:
        out.write('/* Generated by tests/unit/gen_undname_table.py from undname_names.txt with '
                  'llvm-undname-16:\n * {mangled, full form, name only}. Do not edit. */\n')
        out.write('\n'.join(rows) + '\n')
    print('%d names -> %s' % (len(rows), OUTPUT))


if __name__ == '__main__':
    main()
