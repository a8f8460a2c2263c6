/* test_inventory.c: inventory loading and validation through config_load() (config/load.h).
 * A table of broken inventories, each with the exact diagnostics it must print (whole text,
 * sorted by line); warnings for passwords that others can read; then inventories that load,
 * checked for defaults inheritance, {env:} and {file:} passwords, id normalisation, target
 * expansion (names, URLs, env prefixes) and --limit selection. Every case checks that no
 * password ever appears in a diagnostic: all passwords used here start with "hunter2".
 *
 * Cases with .bug name the library bug they once caught. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/load.h"

#define PW  "hunter2-s3cret" /* the value of TF_UT_PW; every password here starts "hunter2" */
#define ID1 "6513270e-269e-4d37-b2a7-4de452e6b438"
#define ID2 "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"

/* Lines 1-6 of most inventories below; the first database starts on line 7, its mapping at
 * column 5, name's value at column 11, id's at 9, region's at 13, other keys' at 15. */
#define HEAD                                                                                       \
    "version: 1\n"                                                                                 \
    "defaults:\n"                                                                                  \
    "  password: {env: TF_UT_PW}\n"                                                                \
    "  keyspace: ks\n"                                                                             \
    "  username: svc\n"                                                                            \
    "databases:\n"
/* Lines 7-9: a complete database. */
#define ORDERS                                                                                     \
    "  - name: orders\n"                                                                           \
    "    id: " ID1 "\n"                                                                            \
    "    region: us-east1\n"

#define LIMIT_HINT                                                                                 \
    "give a target name (orders/us-east1), a database name, a glob (orders*) or tag:NAME"
#define NAME_RULE                                                                                  \
    "must start with a lowercase letter or digit and hold only lowercase letters, digits, _ and "  \
    "- (e.g. orders-eu)"
#define UUID_HINT "copy the database's cluster id (e.g. b5285f63-8da5-4c6e-afd8-ade371a48795)"
#define DB_KEYS   "name, id, region, regions, keyspace, username, password, auth_url, rest_url, tags"
#define PLAIN_WARNING                                                                              \
    "warning: a plain-text password in a file that group or others can read; use {env: NAME} or "  \
    "{file: PATH}, or chmod 600 inv.yaml"

/* A file a case needs besides the inventory. */
struct file_spec {
    const char *name;    /* relative to the case's folder; a folder in it is created */
    const char *content; /* repeated to fill size bytes when size is set */
    size_t size;
    mode_t mode; /* 0 means 0600 */
};

/* An environment variable a case sets (value) or unsets (value NULL). */
struct env_spec {
    const char *name;
    const char *value;
};

struct inv_case {
    const char *title;
    const char *yaml; /* written to inv.yaml; NULL: no inventory */
    mode_t mode;      /* of inv.yaml; 0 means 0600 */
    const char *path; /* what config_load is given; NULL means "inv.yaml" */
    struct file_spec files[3];
    struct env_spec env[2];
    const char *limits[3]; /* --limit patterns, NULL-terminated */
    int quiet;
    const char *expect; /* everything config_load prints */
    const char *bug;    /* the library bug this case once caught */
};

static const struct inv_case cases[] = {
    /* --- the file as a whole --- */
    {.title = "YAML syntax error",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "   region: us-east1\n",
     .expect = "inv.yaml:9:4: error: YAML syntax: did not find expected '-' indicator while "
               "parsing a block collection (which starts at line 7, column 3)\n"},
    {.title = "empty file",
     .yaml = "",
     .expect = "inv.yaml: error: the file is empty; an inventory starts with \"version: 1\" and "
               "a list \"databases:\"\n"},
    {.title = "only a comment",
     .yaml = "# the fleet\n",
     .expect = "inv.yaml: error: the file is empty; an inventory starts with \"version: 1\" and "
               "a list \"databases:\"\n"},
    {.title = "root is a list",
     .yaml = "- orders\n- billing\n",
     .expect = "inv.yaml:1:1: error: the inventory must be a mapping with version, defaults and "
               "databases, not a list\n"},
    {.title = "inventory cannot be opened",
     .path = "nosuch.yaml",
     .expect = "nosuch.yaml: error: cannot open the inventory: No such file or directory\n"},
    {.title = "inventory is a folder",
     .path = "fleet",
     .files = {{.name = "fleet/inv.yaml", .content = HEAD ORDERS}},
     .expect = "fleet: error: is a folder; give the inventory's YAML file\n"},

    /* --- the root mapping --- */
    {.title = "missing version",
     .yaml = "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "databases:\n" ORDERS,
     .expect = "inv.yaml:1:1: error: missing \"version: 1\" at the top of the inventory\n"},
    {.title = "version 2",
     .yaml = "version: 2\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "databases:\n" ORDERS,
     .expect = "inv.yaml:1:10: error: version must be 1 (the only inventory format this "
               "tokenfleet reads)\n"},
    {.title = "misspelt version: did you mean",
     .yaml = "verison: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "databases:\n" ORDERS,
     .expect = "inv.yaml:1:1: error: unknown key \"verison\" in the inventory; did you mean "
               "\"version\"?\n"
               "inv.yaml:1:1: error: missing \"version: 1\" at the top of the inventory\n"},
    {.title = "unknown root key: the keys are listed",
     .yaml = HEAD ORDERS "owner: team-a\n",
     .expect = "inv.yaml:10:1: error: unknown key \"owner\" in the inventory; the keys are: "
               "version, defaults, databases\n"},
    {.title = "missing databases",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  keyspace: ks\n",
     .expect = "inv.yaml:1:1: error: missing \"databases:\", the list of databases\n"},
    {.title = "empty databases list",
     .yaml = "version: 1\n"
             "databases: []\n",
     .expect = "inv.yaml:2:12: error: databases is empty; list at least one database\n"},
    {.title = "databases is a mapping",
     .yaml = HEAD "  orders:\n"
                  "    id: " ID1 "\n",
     .expect = "inv.yaml:7:3: error: databases must be a list (lines starting with -), not a "
               "mapping\n"},
    {.title = "defaults is a list",
     .yaml = "version: 1\n"
             "defaults: [ks]\n"
             "databases:\n" ORDERS,
     .expect = "inv.yaml:2:11: error: defaults must be a mapping (key: value lines), not a list\n"},
    {.title = "duplicate key at the root",
     .yaml = HEAD ORDERS "defaults:\n"
                         "  password: {env: TF_UT_PW}\n",
     .expect = "inv.yaml:10:1: error: key \"defaults\" is given twice (first at line 2)\n",
     .bug = "duplicate keys at the root are not reported (the last wins), and a second defaults: "
            "leaks the first one's password reference"},

    /* --- keys of databases, defaults and passwords --- */
    {.title = "misspelt database key: did you mean",
     .yaml = HEAD ORDERS "    keyspce: orders\n",
     .expect = "inv.yaml:10:5: error: unknown key \"keyspce\" in a database; did you mean "
               "\"keyspace\"?\n"},
    {.title = "unknown database key: the keys are listed",
     .yaml = HEAD ORDERS "    owner: team-a\n",
     .expect =
         "inv.yaml:10:5: error: unknown key \"owner\" in a database; the keys are: " DB_KEYS "\n"},
    {.title = "misspelt defaults key: did you mean",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "  regoin: us-east1\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "    region: us-east1\n",
     .expect = "inv.yaml:6:3: error: unknown key \"regoin\" in defaults; did you mean "
               "\"region\"?\n"},
    {.title = "misspelt password key: did you mean",
     .yaml = HEAD ORDERS "    password: {evn: TF_UT_PW}\n",
     .expect = "inv.yaml:10:16: error: unknown key \"evn\" in password; did you mean \"env\"?\n"},
    {.title = "unknown password key: the keys are listed",
     .yaml = HEAD ORDERS "    password: {vault: orders}\n",
     .expect = "inv.yaml:10:16: error: unknown key \"vault\" in password; the keys are: env, "
               "file\n"},
    {.title = "duplicate key in a database",
     .yaml = HEAD ORDERS "    region: eu-west1\n",
     .expect = "inv.yaml:10:5: error: key \"region\" is given twice (first at line 9)\n"},
    {.title = "name and id in defaults",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "  name: all\n"
             "  id: " ID1 "\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "    region: us-east1\n",
     .expect = "inv.yaml:6:3: error: \"name\" belongs to each database, not to defaults\n"
               "inv.yaml:7:3: error: \"id\" belongs to each database, not to defaults\n"},
    {.title = "password with both env and file",
     .yaml = HEAD ORDERS "    password: {env: TF_UT_PW, file: pw.txt}\n",
     .expect = "inv.yaml:10:31: error: password takes one of env or file, not both\n"},
    {.title = "empty password mapping",
     .yaml = HEAD ORDERS "    password: {}\n",
     .expect = "inv.yaml:10:15: error: password mapping is empty; write {env: NAME} or {file: "
               "PATH}\n"},

    /* --- types --- */
    {.title = "name is a mapping",
     .yaml = HEAD "  - name: {first: orders}\n"
                  "    id: " ID1 "\n"
                  "    region: us-east1\n",
     .expect = "inv.yaml:7:11: error: name must be a string, not a mapping\n"},
    {.title = "keyspace is a list",
     .yaml = HEAD ORDERS "    keyspace: [orders]\n",
     .expect = "inv.yaml:10:15: error: keyspace must be a string, not a list\n"},
    {.title = "regions is a string",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: us-east1\n",
     .expect = "inv.yaml:9:14: error: regions must be a list such as [a, b], not a string\n"},
    {.title = "tags is a string",
     .yaml = HEAD ORDERS "    tags: prod\n",
     .expect = "inv.yaml:10:11: error: tags must be a list such as [a, b], not a string\n"},
    {.title = "password is a list",
     .yaml = HEAD ORDERS "    password: [hunter2-plain]\n",
     .expect = "inv.yaml:10:15: error: password must be {env: NAME}, {file: PATH} or a string, "
               "not a list\n"},
    {.title = "a database is a string",
     .yaml = HEAD "  - orders\n",
     .expect = "inv.yaml:7:5: error: each database must be a mapping (key: value lines), not a "
               "string\n"},
    {.title = "username given as null",
     .yaml = "version: 1\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "    region: us-east1\n"
             "    keyspace: ks\n"
             "    username: ~\n"
             "    password: {env: TF_UT_PW}\n",
     .expect = "inv.yaml:7:15: error: username is empty; give it a value or remove the key\n"},
    {.title = "username given as an empty quoted string",
     .yaml = HEAD ORDERS "    username: \"\"\n",
     .expect = "inv.yaml:10:15: error: username is empty; give it a value or remove the key\n",
     .bug = "a quoted empty username is accepted (only plain null scalars count as empty)"},
    {.title = "password given as an empty quoted string",
     .yaml = HEAD ORDERS "    password: ''\n",
     .expect = "inv.yaml:10:15: error: password is empty; give it a value or remove the key\n",
     .bug = "a quoted empty plain-text password is accepted and would be sent"},

    /* --- required values --- */
    {.title = "missing name",
     .yaml = HEAD "  - id: " ID1 "\n"
                  "    region: us-east1\n",
     .expect = "inv.yaml:7:5: error: a database has no name; add name: (lowercase letters, "
               "digits, _ and -)\n"},
    {.title = "missing id",
     .yaml = HEAD "  - name: orders\n"
                  "    region: us-east1\n",
     .expect = "inv.yaml:7:5: error: database \"orders\" has no id; add id: with its cluster id "
               "(a UUID)\n"},
    {.title = "missing region",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n",
     .expect = "inv.yaml:7:5: error: database \"orders\" has no region; add region: (e.g. "
               "us-east1) here or in defaults\n"},
    {.title = "missing keyspace",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  username: svc\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "    region: us-east1\n",
     .expect = "inv.yaml:6:5: error: database \"orders\" has no keyspace; add keyspace: here or "
               "in defaults\n"},
    {.title = "missing username",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: ks\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "    region: us-east1\n",
     .expect = "inv.yaml:6:5: error: database \"orders\" has no username; add username: here or "
               "in defaults\n"},
    {.title = "missing password",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "    region: us-east1\n",
     .expect = "inv.yaml:6:5: error: database \"orders\" has no password; add password: {env: "
               "NAME} or {file: PATH} here or in defaults\n"},

    /* --- values --- */
    {.title = "name in uppercase",
     .yaml = HEAD "  - name: Orders\n"
                  "    id: " ID1 "\n"
                  "    region: us-east1\n",
     .expect = "inv.yaml:7:11: error: name \"Orders\" " NAME_RULE "\n"},
    {.title = "name with a leading dash",
     .yaml = HEAD "  - name: -orders\n"
                  "    id: " ID1 "\n"
                  "    region: us-east1\n",
     .expect = "inv.yaml:7:11: error: name \"-orders\" " NAME_RULE "\n"},
    {.title = "id one digit short",
     .yaml = HEAD "  - name: orders\n"
                  "    id: 6513270e-269e-4d37-b2a7-4de452e6b43\n"
                  "    region: us-east1\n",
     .expect =
         "inv.yaml:8:9: error: id \"6513270e-269e-4d37-b2a7-4de452e6b43\" is not a UUID; " UUID_HINT
         "\n"},
    {.title = "id with a non-hex digit",
     .yaml = HEAD "  - name: orders\n"
                  "    id: 6513270e-269e-4d37-b2a7-4de452e6b43g\n"
                  "    region: us-east1\n",
     .expect = "inv.yaml:8:9: error: id \"6513270e-269e-4d37-b2a7-4de452e6b43g\" is not a "
               "UUID; " UUID_HINT "\n"},
    {.title = "region with a space",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    region: us east1\n",
     .expect = "inv.yaml:9:13: error: region \"us east1\" is not a region name (e.g. us-east1)\n"},
    {.title = "region in uppercase",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    region: US-EAST1\n",
     .expect = "inv.yaml:9:13: error: region \"US-EAST1\" is not a region name (e.g. us-east1)\n"},
    {.title = "region listed twice",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: [us-east1, eu-west1, us-east1]\n",
     .expect = "inv.yaml:9:35: error: region \"us-east1\" is listed twice for database "
               "\"orders\"\n"},
    {.title = "both region and regions",
     .yaml = HEAD ORDERS "    regions: [eu-west1]\n",
     .expect = "inv.yaml:10:14: error: give either region or regions, not both (region is at "
               "line 9)\n"},
    {.title = "empty regions list",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: []\n",
     .expect = "inv.yaml:9:14: error: regions is an empty list; give at least one or remove the "
               "key\n"},
    {.title = "keyspace with a dash",
     .yaml = HEAD ORDERS "    keyspace: my-ks\n",
     .expect = "inv.yaml:10:15: error: keyspace \"my-ks\" is not a keyspace name (letters, digits "
               "and _, at most 48)\n"},
    {.title = "keyspace of 49 characters",
     .yaml = HEAD ORDERS "    keyspace: k123456789012345678901234567890123456789012345678\n",
     .expect =
         "inv.yaml:10:15: error: keyspace \"k123456789012345678901234567890123456789012345678\" "
         "is not a keyspace name (letters, digits and _, at most 48)\n"},
    {.title = "bad keyspace in defaults: said once for two databases",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: my-ks\n"
             "  username: svc\n"
             "databases:\n" ORDERS "  - name: billing\n"
             "    id: " ID2 "\n"
             "    region: us-east1\n",
     .expect = "inv.yaml:4:13: error: keyspace \"my-ks\" is not a keyspace name (letters, digits "
               "and _, at most 48)\n"},
    {.title = "tag with a space",
     .yaml = HEAD ORDERS "    tags: [prod, \"eu west\"]\n",
     .expect = "inv.yaml:10:18: error: tag \"eu west\" may hold only letters, digits, _, . and "
               "-\n"},
    {.title = "auth_url with an unknown placeholder",
     .yaml = HEAD ORDERS "    auth_url: https://{cluster}-{region}.example.com/v1/auth\n",
     .expect = "inv.yaml:10:15: error: auth_url has an unknown placeholder \"{cluster}\"; the "
               "placeholders are {id} and {region}\n"},
    {.title = "auth_url without a scheme",
     .yaml = HEAD ORDERS "    auth_url: stargate.internal:8081/v1/auth\n",
     .expect = "inv.yaml:10:15: error: auth_url \"stargate.internal:8081/v1/auth\" must start "
               "with https:// (or http:// for a self-hosted Stargate on a trusted network)\n"},
    {.title = "auth_url with a space",
     .yaml = HEAD ORDERS "    auth_url: \"http://stargate.internal:8081/v1/my auth\"\n",
     .expect = "inv.yaml:10:15: error: auth_url contains a space or control character; "
               "percent-encode it (%20)\n"},
    {.title = "auth_url that gives no valid URL",
     .yaml = HEAD ORDERS "    auth_url: https://{id}.example.com:99999/v1/auth\n",
     .expect = "inv.yaml:10:15: error: auth_url gives https://" ID1 ".example.com:99999/v1/auth "
               "for orders/us-east1, which is not a valid URL: Port number was not a decimal "
               "number between 0 and 65535\n"},

    /* --- across databases and targets --- */
    {.title = "duplicate database names name the first line",
     .yaml = HEAD ORDERS "  - name: orders\n"
                         "    id: " ID2 "\n"
                         "    region: eu-west1\n",
     .expect = "inv.yaml:10:11: error: database name \"orders\" is already used at line 7; names "
               "must be unique\n"},
    {.title = "a name used three times: both repeats name the first line",
     .yaml = HEAD ORDERS "  - name: orders\n"
                         "    id: " ID2 "\n"
                         "    region: eu-west1\n"
                         "  - name: orders\n"
                         "    id: 0fd630f1-f29d-4da9-953f-48f1a09f76b5\n"
                         "    region: eu-west1\n",
     .expect = "inv.yaml:10:11: error: database name \"orders\" is already used at line 7; names "
               "must be unique\n"
               "inv.yaml:13:11: error: database name \"orders\" is already used at line 7; names "
               "must be unique\n",
     .bug = "the third use of a name points at the second (line 10), not the first"},
    {.title = "duplicate targets: same id and region",
     .yaml = HEAD ORDERS "  - name: orders-copy\n"
                         "    id: " ID1 "\n"
                         "    region: us-east1\n",
     .expect = "inv.yaml:12:13: error: target orders-copy/us-east1 duplicates orders/us-east1 "
               "(same URL https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth and "
               "username); remove one of them\n"},
    {.title = "env prefix collision: a-b and a_b",
     .yaml = HEAD "  - name: a-b\n"
                  "    id: " ID1 "\n"
                  "    region: us-east1\n"
                  "  - name: a_b\n"
                  "    id: " ID2 "\n"
                  "    region: us-east1\n",
     .expect = "inv.yaml:10:11: error: targets a-b/us-east1 and a_b/us-east1 would share the "
               "variable prefix A_B_US_EAST1_ in a combined env file; rename one database\n"},

    /* --- passwords --- */
    {.title = "environment variable not set",
     .yaml = HEAD ORDERS "    password: {env: TF_UT_UNSET}\n",
     .env = {{"TF_UT_UNSET", NULL}},
     .expect = "inv.yaml:10:21: error: environment variable TF_UT_UNSET is not set; export it "
               "before running tokenfleet\n"},
    {.title = "environment variable empty",
     .yaml = HEAD ORDERS "    password: {env: TF_UT_EMPTY}\n",
     .env = {{"TF_UT_EMPTY", ""}},
     .expect = "inv.yaml:10:21: error: environment variable TF_UT_EMPTY is empty; it must hold "
               "the password\n"},
    {.title = "password file missing",
     .yaml = HEAD ORDERS "    password: {file: missing.pw}\n",
     .expect = "inv.yaml:10:22: error: cannot read password file missing.pw: No such file or "
               "directory\n"},
    {.title = "password file empty",
     .yaml = HEAD ORDERS "    password: {file: empty.pw}\n",
     .files = {{.name = "empty.pw", .content = ""}},
     .expect = "inv.yaml:10:22: error: password file empty.pw is empty; it must hold the "
               "password\n"},
    {.title = "password file holding only a newline",
     .yaml = HEAD ORDERS "    password: {file: nl.pw}\n",
     .files = {{.name = "nl.pw", .content = "\n"}},
     .expect = "inv.yaml:10:22: error: password file nl.pw is empty; it must hold the password\n"},
    {.title = "password file larger than 4096 bytes",
     .yaml = HEAD ORDERS "    password: {file: big.pw}\n",
     .files = {{.name = "big.pw", .content = "hunter2-", .size = 5000}},
     .expect = "inv.yaml:10:22: error: password file big.pw is larger than 4096 bytes; is it the "
               "right file?\n"},
    {.title = "password file is a folder",
     .yaml = HEAD ORDERS "    password: {file: pwdir}\n",
     .files = {{.name = "pwdir/pw", .content = "hunter2-inside\n"}},
     .expect = "inv.yaml:10:22: error: cannot read password file pwdir: Is a directory\n"},

    /* --- --limit --- */
    {.title = "--limit that matches nothing",
     .yaml = HEAD ORDERS,
     .limits = {"billing"},
     .expect = "inv.yaml: error: --limit \"billing\" matches no target; " LIMIT_HINT "\n"},
    {.title = "--limit: the one pattern of two that matches nothing",
     .yaml = HEAD ORDERS "    tags: [prod]\n",
     .limits = {"orders", "tag:production"},
     .expect = "inv.yaml: error: --limit \"tag:production\" matches no target; " LIMIT_HINT "\n"},

    /* --- several at once --- */
    {.title = "several errors, all reported, sorted by line",
     .yaml = HEAD "  - name: orders\n"
                  "    id: not-a-uuid\n"
                  "    region: us east1\n"
                  "    tags: [prod, \"a b\"]\n"
                  "  - name: Billing\n"
                  "    id: " ID2 "\n"
                  "    region: us-east1\n"
                  "    keyspce: billing\n"
                  "    keyspace: [billing]\n",
     .expect = "inv.yaml:8:9: error: id \"not-a-uuid\" is not a UUID; " UUID_HINT "\n"
               "inv.yaml:9:13: error: region \"us east1\" is not a region name (e.g. us-east1)\n"
               "inv.yaml:10:18: error: tag \"a b\" may hold only letters, digits, _, . and -\n"
               "inv.yaml:11:11: error: name \"Billing\" " NAME_RULE "\n"
               "inv.yaml:14:5: error: unknown key \"keyspce\" in a database; did you mean "
               "\"keyspace\"?\n"
               "inv.yaml:15:15: error: keyspace must be a string, not a list\n"},

    /* --- warnings --- */
    {.title = "plain password in an inventory others can read: warning",
     .yaml = HEAD ORDERS "    password: hunter2-plain\n",
     .mode = 0644,
     .expect = "inv.yaml:10:15: " PLAIN_WARNING "\n"},
    {.title = "plain password in a 0600 inventory: no warning",
     .yaml = HEAD ORDERS "    password: hunter2-plain\n",
     .mode = 0600,
     .expect = ""},
    {.title = "plain password in defaults: warned once for two databases",
     .yaml = "version: 1\n"
             "defaults:\n"
             "  password: hunter2-plain\n"
             "  keyspace: ks\n"
             "  username: svc\n"
             "databases:\n" ORDERS "  - name: billing\n"
             "    id: " ID2 "\n"
             "    region: us-east1\n",
     .mode = 0640,
     .expect = "inv.yaml:3:13: " PLAIN_WARNING "\n"},
    {.title = "warning and error together, sorted by line",
     .yaml = HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    region: us east1\n"
                  "    password: hunter2-plain\n",
     .mode = 0644,
     .expect = "inv.yaml:9:13: error: region \"us east1\" is not a region name (e.g. us-east1)\n"
               "inv.yaml:10:15: " PLAIN_WARNING "\n"},
    {.title = "quiet leaves warnings out",
     .yaml = HEAD ORDERS "    password: hunter2-plain\n",
     .mode = 0644,
     .quiet = 1,
     .expect = ""},
    {.title = "password file others can read: warning",
     .yaml = HEAD ORDERS "    password: {file: pw.txt}\n",
     .files = {{.name = "pw.txt", .content = "hunter2-file\n", .mode = 0644}},
     .expect = "inv.yaml:10:22: warning: password file pw.txt can be read by group or others "
               "(mode 0644); chmod 600 it\n"},
    {.title = "password file 0600: no warning",
     .yaml = HEAD ORDERS "    password: {file: pw.txt}\n",
     .files = {{.name = "pw.txt", .content = "hunter2-file\n", .mode = 0600}},
     .expect = ""},
};

/* --- the folder each test runs in --- */

struct fixture {
    const struct inv_case *c; /* NULL for the tests that are not table rows */
    char dir[64];             /* a fresh folder, the current directory during the test */
    int home;                 /* the previous current directory, to return to */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->c = *state;
    strcpy(fx->dir, "/tmp/tf-unit-inv-XXXXXX");
    fx->home = open(".", O_RDONLY | O_DIRECTORY);
    if (fx->home < 0 || !mkdtemp(fx->dir) || chdir(fx->dir) != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = fchdir(fx->home);
    close(fx->home);
    if (nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        rc = -1;
    if (fx->c)
        for (size_t i = 0; i < 2 && fx->c->env[i].name; i++)
            unsetenv(fx->c->env[i].name);
    free(fx);
    return rc;
}

/* Writes name (creating its folder) with size bytes of content repeated (all of content when
 * size is 0), with mode (0600 when 0). */
static void put_file(const char *name, const char *content, size_t size, mode_t mode)
{
    const char *slash = strrchr(name, '/');
    if (slash) {
        char folder[PATH_MAX];
        snprintf(folder, sizeof folder, "%.*s", (int)(slash - name), name);
        assert_true(mkdir(folder, 0700) == 0 || access(folder, F_OK) == 0);
    }
    FILE *f = fopen(name, "wb");
    assert_non_null(f);
    size_t len = strlen(content);
    if (!size)
        size = len;
    for (size_t done = 0; len && done < size;) {
        size_t n = size - done < len ? size - done : len;
        assert_int_equal(fwrite(content, 1, n, f), n);
        done += n;
    }
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(name, mode ? mode : 0600), 0);
}

/* What one config_load call gave. */
struct loaded {
    enum tf_err rc;
    char *out; /* everything it printed */
    struct inventory *inv;
    struct target_list targets;
};

static void load(const char *path, const char *const *limits, int quiet, struct loaded *l)
{
    size_t n = 0, size = 0;
    while (limits && limits[n])
        n++;
    FILE *f = open_memstream(&l->out, &size);
    assert_non_null(f);
    l->rc = config_load(path, limits, n, NULL, f, quiet, &l->inv, &l->targets);
    assert_int_equal(fclose(f), 0);
    /* The one rule for every case: a password never reaches a message. */
    if (strstr(l->out, "hunter2"))
        fail_msg("a password appears in the diagnostics:\n%s", l->out);
}

static void unload(struct loaded *l)
{
    target_list_clear(&l->targets);
    inventory_free(l->inv);
    free(l->out);
}

/* Loads path expecting success and no output at all. */
static void load_ok(const char *path, const char *const *limits, struct loaded *l)
{
    load(path, limits, 0, l);
    if (l->rc != TF_OK || *l->out)
        fail_msg("expected a clean load, got %s and:\n%s", tf_strerror(l->rc), l->out);
    assert_non_null(l->inv);
}

static void test_case(void **state)
{
    const struct fixture *fx = *state;
    const struct inv_case *c = fx->c;
    if (c->yaml)
        put_file("inv.yaml", c->yaml, 0, c->mode);
    for (size_t i = 0; i < 3 && c->files[i].name; i++)
        put_file(c->files[i].name, c->files[i].content, c->files[i].size, c->files[i].mode);
    for (size_t i = 0; i < 2 && c->env[i].name; i++) {
        if (c->env[i].value)
            assert_int_equal(setenv(c->env[i].name, c->env[i].value, 1), 0);
        else
            assert_int_equal(unsetenv(c->env[i].name), 0);
    }

    struct loaded l = {0};
    load(c->path ? c->path : "inv.yaml", c->limits, c->quiet, &l);
    int has_error = strstr(c->expect, ": error: ") != NULL;
    int same = !strcmp(c->expect, l.out);
    /* Everything is checked and freed before failing, so that a sanitizer run shows only the
     * library's own leaks. */
    char why[4096] = "";
    if (!same)
        snprintf(why, sizeof why, "%s\n--- expected:\n%s--- got:\n%s---", c->title, c->expect,
                 l.out);
    else if (l.rc != (has_error ? TF_ERR_INVENTORY : TF_OK))
        snprintf(why, sizeof why, "config_load returned \"%s\"", tf_strerror(l.rc));
    else if (has_error && (l.inv || l.targets.count))
        snprintf(why, sizeof why, "an inventory and targets were returned despite errors");
    else if (!has_error && (!l.inv || !l.targets.count))
        snprintf(why, sizeof why, "no inventory or no targets were returned");
    unload(&l);
    if (*why)
        fail_msg("%s", why);
}

/* --- inventories that load --- */

/* Asserts that the n fields hold exactly the NULL-terminated list want. */
static void assert_fields(const struct field *f, size_t n, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        assert_true(i < n);
        assert_string_equal(f[i].value, want[i]);
    }
    assert_int_equal(n, i);
}

/* Asserts the names of the targets, in order. */
static void assert_targets(const struct target_list *t, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        if (i >= t->count)
            fail_msg("target %zu (%s) missing: only %zu targets", i, want[i], t->count);
        assert_string_equal(t->items[i].name, want[i]);
    }
    assert_int_equal(t->count, i);
}

static void test_defaults_inherited_and_overridden(void **state)
{
    (void)state;
    put_file("inv.yaml",
             "version: 1\n"
             "defaults:\n"
             "  password: {env: TF_UT_PW}\n"
             "  keyspace: shared\n"
             "  username: svc\n"
             "  regions: [us-east1, eu-west1]\n"
             "  tags: [prod]\n"
             "databases:\n"
             "  - name: orders\n"
             "    id: " ID1 "\n"
             "  - name: billing\n"
             "    id: " ID2 "\n"
             "    keyspace: billing\n"
             "    username: billing_svc\n"
             "    password: {file: billing.pw}\n"
             "    region: asia-south1\n"
             "    tags: [staging, payments]\n",
             0, 0);
    put_file("billing.pw", "hunter2-billing\n", 0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_int_equal(l.inv->n_databases, 2);

    const struct database *orders = &l.inv->databases[0];
    assert_string_equal(orders->keyspace.value, "shared");
    assert_int_equal(orders->keyspace.at.line, 4); /* a default keeps its own place */
    assert_string_equal(orders->username.value, "svc");
    assert_fields(orders->regions, orders->n_regions, (const char *[]){"us-east1", "eu-west1", 0});
    assert_fields(orders->tags, orders->n_tags, (const char *[]){"prod", 0});
    assert_ptr_equal(orders->password, l.inv->defaults.own_password);
    assert_int_equal(orders->password->kind, SECRET_ENV);
    assert_string_equal(orders->password->value, PW);

    const struct database *billing = &l.inv->databases[1];
    assert_string_equal(billing->keyspace.value, "billing");
    assert_int_equal(billing->keyspace.at.line, 13);
    assert_string_equal(billing->username.value, "billing_svc");
    assert_fields(billing->regions, billing->n_regions, (const char *[]){"asia-south1", 0});
    assert_fields(billing->tags, billing->n_tags, (const char *[]){"staging", "payments", 0});
    assert_ptr_equal(billing->password, billing->own_password);
    assert_int_equal(billing->password->kind, SECRET_FILE);
    assert_string_equal(billing->password->value, "hunter2-billing");

    assert_targets(&l.targets, (const char *[]){"orders/us-east1", "orders/eu-west1",
                                                "billing/asia-south1", 0});
    unload(&l);
}

/* {file:} paths are relative to the inventory's folder, not the current one; one trailing
 * newline (\n or \r\n) is stripped and no more; absolute paths are taken as they are. */
static void test_password_files(void **state)
{
    const struct fixture *fx = *state;
    char abs_path[128], yaml[2048];
    snprintf(abs_path, sizeof abs_path, "%s/elsewhere/abs.pw", fx->dir);
    snprintf(
        yaml, sizeof yaml,
        "version: 1\n"
        "defaults: {keyspace: ks, username: svc, region: us-east1}\n"
        "databases:\n"
        "  - {name: lf, id: %s, password: {file: lf.pw}}\n"
        "  - {name: crlf, id: %s, password: {file: crlf.pw}}\n"
        "  - {name: bare, id: 0fd630f1-f29d-4da9-953f-48f1a09f76b5, password: {file: bare.pw}}\n"
        "  - {name: two, id: 0cb1e29c-658c-4a14-95e6-0af593bd04cf, password: {file: two.pw}}\n"
        "  - {name: abs, id: 8e81973e-0bec-47b0-b898-d190f9ebdacc, password: {file: %s}}\n"
        "  - {name: max, id: 6b4cb242-4a23-4596-a217-beaddbc496cb, password: {file: max.pw}}\n",
        ID1, ID2, abs_path);
    put_file("conf/inv.yaml", yaml, 0, 0);
    put_file("lf.pw", "hunter2-WRONG-FOLDER\n", 0, 0); /* must not be read */
    put_file("conf/lf.pw", "hunter2-lf\n", 0, 0);
    put_file("conf/crlf.pw", "hunter2-crlf\r\n", 0, 0);
    put_file("conf/bare.pw", "hunter2-bare", 0, 0);
    put_file("conf/two.pw", "hunter2-two\n\n", 0, 0);
    put_file("elsewhere/abs.pw", "hunter2-abs\n", 0, 0);
    put_file("conf/max.pw", "hunter2-", 4096, 0); /* exactly the limit is still a password */

    struct loaded l = {0};
    load_ok("conf/inv.yaml", NULL, &l);
    assert_string_equal(l.inv->dir, "conf/");
    const char *want[] = {"hunter2-lf", "hunter2-crlf", "hunter2-bare", "hunter2-two\n",
                          "hunter2-abs"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(l.inv->databases[i].password->value, want[i]);
    assert_int_equal(strlen(l.inv->databases[5].password->value), 4096);
    unload(&l);
}

static void test_uppercase_id_lowercased(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD "  - name: orders\n"
                  "    id: 6513270E-269E-4D37-B2A7-4DE452E6B438\n"
                  "    region: us-east1\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_string_equal(l.inv->databases[0].id.value, ID1);
    assert_string_equal(l.targets.items[0].url,
                        "https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth");
    unload(&l);
}

static void test_targets_expanded_in_order(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: [us-east1, eu-west1, asia-south1]\n"
                  "  - name: billing\n"
                  "    id: " ID2 "\n"
                  "    region: us-central1\n"
                  "    auth_url: http://stargate-{region}.internal:8081/v1/auth?cluster={id}\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_targets(&l.targets, (const char *[]){"orders/us-east1", "orders/eu-west1",
                                                "orders/asia-south1", "billing/us-central1", 0});
    const char *urls[] = {
        "https://" ID1 "-us-east1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://" ID1 "-eu-west1.apps.astra.datastax.com/api/rest/v1/auth",
        "https://" ID1 "-asia-south1.apps.astra.datastax.com/api/rest/v1/auth",
        "http://stargate-us-central1.internal:8081/v1/auth?cluster=" ID2,
    };
    for (size_t i = 0; i < 4; i++) {
        const struct target *t = &l.targets.items[i];
        assert_string_equal(t->url, urls[i]);
        assert_ptr_equal(t->db, &l.inv->databases[i < 3 ? 0 : 1]);
        assert_ptr_equal(t->region, &t->db->regions[i < 3 ? i : 0]);
    }
    unload(&l);
}

static void test_env_prefix_upper_snake(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD ORDERS "  - name: a-b_c2\n"
                         "    id: " ID2 "\n"
                         "    region: eu-west-1\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", NULL, &l);
    assert_int_equal(l.targets.count, 2);
    assert_string_equal(l.targets.items[0].env_prefix, "ORDERS_US_EAST1");
    assert_string_equal(l.targets.items[1].env_prefix, "A_B_C2_EU_WEST_1");
    unload(&l);
}

static void test_limit_selection(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD "  - name: orders\n"
                  "    id: " ID1 "\n"
                  "    regions: [us-east1, eu-west1]\n"
                  "    tags: [prod, payments]\n"
                  "  - name: billing\n"
                  "    id: " ID2 "\n"
                  "    region: us-east1\n"
                  "    tags: [prod]\n"
                  "  - name: search\n"
                  "    id: 8d116ece-1738-47d9-bd9c-172411e20b8f\n"
                  "    region: us-central1\n"
                  "    tags: [staging]\n",
             0, 0);
    static const struct {
        const char *limits[3];
        const char *want[5];
    } rows[] = {
        {{"orders*"}, {"orders/us-east1", "orders/eu-west1"}},
        {{"*/us-east1"}, {"orders/us-east1", "billing/us-east1"}},
        {{"billing"}, {"billing/us-east1"}},
        {{"orders/eu-west1"}, {"orders/eu-west1"}},
        {{"tag:staging"}, {"search/us-central1"}},
        {{"tag:prod"}, {"orders/us-east1", "orders/eu-west1", "billing/us-east1"}},
        /* several patterns: the union, in inventory order, each target once */
        {{"search", "tag:payments"}, {"orders/us-east1", "orders/eu-west1", "search/us-central1"}},
        {{"orders", "orders/us-east1", "*"},
         {"orders/us-east1", "orders/eu-west1", "billing/us-east1", "search/us-central1"}},
        {{"s?arch", "b[ai]lling"}, {"billing/us-east1", "search/us-central1"}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct loaded l = {0};
        load_ok("inv.yaml", rows[i].limits, &l);
        assert_targets(&l.targets, rows[i].want);
        unload(&l);
    }
}

/* Only the chosen targets' passwords are needed: an unset variable elsewhere is no error. */
static void test_limit_resolves_only_chosen_passwords(void **state)
{
    (void)state;
    assert_int_equal(unsetenv("TF_UT_UNSET"), 0);
    put_file("inv.yaml",
             HEAD ORDERS "  - name: billing\n"
                         "    id: " ID2 "\n"
                         "    region: us-east1\n"
                         "    password: {env: TF_UT_UNSET}\n",
             0, 0);
    struct loaded l = {0};
    load_ok("inv.yaml", (const char *[]){"orders", NULL}, &l);
    assert_targets(&l.targets, (const char *[]){"orders/us-east1", 0});
    assert_string_equal(l.inv->databases[0].password->value, PW);
    assert_null(l.inv->databases[1].password->value);
    unload(&l);
}

/* A second YAML document is read too: whatever it holds (a syntax error here) is reported. */
static void test_second_document_not_ignored(void **state)
{
    (void)state;
    put_file("inv.yaml",
             HEAD ORDERS "---\n"
                         "databases:\n"
                         "  - name: billing\n"
                         "    region: [us-east1\n",
             0, 0);
    struct loaded l = {0};
    load("inv.yaml", NULL, 0, &l);
    int reported = l.rc == TF_ERR_INVENTORY &&
                   strstr(l.out, "inv.yaml:14:1: error: YAML syntax: did not find expected ',' or "
                                 "']' while parsing a flow sequence");
    unload(&l);
    assert_true(reported);
}

int main(void)
{
    if (setenv("TF_UT_PW", PW, 1) != 0)
        return 1;
    enum { N = sizeof cases / sizeof cases[0] };
    static const struct CMUnitTest more[] = {
        cmocka_unit_test_setup_teardown(test_defaults_inherited_and_overridden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uppercase_id_lowercased, setup, teardown),
        cmocka_unit_test_setup_teardown(test_targets_expanded_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_prefix_upper_snake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_resolves_only_chosen_passwords, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_document_not_ignored, setup, teardown),
    };
    enum { M = sizeof more / sizeof more[0] };
    static struct CMUnitTest tests[N + M];
    for (size_t i = 0; i < N; i++)
        tests[i] = (struct CMUnitTest){.name = cases[i].title,
                                       .test_func = test_case,
                                       .setup_func = setup,
                                       .teardown_func = teardown,
                                       .initial_state = (void *)&cases[i]};
    memcpy(tests + N, more, sizeof more);
    return _cmocka_run_group_tests("inventory", tests, N + M, NULL, NULL);
}
