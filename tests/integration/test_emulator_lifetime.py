"""The emulator's token lifetime, as Stargate's: a row that lives --token-ttl seconds after the
latest use that read it, behind a validation cache of --token-cache seconds whose hits neither
read nor slide the row; and SIGUSR1, which forgets every token. Each test starts an emulator of
its own with lifetimes of seconds, so the whole file takes about 20 s.

Timing on a slow machine: wherever an answer depends on how late a request reached the server,
the test works out, from the times it sent and got answers, whether the emulator could rightly
have answered otherwise; if so it skips (the machine stalled too long to tell), else it fails."""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import OwnEmulator, slurp  # noqa: E402

INTERVAL = 0.5  # seconds between two uses of a token kept busy


def sleep_until(t):
    time.sleep(max(0.0, t - time.monotonic()))


class LifetimeTest(harness.TestCase):
    def start(self, *options):
        emu = OwnEmulator(os.path.join(self.workdir, "emulator"), "--keyspaces",
                          os.path.join(harness.HERE, "keyspaces.txt"), *options)
        self.addCleanup(emu.stop)
        return emu

    def keep_busy(self, emu, ttl, cache, seconds):
        """Makes a token and uses it every INTERVAL for SECONDS; every use must be accepted.

        A use slides the row when the cache entry has expired (at once when CACHE is 0); so as long
        as no two requests reach the server TTL - CACHE or more apart, the row never runs out. An
        upper bound of each gap is the time from sending a request to the answer of the next."""
        sent = time.monotonic()
        token = emu.new_token()
        spans = [(sent, time.monotonic())]
        start = time.monotonic()
        for k in range(int(seconds / INTERVAL) + 1):
            sleep_until(start + k * INTERVAL)
            sent = time.monotonic()
            status = emu.keyspace_status(token)
            spans.append((sent, time.monotonic()))
            if status != 200:
                worst = max(b[1] - a[0] for a, b in zip(spans, spans[1:]))
                if worst >= ttl - cache:
                    self.skipTest(f"two requests {worst:.2f} s apart (>= {ttl - cache} s): "
                                  "too slow a machine to tell an expired token from a bug")
                self.fail(f"use {k} after {sent - start:.2f} s: {status}, though no two "
                          f"requests were {ttl - cache} s apart (at most {worst:.2f} s)")
        return token, time.monotonic() - spans[0][0]

    def test_a_busy_token_slides_an_idle_one_expires(self):
        ttl, cache = 3, 1
        emu = self.start("--token-ttl", str(ttl), "--token-cache", str(cache))
        idle = emu.new_token()
        self.assertEqual(emu.keyspace_status(idle), 200)
        idle_used = time.monotonic()

        busy, lived = self.keep_busy(emu, ttl, cache, 3 * ttl + INTERVAL)
        self.assertGreater(lived, 3 * ttl)  # several lifetimes, sliding once a cache period

        # The idle token's row ran out TTL after its one use and its cache entry CACHE after.
        self.assertGreater(time.monotonic() - idle_used, ttl + cache)
        self.assertEqual(emu.keyspace_status(idle), 401)
        self.assertEqual(emu.keyspace_status(busy), 200)

    def test_a_cached_token_outlives_its_row_until_the_entry_expires(self):
        # Only a cache period longer than the lifetime shows this: the row is rewritten at the
        # very moment the cache entry is written, so otherwise the row always outlives the entry.
        ttl, cache = 2, 4
        emu = self.start("--token-ttl", str(ttl), "--token-cache", str(cache))
        token = emu.new_token()
        s0 = time.monotonic()
        self.assertEqual(emu.keyspace_status(token), 200)  # a miss: row until T+2, entry T+4
        r0 = time.monotonic()  # T, when the server read the row, is between s0 and r0

        for k in (0.5, 1.0, 1.5, 2.5, 3.0):  # 2.5 and 3.0: past T + ttl, the row is gone
            sleep_until(r0 + k)
            status = emu.keyspace_status(token)
            answered = time.monotonic()
            if status != 200:
                if answered - s0 >= cache:
                    self.skipTest(f"the use {k} s after the first was answered {answered - s0:.2f}"
                                  " s after it was sent: too slow a machine to be sure the cache "
                                  "entry still lived")
                self.fail(f"a use {k} s after the first, within the cache entry: {status}")

        # The entry is gone too, and the uses it answered did not slide the row (the last, 3 s
        # after T, would have kept it until T+5): read again, the row has expired.
        sleep_until(r0 + cache + 0.3)
        self.assertEqual(emu.keyspace_status(token), 401)
        self.assertEqual(emu.keyspace_status(token), 401)  # removed: it stays refused

    def test_without_a_cache_every_use_slides_and_a_lapsed_token_is_refused_at_once(self):
        ttl = 1
        emu = self.start("--token-ttl", str(ttl), "--token-cache", "0")
        token, _ = self.keep_busy(emu, ttl, 0, 2 * ttl)
        last = time.monotonic()
        sleep_until(last + ttl + 0.3)  # no cache entry to carry it past its row
        self.assertEqual(emu.keyspace_status(token), 401)

    def test_sigusr1_forgets_every_token_cache_included(self):
        emu = self.start()  # the defaults: 1800 s lifetime, 60 s cache
        cached = emu.new_token()
        self.assertEqual(emu.keyspace_status(cached), 200)  # read from the row, now cached
        self.assertEqual(emu.keyspace_status(cached), 200)  # from the cache
        other = emu.new_token("orders_svc")
        self.assertEqual(emu.keyspace_status(other, "orders"), 200)
        unused = emu.new_token()

        emu.forget_tokens()
        for token in (cached, other, unused):
            self.assertEqual(emu.keyspace_status(token), 401)
        fresh = emu.new_token()
        self.assertEqual(emu.keyspace_status(fresh), 200)
        self.assertEqual(emu.keyspace_status(fresh), 200)

        emu.forget_tokens()  # and again: the emulator keeps running and serving
        self.assertEqual(emu.keyspace_status(fresh), 401)
        self.assertEqual(emu.keyspace_status(emu.new_token()), 200)

        marks = [line for line in harness.log_lines(directory=emu.directory)
                 if line["method"] == "SIGUSR1"]
        self.assertEqual(marks, [{"host": "-", "method": "SIGUSR1", "path": "-",
                                  "request_id": "-", "status": 0}] * 2)
        out = slurp(os.path.join(emu.directory, "emulator.out"))
        self.assertEqual(re.findall(r"SIGUSR1: forgot (\d+) token\(s\)", out), ["3", "1"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
