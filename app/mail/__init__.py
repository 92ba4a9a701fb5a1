"""Writing account mail and sending it through the queue.

:class:`Postman` turns a :class:`~app.services.account_mail.Letter` into a mail — plain
text and HTML from ``templates/mail/<name>.txt|.html``, in the reader's language, with
absolute links built on ``PUBLIC_URL`` (never on the request's Host header), and no
tracking: no remote images, no counters, no per-reader URLs but the link itself — and
sends it:

* with ``BROKER_URL`` set (production): onto the Celery queue; the worker sends it.
* without (``make run``): in the process, to ``MAIL_HOST`` if set, else into
  ``instance/mail/*.eml``, with the link in the log.
* in the tests (``MAIL_TRANSPORT = "memory"``): into ``app.extensions["pkyx.outbox"]``.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import formatdate, make_msgid, parseaddr

from flask import Flask, current_app, has_app_context, has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..domain.messages import N_
from ..i18n import fresh_translations
from ..services.account_mail import Letter
from .delivery import deliver, transport_of
from .queue import enqueue, make_celery

__all__ = ["Postman", "init_mail", "compose", "SUBJECTS"]

log = logging.getLogger(__name__)

#: Each template's subject (translated when the mail is written).
SUBJECTS = {
    "confirm": N_("Confirm your e-mail address for pkyx"),
    "change": N_("Confirm your new e-mail address for pkyx"),
    "reset": N_("Reset your pkyx password"),
    "test": N_("A test message from pkyx"),
    "address-changed": N_("The e-mail address of your pkyx account was changed"),
    "password-changed": N_("The password of your pkyx account was changed"),
}


def public_url(endpoint: str, **values) -> str:
    """An absolute address of a page: ``PUBLIC_URL`` and the page's path.

    Without ``PUBLIC_URL`` (development, tests) the request's own root is used; production
    refuses to start without it, so a forged Host header never lands in a mail.
    """
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        base = request.url_root if has_request_context() else "http://127.0.0.1:5000/"
    context = nullcontext() if has_request_context() else current_app.test_request_context()
    with context:
        path = url_for(endpoint, **values)
    return base.rstrip("/") + path


def compose(letter: Letter) -> EmailMessage:
    """The mail of a letter: plain text and HTML in the letter's language."""
    config = current_app.config
    link = public_url(letter.link[0], **letter.link[1]) if letter.link else None
    context = {**letter.context, "link": link, "site": public_url("main.home")}
    env = current_app.jinja_env
    with force_locale(letter.locale), fresh_translations():
        subject = _(SUBJECTS[letter.template])
        text = env.get_template(f"mail/{letter.template}.txt").render(context)
        html = env.get_template(f"mail/{letter.template}.html").render(
            {**context, "subject": subject, "lang": "zh-Hans" if letter.locale == "zh_Hans"
             else "en"})
    message = EmailMessage(policy=SMTPUTF8)
    message["Subject"] = subject
    message["From"] = config["MAIL_SENDER"]
    message["To"] = letter.to
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(config["MAIL_SENDER"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid("pkyx", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if link and current_app.config["ENV_NAME"] != "production":
        message["X-Pkyx-Link"] = link  # for the development log and the tests
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = "zh-Hans" if letter.locale == "zh_Hans" else "en"
    return message


class Postman:
    """Writes and sends the letters of one app."""

    def __init__(self, app: Flask):
        self.app = app
        self.outbox: list[EmailMessage] = []
        self._celery = None

    @property
    def celery(self):
        """The app's Celery client, made on first use."""
        if self._celery is None:
            self._celery = make_celery(self.app.config)
        return self._celery

    def __call__(self, letter: Letter) -> EmailMessage:
        """Write the letter and send it (queue, or in the process); a letter that is not
        real is written and queued the same way, then dropped."""
        with nullcontext() if has_app_context() else self.app.app_context():
            message = compose(letter)
        recipients = [letter.to] if letter.real else []
        config = self.app.config
        if transport_of(config) == "memory":
            if letter.real:
                self.outbox.append(message)
        elif config["BROKER_URL"]:
            raw = _raw(message)
            try:
                enqueue(self.celery, raw, recipients)
            except Exception:  # the account is made; the user can ask for the mail again
                log.exception("could not queue a %s mail to %s", letter.template, letter.to)
        elif letter.real:
            where = deliver(config, _raw(message), recipients)
            log.warning("mail to %s (%s) delivered in-process to %s; its link: %s",
                        letter.to, letter.template, where, message["X-Pkyx-Link"] or "-")
        return message


def _raw(message: EmailMessage) -> str:
    """The mail as text with CRLF line ends (UTF-8 headers only where ASCII cannot do)."""
    policy = SMTP if _ascii_addresses(message) else SMTPUTF8.clone(linesep="\r\n")
    return message.as_bytes(policy=policy).decode("utf-8")


def _ascii_addresses(message: EmailMessage) -> bool:
    return all(str(message[name]).isascii() for name in ("From", "To"))


def init_mail(app: Flask) -> Postman:
    """The app's postman (``app.extensions["pkyx.postman"]``; the tests' outbox is
    ``app.extensions["pkyx.outbox"]``)."""
    postman = Postman(app)
    app.extensions["pkyx.postman"] = postman
    app.extensions["pkyx.outbox"] = postman.outbox
    return postman
