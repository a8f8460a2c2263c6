"""A fleet split with --shard K/N over N runs, then joined with merge-reports: together the
shards request every target exactly once, and the merged report is the whole fleet's."""
import json
import os
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Fleet, make_databases, slurp  # noqa: E402


class ShardTest(harness.TestCase):
    def test_shards_run_every_target_once_and_merge_into_one_report(self):
        fleet = Fleet(self.workdir, make_databases(30, ["us-east1", "eu-west1"]))
        n = 3
        reports = []
        for k in range(n):
            report = os.path.join(self.workdir, f"shard{k}.json")
            p = self.run_tokenfleet("provision", "-i", fleet.path, "--shard", f"{k}/{n}",
                                    "--report", report)
            self.assertEqual(p.returncode, 0, p.stderr)
            rep = self.read_report(report)
            self.assertEqual(rep["shard"], {"index": k, "count": n, "hash": 2})
            reports.append(report)
        # The emulator saw each target from exactly one shard (a retry, as under valgrind on a
        # loaded machine, comes from the same shard: its request id is in that shard's report).
        lines = harness.log_lines(fleet.hosts())
        self.assertEqual({l["host"] for l in lines}, fleet.hosts())
        shard_of_id = {}
        for k, r in enumerate(reports):
            for res in json.loads(slurp(r))["results"]:
                for a in res["request_ids"]:
                    shard_of_id[a["request_id"]] = k
        shards_of_host = {}
        for l in lines:
            shards_of_host.setdefault(l["host"], set()).add(shard_of_id[l["request_id"]])
        self.assertTrue(all(len(s) == 1 for s in shards_of_host.values()), shards_of_host)

        merged = os.path.join(self.workdir, "merged.json")
        p = self.run_tokenfleet("merge-reports", "-o", merged, *reports)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(merged).st_mode), 0o600)
        rep = self.read_report(merged)
        names = [r["target"] for r in rep["results"]]
        self.assertEqual(names, sorted(f"{db['name']}/{r}" for db, r in fleet.targets()))
        self.assertEqual(rep["summary"], {"targets": 60, "ok": 60, "failed": 0})
        self.assertEqual(rep["mode"], "provision")
        starts = [json.loads(slurp(r))["started_at"] for r in reports]
        self.assertEqual(rep["started_at"], min(starts))

        # A missing shard, a repeated one and overlapping reports are refused.
        p = self.run_tokenfleet("merge-reports", reports[0], reports[2])
        self.assertEqual(p.returncode, 2)
        self.assertIn("shard 1/3 is missing", p.stderr)
        self.assertEqual(p.stdout, "")
        p = self.run_tokenfleet("merge-reports", reports[0], reports[0], reports[1], reports[2])
        self.assertEqual(p.returncode, 2)
        self.assertIn("is given twice", p.stderr)

        # A shard of a version whose split was another (hash 1: no "hash" in its report) is
        # refused: the same K/N picked other targets there.
        old = os.path.join(self.workdir, "old-shard1.json")
        with open(old, "w") as f:
            f.write(slurp(reports[1]).replace('"count":3,"hash":2}', '"count":3}'))
        p = self.run_tokenfleet("merge-reports", reports[0], old, reports[2])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("split by shard hash version 1", p.stderr)

    def test_merge_of_unsharded_overlapping_reports_is_refused(self):
        fleet = Fleet(self.workdir, make_databases(2, ["us-east1"]))
        a, b = (os.path.join(self.workdir, f"{x}.json") for x in "ab")
        for path in (a, b):
            p = self.run_tokenfleet("provision", "-i", fleet.path, "--report", path)
            self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_tokenfleet("merge-reports", a, b)
        self.assertEqual(p.returncode, 2)
        self.assertIn("is in both", p.stderr)
        broken = os.path.join(self.workdir, "broken.json")
        with open(broken, "w") as f:
            f.write('{"results": [')
        p = self.run_tokenfleet("merge-reports", a, broken)
        self.assertEqual(p.returncode, 2)
        self.assertIn("broken.json:1:", p.stderr)

    def test_bad_shard_argument(self):
        fleet = Fleet(self.workdir, make_databases(1, ["us-east1"]))
        for arg in ("3/3", "1", "a/b", "0/0", "-1/2"):
            p = self.run_tokenfleet("provision", "-i", fleet.path, "--shard", arg)
            self.assertEqual(p.returncode, 2, arg)
            self.assertIn("--shard", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
