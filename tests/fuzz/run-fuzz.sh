#!/bin/sh
# run-fuzz.sh [SECONDS]: builds the libFuzzer targets with clang into build-fuzz/ (at the repository
# root) and runs each for SECONDS (default 60) on a scratch copy of its seed corpus, so that the
# inputs libFuzzer adds never land in the repository. Prints each target's executions and coverage
# (libFuzzer's final "#N DONE cov: ..." line) and exits non-zero when any target crashes, times out
# or runs out of memory; the input that did it is copied to tests/fuzz/crashes/<target>/.
#
# Environment: CC (default clang), FUZZ_JOBS (build parallelism, default 2),
# FUZZ_KEEP_WORK=1 keeps the scratch folder (printed) for a look at the grown corpora.
set -u

seconds=${1:-60}
case $seconds in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS]" >&2
    exit 2
    ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build-fuzz
targets="fuzz_inventory fuzz_classify fuzz_envfile"

echo "== configuring and building into $build"
mkdir -p "$build" || exit 1
log=$build/run-fuzz-build.log
CC=${CC:-clang} cmake -S "$here" -B "$build" -DTOKENFLEET_FUZZ=ON >"$log" 2>&1 &&
    cmake --build "$build" -j "${FUZZ_JOBS:-2}" >>"$log" 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat "$log" >&2
    echo "run-fuzz: the build failed (log above)" >&2
    exit 1
fi
for t in $targets; do
    if [ ! -x "$build/$t" ]; then
        echo "run-fuzz: $build/$t was not built; is CC a clang with libFuzzer?" >&2
        exit 1
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tf-fuzz.XXXXXX") || exit 1
if [ "${FUZZ_KEEP_WORK:-0}" = 1 ]; then
    echo "== scratch folder: $work (kept)"
else
    trap 'rm -rf "$work"' EXIT
fi

failed=0
summary=""
for t in $targets; do
    echo "== $t for ${seconds}s"
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    cp "$here/corpus/$t/"* "$work/$t/corpus/" 2>/dev/null
    dict=
    [ -f "$here/$t.dict" ] && dict=-dict=$here/$t.dict
    # stdin from /dev/null: an inventory may name /dev/stdin as a password file.
    (cd "$work/$t" && "$build/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" ${dict:+"$dict"} corpus \
        </dev/null >"$work/$t/log" 2>&1)
    rc=$?
    done_line=$(grep -a 'DONE' "$work/$t/log" | tail -n 1)
    if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/$t/artifacts")" ]; then
        failed=1
        grep -a -E -A 30 '^==[0-9]+==|^SUMMARY|deadly signal|Timeout|out-of-memory' "$work/$t/log" |
            head -n 60 >&2
        mkdir -p "$here/crashes/$t"
        for a in "$work/$t/artifacts/"*; do
            [ -e "$a" ] || continue
            cp "$a" "$here/crashes/$t/"
            echo "run-fuzz: $t: kept $(basename "$a") in tests/fuzz/crashes/$t/" >&2
        done
        summary="$summary$t: FAILED (exit $rc) ${done_line:-no DONE line}
"
    else
        summary="$summary$t: ${done_line:-no DONE line}
"
    fi
done

echo "== results (${seconds}s each)"
printf '%s' "$summary"
exit $failed
