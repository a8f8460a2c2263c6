#!/usr/bin/env bash
# tests/bench/run.sh [--quick] [bench.py options]: tokenfleet against `curl --parallel` and the
# floor (bench_floor, tests/bench/floor.c).
# Installs missing build deps (tests/install-deps.sh) and gnuplot-nox, builds a Release build in
# build-bench/ (BENCH_BUILD_DIR overrides), then runs bench.py, which starts the emulators, runs
# the cases, prints the table and writes tests/bench/results.md and cpu-per-target.png.
# bench.py stops the emulators it started on any exit (they also die with it: PR_SET_PDEATHSIG).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}

"$root/tests/install-deps.sh"
# The benchmark's own tools: gnuplot for the plot, GNU time for the clients' peak RSS, curl.
missing=()
command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
[ -x /usr/bin/time ] || missing+=(time)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    echo "run.sh: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target tokenfleet stargate-emulator bench_floor \
    >/dev/null

exec python3 "$here/bench.py" --build-dir "$build" --command "tests/bench/run.sh $*" "$@"
