"""The deployment samples are usable as shipped:

- every systemd unit in samples/systemd passes `systemd-analyze verify` without a word, every
  timer's service is among the samples, and every tokenfleet command line in an ExecStart= parses;
- every YAML file in samples/kubernetes parses and has what its kind needs: apiVersion, kind,
  metadata.name, a pod template whose containers each have a name and an image, volumes for
  every volumeMount, Secret volumes with defaultMode 0440, and, when a Secret is mounted into a
  pod that runs as non-root, the pod's fsGroup (else its user cannot read the 0440 files); every
  tokenfleet command line in a container's args parses.

The units name /usr/local/bin/tokenfleet, which verify wants to exist: each unit is verified as
a temporary copy with that path replaced by the binary under test (and nothing else changed).
A command line "parses" when `tokenfleet ARGS... --help` exits 0: options and their values are
checked by the real parser, and --help stops before anything is read or sent.

Environment: TOKENFLEET (the binary), SOURCE_DIR (the repository)."""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import unittest

try:
    import yaml
except ImportError:  # Debian's python3-yaml, when the first python3 on PATH is another one
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

TOKENFLEET = os.path.abspath(os.environ["TOKENFLEET"])
SOURCE_DIR = os.environ["SOURCE_DIR"]
SYSTEMD_DIR = os.path.join(SOURCE_DIR, "samples", "systemd")
KUBERNETES_DIR = os.path.join(SOURCE_DIR, "samples", "kubernetes")
INSTALLED_PATH = "/usr/local/bin/tokenfleet"
COMMANDS = {"validate", "provision", "check", "watch", "exec", "list", "merge-reports"}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def tokenfleet_command_lines(words, variables=None):
    """The argument lists of every tokenfleet command in words (a command line as a list), also
    inside `sh -c 'SCRIPT'` (one level of shell quoting), as [command, args...]. In a script,
    $NAME and ${NAME} are replaced by variables[NAME] where it is given."""
    out = []
    for i, w in enumerate(words):
        if os.path.basename(w) == "tokenfleet" and i + 1 < len(words):
            out.append(words[i + 1:])
        elif " " in w and "tokenfleet" in w:  # a script: split it as the shell would
            script = re.sub(r"\$\{?([A-Za-z_]\w*)\}?",
                            lambda m: (variables or {}).get(m.group(1), m.group(0)), w)
            out += tokenfleet_command_lines(shlex.split(script))
    return out


def parses(args):
    p = subprocess.run([TOKENFLEET, *args, "--help"], capture_output=True, text=True, timeout=30)
    return p.returncode == 0, p.stderr.strip()


def unit_value(text, key):
    """The values of key= in a unit file's text, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    return [m.group(1).strip() for m in re.finditer(rf"^{key}=(.*)$", joined, re.M)]


class SystemdTest(unittest.TestCase):
    def units(self, suffix):
        return sorted(n for n in os.listdir(SYSTEMD_DIR) if n.endswith(suffix))

    def test_every_unit_verifies(self):
        names = self.units(".service") + self.units(".timer")
        self.assertIn("tokenfleet-provision.timer", names)
        with tempfile.TemporaryDirectory(prefix="tokenfleet-units-") as tmp:
            for name in names:
                text = read(os.path.join(SYSTEMD_DIR, name))
                with open(os.path.join(tmp, name), "w") as f:
                    f.write(text.replace(INSTALLED_PATH, TOKENFLEET))
            for name in names:
                with self.subTest(unit=name):
                    # The timer with its service, so that both are loaded from the copies.
                    paths = [os.path.join(tmp, name)]
                    if name.endswith(".timer"):
                        paths.append(os.path.join(tmp, self.service_of(name)))
                    p = subprocess.run(["systemd-analyze", "verify", "--man=no", *paths],
                                       capture_output=True, text=True, timeout=120)
                    self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""),
                                     f"systemd-analyze verify {name}")

    def service_of(self, timer):
        units = unit_value(read(os.path.join(SYSTEMD_DIR, timer)), "Unit")
        return units[0] if units else timer[: -len(".timer")] + ".service"

    def test_every_timer_has_its_service(self):
        for name in self.units(".timer"):
            with self.subTest(timer=name):
                self.assertIn(self.service_of(name), self.units(".service"))

    def test_tokenfleet_command_lines_parse(self):
        seen = 0
        for name in self.units(".service"):
            for exec_start in unit_value(read(os.path.join(SYSTEMD_DIR, name)), "ExecStart"):
                for args in tokenfleet_command_lines(shlex.split(exec_start)):
                    with self.subTest(unit=name, args=args):
                        self.assertIn(args[0], COMMANDS)
                        ok, why = parses(args)
                        self.assertTrue(ok, why)
                        seen += 1
        self.assertGreaterEqual(seen, 3)


def pod_spec(doc):
    """The pod spec of a workload, or None for a kind that has none."""
    kind, spec = doc.get("kind"), doc.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    if kind in ("CronJob", "Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        return ((spec.get("template") or {}).get("spec")) or {}
    return None


class KubernetesTest(unittest.TestCase):
    def documents(self):
        out = []
        names = sorted(n for n in os.listdir(KUBERNETES_DIR) if n.endswith((".yaml", ".yml")))
        self.assertGreaterEqual(len(names), 3)
        for name in names:
            with open(os.path.join(KUBERNETES_DIR, name), encoding="utf-8") as f:
                for i, doc in enumerate(yaml.safe_load_all(f)):
                    if doc is not None:
                        out.append((f"{name}#{i}", doc))
        return out

    def test_every_workload_has_what_its_kind_needs(self):
        for where, doc in self.documents():
            with self.subTest(document=where):
                self.assertIsInstance(doc, dict)
                for key in ("apiVersion", "kind"):
                    self.assertIsInstance(doc.get(key), str, f"{key} missing")
                self.assertTrue((doc.get("metadata") or {}).get("name"), "metadata.name missing")
                spec = pod_spec(doc)
                self.assertIsNotNone(spec, f"kind {doc['kind']}: not a workload this test knows")
                self.check_pod(doc, spec)

    def check_pod(self, doc, spec):
        containers = spec.get("containers") or []
        every = containers + (spec.get("initContainers") or [])
        self.assertTrue(containers, "the pod template has no containers")
        for c in every:
            self.assertTrue(c.get("name"), f"a container without a name: {c}")
            self.assertTrue(c.get("image"), f"container {c.get('name')} has no image")
        volumes = {v["name"]: v for v in spec.get("volumes") or []}
        pod_security = spec.get("securityContext") or {}
        secret_mounted_by_non_root = False
        for c in every:
            for m in c.get("volumeMounts") or []:
                self.assertIn(m["name"], volumes,
                              f"container {c['name']} mounts {m['name']}, which is no volume")
                if "secret" in volumes[m["name"]]:
                    non_root = ((c.get("securityContext") or {}).get("runAsNonRoot")
                                or pod_security.get("runAsNonRoot"))
                    secret_mounted_by_non_root |= bool(non_root)
        for name, v in volumes.items():
            if "secret" in v:
                # tokenfleet warns about a password file others may read; the pod's group (0440
                # with fsGroup) is what lets a non-root user read it.
                self.assertEqual(v["secret"].get("defaultMode"), 0o440,
                                 f"Secret volume {name}: defaultMode must be 0440")
        if secret_mounted_by_non_root:
            self.assertIn("fsGroup", pod_security,
                          "a Secret is mounted into a non-root pod: its securityContext needs "
                          "fsGroup, or the 0440 files are unreadable")
        kind = doc["kind"]
        if kind in ("Job", "CronJob"):
            self.assertIn(spec.get("restartPolicy"), ("Never", "OnFailure"))
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
            labels = ((doc["spec"].get("template") or {}).get("metadata") or {}).get("labels", {})
            wanted = (doc["spec"].get("selector") or {}).get("matchLabels", {})
            self.assertTrue(wanted, "no selector.matchLabels")
            self.assertTrue(wanted.items() <= labels.items(),
                            "selector.matchLabels does not select the pod template's labels")

    def test_tokenfleet_command_lines_parse(self):
        seen = 0
        for where, doc in self.documents():
            spec = pod_spec(doc) or {}
            for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                words = [str(w) for w in (c.get("command") or []) + (c.get("args") or [])]
                # What the pod's shell would have: the container's env, and the index that a
                # Kubernetes Indexed Job gives each pod.
                variables = {"JOB_COMPLETION_INDEX": "0"}
                variables.update({e["name"]: str(e["value"]) for e in c.get("env") or []
                                  if "value" in e})
                lines = tokenfleet_command_lines(words, variables)
                if not c.get("command") and words and words[0] in COMMANDS:
                    lines.append(words)  # args for an image whose entrypoint is tokenfleet
                for args in lines:
                    with self.subTest(document=where, container=c["name"], args=args):
                        self.assertIn(args[0], COMMANDS)
                        ok, why = parses(args)
                        self.assertTrue(ok, why)
                        seen += 1
        self.assertGreaterEqual(seen, 3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
