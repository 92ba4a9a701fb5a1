"""Operators' commands: ``manage.py seed | create-indexes | create-admin | block-user |
unblock-user | export | import | send-test-mail …``.

``run``, ``routes`` and ``shell`` come with Flask's CLI. With the embedded store a
command works on the snapshot in ``instance/``: stop the server first, because the
running server keeps its own copy in memory and would overwrite the snapshot.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .domain.errors import DomainError
from .repositories import dump, repositories
from .repositories.indexes import create_indexes

__all__ = ["register", "exit_cleanly_on_sigterm"]


def register(app: Flask) -> None:
    """Attach the commands to ``app.cli``."""
    for command in (seed_command, create_indexes_command, create_admin_command,
                    export_command, import_command, gc_files_command, check_command,
                    migrate_command, block_user_command, unblock_user_command,
                    send_test_mail_command):
        app.cli.add_command(command)


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so the embedded store writes its snapshot."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))


def _store():
    return current_app.extensions["pkyx.store"]


def _fail(message: str) -> None:
    """Stop the command with a message and exit status 1."""
    raise click.ClickException(message)


@contextmanager
def _refusals() -> Iterator[None]:
    """Stop the command with the message of a refusal (a DomainError) and exit status 1."""
    try:
        yield
    except DomainError as exc:
        _fail(getattr(exc, "message", str(exc)))


def _account_change(change: str, username: str, reason: str) -> dict:
    """The account after the :class:`~app.services.admin.Admin` method ``change`` (block,
    unblock), made by the operator."""
    from .services import admin
    from .services.admin import OPERATOR

    with _refusals():
        return getattr(admin(), change)(OPERATOR, username, reason)


@click.command("seed")
@with_appcontext
@click.option("--replace", is_flag=True, help="Delete everything first.")
@click.option("--password", envvar="PKYX_DEMO_PASSWORD",
              help="Password of the demo users (default: DEMO_PASSWORD in development).")
def seed_command(replace: bool, password: str | None) -> None:
    """Load the demo data: categories, entries, users with avatars, some history."""
    from .seed import seed_demo

    repos = repositories()
    if repos.entries.count() and not replace:
        _fail("The store already holds entries; pass --replace to start again from the demo.")
    if replace:
        dump.import_data(_store(), dump.empty(), replace=True)
    with _refusals():
        counts = seed_demo(current_app, password=password)
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))


@click.command("create-indexes")
@with_appcontext
def create_indexes_command() -> None:
    """Create every index the app's queries use (safe to run again)."""
    for name in create_indexes(_store().db):
        click.echo(name)


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="PKYX_ADMIN_PASSWORD")
def create_admin_command(username: str, email: str, password: str) -> None:
    """Create an admin account (or make an existing user an admin)."""
    from .services import accounts

    with _refusals():
        user = accounts().create_admin(username, email, password)
    click.echo(f"{user['username']} is an admin.")


@click.command("block-user")
@with_appcontext
@click.argument("username")
@click.option("--reason", required=True, help="Why (the account's owner is shown it).")
def block_user_command(username: str, reason: str) -> None:
    """Block an account: it cannot log in or write; its sessions and tokens end at once."""
    user = _account_change("block", username, reason)
    click.echo(f"{user['username']} is blocked: {reason.strip()}")


@click.command("unblock-user")
@with_appcontext
@click.argument("username")
@click.option("--reason", default="", help="Why (kept in the audit log).")
def unblock_user_command(username: str, reason: str) -> None:
    """Let a blocked account log in again."""
    user = _account_change("unblock", username, reason)
    click.echo(f"{user['username']} is no longer blocked.")


@click.command("export")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def export_command(file: str) -> None:
    """Write the whole wiki (users, entries, history, files) to FILE (.json or .json.gz)."""
    data = dump.export_data(_store())
    dump.write_file(file, data)
    counts = {name: len(docs) for name, docs in data["collections"].items()}
    files = sum(len(b["files"]) for b in data["buckets"].values())
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()) + f", {files} files")


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite a store that already holds data.")
def import_command(file: str, replace: bool) -> None:
    """Load a dump written by ``export``; a malformed file is refused and changes nothing."""
    try:
        counts = dump.import_data(_store(), dump.read_file(file), replace=replace)
    except dump.DumpError as exc:
        _fail(f"{file}: {exc}. Nothing was changed.")
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items() if n))


@click.command("gc-files")
@with_appcontext
def gc_files_command() -> None:
    """Remove GridFS files no user or entry points at, and chunks with no file."""
    from .services.maintenance import collect_garbage_files

    removed = collect_garbage_files(repositories())
    click.echo(f"removed {removed['files']} orphan files and {removed['chunks']} chunk sets")


@click.command("check")
@with_appcontext
@click.option("--repair", is_flag=True, help="Resolve what is found (see below).")
def check_command(repair: bool) -> None:
    """Check the store's rules; --repair resolves what it finds.

    No two documents share a unique key: the oldest keeps a repeated key; a younger
    account gets a placeholder e-mail address or a new user name, a younger entry a new
    slug, younger copies of anything else are removed. Every entry is the replay of its
    revisions: a revision that a dead process left ahead of its entry is taken back (once a
    minute old), an entry that differs from its history is put back to what it rebuilds.
    Counters (entries per category, each account's creations and edits) are counted again.
    Exit status 1 while a problem remains.
    """
    from .services import wiki
    from .services.maintenance import check_store

    report = check_store(repositories(), repair=repair, wiki=wiki())
    for problem in report.problems:
        click.echo(f"found: {problem}")
    for change in report.repairs:
        click.echo(f"repaired: {change}")
    if report.problems and not report.repairs:
        _fail(f"{len(report.problems)} problem(s); run `manage.py check --repair` to resolve "
              "them (stop the server first with the embedded store).")
    click.echo("The store is sound." if not report.problems else "The store is sound again.")


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Bring a database written by an older pkyx up to date (safe to run again).

    Links contributions stored by name only to their accounts' ids, reserves the names
    of deleted accounts, gives revisions stored before they named their entry's
    category that category, and marks accounts made before e-mail confirmation existed
    as confirmed. Imports and the embedded store's snapshot do this by themselves; a
    MongoDB database that an older pkyx wrote needs it once.
    """
    from .repositories.migrations import migrate

    store = _store()
    with store.writing():
        counts = migrate(store.db)
    store.changed()
    click.echo(f"{counts['linked']} contributions linked to their accounts, "
               f"{counts['unlinked']} by accounts that are gone, "
               f"{counts['reserved']} names of deleted accounts reserved, "
               f"{counts['backfilled']} revisions given their entry's category "
               f"({counts['unknown']} of entries gone without one), "
               f"{counts['confirmed']} older accounts marked confirmed")



@click.command("send-test-mail")
@with_appcontext
@click.argument("address")
@click.option("--lang", type=click.Choice(["en", "zh_Hans"]), default="en",
              help="The language of the message.")
def send_test_mail_command(address: str, lang: str) -> None:
    """Send a test message to ADDRESS the way account mail goes (queue or in-process)."""
    from .domain.accounts import check_email
    from .mail.delivery import transport_of
    from .services import mail_service

    with _refusals():
        address = check_email(address)
    mail_service().send_test(address, lang)
    config = current_app.config
    if transport_of(config) == "memory":
        how = "kept in memory (tests)"
    elif config["BROKER_URL"]:
        how = f"queued on {_redacted(config['BROKER_URL'])}; the pkyx-mail worker sends it"
    elif transport_of(config) == "smtp":
        how = f"sent to {config['MAIL_HOST']}:{config['MAIL_PORT']}"
    else:
        how = f"written to {config['MAIL_DIR']}"
    click.echo(f"A test message to {address}: {how}.")


def _redacted(url: str) -> str:
    """A broker URL without its password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
