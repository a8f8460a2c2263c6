"""Requests through a real HTTP proxy (tinyproxy) over HTTPS: --proxy and HTTPS_PROXY for
provision, check --verify, watch and exec; --noproxy, NO_PROXY, --proxy ""; a proxy that is down
or refuses the credentials; and the proxy's password never printed, nor sent where the proxy
could log it.

The target URLs are real Astra host names, sent to the emulator by --connect-to ::127.0.0.1:PORT.
libcurl applies CURLOPT_CONNECT_TO to the far end of the tunnel, not to the connection to the
proxy (the proxy is what libcurl connects to): the proxy is asked to CONNECT 127.0.0.1:PORT, once
per target, as every Astra host is a connection of its own. Inside the tunnel TLS is verified
against the Astra host name with the emulator's CA, as without a proxy (and fails with another
CA: the proxy does not terminate it). So the proxy's log counts the tunnels, and the emulator's
log, which has each request's Host, names the targets they carried.

The proxy is this test's own: tinyproxy (Debian's tinyproxy-bin, installed by
tests/install-deps.sh) started on an ephemeral port with a generated configuration (the keys of
tinyproxy.conf(5), 1.11): Basic authentication with a distinctive password, CONNECT only to the
emulator's port, its log at level Info (the most verbose) into a file."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, WRAPPER, Fleet, make_databases, slurp  # noqa: E402

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
PROXY_USER = "fleetproxy"
PROXY_PASSWORD = "Pr0xy-Pa55-Zk9w"  # distinctive: searched for in every output and in argv
# Every variable that names a proxy: taken out of tokenfleet's environment unless a test sets it.
PROXY_VARS = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
              "no_proxy", "NO_PROXY"]
CONNECT = re.compile(r"Request \(file descriptor \d+\): CONNECT (\S+) HTTP/1\.[01]$")


def free_port():
    """A port nothing listens on (for a moment: whoever binds it next may be someone else)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tinyproxy:
    """tinyproxy in the foreground (-d) with a configuration of its own, in directory."""

    def __init__(self, directory, connect_port):
        binary = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
        if not os.path.exists(binary):
            raise AssertionError("tinyproxy is not installed (tests/install-deps.sh installs "
                                 "tinyproxy-bin)")
        self.directory = directory
        self.log_path = os.path.join(directory, "tinyproxy.log")
        for _ in range(5):  # the port may be taken between free_port() and tinyproxy's bind
            self.port = free_port()
            conf = os.path.join(directory, "tinyproxy.conf")
            with open(conf, "w") as f:
                f.write(f"Port {self.port}\n"
                        "Listen 127.0.0.1\n"
                        "Timeout 30\n"
                        f'LogFile "{self.log_path}"\n'
                        "LogLevel Info\n"
                        f'PidFile "{os.path.join(directory, "tinyproxy.pid")}"\n'
                        "MaxClients 100\n"
                        "Allow 127.0.0.1\n"
                        f"ConnectPort {connect_port}\n"
                        f"BasicAuth {PROXY_USER} {PROXY_PASSWORD}\n")
            if os.path.exists(self.log_path):
                os.unlink(self.log_path)
            out = open(os.path.join(directory, "tinyproxy.out"), "w")
            self.proc = subprocess.Popen([binary, "-d", "-c", conf], stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT)
            out.close()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                if "Starting main loop" in self.log():
                    return
                time.sleep(0.05)
            self.stop()
        raise AssertionError("tinyproxy did not start; its output:\n" +
                             slurp(os.path.join(directory, "tinyproxy.out")) + self.log())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def url(self, password=PROXY_PASSWORD, port=None):
        return f"http://{PROXY_USER}:{password}@127.0.0.1:{port or self.port}"

    def shown(self, port=None):
        """How tokenfleet prints url(): the user name and password masked."""
        return f"http://********@127.0.0.1:{port or self.port}"

    def log(self):
        return slurp(self.log_path) if os.path.exists(self.log_path) else ""

    def mark(self):
        return len(self.log())

    def connects(self, since):
        """The hosts:ports of the CONNECT requests logged after mark() returned since."""
        return [m.group(1) for line in self.log()[since:].splitlines()
                if (m := CONNECT.search(line))]


class ProxyTest(harness.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy_dir = tempfile.mkdtemp(prefix="tokenfleet-proxy-")
        cls.proxy = Tinyproxy(cls.proxy_dir, harness.emulator_port())
        cls.addClassCleanup(shutil.rmtree, cls.proxy_dir, ignore_errors=True)
        cls.addClassCleanup(cls.proxy.stop)
        cls.tunnel = f"127.0.0.1:{harness.emulator_port()}"  # what every CONNECT asks for

    def tokenfleet(self, *args, env=None, cacert=None):
        """Runs tokenfleet with no proxy variable but those of env, sending the targets to the
        emulator (--connect-to) and trusting its CA, or cacert."""
        full_env = {name: None for name in PROXY_VARS}
        full_env.update(env or {})
        extra = []
        if args[0] in ("provision", "check", "watch", "exec"):
            extra = ["--connect-to", f"::127.0.0.1:{harness.emulator_port()}", "--cacert",
                     cacert or harness.ca_cert()]
        if "--" in args:  # exec: its options go before the command
            i = args.index("--")
            args = (*args[:i], *extra, *args[i:])
        else:
            args = (*args, *extra)
        p = self.run_tokenfleet(*args, env=full_env, https=False)
        for stream in (p.stdout, p.stderr):
            self.assertNotIn(PROXY_PASSWORD, stream, "the proxy's password leaked")
        return p

    def fleet(self, count=3, regions=("us-east1", "eu-west1")):
        return Fleet(self.workdir, make_databases(count, list(regions)))

    def assert_reached_emulator(self, fleet, methods=("POST",)):
        """Every target's host got exactly the requests methods (one each), all answered."""
        seen = {}
        for line in harness.log_lines(fleet.hosts()):
            seen.setdefault(line["host"], []).append((line["method"], line["status"]))
        want = {"POST": 201, "GET": 200}
        self.assertEqual(seen, {h: [(m, want[m]) for m in methods] for h in fleet.hosts()})

    def assert_nothing_secret_in_proxy_log(self, *tokens):
        log = self.proxy.log()
        for secret in (PASSWORD, PROXY_PASSWORD, *tokens):
            self.assertNotIn(secret, log, "the proxy's log holds a secret")

    def read_file(self, path):
        text = slurp(path)
        self.assertNotIn(PROXY_PASSWORD, text)
        return text

    # ---- through the proxy ----

    def test_provision_with_proxy_option(self):
        fleet = self.fleet()
        envs = os.path.join(self.workdir, "envs")
        report = os.path.join(self.workdir, "report.json")
        mark = self.proxy.mark()
        p = self.tokenfleet("provision", "-i", fleet.path, "--env-dir", envs, "--report", report,
                            "-v", "--proxy", self.proxy.url())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.read_file(report)
        rep = self.read_report(report)
        self.assertEqual(rep["summary"], {"targets": 6, "ok": 6, "failed": 0})
        # One tunnel per target, each to where --connect-to sends it; the emulator saw each
        # target's host once (the Host inside the tunnel), with TLS verified on the way.
        self.assertEqual(self.proxy.connects(mark), [self.tunnel] * 6)
        self.assert_reached_emulator(fleet)
        # -v names the proxy of every request, masked.
        sent = [l for l in p.stderr.splitlines() if ": POST https://" in l]
        self.assertEqual(len(sent), 6, p.stderr)
        for line in sent:
            self.assertTrue(line.endswith(f" through proxy {self.proxy.shown()} (--proxy)"), line)
        tokens = [r["token"] for r in rep["results"]]
        for db, region in fleet.targets():
            self.read_file(os.path.join(envs, f"{db['name']}.{region}.env"))
        # The body and the answer went inside TLS: neither the password nor a token reached
        # the proxy's log, and the proxy's own password is not logged either.
        self.assert_nothing_secret_in_proxy_log(*tokens)

    def test_check_verify_with_https_proxy_variable(self):
        fleet = self.fleet()
        report = os.path.join(self.workdir, "report.json")
        mark = self.proxy.mark()
        p = self.tokenfleet("check", "-i", fleet.path, "--verify", "--report", report, "-v",
                            env={"HTTPS_PROXY": self.proxy.url()})
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = self.read_report(report)
        self.read_file(report)
        self.assertEqual(rep["summary"], {"targets": 6, "ok": 6, "failed": 0})
        # The keyspace GET proving each token goes through the auth request's tunnel.
        self.assertEqual(self.proxy.connects(mark), [self.tunnel] * 6)
        self.assert_reached_emulator(fleet, ("POST", "GET"))
        lines = [l for l in p.stderr.splitlines() if re.search(r": (POST|GET) https://", l)]
        self.assertEqual(len(lines), 12, p.stderr)
        for line in lines:
            self.assertTrue(
                line.endswith(f" through proxy {self.proxy.shown()} (HTTPS_PROXY)"), line)
        self.assert_nothing_secret_in_proxy_log()

    def test_tls_is_end_to_end_through_the_tunnel(self):
        # Another CA than the emulator's: the certificate that came through the tunnel is the
        # emulator's, so verification fails, and is not retried; the error names the proxy.
        if not os.path.exists(SYSTEM_BUNDLE):
            self.skipTest("no system CA bundle")
        fleet = self.fleet(1, ["us-east1"])
        report = os.path.join(self.workdir, "report.json")
        mark = self.proxy.mark()
        p = self.tokenfleet("provision", "-i", fleet.path, "--report", report, "--proxy",
                            self.proxy.url(), cacert=SYSTEM_BUNDLE)
        self.assertEqual(p.returncode, 1, p.stderr)
        res = self.read_report(report)["results"][0]
        self.assertEqual((res["status"], res["attempts"]), ("network_error", 1))
        self.assertRegex(res["error"], r"^TLS: .*certificate.*, through proxy " +
                         re.escape(f"{self.proxy.shown()} (--proxy)") + "$")
        self.assertEqual(self.proxy.connects(mark), [self.tunnel])
        self.assertEqual(harness.log_lines(fleet.hosts()), [], "no request got through")

    def test_watch_and_exec_through_the_proxy(self):
        fleet = self.fleet(1)
        envs = os.path.join(self.workdir, "envs")
        mark = self.proxy.mark()
        p = self.tokenfleet("watch", "-i", fleet.path, "--env-dir", envs, "--cycles", "1",
                            env={"https_proxy": self.proxy.url()})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(envs)),
                         sorted(f"{db['name']}.{r}.env" for db, r in fleet.targets()))
        self.assertEqual(self.proxy.connects(mark), [self.tunnel] * 2)

        # exec --keep-alive stays the command's parent: the command reads tokenfleet's command
        # line, where the proxy's credentials are masked by now.
        target = f"{fleet.databases[0]['name']}/us-east1"
        seen = os.path.join(self.workdir, "cmdline")
        mark = self.proxy.mark()
        p = self.tokenfleet("exec", "-i", fleet.path, "--target", target, "--keep-alive", "1h",
                            "--proxy", self.proxy.url(), "--",
                            "sh", "-c", 'tr "\\0" " " </proc/$PPID/cmdline >"$0"', seen)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.proxy.connects(mark), [self.tunnel])
        cmdline = slurp(seen)
        if not WRAPPER:  # under valgrind /proc shows valgrind's own copy of the command line
            self.assertIn("--proxy http://" + "*" * len(f"{PROXY_USER}:{PROXY_PASSWORD}") +
                          f"@127.0.0.1:{self.proxy.port} ", cmdline)
            self.assertNotIn(PROXY_USER, cmdline)
        self.assert_nothing_secret_in_proxy_log()

    # ---- around the proxy ----

    def test_noproxy_and_empty_proxy_bypass_it(self):
        fleet = self.fleet(1)
        cases = [
            ("--noproxy '*'", ["--noproxy", "*"], {"HTTPS_PROXY": self.proxy.url()}, 0),
            ("--proxy with --noproxy domain", ["--proxy", self.proxy.url(), "--noproxy",
                                               "apps.astra.datastax.com"], {}, 0),
            ("NO_PROXY", [], {"HTTPS_PROXY": self.proxy.url(),
                              "NO_PROXY": "localhost,.astra.datastax.com"}, 0),
            ("--proxy ''", ["--proxy", ""], {"HTTPS_PROXY": self.proxy.url()}, 0),
            # --noproxy "" empties NO_PROXY: through the proxy again.
            ("--noproxy ''", ["--noproxy", ""], {"https_proxy": self.proxy.url(),
                                                 "NO_PROXY": "*"}, 2),
        ]
        for name, options, env, tunnels in cases:
            with self.subTest(name):
                mark = self.proxy.mark()
                before = len(harness.log_lines(fleet.hosts()))
                p = self.tokenfleet("provision", "-i", fleet.path, "-v", *options, env=env)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(self.proxy.connects(mark), [self.tunnel] * tunnels)
                self.assertEqual(len(harness.log_lines(fleet.hosts())) - before, 2)
                self.assertEqual(p.stderr.count(" through proxy "), tunnels, p.stderr)

    def test_a_proxy_that_is_down_is_named_without_credentials(self):
        fleet = self.fleet(1)
        down = free_port()
        for name, options, env, source in [
                ("--proxy", ["--proxy", self.proxy.url(port=down)], {}, "--proxy"),
                ("HTTPS_PROXY", [], {"HTTPS_PROXY": self.proxy.url(port=down)}, "HTTPS_PROXY")]:
            with self.subTest(name):
                report = os.path.join(self.workdir, f"report-{source}.json")
                p = self.tokenfleet("provision", "-i", fleet.path, "--report", report,
                                    "--retries", "1", "--retry-delay", "0", *options, env=env)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.read_file(report)
                prefix = f"proxy {self.proxy.shown(port=down)} ({source}): "
                for res in self.read_report(report)["results"]:
                    self.assertEqual((res["status"], res["attempts"]), ("network_error", 2))
                    self.assertTrue(res["error"].startswith(prefix), res["error"])
                    self.assertIn(f"port {down}", res["error"])
                self.assertEqual(p.stderr.count(prefix), 2, p.stderr)
                self.assertNotIn(PROXY_USER, p.stderr)
        self.assertEqual(harness.log_lines(fleet.hosts()), [])

    def test_a_proxy_url_libcurl_quotes_has_its_credentials_masked(self):
        # --proxy is checked before anything is sent; the environment's proxy is not, and
        # libcurl refuses this one with a message quoting it whole, credentials included.
        fleet = self.fleet(1, ["us-east1"])
        report = os.path.join(self.workdir, "report.json")
        p = self.tokenfleet("provision", "-i", fleet.path, "--report", report, "--retries", "0",
                            env={"HTTPS_PROXY": f"ftp://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:1"})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.read_file(report)
        res = self.read_report(report)["results"][0]
        self.assertEqual(res["status"], "network_error")
        self.assertTrue(res["error"].startswith("proxy ftp://********@127.0.0.1:1 (HTTPS_PROXY): "),
                        res["error"])
        self.assertIn("ftp://********@127.0.0.1:1'", res["error"], "libcurl's quote, masked")
        self.assertNotIn(PROXY_USER, p.stderr + res["error"])

    def test_wrong_proxy_credentials_are_refused_and_not_printed(self):
        fleet = self.fleet(1, ["us-east1"])
        wrong = "Wr0ng-Pr0xy-Pa55"
        report = os.path.join(self.workdir, "report.json")
        mark = self.proxy.mark()
        p = self.tokenfleet("check", "-i", fleet.path, "--report", report, "--retries", "0",
                            "--proxy", self.proxy.url(password=wrong))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertNotIn(wrong, p.stdout + p.stderr + self.read_file(report))
        res = self.read_report(report)["results"][0]
        self.assertEqual(res["status"], "network_error")
        # tinyproxy 1.11 answers a CONNECT without the right credentials with 401, not 407.
        self.assertRegex(res["error"], "^" + re.escape(f"proxy {self.proxy.shown()} (--proxy): ") +
                         r"CONNECT tunnel failed, response 40[17]")
        self.assertEqual(self.proxy.connects(mark), [self.tunnel])
        self.assertEqual(harness.log_lines(fleet.hosts()), [])
        self.assertNotIn(wrong, self.proxy.log())

    def test_a_proxy_url_libcurl_would_refuse_is_a_usage_error(self):
        fleet = self.fleet(1, ["us-east1"])
        bad = f"http://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example:3128/path"
        p = self.tokenfleet("provision", "-i", fleet.path, "--proxy", bad)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn('--proxy: "http://********@proxy.example:3128/path" is not a proxy URL',
                      p.stderr)
        self.assertNotIn(PROXY_USER, p.stderr)
        self.assertEqual(harness.log_lines(fleet.hosts()), [], "nothing sent")


if __name__ == "__main__":
    unittest.main(verbosity=2)
