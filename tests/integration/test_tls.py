"""TLS as in production: the CA store is parsed once per run whatever its size (counted with
strace: the bundle is opened once for 200 connections), and a certificate from an untrusted CA,
for another host name, or expired fails with a network_error naming the TLS problem, never
retried, nothing written."""
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, Fleet, make_databases  # noqa: E402

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class TlsTest(harness.TestCase):
    def provision(self, fleet, cacert, port, *extra):
        argv = [*harness.WRAPPER, harness.TOKENFLEET, "provision", "-i", fleet.path, "--cacert",
                cacert, "--connect-to", f"::127.0.0.1:{port}", *extra]
        p = subprocess.run(argv, env=dict(os.environ, TF_TEST_PASSWORD=PASSWORD),
                           capture_output=True, text=True, timeout=300)
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        return p

    @unittest.skipUnless(shutil.which("strace"), "strace is not installed")
    def test_a_large_bundle_is_read_once_per_run(self):
        if not os.path.exists(SYSTEM_BUNDLE):
            self.skipTest("no system CA bundle")
        bundle = os.path.join(self.workdir, "bundle.crt")
        with open(bundle, "wb") as out:
            for part in (SYSTEM_BUNDLE, harness.ca_cert()):
                with open(part, "rb") as f:
                    out.write(f.read())
        fleet = Fleet(self.workdir, make_databases(200, ["us-east1"]))
        trace = os.path.join(self.workdir, "trace")
        argv = ["strace", "-f", "-e", "trace=open,openat", "-o", trace, harness.TOKENFLEET,
                "provision", "-i", fleet.path, "--cacert", bundle, "--connect-to",
                f"::127.0.0.1:{harness.emulator_port()}", "-j", "16"]
        # LeakSanitizer cannot run under ptrace: in a sanitizer build it is off for this run.
        env = dict(os.environ, TF_TEST_PASSWORD=PASSWORD,
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("200 ok", p.stderr)
        opens = [l for l in harness.slurp(trace).splitlines() if bundle in l]
        self.assertEqual(len(opens), 1, "the bundle is parsed once, not per connection")
        self.assertFalse([l for l in harness.slurp(trace).splitlines()
                          if '"/etc/ssl/certs/' in l and bundle not in l],
                         "no CA path is scanned")

    def test_untrusted_wrong_host_and_expired_certificates(self):
        d = self.workdir
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key", cwd=d)
        openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=tokenfleet test CA",
                "-days", "2", "-out", "ca.crt", cwd=d)
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "srv.key", cwd=d)

        def cert(name, san, days):
            openssl("req", "-new", "-key", "srv.key", "-subj", f"/CN={name}", "-addext",
                    f"subjectAltName={san}", "-out", f"{name}.csr", cwd=d)
            openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", str(days), "-copy_extensions", "copy", "-out",
                    f"{name}.crt", cwd=d)
            return os.path.join(d, f"{name}.crt")

        cases = {
            # certificate, CA the client trusts, words libcurl/OpenSSL use for the problem
            "untrusted": (cert("untrusted", "DNS:*.apps.astra.datastax.com", 2),
                          harness.ca_cert(), "unable to get local issuer certificate"),
            "wrong-host": (cert("wronghost", "DNS:*.example.org", 2), os.path.join(d, "ca.crt"),
                           "no alternative certificate subject name matches target host name"),
            "expired": (cert("expired", "DNS:*.apps.astra.datastax.com", 0),
                        os.path.join(d, "ca.crt"), "certificate has expired"),
        }
        time.sleep(1.1)  # "-days 0" ends the certificate's validity when it is made
        emulator = os.path.join(os.path.dirname(harness.TOKENFLEET), "tests", "emulator",
                                "stargate-emulator")
        users = os.path.join(os.path.dirname(os.path.abspath(__file__)), "users.txt")
        for name, (crt, trusted, words) in cases.items():
            with self.subTest(case=name):
                port_file = os.path.join(d, f"{name}.port")
                emu = subprocess.Popen([emulator, "--users", users, "--port-file", port_file,
                                        "--tls-cert", crt, "--tls-key", os.path.join(d, "srv.key")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    for _ in range(100):
                        if os.path.exists(port_file) and harness.slurp(port_file).strip():
                            break
                        time.sleep(0.05)
                    port = int(harness.slurp(port_file))
                    fleet = Fleet(d, make_databases(2, ["us-east1"],
                                                    prefix=name.replace("-", "")))
                    envs = os.path.join(d, f"envs-{name}")
                    report = os.path.join(d, f"{name}.json")
                    p = self.provision(fleet, trusted, port, "--env-dir", envs, "--report", report)
                    self.assertEqual(p.returncode, 1, p.stderr)
                    for r in self.read_report(report)["results"]:
                        self.assertEqual(r["status"], "network_error")
                        self.assertEqual(r["attempts"], 1, "a TLS verification failure is final")
                        self.assertTrue(r["error"].startswith("TLS: "), r["error"])
                        self.assertIn(words, r["error"])
                    self.assertEqual(os.listdir(envs), [])
                finally:
                    emu.terminate()
                    emu.wait(timeout=10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
