#!/usr/bin/env bash
# Starts or stops a Stargate emulator for tests and the demo.
#   emulator-ctl.sh start DIR USERS EMULATOR [http|https [EMULATOR OPTIONS...]]
#                                                 -> DIR/port, DIR/requests.log, DIR/pid
#   emulator-ctl.sh stop DIR
# HTTPS by default, with a throw-away CA and server certificate made in DIR/tls (DIR/tls/ca.crt
# is what clients trust).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=$1 dir=$2

case "$cmd" in
start)
    users=$3 emulator=$4 scheme=${5:-https}
    shift $(($# < 5 ? $# : 5))
    mkdir -p "$dir"
    [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/port" "$dir/pid" "$dir/requests.log"
    tls=()
    if [ "$scheme" = https ]; then
        "$here/../emulator/gen-certs.sh" "$dir/tls"
        tls=(--tls-cert "$dir/tls/server.crt" --tls-key "$dir/tls/server.key")
    fi
    "$emulator" --users "$users" --port-file "$dir/port" --log "$dir/requests.log" "${tls[@]}" "$@" \
        </dev/null >"$dir/emulator.out" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
        [ -s "$dir/port" ] && exit 0
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
        sleep 0.1
    done
    echo "emulator-ctl: the emulator did not start; its output:" >&2
    cat "$dir/emulator.out" >&2
    exit 1
    ;;
stop)
    if [ -f "$dir/pid" ]; then
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$dir/pid"
    fi
    ;;
*)
    echo "usage: emulator-ctl.sh start DIR USERS EMULATOR [http|https] | stop DIR" >&2
    exit 2
    ;;
esac
