"""A bare Flask app: the floor the peer benchmark holds pkyx's ``/healthz`` to.

One route, answering what pkyx's liveness probe answers, with Flask's defaults::

    .venv/bin/gunicorn bench.peers.flask_app:app
"""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok", store="embedded"), {"Cache-Control": "no-store"}
