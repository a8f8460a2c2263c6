"""The variables' names (--env-names, defaults' env_names) end to end against the shared HTTPS
emulator, checked as a user would: the env files of --env-dir hold exactly Astra's five
variables with the right values (the API endpoint from the default template, and from a
database's api_endpoint once inventories take it), the inventory's env_names applies and the
command line wins over it, the combined --env-file under astra names keeps a target's entry across
runs, and exec's command sees the names chosen."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ENV_VARS, PASSWORD, TOKENFLEET, UUID4, WRAPPER, Fleet, make_databases  # noqa

ASTRA_VARS = ["ASTRA_DB_ID", "ASTRA_DB_REGION", "ASTRA_DB_KEYSPACE", "ASTRA_DB_APPLICATION_TOKEN",
              "ASTRA_DB_API_ENDPOINT"]
DEFAULTS = {"keyspace": "app", "username": "svc", "password": "{env: TF_TEST_PASSWORD}"}


def endpoint(cluster_id, region):
    return f"https://{cluster_id}-{region}.apps.astra.datastax.com"


class EnvNamesTest(harness.TestCase):
    def provision(self, fleet, *options):
        """provision with a report; returns {target: token}."""
        report = os.path.join(self.workdir, "report.json")
        p = self.run_tokenfleet("provision", "-i", fleet.path, "--report", report, *options)
        self.assertEqual(p.returncode, 0, p.stderr)
        return {r["target"]: r["token"] for r in self.read_report(report)["results"]}

    def test_astra_names_in_env_dir(self):
        fleet = Fleet(self.workdir, make_databases(2, ["us-east1", "eu-west1"]))
        envs = os.path.join(self.workdir, "envs")
        tokens = self.provision(fleet, "--env-names", "astra", "--env-dir", envs)
        self.assertEqual(len(tokens), 4)
        for db, region in fleet.targets():
            env = self.read_env_file(os.path.join(envs, f"{db['name']}.{region}.env"))
            self.assertEqual(list(env), ASTRA_VARS, "exactly Astra's five, in this order")
            self.assertEqual(env, {
                "ASTRA_DB_ID": db["id"], "ASTRA_DB_REGION": region, "ASTRA_DB_KEYSPACE": "app",
                "ASTRA_DB_APPLICATION_TOKEN": tokens[f"{db['name']}/{region}"],
                "ASTRA_DB_API_ENDPOINT": endpoint(db["id"], region)})
            self.assertRegex(env["ASTRA_DB_APPLICATION_TOKEN"], UUID4)

    def test_custom_api_endpoint(self):
        cluster = str(harness.uuid.uuid4())
        path = os.path.join(self.workdir, "fleet.yaml")
        with open(path, "w") as f:
            f.write("version: 1\ndefaults:\n  keyspace: app\n  username: svc\n"
                    "  password: {env: TF_TEST_PASSWORD}\ndatabases:\n"
                    f"  - name: orders\n    id: {cluster}\n    region: us-east1\n"
                    "    api_endpoint: https://{region}.data.example.com/{id}\n"
                    f"  - name: billing\n    id: {harness.uuid.uuid4()}\n    region: us-east1\n")
        os.chmod(path, 0o600)
        p = self.run_tokenfleet("validate", "-i", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        envs = os.path.join(self.workdir, "envs")
        p = self.run_tokenfleet("provision", "-i", path, "--env-names", "astra", "--env-dir", envs)
        self.assertEqual(p.returncode, 0, p.stderr)
        env = self.read_env_file(os.path.join(envs, "orders.us-east1.env"))
        self.assertEqual(env["ASTRA_DB_API_ENDPOINT"],
                         f"https://us-east1.data.example.com/{cluster}")

    def test_inventory_names_and_the_command_line_wins(self):
        defaults = dict(DEFAULTS, env_names="{preset: astra, token: MY_TOKEN}")
        fleet = Fleet(self.workdir, make_databases(1, ["us-east1"]), defaults=defaults)
        db = fleet.databases[0]
        envs = os.path.join(self.workdir, "envs")
        file = os.path.join(envs, f"{db['name']}.us-east1.env")

        tokens = self.provision(fleet, "--env-dir", envs)
        env = self.read_env_file(file)
        self.assertEqual(list(env), ["ASTRA_DB_ID", "ASTRA_DB_REGION", "ASTRA_DB_KEYSPACE",
                                     "MY_TOKEN", "ASTRA_DB_API_ENDPOINT"])
        self.assertEqual(env["MY_TOKEN"], tokens[f"{db['name']}/us-east1"])

        # --env-names replaces the whole of env_names: the seed's five, the rename gone too.
        tokens = self.provision(fleet, "--env-dir", envs, "--env-names", "seed")
        env = self.read_env_file(file)
        self.assertEqual(list(env), ENV_VARS)
        self.assertEqual(env["ASTRA_AUTHORIZATION_TOKEN"], tokens[f"{db['name']}/us-east1"])
        self.assertEqual(env["ASTRA_DB_USERNAME"], "svc")

        # A value that is no set of names: exit 2, the option and both values named, nothing
        # sent or written.
        before = harness.slurp(file)
        sent = len(harness.log_lines(fleet.hosts()))
        for command in ("provision", "validate"):
            p = self.run_tokenfleet(command, "-i", fleet.path, "--env-dir", envs,
                                    "--env-names", "Astra")
            self.assertEqual((p.returncode, p.stdout), (2, ""))
            self.assertIn(f'tokenfleet {command}: --env-names: "Astra" is not a set of names '
                          "(seed or astra)", p.stderr)
        self.assertEqual(harness.slurp(file), before)
        self.assertEqual(len(harness.log_lines(fleet.hosts())), sent)

    def test_combined_env_file_under_astra_names(self):
        dbs = make_databases(2, ["us-east1"], prefix="orders")
        fleet = Fleet(self.workdir, dbs)
        combined = os.path.join(self.workdir, "all.env")
        tokens = self.provision(fleet, "--env-names", "astra", "--env-file", combined)
        env = self.read_env_file(combined)
        self.assertEqual(len(env), 2 * 5)
        for db in dbs:
            prefix = f"{db['name'].upper()}_US_EAST1_"
            self.assertEqual([k for k in env if k.startswith(prefix)],
                             [prefix + name for name in ASTRA_VARS])
            self.assertEqual(env[prefix + "ASTRA_DB_APPLICATION_TOKEN"],
                             tokens[f"{db['name']}/us-east1"])
            self.assertEqual(env[prefix + "ASTRA_DB_API_ENDPOINT"], endpoint(db["id"], "us-east1"))

        # A run that --limit narrows to one target keeps the other's entry: it is read back
        # under the names it was written with.
        kept = f"{dbs[1]['name'].upper()}_US_EAST1_ASTRA_DB_APPLICATION_TOKEN"
        tokens = self.provision(fleet, "--env-names", "astra", "--env-file", combined,
                                "--limit", dbs[0]["name"])
        again = self.read_env_file(combined)
        self.assertEqual(len(again), 2 * 5)
        self.assertEqual(again[kept], env[kept])
        first = f"{dbs[0]['name'].upper()}_US_EAST1_ASTRA_DB_APPLICATION_TOKEN"
        self.assertEqual(again[first], tokens[f"{dbs[0]['name']}/us-east1"])
        self.assertNotEqual(again[first], env[first])

    def exec_env(self, fleet, *options):
        """The ASTRA_ and renamed variables exec's command sees."""
        show = "import json, os; print(json.dumps(dict(os.environ)))"
        argv = [*WRAPPER, TOKENFLEET, "exec", "-i", fleet.path, "--connect-to",
                f"::127.0.0.1:{harness.emulator_port()}", "--cacert", harness.ca_cert(),
                *options, "--", sys.executable, "-c", show]
        env = dict(os.environ, TF_TEST_PASSWORD=PASSWORD)
        for name in [k for k in env if k.startswith("ASTRA_") or k.endswith("MY_TOKEN")]:
            del env[name]
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        return {k: v for k, v in json.loads(p.stdout).items()
                if k.startswith("ASTRA_") or "_ASTRA_" in k or k.endswith("MY_TOKEN")}

    def test_exec_sees_the_names(self):
        fleet = Fleet(self.workdir, make_databases(1, ["us-east1", "eu-west1"]))
        db = fleet.databases[0]
        seen = self.exec_env(fleet, "--env-names", "astra", "--target", f"{db['name']}/eu-west1")
        self.assertEqual(sorted(seen), sorted(ASTRA_VARS))
        self.assertEqual(seen["ASTRA_DB_ID"], db["id"])
        self.assertEqual(seen["ASTRA_DB_REGION"], "eu-west1")
        self.assertEqual(seen["ASTRA_DB_API_ENDPOINT"], endpoint(db["id"], "eu-west1"))
        self.assertRegex(seen["ASTRA_DB_APPLICATION_TOKEN"], UUID4)

        # Several targets: prefixed, under the inventory's renames.
        defaults = dict(DEFAULTS, env_names="{preset: astra, token: MY_TOKEN}")
        fleet = Fleet(self.workdir, fleet.databases, defaults=defaults)
        seen = self.exec_env(fleet, "--target", db["name"])
        prefix = db["name"].upper()
        self.assertEqual(len(seen), 2 * 5)
        for region in ("US_EAST1", "EU_WEST1"):
            self.assertRegex(seen[f"{prefix}_{region}_MY_TOKEN"], UUID4)
            self.assertEqual(seen[f"{prefix}_{region}_ASTRA_DB_ID"], db["id"])
        self.assertEqual(seen[f"{prefix}_EU_WEST1_ASTRA_DB_API_ENDPOINT"],
                         endpoint(db["id"], "eu-west1"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
