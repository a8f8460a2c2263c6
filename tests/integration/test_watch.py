"""tokenfleet watch, the agent that keeps a fleet's env files holding working tokens, against an
emulator of its own whose tokens live seconds (--token-ttl 4 --token-cache 1, as the real server
behaves with 1800 and 60): tokens kept alive over several lifetimes without a file rewritten,
re-issued after the server forgets them (with --on-change run once per target), kept across a
restart of the agent, SIGHUP reloads (a broken inventory, an added database), systemd's
READY=1, SIGTERM, and the bad uses of its options."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Fleet, OwnEmulator, make_databases, slurp  # noqa: E402

TTL, CACHE = 4, 1
HTTP_AUTH = '"http://{id}-{region}.apps.astra.datastax.com/api/rest/v1/auth"'


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


class WatchTest(harness.TestCase):
    def setUp(self):
        super().setUp()
        self.emu = OwnEmulator(os.path.join(self.workdir, "emulator"), "--token-ttl", str(TTL),
                               "--token-cache", str(CACHE), "--keyspaces",
                               os.path.join(harness.HERE, "keyspaces.txt"))
        self.addCleanup(self.emu.stop)
        self.envs = os.path.join(self.workdir, "envs")
        self.changes = os.path.join(self.workdir, "changes.log")

    def fleet(self, count, name="fleet.yaml", prefix="db"):
        dbs = make_databases(count, ["us-east1", "eu-west1"], prefix=prefix)
        return self.write_fleet(dbs, name)

    def write_fleet(self, dbs, name="fleet.yaml"):
        fleet = Fleet(self.workdir, dbs, defaults={
            "keyspace": "app", "username": "svc", "password": "{env: TF_TEST_PASSWORD}",
            "auth_url": HTTP_AUTH})
        if name != "fleet.yaml":
            os.replace(fleet.path, os.path.join(self.workdir, name))
            fleet.path = os.path.join(self.workdir, name)
        return fleet

    def start_watch(self, fleet, *options, env=None):
        self.log = os.path.join(self.workdir, f"watch-{time.monotonic_ns()}.log")
        full_env = dict(os.environ, TF_TEST_PASSWORD=harness.PASSWORD, **(env or {}))
        argv = [*harness.WRAPPER, harness.TOKENFLEET, "watch", "-i", fleet.path, "--env-dir",
                self.envs, "--interval", "1s", "--connect-to", f"::127.0.0.1:{self.emu.port}",
                "--on-change", f'echo "$TOKENFLEET_TARGET $TOKENFLEET_DATABASE '
                               f'$TOKENFLEET_REGION $TOKENFLEET_EVENT $TOKENFLEET_ENV_FILE" '
                               f'>> {self.changes}', *options]
        with open(self.log, "w") as log:
            p = subprocess.Popen(argv, env=full_env, stdout=subprocess.DEVNULL, stderr=log)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        return p

    def stop_watch(self, p):
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=30), 0, slurp(self.log))
        out = slurp(self.log)
        self.assertNotIn(harness.PASSWORD, out)
        return out

    def cycles(self):
        return slurp(self.log).count(": cycle ")

    def env_files(self, fleet):
        return {f"{db['name']}/{r}": os.path.join(self.envs, f"{db['name']}.{r}.env")
                for db, r in fleet.targets()}

    def token_of(self, path):
        return self.read_env_file(path)["ASTRA_AUTHORIZATION_TOKEN"]

    def changes_lines(self):
        return slurp(self.changes).splitlines() if os.path.exists(self.changes) else []

    def test_keeps_tokens_alive_then_replaces_forgotten_ones(self):
        fleet = self.fleet(3)
        files = self.env_files(fleet)
        p = self.start_watch(fleet)
        wait_for(lambda: self.cycles() >= 1 and len(self.changes_lines()) == 6, 20,
                 "the first cycle and its on-change commands")
        issued = sorted(self.changes_lines())
        self.assertEqual(issued, sorted(f"{t} {t.split('/')[0]} {t.split('/')[1]} issued {f}"
                                        for t, f in files.items()))
        tokens = {t: self.token_of(f) for t, f in files.items()}
        mtimes = {t: os.stat(f).st_mtime_ns for t, f in files.items()}

        # Five lifetimes. The probes are further apart than a lifetime, so they alone could not
        # keep a token alive: the agent does.
        start = time.monotonic()
        for k in range(1, 5):
            harness_sleep = start + k * (TTL + 1) - time.monotonic()
            time.sleep(max(0.0, harness_sleep))
            for t, f in files.items():
                self.assertEqual(self.emu.keyspace_status(self.token_of(f)), 200,
                                 f"{t} at {time.monotonic() - start:.1f} s")
        for t, f in files.items():
            self.assertEqual(self.token_of(f), tokens[t], f"{t} was replaced")
            self.assertEqual(os.stat(f).st_mtime_ns, mtimes[t], f"{t} was rewritten")
        self.assertGreaterEqual(self.cycles(), 15)

        # The server forgets every token: within two intervals every file holds a new working
        # token, and the on-change command ran once per target, as "replaced".
        self.emu.forget_tokens()
        forgot = time.monotonic()
        wait_for(lambda: all(self.token_of(f) != tokens[t] for t, f in files.items()), 10,
                 "every env file replaced")
        self.assertLess(time.monotonic() - forgot, 2 * 1 + 1.0)
        for t, f in files.items():
            self.assertEqual(self.emu.keyspace_status(self.token_of(f)), 200, t)
        wait_for(lambda: len(self.changes_lines()) == 12, 10, "six on-change runs more")
        time.sleep(1.5)  # one more cycle: nothing more may run
        replaced = sorted(self.changes_lines()[6:])
        self.assertEqual(replaced, sorted(f"{t} {t.split('/')[0]} {t.split('/')[1]} replaced {f}"
                                          for t, f in files.items()))
        out = self.stop_watch(p)
        self.assertIn("replaced", out)

    def test_restart_keeps_live_tokens(self):
        fleet = self.fleet(2)
        files = self.env_files(fleet)
        p = self.start_watch(fleet, "--cycles", "1")
        self.assertEqual(p.wait(timeout=30), 0, slurp(self.log))
        tokens = {t: self.token_of(f) for t, f in files.items()}
        mtimes = {t: os.stat(f).st_mtime_ns for t, f in files.items()}
        p = self.start_watch(fleet, "--cycles", "2")
        self.assertEqual(p.wait(timeout=30), 0, slurp(self.log))
        self.assertIn("cycle 1: 4 targets: 4 kept, 0 issued, 0 replaced, 0 failed",
                      slurp(self.log))
        for t, f in files.items():
            self.assertEqual(self.token_of(f), tokens[t])
            self.assertEqual(os.stat(f).st_mtime_ns, mtimes[t])

    def test_sighup_reload(self):
        dbs = make_databases(2, ["us-east1"])
        fleet = self.write_fleet(dbs)
        p = self.start_watch(fleet)
        wait_for(lambda: self.cycles() >= 1, 20, "the first cycle")
        first = {t: self.token_of(f) for t, f in self.env_files(fleet).items()}

        # A broken inventory: reported with its place, the agent goes on with the old one.
        good = slurp(fleet.path)
        with open(fleet.path, "w") as f:
            f.write(good.replace("  - name: db001", "  - nmae: db001"))
        p.send_signal(signal.SIGHUP)
        wait_for(lambda: "going on with the one loaded before" in slurp(self.log), 10,
                 "the reload refused")
        self.assertRegex(slurp(self.log), r"fleet\.yaml:\d+:\d+: error: unknown key \"nmae\"")
        cycles = self.cycles()
        time.sleep(TTL + 1)
        self.assertGreater(self.cycles(), cycles + 2, "the agent kept going")
        for t, f in self.env_files(fleet).items():
            self.assertEqual(self.token_of(f), first[t])
            self.assertEqual(self.emu.keyspace_status(first[t]), 200, t)

        # One database added: its file appears within one interval.
        dbs.append(dict(name="added", id=str(harness.uuid.uuid4()), regions=["us-east1"]))
        fleet = self.write_fleet(dbs)
        p.send_signal(signal.SIGHUP)
        added = os.path.join(self.envs, "added.us-east1.env")
        wait_for(lambda: os.path.exists(added), 2, "the added database's env file")
        self.assertEqual(self.emu.keyspace_status(self.token_of(added)), 200)
        for t, f in self.env_files(fleet).items():
            if t in first:
                self.assertEqual(self.token_of(f), first[t], "a reload replaces no live token")
        self.stop_watch(p)

    def test_notify_socket_gets_ready_after_the_first_cycle(self):
        fleet = self.fleet(1)
        path = os.path.join(self.workdir, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(20)
        self.addCleanup(sock.close)
        p = self.start_watch(fleet, env={"NOTIFY_SOCKET": path})
        messages = [sock.recv(4096).decode()]
        self.assertTrue(messages[0].startswith("READY=1\nSTATUS=cycle 1: 2 targets"), messages)
        for f in self.env_files(fleet).values():
            self.assertTrue(os.path.exists(f), "READY=1 comes after the files are written")
        messages.append(sock.recv(4096).decode())
        self.assertTrue(messages[1].startswith("STATUS=cycle 2: 2 targets: 2 kept"), messages)
        p.send_signal(signal.SIGTERM)
        while True:
            m = sock.recv(4096).decode()
            if m == "STOPPING=1":
                break
        self.assertEqual(p.wait(timeout=30), 0)

    def test_failing_on_change_and_sigterm(self):
        fleet = self.fleet(1)
        p = self.start_watch(fleet, "--on-change", "sleep 30", "--on-change-timeout", "1s")
        wait_for(lambda: slurp(self.log).count("--on-change ran longer than 1 s") == 2, 20,
                 "both hanging on-change commands killed")
        cycles = self.cycles()
        wait_for(lambda: self.cycles() > cycles, 5, "another cycle")
        out = self.stop_watch(p)
        self.assertIn("stopping", out)
        p = self.start_watch(fleet, "--on-change", "echo oops; exit 3", "--cycles", "2")
        self.emu.forget_tokens()
        self.assertEqual(p.wait(timeout=30), 0)
        self.assertIn("--on-change exited with status 3", slurp(self.log))
        self.assertIn("on-change db000/us-east1: oops", slurp(self.log))

    def test_bad_options_exit_2(self):
        fleet = self.fleet(1)
        cases = [
            (["--interval", "0"], "--interval: \"0\" is too short"),
            (["--interval", "5x"], "--interval: \"5x\" is not a duration"),
            (["--interval", "10m", "--max-token-age", "5m"], "--max-token-age (300 s) is shorter"),
            ([], "Give --env-dir DIR"),
        ]
        for extra, message in cases:
            with self.subTest(extra=extra):
                argv = ["watch", "-i", fleet.path, *extra]
                if extra:
                    argv += ["--env-dir", self.envs]
                p = self.run_tokenfleet(*argv)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(message, p.stderr)
        self.assertEqual(self.emu.count_log(method="POST"), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
