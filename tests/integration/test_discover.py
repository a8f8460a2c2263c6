"""tokenfleet discover: an inventory from the DevOps API. Against an emulator of this file's own
(HTTPS, the real host api.astra.datastax.com sent to it by --connect-to) serving 230 databases
from gen-databases.py, and, for answers no real API gives (a malformed database, a page that
repeats itself), a stub DevOps API in this process that also records every request's headers."""
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

GEN = os.path.join(harness.HERE, "..", "emulator", "gen-databases.py")
DEVOPS = "api.astra.datastax.com"
ORG = "AstraCS:OrgAdminAllDatabasesXyzAb:" + "a1" * 32
UNKNOWN = "AstraCS:NobodyKnowsThisClientIdXy:" + "e5" * 32
SECRETS = (ORG, UNKNOWN, "a1" * 32, "e5" * 32)
SANITIZER = r"ERROR: \w+Sanitizer|runtime error:"
# A host of its own for each fault (the emulator counts a rule's steps per host), all in the
# test certificate's *.apps.astra.datastax.com.
FAULTS = """\
host:html.apps.astra.datastax.com       html201,ok
host:busy.apps.astra.datastax.com       429:retry-after=1,ok
host:flaky.apps.astra.datastax.com      ok,503,502,ok
host:stall.apps.astra.datastax.com      stall,ok
host:dead.apps.astra.datastax.com       503*
"""


class Emulator(harness.OwnEmulator):
    """The emulator over HTTPS (OwnEmulator's is plain HTTP)."""

    def __init__(self, directory, *options):
        self.directory = directory
        subprocess.run([harness.EMULATOR_CTL, "start", directory,
                        os.path.join(harness.HERE, "users.txt"),
                        os.environ["STARGATE_EMULATOR"], "https", *options],
                       check=True, timeout=60)
        self.port = int(harness.slurp(os.path.join(directory, "port")))
        self.pid = int(harness.slurp(os.path.join(directory, "pid")))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def active_targets(dbs, statuses=("ACTIVE",)):
    """(id, region) of every datacenter of the databases in statuses, in order."""
    out = []
    for db in dbs:
        if db["status"] in statuses:
            regions = []
            for dc in db["info"]["datacenters"]:
                if dc["region"] not in regions:
                    regions.append(dc["region"])
            out += [(db["id"], r) for r in regions]
    return out


def entries(text):
    """The databases: entries of an inventory, as YAML reads them."""
    return yaml.safe_load(text)["databases"] or []


def commented_entries(text):
    """The commented-out entries: {name: (status line, [lines])}."""
    out, status, current = {}, None, None
    for line in text.splitlines():
        m = re.match(r"  # status (\S+), not in --status:$", line)
        if m:
            status = m.group(1)
            continue
        m = re.match(r"  # - name: (\S+)", line)
        if m:
            current = m.group(1)
            out[current] = (status, [line])
        elif current and line.startswith("  #   "):
            out[current][1].append(line)
        else:
            current = None
    return out


class DiscoverBase(harness.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = harness.class_tempdir(cls)
        cls.dbs_path = os.path.join(cls.dir, "databases.json")
        subprocess.run([sys.executable, GEN, "-o", cls.dbs_path, "--count", "230",
                        "--terminated", "4", "--seed", "7"], check=True, timeout=60)
        with open(cls.dbs_path) as f:
            cls.dbs = json.load(f)
        cls.live = [db for db in cls.dbs if db["status"] != "TERMINATED"]
        org = os.path.join(cls.dir, "org-tokens.txt")
        write(org, ORG + "\n")
        faults = os.path.join(cls.dir, "faults.conf")
        write(faults, FAULTS)
        cls.emu = Emulator(os.path.join(cls.dir, "emulator"), "--databases", cls.dbs_path,
                           "--org-tokens", org, "--faults", faults)
        cls.addClassCleanup(cls.emu.stop)

    def discover(self, *args, token=ORG, env=None):
        full_env = {"ORG_TOKEN": token, **(env or {})}
        p = self.run_tokenfleet("discover", "--org-token-env", "ORG_TOKEN",
                                "--connect-to", f"::127.0.0.1:{self.emu.port}",
                                "--cacert", os.path.join(self.emu.directory, "tls", "ca.crt"),
                                *args, env=full_env)
        for secret in SECRETS:
            self.assertNotIn(secret, p.stdout + p.stderr, "the org token leaked")
        self.assertNotRegex(p.stderr, SANITIZER)  # an ASan build exits 1 too: not enough
        return p

    def log(self, host=DEVOPS):
        return [line for line in harness.log_lines(directory=self.emu.directory)
                if line["host"] == host]


class FleetTest(DiscoverBase):
    def test_230_databases_three_pages_active_ones_written(self):
        before = len(self.log())
        p = self.discover("-v")
        self.assertEqual(p.returncode, 0, p.stderr)
        got = self.log()[before:]
        self.assertEqual([(g["method"], g["path"], g["status"]) for g in got],
                         [("GET", "/v2/databases", 200)] * 3)
        ids = [g["request_id"] for g in got]
        self.assertTrue(all(harness.UUID4.match(i) for i in ids), ids)
        self.assertEqual(len(set(ids)), 3, "a fresh request id per request")
        for rid in ids:  # -v names each request by its id
            self.assertIn(rid, p.stderr)
        self.assertIn("230 databases in 3 pages", p.stderr)

        written = entries(p.stdout)
        self.assertEqual([(e["id"], r) for e in written for r in e["regions"]],
                         active_targets(self.live))
        names = [e["name"] for e in written] + list(commented_entries(p.stdout))
        self.assertEqual(len(names), len(set(names)), "names are unique")
        by_id = {e["id"]: e for e in written}
        for db in self.live:
            e = by_id.get(db["id"])
            if e is None:
                continue
            self.assertEqual(e.get("api"), "data" if db["info"].get("dbType") == "vector"
                             else None)
            self.assertEqual(e["keyspace"], db["info"]["keyspace"])
        defaults = yaml.safe_load(p.stdout)["defaults"]
        self.assertEqual(defaults, {"token": {"env": "ASTRA_DB_APPLICATION_TOKEN"}})

    def test_same_named_databases_get_distinct_names(self):
        p = self.discover("--status", "ACTIVE,PARKED,HIBERNATED,MAINTENANCE,PENDING,"
                          "INITIALIZING,ERROR,TERMINATING,RESUMING,HIBERNATING,PARKING,"
                          "UNPARKING,PREPARING")
        self.assertEqual(p.returncode, 0, p.stderr)
        twins = [db["id"] for db in self.live if db["info"]["name"] == "fleet-db-003"]
        self.assertEqual(len(twins), 2)
        by_id = {e["id"]: e["name"] for e in entries(p.stdout)}
        self.assertEqual([by_id[i] for i in twins], ["fleet-db-003", "fleet-db-003-2"])
        self.assertIn('- name: fleet-db-003-2  # in Astra: "fleet-db-003"', p.stdout)

    def test_other_statuses_are_commented_out_with_their_status(self):
        p = self.discover()
        self.assertEqual(p.returncode, 0, p.stderr)
        parked = commented_entries(p.stdout)
        others = [db for db in self.live if db["status"] != "ACTIVE"]
        self.assertTrue(others)
        self.assertEqual(len(parked), len(others))
        by_id = {}
        for status, lines in parked.values():
            by_id[re.search(r"id: (\S+)", "\n".join(lines)).group(1)] = status
        self.assertEqual(by_id, {db["id"]: db["status"] for db in others})
        # Uncommented, each is an entry as good as the others.
        uncommented = re.sub(r"(?m)^  # (- |  )", r"  \1", p.stdout)
        self.assertEqual(len(entries(uncommented)), len(self.live))

    def test_status_list_any_case(self):
        p = self.discover("--status", "active, hibernated")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(e["id"], r) for e in entries(p.stdout) for r in e["regions"]],
                         active_targets(self.live, ("ACTIVE", "HIBERNATED")))
        p = self.discover("--status", "ACTIVE,HIBERNATD")
        self.assertEqual(p.returncode, 2)
        self.assertIn('"HIBERNATD" is not a database status; did you mean HIBERNATED?', p.stderr)

    def test_written_inventory_validates_and_lists_the_active_datacenters(self):
        out = os.path.join(self.workdir, "fleet.yaml")
        p = self.discover("-o", out, "--token-env", "MY_APP_TOKEN")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        env = {"MY_APP_TOKEN": "AstraCS:AppTokenForEveryDatabaseX:" + "b2" * 32}
        v = self.run_tokenfleet("validate", "-i", out, env=env)
        self.assertEqual(v.returncode, 0, v.stderr)
        ls = self.run_tokenfleet("list", "-i", out, "--json", env=env)
        self.assertEqual(ls.returncode, 0, ls.stderr)
        self.assertEqual([(t["cluster_id"], t["region"]) for t in json.loads(ls.stdout)],
                         active_targets(self.live))

    def test_refused_org_token_quotes_the_api_and_writes_nothing(self):
        out = os.path.join(self.workdir, "fleet.yaml")
        p = self.discover("-o", out, "-v", token=UNKNOWN)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("the org token was refused: HTTP 401: DevOps API error 340018: Resource "
                      "not found: token with identifier", p.stderr)
        self.assertIn("page 1 of the database list", p.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(p.stdout, "")

    def test_output_is_not_replaced_without_force(self):
        out = os.path.join(self.workdir, "fleet.yaml")
        write(out, "mine\n")
        before = len(self.log())
        p = self.discover("-o", out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("exists; give --force", p.stderr)
        self.assertEqual(harness.slurp(out), "mine\n")
        self.assertEqual(len(self.log()), before, "nothing sent")
        p = self.discover("-o", out, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(entries(harness.slurp(out))), len(
            [db for db in self.live if db["status"] == "ACTIVE"]))

    def test_org_token_sources(self):
        path = os.path.join(self.workdir, "org.token")
        write(path, ORG + "\n")  # one trailing newline is fine
        base = ["discover", "--org-token-file", path, "--connect-to",
                f"::127.0.0.1:{self.emu.port}", "--cacert",
                os.path.join(self.emu.directory, "tls", "ca.crt")]
        p = self.run_tokenfleet(*base)
        self.assertEqual(p.returncode, 0, p.stderr)
        before = len(self.log())
        for text, why in [(ORG + "\n\n", "more than one line"),
                          (ORG + "\nsecond\n", "more than one line"),
                          ("AstraCS:abc:" + "e5" * 31 + "\n", "does not hold an application token"),
                          ("", "is empty")]:
            write(path, text)
            p = self.run_tokenfleet(*base)
            self.assertEqual(p.returncode, 2, text)
            self.assertIn(f"--org-token-file {path}: ", p.stderr)
            self.assertIn(why, p.stderr)
            self.assertNotIn("e5e5", p.stderr)
        p = self.run_tokenfleet("discover", "--org-token-env", "NOT_SET_HERE",
                                env={"NOT_SET_HERE": None})
        self.assertEqual(p.returncode, 2)
        self.assertIn("--org-token-env NOT_SET_HERE: the variable is not set", p.stderr)
        p = self.run_tokenfleet("discover", "--org-token", ORG)
        self.assertEqual(p.returncode, 2)
        self.assertIn("never taken on the command line", p.stderr)
        self.assertNotIn(ORG, p.stderr)
        p = self.run_tokenfleet("discover")
        self.assertEqual(p.returncode, 2)
        self.assertIn("which organization token?", p.stderr)
        # The token pasted where its variable's name or its file's path goes: never echoed.
        for option in ("--org-token-env", "--org-token-file", "--token-env"):
            args = ["discover", option, ORG]
            if option == "--token-env":
                args = ["discover", "--org-token-file", path, "--token-env", ORG]
            p = self.run_tokenfleet(*args)
            self.assertEqual(p.returncode, 2, option)
            self.assertIn(f"{option} takes the ", p.stderr)
            self.assertNotIn(ORG.split(":")[2], p.stderr)
        self.assertEqual(len(self.log()), before, "nothing sent")


class FaultTest(DiscoverBase):
    def run_on(self, host, *args):
        before = len(self.log(host))
        start = time.monotonic()
        out = os.path.join(self.workdir, "fleet.yaml")
        p = self.discover("--api-url", f"https://{host}", "--retry-delay", "0.05", "-o", out,
                          "-v", *args)
        return p, self.log(host)[before:], time.monotonic() - start, out

    def assert_success_after(self, p, got, statuses, out, ordered=True):
        self.assertEqual(p.returncode, 0, p.stderr)
        seen = [g["status"] for g in got]
        self.assertEqual(seen if ordered else sorted(seen), statuses)
        self.assertEqual(len({g["request_id"] for g in got}), len(got), "a fresh id each")
        self.assertEqual([(e["id"], r) for e in entries(harness.slurp(out))
                          for r in e["regions"]], active_targets(self.live))

    def test_html_answer_is_retried(self):
        p, got, _, out = self.run_on("html.apps.astra.datastax.com")
        self.assert_success_after(p, got, [201, 200, 200, 200], out)
        self.assertIn("HTTP 201 but the body is not JSON (text/html", p.stderr)

    def test_429_retry_after_is_honoured(self):
        p, got, took, out = self.run_on("busy.apps.astra.datastax.com")
        self.assert_success_after(p, got, [429, 200, 200, 200], out)
        self.assertGreaterEqual(took, 1.0)
        self.assertIn("retrying in 1000 ms", p.stderr)

    def test_5xx_on_page_two_is_retried(self):
        p, got, _, out = self.run_on("flaky.apps.astra.datastax.com")
        self.assert_success_after(p, got, [200, 503, 502, 200, 200], out)
        self.assertIn("page 2 (request id", p.stderr)

    def test_stall_times_out_and_is_retried(self):
        p, got, _, out = self.run_on("stall.apps.astra.datastax.com", "--timeout", "1")
        # The emulator logs the stalled request when it gives up on it, which may be after the
        # retry's answer: the order of the log lines is not the order of the requests.
        self.assert_success_after(p, got, [0, 200, 200, 200], out, ordered=False)
        self.assertIn("(curl error 28)", p.stderr)

    def test_failure_when_retries_run_out_writes_nothing(self):
        p, got, _, out = self.run_on("dead.apps.astra.datastax.com", "--retries", "2")
        self.assertEqual(p.returncode, 1)
        self.assertEqual([g["status"] for g in got], [503, 503, 503])
        self.assertIn("page 1 of the database list", p.stderr)
        self.assertIn("attempt 3, no retry left): HTTP 503", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_plain_http_to_another_host_is_warned_of(self):
        p = self.discover("--api-url", "http://api.astra.datastax.com", "--retries", "0")
        self.assertIn("warning: discover: --api-url http://api.astra.datastax.com uses http://, "
                      "so the org token goes unencrypted", p.stderr)
        # This machine is not warned of.
        p = self.discover("--api-url", "http://127.0.0.1:9", "--retries", "0")
        self.assertNotIn("warning", p.stderr)

    def test_deadline_bounds_the_whole_listing(self):
        # 503 for ever, retried up to 50 times 0.3 s apart at most: --deadline 1 ends it all
        # after about a second, with nothing written.
        p, got, took, out = self.run_on("dead.apps.astra.datastax.com", "--retries", "50",
                                        "--retry-delay", "0.3", "--deadline", "1")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("--deadline reached", p.stderr)
        self.assertLess(took, 5)
        self.assertLess(len(got), 50)
        self.assertFalse(os.path.exists(out))


class StubHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        server = self.server
        server.requests.append((self.path, dict(self.headers)))
        status, body = server.pages[min(len(server.requests), len(server.pages)) - 1]
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def db(id_, name, regions=("us-east1",), keyspace="app", status="ACTIVE", **info):
    d = {"id": id_, "status": status,
         "info": {"name": name, "keyspace": keyspace,
                  "datacenters": [{"region": r} for r in regions], **info}}
    if keyspace is None:
        del d["info"]["keyspace"]
    return d


GOOD = "11111111-2222-4333-8444-555555555555"


class StubTest(harness.TestCase):
    """Answers no real DevOps API gives, from a stub server (plain HTTP) in this process."""

    def serve(self, pages):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
        server.pages, server.requests = pages, []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server

    def discover(self, server, *args):
        p = self.run_tokenfleet("discover", "--org-token-env", "ORG_TOKEN", "--api-url",
                                f"http://127.0.0.1:{server.server_address[1]}", "--retries",
                                "1", "--retry-delay", "0.01", *args, env={"ORG_TOKEN": ORG})
        for secret in SECRETS:
            self.assertNotIn(secret, p.stdout + p.stderr, "the org token leaked")
        self.assertNotRegex(p.stderr, SANITIZER)  # an ASan build exits 1 too: not enough
        return p

    def test_malformed_databases_are_commented_with_the_reason(self):
        page = [
            db(GOOD, "Orders EU (prod)"),
            db("22222222-2222-4333-8444-555555555555", "bad\nname\u2028with\x1b[31mbreaks"),
            {"status": "ACTIVE", "info": {"name": "no-id", "datacenters": [{"region": "x1"}]}},
            db("not-a-uuid", "bad-id"),
            db("33333333-2222-4333-8444-555555555555", "no-dcs", regions=()),
            db("44444444-2222-4333-8444-555555555555", "bad-region", regions=("US East 1",)),
            db("55555555-2222-4333-8444-555555555555", "bad-ks", keyspace="my-keyspace"),
            db("66666666-2222-4333-8444-555555555555", "classic-no-ks", keyspace=None),
            db("77777777-2222-4333-8444-555555555555", "vector-no-ks", keyspace=None,
               dbType="vector"),
            "not an object",
        ]
        server = self.serve([(200, page)])
        p = self.discover(server)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = p.stdout
        got = entries(text)
        self.assertEqual([(e["name"], e["id"]) for e in got], [
            ("orders-eu-prod", GOOD),
            ("bad-name-with-31mbreaks", "22222222-2222-4333-8444-555555555555"),
            ("vector-no-ks", "77777777-2222-4333-8444-555555555555")])
        self.assertIn('- name: orders-eu-prod  # in Astra: "Orders EU (prod)"', text)
        # Line breaks and control characters never reach the file as such.
        self.assertIn('# in Astra: "bad?name???with?[31mbreaks"', text)
        self.assertEqual(got[2], {"name": "vector-no-ks", "id": got[2]["id"],
                                  "regions": ["us-east1"], "api": "data"})
        for reason in ["left out, no id: database 3 of page 1",
                       'left out, id "not-a-uuid" is not a UUID: database 4 of page 1',
                       "left out, no datacenters (info.datacenters), so no region: database 5",
                       'left out, region "US East 1" is not a region name the inventory takes',
                       'left out, keyspace "my-keyspace" is not a keyspace name',
                       "left out, no keyspace (info.keyspace): database 8",
                       "left out, the DevOps API's answer: not a JSON object: database 10"]:
            self.assertIn(reason, text)
        self.assertIn("3 written (status ACTIVE), 0 commented out (another status), 7 left out "
                      "(malformed)", text)
        # Each request: the org token as a Bearer token, JSON wanted, a fresh request id.
        (path, headers), = server.requests
        self.assertEqual(path, "/v2/databases?include=nonterminated&provider=ALL&limit=100")
        self.assertEqual(headers["Authorization"], f"Bearer {ORG}")
        self.assertEqual(headers["Accept"], "application/json")
        self.assertRegex(headers["User-Agent"], r"^tokenfleet/")
        self.assertRegex(headers["x-cassandra-request-id"], harness.UUID4)

    def test_names_that_would_share_a_variable_prefix_are_told_apart(self):
        # "Orders EU" and "orders_eu" are two names to Astra, but orders-eu and orders_eu would
        # give one prefix (ORDERS_EU_US_EAST1_) in the combined env file: validate refuses that.
        page = [db("a1111111-2222-4333-8444-555555555555", "Orders EU"),
                db("a2222222-2222-4333-8444-555555555555", "orders_eu"),
                db("a3333333-2222-4333-8444-555555555555", "orders-eu")]
        out = os.path.join(self.workdir, "fleet.yaml")
        p = self.discover(self.serve([(200, page)]), "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([e["name"] for e in entries(harness.slurp(out))],
                         ["orders-eu", "orders-eu-2", "orders-eu-3"])
        v = self.run_tokenfleet("validate", "-i", out, "--env-file",
                                os.path.join(self.workdir, "all.env"),
                                env={"ASTRA_DB_APPLICATION_TOKEN": ORG})
        self.assertEqual(v.returncode, 0, v.stderr)

    def test_a_page_that_repeats_an_id_stops_the_listing(self):
        first = [db(f"{i:08d}-2222-4333-8444-555555555555", f"db{i}") for i in range(100)]
        second = first[-5:] + [db(f"{i:08d}-2222-4333-8444-555555555555", f"db{i}")
                               for i in range(100, 195)]
        server = self.serve([(200, first), (200, second), (200, [])])
        out = os.path.join(self.workdir, "fleet.yaml")
        p = self.discover(server, "-o", out)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("page 2 of the database list", p.stderr)
        self.assertIn("lists database 00000095-2222-4333-8444-555555555555 again", p.stderr)
        self.assertEqual(len(server.requests), 2, "no third page asked for")
        self.assertIn("starting_after=00000099-2222-4333-8444-555555555555",
                      server.requests[1][0])
        ids = [h["x-cassandra-request-id"] for _, h in server.requests]
        self.assertEqual(len(set(ids)), 2)
        self.assertFalse(os.path.exists(out))

    def test_a_body_that_is_not_a_list_is_retried_then_fails(self):
        server = self.serve([(200, {"databases": []})])
        p = self.discover(server)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(server.requests), 2)
        self.assertIn("HTTP 200 but the body is not a JSON array of databases", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_a_403_quoting_the_token_has_it_masked(self):
        server = self.serve([(403, {"errors": [{"ID": 340017, "message": f"token {ORG} is "
                                                "not allowed\nhere"}, {"message": "x"}]})])
        p = self.discover(server)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(server.requests), 1, "a refused token is not retried")
        self.assertIn("the org token was refused: HTTP 403: DevOps API error 340017: token "
                      "******** is not allowed here (and 1 more error)", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
