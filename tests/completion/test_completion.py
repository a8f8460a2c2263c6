"""Shell completion: completions/tokenfleet.bash in bash (with bash-completion) and
completions/_tokenfleet in zsh complete commands, options, files, and target names read from the
inventory given with -i; and each command's options are exactly those the code takes (asked of
options.c's parser, see tests/docs/code_options.py), so the scripts cannot drift from the code.

bash: complete.bash calls the completion function with COMP_WORDS and COMP_CWORD set.
zsh: complete.zsh drives an interactive zsh on a pseudo-terminal and records what it offers.

Environment: TOKENFLEET (the binary), OPTIONS_PROBE and SOURCE_DIR (for code_options)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "docs"))
from code_options import SOURCE_DIR, options_by_command  # noqa: E402

TOKENFLEET = os.environ["TOKENFLEET"]
BASH_SCRIPT = os.path.join(SOURCE_DIR, "completions", "tokenfleet.bash")
ZSH_DIR = os.path.join(SOURCE_DIR, "completions")

INVENTORY = """\
version: 1
defaults:
  password: {env: TOKENFLEET_TEST_UNSET_PASSWORD}   # unset: completion needs no password
  keyspace: app
  username: svc
databases:
  - name: orders
    id: 6513270e-269e-4d37-b2a7-4de452e6b438
    regions: [us-east1, eu-west1]
  - name: billing
    id: d23f0824-128b-4f33-8c5c-7fd0a6a3a450
    region: us-east1
  - name: ordering
    id: 8d116ece-1738-47d9-bd9c-172411e20b8f
    region: asia-south1
"""
TARGETS = {"orders/us-east1", "orders/eu-west1", "billing/us-east1", "ordering/asia-south1"}
DATABASES = {"orders", "billing", "ordering"}


class Shell:
    """A scratch folder (the completions' working directory, with fleet.yaml, notes.txt and a
    folder envs/) and a PATH on which `tokenfleet` is the binary under test."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tokenfleet-completion-")
        self.dir = self.tmp.name
        os.makedirs(os.path.join(self.dir, "bin"))
        os.symlink(os.path.abspath(TOKENFLEET), os.path.join(self.dir, "bin", "tokenfleet"))
        self.work = os.path.join(self.dir, "work")
        os.makedirs(os.path.join(self.work, "envs"))
        for name, text in (("fleet.yaml", INVENTORY), ("notes.txt", "")):
            with open(os.path.join(self.work, name), "w") as f:
                f.write(text)
        self.env = dict(os.environ, PATH=os.path.join(self.dir, "bin") + ":" + os.environ["PATH"],
                        HOME=self.work, TERM="dumb")
        self.env.pop("TOKENFLEET_TEST_UNSET_PASSWORD", None)

    def bash(self, *words, line=None, stdin=""):
        """What bash offers for words (as bash splits the line: see complete.bash), its
        standard input holding stdin."""
        given = ["--line", line] if line is not None else []
        p = subprocess.run([os.path.join(HERE, "complete.bash"), BASH_SCRIPT, *given, *words],
                           cwd=self.work, env=self.env, capture_output=True, text=True,
                           input=stdin, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"complete.bash {words}: {p.stderr}")
        return set(filter(None, p.stdout.split("\n")))

    def zsh(self, line):
        p = subprocess.run(["zsh", "-f", os.path.join(HERE, "complete.zsh"), ZSH_DIR, line],
                           cwd=self.work, env=self.env, capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"complete.zsh {line!r}: {p.stderr}")
        return set(filter(None, p.stdout.split("\n")))

    def close(self):
        self.tmp.cleanup()


def commands_of_main_help():
    p = subprocess.run([TOKENFLEET, "--help"], capture_output=True, text=True, timeout=30)
    block = p.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return {line.split()[0] for line in block.splitlines()}


def option_words(opts):
    """--long and -s of each (long, short, has_value) option."""
    out = set()
    for long_name, short, _ in opts:
        out.add(f"--{long_name}")
        if short:
            out.add(f"-{short}")
    return out


class CompletionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.by_command, _ = options_by_command()
        cls.commands = commands_of_main_help()

    def setUp(self):
        self.sh = Shell()

    def tearDown(self):
        self.sh.close()


class BashTest(CompletionTest):
    def test_commands(self):
        self.assertEqual(self.sh.bash("tokenfleet", "prov"), {"provision"})
        self.assertEqual(self.sh.bash("tokenfleet", ""),
                         self.commands | {"help", "--help", "--version"})
        self.assertEqual(self.sh.bash("tokenfleet", "help", "pro"), {"provision"})

    def test_options(self):
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "--env-f"),
                         {"--env-file", "--env-format"})
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "--env-format", ""),
                         {"portable", "sh"})
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "--env-format", "=",
                                      line="tokenfleet provision --env-format="),
                         {"portable", "sh"})
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "--env-format", "=", "p",
                                      line="tokenfleet provision --env-format=p"),
                         {"portable"})

    def test_each_command_offers_exactly_its_options(self):
        self.assertEqual(set(self.by_command), self.commands)
        for command, opts in sorted(self.by_command.items()):
            with self.subTest(command=command):
                self.assertEqual(self.sh.bash("tokenfleet", command, "-"), option_words(opts))

    def test_target_names_from_the_inventory(self):
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "-i", "fleet.yaml", "--limit", "ord"),
                         {"orders/us-east1", "orders/eu-west1", "ordering/asia-south1", "orders",
                          "ordering"})
        self.assertEqual(self.sh.bash("tokenfleet", "exec", "-i", "fleet.yaml", "--target", ""),
                         TARGETS | DATABASES)
        for given in (["--inventory", "fleet.yaml"], ["--inventory=fleet.yaml"],
                      ["-ifleet.yaml"], ["-i", "~/fleet.yaml"]):
            with self.subTest(given=given):
                self.assertEqual(self.sh.bash("tokenfleet", "check", *given, "--limit", "b"),
                                 {"billing/us-east1", "billing"})
        # No inventory yet, or one that does not load: nothing to offer.
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "--limit", ""), set())
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "-i", "notes.txt", "--limit", ""),
                         set())
        # -i - is standard input, in a shell the terminal: never read (it would wait on it),
        # even when it holds an inventory.
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "-i", "-", "--limit", "",
                                      stdin=INVENTORY), set())

    def test_files(self):
        self.assertEqual(self.sh.bash("tokenfleet", "validate", "-i", ""), {"fleet.yaml", "envs"})
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "--env-dir", ""), {"envs"})
        self.assertEqual(self.sh.bash("tokenfleet", "provision", "--report", "no"), {"notes.txt"})

    def test_exec_completes_the_command_after_double_dash(self):
        self.assertEqual(self.sh.bash("tokenfleet", "exec", "-i", "fleet.yaml", "--target",
                                      "orders", ""), {"--"})
        self.assertIn("echo", self.sh.bash("tokenfleet", "exec", "-i", "fleet.yaml", "--target",
                                           "orders", "--", "ech"))


@unittest.skipUnless(shutil.which("zsh"), "zsh is not installed (tests/install-deps.sh)")
class ZshTest(CompletionTest):
    def test_commands(self):
        self.assertEqual(self.sh.zsh("tokenfleet prov"), {"provision"})
        self.assertEqual(self.sh.zsh("tokenfleet "), self.commands | {"help"})
        self.assertEqual(self.sh.zsh("tokenfleet help pro"), {"provision"})

    def test_options(self):
        self.assertEqual(self.sh.zsh("tokenfleet provision --env-f"),
                         {"--env-file", "--env-format"})
        self.assertEqual(self.sh.zsh("tokenfleet provision --env-format "), {"portable", "sh"})

    def test_each_command_offers_exactly_its_options(self):
        for command, opts in sorted(self.by_command.items()):
            with self.subTest(command=command):
                self.assertEqual(self.sh.zsh(f"tokenfleet {command} -"), option_words(opts))

    def test_target_names_from_the_inventory(self):
        self.assertEqual(self.sh.zsh("tokenfleet provision -i fleet.yaml --limit ord"),
                         {"orders/us-east1", "orders/eu-west1", "ordering/asia-south1", "orders",
                          "ordering"})
        self.assertEqual(self.sh.zsh("tokenfleet exec -i fleet.yaml --target "),
                         TARGETS | DATABASES)
        self.assertEqual(self.sh.zsh("tokenfleet check --inventory=~/fleet.yaml --limit=b"),
                         {"billing/us-east1", "billing"})
        # -i - is the terminal here: not read (list would wait on it until the test's timeout).
        self.assertEqual(self.sh.zsh("tokenfleet provision -i - --limit "), set())

    def test_files(self):
        self.assertEqual(self.sh.zsh("tokenfleet validate -i "), {"fleet.yaml", "envs"})
        self.assertEqual(self.sh.zsh("tokenfleet provision --env-dir "), {"envs"})

    def test_exec_completes_the_command_after_double_dash(self):
        self.assertIn("echo", self.sh.zsh("tokenfleet exec -i fleet.yaml --target orders -- ech"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
