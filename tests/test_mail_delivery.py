"""How a finished mail leaves, without Redis: the SMTP client against a real aiosmtpd
server on loopback (in this process), the .eml folder, and the worker's task body."""

from __future__ import annotations

import importlib
import smtplib
import sys

import pytest

from app.mail.delivery import PermanentFailure, deliver, send_smtp, transport_of, write_eml
from tests.mail.smtp import SmtpServer, free_port

RAW = ("From: pkyx <no-reply@localhost>\r\nTo: ann@example.org\r\nSubject: Hi\r\n"
       "Message-ID: <1@localhost>\r\n\r\nHello.\r\n")


class Refusing(SmtpServer):
    """An SMTP server that refuses every mail with ``code``."""

    def __init__(self, port: int, code: int):
        super().__init__(port)
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"{self.code} 5.1.1 No such mailbox" if self.code >= 500 else \
            f"{self.code} 4.2.0 Try later"


@pytest.fixture
def server():
    smtp = SmtpServer(free_port())
    smtp.start()
    yield smtp
    smtp.stop()


def settings(port: int, **more) -> dict:
    return {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 3,
            "MAIL_SENDER": "pkyx <no-reply@localhost>", "MAIL_STARTTLS": False,
            "MAIL_TLS": False, "MAIL_USER": "", "MAIL_PASSWORD": "", **more}


def test_smtp_delivers_the_mail_as_written(server):
    assert deliver(settings(server.port), RAW, ["ann@example.org"]).startswith("smtp://")
    [mail] = server.mails_to("ann@example.org")
    assert mail["Message-ID"] == "<1@localhost>" and mail.get_content().strip() == "Hello."


def test_a_5xx_refusal_is_permanent_and_a_4xx_is_not():
    for code, error in ((550, PermanentFailure), (451, smtplib.SMTPRecipientsRefused)):
        smtp = Refusing(free_port(), code)
        smtp.start()
        try:
            with pytest.raises(error):
                send_smtp(settings(smtp.port), RAW, ["ann@example.org"])
        finally:
            smtp.stop()


def test_a_server_that_is_down_is_a_temporary_error():
    with pytest.raises(OSError):
        send_smtp(settings(free_port()), RAW, ["ann@example.org"])


def test_starttls_is_refused_when_the_server_does_not_offer_it(server):
    """Asked for STARTTLS, the client never falls back to plain text."""
    with pytest.raises(smtplib.SMTPNotSupportedError):
        send_smtp(settings(server.port, MAIL_STARTTLS=True), RAW, ["ann@example.org"])
    assert server.received == []


def test_without_a_host_mail_goes_to_files(tmp_path):
    config = {"MAIL_HOST": "", "MAIL_DIR": str(tmp_path / "mail")}
    assert transport_of(config) == "file"
    path = deliver(config, RAW, ["ann@example.org"])
    assert path.endswith(".eml") and "Subject: Hi" in (tmp_path / "mail" / path.rsplit(
        "/", 1)[1]).read_text()
    assert write_eml(tmp_path / "mail", RAW) != path  # never the same name twice


@pytest.fixture
def worker_module(monkeypatch, tmp_path):
    """app.mail.worker as the worker imports it (development settings, a tmp instance)."""
    for name in list(k for k in __import__("os").environ if k.startswith("PKYX_")):
        monkeypatch.delenv(name)
    monkeypatch.setenv("PKYX_ENV", "development")
    monkeypatch.setenv("PKYX_INSTANCE_PATH", str(tmp_path))
    sys.modules.pop("app.mail.worker", None)
    module = importlib.import_module("app.mail.worker")
    yield module
    sys.modules.pop("app.mail.worker", None)


def test_the_task_sends_drops_and_gives_up_as_it_should(worker_module, server, monkeypatch):
    """The task body: a stand-in (no recipients) is dropped; a mail is sent; a 5xx is
    given up; a temporary failure is raised for Celery to retry."""
    task = worker_module.send_mail
    monkeypatch.setitem(worker_module.settings, "MAIL_HOST", "127.0.0.1")
    monkeypatch.setitem(worker_module.settings, "MAIL_PORT", server.port)
    assert task.run(RAW, []) == "dropped"
    assert task.run(RAW, ["ann@example.org"]) == "sent"
    assert len(server.mails_to("ann@example.org")) == 1
    refusing = Refusing(free_port(), 550)
    refusing.start()
    try:
        monkeypatch.setitem(worker_module.settings, "MAIL_PORT", refusing.port)
        assert task.run(RAW, ["ann@example.org"]) == "refused"
    finally:
        refusing.stop()
    monkeypatch.setitem(worker_module.settings, "MAIL_PORT", free_port())
    with pytest.raises(OSError):  # called directly, Celery re-raises instead of retrying
        task.run(RAW, ["ann@example.org"])
    assert task.acks_late and task.reject_on_worker_lost
