"""tokenfleet list: the targets an inventory and --limit/--shard select, as names or JSON; no
password is read and nothing is sent.

Environment: TOKENFLEET (the binary); TOKENFLEET_TEST_WRAPPER (e.g. valgrind) is put before it."""
import json
import os
import pty
import subprocess
import tempfile
import unittest

TOKENFLEET = os.environ["TOKENFLEET"]
WRAPPER = os.environ.get("TOKENFLEET_TEST_WRAPPER", "").split()

INVENTORY = """\
version: 1
defaults:
  password: {env: TOKENFLEET_TEST_UNSET_PASSWORD}   # never set: list reads no password
  keyspace: app
  username: svc
databases:
  - name: orders
    id: 6513270e-269e-4d37-b2a7-4de452e6b438
    regions: [us-east1, eu-west1]
    keyspace: orders
    tags: [prod, payments]
  - name: billing
    id: d23f0824-128b-4f33-8c5c-7fd0a6a3a450
    region: us-east1
    password: {file: no-such-file.pw}                  # not there: list does not care
  - name: search
    id: 8d116ece-1738-47d9-bd9c-172411e20b8f
    regions: [us-central1, eu-west1, asia-south1]
    tags: [search]
"""
TOKEN_INVENTORY = """\
version: 1
defaults:
  token: {env: TOKENFLEET_TEST_UNSET_PASSWORD}   # never set: list reads no token
databases:
  - name: orders
    id: 6513270e-269e-4d37-b2a7-4de452e6b438
    region: us-east1
    keyspace: orders
  - name: vectors
    id: d23f0824-128b-4f33-8c5c-7fd0a6a3a450
    region: us-east1
    api: data
  - name: billing
    id: 8d116ece-1738-47d9-bd9c-172411e20b8f
    region: us-east1
    keyspace: app
    username: svc
    password: {env: TOKENFLEET_TEST_UNSET_PASSWORD}
"""
NAMES = ["orders/us-east1", "orders/eu-west1", "billing/us-east1", "search/us-central1",
         "search/eu-west1", "search/asia-south1"]


def shard_of(name, n):
    """The slice of name among n (README, --shard; hash version 2): 64-bit FNV-1a of the name,
    mixed by SplitMix64's finaliser, modulo n."""
    m = 0xFFFFFFFFFFFFFFFF
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & m
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & m
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & m
    return (h ^ (h >> 31)) % n


def run(*args, stdout=subprocess.PIPE):
    env = dict(os.environ)
    env.pop("TOKENFLEET_TEST_UNSET_PASSWORD", None)
    return subprocess.run([*WRAPPER, TOKENFLEET, *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, env=env, timeout=120)


class ListTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tokenfleet-list-")
        self.inv = os.path.join(self.dir.name, "fleet.yaml")
        with open(self.inv, "w") as f:
            f.write(INVENTORY)
        os.chmod(self.inv, 0o600)

    def tearDown(self):
        self.dir.cleanup()

    def names(self, *args):
        p = run("list", "-i", self.inv, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return p.stdout.splitlines()

    def test_every_target_in_inventory_order(self):
        self.assertEqual(self.names(), NAMES)

    def test_limit_as_a_run_takes_it(self):
        self.assertEqual(self.names("--limit", "orders"), NAMES[:2])
        self.assertEqual(self.names("--limit", "*/eu-west1"), ["orders/eu-west1", "search/eu-west1"])
        self.assertEqual(self.names("--limit", "tag:search"), NAMES[3:])
        self.assertEqual(self.names("--limit", "billing", "--limit", "search/asia*"),
                         ["billing/us-east1", "search/asia-south1"])

    def test_limit_takes_ansibles_forms(self):
        """Comma lists, &PATTERN and !PATTERN: the union of the plain patterns, then each &, then
        each !, whatever the order written; only & and !: from every target."""
        self.assertEqual(self.names("--limit", "billing,orders"), NAMES[:3])
        self.assertEqual(self.names("--limit", "&*/eu-west1,tag:prod"), ["orders/eu-west1"])
        self.assertEqual(self.names("--limit", "!search/asia*,search", "--limit", "billing"),
                         ["billing/us-east1", "search/us-central1", "search/eu-west1"])
        self.assertEqual(self.names("--limit", "!tag:search,!*/eu-west1"), NAMES[:1] + NAMES[2:3])
        self.assertEqual(self.names("--limit", "orders", "--shard", "0/1"), NAMES[:2])
        # An & or ! pattern that matches nothing is an error too, as is a selection left empty.
        for limit, message in (
                ("orders,!ordrs", '--limit "orders,!ordrs": "ordrs" matches no target'),
                ("orders,&tag:search", '--limit "orders,&tag:search" leaves no target')):
            p = run("list", "-i", self.inv, "--limit", limit)
            self.assertEqual((p.returncode, p.stdout), (2, ""), limit)
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
            self.assertIn(f"fleet.yaml: error: {message}", p.stderr)

    def test_shards_split_the_fleet(self):
        seen = []
        for k in range(3):
            names = self.names("--shard", f"{k}/3")
            self.assertEqual(names, [n for n in NAMES if shard_of(n, 3) == k])
            seen += names
        self.assertEqual(sorted(seen), sorted(NAMES))

    def test_json(self):
        p = run("list", "-i", self.inv, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        items = json.loads(p.stdout)
        self.assertEqual([t["name"] for t in items], NAMES)
        self.assertEqual(items[0], {"name": "orders/us-east1", "database": "orders",
                                    "region": "us-east1",
                                    "cluster_id": "6513270e-269e-4d37-b2a7-4de452e6b438",
                                    "keyspace": "orders", "auth": "password", "api": "rest",
                                    "tags": ["prod", "payments"]})
        self.assertEqual(items[2]["keyspace"], "app")  # from defaults
        self.assertEqual(items[2]["tags"], [])
        self.assertEqual(items[3]["tags"], ["search"])
        for t in items:
            self.assertEqual(sorted(t), ["api", "auth", "cluster_id", "database", "keyspace",
                                         "name", "region", "tags"])

    def test_application_tokens(self):
        """How each target authenticates and its API: in --json, and in columns on a terminal;
        piped, the names alone (completion reads them). No token is read."""
        with open(self.inv, "w") as f:
            f.write(TOKEN_INVENTORY)
        p = run("list", "-i", self.inv, "--json")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        items = json.loads(p.stdout)
        self.assertEqual([(t["name"], t["auth"], t["api"], t["keyspace"]) for t in items],
                         [("orders/us-east1", "token", "rest", "orders"),
                          ("vectors/us-east1", "token", "data", "default_keyspace"),
                          ("billing/us-east1", "password", "rest", "app")])
        self.assertEqual(self.names(), ["orders/us-east1", "vectors/us-east1", "billing/us-east1"])
        # On a terminal: aligned columns.
        leader, follower = pty.openpty()
        try:
            p = run("list", "-i", self.inv, stdout=follower)
            os.close(follower)
            follower = -1
            out = b""
            while True:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # EIO: the other side is closed
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            os.close(leader)
            if follower >= 0:
                os.close(follower)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(out.decode().replace("\r\n", "\n"),
                         "orders/us-east1   token     rest\n"
                         "vectors/us-east1  token     data\n"
                         "billing/us-east1  password  rest\n")

    def test_empty_shard_is_no_error(self):
        k = next(k for k in range(64) if all(shard_of(n, 64) != k for n in NAMES))
        p = run("list", "-i", self.inv, "--shard", f"{k}/64", "--json")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertEqual(json.loads(p.stdout), [])
        p = run("list", "-i", self.inv, "--shard", f"{k}/64")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))

    def test_inventory_errors_exit_2(self):
        p = run("list", "-i", self.inv, "--limit", "nothing-like-it")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertIn("nothing-like-it", p.stderr)
        with open(self.inv, "a") as f:
            f.write("  - name: orders\n    id: not-a-uuid\n    region: us-east1\n")
        p = run("list", "-i", self.inv)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertRegex(p.stderr, r"fleet\.yaml:\d+:\d+: error: ")

    def test_usage_errors_exit_2(self):
        for args, why in ((["list"], "which inventory"),
                          (["list", "-i", self.inv, "--env-dir", "x"], "--env-dir belongs to"),
                          (["list", "-i", self.inv, "-v"], "-v belongs to"),
                          (["provision", "-i", self.inv, "--json"], "--json belongs to list"),
                          (["list", "-i", self.inv, "extra"], "unexpected argument")):
            p = run(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(why, p.stderr)

    def test_write_error_exit_1(self):
        with open("/dev/full", "w") as full:
            p = run("list", "-i", self.inv, stdout=full)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot write the list", p.stderr)

    def test_quiet_hides_warnings(self):
        os.chmod(self.inv, 0o644)
        with open(self.inv, "a") as f:
            f.write("  - name: plain\n    id: 36f675cc-81e7-4ef5-a8e2-5d940ed90475\n"
                    "    region: us-east1\n    password: in-the-open\n")
        loud = run("list", "-i", self.inv)
        quiet = run("list", "-i", self.inv, "-q")
        self.assertEqual(loud.returncode, 0, loud.stderr)
        self.assertIn("warning", loud.stderr)
        self.assertEqual((quiet.returncode, quiet.stderr), (0, ""))
        self.assertEqual(quiet.stdout.splitlines(), NAMES + ["plain/us-east1"])
        self.assertNotIn("in-the-open", loud.stdout + loud.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
