#!/usr/bin/env python3
"""Writes a databases file for stargate-emulator's --databases: a JSON array of databases shaped
as Astra's DevOps API returns them from GET /v2/databases (see README.md, "DevOps API").

The fleet is made from a seed, so the same arguments always give the same file:
  - COUNT databases that GET /v2/databases lists by default (include=nonterminated), in mixed
    statuses (mostly ACTIVE; HIBERNATED, PARKED, MAINTENANCE, PENDING, INITIALIZING, ERROR,
    TERMINATING, RESUMING, ...), on AWS, GCP and Azure;
  - about one in three a Serverless (Vector) database ("info.dbType": "vector", keyspace
    default_keyspace, a collection in "emulatorCollections"), the others without "dbType";
  - about one in six in two or three regions (several "info.datacenters");
  - two of them with the same name (the 4th and the 18th database: index 3 and 17) when COUNT
    is 18 or more;
  - --terminated K more databases in status TERMINATED, spread among the others, which only
    include=all (or include=terminated) lists.

Usage: gen-databases.py [--count N] [--terminated K] [--seed S] [--org-id UUID] [-o FILE]
"""
import argparse
import json
import os
import random
import sys
import tempfile
import uuid

REGIONS = {
    "AWS": ["us-east-2", "us-east-1", "eu-west-1", "ap-south-1"],
    "GCP": ["us-east1", "europe-west1", "us-central1"],
    "AZURE": ["eastus", "westeurope"],
}
# Statuses other than ACTIVE, for one database in four; TERMINATED ones come from --terminated.
OTHER_STATUSES = ["HIBERNATED", "PARKED", "MAINTENANCE", "PENDING", "INITIALIZING", "ERROR",
                  "TERMINATING", "RESUMING", "HIBERNATING", "PARKING", "UNPARKING", "PREPARING"]
DUPLICATE_NAME = (3, 17)  # indexes of the two databases that share a name
ACTIONS = ["getCreds", "addKeyspace", "removeKeyspace", "addDatacenters", "terminateDatacenter",
           "terminate", "hibernate", "resume", "park", "unpark"]


def make_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stamp(rng, year=2025):
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T" \
           f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


def database(rng, index, org_id, status, name):
    db_id = make_uuid(rng)
    provider = rng.choice(sorted(REGIONS))
    nregions = 1 if rng.random() >= 1 / 6 else rng.choice([2, 3])
    regions = rng.sample(REGIONS[provider], min(nregions, len(REGIONS[provider])))
    vector = rng.random() < 1 / 3
    keyspace = "default_keyspace" if vector else "app"
    extra = [] if rng.random() < 0.7 else [f"ks_{index:03d}"]
    created = stamp(rng)
    datacenters = []
    for n, region in enumerate(regions, start=1):
        datacenters.append({
            "id": f"{db_id}-{n}",
            "name": f"dc-{n}",
            "tier": "serverless",
            "status": "",
            "dateCreated": created,
            "cloudProvider": provider,
            "region": region,
            "regionZone": "na",
            "regionClassification": "standard",
            "capacityUnits": 1,
            "secureBundleUrl": "https://datastax-cluster-config-prod.s3.us-east-2.amazonaws.com/"
                               f"{db_id}-{n}/secure-connect-{name}.zip",
        })
    info = {
        "name": name,
        "keyspace": keyspace,
    }
    if vector:
        info["dbType"] = "vector"
    info.update({
        "keyspaces": [keyspace] + extra,
        "datacenters": datacenters,
        "cloudProvider": provider,
        "tier": "serverless",
        "capacityUnits": 1,
        "region": regions[0],
        "engineType": None,
        "additionalKeyspaces": extra or None,
    })
    host = f"https://{db_id}-{regions[0]}.apps.astra.datastax.com"
    db = {
        "id": db_id,
        "orgId": org_id,
        "ownerId": make_uuid(rng),
        "creationTime": created,
        "terminationTime": stamp(rng, 2026) if status == "TERMINATED" else "0001-01-01T00:00:00Z",
        "lastUsageTime": stamp(rng),
        "info": info,
        "status": status,
        "observedStatus": status,
        "storage": {"nodeCount": 3 * len(regions), "replicationFactor": 1, "totalStorage": 5,
                    "usedStorage": 0},
        "availableActions": rng.sample(ACTIONS, 5) if status != "TERMINATED" else [],
        "studioUrl": None,
        "grafanaUrl": f"https://{db_id}-{regions[0]}.dashboard.astra.datastax.com/d/cloud/"
                      "dse-cluster-condensed?refresh=30s&orgId=1&kiosk=tv",
        "cqlshUrl": f"{host}/cqlsh",
        "graphqlUrl": f"{host}/api/graphql",
        "dataEndpointUrl": f"{host}/api/rest",
    }
    if vector:
        db["emulatorCollections"] = {keyspace: [f"docs_{index:03d}"]}
    return db


def fleet(count, terminated, seed, org_id):
    rng = random.Random(seed)
    org_id = org_id or make_uuid(rng)
    listed = []
    for i in range(count):
        status = "ACTIVE" if rng.random() >= 0.25 else rng.choice(OTHER_STATUSES)
        name = f"fleet-db-{i:03d}"
        if count > DUPLICATE_NAME[1] and i == DUPLICATE_NAME[1]:
            name = f"fleet-db-{DUPLICATE_NAME[0]:03d}"
        listed.append(database(rng, i, org_id, status, name))
    gone = [database(rng, count + k, org_id, "TERMINATED", f"fleet-gone-{k:03d}")
            for k in range(terminated)]
    # Spread the terminated ones among the others (never first or last, when there is room).
    out = list(listed)
    for k, db in enumerate(gone):
        at = (k + 1) * len(out) // (len(gone) + 1) if out else 0
        out.insert(max(1, at) if len(out) > 1 else at, db)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=230,
                   help="databases listed by default, i.e. not TERMINATED (default 230)")
    p.add_argument("--terminated", type=int, default=0,
                   help="TERMINATED databases added among them (default 0)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--org-id", help="the organization id of every database (default: from seed)")
    p.add_argument("-o", "--output", help="write here (atomically) instead of stdout")
    a = p.parse_args()
    if a.count < 0 or a.terminated < 0:
        p.error("--count and --terminated must not be negative")
    text = json.dumps(fleet(a.count, a.terminated, a.seed, a.org_id), indent=1) + "\n"
    if a.output is None:
        sys.stdout.write(text)
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(a.output)), suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, a.output)
    except BaseException:
        os.unlink(tmp)
        raise


if __name__ == "__main__":
    main()
