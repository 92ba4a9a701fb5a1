"""Account mail through the real queue: pages → Redis → the Celery worker → SMTP.

Every test talks to real processes on loopback (see conftest.py): the mail a registration
or a reset produces is the mail the SMTP server receives, and its link is followed through
the pages. The failure tests take the SMTP server down, and kill the worker with SIGKILL.
"""

from __future__ import annotations

import re
import statistics
import time

import pytest

from .smtp import wait_for

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LINK = re.compile(r"http://pkyx\.test(/(?:confirm|reset)/\S+)")

pytestmark = pytest.mark.slow


def csrf(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def register(client, username: str):
    return client.post("/register", data={
        "username": username, "email": f"{username}@example.org", "password": PASSWORD,
        "csrf_token": csrf(client, "/register")})


def link_of(mail) -> str:
    """The link in the mail's plain text, as a path on the app."""
    return LINK.search(mail.get_body(("plain",)).get_content()).group(1)


def login(client, username: str, password: str):
    return client.post("/login", data={"login": username, "password": password,
                                       "csrf_token": csrf(client, "/login")})


def test_registration_mail_arrives_and_its_link_confirms(mail_app, smtp):
    """A page registration queues the mail; the worker sends it; the link confirms."""
    client = mail_app.test_client()
    response = register(client, "queued")
    assert response.status_code == 302
    mail = smtp.wait_for_mail("queued@example.org", 20)
    assert mail["Subject"] == "Confirm your e-mail address for pkyx"
    assert mail.get_body(("html",)) is not None
    assert client.get(link_of(mail)).status_code == 302
    repos = mail_app.extensions["pkyx.repos"]
    assert repos.users.get("queued")["email_confirmed"] is True
    again = client.get(link_of(mail))
    assert again.status_code == 410 and "This link has been used" in again.get_data(
        as_text=True)


def test_a_reset_through_the_queue_ends_the_old_password_sessions_and_tokens(mail_app, smtp):
    """The reset mail arrives; the new password works, the old one, the old session and
    the old API token do not; the link is refused the second time."""
    accounts = mail_app.extensions["pkyx.accounts"]
    accounts.register("resetter", "resetter@example.org", PASSWORD, confirmed=True)
    old = mail_app.test_client()
    assert login(old, "resetter", PASSWORD).status_code == 302
    import base64

    basic = {"Authorization": "Basic " + base64.b64encode(
        f"resetter:{PASSWORD}".encode()).decode()}
    token = mail_app.test_client().post("/api/v1/tokens", headers=basic).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert "email" in old.get("/api/v1/users/resetter", headers=bearer).get_json()

    client = mail_app.test_client()
    sent = client.post("/reset", data={"email": "resetter@example.org",
                                       "csrf_token": csrf(client, "/reset")})
    assert sent.status_code == 200
    mail = smtp.wait_for_mail("resetter@example.org", 20)
    assert mail["Subject"] == "Reset your pkyx password"
    assert client.get(link_of(mail)).headers["Location"] == "/reset/password"
    done = client.post("/reset/password", data={
        "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf(client, "/reset/password")})
    assert done.status_code == 302

    assert old.get("/settings").status_code == 302  # sent to the login page
    assert "email" not in mail_app.test_client().get("/api/v1/users/resetter",
                                                     headers=bearer).get_json()
    assert login(mail_app.test_client(), "resetter", PASSWORD).status_code == 401
    assert login(mail_app.test_client(), "resetter", NEW_PASSWORD).status_code == 302
    assert mail_app.test_client().get(link_of(mail)).status_code == 410


def test_smtp_down_for_ten_seconds_then_up_delivers_once(mail_app, smtp, worker):
    """While the SMTP server is down the registration answers at once (the request never
    talks SMTP); the worker tries again with back-off and the mail arrives exactly once."""
    smtp.stop()
    try:
        client = mail_app.test_client()
        token = csrf(client, "/register")
        started = time.monotonic()
        response = client.post("/register", data={
            "username": "patient", "email": "patient@example.org", "password": PASSWORD,
            "csrf_token": token})
        answered = time.monotonic() - started
        assert response.status_code == 302
        assert answered < 1.0, f"registration took {answered:.2f} s"
        print(f"registration answered in {answered * 1000:.0f} ms with SMTP down")
        wait_for(lambda: "not sent (ConnectionRefusedError" in worker.output(), 10,
                 "the worker's first failed try")
        time.sleep(10)
        assert smtp.mails_to("patient@example.org") == []
    finally:
        smtp.start()
    down_until = time.monotonic()
    mail = smtp.wait_for_mail("patient@example.org", 20)
    print(f"mail arrived {time.monotonic() - down_until:.1f} s after the server came back")
    time.sleep(8)  # longer than any retry wait and Redis's hand-over: no second copy
    copies = smtp.mails_to("patient@example.org")
    assert len(copies) == 1 and copies[0]["Message-ID"] == mail["Message-ID"]
    assert worker.output().count("not sent") >= 3  # it did try again


def test_worker_killed_while_a_mail_waits_sends_it_after_restart(mail_app, smtp, worker):
    """SIGKILL the worker (and its pool) while it holds a mail waiting for its next try:
    nothing was acknowledged, so after a restart the mail is sent, once."""
    def received() -> int:
        return worker.output().count("] received")

    smtp.stop()
    try:
        before = received()
        register(mail_app.test_client(), "survivor")
        wait_for(lambda: "mail to survivor@example.org not sent" in worker.output(), 10,
                 "the worker to fail its first try")
        # The retry is on the queue and back in the worker, waiting for its time; the first
        # try's message is acknowledged just after (a kill in between would leave both,
        # and Celery's retries are at least once: see SECURITY.md, Known limits).
        wait_for(lambda: received() >= before + 2, 10, "the worker to take the retry")
        time.sleep(0.5)
        worker.kill()
    finally:
        smtp.start()
    time.sleep(3)
    assert smtp.mails_to("survivor@example.org") == []  # nobody is working on it
    worker.start()
    mail = smtp.wait_for_mail("survivor@example.org", 30)
    time.sleep(8)
    sent = [m["Message-ID"] for m in smtp.mails_to("survivor@example.org")]
    assert sent == [mail["Message-ID"]], worker.output()


def test_a_mail_queued_while_no_worker_runs_is_sent_when_one_starts(mail_app, smtp, worker):
    """The worker is down (killed) when the mail is queued: it waits in Redis."""
    worker.kill()
    try:
        register(mail_app.test_client(), "early")
        time.sleep(2)
        assert smtp.mails_to("early@example.org") == []
    finally:
        worker.start()
    smtp.wait_for_mail("early@example.org", 20)


def test_reset_for_unknown_and_known_addresses_looks_the_same(mail_app, smtp):
    """Status and body are the same, and the time taken is within the noise: 20 requests
    each, alternated; the medians differ by less than the spread of either."""
    accounts = mail_app.extensions["pkyx.accounts"]
    accounts.register("timed", "timed@example.org", PASSWORD, confirmed=True)
    client = mail_app.test_client()
    token = csrf(client, "/reset")
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    bodies: dict[str, set[tuple[int, str]]] = {"known": set(), "unknown": set()}
    addresses = {"known": "timed@example.org", "unknown": "nobody-here@example.org"}
    for _ in range(2):  # warm-up, not measured
        for address in addresses.values():
            client.post("/reset", data={"email": address, "csrf_token": token})
    for _ in range(20):
        for kind, address in addresses.items():
            started = time.perf_counter()
            response = client.post("/reset", data={"email": address, "csrf_token": token})
            times[kind].append(time.perf_counter() - started)
            bodies[kind].add((response.status_code,
                              response.get_data(as_text=True).replace(address, "ADDRESS")))
    assert len(bodies["known"]) == len(bodies["unknown"]) == 1
    assert bodies["known"] == bodies["unknown"]
    median = {kind: statistics.median(values) for kind, values in times.items()}
    spread = {kind: statistics.quantiles(values, n=4)[2] - statistics.quantiles(values, n=4)[0]
              for kind, values in times.items()}
    print("reset request times (ms): " + ", ".join(
        f"{kind} median {median[kind] * 1000:.2f} IQR {spread[kind] * 1000:.2f}"
        for kind in times))
    noise = max(spread["known"], spread["unknown"], 0.001)
    assert abs(median["known"] - median["unknown"]) <= noise, (median, spread)
    # Only the known address gets mail (22 requests for it: the limit is high in tests).
    wait_for(lambda: len(smtp.mails_to("timed@example.org")) == 22, 30, "22 reset mails")
    assert smtp.mails_to("nobody-here@example.org") == []


def test_send_test_mail_goes_through_the_queue(mail_app, smtp):
    """manage.py send-test-mail ADDRESS: queued, then received."""
    result = mail_app.test_cli_runner().invoke(args=["send-test-mail", "ops@example.org"])
    assert result.exit_code == 0, result.output
    assert "queued on redis://127.0.0.1:" in result.output
    mail = smtp.wait_for_mail("ops@example.org", 20)
    assert mail["Subject"] == "A test message from pkyx"
