"""tokenfleet provision end to end, over HTTPS against the emulator, checked the way a user would:
env files, report, exit code, and what the emulator saw."""
import os
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, UUID4, ENV_VARS, Fleet, make_databases  # noqa: E402


class ProvisionTest(harness.TestCase):
    def test_fifty_targets_over_three_regions(self):
        dbs = make_databases(16, ["us-east1", "eu-west1", "asia-south1"])
        dbs += make_databases(1, ["us-east1", "eu-west1"], prefix="extra")
        fleet = Fleet(self.workdir, dbs)
        self.assertEqual(len(fleet.targets()), 50)
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")

        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-dir", envs, "--report",
                                report, "-j", "8")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(envs).st_mode), 0o700)
        self.assertEqual(sorted(os.listdir(envs)),
                         sorted(f"{db['name']}.{r}.env" for db, r in fleet.targets()))

        rep = self.read_report(report)
        self.assertEqual(stat.S_IMODE(os.stat(report).st_mode), 0o600)
        self.assertEqual(rep["mode"], "provision")
        self.assertEqual(rep["summary"], {"targets": 50, "ok": 50, "failed": 0})
        self.assertEqual([r["target"] for r in rep["results"]],
                         [f"{db['name']}/{r}" for db, r in fleet.targets()], "inventory order")

        logged = {}
        for line in harness.log_lines(fleet.hosts()):
            logged.setdefault(line["host"], []).append(line)
        ids = set()
        for res, (db, region) in zip(rep["results"], fleet.targets()):
            self.assertEqual(res["status"], "ok")
            self.assertEqual(res["http_status"], 201)
            self.assertIsNone(res["error"])
            self.assertEqual(res["attempts"], 1)
            self.assertRegex(res["request_id"], UUID4)
            self.assertEqual(res["request_ids"], [
                {"request_id": res["request_id"], "status": "ok", "http_status": 201}])
            ids.add(res["request_id"])
            host = harness.astra_host(db["id"], region)
            self.assertEqual(res["url"], f"https://{host}/api/rest/v1/auth")
            # The emulator saw exactly one request for this host, with this request id.
            self.assertEqual([(l["path"], l["request_id"], l["status"]) for l in logged[host]],
                             [("/api/rest/v1/auth", res["request_id"], 201)])
            env = self.read_env_file(os.path.join(envs, f"{db['name']}.{region}.env"))
            self.assertEqual(list(env), ENV_VARS)
            self.assertEqual(env, {
                "ASTRA_CLUSTER_ID": db["id"], "ASTRA_CLUSTER_REGION": region,
                "ASTRA_DB_USERNAME": "svc", "ASTRA_DB_KEYSPACE": "app",
                "ASTRA_AUTHORIZATION_TOKEN": res["token"]})
            self.assertRegex(res["token"], UUID4)
        self.assertEqual(len(ids), 50, "every request id is unique")

    def test_wrong_password_fails_alone(self):
        dbs = make_databases(5, ["us-east1"])
        dbs[2]["password"] = "{env: TF_WRONG_PASSWORD}"
        fleet = Fleet(self.workdir, dbs)
        envs = os.path.join(self.workdir, "envs")
        os.mkdir(envs, 0o700)
        old = os.path.join(envs, "db002.us-east1.env")
        with open(old, "w") as f:
            f.write("ASTRA_AUTHORIZATION_TOKEN=old-token\n")
        report = os.path.join(self.workdir, "report.json")

        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-dir", envs, "--report",
                                report, env={"TF_WRONG_PASSWORD": "not-the-password"})
        self.assertEqual(p.returncode, 1, p.stderr)
        rep = self.read_report(report)
        self.assertEqual(rep["summary"], {"targets": 5, "ok": 4, "failed": 1})
        bad = rep["results"][2]
        self.assertEqual(bad["status"], "auth_failed")
        self.assertEqual(bad["http_status"], 401)
        self.assertEqual(bad["error"], "HTTP 401: Failed to create token: Provided username svc "
                                       "and/or password are incorrect")
        self.assertNotIn("token", bad)
        self.assertNotIn("not-the-password", harness.slurp(report))
        self.assertIn("db002/us-east1: auth_failed", p.stderr)
        for i in (0, 1, 3, 4):
            self.assertEqual(rep["results"][i]["status"], "ok")
            self.read_env_file(os.path.join(envs, f"db00{i}.us-east1.env"))
        self.assertEqual(harness.slurp(old), "ASTRA_AUTHORIZATION_TOKEN=old-token\n",
                         "a failed target leaves its env file as it was")

    def test_password_from_a_command(self):
        """{command: [...]}: the password a secret manager's CLI prints gets tokens; the command
        runs once for all the databases that give the same words, never through a shell, and
        its password shows nowhere."""
        runs = os.path.join(self.workdir, "runs.log")
        # A stand-in for `op read ...`: logs each run, prints the password from the environment.
        words = f"[sh, -c, 'echo run >> {runs}; printenv TF_TEST_PASSWORD']"
        dbs = make_databases(4, ["us-east1", "eu-west1"])
        dbs[3]["password"] = "{command: [printenv, TF_TEST_PASSWORD], timeout: 5}"
        fleet = Fleet(self.workdir, dbs, defaults={"keyspace": "app", "username": "svc",
                                                   "password": f"{{command: {words}}}"})
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-dir", envs, "--report",
                                report, "-v")
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = self.read_report(report)
        self.assertEqual(rep["summary"], {"targets": 8, "ok": 8, "failed": 0})
        self.assertEqual(harness.slurp(runs), "run\n", "the same words run once")
        for db, region in fleet.targets():
            self.read_env_file(os.path.join(envs, f"{db['name']}.{region}.env"))

        # A command that fails is an inventory error: nothing sent, nothing written.
        dbs = make_databases(2, ["us-east1"])
        dbs[1]["password"] = ("{command: [sh, -c, 'printenv TF_TEST_PASSWORD; "
                              "printenv TF_TEST_PASSWORD >&2; exit 4']}")
        fleet = Fleet(self.workdir, dbs)
        envs = os.path.join(self.workdir, "envs2")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-dir", envs)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertRegex(p.stderr, r"fleet\.yaml:\d+:\d+: error: password command `sh -c "
                                   r"\"printenv TF_TEST_PASSWORD; printenv TF_TEST_PASSWORD >&2; "
                                   r"exit 4\"` failed with exit status 4; it said: \*{8}\n")
        self.assertEqual(harness.log_lines(fleet.hosts()), [])
        self.assertFalse(os.path.exists(envs))

    def test_invalid_inventory_sends_and_writes_nothing(self):
        dbs = make_databases(3, ["us-east1"])
        dbs[1]["regions"] = ["us east1"]
        fleet = Fleet(self.workdir, dbs)
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-dir", envs, "--report",
                                report)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"fleet\.yaml:\d+:\d+: error: region \"us east1\" is not a "
                                   r"region name")
        self.assertEqual(harness.log_lines(fleet.hosts()), [])
        self.assertFalse(os.path.exists(envs))
        self.assertFalse(os.path.exists(report))

    def test_limit_by_tag_sends_only_those(self):
        prod = make_databases(3, ["us-east1", "eu-west1"], prefix="prod", tags=["prod"])
        dev = make_databases(3, ["us-east1"], prefix="dev", tags=["dev"])
        fleet = Fleet(self.workdir, prod + dev)
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--limit", "tag:prod", "--report",
                                report)
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = self.read_report(report)
        self.assertEqual([r["target"] for r in rep["results"]],
                         [f"{db['name']}/{r}" for db in prod for r in db["regions"]])
        prod_hosts = {harness.astra_host(db["id"], r) for db in prod for r in db["regions"]}
        self.assertEqual({l["host"] for l in harness.log_lines(fleet.hosts())}, prod_hosts)

    def test_combined_env_file_and_report_on_stdout(self):
        dbs = [dict(name="orders", id=harness.uuid.uuid4().__str__(),
                    regions=["us-east1", "eu-west1"]),
               dict(name="billing-eu", id=str(harness.uuid.uuid4()), regions=["eu-west1"])]
        fleet = Fleet(self.workdir, dbs)
        combined = os.path.join(self.workdir, "fleet.env")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-file", combined,
                                "--report", "-")
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = harness.json.loads(p.stdout)
        env = self.read_env_file(combined)
        tokens = {r["target"]: r["token"] for r in rep["results"]}
        self.assertEqual(env["ORDERS_US_EAST1_ASTRA_AUTHORIZATION_TOKEN"], tokens["orders/us-east1"])
        self.assertEqual(env["ORDERS_EU_WEST1_ASTRA_CLUSTER_REGION"], "eu-west1")
        self.assertEqual(env["BILLING_EU_EU_WEST1_ASTRA_AUTHORIZATION_TOKEN"],
                         tokens["billing-eu/eu-west1"])
        self.assertEqual(len(env), 15)

    def test_combined_env_file_never_shrinks(self):
        """A failure of one target, or a --limit or --shard run, keeps every other target's
        entry in the combined file; a target no longer in the inventory loses its entry."""
        dbs = make_databases(6, ["us-east1", "eu-west1"])
        fleet = Fleet(self.workdir, dbs)
        combined = os.path.join(self.workdir, "all.env")
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-file", combined)
        self.assertEqual(p.returncode, 0, p.stderr)
        first = self.read_env_file(combined)
        self.assertEqual(len(first), 12 * 5)
        token = lambda env, db, r: env[f"{db.upper()}_{r.upper().replace('-', '_')}_ASTRA_AUTHORIZATION_TOKEN"]

        # One wrong password: that target keeps its entry, the others get new tokens.
        dbs[2]["password"] = "{env: TF_WRONG_PASSWORD}"
        fleet = Fleet(self.workdir, dbs)
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-file", combined,
                                "--report", report, env={"TF_WRONG_PASSWORD": "wrong"})
        self.assertEqual(p.returncode, 1, p.stderr)
        second = self.read_env_file(combined)
        self.assertEqual(len(second), 12 * 5)
        for r in ("us-east1", "eu-west1"):
            self.assertEqual(token(second, "db002", r), token(first, "db002", r))
            self.assertNotEqual(token(second, "db001", r), token(first, "db001", r))
        issued = {x["target"]: x["issued_at"] for x in self.read_report(report)["results"]
                  if x["status"] == "ok"}
        self.assertRegex(issued["db000/us-east1"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertIn(f"# db000/us-east1: token issued at {issued['db000/us-east1']}",
                      harness.slurp(combined))

        # --limit: the left-out targets keep theirs.
        dbs[2].pop("password")
        fleet = Fleet(self.workdir, dbs)
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-file", combined,
                                "--limit", "*/eu-west1")
        self.assertEqual(p.returncode, 0, p.stderr)
        third = self.read_env_file(combined)
        self.assertEqual(len(third), 12 * 5)
        for db in dbs:
            self.assertEqual(token(third, db["name"], "us-east1"),
                             token(second, db["name"], "us-east1"))
            self.assertNotEqual(token(third, db["name"], "eu-west1"),
                                token(second, db["name"], "eu-west1"))

        # --shard: the same for the other shards' targets.
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-file", combined,
                                "--shard", "0/3")
        self.assertEqual(p.returncode, 0, p.stderr)
        sharded = self.read_env_file(combined)
        self.assertEqual(len(sharded), 12 * 5)

        # A database removed from the inventory: its entries go.
        fleet = Fleet(self.workdir, dbs[1:])
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-file", combined,
                                "--limit", "db001")
        self.assertEqual(p.returncode, 0, p.stderr)
        fourth = self.read_env_file(combined)
        self.assertEqual(len(fourth), 10 * 5)
        self.assertNotIn("DB000_US_EAST1_ASTRA_AUTHORIZATION_TOKEN", fourth)
        self.assertEqual(token(fourth, "db005", "us-east1"), token(sharded, "db005", "us-east1"))

    def test_report_holds_every_token_whether_spooled_or_not(self):
        """A report to a file is rendered as targets finish (its lines spooled); one on stdout
        is rendered at the end: both must still hold each ok target's token, the one its env
        file got."""
        fleet = Fleet(self.workdir, make_databases(3, ["us-east1", "eu-west1"]))
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-dir", envs,
                                "--report", report)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(report) as f:
            spooled = harness.json.load(f)["results"]
        self.assertEqual(len(spooled), 6)
        for r in spooled:
            db, region = r["target"].split("/")
            env = self.read_env_file(os.path.join(envs, f"{db}.{region}.env"))
            self.assertEqual(r["token"], env["ASTRA_AUTHORIZATION_TOKEN"])
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--report", "-")
        self.assertEqual(p.returncode, 0, p.stderr)
        on_stdout = harness.json.loads(p.stdout)["results"]
        self.assertEqual([r["target"] for r in on_stdout], [r["target"] for r in spooled])
        self.assertTrue(all(r["status"] == "ok" and r["token"] for r in on_stdout))

    def test_env_files_source_cleanly_in_sh(self):
        fleet = Fleet(self.workdir, make_databases(2, ["us-east1"]))
        envs = os.path.join(self.workdir, "envs")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--env-dir", envs)
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in os.listdir(envs):
            path = os.path.join(envs, name)
            expected = self.read_env_file(path)
            script = ". \"$1\"; " + "; ".join(f"printf '%s\\n' \"${v}\"" for v in ENV_VARS)
            out = subprocess.run(["sh", "-c", script, "sh", path], capture_output=True,
                                 text=True, check=True, env={"PATH": os.environ["PATH"]})
            self.assertEqual(out.stdout.splitlines(), [expected[v] for v in ENV_VARS])

    def test_dry_run_sends_nothing_and_hides_the_password(self):
        fleet = Fleet(self.workdir, make_databases(2, ["us-east1"]))
        envs = os.path.join(self.workdir, "envs")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--dry-run", "--env-dir", envs)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count("POST https://"), 2)
        self.assertIn('"password":"********"', p.stdout)
        self.assertEqual(harness.log_lines(fleet.hosts()), [])
        self.assertFalse(os.path.exists(envs))

    def test_verbose_never_prints_password_or_token(self):
        fleet = Fleet(self.workdir, make_databases(2, ["us-east1"]))
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-v", "-i", fleet.path, "--report", report)
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = self.read_report(report)
        for res in rep["results"]:
            self.assertIn(res["request_id"], p.stderr)
            self.assertNotIn(res["token"], p.stderr)

    def test_no_output_option_prints_summary_and_writes_nothing(self):
        fleet = Fleet(self.workdir, make_databases(2, ["us-east1"]))
        before = set(os.listdir(self.workdir))
        p = self.run_tokenfleet("provision", "-i", fleet.path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 targets: 2 ok, 0 failed", p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(set(os.listdir(self.workdir)), before)

    def test_untrusted_certificate_is_a_tls_network_error(self):
        fleet = Fleet(self.workdir, make_databases(1, ["us-east1"]))
        report = os.path.join(self.workdir, "report.json")
        # The system bundle does not hold the test CA.
        p = subprocess.run([harness.TOKENFLEET, "provision", "-i", fleet.path, "--report", report,
                            "--connect-to", f"::127.0.0.1:{harness.emulator_port()}"],
                           env=dict(os.environ, TF_TEST_PASSWORD=PASSWORD), capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        res = self.read_report(report)["results"][0]
        self.assertEqual(res["status"], "network_error")
        self.assertIn("TLS", res["error"])
        self.assertIsNone(res["http_status"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
