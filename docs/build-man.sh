#!/bin/sh
# build-man.sh SCDOC SOURCE PAGE: renders the scdoc source SOURCE into the man page PAGE (what
# CMake runs; PAGE is replaced only when both steps worked).
set -eu
scdoc=$1
src=$2
page=$3
"$scdoc" <"$src" >"$page.tmp"
# groff's man macros switch hyphenation back on at .TH, and groff breaks a line after any "-":
# an option such as --connect-timeout could be cut in two and not paste back whole. So, for the
# whole page: no hyphenation (.nh), and no line break after "-" (.cflags 0 -).
sed '/^\.TH /a\
.nh\
.cflags 0 -' "$page.tmp" >"$page.tmp2"
rm -f "$page.tmp"
mv "$page.tmp2" "$page"
