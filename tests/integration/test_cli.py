"""The command line as a user meets it: help, version, usage errors (exit 2, a hint, nothing
sent), and validate."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Fleet, make_databases  # noqa: E402


class CliTest(harness.TestCase):
    def test_help_and_version(self):
        for args in (["--help"], ["provision", "--help"], ["validate", "--help"]):
            p = self.run_tokenfleet(*args, https=False)
            self.assertEqual(p.returncode, 0, args)
            self.assertIn("Usage: tokenfleet", p.stdout)
        p = self.run_tokenfleet("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^tokenfleet \d+\.\d+\.\d+ \(libcurl/")

    def test_usage_errors_exit_2_with_a_hint(self):
        fleet = Fleet(self.workdir, make_databases(1, ["us-east1"]))
        cases = [
            (["provison"], 'did you mean "provision"? Try'),
            (["provision"], "Give -i FILE"),
            (["provision", "-i", fleet.path, "-j", "0"], "-j: \"0\" is not a number"),
            (["provision", "-i", fleet.path, "--timeout", "soon"], "not a number of seconds"),
            (["provision", "-i", fleet.path, "--env-format", "docker"], "portable or sh"),
            (["provision", "-i", fleet.path, "--bogus"], "unknown option --bogus\n"),
            (["provision", "-i", fleet.path, "--env-fiel", "x"],
             "unknown option --env-fiel; did you mean --env-file?"),
            (["provision", "-i", fleet.path, "--timeout", "abc"],
             '--timeout: "abc" is not a number of seconds'),
            (["provision", "-i", fleet.path, "extra"], 'unexpected argument "extra"'),
            (["provision", "-i", fleet.path, "--connect-to", "a:b"], "HOST1:PORT1:HOST2:PORT2"),
            (["provision", "-i", fleet.path, "--limit", "nomatch*"], "matches no target"),
            (["validate", "-i", fleet.path, "--junit", "x"], "belongs to check"),
            (["provision", "-i", fleet.path, "--env-file", self.workdir], "that is a folder"),
            (["provision", "-i", fleet.path, "--env-file", "same.out", "--report", "./same.out"],
             "--env-file same.out and --report ./same.out name the same file"),
            (["check", "-i", fleet.path, "--report", "-", "--junit", "-"],
             "--report - and --junit -: only one output can go to standard output"),
            (["provision", "-i", fleet.path, "--env-file", "-"],
             "--env-file -: an env file holding tokens cannot go to standard output"),
            (["watch", "-i", fleet.path, "--env-dir", "-"],
             "--env-dir -: a folder of files cannot go to standard output"),
            (["provision", "-i", os.path.join(self.workdir, "missing.yaml")],
             "cannot open the inventory"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                p = self.run_tokenfleet(*args, https=False)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(message, p.stderr)
        self.assertEqual(harness.log_lines(fleet.hosts()), [])

    def test_validate_counts_and_reports_every_mistake(self):
        fleet = Fleet(self.workdir, make_databases(3, ["us-east1", "eu-west1"]))
        p = self.run_tokenfleet("validate", "-i", fleet.path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("valid: 3 databases, 6 targets", p.stderr)

        bad = os.path.join(self.workdir, "bad.yaml")
        with open(bad, "w") as f:
            f.write("version: 1\n"
                    "databases:\n"
                    "  - name: Orders\n"
                    "    id: not-a-uuid\n"
                    "    region: us-east1\n"
                    "    keyspce: app\n"
                    "    username: svc\n"
                    "    password: {env: TF_UNSET_VARIABLE}\n")
        p = self.run_tokenfleet("validate", "-i", bad)
        self.assertEqual(p.returncode, 2)
        lines = p.stderr.splitlines()
        self.assertIn(f'{bad}:3:11: error: name "Orders" must start with a lowercase letter or '
                      'digit and hold only lowercase letters, digits, _ and - (e.g. orders-eu)',
                      lines)
        self.assertTrue(any(l.startswith(f"{bad}:4:9: error: id \"not-a-uuid\" is not a UUID")
                            for l in lines), lines)
        self.assertIn(f'{bad}:6:5: error: unknown key "keyspce" in a database; did you mean '
                      '"keyspace"?', lines)

    def test_inventory_from_standard_input(self):
        """-i -: the inventory read from a pipe, named <stdin> in every message (a syntax error's
        hints read it again: from memory), {file:} paths relative to the current folder; watch
        refuses it, since it reads the inventory again on SIGHUP."""
        here = os.path.join(self.workdir, "here")
        os.makedirs(os.path.join(here, "secrets"))
        pw = os.path.join(here, "secrets", "pw")
        with open(pw, "w") as f:
            f.write(harness.PASSWORD + "\n")
        os.chmod(pw, 0o600)
        fleet = Fleet(self.workdir, make_databases(2, ["us-east1"], password="{file: secrets/pw}"))
        text = harness.slurp(fleet.path)

        p = self.run_tokenfleet("validate", "-i", "-", stdin=text, cwd=here)
        self.assertEqual((p.returncode, p.stderr), (0, "<stdin>: valid: 2 databases, 2 targets\n"))
        # From the inventory's own folder, secrets/pw is not there: relative to the current one.
        p = self.run_tokenfleet("validate", "-i", "-", stdin=text, cwd=self.workdir)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertRegex(p.stderr, r"^<stdin>:9:22: error: cannot read password file secrets/pw: ")

        envs = os.path.join(self.workdir, "envs")
        p = self.run_tokenfleet("provision", "-i", "-", "--env-dir", envs, stdin=text, cwd=here)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(envs)), ["db000.us-east1.env", "db001.us-east1.env"])

        broken = text.replace("    id:", "      id:", 1)  # line 8, deeper than name: on 7
        p = self.run_tokenfleet("provision", "-i", "-", "--env-dir", envs, stdin=broken, cwd=here)
        self.assertEqual((p.returncode, p.stdout), (2, ""))
        self.assertEqual(p.stderr, "<stdin>:8:9: error: YAML syntax: mapping values are not "
                                   "allowed in this context; check the indentation of this line "
                                   "against the one above (6 spaces here, 4 above)\n")

        p = self.run_tokenfleet("watch", "-i", "-", "--env-dir", envs, "--cycles", "1",
                                stdin=text, cwd=here)
        self.assertEqual((p.returncode, p.stdout), (2, ""))
        self.assertIn("tokenfleet watch: -i -: watch reads the inventory again on SIGHUP, and "
                      "standard input cannot be read twice; give the inventory's file", p.stderr)
        # One provision run sent one request per target; nothing else was.
        self.assertEqual(len(harness.log_lines(fleet.hosts())), 2)

    def test_validate_refuses_what_provision_refuses(self):
        """One answer to "can this run go ahead?": validate given a run's output options refuses
        exactly what provision refuses, with the very same message at the inventory's place."""
        cases = [
            # A database named 2024: a variable name cannot start with a digit.
            ("digits.yaml", "  - name: \"2024\"\n    id: %s\n    region: us-east1\n"
             "    username: svc\n" % "b5285f63-8da5-4c6e-afd8-ade371a48795",
             ["--env-file", os.path.join(self.workdir, "all.env")],
             ":6:11: error: --env-file: 2024/us-east1 would give variables such as "
             "2024_US_EAST1_ASTRA_CLUSTER_ID, and a variable name cannot start"),
            # A username that not every env-file reader reads back unchanged.
            ("dollar.yaml", "  - name: orders\n    id: %s\n    region: us-east1\n"
             "    username: svc$prod\n" % "b5285f63-8da5-4c6e-afd8-ade371a48795",
             ["--env-dir", os.path.join(self.workdir, "envs")],
             ":9:15: error: ASTRA_DB_USERNAME of orders/us-east1 holds characters"),
        ]
        for name, database, options, message in cases:
            with self.subTest(name=name):
                path = os.path.join(self.workdir, name)
                with open(path, "w") as f:
                    f.write("version: 1\ndefaults:\n  keyspace: app\n"
                            "  password: {env: TF_TEST_PASSWORD}\ndatabases:\n" + database)
                os.chmod(path, 0o600)
                p = self.run_tokenfleet("validate", "-i", path)
                self.assertEqual(p.returncode, 0, p.stderr)  # valid for some run
                v = self.run_tokenfleet("validate", "-i", path, *options)
                self.assertEqual(v.returncode, 2, v.stderr)
                self.assertIn(path + message, v.stderr)
                r = self.run_tokenfleet("provision", "-i", path, *options, https=False)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr, v.stderr)
                self.assertFalse(os.path.exists(os.path.join(self.workdir, "all.env")))
                self.assertFalse(os.path.exists(os.path.join(self.workdir, "envs")))

    def test_plain_http_to_another_host_is_said_once(self):
        dbs = make_databases(3, ["us-east1", "eu-west1"])
        fleet = Fleet(self.workdir, dbs, defaults={
            "keyspace": "app", "username": "svc", "password": "{env: TF_TEST_PASSWORD}",
            "auth_url": '"http://{id}-{region}.example.net:8081/v1/auth"'})
        p = self.run_tokenfleet("validate", "-i", fleet.path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.count("warning: auth_url uses http://, so passwords go "
                                        "unencrypted"), 1, p.stderr)
        local = Fleet(self.workdir, dbs, defaults={
            "keyspace": "app", "username": "svc", "password": "{env: TF_TEST_PASSWORD}",
            "auth_url": '"http://127.0.0.1:8081/v1/auth?db={id}-{region}"'})
        p = self.run_tokenfleet("validate", "-i", local.path)
        self.assertNotIn("warning", p.stderr)

    def test_password_from_env_missing_is_reported_at_its_reference(self):
        fleet = Fleet(self.workdir, make_databases(1, ["us-east1"]))
        env = dict(os.environ)
        env.pop("TF_TEST_PASSWORD", None)
        p = harness.subprocess.run([harness.TOKENFLEET, "validate", "-i", fleet.path], env=env,
                                   capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"fleet\.yaml:5:19: error: environment variable "
                                   r"TF_TEST_PASSWORD is not set")


if __name__ == "__main__":
    unittest.main(verbosity=2)
