"""Request ids: X-Request-ID on every answer, in g, in the log lines and on 5xx answers."""

from __future__ import annotations

import logging
import re

import pytest
from flask import g

from app import LOG_FORMAT, configure_logging
from app.request_ids import NO_REQUEST, RequestIdFilter

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def explode(app):
    """A route that fails with a bug."""

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    return "/explode"


@pytest.mark.parametrize("path", ["/", "/healthz", "/missing", "/api/v1/entries",
                                  "/api/v1/nope", "/static/favicon.svg"])
def test_every_answer_names_its_request(client, path):
    """A fresh uuid4 hex id on pages, probes, errors, the API and static files."""
    response = client.get(path)
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])
    response.close()


def test_ids_differ_between_requests(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("sent", ["a3f9c2d1e0b84c6f9a7b5d3e1f0c2a4b", "edge-01.req_7", "x" * 64])
def test_a_valid_id_from_the_proxy_is_kept(client, sent):
    """nginx's $request_id (or any [A-Za-z0-9._-]{1,64}) comes back as it was sent."""
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent


@pytest.mark.parametrize("sent", ["", "x" * 65, "has space", "semi;colon", "ünïcode",
                                  "<script>", "a/b", "line\tbreak"])
def test_anything_else_is_replaced(client, sent):
    """A malformed id never reaches the logs or the answer: a fresh one is made."""
    answered = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert HEX_ID.fullmatch(answered) and answered != sent


def test_the_id_is_in_g_and_in_the_log_lines_of_the_request(app, client):
    """``g.request_id`` is the answered id; records logged in the request carry it."""
    seen = {}
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("tests.request_ids")
    logger.addHandler(handler)

    @app.get("/noted")
    def noted():
        seen["g"] = g.request_id
        logger.warning("inside")
        return "ok"

    try:
        response = client.get("/noted", headers={"X-Request-ID": "req-42"})
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    assert seen["g"] == response.headers["X-Request-ID"] == "req-42"
    assert [(r.getMessage(), r.request_id) for r in records] == [("inside", "req-42"),
                                                                 ("outside", NO_REQUEST)]


def test_the_log_format_names_the_request_and_reads_well_without_one(app, monkeypatch):
    """configure_logging's handler formats every line, inside a request or not."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    configure_logging(app)
    (handler,) = root.handlers
    assert handler.formatter._fmt == LOG_FORMAT
    record = logging.LogRecord("app.x", logging.INFO, __file__, 1, "started", None, None)
    handler.filter(record)
    assert handler.format(record).endswith(" INFO app.x [-]: started")
    with app.test_request_context(headers={"X-Request-ID": "req-7"}):
        record = logging.LogRecord("app.x", logging.INFO, __file__, 1, "served", None, None)
        handler.filter(record)
        assert handler.format(record).endswith(" INFO app.x [req-7]: served")


def test_a_500_problem_carries_the_request_id(client, explode):
    """JSON clients can quote the id of a failed request; nothing else leaks."""
    response = client.get(explode, headers={"Accept": "application/json",
                                            "X-Request-ID": "req-500"})
    body = response.get_json()
    assert response.status_code == 500 and body["request_id"] == "req-500"
    assert "secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("lang, label", [("en", "Request ID: "), ("zh_Hans", "请求编号：")])
def test_the_500_page_shows_the_request_id(client, explode, lang, label):
    """Small on the page, in the reader's language."""
    response = client.get(f"{explode}?lang={lang}", headers={"X-Request-ID": "req-page"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and f"{label}req-page" in html


def test_client_errors_carry_no_request_id(client):
    """A 4xx is about the request itself: no id in the body (the header still has it)."""
    response = client.get("/api/v1/nope")
    assert "request_id" not in response.get_json()
    assert "Request ID" not in client.get("/missing").get_data(as_text=True)
