"""Shared helpers of the integration tests: run the real tokenfleet binary against the emulator
that the CTest fixture started, over HTTPS with real Astra host names sent to it by --connect-to.

Environment (set by tests/integration/CMakeLists.txt): TOKENFLEET, EMULATOR_DIR (holding port,
requests.log and tls/ca.crt); STARGATE_EMULATOR (the binary) for tests that start an OwnEmulator."""
import http.client
import json
import os
import re
import signal
import stat
import subprocess
import tempfile
import time
import unittest
import uuid

TOKENFLEET = os.environ["TOKENFLEET"]
# e.g. "valgrind --error-exitcode=99 ...": how tests/run-tests.sh runs the suite under valgrind.
WRAPPER = os.environ.get("TOKENFLEET_TEST_WRAPPER", "").split()
EMULATOR_DIR = os.environ["EMULATOR_DIR"]
HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_CTL = os.path.join(HERE, "emulator-ctl.sh")
PASSWORD = "Integr4tion-Pa55word-QZ7"  # distinctive: searched for in every output
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ENV_VARS = ["ASTRA_CLUSTER_ID", "ASTRA_CLUSTER_REGION", "ASTRA_DB_USERNAME", "ASTRA_DB_KEYSPACE",
            "ASTRA_AUTHORIZATION_TOKEN"]


def slurp(path):
    with open(path) as f:
        return f.read()


def emulator_port():
    with open(os.path.join(EMULATOR_DIR, "port")) as f:
        return int(f.read().strip())


def ca_cert():
    return os.path.join(EMULATOR_DIR, "tls", "ca.crt")


def log_lines(hosts=None, directory=EMULATOR_DIR):
    """The emulator's request log as dicts, only for the given host names when hosts is set."""
    out = []
    with open(os.path.join(directory, "requests.log")) as f:
        for line in f:
            host, method, path, rid, status = line.rstrip("\n").split("\t")
            host = host.split(":")[0]
            if hosts is None or host in hosts:
                out.append({"host": host, "method": method, "path": path, "request_id": rid,
                            "status": int(status)})
    return out


def parse_prometheus(path):
    """The file at path parsed by the reference client library's parser (Debian's package, run
    by Debian's python3, which is where it is installed): {family: [[labels, value], ...]}."""
    code = ("import json,sys\n"
            "from prometheus_client.parser import text_string_to_metric_families as p\n"
            "out = {f.name: [[s.labels, s.value] for s in f.samples]\n"
            "       for f in p(open(sys.argv[1]).read())}\n"
            "print(json.dumps(out))\n")
    parsed = subprocess.run(["/usr/bin/python3", "-c", code, path], capture_output=True,
                            text=True)
    if parsed.returncode != 0:
        raise AssertionError("the Prometheus file does not parse: " + parsed.stderr)
    return json.loads(parsed.stdout)


def class_tempdir(cls):
    """A scratch folder for a test class's setUpClass, removed after the class's tests."""
    tmp = tempfile.TemporaryDirectory(prefix="tokenfleet-it-")
    cls.addClassCleanup(tmp.cleanup)
    return tmp.name


def astra_host(cluster_id, region):
    return f"{cluster_id}-{region}.apps.astra.datastax.com"


class OwnEmulator:
    """An emulator of one test's own, for options the shared fixture must not have (such as a
    token lifetime of seconds): plain HTTP on an ephemeral port, started with emulator-ctl.sh
    into DIRECTORY (port, pid, requests.log, emulator.out). The binary is $STARGATE_EMULATOR."""

    def __init__(self, directory, *options, users=os.path.join(HERE, "users.txt")):
        self.directory = directory
        subprocess.run([EMULATOR_CTL, "start", directory, users, os.environ["STARGATE_EMULATOR"],
                        "http", *options], check=True, timeout=60)
        self.port = int(slurp(os.path.join(directory, "port")))
        self.pid = int(slurp(os.path.join(directory, "pid")))

    def stop(self):
        """Stops it; raises if a sanitizer (a -DTOKENFLEET_SANITIZE=ON build) reported anything."""
        subprocess.run([EMULATOR_CTL, "stop", self.directory], check=True, timeout=60)
        out = slurp(os.path.join(self.directory, "emulator.out"))
        if re.search(r"ERROR: \w+Sanitizer|runtime error:", out):
            raise AssertionError("the emulator's output holds a sanitizer report:\n" + out)

    def signal(self, signum):
        os.kill(self.pid, signum)

    def signal_logged(self, signum, timeout=10.0):
        """Sends signum, then waits until the emulator has logged it (it has acted on it by
        then); returns that log line's status."""
        name = signal.Signals(signum).name
        before = self.count_log(method=name)
        self.signal(signum)
        deadline = time.monotonic() + timeout
        while self.count_log(method=name) == before:
            if time.monotonic() > deadline:
                raise AssertionError("the emulator did not log %s within %.0f s" % (name, timeout))
            time.sleep(0.02)
        return [line for line in log_lines(directory=self.directory)
                if line["method"] == name][-1]["status"]

    def forget_tokens(self, timeout=10.0):
        """SIGUSR1: every token is gone once this returns."""
        self.signal_logged(signal.SIGUSR1, timeout)

    def reload_tokens(self, timeout=10.0):
        """SIGUSR2: the application and organization token files read again; returns the log
        line's status (0: read, 2: a file was bad)."""
        return self.signal_logged(signal.SIGUSR2, timeout)

    def count_log(self, **match):
        return sum(all(line[k] == v for k, v in match.items())
                   for line in log_lines(directory=self.directory))

    def request(self, method, path, body=None, headers=None):
        """One request on a new connection; returns (status, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def new_token(self, username="svc", password=PASSWORD):
        status, body = self.request("POST", "/v1/auth",
                                    json.dumps({"username": username, "password": password}),
                                    {"Content-Type": "application/json"})
        if status != 201:
            raise AssertionError(f"POST /v1/auth: {status} {body!r}")
        return json.loads(body)["authToken"]

    def keyspace_status(self, token, keyspace="app"):
        """The status of the REST keyspace GET with TOKEN: 401 when the token is not accepted."""
        return self.request("GET", f"/v2/schemas/keyspaces/{keyspace}",
                            headers={"X-Cassandra-Token": token})[0]


class Fleet:
    """A generated inventory: databases with fresh cluster ids (so their host names are this
    test's alone in the shared emulator log)."""

    def __init__(self, workdir, databases, defaults=None):
        self.workdir = workdir
        self.databases = databases
        self.path = os.path.join(workdir, "fleet.yaml")
        lines = ["version: 1"]
        defaults = defaults if defaults is not None else {
            "keyspace": "app", "username": "svc", "password": "{env: TF_TEST_PASSWORD}"}
        if defaults:
            lines.append("defaults:")
            lines += [f"  {k}: {v}" for k, v in defaults.items()]
        lines.append("databases:")
        for db in databases:
            lines.append(f"  - name: {db['name']}")
            for key in ("id", "keyspace", "username", "password", "auth_url", "rest_url"):
                if key in db:
                    lines.append(f"    {key}: {db[key]}")
            lines.append(f"    regions: [{', '.join(db['regions'])}]")
            if db.get("tags"):
                lines.append(f"    tags: [{', '.join(db['tags'])}]")
        with open(self.path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.path, 0o600)

    def targets(self):
        return [(db, r) for db in self.databases for r in db["regions"]]

    def hosts(self):
        return {astra_host(db["id"], r) for db, r in self.targets()}


def make_databases(count, regions, prefix="db", **extra):
    return [dict(name=f"{prefix}{i:03d}", id=str(uuid.uuid4()), regions=list(regions), **extra)
            for i in range(count)]


class TestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tokenfleet-it-")
        self.workdir = self._tmp.name
        # A cleanup, not tearDown: cleanups run last-added first and after tearDown, so what a
        # test adds later (an OwnEmulator's stop, which needs its directory) runs before this.
        self.addCleanup(self._tmp.cleanup)

    def run_tokenfleet(self, *args, env=None, https=True, stdin=None, cwd=None):
        """Runs tokenfleet ARGS (in cwd, with stdin as its standard input when given) with the
        test password in TF_TEST_PASSWORD and env's variables (one whose value is None is taken
        out of the environment)."""
        full_env = dict(os.environ)
        full_env["TF_TEST_PASSWORD"] = PASSWORD
        for name, value in (env or {}).items():
            if value is None:
                full_env.pop(name, None)
            else:
                full_env[name] = value
        argv = [*WRAPPER, TOKENFLEET, *args]
        if args and args[0] in ("provision", "check") and https:
            argv += ["--connect-to", f"::127.0.0.1:{emulator_port()}", "--cacert", ca_cert()]
        p = subprocess.run(argv, env=full_env, capture_output=True, text=True, timeout=120,
                           input=stdin, cwd=cwd)
        for stream in (p.stdout, p.stderr):
            self.assertNotIn(PASSWORD, stream, "the password leaked to the output")
        return p

    def read_report(self, path):
        with open(path) as f:
            text = f.read()
        self.assertNotIn(PASSWORD, text)
        return json.loads(text)

    def read_env_file(self, path):
        """Parses KEY=value lines; asserts 0600 and that there is no password."""
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
        values, comments = {}, 0
        with open(path) as f:
            for line in f:
                self.assertTrue(line.endswith("\n"))
                if line.startswith("#"):
                    comments += 1
                    continue
                key, _, value = line.rstrip("\n").partition("=")
                values[key] = value
        with open(path) as f:
            self.assertNotIn(PASSWORD, f.read())
        self.assertGreaterEqual(comments, 1, "the file says what made it")
        return values
