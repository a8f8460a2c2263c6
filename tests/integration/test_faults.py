"""What gateways do to requests, injected by the emulator (tests/integration/faults.conf): each
fault gives the status, attempts and error the report must show, and the env files that must and
must not exist. Tokens carrying newlines, quotes or shell syntax are written nowhere, and every
env file written sources in sh changing nothing but its five variables."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ENV_VARS, Fleet, make_databases, slurp  # noqa: E402

# user: (status, attempts, text in the error or None) with --retries 2 and --timeout 2
EXPECT = {
    "flaky503": ("ok", 3, None),
    "ratelimited": ("ok", 2, None),
    "ratedate": ("ok", 2, None),
    "slow": ("ok", 1, None),
    "stall": ("timeout", 3, "Operation timed out"),
    "reset": ("network_error", 3, None),
    "truncate": ("network_error", 3, None),
    "html": ("bad_response", 1, "HTTP 201 but the body is not JSON (text/html"),
    "huge": ("bad_response", 1, "body larger than the limit"),
    "empty": ("bad_response", 1, "HTTP 201 with an empty body"),
    "newline": ("bad_response", 1, "authToken holds characters outside"),
    "quotes": ("bad_response", 1, "authToken holds characters outside"),
    "shell": ("bad_response", 1, "authToken holds characters outside"),
    "drip": ("timeout", 3, None),
    "gateway502": ("server_error", 3, "HTTP 502 (body not from Stargate: text/html"),
}


class FaultTest(harness.TestCase):
    def test_every_fault_is_classified_retried_and_written_or_not(self):
        dbs = []
        for user in EXPECT:
            dbs += make_databases(1, ["us-east1"], prefix=user, username=user)
        dbs += make_databases(2, ["us-east1"], prefix="fine")
        fleet = Fleet(self.workdir, dbs)
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-v", "-i", fleet.path, "--env-dir", envs,
                                "--report", report, "--retries", "2", "--retry-delay", "0.05",
                                "--timeout", "2")
        self.assertEqual(p.returncode, 1, p.stderr)
        results = {r["database"]: r for r in self.read_report(report)["results"]}
        for user, (status, attempts, text) in EXPECT.items():
            with self.subTest(fault=user):
                r = results[f"{user}000"]
                self.assertEqual((r["status"], r["attempts"]), (status, attempts), r)
                self.assertEqual(len({a["request_id"] for a in r["request_ids"]}), attempts,
                                 "a new request id per attempt")
                if text:
                    self.assertIn(text, r["error"])
                env = os.path.join(envs, f"{user}000.us-east1.env")
                self.assertEqual(os.path.exists(env), status == "ok")
                if status != "ok":
                    self.assertNotIn("token", r)
        # Retry-After was waited for: 1 s, and an HTTP date 2 s ahead (1 s at least, its
        # resolution being whole seconds).
        self.assertGreaterEqual(results["ratelimited000"]["elapsed_ms"], 1000)
        self.assertGreaterEqual(results["ratedate000"]["elapsed_ms"], 1000)
        self.assertGreaterEqual(results["slow000"]["elapsed_ms"], 300)
        self.assertEqual([a["status"] for a in results["flaky503000"]["request_ids"]],
                         ["server_error", "server_error", "ok"])
        # The emulator saw exactly what the report says was sent.
        answered = [l for l in harness.log_lines(fleet.hosts()) if l["status"] != 0]
        stalled = results["stall000"]["attempts"]
        self.assertEqual(len(answered), sum(r["attempts"] for r in results.values()) - stalled)
        self.assert_env_files_source_cleanly(envs)

    def assert_env_files_source_cleanly(self, envs):
        """Sourcing each file in sh sets its five variables and changes nothing else."""
        names = os.listdir(envs)
        self.assertTrue(names)
        for name in names:
            path = os.path.join(envs, name)
            out = subprocess.run(["sh", "-c", 'set; echo "--- sourced"; . "$1"; set', "sh", path],
                                 capture_output=True, text=True, check=True,
                                 env={"PATH": os.environ["PATH"]})
            before, after = out.stdout.split("--- sourced\n")
            new = set(after.splitlines()) - set(before.splitlines())
            self.assertEqual({l.split("=", 1)[0] for l in new}, set(ENV_VARS), name)

    def test_retry_after_longer_than_the_max_wait_is_cut_to_it(self):
        fleet = Fleet(self.workdir, make_databases(1, ["us-east1"], prefix="toolong",
                                                   username="toolong"))
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--report", report, "--retries",
                                "1", "--retry-max-wait", "0.3")
        self.assertEqual(p.returncode, 1, p.stderr)
        r = self.read_report(report)["results"][0]
        self.assertEqual((r["status"], r["http_status"], r["attempts"]), ("server_error", 429, 2))
        self.assertGreaterEqual(r["elapsed_ms"], 300)
        self.assertLess(r["elapsed_ms"], 5000, "the server's 120 s were not waited for")

    def test_two_hundred_targets_with_a_fifth_flaky_all_end_ok_without_extra_requests(self):
        dbs = make_databases(40, ["us-east1"], prefix="flaky", username="flaky503")
        dbs += make_databases(160, ["us-east1"], prefix="steady")
        fleet = Fleet(self.workdir, dbs)
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--report", report,
                                "--retry-delay", "0.05", "-j", "32")
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = self.read_report(report)
        self.assertEqual(rep["summary"], {"targets": 200, "ok": 200, "failed": 0})
        attempts = [r["attempts"] for r in rep["results"]]
        self.assertEqual(attempts, [3] * 40 + [1] * 160)
        self.assertEqual(len(harness.log_lines(fleet.hosts())), 40 * 3 + 160)


if __name__ == "__main__":
    unittest.main(verbosity=2)
