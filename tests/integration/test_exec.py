"""tokenfleet exec: the command's environment (the five variables, prefixed for several targets,
no password source), its exit status passed through, what stops it from starting (a failing
target, a --target naming nothing, a command not found or not executable), and --keep-alive: the
signals passed on (a terminal's Ctrl-C not doubled), the tokens kept alive past their lifetime,
and the command restarted with a working token when the server forgot the old one.

The plain exec tests use the shared HTTPS emulator; the --keep-alive tests an OwnEmulator each,
with lifetimes of seconds. About 30 s in all, 10 of them a command that ignores SIGTERM."""
import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (PASSWORD, UUID4, ENV_VARS, WRAPPER, TOKENFLEET, Fleet, OwnEmulator,  # noqa
                     make_databases, slurp)

# The command the tests run: writes what it sees to the file in argv[1], one line an event, and
# notes every signal it gets; a SIGTERM ends it with status $EXIT_ON_TERM (0 by default), unless
# $IGNORE_TERM is set.
CHILD = r'''
import json, os, select, signal, sys
out = sys.argv[1]
def note(*words):
    with open(out, "a") as f:
        f.write(" ".join(str(w) for w in words) + "\n")
# Every delivery counts: the C-level handler writes a byte to the wakeup pipe each time, where
# Python handlers would merge two that came close together.
r, w = os.pipe()
os.set_blocking(w, False)
signal.set_wakeup_fd(w, warn_on_full_buffer=False)
for name in ("SIGUSR1", "SIGUSR2", "SIGHUP", "SIGQUIT", "SIGINT", "SIGTERM"):
    signal.signal(getattr(signal, name), lambda s, f: None)
env = {k: v for k, v in os.environ.items() if k.startswith("ASTRA_")}
note("start", os.getpid(), json.dumps(env, separators=(",", ":")),
     int("TF_TEST_PASSWORD" in os.environ), int(any("Pa55word" in v for v in os.environ.values())))
while True:
    try:
        select.select([r], [], [])
        got = os.read(r, 64)
    except InterruptedError:
        continue
    for signo in got:
        if signo == signal.SIGTERM:
            note("term", os.getpid())
            if not os.environ.get("IGNORE_TERM"):
                sys.exit(int(os.environ.get("EXIT_ON_TERM", "0")))
            continue
        note("signal", os.getpid(), signal.Signals(signo).name)
'''

# Prints the command's view of itself as JSON: pid, environment, open descriptors.
SHOW = ("import json, os; print(json.dumps({'pid': os.getpid(), 'env': dict(os.environ), "
        "'fds': sorted(int(f) for f in os.listdir('/proc/self/fd'))}))")


PASSED_ON = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2)


def default_signals():
    """For the process that becomes tokenfleet: the signals it passes on at their defaults. A
    test run started as a background job of a script (SIGINT and SIGQUIT ignored) would otherwise
    hand that on, and tokenfleet leaves a signal ignored at its start ignored, as exec would."""
    for signo in PASSED_ON:
        signal.signal(signo, signal.SIG_DFL)


def wait_for(what, check, timeout=30.0):
    """Polls check() until it returns something true; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class ExecTest(harness.TestCase):
    def setUp(self):
        super().setUp()
        self.good = make_databases(2, ["us-east1", "eu-west1"], prefix="good")
        self.wrong = make_databases(1, ["us-east1"], prefix="wrongpw",
                                    password="{env: TF_WRONG_PASSWORD}")
        self.fleet = Fleet(self.workdir, self.good + self.wrong)

    def exec_argv(self, fleet, options, command):
        return [*WRAPPER, TOKENFLEET, "exec", "-i", fleet.path, "--connect-to",
                f"::127.0.0.1:{harness.emulator_port()}", "--cacert", harness.ca_cert(),
                "--retries", "0", *options, "--", *command]

    def env(self, **extra):
        env = dict(os.environ, TF_TEST_PASSWORD=PASSWORD, TF_WRONG_PASSWORD="not-it",
                   TF_EXEC_INHERITED="kept")
        env.update(extra)
        return env

    def run_exec(self, options, command, fleet=None, **extra_env):
        p = subprocess.run(self.exec_argv(fleet or self.fleet, options, command),
                           env=self.env(**extra_env), capture_output=True, text=True, timeout=120)
        for stream in (p.stdout, p.stderr):
            self.assertNotIn(PASSWORD, stream, "the password leaked to the output")
        return p

    def show(self, *options):
        """Runs SHOW under exec; returns (its JSON, tokenfleet's pid)."""
        proc = subprocess.Popen(self.exec_argv(self.fleet, options, [sys.executable, "-c", SHOW]),
                                env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, err)
        self.assertNotIn(PASSWORD, out + err)
        return json.loads(out), proc.pid

    def test_one_target_five_variables_in_place_no_password(self):
        db = self.good[0]
        seen, pid = self.show("--target", f"{db['name']}/eu-west1")
        self.assertEqual(seen["pid"], pid, "the command runs in tokenfleet's place")
        env = seen["env"]
        astra = {k: v for k, v in env.items() if k.startswith("ASTRA_")}
        self.assertEqual(sorted(astra), sorted(ENV_VARS))
        self.assertEqual(astra["ASTRA_CLUSTER_ID"], db["id"])
        self.assertEqual(astra["ASTRA_CLUSTER_REGION"], "eu-west1")
        self.assertEqual(astra["ASTRA_DB_USERNAME"], "svc")
        self.assertEqual(astra["ASTRA_DB_KEYSPACE"], "app")
        self.assertRegex(astra["ASTRA_AUTHORIZATION_TOKEN"], UUID4)
        # Neither the chosen target's password source nor another database's is passed on.
        self.assertNotIn("TF_TEST_PASSWORD", env)
        self.assertNotIn("TF_WRONG_PASSWORD", env)
        self.assertEqual(env["TF_EXEC_INHERITED"], "kept")
        self.assertEqual(env["PATH"], os.environ["PATH"])
        # No descriptor of tokenfleet's reaches the command: the same as it has when run alone.
        alone = json.loads(subprocess.run([sys.executable, "-c", SHOW], capture_output=True,
                                          text=True, check=True).stdout)
        self.assertEqual(seen["fds"], alone["fds"])
        # The one request the emulator saw for this host.
        host = harness.astra_host(db["id"], "eu-west1")
        self.assertEqual([l["status"] for l in harness.log_lines({host})], [201])

    def test_several_targets_prefixed_as_in_the_combined_env_file(self):
        a, b = self.good
        seen, _ = self.show("--target", a["name"], "--target", f"{b['name']}/us-east1")
        astra = {k: v for k, v in seen["env"].items() if "ASTRA_" in k}
        prefixes = [f"{a['name'].upper()}_US_EAST1", f"{a['name'].upper()}_EU_WEST1",
                    f"{b['name'].upper()}_US_EAST1"]
        self.assertEqual(sorted(astra), sorted(f"{p}_{v}" for p in prefixes for v in ENV_VARS))
        self.assertEqual(astra[f"{prefixes[1]}_ASTRA_CLUSTER_REGION"], "eu-west1")
        self.assertEqual(astra[f"{prefixes[2]}_ASTRA_CLUSTER_ID"], b["id"])
        self.assertEqual(len({astra[f"{p}_ASTRA_AUTHORIZATION_TOKEN"] for p in prefixes}), 3)
        # --limit adds to --target: a target matching either is taken.
        seen, _ = self.show("--target", f"{b['name']}/us-east1", "--limit", "*/eu-west1")
        regions = sorted(v for k, v in seen["env"].items() if k.endswith("_ASTRA_CLUSTER_REGION"))
        self.assertEqual(regions, ["eu-west1", "eu-west1", "us-east1"])

    def test_keep_password_env(self):
        p = self.run_exec(["--target", self.good[0]["name"] + "/us-east1", "--keep-password-env"],
                          [sys.executable, "-c", "import os; print(len(os.environ.get("
                           "'TF_TEST_PASSWORD', '')), 'TF_WRONG_PASSWORD' in os.environ)"])
        self.assertEqual((p.returncode, p.stdout), (0, f"{len(PASSWORD)} True\n"), p.stderr)

    def test_exit_status_passed_through(self):
        target = ["--target", self.good[1]["name"] + "/us-east1"]
        p = self.run_exec(target, ["sh", "-c", "exit 7"])
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertEqual(p.stderr, "")  # exec in place says nothing of its own
        # The command is the process: its death by SIGTERM is the process's, 143 to a shell.
        p = self.run_exec(target, ["sh", "-c", "kill -TERM $$"])
        self.assertEqual(p.returncode, -signal.SIGTERM, p.stderr)
        shell = subprocess.run(
            ["sh", "-c", '"$@"; echo "status $?"', "sh",
             *self.exec_argv(self.fleet, target, ["sh", "-c", "kill -TERM $$"])],
            env=self.env(), capture_output=True, text=True, timeout=120)
        self.assertEqual(shell.stdout, "status 143\n", shell.stderr)

    def test_failing_target_does_not_start_the_command(self):
        marker = os.path.join(self.workdir, "ran")
        wrong = self.wrong[0]["name"] + "/us-east1"
        p = self.run_exec(["--target", self.good[0]["name"], "--target", wrong],
                          ["sh", "-c", f"touch {marker}"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertFalse(os.path.exists(marker), "the command ran")
        self.assertIn(f"tokenfleet: error: {wrong}: auth_failed:", p.stderr)
        self.assertIn("1 of 3 targets got no token: the command is not started", p.stderr)

    def test_usage_errors_exit_2(self):
        marker = os.path.join(self.workdir, "ran")
        p = self.run_exec(["--target", "nosuch/us-east1", "--target", self.good[0]["name"]],
                          ["sh", "-c", f"touch {marker}"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn('error: --target "nosuch/us-east1" names no target', p.stderr)
        self.assertIn("--limit for a pattern", p.stderr)
        self.assertFalse(os.path.exists(marker))
        # No -- before the command, no command, no target: the option's name and what to do.
        base = [*WRAPPER, TOKENFLEET, "exec", "-i", self.fleet.path]
        for argv, says in (([*base, "--target", "x", "true"], "put -- before the command"),
                           ([*base, "--target", "x", "--"], "which command?"),
                           ([*base, "--", "true"], "which targets? Give --target NAME"),
                           ([*base, "--target", "x", "--keep-alive", "0.5s", "--", "true"],
                            '--keep-alive: "0.5s" is too short; give 1s or more'),
                           ([*base, "--target", "x", "--shard", "0/2", "--", "true"],
                            "--shard belongs to validate, provision, check, watch and list, not exec"),
                           ([*base, "--target", "x", "--max-token-age", "1h", "--", "true"],
                            "--max-token-age needs --keep-alive")):
            p = subprocess.run(argv, env=self.env(), capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(says, p.stderr)
            self.assertEqual(harness.log_lines(self.fleet.hosts()), [], "nothing is sent")

    def test_not_found_127_not_executable_126(self):
        target = ["--target", self.good[0]["name"] + "/eu-west1"]
        p = self.run_exec(target, ["tokenfleet-no-such-command"])
        self.assertEqual(p.returncode, 127, p.stderr)
        self.assertIn("tokenfleet-no-such-command: command not found", p.stderr)
        plain = os.path.join(self.workdir, "not-executable")
        with open(plain, "w") as f:
            f.write("#!/bin/sh\n")
        p = self.run_exec(target, [plain])
        self.assertEqual(p.returncode, 126, p.stderr)
        self.assertIn(f"cannot run {plain}: Permission denied", p.stderr)
        # The same as its parent.
        p = self.run_exec([*target, "--keep-alive", "1m"], ["tokenfleet-no-such-command"])
        self.assertEqual(p.returncode, 127, p.stderr)
        p = self.run_exec([*target, "--keep-alive", "1m"], [plain])
        self.assertEqual(p.returncode, 126, p.stderr)


class KeepAliveTest(harness.TestCase):
    """--keep-alive against an emulator of the test's own (plain HTTP, lifetimes of seconds)."""

    def start_emulator(self, *options):
        emu = OwnEmulator(os.path.join(self.workdir, "emulator"), "--keyspaces",
                          os.path.join(harness.HERE, "keyspaces.txt"), *options)
        self.addCleanup(emu.stop)
        base = f"http://127.0.0.1:{emu.port}"
        db = make_databases(1, ["us-east1"], auth_url=f"{base}/v1/auth", rest_url=base)
        self.fleet = Fleet(self.workdir, db)
        self.target = f"{db[0]['name']}/us-east1"
        self.events = os.path.join(self.workdir, "events")
        self.child = os.path.join(self.workdir, "child.py")
        with open(self.child, "w") as f:
            f.write(CHILD)
        return emu

    def argv(self, *options, command=None):
        return [*WRAPPER, TOKENFLEET, "exec", "-i", self.fleet.path, "--target", self.target,
                "--keep-alive", "1s", *options, "--",
                *(command or [sys.executable, self.child, self.events])]

    def env(self, **extra):
        return dict(os.environ, TF_TEST_PASSWORD=PASSWORD, **extra)

    def spawn(self, *options, command=None, **extra_env):
        proc = subprocess.Popen(self.argv(*options, command=command), env=self.env(**extra_env),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=default_signals)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc

    def finish(self, proc):
        out, err = proc.communicate(timeout=60)
        self.assertNotIn(PASSWORD, out + err)
        return err

    def lines(self):
        return slurp(self.events).splitlines() if os.path.exists(self.events) else []

    def starts(self):
        """The command's starts: (pid, its ASTRA_ variables)."""
        out = []
        for line in self.lines():
            if line.startswith("start "):
                _, pid, env, has_pw_var, has_pw = line.split(" ")
                self.assertEqual((has_pw_var, has_pw), ("0", "0"), "a password reached it")
                out.append((int(pid), json.loads(env)))
        return out

    def signals_seen(self, pid):
        return [l.split()[2] for l in self.lines() if l.startswith(f"signal {pid} ")]

    def test_signals_reach_the_command_and_its_status_is_the_run(self):
        self.start_emulator()
        proc = self.spawn()
        pid, env = wait_for("the command's start", self.starts)[0]
        self.assertNotEqual(pid, proc.pid, "a child of tokenfleet's")
        self.assertEqual(sorted(env), sorted(ENV_VARS))
        # Neither tokenfleet's nor the command's command line holds the password; nor does the
        # command's environment.
        for path in (f"/proc/{proc.pid}/cmdline", f"/proc/{pid}/cmdline", f"/proc/{pid}/environ"):
            with open(path, "rb") as f:
                self.assertNotIn(PASSWORD.encode(), f.read(), path)

        sent = ["SIGUSR1", "SIGUSR2", "SIGHUP", "SIGQUIT", "SIGINT"]
        for name in sent:
            proc.send_signal(getattr(signal, name))
            wait_for(f"{name} at the command", lambda: name in self.signals_seen(pid))
        time.sleep(0.3)
        self.assertEqual(self.signals_seen(pid), sent, "each passed on once")
        self.assertIsNone(proc.poll(), "tokenfleet goes on while the command does")

        proc.send_signal(signal.SIGTERM)
        err = self.finish(proc)
        self.assertEqual(proc.returncode, 0, err)  # the command's: it exits 0 on SIGTERM
        self.assertIn(f"term {pid}", self.lines())
        self.assertRegex(err, rf"tokenfleet: {re.escape(self.target)}: token issued")
        self.assertIn(f"(pid {pid}) exited with status 0", err)

        # A command that ends by itself gives its status; one SIGTERM kills gives 128 + 15.
        proc = self.spawn(command=["sh", "-c", "exit 7"])
        self.finish(proc)
        self.assertEqual(proc.returncode, 7)
        up = os.path.join(self.workdir, "up")
        proc = self.spawn(command=["sh", "-c", f"echo $$ >{up}; exec sleep 60"])
        sleep_pid = wait_for("sleep to run", lambda: os.path.exists(up) and slurp(up).strip())
        proc.send_signal(signal.SIGTERM)
        err = self.finish(proc)
        self.assertEqual(proc.returncode, 143, err)
        self.assertIn(f"(pid {sleep_pid}) was killed by SIGTERM", err)

    def test_tokens_kept_alive_and_the_command_restarted_with_a_new_one(self):
        ttl = 3
        emu = self.start_emulator("--token-ttl", str(ttl), "--token-cache", "0")
        proc = self.spawn()
        started = time.monotonic()
        pid, env = wait_for("the command's start", self.starts)[0]
        token = env["ASTRA_AUTHORIZATION_TOKEN"]
        self.assertRegex(token, UUID4)

        # Proven every second, the token outlives its 3 s lifetime several times over, and the
        # command keeps running with it.
        time.sleep(max(0.0, started + 2 * ttl + 1 - time.monotonic()))
        self.assertEqual(emu.keyspace_status(token), 200)
        self.assertEqual(len(self.starts()), 1, "not restarted while its token works")

        # The server forgets every token: the next cycle's proof is refused, a new token is
        # issued and the command restarted with it (SIGTERM to the old one first).
        emu.forget_tokens()
        starts = wait_for("a second start", lambda: self.starts()[1:] and self.starts())
        new_pid, new_env = starts[1]
        self.assertNotEqual(new_pid, pid)
        self.assertIn(f"term {pid}", self.lines())
        new_token = new_env["ASTRA_AUTHORIZATION_TOKEN"]
        self.assertNotEqual(new_token, token)
        self.assertEqual(emu.keyspace_status(new_token), 200)
        self.assertEqual(emu.keyspace_status(token), 401)

        proc.send_signal(signal.SIGTERM)
        err = self.finish(proc)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(len(self.starts()), 2, "no restart after SIGTERM")
        self.assertIn(f"{self.target}: token replaced", err)
        self.assertIn(f"restarting {sys.executable} (pid {pid}): SIGTERM", err)
        self.assertIn(f"restarted {sys.executable} with the new tokens (pid {new_pid})", err)
        self.assertNotIn(token, err)
        self.assertNotIn(new_token, err)

    def test_a_command_ignoring_sigterm_is_killed_for_its_restart(self):
        emu = self.start_emulator()
        proc = self.spawn(IGNORE_TERM="1")
        pid, _ = wait_for("the command's start", self.starts)[0]
        emu.forget_tokens()
        asked = wait_for("SIGTERM for the restart", lambda: f"term {pid}" in self.lines() and
                         time.monotonic())
        new_pid, env = wait_for("a second start", lambda: self.starts()[1:], timeout=40)[0]
        waited = time.monotonic() - asked
        self.assertGreater(waited, 9, "SIGKILL only 10 s after SIGTERM")
        self.assertEqual(emu.keyspace_status(env["ASTRA_AUTHORIZATION_TOKEN"]), 200)
        # It ignores SIGTERM too: SIGKILL ends it, and that is the run's status.
        proc.send_signal(signal.SIGTERM)
        wait_for("SIGTERM passed on", lambda: f"term {new_pid}" in self.lines())
        self.assertIsNone(proc.poll(), "tokenfleet waits for its command")
        os.kill(new_pid, signal.SIGKILL)
        err = self.finish(proc)
        self.assertEqual(proc.returncode, 128 + signal.SIGKILL, err)
        self.assertIn(f"(pid {pid}) did not end within 10 s of SIGTERM: SIGKILL", err)
        self.assertIn(f"(pid {pid}) was killed by SIGKILL for the restart", err)
        self.assertIn(f"(pid {new_pid}) was killed by SIGKILL", err)

    def test_ctrl_c_on_a_terminal_reaches_the_command_once(self):
        """In a terminal the command shares tokenfleet's foreground process group: Ctrl-C
        reaches both, and tokenfleet must not pass on a second SIGINT. One sent to tokenfleet
        alone (kill) is passed on."""
        self.start_emulator()
        child_pid, master = pty.fork()
        if child_pid == 0:  # the session leader on the new terminal: becomes tokenfleet
            try:
                argv = self.argv("-v")
                default_signals()
                os.execvpe(argv[0], argv, self.env())
            finally:
                os._exit(127)
        output = []

        def drain():
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                output.append(chunk)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            pid, _ = wait_for("the command's start", self.starts)[0]
            os.write(master, b"\x03")  # Ctrl-C: SIGINT from the kernel to the foreground group
            wait_for("SIGINT at the command", lambda: self.signals_seen(pid))
            time.sleep(0.5)
            self.assertEqual(self.signals_seen(pid), ["SIGINT"], "the terminal's Ctrl-C, once")
            os.kill(child_pid, signal.SIGINT)  # to tokenfleet alone: passed on
            wait_for("a second SIGINT", lambda: len(self.signals_seen(pid)) == 2)
            time.sleep(0.5)
            self.assertEqual(self.signals_seen(pid), ["SIGINT", "SIGINT"])
            os.kill(child_pid, signal.SIGTERM)
            _, status = os.waitpid(child_pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        finally:
            try:
                os.kill(child_pid, signal.SIGKILL)
                os.waitpid(child_pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            reader.join(5)
            os.close(master)
        said = b"".join(output).decode(errors="replace")
        self.assertNotIn(PASSWORD, said)
        self.assertIn(f"SIGINT from the terminal reached {sys.executable} (pid {pid}) too: not "
                      "passed on", said)
        self.assertIn(f"SIGINT passed on to {sys.executable} (pid {pid})", said)


if __name__ == "__main__":
    unittest.main(verbosity=2)
