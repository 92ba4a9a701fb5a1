"""The store: MongoDB client options, the embedded store's snapshots and restarts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app import create_app
from app.repositories import dump
from app.store import EmbeddedStore, MongoStore, StoreError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("uri, dbname", [
    ("mongodb://db.invalid:27017/wiki", "wiki"),
    ("mongodb://u:p@a.invalid:27017,b.invalid:27017/?replicaSet=rs0", "pkyx"),
])
def test_mongo_uri_builds_a_lazy_client_with_safe_options(uri, dbname):
    """A MongoDB URI gives a pymongo client that has not connected, with bounded timeouts."""
    app = create_app("testing", {"MONGO_URI": uri})
    store = app.extensions["pkyx.store"]
    client = store.client
    try:
        assert isinstance(store, MongoStore) and not store.embedded
        assert client._init_kwargs["connect"] is False  # connect=False: fork-safe
        assert client._opened is False  # nothing was contacted while building the app
        assert client.options.server_selection_timeout <= 5
        assert client.options.retry_writes is True
        assert client.write_concern.document == {"w": "majority"}
        assert client.codec_options.tz_aware is True
        assert store.db.name == dbname
        assert dbname in store.description and "p@" not in store.description
        # Rate-limit counters share this lazy client instead of opening their own.
        from app.api.ratelimit_storage import SharedClientMongoStorage
        from app.extensions import limiter

        assert isinstance(limiter._storage, SharedClientMongoStorage)
        assert limiter._storage._shared_client is client and limiter._storage._storage is None
        assert client._opened is False
    finally:
        client.close()


def test_selection_timeout_is_capped_at_four_seconds(monkeypatch):
    """Even when the environment asks for more, a request never waits 5 s for a server."""
    monkeypatch.setenv("MONGO_SERVER_SELECTION_TIMEOUT_MS", "60000")
    app = create_app("testing", {"MONGO_URI": "mongodb://db.invalid/pkyx"})
    client = app.extensions["pkyx.store"].client
    assert client.options.server_selection_timeout == 4
    client.close()


def test_a_uri_of_another_scheme_is_refused():
    """A typo in MONGO_URI stops start-up with a message instead of a confusing error later."""
    with pytest.raises(StoreError, match="mongodb://"):
        create_app("testing", {"MONGO_URI": "postgres://localhost/pkyx"})


@pytest.mark.parametrize("uri", [None, "mongomock://localhost/pkyx"])
def test_no_uri_or_mongomock_uri_gives_the_embedded_store(uri):
    """Unset or mongomock:// selects the embedded store, with GridFS working."""
    app = create_app("testing", {"MONGO_URI": uri})
    store = app.extensions["pkyx.store"]
    assert isinstance(store, EmbeddedStore) and store.embedded
    file_id = app.extensions["pkyx.repos"].avatars.put(b"x" * 300_000, "a.bin", "image/png")
    assert app.extensions["pkyx.repos"].avatars.get(file_id).data == b"x" * 300_000
    store.ping()  # always reachable


def _embedded(tmp_path, **config):
    """An app on an embedded store whose snapshot lives in ``tmp_path``."""
    os.environ["PKYX_INSTANCE_PATH"] = str(tmp_path)
    try:
        return create_app("testing", {"SNAPSHOT_FILENAME": "store.json", **config})
    finally:
        del os.environ["PKYX_INSTANCE_PATH"]


def _make_entry(app, title="Keeper Phone"):
    repos = app.extensions["pkyx.repos"]
    if not repos.categories.exists("phones"):
        repos.categories.upsert("phones", "Phones")
    return app.extensions["pkyx.wiki"].create_entry("tester", title=title, category="phones")


def test_entry_survives_a_clean_restart(tmp_path):
    """Create an entry, close the store as the process does at exit, start again: it is there."""
    first = _embedded(tmp_path)
    entry = _make_entry(first)
    first.extensions["pkyx.store"].close()
    second = _embedded(tmp_path)
    again = second.extensions["pkyx.repos"].entries.get(entry["slug"])
    assert again["_id"] == entry["_id"] and again["title"] == "Keeper Phone"
    assert second.extensions["pkyx.repos"].revisions.for_entry(entry["_id"])[0]["version"] == 1
    second.extensions["pkyx.store"].close()


def test_snapshot_is_written_shortly_after_writes_without_exit(tmp_path):
    """The debounced snapshot thread writes on its own, so a crash loses at most a moment."""
    app = _embedded(tmp_path, SNAPSHOT_DEBOUNCE_SECONDS=0.05)
    _make_entry(app)
    path = tmp_path / "store.json"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if path.exists() and dump.read_file(path)["collections"]["entries"]:
            break
        time.sleep(0.05)
    slugs = [e["slug"] for e in dump.read_file(path)["collections"]["entries"]]
    assert slugs == ["keeper-phone"]
    app.extensions["pkyx.store"].close()


def test_unreadable_snapshot_stops_start_up_with_a_message(tmp_path):
    """A damaged snapshot is never silently replaced by fresh demo data."""
    (tmp_path / "store.json").write_text('{"format": "pkyx-dump", "vers')
    with pytest.raises(StoreError, match="cannot be read"):
        _embedded(tmp_path)
    assert (tmp_path / "store.json").read_text().endswith("vers")


def test_first_start_seeds_and_snapshots(tmp_path):
    """With no snapshot the embedded store seeds the demo and writes a snapshot at once."""
    app = _embedded(tmp_path, SEED_DEMO_DATA=True)
    assert app.extensions["pkyx.repos"].entries.count() >= 36
    data = dump.read_file(tmp_path / "store.json")
    assert len(data["collections"]["entries"]) >= 36
    app.extensions["pkyx.store"].close()


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from app.repositories import dump
    path, n = sys.argv[1], 0
    blob = "x" * 400_000
    print("ready", flush=True)
    while True:
        n += 1
        dump.write_file(path, {{"format": "pkyx-dump", "version": 1,
                                "collections": {{"comparisons": [
                                    {{"_id": n, "key": str(n), "pad": blob}}]}},
                                "buckets": {{}}}})
""")


def test_killing_the_writer_mid_snapshot_never_leaves_an_unreadable_file(tmp_path):
    """SIGKILL at random moments while snapshots are written: the file always reads back."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT)))
    path = tmp_path / "store.json"
    versions = []
    for delay in (0.05, 0.13, 0.21, 0.34, 0.5, 0.55, 0.8, 0.89, 1.0, 1.3):
        proc = subprocess.Popen([sys.executable, str(script), str(path)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        if path.exists():
            data = dump.read_file(path)  # raises if the file were torn
            versions.append(data["collections"]["comparisons"][0]["_id"])
    # Every kill left a complete snapshot of some write (each writer counts from 1).
    assert len(versions) == 10 and all(v >= 1 for v in versions)
    # Leftover temporary files (a kill can leave one) are removed by the next start.
    (tmp_path / ".store.json.123.abcd1234.tmp").write_bytes(b'{"half": ')
    leftovers = len(list(tmp_path.glob(".store.json.*.tmp")))
    assert dump.remove_stale_temp_files(path) == leftovers >= 1
    assert not list(tmp_path.glob(".store.json.*.tmp"))


def test_server_process_keeps_an_entry_across_restart(tmp_path):
    """A real server process: an entry created in it is on the home page after a restart."""
    env = {**os.environ, "PKYX_INSTANCE_PATH": str(tmp_path), "PKYX_ENV": "development",
           "PYTHONPATH": str(ROOT)}
    env.pop("MONGO_URI", None)
    port = _free_port()
    creator = textwrap.dedent(f"""
        from app import create_app
        from app.commands import exit_cleanly_on_sigterm
        exit_cleanly_on_sigterm()
        app = create_app()
        with app.app_context():
            app.extensions["pkyx.wiki"].create_entry(
                "alice", title="Restart Proof 3000", category="phones")
        app.run(port={port}, use_reloader=False)
    """)
    server = subprocess.Popen([sys.executable, "-c", creator], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert "Restart Proof 3000" in _wait_for_home(port)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    server = subprocess.Popen([sys.executable, "manage.py", "run", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        assert "Restart Proof 3000" in _wait_for_home(port)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    saved = json.loads((tmp_path / "pkyx-store.json").read_text())
    assert any(e["title"] == "Restart Proof 3000" for e in saved["collections"]["entries"])


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_home(port: int, timeout: float = 60) -> str:
    """The home page's HTML once the server answers."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_close_waits_for_a_snapshot_in_progress(tmp_path, monkeypatch):
    """Exit during the thread's write: close() waits for it, then saves what came after."""
    import threading

    app = _embedded(tmp_path, SNAPSHOT_DEBOUNCE_SECONDS=0.01)
    store = app.extensions["pkyx.store"]
    writing, real_write = threading.Event(), dump.write_file

    def slow_write(path, data):
        if not writing.is_set():  # only the thread's first snapshot is slow
            writing.set()
            time.sleep(0.5)
        real_write(path, data)

    monkeypatch.setattr(dump, "write_file", slow_write)
    _make_entry(app, "First Phone")
    assert writing.wait(5)
    _make_entry(app, "Second Phone")  # written while the thread's snapshot is in flight
    store.close()
    store._thread.join(5)  # whatever the thread still writes has landed by now
    titles = {e["title"] for e in dump.read_file(tmp_path / "store.json")["collections"]["entries"]}
    assert titles == {"First Phone", "Second Phone"}


def test_snapshots_taken_while_writes_go_on_are_consistent(tmp_path, monkeypatch):
    """Each snapshot holds a moment of the store; writes wait only for the copy, not the file.

    A writer adds a comparison and a revoked token as one write (under the store's lock)
    while snapshots are taken: every snapshot holds both of each pair or neither.
    """
    import threading
    from datetime import UTC, datetime, timedelta

    app = _embedded(tmp_path, SNAPSHOT_DEBOUNCE_SECONDS=0.01)
    store = app.extensions["pkyx.store"]
    db, stop, written = store.db, threading.Event(), []
    expires = datetime.now(UTC) + timedelta(days=1)

    def writer():
        n = 0
        while not stop.is_set():
            n += 1
            with store.writing():
                db.comparisons.insert_one({"key": f"pair-{n}"})
                time.sleep(0.001)  # a snapshot copying now would see half a pair
                db.revoked_tokens.insert_one({"jti": f"pair-{n}", "expires_at": expires})
            store.changed()
            written.append(n)

    real_write = dump.write_file
    during_write = []

    def watched_write(path, data):
        before = len(written)
        real_write(path, data)
        time.sleep(0.02)  # as if the disk were slow: the writer must get on meanwhile
        during_write.append(len(written) - before)

    monkeypatch.setattr(dump, "write_file", watched_write)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        snapshots = []
        for _ in range(15):
            store.save_snapshot()
            snapshots.append(dump.read_file(tmp_path / "store.json"))
    finally:
        stop.set()
        thread.join(5)
    for data in snapshots:
        keys = {c["key"] for c in data["collections"]["comparisons"]}
        jtis = {t["jti"] for t in data["collections"]["revoked_tokens"]}
        assert keys == jtis
    assert len({len(d["collections"]["comparisons"]) for d in snapshots}) > 1
    assert sum(during_write) > 0  # writes went on while snapshot files were written
    store.close()
    pairs = dump.read_file(tmp_path / "store.json")["collections"]["comparisons"]
    assert len(pairs) == len(written)  # the last snapshot holds every write


# -- one process at a time: the lock that hands the embedded store over -------------------

def test_a_second_process_waits_then_stops_with_a_message(tmp_path):
    """While one app holds the store another refuses to start, naming the holder."""
    first = _embedded(tmp_path)
    try:
        with pytest.raises(StoreError, match=rf"in use by process {os.getpid()}"):
            _embedded(tmp_path, EMBEDDED_STORE_WAIT_SECONDS=0.3)
    finally:
        first.extensions["pkyx.store"].close()
    _embedded(tmp_path, EMBEDDED_STORE_WAIT_SECONDS=0.3).extensions["pkyx.store"].close()


def test_the_next_process_gets_the_store_with_the_last_write(tmp_path):
    """A reload's new worker waits for the old one's last snapshot, then has every write."""
    import threading

    old = _embedded(tmp_path, SNAPSHOT_DEBOUNCE_SECONDS=60)  # no snapshot until close
    entry = _make_entry(old, title="Handed Over Phone")
    closer = threading.Timer(0.5, old.extensions["pkyx.store"].close)
    closer.start()
    started = time.monotonic()
    new = _embedded(tmp_path, EMBEDDED_STORE_WAIT_SECONDS=30)
    closer.join()
    assert time.monotonic() - started >= 0.4  # it did wait for the hand-over
    assert new.extensions["pkyx.repos"].entries.get(entry["slug"])["title"] == "Handed Over Phone"
    new.extensions["pkyx.store"].close()


def test_a_failed_start_writes_nothing_and_lets_the_next_one_in(tmp_path):
    """A damaged snapshot stops start-up, leaves the file alone and releases the lock."""
    (tmp_path / "store.json").write_text("{broken")
    for _ in range(2):  # the second attempt is not blocked by the first
        with pytest.raises(StoreError, match="cannot be read"):
            _embedded(tmp_path, EMBEDDED_STORE_WAIT_SECONDS=0.3)
    assert (tmp_path / "store.json").read_text() == "{broken"


RELOADER = textwrap.dedent("""
    import os, subprocess, sys
    sys.path.insert(0, {root!r})
    os.environ["PKYX_INSTANCE_PATH"] = {instance!r}
    from app import create_app
    app = create_app("testing", {{"SNAPSHOT_FILENAME": "store.json"}})
    child = "from app import create_app; create_app('testing', {{'SNAPSHOT_FILENAME': " \\
            "'store.json', 'EMBEDDED_STORE_WAIT_SECONDS': 0.5}}); print('child started')"
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          env={{**os.environ, "PYTHONPATH": {root!r}}})
    print(done.stdout.strip() or done.stderr[-300:])
    app.extensions["pkyx.store"].close()
""")


def test_a_reloader_child_goes_ahead_of_its_parent(tmp_path):
    """`manage.py run --debug`: the reloader's parent holds the lock and never serves."""
    script = tmp_path / "reloader.py"
    script.write_text(RELOADER.format(root=str(ROOT), instance=str(tmp_path)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip().endswith("child started"), done.stdout + done.stderr[-500:]


def test_the_store_tier_fixture_gives_each_test_a_database_of_its_own(app, store_uri):
    """Without --mongo-uri the tier's fixture runs on the embedded store, by a mongomock://
    URI naming this test's database (with it, the same path runs on a real server)."""
    from tests.conftest import database_uri

    store = app.extensions["pkyx.store"]
    assert store_uri.startswith("mongomock://localhost/pkyx_test_")
    assert store.embedded and store.db.name == store_uri.rsplit("/", 1)[1]
    assert database_uri("mongodb://u:p@a:1,b:2/?replicaSet=rs0", "x") == \
        "mongodb://u:p@a:1,b:2/x?replicaSet=rs0"
    assert database_uri("mongodb+srv://c.example.net/old?w=1", "x") == \
        "mongodb+srv://c.example.net/x?w=1"
