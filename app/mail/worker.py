"""The Celery worker that sends pkyx's mail: ``celery -A app.mail.worker worker``.

It reads the same settings as the app (``PKYX_ENV``, ``PKYX_BROKER_URL``,
``PKYX_MAIL_*``) but never builds the app or opens the store: a mail arrives finished,
so the worker only talks to Redis and the SMTP server. supervisor runs it beside
gunicorn (``supervisor.conf``, program ``pkyx-mail``).

A try that meets a temporary failure (the server is down, a timeout, a 4xx answer) is
tried again after 1, 2, 4 … seconds (at most ``MAIL_RETRY_MAX_WAIT``), up to
``MAIL_RETRIES`` times; a 5xx refusal is logged and dropped. The message is acknowledged
only when the try is over, so a worker killed meanwhile loses nothing: Redis hands the
message to the next worker after ``BROKER_VISIBILITY_TIMEOUT``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from conf import config_for

from .delivery import TEMPORARY_ERRORS, PermanentFailure, deliver
from .queue import TASK, make_celery, retry_wait

__all__ = ["celery", "send_mail", "settings"]

log = logging.getLogger("pkyx.mail")

_instance = os.environ.get("PKYX_INSTANCE_PATH") or Path(__file__).resolve().parents[2] / "instance"
settings = config_for(None, _instance).as_dict()
celery = make_celery(settings)


@celery.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True,
             max_retries=settings["MAIL_RETRIES"])
def send_mail(self, raw: str, recipients: list[str]) -> str:
    """Send one finished mail; on a temporary failure, try again later."""
    if not recipients:
        return "dropped"  # a stand-in letter (see AccountMail.request_reset)
    try:
        where = deliver(settings, raw, recipients)
    except PermanentFailure as exc:
        log.error("mail to %s refused for good: %s", ", ".join(recipients), exc)
        return "refused"
    except TEMPORARY_ERRORS as exc:
        wait = retry_wait(settings, self.request.retries)
        log.warning("mail to %s not sent (%s: %s); try %s in %s s", ", ".join(recipients),
                    type(exc).__name__, exc, self.request.retries + 2, wait)
        raise self.retry(exc=exc, countdown=wait) from exc
    log.info("mail to %s sent via %s", ", ".join(recipients), where)
    return "sent"
