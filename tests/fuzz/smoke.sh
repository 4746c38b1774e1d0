#!/usr/bin/env bash
# The fuzz smoke run: every libFuzzer target for DD_FUZZ_SECONDS (default 60) from its seed corpus,
# as many at once as there are cores. New inputs go to a scratch directory, never into the repo.
# Prints "ok   fuzz-smoke/NAME" or "FAIL ..." (with the crash report tail) per target and a summary.
# Usage: tests/fuzz/smoke.sh FUZZ_BUILD_DIR   (a `-Dfuzz=true` clang build, see README.md)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$1
seconds=${DD_FUZZ_SECONDS:-60}
jobs=${DD_FUZZ_JOBS:-$(nproc)}
scratch=$(mktemp -d /tmp/dumpdbg-fuzz-smoke.XXXXXX)
keep=${DD_FUZZ_ARTIFACTS:-$build/fuzz-smoke-artifacts}
trap 'rm -rf "$scratch"' EXIT

run_one() { # NAME: fuzzes one target; writes its verdict to $scratch/NAME.result
    local name=$1 bin=$build/tests/fuzz/fuzz_$1
    mkdir -p "$scratch/$name/new" "$scratch/$name/art"
    local seeds=() d
    for d in tests/fuzz/corpus/"$name" tests/fuzz/crashers/"$name"; do
        [[ -d $d ]] && seeds+=("$d") # libFuzzer refuses a missing directory
    done
    # -max_len keeps one input cheap; rss and timeout turn a runaway into a finding, not a hang.
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$scratch/$name/art/" -print_final_stats=1 \
        "$scratch/$name/new" ${seeds[@]+"${seeds[@]}"} >"$scratch/$name.log" 2>&1; then
        echo "ok   fuzz-smoke/$name ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' \
            "$scratch/$name.log" | grep -o '[0-9]*$') runs)" >"$scratch/$name.result"
    else
        # Keep the findings past the scratch directory's removal, to minimize and save them.
        mkdir -p "$keep/$name" && cp "$scratch/$name/art/"* "$keep/$name/" 2>/dev/null
        { echo "FAIL fuzz-smoke/$name: $(ls "$scratch/$name/art" | head -3 | tr '\n' ' ')(kept in $keep/$name)"
          grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$scratch/$name.log" | head -20; } >"$scratch/$name.result"
    fi
}

names=()
for bin in "$build"/tests/fuzz/fuzz_*; do
    n=${bin##*/fuzz_}
    [[ -f $bin && -x $bin && $n != replay_* && $n != *.p ]] && names+=("$n")
done
[[ ${#names[@]} -gt 0 ]] || { echo "FAIL fuzz-smoke: no fuzz targets in $build"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

running=0
for n in "${names[@]}"; do
    run_one "$n" &
    running=$((running + 1))
    if ((running >= jobs)); then wait -n; running=$((running - 1)); fi
done
wait

pass=0 fail=0
for n in "${names[@]}"; do
    cat "$scratch/$n.result"
    if grep -q '^ok' "$scratch/$n.result"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed, 0 skipped"
[[ $fail -eq 0 ]]
