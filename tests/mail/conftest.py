"""The real mail path on loopback: Debian's redis-server, a Celery worker process, and an
SMTP server (aiosmtpd), each on a free port; the app sends through them as production does.

* ``redis_url`` — a ``redis-server`` started for the module (no persistence), stopped after.
* ``smtp`` — an :class:`SmtpServer` that keeps every mail it accepts; ``stop()`` takes it
  down (connections are refused) and ``start()`` brings it back on the same port.
* ``worker`` — a :class:`Worker`: ``celery -A app.mail.worker worker`` in a process group
  of its own, with the settings of the environment (``PKYX_*``); ``kill()`` sends SIGKILL
  to the whole group, ``start()`` starts a new one.
* ``mail_app`` — the testing app with the queue on: ``BROKER_URL`` set, no memory outbox.

A missing redis-server or celery fails these tests (``make test`` installs them).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import create_app

from .smtp import SmtpServer, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
#: The worker's timing: tries 1, 2, 2, 2 … s apart; Redis hands a dead worker's message on
#: after 6 s (longer than the longest wait plus the SMTP timeout, as conf requires).
WORKER_TIMING = {"PKYX_MAIL_RETRY_FIRST_WAIT": "1", "PKYX_MAIL_RETRY_MAX_WAIT": "2",
                 "PKYX_MAIL_TIMEOUT": "3", "PKYX_BROKER_VISIBILITY_TIMEOUT": "6"}


# -- Redis ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """Debian's redis-server on a free loopback port, for this module."""
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail(f"{REDIS_SERVER} is missing: install Debian's redis-server "
                    "(`make test` does: apt-get install -y redis-server)", pytrace=False)
    import redis

    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--daemonize", "no",
         "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return process.poll() is not None and pytest.fail("redis-server died")

    try:
        wait_for(answers, 10, "redis-server to answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


# -- SMTP ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


# -- the Celery worker ---------------------------------------------------------------


class Worker:
    """``celery -A app.mail.worker worker`` as operators run it (supervisor.conf)."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None
        self._offset = 0

    def start(self) -> None:
        if not os.access(CELERY, os.X_OK):
            pytest.fail(f"{CELERY} is missing: `make test` installs requirements.txt",
                        pytrace=False)
        self._offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [str(CELERY), "-A", "app.mail.worker", "worker", "--loglevel", "INFO",
                 "--concurrency", "1", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--hostname", f"mailtest-{os.getpid()}@%h"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        wait_for(lambda: " ready." in self.output() or self.process.poll() is not None, 30,
                 "the celery worker to be ready")
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        """What this worker process logged so far."""
        if not self.log.exists():
            return ""
        with open(self.log, "rb") as log:
            log.seek(self._offset)
            return log.read().decode("utf-8", "replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool: nothing gets to run any clean-up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def worker(redis_url, smtp, tmp_path_factory) -> Iterator[Worker]:
    folder = tmp_path_factory.mktemp("worker")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PKYX_", "MONGO_"))}
    env.update({"PKYX_ENV": "development", "PKYX_INSTANCE_PATH": str(folder),
                "PKYX_BROKER_URL": redis_url, "PKYX_MAIL_HOST": "127.0.0.1",
                "PKYX_MAIL_PORT": str(smtp.port), "PKYX_MAIL_SENDER": "pkyx <no-reply@localhost>",
                "PYTHONPATH": str(ROOT), **WORKER_TIMING})
    process = Worker(env, folder / "worker.log")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def mail_app(redis_url, smtp, worker):
    """The testing app with the queue on (as production: nothing sent in a request)."""
    app = create_app("testing", {
        "MAIL_TRANSPORT": "", "BROKER_URL": redis_url, "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": smtp.port, "BROKER_VISIBILITY_TIMEOUT": 6,
        "PUBLIC_URL": "http://pkyx.test"})
    yield app
    app.extensions["pkyx.store"].close()
