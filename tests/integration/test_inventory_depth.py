"""An inventory nested a million levels deep is refused at once: reading stops at the 65th level,
because libyaml's scanner walks every open level for each token (read through, 1,000,000 "["
cost 34 s of CPU). Needs no emulator.

Environment: TOKENFLEET (the binary); TOKENFLEET_TEST_WRAPPER (e.g. valgrind ...) runs it under a
wrapper, and then the CPU bound is not checked (only the outcome)."""
import os
import subprocess
import sys
import tempfile
import unittest

TOKENFLEET = os.environ["TOKENFLEET"]
WRAPPER = os.environ.get("TOKENFLEET_TEST_WRAPPER", "").split()
CPU_BOUND_S = 0.5  # the goal is 0.1 s; the bound leaves room for a busy machine


def run_with_rusage(argv):
    """Runs argv; returns (exit status, stderr, user+system CPU seconds of the child)."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return p.returncode, err.read().decode(), usage.ru_utime + usage.ru_stime


class DepthTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tokenfleet-depth-")
        self.addCleanup(self._tmp.cleanup)
        self.workdir = self._tmp.name

    def check_refused_fast(self, name, text, line, column):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            f.write(text)
        rc, err, cpu = run_with_rusage([*WRAPPER, TOKENFLEET, "validate", "-i", path])
        print(f"\n{name}: {len(text):,} bytes, exit {rc}, {cpu:.4f} s CPU", file=sys.stderr)
        self.assertEqual(rc, 2, err)
        self.assertEqual(err, f"{path}:{line}:{column}: error: nesting deeper than 64 levels of "
                              "lists and mappings; an inventory needs 5 at most (is a [ or { left "
                              "unclosed?)\n")
        if not WRAPPER:
            self.assertLess(cpu, CPU_BOUND_S)

    def test_a_million_open_brackets(self):
        self.check_refused_fast("brackets.yaml", "[" * 1_000_000, 1, 65)

    def test_a_million_open_braces_inside_an_inventory(self):
        self.check_refused_fast("braces.yaml",
                                "version: 1\ndatabases:\n  - tags: " + "{a: " * 1_000_000, 3, 255)


if __name__ == "__main__":
    unittest.main(verbosity=2)
