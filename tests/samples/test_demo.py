"""samples/demo.sh end to end: every command it shows says what the README promises, against the
bundled emulator serving the sample fleet's keyspaces; the only failure is reports/eu-west1's
wrong password (auth_failed), never a keyspace_unreachable. Its Astra part, against the same
emulator playing the organization of samples/astra-databases.json: discover writes an inventory
of the ACTIVE databases that validates, provision --env-names astra writes the five variables
of each ACTIVE datacenter without a single auth request, check passes, and no token is shown.

The demo runs with --no-build on the binaries of the build under test: it must not reconfigure
or rebuild a build that CTest is running tests from. Its outputs and its emulator go to a
temporary folder (--out), so that a demo run by hand in build/demo is left alone.

Environment: BUILD_DIR (the CMake build), SOURCE_DIR (the repository)."""
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

import yaml

BUILD_DIR = os.path.abspath(os.environ["BUILD_DIR"])
SOURCE_DIR = os.environ["SOURCE_DIR"]
DEMO = os.path.join(SOURCE_DIR, "samples", "demo.sh")
# The integration tests' helpers read their binary and their emulator from the environment; this
# test passes the demo's emulator folder to what it uses (log_lines) instead.
os.environ.setdefault("TOKENFLEET", os.path.join(BUILD_DIR, "tokenfleet"))
os.environ.setdefault("EMULATOR_DIR", "")
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
import harness  # noqa: E402

ASTRA_BANNER = "== Astra today"
ASTRA_VARIABLES = ["ASTRA_DB_ID", "ASTRA_DB_REGION", "ASTRA_DB_KEYSPACE",
                   "ASTRA_DB_APPLICATION_TOKEN", "ASTRA_DB_API_ENDPOINT"]


def sample(name):
    with open(os.path.join(SOURCE_DIR, "samples", name)) as f:
        return f.read()


ASTRA_DATABASES = json.loads(sample("astra-databases.json"))
ACTIVE = [db for db in ASTRA_DATABASES if db["status"] == "ACTIVE"]
ORG_TOKEN = sample("astra-org-token").strip()
APP_TOKEN = sample("astra-app-token").strip()
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
        # The demo's two parts: the sample fleet (passwords), then Astra today (tokens).
        cls.first, _, cls.astra = cls.text.partition(ASTRA_BANNER)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def section(self, command, text=None):
        """The output of the demo's `$ tokenfleet COMMAND ...` up to the next command, in text
        (default: the demo's first part)."""
        parts = re.split(r"^\$ tokenfleet ", self.first if text is None else text, flags=re.M)
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
        # Every ok target's token was proven: one keyspace GET answered 200 for each (the Astra
        # part's requests left out).
        gets = [l for l in self.log() if l["method"] == "GET" and l["host"] not in astra_hosts()]
        self.assertGreaterEqual(len([g for g in gets if g["status"] == 200]), 17)
        self.assertEqual([g for g in gets if g["status"] != 200], [])

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

    def log(self):
        return harness.log_lines(directory=os.path.join(self.out, "emulator"))

    def astra_inventory(self):
        with open(os.path.join(self.out, "astra-fleet.yaml")) as f:
            return yaml.safe_load(f)

    def test_astra_discover_lists_the_active_databases(self):
        text = self.section("discover", self.astra)
        self.assertIn("--org-token-file samples/astra-org-token", text)
        self.assertIn("6 databases in 1 page: 5 written, 1 commented out", text)
        entries = self.astra_inventory()["databases"]
        self.assertEqual([e["id"] for e in entries], [db["id"] for db in ACTIVE])
        # Astra allows one name twice; the inventory may not.
        names = [e["name"] for e in entries]
        self.assertEqual(len(set(names)), len(names), names)
        twins = [e["name"] for e, db in zip(entries, ACTIVE) if db["info"]["name"] == "analytics"]
        self.assertEqual(twins, ["analytics", "analytics-2"])
        self.assertEqual([e.get("api") for e in entries],
                         ["data" if db["info"].get("dbType") == "vector" else None
                          for db in ACTIVE])
        # The list came from the DevOps API's real host name, over TLS, through the emulator.
        devops = [l for l in self.log() if l["host"] == "api.astra.datastax.com"]
        self.assertEqual([(l["method"], l["path"], l["status"]) for l in devops],
                         [("GET", "/v2/databases", 200)])

    def test_astra_inventory_validates(self):
        self.assertIn("astra-fleet.yaml: valid: 5 databases, 6 targets",
                      self.section("validate", self.astra))

    def test_astra_provision_writes_the_variables_without_an_auth_request(self):
        text = self.section("provision", self.astra)
        self.assertIn("--env-names astra", text)
        self.assertRegex(text, r"tokenfleet: 6 targets: 6 ok, 0 failed in [0-9.]+ s")
        entries = {e["id"]: e for e in self.astra_inventory()["databases"]}
        envs = os.path.join(self.out, "astra-envs")
        expected = sorted(f"{entries[db['id']]['name']}.{dc['region']}.env"
                          for db in ACTIVE for dc in db["info"]["datacenters"])
        self.assertEqual(len(expected), 6)
        self.assertEqual(sorted(os.listdir(envs)), expected)
        for db in ACTIVE:
            for dc in db["info"]["datacenters"]:
                path = os.path.join(envs, f"{entries[db['id']]['name']}.{dc['region']}.env")
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
                with open(path) as f:
                    pairs = [l.split("=", 1) for l in f.read().splitlines()
                             if l and not l.startswith("#")]
                self.assertEqual(dict(pairs), {
                    "ASTRA_DB_ID": db["id"], "ASTRA_DB_REGION": dc["region"],
                    "ASTRA_DB_KEYSPACE": db["info"]["keyspace"],
                    "ASTRA_DB_APPLICATION_TOKEN": APP_TOKEN,
                    "ASTRA_DB_API_ENDPOINT":
                        f"https://{db['id']}-{dc['region']}.apps.astra.datastax.com"}, path)
                self.assertEqual([k for k, _ in pairs], ASTRA_VARIABLES)
        # Each token was proven on its own database's host, and no auth request went there.
        astra = [l for l in self.log() if l["host"] in astra_hosts()]
        self.assertEqual({l["host"] for l in astra}, astra_hosts())
        self.assertEqual([l for l in astra if "/v1/auth" in l["path"] or l["status"] != 200], [])

    def test_astra_check_passes(self):
        self.assertRegex(self.section("check", self.astra),
                         r"tokenfleet: 6 targets: 6 ok, 0 failed in [0-9.]+ s")
        suite = ET.parse(os.path.join(self.out, "astra-junit.xml")).getroot()
        self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("errors")),
                         ("6", "0", "0"))

    def test_astra_shows_an_env_file_but_no_token(self):
        self.assertIn("ASTRA_DB_APPLICATION_TOKEN=********\n", self.astra)
        for name in ASTRA_VARIABLES:
            self.assertRegex(self.astra, rf"(?m)^{name}=\S")
        for secret in (ORG_TOKEN, APP_TOKEN, ORG_TOKEN.rsplit(":", 1)[1],
                       APP_TOKEN.rsplit(":", 1)[1]):
            self.assertNotIn(secret, self.text)


def astra_hosts():
    """The host names of the Astra part's ACTIVE datacenters."""
    return {f"{db['id']}-{dc['region']}.apps.astra.datastax.com"
            for db in ACTIVE for dc in db["info"]["datacenters"]}


if __name__ == "__main__":
    unittest.main(verbosity=2)
