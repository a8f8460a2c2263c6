#!/usr/bin/env bash
# Installs, with apt-get, whichever of tokenfleet's build and test dependencies are missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcurl4-openssl-dev libyaml-dev libjansson-dev uuid-dev
  libsystemd-dev
  scdoc
  libcmocka-dev libmicrohttpd-dev
  openssl python3 clang valgrind
  libxml2-utils python3-prometheus-client util-linux strace
  man-db bash-completion zsh
  systemd python3-yaml
  tinyproxy-bin
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
