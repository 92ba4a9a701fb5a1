"""The mail queue: Celery over Redis, shared by the app (which sends) and the worker.

The app never talks to an SMTP server inside a request when a broker is set: it puts the
finished mail on the queue (:func:`enqueue`) and answers. The worker
(:mod:`app.mail.worker`, ``celery -A app.mail.worker worker``) sends it, acknowledging the
message only after the SMTP server took the mail (``acks_late``), so a worker killed in
between leaves it on the queue for the next one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from celery import Celery

__all__ = ["TASK", "make_celery", "enqueue", "retry_wait"]

#: The task's name: the app sends it by name, without importing the worker.
TASK = "pkyx.send_mail"
QUEUE = "pkyx-mail"


def make_celery(settings: Mapping) -> Celery:
    """A Celery app on ``BROKER_URL`` with the settings both sides share."""
    app = Celery("pkyx", broker=settings["BROKER_URL"], set_as_current=False)
    visibility = int(settings["BROKER_VISIBILITY_TIMEOUT"])
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # Acknowledge after the work, and hand the message back when the worker dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Redis gives an unacknowledged message (its worker died) to another worker after
        # this long: more than the longest wait between two tries (conf checks), or a
        # waiting retry would be sent twice. Workers look for such messages every few
        # seconds (one indexed Redis query), at the latest every 10.
        broker_transport_options={
            "visibility_timeout": visibility,
            "unacked_restore_interval": max(1, min(10, visibility // 4)),
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        # A request that cannot reach Redis gives up within about a second.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.1,
                                   "interval_step": 0.2, "interval_max": 0.3},
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


def enqueue(celery: Celery, raw: str, recipients: Sequence[str]) -> None:
    """Put one mail on the queue (an empty ``recipients`` is dropped by the worker)."""
    celery.send_task(TASK, args=[raw, list(recipients)], queue=QUEUE, retry=True)


def retry_wait(settings: Mapping, retries: int) -> int:
    """Seconds before try ``retries + 2``: 1, 2, 4 … up to ``MAIL_RETRY_MAX_WAIT``."""
    first = max(1, int(settings["MAIL_RETRY_FIRST_WAIT"]))
    return min(int(settings["MAIL_RETRY_MAX_WAIT"]), first * 2 ** min(retries, 30))
