"""Runs that do not end normally: SIGTERM/SIGINT (orderly stop, outputs for what finished),
a second signal (at once, still no partial file), SIGKILL at random moments (every env file is
the old one or the new one, whole; temp files are gone after the next run), --deadline."""
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, ENV_VARS, UUID4, Fleet, make_databases, slurp  # noqa: E402

ENV_LINE = re.compile(r"^(ASTRA_[A-Z_]+)=([A-Za-z0-9_@%+=:,./-]*)$")


class ReliabilityTest(harness.TestCase):
    def start(self, fleet, *args):
        argv = [harness.TOKENFLEET, "provision", "-i", fleet.path, *args, "--connect-to",
                f"::127.0.0.1:{harness.emulator_port()}", "--cacert", harness.ca_cert()]
        env = dict(os.environ, TF_TEST_PASSWORD=PASSWORD)
        return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def finish(self, proc):
        out, err = proc.communicate(timeout=300)
        self.assertNotIn(PASSWORD, out + err)
        return out, err

    def assert_env_dir_whole(self, envs, fleet, allow_temp):
        """Every env file is complete: a header and the five variables with sane values."""
        ids = {db["name"]: db["id"] for db in fleet.databases}
        for name in os.listdir(envs):
            path = os.path.join(envs, name)
            if name.startswith("."):
                self.assertTrue(allow_temp, f"temp file left behind: {name}")
                self.assertIn(".tmp-", name)
                continue
            lines = slurp(path).split("\n")
            self.assertEqual(lines[-1], "", f"{name} does not end with a newline")
            self.assertTrue(lines[0].startswith("# "), name)
            pairs = [ENV_LINE.match(l) for l in lines[1:-1]]
            self.assertTrue(all(pairs), f"{name} holds a broken line: {lines}")
            values = dict(m.groups() for m in pairs)
            self.assertEqual(list(values), ENV_VARS, name)
            db = name.split(".")[0]
            self.assertEqual(values["ASTRA_CLUSTER_ID"], ids[db])
            self.assertRegex(values["ASTRA_AUTHORIZATION_TOKEN"], UUID4)

    def test_sigterm_writes_what_finished_and_cancels_the_rest(self):
        for signo, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
            with self.subTest(signal=signo.name):
                fleet = Fleet(self.workdir, make_databases(1500, ["us-east1"], prefix=signo.name.lower()))
                envs = os.path.join(self.workdir, f"envs-{signo.name}")
                report = os.path.join(self.workdir, f"report-{signo.name}.json")
                proc = self.start(fleet, "--env-dir", envs, "--report", report, "-j", "4")
                with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                    self.assertNotIn(PASSWORD.encode(), f.read())
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and len(os.listdir(envs) if os.path.isdir(envs) else []) < 20:
                    time.sleep(0.02)
                proc.send_signal(signo)
                _, err = self.finish(proc)
                self.assertEqual(proc.returncode, code, err)
                self.assertIn("interrupted", err)
                rep = self.read_report(report)
                statuses = [r["status"] for r in rep["results"]]
                self.assertEqual(set(statuses), {"ok", "cancelled"})
                ok = [r for r in rep["results"] if r["status"] == "ok"]
                self.assertGreaterEqual(len(ok), 20)
                self.assertEqual(rep["summary"]["ok"], len(ok))
                self.assertEqual(sorted(os.listdir(envs)),
                                 sorted(r["target"].replace("/", ".") + ".env" for r in ok))
                for r in rep["results"]:
                    if r["status"] == "cancelled":
                        self.assertNotIn("token", r)
                        self.assertIn("interrupted", r["error"])
                self.assert_env_dir_whole(envs, fleet, allow_temp=False)

    def test_second_signal_ends_at_once_leaving_no_partial_file(self):
        fleet = Fleet(self.workdir, make_databases(1500, ["us-east1"]))
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")
        proc = self.start(fleet, "--env-dir", envs, "--report", report, "-j", "4")
        while not (os.path.isdir(envs) and len(os.listdir(envs)) >= 10):
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        proc.send_signal(signal.SIGTERM)
        self.finish(proc)
        self.assertEqual(proc.returncode, 143)
        self.assert_env_dir_whole(envs, fleet, allow_temp=True)
        if os.path.exists(report):
            json.loads(slurp(report))  # whole, or not there at all

    def test_sigkill_at_random_moments_never_leaves_a_broken_file(self):
        fleet = Fleet(self.workdir, make_databases(2000, ["us-east1"]))
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")
        started = time.monotonic()
        proc = self.start(fleet, "--env-dir", envs, "--report", report)
        self.finish(proc)
        self.assertEqual(proc.returncode, 0)
        full = time.monotonic() - started
        old = {n: slurp(os.path.join(envs, n)) for n in os.listdir(envs)}
        self.assertEqual(len(old), 2000)

        rng = random.Random(os.environ.get("TF_TEST_SEED", "crash"))
        replaced = 0
        for _ in range(20):
            proc = self.start(fleet, "--env-dir", envs, "--report", report)
            time.sleep(rng.uniform(0.05, full))
            proc.kill()
            proc.communicate(timeout=60)
            self.assert_env_dir_whole(envs, fleet, allow_temp=True)
            names = [n for n in os.listdir(envs) if not n.startswith(".")]
            self.assertEqual(len(names), 2000, "a killed run never removes a file")
            replaced += sum(slurp(os.path.join(envs, n)) != old[n] for n in names)
            json.loads(slurp(report))  # the report is always a whole one
        self.assertGreater(replaced, 0, "the kills came too early to test anything")
        print(f"\n  20 SIGKILLs over {full:.1f} s runs: {replaced} env files replaced whole, "
              "none broken", file=sys.stderr)

        proc = self.start(fleet, "--env-dir", envs, "--report", report)
        self.finish(proc)
        self.assertEqual(proc.returncode, 0)
        self.assert_env_dir_whole(envs, fleet, allow_temp=False)

    def test_descriptor_limit_lowers_concurrency_instead_of_failing_targets(self):
        """ulimit -n 128 and -j 2000 over 3,000 targets: all ok, and one warning that says both
        numbers (before, 1,784 of them failed as 'Couldn't connect to server')."""
        import resource
        fleet = Fleet(self.workdir, make_databases(3000, ["us-east1"]))
        report = os.path.join(self.workdir, "report.json")
        limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))
        argv = [*harness.WRAPPER, harness.TOKENFLEET, "provision", "-i", fleet.path, "-j", "2000",
                "--report", report, "--connect-to", f"::127.0.0.1:{harness.emulator_port()}",
                "--cacert", harness.ca_cert()]
        env = dict(os.environ, TF_TEST_PASSWORD=harness.PASSWORD)
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600,
                           preexec_fn=limit)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertEqual(p.stderr.count("warning:"), 1, p.stderr[-2000:])
        self.assertIn("-j 2000 needs about 6032 open files, and the limit is 128", p.stderr)
        rep = self.read_report(report)
        self.assertEqual(rep["summary"], {"targets": 3000, "ok": 3000, "failed": 0})

    def test_deadline_cancels_what_has_not_finished(self):
        fleet = Fleet(self.workdir, make_databases(3000, ["us-east1"]))
        report = os.path.join(self.workdir, "report.json")
        proc = self.start(fleet, "--report", report, "--deadline", "0.5", "-j", "2")
        _, err = self.finish(proc)
        self.assertEqual(proc.returncode, 1, err)
        self.assertIn("--deadline reached", err)
        rep = self.read_report(report)
        statuses = {r["status"] for r in rep["results"]}
        self.assertEqual(statuses, {"ok", "cancelled"})
        never = [r for r in rep["results"] if r["status"] == "cancelled" and r["attempts"] == 0]
        self.assertTrue(never, "targets that never started are cancelled too")
        self.assertEqual(never[0]["request_ids"], [])
        # One line for them all, not a line per cancelled target.
        cancelled = sum(r["status"] == "cancelled" for r in rep["results"])
        self.assertIn(f"tokenfleet: error: {cancelled} targets cancelled: --deadline reached", err)
        self.assertLess(err.count("\n"), 10, err[:2000])


if __name__ == "__main__":
    unittest.main(verbosity=2)
