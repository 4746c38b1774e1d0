#!/usr/bin/env bash
# A longer fuzz campaign for one or every target, kept outside the repo: each target's growing
# corpus in $DD_FUZZ_WORK/NAME/corpus (default /tmp/dumpdbg-fuzz), crashes in .../NAME/artifacts.
# Seeds come from tests/fuzz/corpus, tests/fuzz/crashers and, for the dump targets, the fixtures
# and the shared corpus when present. Prints the CPU time spent and what was found per target.
# Usage: tests/fuzz/campaign.sh [-t SECONDS_PER_TARGET] [-j JOBS] FUZZ_BUILD_DIR [NAME...]
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=3600 jobs=$(nproc)
while getopts t:j: opt; do
    case $opt in
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:?usage: campaign.sh [-t SECONDS] [-j JOBS] FUZZ_BUILD_DIR [NAME...]}
shift
work=${DD_FUZZ_WORK:-/tmp/dumpdbg-fuzz}
corpus_root=${DD_CORPUS:-../shared/corpus}

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
    for bin in "$build"/tests/fuzz/fuzz_*; do
        n=${bin##*/fuzz_}
        [[ -f $bin && -x $bin && $n != replay_* && $n != *.p ]] && names+=("$n")
    done
fi

for n in "${names[@]}"; do
    bin=$build/tests/fuzz/fuzz_$n
    [[ -x $bin ]] || { echo "no target $bin"; continue; }
    mkdir -p "$work/$n/corpus" "$work/$n/artifacts"
    seeds=()
    for d in tests/fuzz/corpus/"$n" tests/fuzz/crashers/"$n"; do
        [[ -d $d ]] && seeds+=("$d") # libFuzzer refuses a missing directory
    done
    case $n in
    mdmp) seeds+=(tests/fixtures/dumps); [[ -d $corpus_root/user ]] && seeds+=("$corpus_root/user") ;;
    kdmp) [[ -d tests/fixtures/dumps/kernel ]] && seeds+=(tests/fixtures/dumps/kernel) ;;
    pe) seeds+=(tests/fixtures/pe) ;;
    pdb | tpi) seeds+=(tests/fixtures/pdb) ;;
    esac
    echo "== $n: $seconds s on $jobs cores, corpus $work/$n/corpus"
    start=$(date +%s)
    # -fork keeps all cores busy and goes on after a crash, collecting every artifact.
    "$bin" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=300000 \
        -artifact_prefix="$work/$n/artifacts/" "$work/$n/corpus" ${seeds[@]+"${seeds[@]}"} \
        >"$work/$n/log" 2>&1
    end=$(date +%s)
    found=$(find "$work/$n/artifacts" -type f | wc -l)
    echo "   $(( (end - start) * jobs / 60 )) CPU-min, $found artifact(s) in $work/$n/artifacts"
done
echo "Minimize and save each finding as tests/fuzz/README.md says (crashers/NAME/)."
