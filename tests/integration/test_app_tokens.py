"""Application-token targets (Astra today) against an emulator of this file's own (plain HTTP,
its Host routing reached with --connect-to): provision proves each token with one call (the REST
keyspace GET for api: rest, the Data API's findCollections for api: data) and never asks /v1/auth;
--env-names astra writes the five variables Astra's SDKs read; a revoked token is left out with
auth_failed and is never renewed (watch), and a new token put where the inventory reads it is
taken on SIGHUP; check over a mixed inventory (passwords and
application tokens, rest and data) reports each target right in JSON, JUnit and Prometheus; exec
hands the token to its child. No token ever shows in any output."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import OwnEmulator, PASSWORD, slurp  # noqa: E402

HEX = "0123456789abcdef" * 4


def app_token(client):
    return f"AstraCS:{client}:{HEX}"


GOOD = app_token("GoodTokenForEveryDatabase")
REVOKED = app_token("TokenRevokedBeforeTheRun")
OTHER = app_token("TokenForOneOtherDatabase")
TOKENS = (GOOD, REVOKED, OTHER)

CLASSIC = str(uuid.uuid4())
VECTOR = str(uuid.uuid4())
CLASSIC2 = str(uuid.uuid4())
VECTOR2 = str(uuid.uuid4())
LEGACY = str(uuid.uuid4())  # not in --databases: the keyspaces file's "app" for user svc
ENDPOINT = "http://{id}-{region}.apps.astra.datastax.com"


def database(db_id, name, vector, keyspace):
    info = {"name": name, "keyspace": keyspace, "keyspaces": [keyspace], "region": "us-east1",
            "cloudProvider": "GCP", "tier": "serverless",
            "datacenters": [{"id": db_id + "-1", "name": "dc-1", "region": "us-east1",
                             "cloudProvider": "GCP", "status": ""}]}
    if vector:
        info["dbType"] = "vector"
    return {"id": db_id, "orgId": str(uuid.uuid4()), "status": "ACTIVE", "info": info,
            "emulatorCollections": {keyspace: ["docs"]} if vector else {}}


DATABASES = [database(CLASSIC, "orders", False, "orders"),
             database(VECTOR, "search", True, "default_keyspace"),
             database(CLASSIC2, "billing", False, "billing"),
             database(VECTOR2, "vectors", True, "default_keyspace")]

INVENTORY = f"""\
version: 1
defaults:
  token: {{env: ASTRA_DB_APPLICATION_TOKEN}}
  api_endpoint: {ENDPOINT}
databases:
  - name: orders
    id: {CLASSIC}
    keyspace: orders
    region: us-east1
  - name: search
    id: {VECTOR}
    api: data
    region: us-east1
  - name: billing
    id: {CLASSIC2}
    keyspace: billing
    region: us-east1
    token: {{env: REVOKED_TOKEN}}
  - name: vectors
    id: {VECTOR2}
    api: data
    region: us-east1
    token: {{file: revoked.token}}
"""

# Check's inventory adds a password database and an application token of another database.
MIXED = INVENTORY + f"""\
  - name: legacy
    id: {LEGACY}
    region: us-east1
    keyspace: app
    username: svc
    password: {{env: TF_TEST_PASSWORD}}
    auth_url: http://{{id}}-{{region}}.apps.astra.datastax.com/api/rest/v1/auth
  - name: elsewhere
    id: {CLASSIC}
    region: us-east2
    keyspace: orders
    token: {{env: OTHER_TOKEN}}
"""


def write(path, text, mode=0o600):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.chmod(path + ".tmp", mode)
    os.replace(path + ".tmp", path)


class AppTokenTest(harness.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = harness.class_tempdir(cls)
        write(os.path.join(cls.dir, "databases.json"), json.dumps(DATABASES))
        cls.app_path = os.path.join(cls.dir, "app-tokens.txt")
        write(cls.app_path, f"{GOOD}\n{REVOKED}\n{OTHER} {CLASSIC2}\n")
        cls.emu = OwnEmulator(os.path.join(cls.dir, "emulator"),
                              "--databases", os.path.join(cls.dir, "databases.json"),
                              "--app-tokens", cls.app_path,
                              "--keyspaces", os.path.join(harness.HERE, "keyspaces.txt"))
        cls.addClassCleanup(cls.emu.stop)
        # Revoked before any run: the token is no longer in the file (SIGUSR2 re-reads it).
        write(cls.app_path, f"{GOOD}\n{OTHER} {CLASSIC2}\n")
        if cls.emu.reload_tokens() != 0:
            raise AssertionError("the emulator refused the app tokens file")

    def setUp(self):
        super().setUp()
        self.inventory = os.path.join(self.workdir, "fleet.yaml")
        write(self.inventory, INVENTORY)
        write(os.path.join(self.workdir, "revoked.token"), REVOKED + "\n")

    def tf(self, *args, env=None, **kw):
        full = {"ASTRA_DB_APPLICATION_TOKEN": GOOD, "REVOKED_TOKEN": REVOKED,
                "OTHER_TOKEN": OTHER, **(env or {})}
        args = list(args)
        at = args.index("--") if "--" in args else len(args)  # exec's command comes last
        args[at:at] = ["--connect-to", f"::127.0.0.1:{self.emu.port}"]
        p = self.run_tokenfleet(*args, env=full, https=False, **kw)
        for stream in (p.stdout, p.stderr):
            self.assert_no_token(stream)
        return p

    def assert_no_token(self, text):
        for tok in TOKENS:
            self.assertNotIn(tok, text)
            self.assertNotIn(tok.split(":")[2], text)  # not even the secret part

    def log(self):
        return harness.log_lines(directory=self.emu.directory)

    def test_provision_astra_names_no_auth_request_revoked_left_out(self):
        env_dir = os.path.join(self.workdir, "env")
        report = os.path.join(self.workdir, "report.json")
        before = len(self.log())
        p = self.tf("provision", "-i", self.inventory, "--env-dir", env_dir,
                    "--env-names", "astra", "--report", report, "-v")
        self.assertEqual(p.returncode, 1, p.stderr)  # two targets failed
        new = self.log()[before:]
        # No auth request at all: each target's one call is its proof.
        self.assertFalse([l for l in new if l["path"].endswith("/v1/auth")], new)
        by_host = {l["host"].split("-us-east1")[0]: l for l in new}
        self.assertEqual(by_host[CLASSIC]["method"], "GET")
        self.assertEqual(by_host[CLASSIC]["path"], "/api/rest/v2/schemas/keyspaces/orders")
        self.assertEqual(by_host[VECTOR]["method"], "POST")
        self.assertEqual(by_host[VECTOR]["path"], "/api/json/v1/default_keyspace")
        self.assertEqual(len(new), 4)  # one call each: a refused token is not retried
        rep = self.read_report(report)
        self.assert_no_token(slurp(report))  # the user's own token: env files only
        status = {r["target"]: r for r in rep["results"]}
        self.assertEqual(status["orders/us-east1"]["status"], "ok")
        self.assertEqual(status["search/us-east1"]["status"], "ok")
        self.assertEqual(status["billing/us-east1"]["status"], "auth_failed")
        self.assertEqual(status["vectors/us-east1"]["status"], "auth_failed")
        self.assertEqual(sorted(os.listdir(env_dir)), ["orders.us-east1.env", "search.us-east1.env"])
        orders = self.read_env_file(os.path.join(env_dir, "orders.us-east1.env"))
        self.assertEqual(orders, {
            "ASTRA_DB_ID": CLASSIC, "ASTRA_DB_REGION": "us-east1", "ASTRA_DB_KEYSPACE": "orders",
            "ASTRA_DB_APPLICATION_TOKEN": GOOD,
            "ASTRA_DB_API_ENDPOINT": f"http://{CLASSIC}-us-east1.apps.astra.datastax.com"})
        search = self.read_env_file(os.path.join(env_dir, "search.us-east1.env"))
        self.assertEqual(search["ASTRA_DB_KEYSPACE"], "default_keyspace")
        self.assertEqual(search["ASTRA_DB_APPLICATION_TOKEN"], GOOD)
        self.assertEqual(set(search), set(orders))
        header = slurp(os.path.join(env_dir, "orders.us-east1.env")).splitlines()[0]
        self.assertRegex(header, r"^# orders/us-east1: application token proven at "
                                 r"20\d\d-\d\d-\d\dT[\d:.]+Z by tokenfleet ")

    def test_seed_names_say_username_token(self):
        env_dir = os.path.join(self.workdir, "env")
        p = self.tf("provision", "-i", self.inventory, "--env-dir", env_dir, "--limit", "orders")
        self.assertEqual(p.returncode, 0, p.stderr)
        env = self.read_env_file(os.path.join(env_dir, "orders.us-east1.env"))
        self.assertEqual(env, {"ASTRA_CLUSTER_ID": CLASSIC, "ASTRA_CLUSTER_REGION": "us-east1",
                               "ASTRA_DB_USERNAME": "token", "ASTRA_DB_KEYSPACE": "orders",
                               "ASTRA_AUTHORIZATION_TOKEN": GOOD})

    def test_check_mixed_inventory_json_junit_prometheus(self):
        write(self.inventory, MIXED)
        report, junit, prom = (os.path.join(self.workdir, n)
                               for n in ("check.json", "junit.xml", "metrics.prom"))
        before = len(self.log())
        p = self.tf("check", "-i", self.inventory, "--report", report, "--junit", junit,
                    "--prom", prom)
        self.assertEqual(p.returncode, 1, p.stderr)
        new = self.log()[before:]
        auth = [l for l in new if l["path"].endswith("/v1/auth")]
        self.assertEqual([l["host"] for l in auth], [harness.astra_host(LEGACY, "us-east1")])
        want = {"orders/us-east1": "ok", "search/us-east1": "ok",
                "billing/us-east1": "auth_failed", "vectors/us-east1": "auth_failed",
                "legacy/us-east1": "ok", "elsewhere/us-east2": "keyspace_unreachable"}
        rep = self.read_report(report)
        self.assertEqual({r["target"]: r["status"] for r in rep["results"]}, want)
        self.assertEqual(rep["summary"], {"targets": 6, "ok": 3, "failed": 3})
        for r in rep["results"]:
            self.assertNotIn("token", r)
        by_target = {r["target"]: r for r in rep["results"]}
        self.assertEqual((by_target["search/us-east1"]["username"],
                          by_target["search/us-east1"]["application_token"]), ("token", "data"))
        self.assertEqual(by_target["orders/us-east1"]["application_token"], "rest")
        self.assertEqual(by_target["orders/us-east1"]["url"],
                         f"http://{CLASSIC}-us-east1.apps.astra.datastax.com"
                         "/api/rest/v2/schemas/keyspaces/orders")
        self.assertNotIn("application_token", by_target["legacy/us-east1"])
        self.assertEqual(by_target["legacy/us-east1"]["username"], "svc")
        steps = {r["target"]: [a.get("step") for a in r["request_ids"]] for r in rep["results"]}
        self.assertEqual(steps["orders/us-east1"], ["keyspace"])
        self.assertEqual(steps["search/us-east1"], ["data_api"])
        self.assertEqual(steps["legacy/us-east1"], [None])
        for text in (slurp(report), slurp(junit), slurp(prom)):
            self.assert_no_token(text)
            self.assertNotIn(PASSWORD, text)

        suite = ET.parse(junit).getroot()
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("6", "3"))
        cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
        failure = cases[("vectors", "us-east1")].find("failure")
        self.assertEqual(failure.get("type"), "auth_failed")
        self.assertIn("\nstep: data_api\nurl: " + f"http://{VECTOR2}-us-east1.apps.astra."
                      "datastax.com/api/json/v1/default_keyspace\n", failure.text)
        self.assertIn("UNAUTHENTICATED_REQUEST", failure.get("message"))
        failure = cases[("elsewhere", "us-east2")].find("failure")
        self.assertEqual(failure.get("type"), "keyspace_unreachable")
        self.assertIn("step: keyspace", failure.text)
        for ok in (("orders", "us-east1"), ("search", "us-east1"), ("legacy", "us-east1")):
            self.assertIsNone(cases[ok].find("failure"))

        fams = harness.parse_prometheus(prom)
        up = {(l["database"], l["region"]): v for l, v in fams["tokenfleet_target_up"]}
        self.assertEqual(up, {("orders", "us-east1"): 1.0, ("search", "us-east1"): 1.0,
                              ("billing", "us-east1"): 0.0, ("vectors", "us-east1"): 0.0,
                              ("legacy", "us-east1"): 1.0, ("elsewhere", "us-east2"): 0.0})
        targets = {l["status"]: v for l, v in fams["tokenfleet_targets"]}
        self.assertEqual((targets["ok"], targets["auth_failed"], targets["keyspace_unreachable"]),
                         (3.0, 2.0, 1.0))

    def test_watch_proves_and_never_renews_an_application_token(self):
        env_dir = os.path.join(self.workdir, "env")
        before = len(self.log())
        p = self.tf("watch", "-i", self.inventory, "--env-dir", env_dir, "--interval", "1s",
                    "--cycles", "3")
        new = self.log()[before:]
        self.assertFalse([l for l in new if l["path"].endswith("/v1/auth")], new)
        # Three cycles, one proof per target each: a refused token is proven again next cycle
        # (the user may have replaced it), never replaced by tokenfleet.
        per_host = {}
        for l in new:
            per_host.setdefault(l["host"].split("-us-east1")[0], []).append(l["status"])
        self.assertEqual(per_host[CLASSIC], [200] * 3)
        self.assertEqual(len(per_host[CLASSIC2]), 3)
        self.assertEqual(sorted(os.listdir(env_dir)), ["orders.us-east1.env", "search.us-east1.env"])
        self.assertIn("billing/us-east1", p.stderr)
        self.assertIn("auth_failed", p.stderr)

    def test_watch_takes_a_new_token_on_reload(self):
        # The owner of a revoked token makes a new one and puts it where the inventory reads it
        # from; SIGHUP (systemctl reload) reads it, and the next cycle proves and writes it.
        env_dir = os.path.join(self.workdir, "env")
        log = os.path.join(self.workdir, "watch.log")
        before = len(self.log())
        env = dict(os.environ, ASTRA_DB_APPLICATION_TOKEN=GOOD, REVOKED_TOKEN=REVOKED)
        argv = [*harness.WRAPPER, harness.TOKENFLEET, "watch", "-i", self.inventory,
                "--env-dir", env_dir, "--interval", "1s", "--env-names", "astra",
                "--limit", "vectors", "--connect-to", f"::127.0.0.1:{self.emu.port}"]
        with open(log, "w") as out:
            p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=out)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        vectors = os.path.join(env_dir, "vectors.us-east1.env")

        def wait_for(what, seconds):
            deadline = time.monotonic() + seconds
            while not what():
                if time.monotonic() > deadline:
                    self.fail("waited in vain; watch said:\n" + slurp(log))
                time.sleep(0.05)

        wait_for(lambda: slurp(log).count(": cycle ") >= 2, 20)
        self.assertFalse(os.path.exists(vectors))  # refused twice, never written
        write(os.path.join(self.workdir, "revoked.token"), GOOD + "\n")
        p.send_signal(signal.SIGHUP)
        wait_for(lambda: os.path.exists(vectors), 10)
        self.assertEqual(self.read_env_file(vectors)["ASTRA_DB_APPLICATION_TOKEN"], GOOD)
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=30), 0, slurp(log))
        self.assert_no_token(slurp(log))
        self.assertFalse([l for l in self.log()[before:] if l["path"].endswith("/v1/auth")])

    def test_exec_hands_the_token_over(self):
        p = self.tf("exec", "-i", self.inventory, "--limit", "search", "--env-names", "astra",
                    "--", "sh", "-c",
                    'printf "%s\\n%s\\n" "${ASTRA_DB_API_ENDPOINT}" '
                    '"$(printf %s "$ASTRA_DB_APPLICATION_TOKEN" | sha256sum)"')
        self.assertEqual(p.returncode, 0, p.stderr)
        import hashlib
        endpoint, digest = p.stdout.splitlines()
        self.assertEqual(endpoint, f"http://{VECTOR}-us-east1.apps.astra.datastax.com")
        self.assertEqual(digest.split()[0], hashlib.sha256(GOOD.encode()).hexdigest())
        # With the seed names the token's source variable is not left behind.
        p = self.tf("exec", "-i", self.inventory, "--limit", "search", "--", "sh", "-c",
                    'echo "${ASTRA_DB_USERNAME}:${ASTRA_DB_APPLICATION_TOKEN:-unset}:'
                    '${#ASTRA_AUTHORIZATION_TOKEN}"')
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), f"token:unset:{len(GOOD)}")

    def test_a_revoked_token_leaves_the_combined_file(self):
        # The combined file keeps a failed target's earlier entry (an auth token may still
        # live), but not an application token the run proved refused: that one is dead.
        env_file = os.path.join(self.workdir, "all.env")
        p = self.tf("provision", "-i", self.inventory, "--env-file", env_file,
                    "--limit", "billing,orders", env={"REVOKED_TOKEN": GOOD})
        self.assertEqual(p.returncode, 0, p.stderr)
        text = slurp(env_file)
        self.assertIn("BILLING_US_EAST1_ASTRA_AUTHORIZATION_TOKEN=" + GOOD, text)
        self.assertRegex(text, r"(?m)^# billing/us-east1: application token proven at 20")
        self.assertNotIn("1970", text)
        p = self.tf("provision", "-i", self.inventory, "--env-file", env_file,
                    "--limit", "billing,orders")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("auth_failed", p.stderr)
        env = self.read_env_file(env_file)
        self.assertNotIn("BILLING_US_EAST1_ASTRA_AUTHORIZATION_TOKEN", env)
        self.assertEqual(env["ORDERS_US_EAST1_ASTRA_AUTHORIZATION_TOKEN"], GOOD)


if __name__ == "__main__":
    unittest.main()
