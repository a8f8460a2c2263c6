#!/usr/bin/env bash
# Runs a test program under $TOKENFLEET_TEST_WRAPPER (e.g. valgrind with its options), or as it
# is when that is empty. The integration tests' harness wraps the tokenfleet binary the same way.
# shellcheck disable=SC2086
exec ${TOKENFLEET_TEST_WRAPPER:-} "$@"
