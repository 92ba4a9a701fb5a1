"""The production chain on loopback: nginx → supervisord → gunicorn and the mail worker,
with Debian's redis-server as the mail queue's broker, from this checkout.

The three top-level files are used as they are: ``supervisord -c supervisor.conf``
(which runs ``gunicorn --config gunicorn.conf.py`` and the Celery worker ``pkyx-mail``)
and ``nginx -p <checkout>/ -c nginx.conf``. They listen where the files say,
127.0.0.1:8000 (gunicorn) and :8080 (nginx), so a test fails at once, saying so, when
something else holds those ports. Only the environment differs from a real server: a
temporary instance folder, write limits raised for load (:data:`LOAD_LIMITS`), a
redis-server of the chain's own on a free port (a server's is a system service on 6379),
and mail sent to ``127.0.0.1:<chain.smtp_port>``, where a test may listen.
Whoever starts a chain (these tests, the soak run, the benchmark, from any checkout)
first takes the lock :data:`PORTS_LOCK`, so two chains never fight over the ports.

Example::

    with Chain(tmp_path) as chain:
        status, headers, body = chain.get("/")
"""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
NGINX_PORT = 8080
GUNICORN_PORT = 8000
DEMO_PASSWORD = "pkyx-demo-password"
LOGS = ROOT / "var" / "log"
#: One chain at a time on this machine (the ports are fixed by the configuration files).
PORTS_LOCK = Path("/tmp/pkyx-chain-ports.lock")


@dataclass
class Answer:
    """One HTTP answer: status, headers (lower-case names, repeated ones joined) and body."""

    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(method: str, path: str, *, port: int = NGINX_PORT, headers: dict | None = None,
            body: bytes | None = None, timeout: float = 30.0) -> Answer:
    """One request on a new connection (so nothing is hidden by a kept-alive socket)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        merged: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
            if key == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                cookies[cookie_name] = rest.split(";", 1)[0]
        return Answer(response.status, merged, data, cookies)
    finally:
        conn.close()


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll ``predicate`` until it returns something true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except OSError as exc:
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what} ({last_error})")


#: The load tests, the benchmark and the soak run write far faster than one person edits
#: (one account, one address): the write limits are raised for them, as an operator
#: raises them with these variables (README, *Limits*). tests/test_write_limits.py tests
#: the limits themselves.
LOAD_LIMITS = {f"PKYX_RATELIMIT_{name}": "1000000/minute"
               for name in ("EDITS", "EDITS_ADDRESS", "NEW_ENTRIES", "NEW_ENTRIES_ADDRESS")}


class Chain:
    """Start nginx and supervisord (with gunicorn) for a test module; stop them after."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None, wait_ready=True):
        self.workdir = workdir
        self.instance = workdir / "instance"
        self.wait_ready = wait_ready
        self.env = {
            **os.environ,
            "PKYX_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "PKYX_SEED_DEMO": "1",
            "PKYX_DEMO_PASSWORD": DEMO_PASSWORD,
            "PKYX_INSTANCE_PATH": str(self.instance),
            "PKYX_LOG_LEVEL": "info",
            "PKYX_PUBLIC_URL": f"http://127.0.0.1:{NGINX_PORT}",
            **LOAD_LIMITS,
            **(env or {}),
        }
        if "MONGO_URI" not in (env or {}):
            self.env.pop("MONGO_URI", None)  # the embedded store unless a test asks
        self.redis_port = closed_port()
        self.smtp_port = closed_port()
        self.env.setdefault("PKYX_BROKER_URL", f"redis://127.0.0.1:{self.redis_port}/0")
        self.env.setdefault("PKYX_MAIL_HOST", "127.0.0.1")
        self.env.setdefault("PKYX_MAIL_PORT", str(self.smtp_port))
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.log_offsets: dict[str, int] = {}
        self._ports_lock: int | None = None

    # -- starting and stopping ------------------------------------------------------------

    def __enter__(self) -> Chain:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise AssertionError("nginx is not installed: `make test` installs it (apt)")
        self._ports_lock = os.open(PORTS_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        fcntl.flock(self._ports_lock, fcntl.LOCK_EX)  # wait for another chain to finish
        for port in (GUNICORN_PORT, NGINX_PORT):
            if not port_is_free(port):
                raise AssertionError(f"port {port} is taken; the deployment tests need it "
                                     "(stop whatever listens there)")
        for name in ("gunicorn-access.log", "gunicorn-error.log", "nginx-access.log",
                     "nginx-error.log", "supervisord.log", "mail-worker.log"):
            path = LOGS / name
            self.log_offsets[name] = path.stat().st_size if path.exists() else 0
        # nginx keeps its page cache on disk across restarts: start each chain without one.
        shutil.rmtree(ROOT / "var" / "cache" / "pages", ignore_errors=True)
        try:
            self._start_redis()
            self._start_supervisord()
            self._start_nginx(nginx)
            if self.wait_ready:
                wait_until(lambda: request("GET", "/readyz", timeout=5).status == 200, 60,
                           "the app behind nginx to be ready")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_redis(self) -> None:
        """Debian's redis-server for the mail queue (no persistence), on the chain's port."""
        server = shutil.which("redis-server") or "/usr/sbin/redis-server"
        if not Path(server).exists():
            raise AssertionError("redis-server is not installed: `make test` installs it (apt)")
        folder = self.workdir / "redis"
        folder.mkdir(exist_ok=True)
        self.redis = subprocess.Popen(
            [server, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder), "--logfile", str(folder / "log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: not port_is_free(self.redis_port) or self.redis.poll() is not None,
                   20, "redis-server to listen")
        if self.redis.poll() is not None:
            raise AssertionError("redis-server did not start: " + (folder / "log").read_text())

    def _start_supervisord(self) -> None:
        subprocess.run([VENV_BIN / "supervisord", "-c", ROOT / "supervisor.conf"],
                       env=self.env, cwd=self.workdir, check=True, timeout=30)
        wait_until(lambda: "RUNNING" in self.supervisorctl("status", "pkyx"), 60,
                   "supervisor to report gunicorn RUNNING")
        wait_until(lambda: "RUNNING" in self.supervisorctl("status", "pkyx-mail"), 60,
                   "supervisor to report the mail worker RUNNING")

    def _start_nginx(self, nginx: str) -> None:
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        self.nginx = subprocess.Popen(
            [nginx, "-p", f"{ROOT}/", "-c", "nginx.conf", "-g", directives],
            cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until(lambda: not port_is_free(NGINX_PORT) or self.nginx.poll() is not None, 20,
                   "nginx to listen")
        if self.nginx.poll() is not None:
            raise AssertionError("nginx did not start: " + self.nginx.stdout.read().decode())

    def __exit__(self, *exc) -> None:
        try:
            self._stop_nginx()
            pidfile = ROOT / "var" / "run" / "supervisord.pid"
            if pidfile.exists():
                pid = int(pidfile.read_text().strip() or 0)
                self.supervisorctl("shutdown")
                wait_until(lambda: not _alive(pid), 60, "supervisord to stop")
            wait_until(lambda: port_is_free(GUNICORN_PORT), 30, "gunicorn to release its port")
        finally:
            self._stop_redis()
            if self._ports_lock is not None:
                os.close(self._ports_lock)
                self._ports_lock = None

    def _stop_redis(self) -> None:
        if self.redis is not None:
            if self.redis.poll() is None:
                self.redis.terminate()
                self.redis.wait(20)
            self.redis = None

    def _stop_nginx(self) -> None:
        if self.nginx is None:
            return
        if self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(20)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        self.nginx.stdout.close()
        self.nginx = None

    # -- talking to it --------------------------------------------------------------------

    def supervisorctl(self, *args: str) -> str:
        done = subprocess.run([VENV_BIN / "supervisorctl", "-c", ROOT / "supervisor.conf",
                               *args], env=self.env, capture_output=True, text=True,
                              timeout=60)
        return done.stdout + done.stderr

    def gunicorn_master_pid(self) -> int:
        """The pid supervisor started: gunicorn's master."""
        out = self.supervisorctl("pid", "pkyx").strip()
        return int(out)

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the master's children."""
        master = self.gunicorn_master_pid()
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]

    def new_log(self, name: str) -> str:
        """What ``var/log/<name>`` gained since this chain started."""
        path = LOGS / name
        if not path.exists():
            return ""
        with path.open("rb") as handle:
            handle.seek(self.log_offsets.get(name, 0))
            return handle.read().decode("utf-8", "replace")

    def get(self, path: str, **kwargs) -> Answer:
        return request("GET", path, **kwargs)

    def token(self, username: str = "alice", password: str = DEMO_PASSWORD) -> str:
        """An API token for a demo user (one POST /api/v1/tokens through nginx)."""
        import base64

        basic = base64.b64encode(f"{username}:{password}".encode()).decode()
        answer = request("POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
        assert answer.status in (200, 201), (answer.status, answer.text)
        return answer.json()["token"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
