#!/usr/bin/env bash
# Builds dumpdbg with AddressSanitizer + UndefinedBehaviorSanitizer, checks that clang builds it
# warning-free too, and runs every test: unit tests, golden transcripts, the corpus smoke test
# and the fuzz-crasher replay. Ends with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${DD_TEST_BUILD:-build-test}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

total_pass=0 total_fail=0 total_skip=0

tally() { # reads a runner's output, echoes it, and adds its closing counts
    local out=$1
    printf '%s\n' "$out"
    local line
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    if [[ -z $line ]]; then
        echo "FAIL a test runner printed no summary"
        total_fail=$((total_fail + 1))
        return
    fi
    read -r p _ f _ s _ <<<"$(echo "$line" | tr -d ',')"
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + ${s:-0}))
}

step() { # runs a build step; a failure counts as a failed test
    local name=$1; shift
    if "$@" >"/tmp/dumpdbg-step.$$" 2>&1; then
        echo "ok   build/$name"; total_pass=$((total_pass + 1))
    else
        echo "FAIL build/$name"; tail -40 "/tmp/dumpdbg-step.$$"; total_fail=$((total_fail + 1))
        rm -f "/tmp/dumpdbg-step.$$"
        return 1
    fi
    rm -f "/tmp/dumpdbg-step.$$"
}

if [[ ! -d $BUILD ]]; then
    step "setup-sanitize" meson setup "$BUILD" -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debug || { echo "$total_pass passed, $total_fail failed, $total_skip skipped"; exit 1; }
fi
step "compile-sanitize" meson compile -C "$BUILD" || { echo "$total_pass passed, $total_fail failed, $total_skip skipped"; exit 1; }

# Optimized builds warn about things -O0 does not see: both compilers must stay warning-free.
if [[ ! -d $BUILD-release ]]; then
    step "setup-gcc-release" meson setup "$BUILD-release" -Dbuildtype=release || true
fi
[[ -d $BUILD-release ]] && step "compile-gcc-release" meson compile -C "$BUILD-release"
if command -v clang >/dev/null; then
    if [[ ! -d $BUILD-clang ]]; then
        CC=clang step "setup-clang-release" meson setup "$BUILD-clang" -Dbuildtype=release || true
    fi
    [[ -d $BUILD-clang ]] && step "compile-clang-release" meson compile -C "$BUILD-clang"
fi

tally "$("$BUILD/tests/unit_tests" 2>&1)"
tally "$(python3 tests/golden/run_golden.py "$BUILD/dumpdbg" 2>&1)"
tally "$(python3 tests/golden/run_golden.py "$BUILD/dumpdbg" --smoke 2>&1)"
tally "$(timeout 900 python3 tests/hostile/run_hostile.py "$BUILD/dumpdbg" 2>&1)"
tally "$(timeout 300 python3 tests/integration/symserver_e2e.py "$BUILD/dumpdbg" 2>&1)"
tally "$(timeout 300 python3 tests/integration/json_report_compare.py "$BUILD/dumpdbg" 2>&1)"
tally "$(timeout 600 python3 tests/integration/triage_batch.py "$BUILD/dumpdbg" 2>&1)"
tally "$(timeout 300 python3 tests/integration/bucket_stability.py "$BUILD/dumpdbg" 2>&1)"
# Every fuzz target replays its saved crashers and seed corpus; the mdmp target also gets two fixtures.
for replay in "$BUILD"/tests/fuzz/fuzz_replay_*; do
    [[ -f $replay && -x $replay ]] || continue
    name=${replay##*/fuzz_replay_}
    extra=()
    [[ $name == mdmp ]] && extra=(tests/fixtures/dumps/crash_null_write.dmp tests/fixtures/dumps/crash_breakpoint.dmp)
    tally "$("$replay" "tests/fuzz/crashers/$name" "tests/fuzz/corpus/$name" "${extra[@]}" 2>&1)"
done

# The fuzz smoke run: every target for DD_FUZZ_SECONDS (60 by default; 0 skips it) in a clang
# libFuzzer build, so a new parser path that crashes on its first mutations fails the suite.
fuzz_seconds=${DD_FUZZ_SECONDS:-60}
if [[ $fuzz_seconds == 0 ]]; then
    echo "skip fuzz-smoke: DD_FUZZ_SECONDS=0"; total_skip=$((total_skip + 1))
elif ! command -v clang >/dev/null || ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' |
    clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    echo "skip fuzz-smoke: clang with libFuzzer (Debian clang + libclang-rt-14-dev) is not installed"
    total_skip=$((total_skip + 1))
else
    if [[ ! -d $BUILD-fuzz ]]; then
        CC=clang step "setup-fuzz" meson setup "$BUILD-fuzz" -Dfuzz=true -Db_sanitize=address,undefined \
            -Db_lundef=false -Dbuildtype=debugoptimized || true
    fi
    if [[ -d $BUILD-fuzz ]] && step "compile-fuzz" meson compile -C "$BUILD-fuzz"; then
        tally "$(DD_FUZZ_SECONDS=$fuzz_seconds tests/fuzz/smoke.sh "$BUILD-fuzz" 2>&1)"
    fi
fi

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 ]]
