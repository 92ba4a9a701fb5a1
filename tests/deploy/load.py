"""A small closed-loop load generator for the deployment tests.

``clients`` threads each keep one connection to nginx and send requests back to back
for ``seconds``: uncached page views, API reads and comparisons, and (for the writer
threads) attribute writes with ``If-Match`` on an entry of their own. Every answer is
counted; a failure is a connection error, a 5xx, or any status a correct server would
not give (a 412 would mean a lost update). Writers remember their last acknowledged
value, so a test can check that nothing acknowledged was lost.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .chain import NGINX_PORT, Chain, request


@dataclass
class Tally:
    """What the clients saw."""

    ok: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    acknowledged: dict[str, str] = field(default_factory=dict)  # slug -> last value
    writes: Counter = field(default_factory=Counter)  # slug -> acknowledged writes
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return self.ok + len(self.failures)

    def record(self, what: str, status: int | None, expected: tuple[int, ...]) -> bool:
        with self.lock:
            self.statuses[status] += 1
            if status in expected:
                self.ok += 1
                return True
            self.failures.append(f"{what}: {status}")
            return False


class Client(threading.Thread):
    """One simulated user: a keep-alive connection and a loop of requests."""

    def __init__(self, number: int, tally: Tally, stop: threading.Event, reads: list[str],
                 write: tuple[str, str] | None):
        super().__init__(name=f"load-{number}", daemon=True)
        self.number, self.tally, self.stop_event = number, tally, stop
        self.reads, self.write = reads, write
        self.conn: http.client.HTTPConnection | None = None

    def _send(self, method: str, path: str, body: bytes | None = None,
              headers: dict | None = None) -> tuple[int | None, dict, bytes]:
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", NGINX_PORT, timeout=60)
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self._drop()
            return response.status, dict(response.getheaders()), data
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            return None, {"error": repr(exc)}, b""

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def run(self) -> None:
        counter = itertools.count()
        try:
            while not self.stop_event.is_set():
                n = next(counter)
                if self.write is not None and n % 2 == 0:
                    self._write_once(n)
                    continue
                path = self.reads[(self.number + n) % len(self.reads)]
                if not path.startswith("/api/"):  # past nginx's page cache, to the app
                    path += ("&" if "?" in path else "?") + f"load={self.number}-{n}"
                status, headers, _ = self._send("GET", path)
                self.tally.record(f"GET {path} {headers.get('error', '')}", status, (200,))
        finally:
            self._drop()

    def _write_once(self, n: int) -> None:
        slug, token = self.write
        status, headers, _ = self._send("GET", f"/api/v1/entries/{slug}")
        if not self.tally.record(f"GET /api/v1/entries/{slug}", status, (200,)):
            return
        value = f"{100 + n} g"
        status, _, body = self._send(
            "PUT", f"/api/v1/entries/{slug}/attributes/weight",
            body=json.dumps({"value": value}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                     "If-Match": headers.get("ETag", "")})
        if self.tally.record(f"PUT {slug} weight", status, (200, 201)):
            with self.tally.lock:
                self.tally.acknowledged[slug] = value
                self.tally.writes[slug] += 1


def run_load(seconds: float, clients: int, reads: list[str], writes: list[tuple[str, str]],
             during=None, at: float = 5.0) -> Tally:
    """Run the clients for ``seconds``; call ``during()`` once, ``at`` seconds in."""
    tally, stop = Tally(), threading.Event()
    threads = [Client(i, tally, stop, reads, writes[i] if i < len(writes) else None)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    if during is not None:
        time.sleep(at)
        during()
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(90)
    assert not any(thread.is_alive() for thread in threads), "a load client hung"
    return tally


def prepare_workload(chain: Chain, writers: int = 4) -> tuple[list[str], list[tuple[str, str]]]:
    """Read paths over the demo data, and one new entry (and a token) per writer."""
    token = chain.token("dana")
    listing = request("GET", "/api/v1/entries?category=phones&per_page=6")
    assert listing.status == 200, listing.text
    slugs = [item["slug"] for item in listing.json()["_items"]]
    compare = f"/compare/{slugs[1]}-vs-{slugs[2]}"
    first = request("GET", compare)
    if first.status == 301:  # the canonical order of the names
        compare = urlsplit(first.headers["location"]).path
    assert request("GET", compare).status == 200, compare
    reads = [f"/entries/{slugs[0]}", compare,
             "/api/v1/entries?category=phones&sort=-updated_at&per_page=25",
             f"/api/v1/entries/{slugs[3]}", f"/api/v1/compare?entries={slugs[4]},{slugs[5]}",
             "/explore", f"/entries/{slugs[0]}/history"]
    entries = []
    for n in range(writers):
        created = request("POST", "/api/v1/entries", body=json.dumps(
            {"title": f"Load Writer Phone {n} {time.time_ns()}", "category": "phones"}
        ).encode(), headers={"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json"})
        assert created.status == 201, created.text
        entries.append((created.json()["slug"], token))
    return reads, entries


def lost_writes(tally: Tally) -> list[str]:
    """Acknowledged writes that are not stored: the last value, and one revision each."""
    lost = []
    for slug, value in tally.acknowledged.items():
        entry = request("GET", f"/api/v1/entries/{slug}").json()
        stored = entry["attributes"].get("weight", {}).get("value")
        if stored != float(value.split()[0]):
            lost.append(f"{slug}: stored weight {stored}, last acknowledged {value}")
        revisions = request("GET", f"/api/v1/entries/{slug}/revisions?per_page=1")
        total = int(revisions.headers["x-total-count"])
        if total != tally.writes[slug] + 1:  # + the creation
            lost.append(f"{slug}: {total} revisions for {tally.writes[slug]} writes + creation")
    return lost
