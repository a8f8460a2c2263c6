"""tokenfleet check, the nightly job: statuses for good, wrong-password, missing-keyspace and
failing targets; no token in any output; JUnit validated against the schema; the Prometheus file
read by a real parser; the progress line and table on a terminal, a one-line summary off it."""
import os
import re
import socket
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Fleet, make_databases, slurp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "schemas", "junit.xsd")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class CheckTest(harness.TestCase):
    def fleet(self):
        good = make_databases(3, ["us-east1", "eu-west1"], prefix="good")
        wrong = make_databases(1, ["us-east1"], prefix="wrongpw",
                               password="{env: TF_WRONG_PASSWORD}")
        ghost = make_databases(1, ["us-east1"], prefix="ghost", keyspace="ghost")
        hidden = make_databases(1, ["us-east1"], prefix="hidden", keyspace="hidden")
        down = make_databases(1, ["us-east1"], prefix="down", username="down")
        return Fleet(self.workdir, good + wrong + ghost + hidden + down)

    def run_check(self, fleet, *extra):
        return self.run_tokenfleet("check", "-i", fleet.path, "--verify", "--retries", "1",
                                   "--retry-delay", "0.01", *extra,
                                   env={"TF_WRONG_PASSWORD": "not-it"})

    def assert_no_token(self, text, fleet, report):
        """Every UUID in an output is a cluster id or a request id: never a token."""
        allowed = {db["id"] for db in fleet.databases}
        for r in report["results"]:
            allowed |= {a["request_id"] for a in r["request_ids"]}
        self.assertEqual(set(UUID.findall(text)) - allowed, set())

    def test_statuses_outputs_and_no_token_anywhere(self):
        fleet = self.fleet()
        report, junit, prom = (os.path.join(self.workdir, n)
                               for n in ("check.json", "junit.xml", "metrics.prom"))
        p = self.run_check(fleet, "--report", report, "--junit", junit, "--prom", prom)
        self.assertEqual(p.returncode, 1, p.stderr)
        rep = self.read_report(report)
        self.assertEqual(rep["mode"], "check")
        status = {r["target"]: r for r in rep["results"]}
        for db in fleet.databases[:3]:
            for region in db["regions"]:
                res = status[f"{db['name']}/{region}"]
                self.assertEqual(res["status"], "ok")
                self.assertEqual([a.get("step", "auth") for a in res["request_ids"]],
                                 ["auth", "keyspace"])
        self.assertEqual(status["wrongpw000/us-east1"]["status"], "auth_failed")
        ghost = status["ghost000/us-east1"]
        self.assertEqual(ghost["status"], "keyspace_unreachable")
        self.assertEqual(ghost["http_status"], 404)
        self.assertIn("ghost", ghost["error"])
        self.assertEqual(status["hidden000/us-east1"]["status"], "keyspace_unreachable")
        down = status["down000/us-east1"]
        self.assertEqual(down["status"], "server_error")
        self.assertEqual(down["attempts"], 2)
        self.assertEqual(rep["summary"], {"targets": 10, "ok": 6, "failed": 4})
        for res in rep["results"]:
            self.assertNotIn("token", res)
        for text in (slurp(report), slurp(junit), slurp(prom), p.stdout, p.stderr):
            self.assert_no_token(text, fleet, rep)

        # JUnit: valid against the schema, one testcase per target, failures with status.
        v = subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, junit],
                           capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        suite = ET.parse(junit).getroot()
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("10", "4"))
        cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
        self.assertEqual(len(cases), 10)
        self.assertEqual(suite.get("hostname"), socket.gethostname())
        failure = cases[("ghost000", "us-east1")].find("failure")
        self.assertEqual(failure.get("type"), "keyspace_unreachable")
        self.assertIn("ghost", failure.get("message"))
        # The keyspace step failed: its GET's URL is named, not the auth POST's.
        ghost_id = fleet.databases[4]["id"]
        self.assertIn("\nstep: keyspace\nurl: https://" + harness.astra_host(ghost_id, "us-east1") +
                      "/api/rest/v2/schemas/keyspaces/ghost\n", failure.text)
        self.assertNotIn("/v1/auth", failure.text)
        # The auth step failed: the auth URL, and no step line.
        failure = cases[("wrongpw000", "us-east1")].find("failure")
        self.assertEqual(failure.get("type"), "auth_failed")
        self.assertIn("\nurl: https://" + harness.astra_host(fleet.databases[3]["id"], "us-east1") +
                      "/api/rest/v1/auth\n", failure.text)
        self.assertNotIn("step:", failure.text)
        self.assertIsNone(cases[("good000", "eu-west1")].find("failure"))

        fams = harness.parse_prometheus(prom)
        up = {(l["database"], l["region"]): v for l, v in fams["tokenfleet_target_up"]}
        self.assertEqual(up[("good001", "us-east1")], 1.0)
        self.assertEqual(up[("ghost000", "us-east1")], 0.0)
        targets = {l["status"]: v for l, v in fams["tokenfleet_targets"]}
        self.assertEqual(targets["ok"], 6.0)
        self.assertEqual(targets["keyspace_unreachable"], 2.0)
        self.assertEqual(targets["timeout"], 0.0)
        attempts = {(l["database"], l["region"]): v for l, v in fams["tokenfleet_attempts"]}
        self.assertEqual(attempts[("down000", "us-east1")], 2.0)
        self.assertIn("tokenfleet_last_run_timestamp_seconds", fams)
        self.assertIn("# TYPE tokenfleet_target_up gauge", slurp(prom))

    def test_progress_and_table_on_a_terminal_only(self):
        # Four answers delayed 300 ms first (the emulator's user "slow"), one request at a time:
        # the run lasts past the second after which the live line is drawn, however fast the
        # machine.
        fleet = Fleet(self.workdir, make_databases(4, ["us-east1"], prefix="slow", username="slow") +
                      make_databases(596, ["us-east1"]) +
                      make_databases(1, ["us-east1"], prefix="ghost", keyspace="ghost"))
        argv = [*harness.WRAPPER, harness.TOKENFLEET, "check", "-i", fleet.path, "--verify",
                "-j", "1", "--connect-to", f"::127.0.0.1:{harness.emulator_port()}",
                "--cacert", harness.ca_cert()]
        env = dict(os.environ, TF_TEST_PASSWORD=harness.PASSWORD)
        env.pop("NO_COLOR", None)
        # Under a pseudo-terminal (script(1)): the live line, then the table of failures.
        # Bytes, not text: text mode would turn the line's \r into \n.
        run = lambda e: subprocess.run(["script", "-qec", " ".join(argv), "/dev/null"], env=e,
                                       capture_output=True, timeout=300)
        tty = run(env)
        tty.stdout = tty.stdout.decode("utf-8", "replace")
        self.assertEqual(tty.returncode, 1, tty.stdout)
        self.assertRegex(tty.stdout, r"\r\x1b\[K\d+/601 done, ")
        self.assertRegex(tty.stdout, r"TARGET +STATUS +HTTP +ATTEMPTS +TIME +REASON")
        self.assertIn("ghost000/us-east1", tty.stdout)
        self.assertIn("(600 ok targets not shown)", tty.stdout)
        self.assertIn("\x1b[31m", tty.stdout)  # colour on a terminal
        # Colour off: a small fleet does (601 targets under valgrind would take minutes).
        os.mkdir(os.path.join(self.workdir, "small"))
        small = Fleet(os.path.join(self.workdir, "small"),
                      make_databases(1, ["us-east1"], prefix="few") +
                      make_databases(1, ["us-east1"], prefix="ghost", keyspace="ghost"))
        small_argv = [a if a != fleet.path else small.path for a in argv]
        for off in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
            no_color = subprocess.run(["script", "-qec", " ".join(small_argv), "/dev/null"],
                                      env=dict(env, **off), capture_output=True, timeout=300)
            no_color = no_color.stdout.decode("utf-8", "replace")
            self.assertIn("TARGET", no_color)
            self.assertNotIn("\x1b[3", no_color, off)
        # Without a terminal: no progress, no table, no colour; a line per failed target (check
        # as provision: cron mail says which) and one summary.
        plain = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(plain.returncode, 1)
        self.assertNotIn("\r", plain.stderr)
        self.assertNotIn("\x1b", plain.stderr)
        self.assertNotIn("TARGET", plain.stderr)
        self.assertEqual(plain.stderr.count("\n"), 2, plain.stderr)
        self.assertTrue(plain.stderr.startswith("tokenfleet: error: ghost000/us-east1: "
                                                "keyspace_unreachable: keyspace ghost"),
                        plain.stderr)
        self.assertIn("tokenfleet: 601 targets: 600 ok, 1 failed", plain.stderr)

    def test_table_uses_the_terminal_width_and_says_reasons_in_full(self):
        dbs = make_databases(2, ["us-east1"])
        dbs[1]["password"] = "{env: TF_WRONG_PASSWORD}"
        fleet = Fleet(self.workdir, dbs)
        argv = [*harness.WRAPPER, harness.TOKENFLEET, "check", "-i", fleet.path,
                "--connect-to", f"::127.0.0.1:{harness.emulator_port()}",
                "--cacert", harness.ca_cert()]
        env = dict(os.environ, TF_TEST_PASSWORD=harness.PASSWORD, TF_WRONG_PASSWORD="wrong",
                   NO_COLOR="1")
        reason = ("HTTP 401: Failed to create token: Provided username svc and/or password are "
                  "incorrect")
        for cols in (200, 80):
            with self.subTest(cols=cols):
                p = subprocess.run(["script", "-qec", f"stty cols {cols}; " + " ".join(argv),
                                    "/dev/null"], env=env, capture_output=True, timeout=120)
                out = p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
                row = next(l for l in out.splitlines() if l.startswith("db001/us-east1"))
                if cols == 200:
                    self.assertTrue(row.endswith(reason), row)
                    self.assertNotIn("Reasons in full", out)
                else:
                    self.assertLessEqual(len(row), 80, row)
                    self.assertTrue(row.endswith("..."), row)
                    self.assertIn("Reasons in full:\ndb001/us-east1: " + reason, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
