"""gunicorn settings for pkyx: ``gunicorn -c gunicorn.conf.py`` from the checkout.

Every setting comes from the environment, with the default shown:

=============================  ==========================================================
``PKYX_BIND``                  ``127.0.0.1:8000`` — loopback only: nginx is the front door
``PKYX_WORKERS``               MongoDB: ``2 × cores + 1``; embedded store: always 1
``PKYX_THREADS``               threads per worker: 8 (embedded store), 4 (MongoDB)
``PKYX_TIMEOUT``               30 — a worker silent this long is killed and replaced
``PKYX_GRACEFUL_TIMEOUT``      30 — time to finish requests on stop or reload
``PKYX_KEEPALIVE``             5 — seconds a kept-alive connection may idle
``PKYX_MAX_REQUESTS``          0 (off) — recycle MongoDB workers after this many requests
``PKYX_ACCESS_LOG``            ``-`` (stdout; supervisor writes it to var/log/)
``PKYX_ERROR_LOG``             ``-`` (stderr)
``PKYX_LOG_LEVEL``             ``info``
``PKYX_FORWARDED_ALLOW_IPS``   ``127.0.0.1,::1`` — who may set X-Forwarded-Proto
``PKYX_CONTROL_SOCKET``        ``var/run/gunicorn.ctl`` — gunicorn's control socket
=============================  ==========================================================

The embedded store lives inside one process, so with it gunicorn runs exactly one
worker (with threads) and says so in its log. A graceful reload (``SIGHUP``) starts the
new worker, which waits for the old one to write its last snapshot and hand the store
over (app/store.py) while new connections wait in the listen queue: nothing is lost.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    """An integer from the environment, refusing garbage with the variable's name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None


EMBEDDED = not os.environ.get("MONGO_URI", "").startswith(("mongodb://", "mongodb+srv://"))
ASKED_WORKERS = _int("PKYX_WORKERS", 0)

wsgi_app = "app.wsgi:app"
chdir = os.path.dirname(os.path.abspath(__file__))
bind = [b.strip() for b in os.environ.get("PKYX_BIND", "127.0.0.1:8000").split(",") if b.strip()]
worker_class = "gthread"
workers = 1 if EMBEDDED else (ASKED_WORKERS or multiprocessing.cpu_count() * 2 + 1)
threads = _int("PKYX_THREADS", 8 if EMBEDDED else 4)
timeout = _int("PKYX_TIMEOUT", 30)
graceful_timeout = _int("PKYX_GRACEFUL_TIMEOUT", 30)
keepalive = _int("PKYX_KEEPALIVE", 5)
# A recycled worker hands the embedded store over through a full snapshot: never for it.
max_requests = 0 if EMBEDDED else _int("PKYX_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
preload_app = False  # build the app in each worker: pymongo clients must not cross a fork
forwarded_allow_ips = os.environ.get("PKYX_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
proc_name = "pkyx"
# gunicorn's control socket (gunicornc), beside supervisor's rather than in $HOME.
control_socket = os.environ.get("PKYX_CONTROL_SOCKET", os.path.join(chdir, "var/run/gunicorn.ctl"))
accesslog = os.environ.get("PKYX_ACCESS_LOG", "-")
errorlog = os.environ.get("PKYX_ERROR_LOG", "-")
loglevel = os.environ.get("PKYX_LOG_LEVEL", "info")
# Client address (nginx's X-Real-IP), request, status, bytes, duration, request id.
access_log_format = ('%({x-real-ip}i)s %(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms '
                     'rid=%({x-request-id}i)s "%(a)s"')


def on_starting(server) -> None:
    """Say which store the workers will use, and why there is one worker with it."""
    if EMBEDDED:
        if ASKED_WORKERS > 1:
            server.log.warning("PKYX_WORKERS=%s ignored: the embedded store lives in one "
                               "process; set MONGO_URI to run several workers", ASKED_WORKERS)
        server.log.info("pkyx on the embedded demo store: 1 worker with %s threads", threads)
    else:
        server.log.info("pkyx on MongoDB: %s workers with %s threads each", workers, threads)


def worker_exit(server, worker) -> None:
    """Write the embedded store's last snapshot and hand it over before the worker ends."""
    app = getattr(worker, "wsgi", None)
    store = getattr(app, "extensions", {}).get("pkyx.store")
    if store is not None:
        store.close()
