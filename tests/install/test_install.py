"""`cmake --install` puts every file where README's "Installing" says, under --prefix and under
DESTDIR, and what it installs works there: the binary runs, man finds the page through MANPATH,
the completion scripts are the repository's, and the systemd units name the installed binary
(the prefix given at install time, not /usr/local/bin) and pass systemd-analyze verify.

Environment: CMAKE_COMMAND, BUILD_DIR (a built tree), SOURCE_DIR (the repository)."""
import filecmp
import os
import subprocess
import tempfile
import unittest

CMAKE = os.environ["CMAKE_COMMAND"]
BUILD_DIR = os.environ["BUILD_DIR"]
SOURCE_DIR = os.environ["SOURCE_DIR"]
SAMPLE_UNITS = sorted(n for n in os.listdir(os.path.join(SOURCE_DIR, "samples", "systemd"))
                      if n.endswith((".service", ".timer")))
UNIT_DIR = "lib/systemd/system"


def install(prefix, destdir=None):
    env = dict(os.environ)
    env.pop("DESTDIR", None)
    if destdir:
        env["DESTDIR"] = destdir
    p = subprocess.run([CMAKE, "--install", BUILD_DIR, "--prefix", prefix], env=env,
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"cmake --install failed:\n{p.stdout}{p.stderr}")


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, names in os.walk(root) for f in names)


def expected_files():
    return sorted(["bin/tokenfleet", "share/man/man1/tokenfleet.1",
                   "share/bash-completion/completions/tokenfleet",
                   "share/zsh/site-functions/_tokenfleet"]
                  + [f"{UNIT_DIR}/{n}" for n in SAMPLE_UNITS])


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tokenfleet-install-")

    def tearDown(self):
        self.tmp.cleanup()

    def check_units(self, unit_dir, binary):
        for name in SAMPLE_UNITS:
            with open(os.path.join(unit_dir, name)) as f:
                text = f.read()
            self.assertNotIn("/usr/local/bin/tokenfleet", text, name)
            if name.endswith(".service"):
                self.assertIn(f"{binary} ", text, f"{name} does not run {binary}")

    def test_prefix(self):
        prefix = os.path.join(self.tmp.name, "prefix")
        install(prefix)
        self.assertEqual(files_under(prefix), expected_files())
        binary = os.path.join(prefix, "bin", "tokenfleet")
        self.assertTrue(os.access(binary, os.X_OK))
        p = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("tokenfleet "))

        # man finds the page by name through the prefix's share/man.
        env = dict(os.environ, MANPATH=os.path.join(prefix, "share", "man"))
        p = subprocess.run(["man", "-w", "tokenfleet"], env=env, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.stdout.strip(), os.path.join(prefix, "share/man/man1/tokenfleet.1"),
                         p.stderr)

        for installed, source in (("share/bash-completion/completions/tokenfleet",
                                   "completions/tokenfleet.bash"),
                                  ("share/zsh/site-functions/_tokenfleet",
                                   "completions/_tokenfleet")):
            self.assertTrue(filecmp.cmp(os.path.join(prefix, installed),
                                        os.path.join(SOURCE_DIR, source), shallow=False))

        # The units run the installed binary, which exists: verify needs no copy here.
        unit_dir = os.path.join(prefix, UNIT_DIR)
        self.check_units(unit_dir, binary)
        for name in SAMPLE_UNITS:
            with self.subTest(unit=name):
                p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                                    os.path.join(unit_dir, name)],
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""))

    def test_destdir(self):
        stage = os.path.join(self.tmp.name, "stage")
        install("/usr", destdir=stage)
        self.assertEqual(files_under(os.path.join(stage, "usr")), expected_files())
        self.assertEqual(os.listdir(stage), ["usr"])
        self.check_units(os.path.join(stage, "usr", UNIT_DIR), "/usr/bin/tokenfleet")
        with open(os.path.join(BUILD_DIR, "install_manifest.txt")) as f:
            manifest = f.read().split()
        self.assertEqual(sorted(manifest), ["/usr/" + f for f in expected_files()])


if __name__ == "__main__":
    unittest.main(verbosity=2)
