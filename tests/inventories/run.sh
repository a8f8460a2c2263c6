#!/bin/sh
# run.sh TOKENFLEET_BINARY: runs `tokenfleet validate -i FILE` on every inventory here.
#   bad/NN-name.yaml   must exit 2 and print to stderr exactly bad/NN-name.expected (nothing to stdout)
#   good/*.yaml        must exit 0
# and no case may print a password (they all start with "inv-test-password-") or an application
# token (their secret parts start 0123456789abcdef0123456789abcdef).
#
# Each folder is copied to a scratch folder first and the inventory is given by its bare name from
# there, as a user in bad/ would type it: the messages then name the file as "NN-name.yaml", and
# {file:} paths resolve inside the copy. The copy gives every file mode 0600 (0644 for names with
# "world-readable"), because tokenfleet warns about inventories and password files that others can
# read, and a checkout's modes depend on the umask.
#
# Every bad case is run a second time with the inventory on standard input (validate -i - <FILE):
# the messages must be the same, naming the file <stdin>.
#
# Prints a line per failure (with a diff) and, last, "N passed, M failed"; exits 1 on any failure.
# TF_INV_UPDATE=1 rewrites each differing .expected with what was printed: for after a deliberate
# change of wording, to be read in `git diff` before it is committed.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 TOKENFLEET_BINARY" >&2
    exit 2
fi
case $1 in
/*) bin=$1 ;;
*) bin=$(pwd)/$1 ;;
esac
if [ ! -x "$bin" ]; then
    echo "run.sh: $bin is not an executable" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

# The environment the cases are written for.
export LC_ALL=C # strerror() texts in English
export TF_BAD_INV_PW=inv-test-password-env-bad
TF_BAD_INV_LATIN1=$(printf 'inv-test-password-caf\351') # not UTF-8
export TF_BAD_INV_LATIN1
export TF_BAD_INV_EMPTY=
export TF_GOOD_INV_PW=inv-test-password-env-good
unset TF_BAD_INV_UNSET

work=$(mktemp -d "${TMPDIR:-/tmp}/tf-inv.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
for kind in bad good; do
    cp -R "$here/$kind" "$work/$kind" || exit 2
    find "$work/$kind" -type f -exec chmod 0600 {} + &&
        find "$work/$kind" -type f -name '*world-readable*' -exec chmod 0644 {} + || exit 2
done

passed=0
failed=0
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
}

# Passwords that the cases use, and application tokens' secret parts: their values must never
# be printed.
leaks() {
    grep -l -e 'inv-test-password-' -e '0123456789abcdef0123456789abcdef' "$@" >/dev/null 2>&1
}

for yaml in "$work"/bad/*.yaml; do
    name=$(basename "$yaml")
    case=${name%.yaml}
    expected=$here/bad/$case.expected
    if [ ! -f "$expected" ]; then
        fail "bad/$name: no $case.expected next to it"
        continue
    fi
    (cd "$work/bad" && "$bin" validate -i "$name" >"$work/out" 2>"$work/err" </dev/null)
    rc=$?
    ok=1
    if [ $rc -ne 2 ]; then
        fail "bad/$name: exit status $rc, expected 2"
        ok=0
    fi
    if [ -s "$work/out" ]; then
        fail "bad/$name: printed to stdout"
        ok=0
    fi
    if ! cmp -s "$expected" "$work/err"; then
        fail "bad/$name: stderr differs from $case.expected (- expected, + got)"
        diff -u "$expected" "$work/err" | sed '1,2d; s/^/    /'
        [ -n "${TF_INV_UPDATE:-}" ] && cp "$work/err" "$expected"
        ok=0
    fi
    if leaks "$work/err" "$work/out"; then
        fail "bad/$name: a password was printed"
        ok=0
    fi
    [ $ok = 1 ] && passed=$((passed + 1))

    # The same inventory on standard input (-i -), from the same folder: the same messages, the
    # file named <stdin>. Not for an inventory others can read, whose warning names the file.
    case $name in *world-readable*) continue ;; esac
    (cd "$work/bad" && "$bin" validate -i - <"$name" >"$work/out" 2>"$work/err")
    rc=$?
    sed "s|^$name:|<stdin>:|" "$expected" >"$work/expected-stdin"
    if [ $rc -ne 2 ] || [ -s "$work/out" ] || ! cmp -s "$work/expected-stdin" "$work/err" ||
        leaks "$work/err"; then
        fail "bad/$name on standard input: exit status $rc (- expected, + got)"
        diff -u "$work/expected-stdin" "$work/err" | sed '1,2d; s/^/    /'
    else
        passed=$((passed + 1))
    fi
done

# An .expected left behind by a renamed or removed case would silently test nothing.
for expected in "$here"/bad/*.expected; do
    [ -f "${expected%.expected}.yaml" ] || fail "bad/$(basename "$expected"): no .yaml next to it"
done

for yaml in "$work"/good/*.yaml; do
    name=$(basename "$yaml")
    (cd "$work/good" && "$bin" validate -i "$name" >"$work/out" 2>"$work/err" </dev/null)
    rc=$?
    ok=1
    if [ $rc -ne 0 ]; then
        fail "good/$name: exit status $rc, expected 0"
        sed 's/^/    /' "$work/err"
        ok=0
    fi
    if leaks "$work/err" "$work/out"; then
        fail "good/$name: a password was printed"
        ok=0
    fi
    [ $ok = 1 ] && passed=$((passed + 1))
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
