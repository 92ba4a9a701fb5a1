"""Helpers of the mail tests (and the deployment tests' mail check): an SMTP server that
keeps what it receives, a free port, polling with a deadline."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable

import pytest

__all__ = ["SmtpServer", "free_port", "wait_for"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float, what: str,
             step: float = 0.05) -> object:
    """Poll ``condition`` until it is true; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"timed out after {timeout} s waiting for {what}", pytrace=False)


class SmtpServer:
    """aiosmtpd on a fixed loopback port that keeps what it receives (thread-safe)."""

    def __init__(self, port: int):
        self.port = port
        self.received: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mails_to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m in self.received if m["To"] == address]

    def wait_for_mail(self, address: str, timeout: float) -> email.message.EmailMessage:
        found = wait_for(lambda: self.mails_to(address), timeout, f"a mail to {address}")
        return found[0]
