"""Handing a finished mail to an SMTP server, or to a folder of ``.eml`` files.

Pure Python (no Flask): the Celery worker (:mod:`app.mail.worker`) and the in-process
development path call the same :func:`deliver`. ``settings`` is a mapping of the app's
``MAIL_*`` settings (a Flask config or :meth:`conf.Config.as_dict`).
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path

__all__ = ["deliver", "send_smtp", "write_eml", "PermanentFailure", "TEMPORARY_ERRORS",
           "transport_of"]

log = logging.getLogger(__name__)

#: What an SMTP server or the network may answer that is worth trying again later.
TEMPORARY_ERRORS = (smtplib.SMTPException, OSError)


class PermanentFailure(Exception):
    """The server refused the mail for good (a 5xx answer): trying again cannot help."""


def transport_of(settings: Mapping) -> str:
    """How mail leaves: ``MAIL_TRANSPORT``, else ``smtp`` with a ``MAIL_HOST``, else ``file``."""
    return settings.get("MAIL_TRANSPORT") or ("smtp" if settings.get("MAIL_HOST") else "file")


def deliver(settings: Mapping, raw: str, recipients: Sequence[str]) -> str:
    """Send one mail (``raw``: its text, headers included) by the configured transport;
    returns where it went. SMTP errors are raised for the caller to retry or report."""
    if transport_of(settings) == "smtp":
        send_smtp(settings, raw, recipients)
        return f"smtp://{settings['MAIL_HOST']}:{settings['MAIL_PORT']}"
    return str(write_eml(Path(settings["MAIL_DIR"]), raw))


def send_smtp(settings: Mapping, raw: str, recipients: Sequence[str]) -> None:
    """Send through ``MAIL_HOST``: implicit TLS (``MAIL_TLS``) or STARTTLS
    (``MAIL_STARTTLS``, refused if the server does not offer it), then AUTH when a user
    is set. A 5xx refusal raises :class:`PermanentFailure`; everything else that goes
    wrong raises as it is (temporary: connection refused, timeouts, 4xx answers)."""
    host, port = settings["MAIL_HOST"], int(settings["MAIL_PORT"])
    timeout = float(settings.get("MAIL_TIMEOUT") or 10)
    context = ssl.create_default_context()
    sender = parseaddr(settings["MAIL_SENDER"])[1]
    data = raw.encode("utf-8")
    options = ["SMTPUTF8"] if not raw.isascii() else []
    if settings.get("MAIL_TLS"):
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.get("MAIL_STARTTLS"):
            client.starttls(context=context)
        if settings.get("MAIL_USER"):
            client.login(settings["MAIL_USER"], settings.get("MAIL_PASSWORD") or "")
        try:
            refused = client.sendmail(sender, list(recipients), data, mail_options=options)
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(f"recipients refused: {exc.recipients!r}") from exc
            raise
        if refused:
            log.warning("mail server refused some recipients: %r", refused)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def write_eml(folder: Path, raw: str) -> Path:
    """Write the mail to ``folder/<time>-<random>.eml`` (development): written to a
    temporary name and renamed, so a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S.%f}-{secrets.token_hex(3)}.eml"
    tmp = folder / f".{name}.tmp"
    tmp.write_text(raw, encoding="utf-8", newline="")
    os.replace(tmp, folder / name)
    return folder / name
