#!/usr/bin/env bash
# The demo: builds tokenfleet, starts the bundled Stargate emulator over HTTPS (serving the sample
# fleet's keyspaces, samples/emulator-keyspaces.txt), and runs every command on
# samples/fleet.yaml (a dozen databases, 18 targets; one password is wrong on purpose): validate,
# provision, check --verify (with JUnit and Prometheus files), list, and two cycles of watch.
# Then Astra today, with application tokens: the emulator also plays an Astra organization
# (samples/astra-databases.json: six databases, classic and Serverless (Vector), one in two
# regions, one HIBERNATED, two under one name), and the demo runs discover (the org's databases
# from the DevOps API into an inventory), validate, provision --env-names astra (each database's
# token proven, no auth request) and check (with a JUnit file), and shows one env file with its
# token masked. samples/astra-org-token and samples/astra-app-token hold throw-away tokens that
# only this emulator knows (their client ids say DemoOnly...): never real ones.
# Real Astra host names are sent to the emulator with --connect-to, so TLS and the host-name
# check run as in production, against a throw-away CA.
#
#   samples/demo.sh [--build-dir DIR] [--no-build] [--out DIR]
#
# --build-dir DIR  where to build (default build/); its tokenfleet and emulator are run
# --no-build       install and build nothing: use what DIR holds already (the test of the demo
#                  runs it so on CTest's own build, which must not be reconfigured under it)
# --out DIR        where the env files, reports and the emulator go (default DIR/demo)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

build=build out="" no_build=0
while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir) build=${2:?--build-dir needs a folder}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --no-build) no_build=1; shift ;;
    *) echo "usage: samples/demo.sh [--build-dir DIR] [--no-build] [--out DIR]" >&2; exit 2 ;;
    esac
done
out=${out:-$build/demo}

if [ "$no_build" = 0 ]; then
    tests/install-deps.sh
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
    cmake --build "$build" -j"$(nproc)" --target tokenfleet stargate-emulator >/dev/null
fi
tokenfleet=$build/tokenfleet
emulator=$build/tests/emulator/stargate-emulator
for f in "$tokenfleet" "$emulator"; do
    [ -x "$f" ] || { echo "demo: $f is missing; build first (run without --no-build)" >&2; exit 2; }
done

emu=$out/emulator
mkdir -p "$out"
trap 'tests/integration/emulator-ctl.sh stop "$emu"' EXIT
tests/integration/emulator-ctl.sh start "$emu" samples/emulator-users.txt "$emulator" https \
    --keyspaces samples/emulator-keyspaces.txt --databases samples/astra-databases.json \
    --org-tokens samples/astra-org-token --app-tokens samples/astra-app-token
port=$(cat "$emu/port")
tls=(--connect-to "::127.0.0.1:$port" --cacert "$emu/tls/ca.crt")
tls_shown="--connect-to ::127.0.0.1:$port --cacert $emu/tls/ca.crt"

chmod 600 samples/secrets/*.pw # git does not keep file modes beyond the executable bit
export ASTRA_DB_PASSWORD=demo-Pa55word-not-for-production

# Runs tokenfleet with the given arguments; sets rc to its exit status.
run() {
    rc=0
    "$tokenfleet" "$@" || rc=$?
}

echo "\$ tokenfleet validate -i samples/fleet.yaml"
run validate -i samples/fleet.yaml
[ "$rc" -eq 0 ]
echo
echo "\$ tokenfleet provision -i samples/fleet.yaml --env-dir $out/envs --report $out/report.json \\"
echo "    $tls_shown"
run provision -i samples/fleet.yaml --env-dir "$out/envs" --report "$out/report.json" "${tls[@]}"
provision_rc=$rc
echo "exit code $rc (1: some target failed; reports/eu-west1 has a wrong password on purpose)"
echo
echo "\$ tokenfleet check -i samples/fleet.yaml --verify --junit $out/junit.xml --prom $out/check.prom \\"
echo "    $tls_shown"
run check -i samples/fleet.yaml --verify --junit "$out/junit.xml" --prom "$out/check.prom" "${tls[@]}"
check_rc=$rc
echo "exit code $rc (each token also proven on its keyspace through the REST API)"
echo
echo "\$ tokenfleet list -i samples/fleet.yaml --limit tag:payments"
run list -i samples/fleet.yaml --limit tag:payments
[ "$rc" -eq 0 ]
echo
echo "\$ tokenfleet watch -i samples/fleet.yaml --env-dir $out/envs --cycles 2 --interval 1s \\"
echo "    $tls_shown"
run watch -i samples/fleet.yaml --env-dir "$out/envs" --cycles 2 --interval 1s "${tls[@]}"
watch_rc=$rc
echo "exit code $rc (watch runs until stopped; --cycles 2 ends it after two)"
echo
echo "== Astra today: application tokens instead of passwords (README: \"Astra today\") =="
echo
# --force: the inventory of an earlier run of the demo is replaced (discover keeps a file without it).
echo "\$ tokenfleet discover --org-token-file samples/astra-org-token \\"
echo "    --api-url https://api.astra.datastax.com -o $out/astra-fleet.yaml --force \\"
echo "    $tls_shown"
run discover --org-token-file samples/astra-org-token --api-url https://api.astra.datastax.com \
    -o "$out/astra-fleet.yaml" --force "${tls[@]}"
[ "$rc" -eq 0 ]
echo "\$ cat $out/astra-fleet.yaml"
cat "$out/astra-fleet.yaml"
echo
# The token is read where the inventory says (defaults: token: {env: ...}); it is never shown.
echo "\$ export ASTRA_DB_APPLICATION_TOKEN=\$(cat samples/astra-app-token)"
ASTRA_DB_APPLICATION_TOKEN=$(cat samples/astra-app-token)
export ASTRA_DB_APPLICATION_TOKEN
echo "\$ tokenfleet validate -i $out/astra-fleet.yaml"
run validate -i "$out/astra-fleet.yaml"
[ "$rc" -eq 0 ]
echo
echo "\$ tokenfleet provision -i $out/astra-fleet.yaml --env-names astra --env-dir $out/astra-envs \\"
echo "    $tls_shown"
run provision -i "$out/astra-fleet.yaml" --env-names astra --env-dir "$out/astra-envs" "${tls[@]}"
[ "$rc" -eq 0 ]
echo
echo "\$ tokenfleet check -i $out/astra-fleet.yaml --junit $out/astra-junit.xml \\"
echo "    $tls_shown"
run check -i "$out/astra-fleet.yaml" --junit "$out/astra-junit.xml" "${tls[@]}"
[ "$rc" -eq 0 ]
echo
shown=$out/astra-envs/catalog.us-east-2.env
echo "\$ cat $shown    # the demo shows the token as ********"
sed -E 's/AstraCS:[A-Za-z0-9:]*/********/g' "$shown"
echo
abs=$(realpath "$out")
echo "env files:  $abs/envs/ ($(ls "$out/envs" | wc -l) files, e.g. orders.us-east1.env)"
echo "report:     $abs/report.json"
echo "JUnit:      $abs/junit.xml"
echo "Prometheus: $abs/check.prom"
echo "Astra today: inventory $abs/astra-fleet.yaml, JUnit $abs/astra-junit.xml,"
echo "             env files $abs/astra-envs/ ($(ls "$out/astra-envs" | wc -l) files)"
echo "emulator's request log: $abs/emulator/requests.log"
[ "$provision_rc" -le 1 ] && [ "$check_rc" -le 1 ] && [ "$watch_rc" -eq 0 ]
