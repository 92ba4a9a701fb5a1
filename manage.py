#!/usr/bin/env python3
"""pkyx's command line: ``python manage.py --help``.

``run`` serves the app (development server), ``seed``, ``create-indexes``,
``create-admin``, ``export FILE``, ``import FILE``, ``gc-files``, ``routes``, ``shell``.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from app import create_app
from app.commands import exit_cleanly_on_sigterm


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """Manage the pkyx comparison wiki."""


if __name__ == "__main__":
    exit_cleanly_on_sigterm()
    cli()
