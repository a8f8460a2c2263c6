#!/usr/bin/env bash
# The demo: builds tokenfleet, starts the bundled Stargate emulator over HTTPS, and provisions
# samples/fleet.yaml (a dozen databases, 18 targets; one password is wrong on purpose).
# Real Astra host names are sent to the emulator with --connect-to, so TLS and the host-name
# check run as in production, against a throw-away CA.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

tests/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
cmake --build build -j"$(nproc)" --target tokenfleet stargate-emulator >/dev/null

out=build/demo
emu=$out/emulator
mkdir -p "$out"
trap 'tests/integration/emulator-ctl.sh stop "$emu"' EXIT
tests/integration/emulator-ctl.sh start "$emu" samples/emulator-users.txt \
    build/tests/emulator/stargate-emulator https
port=$(cat "$emu/port")

chmod 600 samples/secrets/*.pw # git does not keep file modes beyond the executable bit
export ASTRA_DB_PASSWORD=demo-Pa55word-not-for-production

echo "\$ tokenfleet validate -i samples/fleet.yaml"
build/tokenfleet validate -i samples/fleet.yaml
echo
echo "\$ tokenfleet provision -i samples/fleet.yaml --env-dir $out/envs --report $out/report.json \\"
echo "    --connect-to ::127.0.0.1:$port --cacert $emu/tls/ca.crt"
rc=0
build/tokenfleet provision -i samples/fleet.yaml --env-dir "$out/envs" \
    --report "$out/report.json" --connect-to "::127.0.0.1:$port" --cacert "$emu/tls/ca.crt" ||
    rc=$?
echo
echo "exit code $rc (1: some target failed; reports/eu-west1 has a wrong password on purpose)"
echo "env files:  $top/$out/envs/ ($(ls "$out/envs" | wc -l) files, e.g. orders.us-east1.env)"
echo "report:     $top/$out/report.json"
echo "emulator's request log: $top/$emu/requests.log"
[ "$rc" -le 1 ]
