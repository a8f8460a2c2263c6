#!/bin/sh
# gen-certs.sh OUTDIR: a throw-away test CA and a server certificate for stargate-emulator.
# Writes OUTDIR/ca.crt, OUTDIR/server.crt and OUTDIR/server.key (EC P-256, valid 30 days,
# subjectAltName *.apps.astra.datastax.com, api.astra.datastax.com (the DevOps API, for
# discover), localhost, 127.0.0.1). Does nothing when they exist, match, name the DevOps API's
# host, and server.crt is valid for at least one more day. Quiet on success.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"

# Parallel test runs may call this at once: one generates, the others then find the result.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$out/.gen-certs.lock"
    flock 9
fi

current() {
    [ -s "$out/ca.crt" ] && [ -s "$out/server.crt" ] && [ -s "$out/server.key" ] &&
        openssl x509 -in "$out/server.crt" -noout -checkend 86400 >/dev/null 2>&1 &&
        openssl x509 -in "$out/server.crt" -noout -checkhost api.astra.datastax.com 2>/dev/null |
        grep -q "does match" &&
        openssl verify -CAfile "$out/ca.crt" "$out/server.crt" >/dev/null 2>&1
}
if current; then
    exit 0
fi

tmp=$(mktemp -d "$out/.gen-certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Runs a command silently; on failure shows what it said.
run() {
    if ! "$@" >"$tmp/out.log" 2>&1; then
        echo "$0: failed: $*" >&2
        cat "$tmp/out.log" >&2
        exit 1
    fi
}

umask 077
run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key"
run openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 30 \
    -subj "/O=tokenfleet tests/CN=tokenfleet throw-away test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$tmp/ca.crt"

run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/server.key"
run openssl req -new -key "$tmp/server.key" -subj "/O=tokenfleet tests/CN=localhost" \
    -out "$tmp/server.csr"
cat >"$tmp/server.ext" <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.apps.astra.datastax.com, DNS:api.astra.datastax.com, DNS:localhost, IP:127.0.0.1
EXT
run openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 30 -sha256 \
    -extfile "$tmp/server.ext" -out "$tmp/server.crt"

chmod 644 "$tmp/ca.crt" "$tmp/server.crt"
chmod 600 "$tmp/server.key"
# server.crt last: until it is in place the set does not count as current.
mv -f "$tmp/server.key" "$out/server.key"
mv -f "$tmp/ca.crt" "$out/ca.crt"
mv -f "$tmp/server.crt" "$out/server.crt"
