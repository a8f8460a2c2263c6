"""samples/demo.sh end to end: every command it shows says what the README promises, against the
bundled emulator serving the sample fleet's keyspaces; the only failure is reports/eu-west1's
wrong password (auth_failed), never a keyspace_unreachable.

The demo runs with --no-build on the binaries of the build under test: it must not reconfigure
or rebuild a build that CTest is running tests from. Its outputs and its emulator go to a
temporary folder (--out), so that a demo run by hand in build/demo is left alone.

Environment: BUILD_DIR (the CMake build), SOURCE_DIR (the repository)."""
import os
import re
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

BUILD_DIR = os.path.abspath(os.environ["BUILD_DIR"])
SOURCE_DIR = os.environ["SOURCE_DIR"]
DEMO = os.path.join(SOURCE_DIR, "samples", "demo.sh")
SUMMARY = r"tokenfleet: 18 targets: 17 ok, 1 failed \(auth_failed 1\) in [0-9.]+ s"
WRONG = re.compile(r"error: reports/eu-west1: (failed: )?auth_failed: HTTP 401: Failed to create "
                   r"token: Provided username reports_svc and/or password are incorrect")


class DemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tokenfleet-demo-")
        cls.out = os.path.join(cls.tmp.name, "demo")
        cls.proc = subprocess.run([DEMO, "--build-dir", BUILD_DIR, "--no-build", "--out", cls.out],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 timeout=120)
        cls.text = cls.proc.stdout

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def section(self, command):
        """The output of the demo's `$ tokenfleet COMMAND ...` up to the next command."""
        parts = re.split(r"^\$ tokenfleet ", self.text, flags=re.M)
        found = [p for p in parts if p.startswith(command + " ")]
        self.assertEqual(len(found), 1, self.text)
        return found[0]

    def test_runs_to_the_end(self):
        self.assertEqual(self.proc.returncode, 0, self.text)
        self.assertNotIn("keyspace_unreachable", self.text)
        # The one failure, and nothing else: in provision, check and each cycle of watch.
        errors = [l for l in self.text.splitlines() if "error:" in l]
        self.assertEqual(len(errors), 4, self.text)
        for line in errors:
            self.assertRegex(line, WRONG)

    def test_validate(self):
        self.assertIn("samples/fleet.yaml: valid: 12 databases, 18 targets",
                      self.section("validate"))

    def test_provision(self):
        text = self.section("provision")
        self.assertRegex(text, SUMMARY)
        self.assertIn("exit code 1 ", text)
        envs = os.listdir(os.path.join(self.out, "envs"))
        self.assertEqual(len(envs), 17)
        self.assertNotIn("reports.eu-west1.env", envs)
        self.assertIn(f"env files:  {os.path.realpath(self.out)}/envs/ (17 files", self.text)

    def test_check_verify_proves_every_keyspace(self):
        text = self.section("check")
        self.assertIn("--verify --junit", text)
        self.assertRegex(text, SUMMARY)
        self.assertIn("exit code 1 ", text)
        suite = ET.parse(os.path.join(self.out, "junit.xml")).getroot()
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("18", "1"))
        failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
        self.assertEqual([(c.get("classname"), c.get("name")) for c in failed],
                         [("reports", "eu-west1")])
        self.assertEqual(failed[0].find("failure").get("type"), "auth_failed")
        with open(os.path.join(self.out, "check.prom")) as f:
            prom = f.read()
        self.assertIn('tokenfleet_targets{status="ok"} 17', prom)
        self.assertIn('tokenfleet_targets{status="keyspace_unreachable"} 0', prom)
        # Every ok target's token was proven: one keyspace GET answered 200 for each.
        with open(os.path.join(self.out, "emulator", "requests.log")) as f:
            gets = [l.split("\t") for l in f if "\tGET\t" in l]
        self.assertGreaterEqual(len([g for g in gets if g[4].strip() == "200"]), 17)
        self.assertEqual([g for g in gets if g[4].strip() != "200"], [])

    def test_list(self):
        text = self.section("list")
        self.assertEqual(text.splitlines()[1:6], ["orders/us-east1", "orders/eu-west1",
                                                  "billing/us-east1", "ledger/us-east1",
                                                  "ledger/europe-west1"])

    def test_watch_keeps_the_provisioned_tokens(self):
        text = self.section("watch")
        for n in (1, 2):
            self.assertRegex(text, rf"tokenfleet: cycle {n}: 18 targets: 17 kept, 0 issued, "
                                   rf"0 replaced, 1 failed in [0-9.]+ s")
        self.assertNotRegex(text, r"cycle 3")
        self.assertIn("exit code 0 ", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
