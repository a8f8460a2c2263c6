"""The emulator's Astra side, without tokenfleet: the DevOps API's database list (paging, include
and provider filters, organization tokens and what they may view), application tokens on the REST
keyspace GET and the Data API (accepted, then refused once revoked by SIGUSR2), the Data API's
errors (most with HTTP 200), fault injection on the DevOps host, and gen-databases.py. Each test
class starts an emulator of its own (plain HTTP); the whole file takes about ten seconds."""
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import OwnEmulator  # noqa: E402

GEN = os.path.join(harness.HERE, "..", "emulator", "gen-databases.py")
DEVOPS = "api.astra.datastax.com"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def token(client, fill):
    """An application token: AstraCS:CLIENTID:64 lowercase hex digits."""
    return f"AstraCS:{client}:{fill * (64 // len(fill))}"


ORG_ALL = token("OrgAdminAllDatabasesXyzAb", "a1")
ORG_FEW = token("OrgViewerFewDatabasesXyzA", "c3")
APP = token("AppTokenForEveryDatabaseX", "b2")
APP_OTHER = token("AppTokenForOtherDatabaseX", "d4")
UNKNOWN = token("NobodyKnowsThisClientIdXy", "e5")


def generate(path, *args):
    subprocess.run([sys.executable, GEN, "-o", path, *args], check=True, timeout=60)
    with open(path) as f:
        return json.load(f)


def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def db_host(db):
    return f"{db['id']}-{db['info']['region']}.apps.astra.datastax.com"


class AstraEmulator(OwnEmulator):
    def call(self, method, path, host, headers=None, body=None):
        """One request with the given Host; returns (status, headers dict, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def devops(self, path, tok, host=DEVOPS):
        headers = {"Authorization": f"Bearer {tok}"} if tok is not None else {}
        status, hdrs, body = self.call("GET", path, host, headers)
        return status, hdrs, body

    def list_all(self, tok, limit, **params):
        """Pages through GET /v2/databases as astrapy does: ask again with starting_after = the
        last id while a page is as long as the limit. Returns the pages."""
        pages = []
        query = {"limit": str(limit), **params}
        while True:
            qs = "&".join(f"{k}={v}" for k, v in query.items())
            status, _, body = self.devops(f"/v2/databases?{qs}", tok)
            if status != 200:
                raise AssertionError(f"page {len(pages)}: {status} {body!r}")
            page = json.loads(body)
            pages.append(page)
            if len(page) < limit:
                return pages
            query["starting_after"] = page[-1]["id"]

    def data_api(self, db_or_host, keyspace, command, tok, content_type="application/json"):
        host = db_or_host if isinstance(db_or_host, str) else db_host(db_or_host)
        headers = {}
        if tok is not None:
            headers["Token"] = tok
        if content_type is not None:
            headers["Content-Type"] = content_type
        body = command if isinstance(command, (str, bytes)) else json.dumps(command)
        status, _, raw = self.call("POST", f"/api/json/v1/{keyspace}", host, headers, body)
        return status, json.loads(raw)

    def rest_keyspace(self, db_or_host, keyspace, tok):
        host = db_or_host if isinstance(db_or_host, str) else db_host(db_or_host)
        status, _, raw = self.call("GET", f"/api/rest/v2/schemas/keyspaces/{keyspace}", host,
                                   {"X-Cassandra-Token": tok})
        return status, json.loads(raw)



class AstraTestBase(harness.TestCase):
    """One emulator for the whole class, on a fleet from gen-databases.py. A test that changes
    the token files puts them back before it ends."""
    COUNT = 230
    TERMINATED = 4
    FAULTS = None

    @classmethod
    def setUpClass(cls):
        cls.dir = harness.class_tempdir(cls)
        cls.dbs_path = os.path.join(cls.dir, "databases.json")
        cls.dbs = generate(cls.dbs_path, "--count", str(cls.COUNT), "--terminated",
                           str(cls.TERMINATED), "--seed", "7")
        cls.live = [db for db in cls.dbs if db["status"] != "TERMINATED"]
        cls.vector = [db for db in cls.live if db["info"].get("dbType") == "vector"]
        cls.classic = [db for db in cls.live if "dbType" not in db["info"]]
        cls.few = [db["id"] for db in cls.live[5:12]]
        cls.org_path = os.path.join(cls.dir, "org-tokens.txt")
        write(cls.org_path, f"# organization tokens\n{ORG_ALL}\n{ORG_FEW} {' '.join(cls.few)}\n")
        cls.app_path = os.path.join(cls.dir, "app-tokens.txt")
        cls.app_text = f"{APP}\n{APP_OTHER} {cls.dbs[-1]['id']}\n"
        write(cls.app_path, cls.app_text)
        options = ["--databases", cls.dbs_path, "--org-tokens", cls.org_path,
                   "--app-tokens", cls.app_path,
                   "--keyspaces", os.path.join(harness.HERE, "keyspaces.txt")]
        if cls.FAULTS is not None:
            faults = os.path.join(cls.dir, "faults.conf")
            write(faults, cls.FAULTS)
            options += ["--faults", faults]
        cls.emu = AstraEmulator(os.path.join(cls.dir, "emulator"), *options)
        cls.addClassCleanup(cls.emu.stop)

    def restore_app_tokens(self):
        write(self.app_path, self.app_text)
        self.assertEqual(self.emu.reload_tokens(), 0)


def public(db):
    """A database as the DevOps API shows it: without the emulator's own member."""
    return {k: v for k, v in db.items() if k != "emulatorCollections"}


class DevOpsListTest(AstraTestBase):
    def devops_log(self):
        return [(line["method"], line["path"], line["status"])
                for line in harness.log_lines(directory=self.emu.directory)
                if line["host"] == DEVOPS]

    def test_230_databases_over_three_pages_the_last_short(self):
        before = len(self.devops_log())
        pages = self.emu.list_all(ORG_ALL, 100, include="nonterminated", provider="ALL")
        self.assertEqual([len(p) for p in pages], [100, 100, 30])
        got = [db for page in pages for db in page]
        self.assertEqual(got, [public(db) for db in self.live])  # file order, TERMINATED left out
        self.assertEqual(self.devops_log()[before:], [("GET", "/v2/databases", 200)] * 3)

    def test_a_full_last_page_is_followed_by_an_empty_one(self):
        pages = self.emu.list_all(ORG_ALL, 46)  # 230 = 5 x 46
        self.assertEqual([len(p) for p in pages], [46] * 5 + [0])

    def test_defaults_limit_25_nonterminated_all_providers(self):
        status, hdrs, body = self.emu.devops("/v2/databases", ORG_ALL)
        self.assertEqual((status, hdrs["content-type"]), (200, "application/json"))
        self.assertEqual(json.loads(body), [public(db) for db in self.live[:25]])

    def test_include_and_provider_filters(self):
        every = [db for page in self.emu.list_all(ORG_ALL, 100, include="all") for db in page]
        self.assertEqual(len(every), self.COUNT + self.TERMINATED)
        gone = self.emu.list_all(ORG_ALL, 100, include="terminated")[0]
        self.assertEqual([db["id"] for db in gone],
                         [db["id"] for db in self.dbs if db["status"] == "TERMINATED"])
        active = self.emu.list_all(ORG_ALL, 100, include="ACTIVE")  # any case
        self.assertEqual(sum(map(len, active)), sum(db["status"] == "ACTIVE" for db in self.dbs))
        for provider in ("GCP", "aws", "AZURE"):
            got = [db for p in self.emu.list_all(ORG_ALL, 50, provider=provider) for db in p]
            self.assertEqual([db["id"] for db in got],
                             [db["id"] for db in self.live
                              if db["info"]["cloudProvider"] == provider.upper()])

    def test_bad_parameters_are_400(self):
        for query in ("limit=0", "limit=101", "limit=ten", "include=sleeping",
                      "provider=IBM", "starting_after=00000000-0000-4000-8000-000000000000"):
            status, _, body = self.emu.devops(f"/v2/databases?{query}", ORG_ALL)
            self.assertEqual(status, 400, query)
            self.assertIn("errors", json.loads(body), query)

    def test_a_token_sees_only_its_databases_silently(self):
        got = [db["id"] for p in self.emu.list_all(ORG_FEW, 3) for db in p]
        self.assertEqual(got, self.few)
        status, _, body = self.emu.devops(f"/v2/databases/{self.few[0]}", ORG_FEW)
        self.assertEqual((status, json.loads(body)), (200, public(self.live[5])))
        status, _, _ = self.emu.devops(f"/v2/databases/{self.live[0]['id']}", ORG_FEW)
        self.assertEqual(status, 404)
        status, _, _ = self.emu.devops(f"/v2/databases/{self.live[0]['id'].upper()}/", ORG_ALL)
        self.assertEqual(status, 200)

    def test_any_host_serves_paths_under_v2_databases(self):
        status, _, body = self.emu.devops("/v2/databases?limit=1", ORG_ALL, host="127.0.0.1")
        self.assertEqual((status, len(json.loads(body))), (200, 1))

    def test_unknown_malformed_and_missing_tokens_are_401(self):
        status, hdrs, body = self.emu.devops("/v2/databases", UNKNOWN)
        self.assertEqual((status, hdrs["content-type"]), (401, "application/json"))
        self.assertEqual(body, b'{"errors":[{"ID":340018,"message":"Resource not found: token with '
                               b'identifier: auth-manager returned 404 for call '
                               b'%s/v2/admin/tokens?%s"}]}')
        for tok in ("AstraCS:short:abc", APP.upper(), ""):
            status, _, body = self.emu.devops("/v2/databases", tok)
            self.assertEqual((status, json.loads(body)),
                             (401, {"errors": [{"ID": 340012, "message": "invalid token format"}]}))
        status, _, body = self.emu.devops("/v2/databases", None)
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["errors"][0]["ID"], 340012)
        # An application token of the REST/Data API file is no organization token.
        self.assertEqual(self.emu.devops("/v2/databases", APP)[0], 401)


class AppTokenTest(AstraTestBase):
    COUNT = 40
    TERMINATED = 0

    def test_accepted_on_both_apis_then_refused_once_revoked(self):
        self.addCleanup(self.restore_app_tokens)
        vec, classic = self.vector[0], self.classic[0]
        self.assertEqual(self.emu.data_api(vec, "default_keyspace", {"findCollections": {}}, APP),
                         (200, {"status": {"collections": vec["emulatorCollections"]
                                           ["default_keyspace"]}}))
        status, body = self.emu.rest_keyspace(classic, "app", APP)
        self.assertEqual((status, body["data"]["name"]), (200, "app"))

        write(self.app_path, f"# {APP} revoked\n{APP_OTHER} {self.dbs[-1]['id']}\n")
        self.assertEqual(self.emu.reload_tokens(), 0)
        status, body = self.emu.data_api(vec, "default_keyspace", {"findCollections": {}}, APP)
        self.assertEqual(status, 401)
        self.assertEqual(body["errors"][0]["errorCode"], "UNAUTHENTICATED_REQUEST")
        self.assertEqual(self.emu.rest_keyspace(classic, "app", APP),
                         (401, {"description": "Unauthorized: invalid token", "code": 401}))

        write(self.app_path, f"{APP}\n")  # and back
        self.assertEqual(self.emu.reload_tokens(), 0)
        self.assertEqual(self.emu.rest_keyspace(classic, "app", APP)[0], 200)
        out = harness.slurp(os.path.join(self.emu.directory, "emulator.out"))
        self.assertIn("SIGUSR2: token files read again; 1 application", out)

    def test_a_bad_file_keeps_the_old_tokens(self):
        self.addCleanup(self.restore_app_tokens)
        write(self.app_path, "AstraCS:not-a-token\n")
        self.assertEqual(self.emu.reload_tokens(), 2)
        self.assertEqual(self.emu.rest_keyspace(self.classic[0], "app", APP)[0], 200)
        out = harness.slurp(os.path.join(self.emu.directory, "emulator.out"))
        self.assertIn("app-tokens.txt:1: 'AstraCS:not-...' is not an application token", out)

    def test_a_token_for_another_database_sees_no_keyspace(self):
        vec = self.vector[0]
        status, body = self.emu.data_api(vec, "default_keyspace", {"findCollections": {}},
                                         APP_OTHER)
        self.assertEqual((status, body["errors"][0]["errorCode"]),
                         (200, "KEYSPACE_DOES_NOT_EXIST"))
        self.assertEqual(self.emu.rest_keyspace(self.classic[0], "app", APP_OTHER),
                         (404, {"description": "Keyspace 'app' not found", "code": 404}))
        last = self.dbs[-1]
        self.assertEqual(self.emu.rest_keyspace(last, last["info"]["keyspace"], APP_OTHER)[0], 200)

    def test_hosts_of_no_database_use_the_keyspaces_file(self):
        # keyspaces.txt: "app" for everyone, "orders" for orders_svc only.
        self.assertEqual(self.emu.rest_keyspace("127.0.0.1", "app", APP)[0], 200)
        self.assertEqual(self.emu.rest_keyspace("127.0.0.1", "orders", APP)[0], 404)
        self.assertEqual(self.emu.data_api("127.0.0.1", "app", {"findCollections": {}}, APP),
                         (200, {"status": {"collections": []}}))
        # A token scoped to databases reaches no host that names none.
        self.assertEqual(self.emu.rest_keyspace("127.0.0.1", "app", APP_OTHER)[0], 404)
        # The auth API's tokens still work on the REST keyspace GET.
        self.assertEqual(self.emu.keyspace_status(self.emu.new_token()), 200)


def error(body):
    """The one error of a Data API answer, checked for the Data API's fields."""
    errors = body["errors"]
    if len(errors) != 1 or set(errors[0]) != {"message", "errorCode", "id", "title", "family",
                                              "scope"} or not UUID.match(errors[0]["id"]):
        raise AssertionError(f"not one Data API error object: {body!r}")
    return errors[0]


class DataApiErrorTest(AstraTestBase):
    COUNT = 20
    TERMINATED = 0

    def test_errors_with_http_200(self):
        vec = self.vector[0]
        status, body = self.emu.data_api(vec, "nosuch", {"findCollections": {}}, APP)
        e = error(body)
        self.assertEqual((status, e["errorCode"], e["family"]),
                         (200, "KEYSPACE_DOES_NOT_EXIST", "REQUEST"))
        self.assertEqual(e["message"], "The provided keyspace does not exist: Unknown keyspace "
                                       "'nosuch', you must create it first")

        status, body = self.emu.data_api(vec, "default_keyspace", {"noSuchCommand": {}}, APP)
        e = error(body)
        self.assertEqual((status, e["errorCode"]), (200, "COMMAND_UNKNOWN"))
        self.assertTrue(e["message"].startswith(
            "Command 'noSuchCommand' is not a Keyspace Command recognized by Data API."))

        status, body = self.emu.data_api(vec, "default_keyspace", "{not json", APP)
        self.assertEqual((status, error(body)["errorCode"]), (200, "REQUEST_NOT_JSON"))
        status, body = self.emu.data_api(vec, "default_keyspace", {"a": {}, "b": {}}, APP)
        self.assertEqual((status, error(body)["errorCode"]), (200, "REQUEST_STRUCTURE_MISMATCH"))
        status, body = self.emu.data_api(vec, "default_keyspace", "", APP)
        self.assertEqual((status, error(body)["errorCode"]), (200, "COMMAND_FIELD_INVALID"))
        ids = {error(self.emu.data_api(vec, "x", {"findCollections": {}}, APP)[1])["id"]
               for _ in range(3)}
        self.assertEqual(len(ids), 3)  # a fresh id for every error

    def test_token_errors_are_401_and_content_type_415(self):
        vec = self.vector[0]
        status, body = self.emu.data_api(vec, "default_keyspace", {"findCollections": {}}, None)
        e = error(body)
        self.assertEqual((status, e["errorCode"], e["scope"]),
                         (401, "MISSING_AUTHENTICATION_TOKEN", "SECURITY"))
        for tok in (UNKNOWN, "not-even-a-token", "  "):
            status, body = self.emu.data_api(vec, "default_keyspace", {"findCollections": {}}, tok)
            expected = "MISSING_AUTHENTICATION_TOKEN" if tok.strip() == "" \
                else "UNAUTHENTICATED_REQUEST"
            self.assertEqual((status, error(body)["errorCode"]), (401, expected), tok)
        status, body = self.emu.data_api(vec, "default_keyspace", {"findCollections": {}}, APP,
                                         content_type="text/plain")
        self.assertEqual((status, error(body)["errorCode"]), (415, "UNSUPPORTED_CONTENT_TYPE"))
        # The token comes first: a bad token with a bad body is still 401.
        self.assertEqual(self.emu.data_api(vec, "default_keyspace", "{", UNKNOWN)[0], 401)

    def test_find_collections_explain_and_the_x_cassandra_token_header(self):
        vec = self.vector[0]
        names = vec["emulatorCollections"]["default_keyspace"]
        status, body = self.emu.data_api(
            vec, "default_keyspace", {"findCollections": {"options": {"explain": True}}}, APP)
        self.assertEqual((status, body), (200, {"status": {"collections": [
            {"name": n} for n in names]}}))
        status, _, raw = self.emu.call("POST", "/api/json/v1/default_keyspace", db_host(vec),
                                       {"X-Cassandra-Token": APP,
                                        "Content-Type": "application/json"},
                                       '{"findCollections":{}}')
        self.assertEqual((status, json.loads(raw)), (200, {"status": {"collections": names}}))


class DevOpsFaultTest(AstraTestBase):
    COUNT = 230
    TERMINATED = 0
    FAULTS = f"host:{DEVOPS}  ok,429:retry-after=7,503,ok\n"

    def test_host_rules_apply_to_the_devops_api(self):
        first = self.emu.devops("/v2/databases?limit=100", ORG_ALL)
        self.assertEqual(first[0], 200)
        after = json.loads(first[2])[-1]["id"]
        status, hdrs, body = self.emu.devops(f"/v2/databases?limit=100&starting_after={after}",
                                             ORG_ALL)
        self.assertEqual((status, hdrs["retry-after"], hdrs["content-type"]),
                         (429, "7", "text/html"))
        self.assertIn(b"<html>", body)
        self.assertEqual(self.emu.devops("/v2/databases?limit=100", ORG_ALL)[0], 503)
        status, _, body = self.emu.devops(f"/v2/databases?limit=100&starting_after={after}",
                                          ORG_ALL)
        self.assertEqual((status, len(json.loads(body))), (200, 100))


class GeneratorTest(unittest.TestCase):
    def test_the_fleet_it_makes(self):
        with tempfile.TemporaryDirectory() as d:
            a = generate(os.path.join(d, "a.json"), "--count", "230", "--terminated", "3")
            b = generate(os.path.join(d, "b.json"), "--count", "230", "--terminated", "3")
        self.assertEqual(a, b)  # the same seed, the same fleet
        live = [db for db in a if db["status"] != "TERMINATED"]
        self.assertEqual((len(a), len(live)), (233, 230))
        self.assertNotEqual(a[0]["status"], "TERMINATED")
        self.assertNotEqual(a[-1]["status"], "TERMINATED")
        names = [db["info"]["name"] for db in live]
        self.assertEqual(len(names) - len(set(names)), 1)
        self.assertEqual(names[3], names[17])
        self.assertGreater(len({db["status"] for db in live}), 5)
        vector = [db for db in live if db["info"].get("dbType") == "vector"]
        self.assertTrue(40 < len(vector) < 120)
        self.assertTrue(any(len(db["info"]["datacenters"]) > 1 for db in live))
        self.assertEqual(len({db["id"] for db in a}), len(a))
        for db in a:
            self.assertTrue(UUID.match(db["id"]))
            self.assertEqual(db["info"]["region"], db["info"]["datacenters"][0]["region"])
            self.assertEqual(db["dataEndpointUrl"], f"https://{db_host(db)}/api/rest")


if __name__ == "__main__":
    unittest.main(verbosity=2)
