#!/usr/bin/env python3
"""tokenfleet's performance benchmark: tokenfleet against `curl --parallel` and the floor.

The floor is bench_floor (tests/bench/floor.c): a minimal libcurl multi loop that sends the very
requests tokenfleet sends and nothing else, so "x floor" is what tokenfleet costs above the least
any libcurl program needs for the same work.

Run through tests/bench/run.sh (which installs what is missing and builds first); see README.md.
Python 3 standard library only.

Every client run is a child of this script and is measured with os.wait4: wall time (monotonic
clock around it), user+sys CPU and peak RSS of that child alone. The emulators are separate,
long-running processes; their CPU during a run is read from /proc/PID/stat before and after.
"""
import argparse
import ctypes
import datetime
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PASSWORD = "Bench-Pa55word-9Xq"
USERNAME = "svc"
# The keyspace of every target; the HTTP emulator serves it (--keyspaces) to every user, so that
# tokenfleet watch's proof, a keyspace GET, is answered 200.
KEYSPACE = "app"
# Real Astra region names (GCP, AWS, Azure spellings); each database gets one of them.
REGIONS = ["us-east1", "us-east-1", "eu-west-1", "europe-west1", "westus2", "ap-south-1"]
HOST_TEMPLATE = "{id}-{region}.apps.astra.datastax.com"
AUTH_PATH = "/api/rest/v1/auth"
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
GNU_TIME = "/usr/bin/time"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_PDEATHSIG = 1
# The contenders, in the order they alternate; "floor" is bench_floor (tests/bench/floor.c).
CLIENTS = ("tokenfleet", "curl", "floor")
# The cases by their label in the table and the verdicts ("1k": the unlabelled 1k point of the
# plot), for --only; a group name stands for its cases, and a case whose target is a growth over
# another case brings that one along.
CASE_LABELS = ("1k", "1", "2", "3", "4", "5", "6", "7a", "7b", "8", "9")
CASE_GROUPS = {"watch": ("8", "9")}
CASE_NEEDS = {"3": "2", "4": "2", "7b": "1"}

# tokenfleet watch's summary at the end of every cycle, after a timestamp off a terminal.
CYCLE_LINE = re.compile(r"tokenfleet: cycle (\d+): (\d+) targets: (\d+) kept, (\d+) issued, "
                        r"(\d+) replaced, (\d+) failed in ([0-9.]+) s$")
# Its other lines when all is well: a token issued where there was none, and the stop.
AGENT_LINE = re.compile(r"tokenfleet: (stopping|\S+: issued \(token issued at \S+\))$"
                        # the HTTP cases' inventories use plain http to Astra's host names (sent
                        # to the emulator by --connect-to): the agent says so once at start
                        r"|: warning: auth_url uses http://, so passwords go unencrypted")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT[0-9:.]+Z ")

_libc = ctypes.CDLL(None, use_errno=True)


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def child_setup(cpus):
    """preexec_fn: die with this script (even on SIGKILL), and run on the given CPUs."""
    def setup():
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if cpus:
            os.sched_setaffinity(0, cpus)
    return setup


# ---------------------------------------------------------------------------------------------
# Inputs: inventories, the equivalent curl config files and the floor's URL files

def make_databases(n, seed):
    """n databases with distinct cluster ids (reproducible from seed), one region each."""
    rng = random.Random(seed)
    return [(f"db{i:06d}", str(uuid.UUID(int=rng.getrandbits(128), version=4)),
             REGIONS[i % len(REGIONS)]) for i in range(n)]


def write_inventory(path, dbs, scheme):
    lines = ["version: 1", "defaults:",
             f'  auth_url: "{scheme}://{HOST_TEMPLATE}{AUTH_PATH}"',
             f"  keyspace: {KEYSPACE}", f"  username: {USERNAME}",
             "  password: {env: TF_BENCH_PASSWORD}", "databases:"]
    for name, cid, region in dbs:
        lines += [f"  - name: {name}", f"    id: {cid}", f"    region: {region}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def write_curl_config(path, dbs, scheme, port, cacert, seed):
    """One entry per target, separated by `next`, with the URL, headers and body tokenfleet sends;
    `fail` makes any non-2xx answer an error (exit status), output goes to /dev/null."""
    rng = random.Random(seed)
    body = json.dumps({"username": USERNAME, "password": PASSWORD}, separators=(",", ":"))
    data = body.replace("\\", "\\\\").replace('"', '\\"')
    common = (f'data = "{data}"\n'
              'header = "Content-Type: application/json"\n'
              'header = "Accept: application/json"\n'
              'output = "/dev/null"\n'
              f'connect-to = "::127.0.0.1:{port}"\n'
              + (f'cacert = "{cacert}"\n' if cacert else "")
              + "fail\n")
    entries = []
    for _, cid, region in dbs:
        host = HOST_TEMPLATE.format(id=cid, region=region)
        rid = uuid.UUID(int=rng.getrandbits(128), version=4)
        entries.append(f'url = "{scheme}://{host}{AUTH_PATH}"\n{common}'
                       f'header = "x-cassandra-request-id: {rid}"\n')
    with open(path, "w") as f:
        f.write("next\n".join(entries))
    os.chmod(path, 0o600)


def write_url_file(path, dbs, scheme):
    """The floor's input: the URL tokenfleet makes for each target, one a line."""
    with open(path, "w") as f:
        for _, cid, region in dbs:
            f.write(f"{scheme}://{HOST_TEMPLATE.format(id=cid, region=region)}{AUTH_PATH}\n")


# ---------------------------------------------------------------------------------------------
# The emulators

class Emulator:
    def __init__(self, binary, workdir, name, users, cpus, threads, tls=None, delay_ms=0,
                 keyspaces=None):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        port_file = os.path.join(self.dir, "port")
        argv = [binary, "--users", users, "--port-file", port_file, "--threads", str(threads)]
        if tls:
            argv += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        if delay_ms:
            argv += ["--delay", str(delay_ms)]
        if keyspaces:
            argv += ["--keyspaces", keyspaces]
        self.argv = argv
        self.cpus = cpus
        self.out = open(os.path.join(self.dir, "emulator.out"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT, preexec_fn=child_setup(cpus))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                with open(port_file) as f:
                    self.port = int(f.read().strip())
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        with open(os.path.join(self.dir, "emulator.out")) as f:
            raise RuntimeError(f"emulator {name} did not start: {' '.join(argv)}\n{f.read()}")

    def cpu_seconds(self):
        """utime+stime of the whole process (all its threads) so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


# ---------------------------------------------------------------------------------------------
# Measuring one client run

class RunFailed(Exception):
    pass


def measure(argv, timeout, logdir, tag, cpus, env=None, emulator=None, emulators=()):
    """Runs argv as a child; returns wall s, user+sys CPU s, peak RSS KiB, the emulator's CPU s,
    and "other": the cores that everything else on the machine kept busy meanwhile.

    CPU comes from wait4 (the child and what it waited for: GNU time, a few hundred µs, and the
    client). Peak RSS comes from GNU time's %M, not from wait4: a child forked from this Python
    process keeps the RSS of that copy as its ru_maxrss across exec, which would make every
    client look as big as this script."""
    out_path = os.path.join(logdir, f"{tag}.out")
    err_path = os.path.join(logdir, f"{tag}.err")
    rss_path = os.path.join(logdir, f"{tag}.rss")
    argv = [GNU_TIME, "-q", "-f", "%M", "-o", rss_path] + argv
    emu_before = emulator.cpu_seconds() if emulator else 0.0
    mine_before = sum(e.cpu_seconds() for e in emulators)
    busy_before = machine_busy_seconds()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                preexec_fn=child_setup(cpus))
        timed_out = []

        def kill():
            timed_out.append(True)
            proc.kill()
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    emu_cpu = emulator.cpu_seconds() - emu_before if emulator else 0.0
    mine = sum(e.cpu_seconds() for e in emulators) - mine_before
    other = max(0.0, machine_busy_seconds() - busy_before - mine
                - (ru.ru_utime + ru.ru_stime)) / wall
    if timed_out:
        raise RunFailed(f"{tag}: no end after {timeout} s: killed ({' '.join(argv)})")
    if proc.returncode != 0:
        with open(err_path, errors="replace") as f:
            tail = f.read()[-2000:]
        raise RunFailed(f"{tag}: exit status {proc.returncode} ({' '.join(argv)})\n{tail}")
    with open(rss_path) as f:
        rss_kib = int(f.read().split()[-1])
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "user": ru.ru_utime,
            "sys": ru.ru_stime, "rss_kib": rss_kib, "emu_cpu": emu_cpu, "other": other,
            "err_path": err_path}


def proc_status_kib(pid):
    """VmHWM (the peak RSS since the last reset) and VmRSS of a process, KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                out[line[:5]] = int(line.split()[1])
    return out


def reset_peak_rss(pid):
    """Resets the process's VmHWM to its current RSS (proc(5), clear_refs: 5). False if the
    kernel refuses (then the peaks are sampled instead)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def run_agent(argv, cycles, timeout, logdir, tag, cpus, env=None, emulator=None, emulators=(),
              poll_s=0.05):
    """Runs `tokenfleet watch` (without --cycles) as a child until it has logged `cycles` cycle
    lines, then stops it with SIGTERM, an agent's orderly stop (exit status 0). It runs directly,
    not under GNU time, so that the pid sampled is tokenfleet's own.

    Every poll_s: the new lines of its stderr, its descriptor count and VmRSS. When the line of
    cycle N appears (written after the cycle's report and Prometheus file; the agent then idles
    until the next cycle is due), VmHWM, VmRSS and the descriptor count are read and the peak is
    reset: VmHWM is then the peak RSS of cycle N's window, from the end of cycle N-1 to the end of
    cycle N (the wait before the cycle, then the cycle). Returns what measure returns (rss_kib:
    the highest window peak) and "cycles": one dict per cycle line, in order."""
    err_path = os.path.join(logdir, f"{tag}.err")
    emu_before = emulator.cpu_seconds() if emulator else 0.0
    mine_before = sum(e.cpu_seconds() for e in emulators)
    busy_before = machine_busy_seconds()
    rows, lines, buf = [], [], b""
    fd_max = rss_max = 0
    with open(err_path, "wb") as err, open(err_path, "rb") as err_in:
        t0 = time.monotonic()
        # Popen returns once the child has exec'd: /proc/PID is tokenfleet from here on, with a
        # peak RSS of its own (exec starts a new memory map).
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, env=env, preexec_fn=child_setup(cpus))
        pid, fd_dir = proc.pid, f"/proc/{proc.pid}/fd"
        hwm = True  # whether VmHWM resets work (they do since Linux 4.0)
        stop_sent = None
        while True:
            done, status, ru = os.wait4(pid, os.WNOHANG)
            buf += err_in.read()
            *complete, buf = buf.split(b"\n")
            new = []
            for raw in complete:
                line = STAMP.sub("", raw.decode(errors="replace"))
                lines.append(line)
                m = CYCLE_LINE.search(line)
                if m:
                    new.append(m)
            if done:
                break
            now = time.monotonic()
            try:
                fds = len(os.listdir(fd_dir))
                st = proc_status_kib(pid)
            except OSError:  # it is exiting: wait4 says so next time
                time.sleep(poll_s)
                continue
            fd_max, rss_max = max(fd_max, fds), max(rss_max, st["VmRSS"])
            for k, m in enumerate(new):
                last = k == len(new) - 1  # two lines in one poll: the first one's window is lost
                n, targets, kept, issued, replaced, failed = (int(x) for x in m.groups()[:6])
                rows.append({"cycle": n, "t": now - t0, "seconds": float(m.group(7)),
                             "targets": targets, "kept": kept, "issued": issued,
                             "replaced": replaced, "failed": failed,
                             "peak_rss_kib": (st["VmHWM"] if hwm else rss_max) if last else None,
                             "rss_kib": st["VmRSS"] if last else None,
                             "fds": fds if last else None, "fds_max": fd_max if last else None})
            if new:
                hwm = hwm and reset_peak_rss(pid)
                fd_max = rss_max = 0
                if len(rows) >= cycles and stop_sent is None:
                    os.kill(pid, signal.SIGTERM)
                    stop_sent = now
            if now - t0 > timeout or (stop_sent is not None and now - stop_sent > 30):
                proc.kill()
                os.wait4(pid, 0)
                raise RunFailed(f"{tag}: no end after {now - t0:.0f} s"
                                f"{' and a SIGTERM' if stop_sent else ''}: killed "
                                f"({' '.join(argv)})")
            time.sleep(poll_s)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    emu_cpu = emulator.cpu_seconds() - emu_before if emulator else 0.0
    mine = sum(e.cpu_seconds() for e in emulators) - mine_before
    other = max(0.0, machine_busy_seconds() - busy_before - mine
                - (ru.ru_utime + ru.ru_stime)) / wall
    if stop_sent is None or proc.returncode != 0:
        why = (f"exit status {proc.returncode}" if stop_sent else
               f"ended (status {proc.returncode}) after {len(rows)} of {cycles} cycles")
        raise RunFailed(f"{tag}: {why} ({' '.join(argv)})\n" + "\n".join(lines[-20:]))
    measured = [r["peak_rss_kib"] for r in rows if r["peak_rss_kib"] is not None]
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "user": ru.ru_utime,
            "sys": ru.ru_stime, "rss_kib": max(measured) if measured else 0, "emu_cpu": emu_cpu,
            "other": other, "err_path": err_path, "cycles": rows[:cycles], "lines": lines,
            "peak_from": "VmHWM" if hwm else f"VmRSS sampled every {poll_s * 1000:.0f} ms"}


def machine_busy_seconds():
    """CPU seconds all CPUs spent busy since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK_TCK


def median(values):
    return statistics.median(values) if values else None


class Bench:
    def __init__(self, args):
        self.args = args
        self.tokenfleet = os.path.abspath(os.path.join(args.build_dir, "tokenfleet"))
        self.emulator_bin = os.path.abspath(
            os.path.join(args.build_dir, "tests", "emulator", "stargate-emulator"))
        self.floor = os.path.abspath(os.path.join(args.build_dir, "tests", "bench", "bench_floor"))
        for b in (self.tokenfleet, self.emulator_bin, self.floor):
            if not os.access(b, os.X_OK):
                sys.exit(f"bench: {b} is missing: build first (tests/bench/run.sh does)")
        self.curl = shutil.which("curl")
        if not self.curl:
            sys.exit("bench: curl is not installed")
        if not os.access(GNU_TIME, os.X_OK):
            sys.exit(f"bench: {GNU_TIME} (Debian package time) is missing: it measures peak RSS")
        self.workdir = tempfile.mkdtemp(prefix="tokenfleet-bench-")
        self.logdir = os.path.join(self.workdir, "logs")
        os.makedirs(self.logdir)
        ncpu = os.cpu_count() or 1
        # Client on CPU 0, emulators on the others, so that they never compete for a core: over
        # HTTPS the emulator needs ~1.5 ms CPU per handshake and, worse, spins at 100% of a core
        # whenever a handshake waits for the client (libmicrohttpd + GnuTLS; see README).
        # Client CPU is measured per process either way.
        if args.pin and ncpu >= 2:
            self.client_cpus = {0}
            self.emu_cpus = set(range(1, ncpu))
        else:
            self.client_cpus = None
            self.emu_cpus = None
        self.emu_cores = len(self.emu_cpus) if self.emu_cpus else ncpu
        self.emulators = []
        self.env = dict(os.environ, TF_BENCH_PASSWORD=PASSWORD)
        self.seq = 0
        self.results = {}   # case key -> {"meta": {...}, client: [runs]} (CLIENTS)
        self.agent = {}     # the watch cases: key -> {"meta": {...}, "provision"/"watch": [runs]}
        self._dbs = {}      # targets -> [(name, cluster id, region)]
        self._cfg = {}      # (targets, scheme, emulator, cacert) -> curl config path

    # -- setup ---------------------------------------------------------------------------
    def setup(self):
        a = self.args
        log(f"work folder {self.workdir}")
        users = os.path.join(self.workdir, "users.txt")
        with open(users, "w") as f:
            f.write(f"{USERNAME}:{PASSWORD}\n")
        os.chmod(users, 0o600)
        # No users listed: every user sees the keyspace (tests/emulator/README.md).
        keyspaces = os.path.join(self.workdir, "keyspaces.txt")
        with open(keyspaces, "w") as f:
            f.write(f"{KEYSPACE}\n")
        tls_dir = os.path.join(self.workdir, "tls")
        subprocess.run([os.path.join(ROOT, "tests", "emulator", "gen-certs.sh"), tls_dir],
                       check=True)
        self.ca = os.path.join(tls_dir, "ca.crt")
        tls = (os.path.join(tls_dir, "server.crt"), os.path.join(tls_dir, "server.key"))
        # The system bundle with the test CA appended (case 7).
        self.bundle = os.path.join(self.workdir, "bundle.crt")
        with open(self.bundle, "wb") as out:
            for part in (SYSTEM_BUNDLE, self.ca):
                with open(part, "rb") as f:
                    out.write(f.read())
        self.bundle_certs = sum(1 for line in open(self.bundle)
                                if line.startswith("-----BEGIN CERTIFICATE"))

        t = a.emu_threads
        self.emu = {
            "http": Emulator(self.emulator_bin, self.workdir, "http", users, self.emu_cpus, t,
                             keyspaces=keyspaces),
            "https": Emulator(self.emulator_bin, self.workdir, "https", users, self.emu_cpus, t,
                              tls=tls),
            "delay": Emulator(self.emulator_bin, self.workdir, "http-delay", users,
                              self.emu_cpus, t, delay_ms=a.delay_ms),
        }
        self.emulators = list(self.emu.values())
        for e in self.emulators:
            log(f"emulator {e.name} on port {e.port}: {' '.join(e.argv[1:])}")

        self.inv = {}
        self.urls = {}  # the floor's URL files, from the same databases as the inventories
        for n in self.sizes:
            dbs = make_databases(n, seed=n)
            for scheme in ("http", "https"):
                path = os.path.join(self.workdir, f"fleet-{n}-{scheme}.yaml")
                write_inventory(path, dbs, scheme)
                self.inv[(n, scheme)] = path
                path = os.path.join(self.workdir, f"urls-{n}-{scheme}.txt")
                write_url_file(path, dbs, scheme)
                self.urls[(n, scheme)] = path
            self._dbs[n] = dbs
        log(f"inventories: {', '.join(str(n) for n in self.sizes)} targets")

    def curl_config(self, n, scheme, emu_key, cacert):
        key = (n, scheme, emu_key, cacert)
        if key not in self._cfg:
            path = os.path.join(self.workdir, f"curl-{n}-{emu_key}"
                                f"{'-bundle' if cacert == self.bundle else ''}.cfg")
            write_curl_config(path, self._dbs[n], scheme, self.emu[emu_key].port, cacert,
                              seed=n + 1_000_000_007)
            self._cfg[key] = path
        return self._cfg[key]

    def cleanup(self):
        for e in self.emulators:
            e.stop()
        if self.args.keep:
            log(f"kept {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def wants(self, label):
        """Whether case label is to run: every case, unless --only names some."""
        return not self.args.only or label in self.args.only

    @property
    def sizes(self):
        big = not self.args.quick and (self.wants("4") or self.wants("6"))
        return [1000, 10000, 100000] if big else [1000, 10000]

    # -- runs ----------------------------------------------------------------------------
    def tokenfleet_argv(self, n, scheme, emu_key, j, cacert, report):
        argv = [self.tokenfleet, "provision", "-q", "-i", self.inv[(n, scheme)], "-j", str(j),
                "--connect-to", f"::127.0.0.1:{self.emu[emu_key].port}", "--report", report]
        if cacert:
            argv += ["--cacert", cacert]
        return argv

    def watch_argv(self, n, env_dir, j, report):
        """tokenfleet watch over the HTTP emulator, whose keyspaces file lets the proofs in."""
        return [self.tokenfleet, "watch", "-i", self.inv[(n, "http")], "--env-dir", env_dir,
                "-j", str(j), "--connect-to", f"::127.0.0.1:{self.emu['http'].port}",
                "--report", report]

    def floor_argv(self, n, scheme, emu_key, j, cacert):
        argv = [self.floor, "-u", USERNAME, "-j", str(j),
                "--connect-to", f"::127.0.0.1:{self.emu[emu_key].port}"]
        if cacert:
            argv += ["--cacert", cacert]
        return argv + [self.urls[(n, scheme)]]

    def curl_argv(self, cfg, j):
        # --no-progress-meter, not -s: curl 7.88 still draws the parallel meter with -s.
        return [self.curl, "--parallel", "--parallel-max", str(j), "--no-progress-meter",
                "-K", cfg]

    def wait_quiet(self, tag):
        """Waits (at most --idle-wait s) until the rest of the machine keeps less than
        --idle-load cores busy: this machine may be shared, and others' load skews wall times."""
        a = self.args
        deadline = time.monotonic() + a.idle_wait
        waited = False
        while True:
            mine0 = sum(e.cpu_seconds() for e in self.emulators)
            busy0, t0 = machine_busy_seconds(), time.monotonic()
            time.sleep(0.5)
            mine = sum(e.cpu_seconds() for e in self.emulators) - mine0
            load = (machine_busy_seconds() - busy0 - mine) / (time.monotonic() - t0)
            if load < a.idle_load or time.monotonic() >= deadline:
                if waited or load >= a.idle_load:
                    log(f"{tag}: other load {load:.2f} cores"
                        + (" (gave up waiting)" if load >= a.idle_load else ""))
                return
            if not waited:
                log(f"{tag}: other processes keep {load:.2f} cores busy; waiting "
                    f"(at most {a.idle_wait:.0f} s)")
                waited = True
            time.sleep(2)

    def timeout_for(self, n):
        return max(120, n * self.args.timeout_ms_per_target / 1000)

    def run_one(self, case, client, n, scheme, emu_key, j, cacert):
        self.seq += 1
        tag = f"{self.seq:03d}-{case}-{client}"
        emu = self.emu[emu_key]
        if client == "tokenfleet":
            report = os.path.join(self.workdir, f"report-{self.seq}.json")
            argv = self.tokenfleet_argv(n, scheme, emu_key, j, cacert, report)
        elif client == "floor":
            argv = self.floor_argv(n, scheme, emu_key, j, cacert)
        else:
            argv = self.curl_argv(self.curl_config(n, scheme, emu_key, cacert), j)
        self.wait_quiet(tag)
        r = measure(argv, self.timeout_for(n), self.logdir, tag, self.client_cpus, env=self.env,
                    emulator=emu, emulators=self.emulators)
        if not emu.alive():
            raise RunFailed(f"{tag}: the emulator {emu.name} died")
        with open(r["err_path"], errors="replace") as f:
            err = f.read().strip()
        if err:
            raise RunFailed(f"{tag}: printed to stderr:\n{err[-2000:]}")
        if client == "tokenfleet":
            r["retried"] = self.check_report(tag, report, n)
        r["argv"] = argv
        log(f"{tag}: {n} targets {scheme} -j {j}: wall {r['wall']:.2f} s, cpu {r['cpu']:.2f} s"
            f" ({r['cpu'] / n * 1e6:.0f} us/target), rss {r['rss_kib'] / 1024:.1f} MiB, "
            f"emulator {r['emu_cpu']:.2f} s, others {r['other']:.2f} cores")
        self.results.setdefault(case, {}).setdefault(client, []).append(r)
        return r

    @staticmethod
    def check_report(tag, report, n):
        """Checks tokenfleet's report (every target ok) and removes it; returns how many targets
        needed a retry."""
        with open(report) as f:
            rep_json = json.load(f)
        os.remove(report)
        summary = rep_json["summary"]
        if summary.get("ok") != n:
            raise RunFailed(f"{tag}: report summary {summary}, expected {n} ok")
        # A retry means a request failed first (e.g. timed out): the run then measures
        # that, not the steady state. Kept, but flagged in the log and results.
        retried = sum(1 for x in rep_json["results"] if x.get("attempts", 1) > 1)
        if retried:
            log(f"{tag}: WARNING: {retried} targets needed a retry")
        return retried

    @staticmethod
    def check_agent_lines(tag, lines, n, fresh):
        """Checks what tokenfleet watch printed: its cycle lines, say every target kept (in the
        first cycle: issued, when it started on an empty env dir) and none failed or replaced,
        and nothing but them, the issued tokens and the stop. Returns the cycle lines' matches."""
        cycles = []
        for line in lines:
            m = CYCLE_LINE.search(line)
            if m:
                cycles.append(m)
            elif not AGENT_LINE.search(line):
                raise RunFailed(f"{tag}: printed to stderr: {line}")
        for m in cycles:
            c, targets, kept, issued = (int(x) for x in m.groups()[:4])
            want = (0, n) if c == 1 and fresh else (n, 0)
            if (targets, kept, issued) != (n, *want):
                raise RunFailed(f"{tag}: cycle {c}: {m.group(0)}; expected {want[0]} kept and "
                                f"{want[1]} issued of {n}")
        return cycles

    def watch_case(self, key, n, cycles, interval_s, j):
        """Case 8: tokenfleet watch on an empty env dir (the first cycle issues every token, the
        next ones prove them) for `cycles` cycles, with a report and a Prometheus file after
        each, as an agent in service runs. Its peak RSS and descriptors per cycle (run_agent)
        say whether anything grows from cycle to cycle; the series goes to a CSV."""
        self.agent.setdefault(key, {})["meta"] = dict(n=n, j=j, cycles=cycles,
                                                      interval=interval_s)
        self.seq += 1
        tag = f"{self.seq:03d}-{key}-watch"
        env_dir = os.path.join(self.workdir, f"envs-{tag}")
        report = os.path.join(self.workdir, f"report-{self.seq}.json")
        argv = self.watch_argv(n, env_dir, j, report) + [
            "--interval", f"{interval_s}s", "--prom", os.path.join(self.workdir, f"{tag}.prom")]
        emu = self.emu["http"]
        self.wait_quiet(tag)
        log(f"{tag}: {cycles} cycles of {interval_s} s over {n} targets")
        r = run_agent(argv, cycles, cycles * interval_s + 120, self.logdir, tag,
                      self.client_cpus, env=self.env, emulator=emu, emulators=self.emulators)
        if not emu.alive():
            raise RunFailed(f"{tag}: the emulator {emu.name} died")
        self.check_agent_lines(tag, r["lines"], n, fresh=True)
        r["retried"] = self.check_report(tag, report, n)
        shutil.rmtree(env_dir)
        csv = os.path.join(self.workdir, f"{key}-cycles.csv")
        cols = ("cycle", "t", "seconds", "kept", "issued", "replaced", "failed", "peak_rss_kib",
                "rss_kib", "fds", "fds_max")
        with open(csv, "w") as f:
            f.write("cycle,t_s,cycle_s,kept,issued,replaced,failed,peak_rss_kib,rss_kib,fds,"
                    "fds_max\n")
            for row in r["cycles"]:
                f.write(",".join("" if row[c] is None else
                                 f"{row[c]:.3f}" if c == "t" else str(row[c]) for c in cols)
                        + "\n")
        r["csv"], r["argv"] = csv, argv
        log(f"{tag}: {cycles} cycles: wall {r['wall']:.1f} s, cpu {r['cpu']:.2f} s, peak rss "
            f"{r['rss_kib'] / 1024:.1f} MiB ({r['peak_from']}), emulator {r['emu_cpu']:.2f} s, "
            f"others {r['other']:.2f} cores; per cycle: {csv}")
        self.agent[key]["watch"] = [r]

    def keepalive_case(self, key, n, j, runs):
        """Case 9: provision n targets into an env dir, then one keep-alive cycle on it
        (watch --cycles 1: it reads the n env files and proves every token with one keyspace
        GET, re-issuing none); each measured as a provision run is. Alternating, `runs` times,
        a fresh env dir each time."""
        self.agent.setdefault(key, {})["meta"] = dict(n=n, j=j, runs=runs)
        emu = self.emu["http"]
        for _ in range(runs):
            env_dir = os.path.join(self.workdir, f"envs-{self.seq + 1:03d}-{key}")
            for what in ("provision", "watch"):
                self.seq += 1
                tag = f"{self.seq:03d}-{key}-{what}"
                report = os.path.join(self.workdir, f"report-{self.seq}.json")
                if what == "provision":
                    argv = self.tokenfleet_argv(n, "http", "http", j, None, report) + [
                        "--env-dir", env_dir]
                else:
                    argv = self.watch_argv(n, env_dir, j, report) + ["--cycles", "1"]
                self.wait_quiet(tag)
                r = measure(argv, self.timeout_for(n), self.logdir, tag, self.client_cpus,
                            env=self.env, emulator=emu, emulators=self.emulators)
                if not emu.alive():
                    raise RunFailed(f"{tag}: the emulator {emu.name} died")
                with open(r["err_path"], errors="replace") as f:
                    lines = [STAMP.sub("", x) for x in f.read().splitlines()]
                if what == "provision" and lines:
                    raise RunFailed(f"{tag}: printed to stderr:\n" + "\n".join(lines[-20:]))
                if what == "watch" and len(self.check_agent_lines(tag, lines, n, False)) != 1:
                    raise RunFailed(f"{tag}: not one cycle line:\n" + "\n".join(lines[-20:]))
                r["retried"] = self.check_report(tag, report, n)
                r["argv"] = argv
                log(f"{tag}: {what} {n} targets -j {j}: wall {r['wall']:.2f} s, "
                    f"cpu {r['cpu']:.2f} s ({r['cpu'] / n * 1e6:.0f} us/target), "
                    f"rss {r['rss_kib'] / 1024:.1f} MiB, emulator {r['emu_cpu']:.2f} s, "
                    f"others {r['other']:.2f} cores")
                self.agent[key].setdefault(what, []).append(r)
            shutil.rmtree(env_dir)

    def case(self, key, n, scheme, emu_key, j, cacert=None, clients=CLIENTS, runs=None):
        """Alternating runs: tokenfleet, curl, floor, tokenfleet, curl, floor, ...
        Every client is checked alike: exit status 0 and nothing on stderr (the floor exits
        non-zero when a transfer failed or got a non-2xx status); tokenfleet's report too."""
        if runs is None:
            runs = 1 if self.args.quick else (self.args.runs_100k if n >= 100000
                                              else self.args.runs)
        meta = dict(n=n, scheme=scheme, emu=emu_key, j=j, cacert=cacert, runs=runs)
        self.results.setdefault(key, {})["meta"] = meta
        for _ in range(runs):
            for client in clients:
                self.run_one(key, client, n, scheme, emu_key, j, cacert)

    def profile(self, outdir):
        """One more tokenfleet run per case under `perf record`, after the measured ones; the
        top of `perf report` (self time by dso,symbol, and with children by symbol) goes to
        OUTDIR/CASE.txt. Not part of the figures: perf's sampling costs CPU."""
        perf = shutil.which("perf")
        if not perf:
            log("perf is not installed: no profiles")
            return
        os.makedirs(outdir, exist_ok=True)
        for key, d in self.results.items():
            m = d["meta"]
            if m["emu"] is None or "tokenfleet" not in d or m["n"] > 10000:
                continue  # validate has no emulator; 100k would make gigabytes of samples
            data = os.path.join(outdir, f"{key}.data")
            report = os.path.join(self.workdir, "report-profile.json")
            argv = [perf, "record", "--call-graph", "dwarf,16384", "-F", "999", "-q",
                    "-o", data, "--"] + self.tokenfleet_argv(m["n"], m["scheme"], m["emu"], m["j"],
                                                            m["cacert"], report)
            self.wait_quiet(f"profile {key}")
            r = measure(argv, self.timeout_for(m["n"]) * 3, self.logdir, f"profile-{key}",
                        self.client_cpus, env=self.env)
            with open(os.path.join(outdir, f"{key}.txt"), "w") as out:
                out.write(f"# {' '.join(argv)}\n# under perf: wall {r['wall']:.2f} s\n\n")
                out.flush()
                for sort in (["--no-children", "--sort", "dso,symbol"],
                             ["--children", "--sort", "symbol"]):
                    p = subprocess.run([perf, "report", "-i", data, "--stdio", "-g", "none",
                                        "--percent-limit", "0.5"] + sort,
                                       capture_output=True, text=True)
                    out.write(f"## perf report {' '.join(sort)}\n")
                    out.write("\n".join(l for l in p.stdout.splitlines()
                                        if l.strip() and not l.startswith("#")) + "\n\n")
            log(f"profile of {key}: {os.path.join(outdir, key + '.txt')}")

    def validate_case(self, key, n, runs):
        self.results.setdefault(key, {})["meta"] = dict(n=n, scheme="-", emu=None, j=None,
                                                        cacert=None, runs=runs)
        for _ in range(runs):
            self.seq += 1
            tag = f"{self.seq:03d}-{key}-tokenfleet"
            argv = [self.tokenfleet, "validate", "-i", self.inv[(n, "https")]]
            self.wait_quiet(tag)
            r = measure(argv, self.timeout_for(n), self.logdir, tag, self.client_cpus,
                        env=self.env, emulators=self.emulators)
            r["argv"] = argv
            log(f"{tag}: validate {n} targets: wall {r['wall']:.2f} s, cpu {r['cpu']:.2f} s, "
                f"rss {r['rss_kib'] / 1024:.1f} MiB")
            self.results[key].setdefault("tokenfleet", []).append(r)

    def run_all(self):
        q, w = self.args.quick, self.wants
        # Warm-up, not recorded: page cache, the emulators' first allocations (of the emulators
        # the chosen cases use).
        warm = []
        if any(w(c) for c in ("1k", "2", "3", "4", "5", "8", "9")):
            warm.append(("http", "http"))
        if any(w(c) for c in ("1", "7a", "7b")):
            warm.append(("https", "https"))
        for emu_key, scheme in warm:
            self.case("warmup-" + scheme, 1000, scheme, emu_key, 64,
                      cacert=self.ca if scheme == "https" else None, runs=1)
            del self.results["warmup-" + scheme]
        if w("1k"):
            self.case("http-1k", 1000, "http", "http", 64)
        if w("2"):
            self.case("c2", 10000, "http", "http", 64)
        if w("3"):
            self.case("c3", 10000, "http", "http", 512)
        if w("5"):
            self.case("c5", 10000, "http", "delay", 256)
        if w("1"):
            self.case("c1", 10000, "https", "https", 64, cacert=self.ca)
        if w("7a"):
            self.case("c7a", 1000, "https", "https", 64, cacert=self.bundle)
        # curl parses the whole bundle again for every connection (~45 ms CPU each here):
        # 10k of them would take minutes and the target is about tokenfleet alone. The floor
        # uses libcurl's CA cache as tokenfleet does: cheap, and the baseline for this case.
        if w("7b"):
            self.case("c7b", 10000, "https", "https", 64, cacert=self.bundle,
                      clients=("tokenfleet", "floor"))
        if not q:
            if w("4"):
                self.case("c4", 100000, "http", "http", 64)
            if w("6"):
                self.validate_case("c6", 100000, runs=self.args.runs)
        elif w("6"):
            self.validate_case("c6", 10000, runs=1)
        # The agent, over HTTP (the emulator's token lifetime, 1800 s, outlasts both).
        if w("8"):
            self.watch_case("c8", 1000, self.args.watch_cycles or (20 if q else 100), 1, 64)
        if w("9"):
            self.keepalive_case("c9", 10000, 64, runs=1 if q else self.args.runs)


# ---------------------------------------------------------------------------------------------
# Reporting

def agg(runs):
    """Medians over runs of one client in one case."""
    if not runs:
        return None
    return {
        "wall": median([r["wall"] for r in runs]),
        "cpu": median([r["cpu"] for r in runs]),
        "user": median([r["user"] for r in runs]),
        "sys": median([r["sys"] for r in runs]),
        "rss_mib": median([r["rss_kib"] for r in runs]) / 1024,
        "emu_cpu": median([r["emu_cpu"] for r in runs]),
        "emu_share": median([r["emu_cpu"] / r["wall"] for r in runs]),
        "other": max(r["other"] for r in runs),
        "runs": len(runs),
        "all_cpu": [r["cpu"] for r in runs],
        "all_wall": [r["wall"] for r in runs],
        "all_retried": [r.get("retried", 0) for r in runs],
    }


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def build_table(b):
    R = b.results
    S = {}
    for key, d in R.items():
        S[key] = {"meta": d["meta"]}
        n = d["meta"]["n"]
        for c in CLIENTS:
            S[key][c] = agg(d.get(c))
            if S[key][c]:
                S[key][c]["us"] = S[key][c]["cpu"] / n * 1e6

    def ratio(key, a, c):
        """CPU per target of client a over client c's (same targets: the CPU ratio)."""
        x, y = S[key][a], S[key][c]
        return x["us"] / y["us"] if x and y and y["us"] else None

    def growth(key, base, c, field="us"):
        """How much client c's figure grew from case base to case key, or None."""
        x, y = S[key][c], S[base][c]
        return x[field] / y[field] if x and y and y[field] else None

    def times(g, name, spec=".2f"):
        return f"{name}: {fmt(g, spec)} x"

    def verdict(ok, text):
        return ("met" if ok else "**missed**") + f": {text}"

    rows = []

    def row(label, key, setup, target):
        s = S.get(key)
        if s is None:
            rows.append([label, setup] + ["—"] * (len(HEADER) - 4) + [target, "not run"])
            return
        t, c, f = s["tokenfleet"], s["curl"], s["floor"]
        ran = [x for x in (t, c, f) if x]
        emu_txt = "—" if s["meta"]["emu"] is None else (
            f"{ran[0]['emu_share'] * 100 / b.emu_cores:.0f}%")
        rows.append([
            label, setup,
            fmt(t and t["wall"], ".2f"), fmt(c and c["wall"], ".2f"), fmt(f and f["wall"], ".2f"),
            fmt(t and t["cpu"], ".2f"), fmt(c and c["cpu"], ".2f"), fmt(f and f["cpu"], ".2f"),
            fmt(t and t["us"], ".0f"), fmt(c and c["us"], ".0f"), fmt(f and f["us"], ".0f"),
            fmt(t and t["rss_mib"], ".1f"), fmt(c and c["rss_mib"], ".1f"),
            fmt(f and f["rss_mib"], ".1f"),
            fmt(ratio(key, "tokenfleet", "curl"), ".3f"),
            fmt(ratio(key, "tokenfleet", "floor"), ".3f"),
            fmt(ratio(key, "curl", "floor"), ".3f"),
            emu_txt, fmt(max(x["other"] for x in ran), ".2f"),
            "+".join(str(x["runs"] if x else 0) for x in (t, c, f)),
            target, None])

    verdicts = {}

    def put(label, text):
        verdicts[label] = text

    # Cases 1 and 2: tokenfleet may cost no more CPU per target than the floor.
    for label, key in (("1", "c1"), ("2", "c2")):
        if key in S:
            rf = ratio(key, "tokenfleet", "floor")
            put(label, verdict(rf is not None and rf <= 1.0,
                               f"{fmt(rf, '.3f')} x floor "
                               f"({fmt(ratio(key, 'tokenfleet', 'curl'), '.3f')} x curl)"))
    if "c3" in S and "c2" in S:
        g = growth("c3", "c2", "tokenfleet")
        put("3", verdict(g <= 1.25, f"{g:.2f} x the -j 64 run "
                                    f"({times(growth('c3', 'c2', 'curl'), 'curl')}, "
                                    f"{times(growth('c3', 'c2', 'floor'), 'floor')}); "
                                    f"{fmt(ratio('c3', 'tokenfleet', 'floor'), '.3f')} x floor"))
    if "c4" in S and "c2" in S:
        t = S["c4"]["tokenfleet"]
        g = growth("c4", "c2", "tokenfleet", "cpu")
        ok = t["rss_mib"] <= 64 and g <= 12
        put("4", verdict(ok, f"completed; RSS {t['rss_mib']:.1f} MiB; CPU {g:.1f} x the 10k run"
                             f" ({times(growth('c4', 'c2', 'curl', 'cpu'), 'curl', '.1f')}, "
                             f"{times(growth('c4', 'c2', 'floor', 'cpu'), 'floor', '.1f')}); "
                             f"{fmt(ratio('c4', 'tokenfleet', 'floor'), '.3f')} x floor"))
    if "c5" in S:
        ideal = S["c5"]["meta"]["n"] / S["c5"]["meta"]["j"] * b.args.delay_ms / 1000
        w = S["c5"]["tokenfleet"]["wall"]
        others = ", ".join(f"{c}: {S['c5'][c]['wall'] / ideal:.2f} x" for c in ("curl", "floor")
                           if S["c5"][c])
        put("5", verdict(w <= 1.15 * ideal, f"{w / ideal:.2f} x the ideal {ideal:.2f} s "
                                            f"({others})"))
    if "c6" in S:
        t = S["c6"]["tokenfleet"]
        put("6", verdict(t["cpu"] < 1.0, f"{t['cpu']:.2f} s CPU"))
    if "c7a" in S:
        r = ratio("c7a", "tokenfleet", "curl")
        t = S["c7a"]["tokenfleet"]
        put("7a", verdict(r <= 0.1 and t["rss_mib"] <= 40,
                          f"{r:.3f} x curl, RSS {t['rss_mib']:.1f} MiB; "
                          f"{fmt(ratio('c7a', 'tokenfleet', 'floor'), '.3f')} x floor"))
    if "c7b" in S and "c1" in S:
        g = growth("c7b", "c1", "tokenfleet")
        put("7b", verdict(g <= 1.3, f"{g:.2f} x case 1 per target "
                                    f"({times(growth('c7b', 'c1', 'floor'), 'floor')}); "
                                    f"{fmt(ratio('c7b', 'tokenfleet', 'floor'), '.3f')} x floor"))

    j = b.args
    specs = [
        ("—", "http-1k", "1k HTTP -j 64", "(for the plot)"),
        ("1", "c1", "10k HTTPS -j 64", "tf CPU <= 1.0 x floor"),
        ("2", "c2", "10k HTTP -j 64", "tf CPU <= 1.0 x floor"),
        ("3", "c3", "10k HTTP -j 512", "tf CPU/target <= 1.25 x -j 64 (case 2)"),
        ("4", "c4", "100k HTTP -j 64", "completes, RSS <= 64 MB, CPU <= 12 x case 2"),
        ("5", "c5", f"10k HTTP -j 256, --delay {j.delay_ms}",
         f"tf wall <= 1.15 x {10000 / 256 * j.delay_ms / 1000:.2f} s"),
        ("6", "c6", f"validate {'10k' if j.quick else '100k'}", "CPU < 1 s"),
        ("7a", "c7a", f"1k HTTPS -j 64, bundle ({b.bundle_certs} CAs)",
         "tf CPU <= 0.1 x curl, RSS <= 40 MB"),
        ("7b", "c7b", f"10k HTTPS -j 64, bundle", "tf CPU/target <= 1.3 x case 1"),
    ]
    for label, key, setup, target in specs:
        if not b.wants("1k" if label == "—" else label):
            continue
        row(label, key, setup, target)
        rows[-1][-1] = verdicts.get(label, "—" if label == "—" else "not run")
    return rows, S, verdicts


HEADER = ["case", "setup", "tf wall s", "curl wall s", "floor wall s", "tf CPU s", "curl CPU s",
          "floor CPU s", "tf µs/target", "curl µs/target", "floor µs/target", "tf RSS MiB",
          "curl RSS MiB", "floor RSS MiB", "tf x curl", "tf x floor", "curl x floor",
          "emulator busy", "others' load", "runs tf+curl+floor", "target", "result"]


AGENT_HEADER = ["case", "setup", "wall s", "CPU s", "µs/target/cycle", "peak RSS MiB", "figures",
                "emulator busy", "others' load", "runs", "target", "result"]


def build_agent_table(b):
    """The watch cases (8 and 9): their rows (AGENT_HEADER) and verdicts."""
    A = b.agent
    rows, verdicts = [], {}

    def verdict(ok, text):
        return ("met" if ok else "**missed**") + f": {text}"

    def emu_busy(runs):
        return f"{median([r['emu_cpu'] / r['wall'] for r in runs]) * 100 / b.emu_cores:.0f}%"

    if "c8" in A and A["c8"].get("watch"):
        m, r = A["c8"]["meta"], A["c8"]["watch"][0]
        by = {c["cycle"]: c for c in r["cycles"]}
        last = max(by)
        c5, cl = by.get(5), by[last]
        # The allocator settles over the first dozens of cycles (a few KiB now and then, then
        # flat); a leak goes on growing: the second half of the run tells them apart.
        half = by.get(last // 2)
        late = (f"{cl['peak_rss_kib'] - half['peak_rss_kib']:+d} KiB from cycle {last // 2}"
                if half and half["peak_rss_kib"] is not None and cl["peak_rss_kib"] is not None
                else f"cycle {last // 2} not sampled")
        secs = median([c["seconds"] for c in r["cycles"] if c["cycle"] >= 2])
        if c5 and c5["peak_rss_kib"] is not None and cl["peak_rss_kib"] is not None:
            d = cl["peak_rss_kib"] - c5["peak_rss_kib"]
            ok = abs(d) <= 1024 and cl["fds"] == c5["fds"]
            figures = (f"RSS peak cycle 5 {c5['peak_rss_kib'] / 1024:.2f} MiB, cycle {last} "
                       f"{cl['peak_rss_kib'] / 1024:.2f} MiB ({d:+d} KiB; {late}); "
                       f"fds {c5['fds']} / {cl['fds']}; "
                       f"a cycle {fmt(secs, '.2f')} s (median)")
            verdicts["8"] = verdict(ok, f"cycle {last} peak RSS {d:+d} KiB from cycle 5's "
                                        f"{c5['peak_rss_kib'] / 1024:.2f} MiB (within ±1024), "
                                        f"{late}; descriptors "
                                        f"{cl['fds']} at cycle {last}, {c5['fds']} at cycle 5")
        else:
            figures = "cycle 5 or the last one not sampled (see the CSV)"
            verdicts["8"] = verdict(False, figures)
        rows.append(["8", f"watch {m['n'] // 1000}k HTTP -j {m['j']}, --interval "
                          f"{m['interval']}s, {m['cycles']} cycles, --report, --prom",
                     f"{r['wall']:.1f}", f"{r['cpu']:.2f}",
                     f"{r['cpu'] / (m['n'] * m['cycles']) * 1e6:.0f}",
                     f"{r['rss_kib'] / 1024:.1f}", figures, emu_busy([r]), f"{r['other']:.2f}",
                     "1", f"cycle {last} peak RSS within 1 MiB of cycle 5's; fds equal",
                     verdicts["8"]])

    if "c9" in A and A["c9"].get("watch"):
        m = A["c9"]["meta"]
        med = {w: {f: median([r[f] for r in A["c9"][w]])
                   for f in ("wall", "cpu", "user", "sys", "rss_kib")}
               for w in ("provision", "watch")}
        split = {w: f"user {med[w]['user']:.2f} s, sys {med[w]['sys']:.2f} s" for w in med}
        p, w = med["provision"]["cpu"], med["watch"]["cpu"]
        verdicts["9"] = verdict(w <= p, f"watch --cycles 1 {w:.2f} s CPU = {w / p:.2f} x "
                                        f"provision's {p:.2f} s (reading the {m['n']:,} env "
                                        f"files included); {m['n']:,} kept")
        for what, setup, figures, target, result in (
                ("provision", f"provision {m['n'] // 1000}k HTTP -j {m['j']} --env-dir",
                 f"{m['n']:,} issued, env files written; {split['provision']}", "—", "—"),
                ("watch", "watch --cycles 1 on that env dir",
                 f"{m['n']:,} kept (env files read, then one GET each); {split['watch']}",
                 "watch CPU <= provision's", verdicts["9"])):
            runs = A["c9"][what]
            rows.append(["9", setup, f"{med[what]['wall']:.2f}", f"{med[what]['cpu']:.2f}",
                         f"{med[what]['cpu'] / m['n'] * 1e6:.0f}",
                         f"{med[what]['rss_kib'] / 1024:.1f}", figures, emu_busy(runs),
                         f"{max(r['other'] for r in runs):.2f}", str(len(runs)), target, result])
    for label in ("8", "9"):
        if b.wants(label) and label not in verdicts:
            verdicts[label] = "not run"
    return rows, verdicts


def verdict_labels(b):
    """The cases that have a target, in order; with --only, those chosen."""
    return [c for c in CASE_LABELS if c != "1k" and b.wants(c)]


def markdown_table(rows, header=HEADER):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def text_table(rows, header=HEADER):
    cols = list(zip(header, *rows))
    widths = [max(len(str(c)) for c in col) for col in cols]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def machine_info(b):
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    os_name = platform.platform()
    try:
        with open("/etc/os-release") as f:
            os_name = re.search(r'PRETTY_NAME="([^"]*)"', f.read()).group(1)
    except (OSError, AttributeError):
        pass
    tf_version = subprocess.run([b.tokenfleet, "--version"], capture_output=True,
                                text=True).stdout.strip().split(" (")[0] or "?"
    curl_version = subprocess.run([b.curl, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[0]
    mhd = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libmicrohttpd12"],
                         capture_output=True, text=True).stdout.strip() or "?"
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.splitlines()
        # Which folders hold uncommitted changes (to tracked files), e.g. "tests/emulator".
        where = sorted({os.path.dirname(line[3:]) or "." for line in dirty})
        rev += f" + uncommitted changes in {', '.join(where)}" if where else ""
    except OSError:
        rev = "?"
    return {"nproc": os.cpu_count(), "model": model, "mem": mem, "os": os_name,
            "kernel": platform.release(), "tokenfleet": tf_version, "curl": curl_version,
            "mhd": mhd, "rev": rev}


def write_plot(b, S, png):
    """CPU µs per target against targets (HTTP, -j 64), tokenfleet, curl and the floor, log x."""
    points = [(1000, "http-1k"), (10000, "c2"), (100000, "c4")]
    data = os.path.join(b.workdir, "cpu-per-target.dat")
    have = 0
    with open(data, "w") as f:
        f.write("# targets tokenfleet_us curl_us floor_us\n")
        for n, key in points:
            if key in S and all(S[key][c] for c in CLIENTS):
                f.write(f"{n} " + " ".join(f"{S[key][c]['us']:.1f}" for c in CLIENTS) + "\n")
                have += 1
    if not have:
        return False
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        log("gnuplot is missing: no plot")
        return False
    script = f"""
set terminal pngcairo size 900,560 font "DejaVu Sans,11"
set output "{png}"
set title "CPU per target, HTTP, -j 64 (median of runs; {b.info['model']}, {b.info['nproc']} cores)"
set xlabel "targets"
set ylabel "client CPU (user+sys) per target, µs"
set logscale x
set xrange [600:160000]
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set xtics ("1,000" 1000, "10,000" 10000, "100,000" 100000)
set grid
set key tmargin center horizontal box
plot "{data}" using 1:3 with linespoints lw 2 pt 7 ps 1.4 title "curl --parallel", \\
     "" using 1:3:(sprintf("%.0f", $3)) with labels offset 0,1.2 notitle, \\
     "" using 1:2 with linespoints lw 2 pt 5 ps 1.4 title "tokenfleet provision", \\
     "" using 1:2:(sprintf("%.0f", $2)) with labels offset 0,1.2 notitle, \\
     "" using 1:4 with linespoints lw 2 pt 9 ps 1.4 dt 2 title "floor (minimal libcurl loop)", \\
     "" using 1:4:(sprintf("%.0f", $4)) with labels offset 0,-1.2 notitle
"""
    p = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    if p.returncode != 0:
        log(f"gnuplot failed: {p.stderr}")
        return False
    return True


def write_results(b, rows, agent_rows, S, verdicts, path, png_name, command):
    i = b.info
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    pin = (f"client pinned to CPU {sorted(b.client_cpus)}, emulators to CPUs "
           f"{sorted(b.emu_cpus)}" if b.client_cpus else "no CPU pinning")
    lines = [
        "# tokenfleet benchmark results", "",
        f"- date: {now}",
        f"- command: `{command}`",
        f"- machine: {i['nproc']} x {i['model']}, {i['mem']}, {i['os']}, Linux {i['kernel']}",
        f"- versions: {i['tokenfleet']} ({i['rev']}); {i['curl']}; libmicrohttpd {i['mhd']}",
        f"- setup: {pin}; emulators `--threads {b.args.emu_threads}`, no `--log`. curl runs "
        "`curl --parallel --parallel-max N --no-progress-meter -K cfg`, one entry per target "
        "with `output = \"/dev/null\"` and `fail`; tokenfleet runs `provision -q -i INV -j N "
        "--connect-to ::127.0.0.1:PORT [--cacert F] --report FILE` (report to a temp folder, no "
        "env files); the floor runs `bench_floor -u USER -j N --connect-to ::127.0.0.1:PORT "
        "[--cacert F] URLFILE` (tests/bench/floor.c: tokenfleet's requests over the same "
        "connections in a plain curl_multi_perform + curl_multi_poll loop, nothing else). Every "
        "run is checked: exit status 0, nothing on stderr, and tokenfleet's report says every "
        "target ok.",
        "- figures: medians over the runs (tokenfleet, curl and the floor alternate). \"x curl\", "
        "\"x floor\": ratio of CPU per target. CPU is user+sys of "
        "the client process alone (wait4); RSS its peak (GNU time's %M: the client's own "
        "ru_maxrss). \"emulator busy\": the emulator's CPU over the run's wall time and its "
        "cores (over HTTPS this includes libmicrohttpd spinning while handshakes wait for the "
        "client, so it is not headroom there). \"others' load\": cores kept busy by everything "
        "else on the machine during the run (worst run of the case; kernel work not charged "
        "to any process, e.g. softirqs on an idle CPU, counts too). Wall times are only "
        "comparable between runs with low others' load.",
        f"- load average before the runs: {b.load_before}; after: {b.load_after}",
        "",
    ]
    if rows:
        lines += [markdown_table(rows), ""]
    if agent_rows:
        c8 = b.agent.get("c8", {}).get("watch")
        lines += [
            "## The agent: tokenfleet watch", "",
            "`tokenfleet watch -i INV --env-dir DIR -j 64 --connect-to ::127.0.0.1:PORT --report "
            "FILE` against the HTTP emulator, which serves the inventories' keyspace so that "
            "every proof (one REST keyspace GET per token) is answered 200. Case 8 adds "
            "`--interval 1s --prom FILE`, starts on an empty env dir (its first cycle issues "
            "every token) and is stopped by SIGTERM after its last cycle; per cycle, the agent's "
            "peak RSS (VmHWM, reset at the end of each cycle, so the peak from the end of the "
            "cycle before to the end of this one) and its open descriptors once the cycle is "
            "over. Case 9: `provision -q ... --env-dir DIR --report FILE` then `watch --cycles 1` "
            "on DIR, alternating, medians; CPU as for provision (wait4, under GNU time), and "
            "watch's includes reading the env files at its start. Checked: exit status 0, "
            "every report target ok, every cycle line says every target kept (case 8's first: "
            "issued), nothing else on stderr."
            + (f" Per-cycle series: `{c8[0]['csv']}` (the work folder; peaks from "
               f"{c8[0]['peak_from']})." if c8 else ""), "",
            markdown_table(agent_rows, AGENT_HEADER), ""]
    lines += ["## Targets", ""]
    for label in verdict_labels(b):
        lines.append(f"- case {label}: {verdicts.get(label, 'not run')}")
    lines += ["", "## Every run (CPU s / wall s)", ""]
    for key, s in S.items():
        for c in CLIENTS:
            if s[c]:
                runs = ", ".join(f"{cpu:.2f}/{w:.2f}" + (f" ({x} retried)" if x else "")
                                 for cpu, w, x in zip(s[c]["all_cpu"], s[c]["all_wall"],
                                                      s[c]["all_retried"]))
                lines.append(f"- {key} {c}: {runs}")
    for key, d in b.agent.items():
        for what in ("provision", "watch"):
            if d.get(what):
                runs = ", ".join(f"{r['cpu']:.2f}/{r['wall']:.2f}"
                                 + (f" ({r['retried']} retried)" if r.get("retried") else "")
                                 for r in d[what])
                lines.append(f"- {key} {what}: {runs}")
    if png_name:
        lines += ["", f"![CPU per target]({png_name})"]
    lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def case_list(text):
    """--only's argument: a set of case labels."""
    labels = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        if part in CASE_GROUPS:
            labels.update(CASE_GROUPS[part])
        elif part in CASE_LABELS:
            labels.add(part)
        else:
            raise argparse.ArgumentTypeError(
                f"unknown case {part!r}: one of {', '.join(CASE_LABELS + tuple(CASE_GROUPS))}")
    if not labels:
        raise argparse.ArgumentTypeError("no case named")
    return labels | {CASE_NEEDS[c] for c in labels if c in CASE_NEEDS}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--quick", action="store_true", help="1k and 10k targets, 1 run each")
    ap.add_argument("--runs", type=int, default=3, help="runs per client and case (default 3)")
    ap.add_argument("--runs-100k", type=int, default=2, help="runs for 100k targets (default 2)")
    ap.add_argument("--emu-threads", type=int, default=2,
                    help="emulator --threads (default 2; with 1, bursts of ~256 new connections "
                    "sometimes go unanswered: see README)")
    ap.add_argument("--delay-ms", type=int, default=50, help="emulator --delay for case 5")
    ap.add_argument("--no-pin", dest="pin", action="store_false",
                    help="do not pin client and emulator to separate CPUs")
    ap.add_argument("--watch-cycles", type=int, metavar="N",
                    help="cycles of case 8's agent (default 100; 20 with --quick)")
    ap.add_argument("--timeout-ms-per-target", type=float, default=20.0,
                    help="a run is killed after max(120 s, targets x this)")
    ap.add_argument("--out", help="results markdown (default tests/bench/results.md; "
                    "with --quick: in the work folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--only", type=case_list, metavar="CASES",
                    help="run only these cases, comma-separated labels as in the table ("
                    + ", ".join(CASE_LABELS) + ")" + "".join(
                        f", or {g} for {', '.join(c)}" for g, c in CASE_GROUPS.items())
                    + "; with them the cases their targets compare against; results.md then "
                    "goes to the kept work folder")
    ap.add_argument("--idle-load", type=float, default=0.3,
                    help="before each run, wait until other processes use fewer cores than this")
    ap.add_argument("--idle-wait", type=float, default=60,
                    help="...but at most this many seconds (default 60)")
    ap.add_argument("--profile", metavar="DIR",
                    help="after the runs, profile one more tokenfleet run per case with "
                    "perf record into DIR (DIR/CASE.txt: the top of perf report)")
    ap.add_argument("--command", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.watch_cycles is not None and args.watch_cycles < 6:
        ap.error("--watch-cycles: at least 6 (case 8 compares cycle 5 with the last)")

    b = Bench(args)
    # SIGTERM/SIGHUP end like Ctrl-C, so that the finally below stops the emulators.
    def interrupted(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    status = 0
    try:
        b.setup()
        b.info = machine_info(b)
        b.load_before = " ".join(open("/proc/loadavg").read().split()[:3])
        b.run_all()
        b.load_after = " ".join(open("/proc/loadavg").read().split()[:3])
        if args.profile:
            b.profile(os.path.abspath(args.profile))
        rows, S, verdicts = build_table(b)
        agent_rows, agent_verdicts = build_agent_table(b)
        verdicts.update(agent_verdicts)
        if args.out:
            out = os.path.abspath(args.out)
        elif args.quick or args.only:
            args.keep = True
            out = os.path.join(b.workdir, "results.md")
        else:
            out = os.path.join(HERE, "results.md")
        png_name = "cpu-per-target.png"
        png = os.path.join(os.path.dirname(out), png_name)
        plotted = write_plot(b, S, png)
        command = args.command or " ".join(shlex.quote(a) for a in sys.argv)
        write_results(b, rows, agent_rows, S, verdicts, out, png_name if plotted else None,
                      command)
        if rows:
            print(text_table(rows))
        if agent_rows:
            print(("\n" if rows else "") + text_table(agent_rows, AGENT_HEADER))
        print()
        for label in verdict_labels(b):
            print(f"case {label}: {verdicts.get(label, 'not run')}")
        print(f"\nwritten: {out}" + (f" and {png}" if plotted else ""))
        if any("missed" in v for v in verdicts.values()):
            status = 1
    except RunFailed as e:
        log(f"FAILED: {e}")
        status = 2
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        b.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
