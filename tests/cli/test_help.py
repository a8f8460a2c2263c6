"""`tokenfleet help COMMAND` prints what `tokenfleet COMMAND --help` prints, for every command the
main help lists; `tokenfleet help` alone is the main help.

Environment: TOKENFLEET (the binary); TOKENFLEET_TEST_WRAPPER (e.g. valgrind) is put before it."""
import os
import subprocess
import unittest

TOKENFLEET = os.environ["TOKENFLEET"]
WRAPPER = os.environ.get("TOKENFLEET_TEST_WRAPPER", "").split()


def run(*args):
    return subprocess.run([*WRAPPER, TOKENFLEET, *args], capture_output=True, text=True,
                          timeout=120)


class HelpTest(unittest.TestCase):
    def commands(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        block = p.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        names = [line.split()[0] for line in block.splitlines()]
        self.assertIn("list", names)
        return names

    def test_help_command_is_command_help(self):
        for name in self.commands():
            a = run("help", name)
            b = run(name, "--help")
            self.assertEqual((a.returncode, a.stdout, a.stderr), (b.returncode, b.stdout, b.stderr),
                             name)
            if b.returncode == 0:
                self.assertTrue(b.stdout.startswith(f"Usage: tokenfleet {name}"), name)
            else:  # listed in the main help but not (yet) wired into cmd/main.c
                print(f"note: `tokenfleet {name} --help` fails ({b.stderr.strip()}): "
                      "compared as is")

    def test_help_alone_and_errors(self):
        self.assertEqual(run("help").stdout, run("--help").stdout)
        p = run("help", "provison")
        self.assertEqual(p.returncode, 2)
        self.assertIn('did you mean "provision"', p.stderr)
        p = run("help", "provision", "check")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    unittest.main(verbosity=2)
