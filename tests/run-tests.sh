#!/usr/bin/env bash
# Builds tokenfleet and runs every test: once in a normal build with warnings as errors, once
# under AddressSanitizer + UndefinedBehaviorSanitizer. Installs missing packages first.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tests/install-deps.sh
jobs=$(nproc)

run() { # build-dir, cmake options...
    local dir=$1
    shift
    echo "== $dir: $*"
    cmake -S . -B "$dir" -DBUILD_TESTING=ON -DTOKENFLEET_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
    ctest --test-dir "$dir" --output-on-failure -j"$jobs"
}

run build -DCMAKE_BUILD_TYPE=RelWithDebInfo

# valgrind over the same build: unit tests and the tokenfleet runs of the integration tests,
# but for the reliability and fault tests: they time signals, kills, stalls and Retry-After
# against short timeouts, which valgrind's slowness (TLS runs ~50x slower) would only break.
# The emulator lifetime test runs no tokenfleet: valgrind would add nothing to its second run.
echo "== build under valgrind"
TOKENFLEET_TEST_WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect" \
    ctest --test-dir build --output-on-failure -E 'integration_(reliability|faults|emulator_lifetime|emulator_astra|watch)'
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    run build-asan -DCMAKE_BUILD_TYPE=Debug -DTOKENFLEET_SANITIZE=ON

# The fuzz targets (clang's libFuzzer), 60 s each; any crash fails the run.
echo "== fuzzing"
tests/fuzz/run-fuzz.sh 60
