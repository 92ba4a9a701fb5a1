"""pkyx: a comparison wiki. ``create_app`` builds the Flask application.

Example::

    app = create_app("testing")
    client = app.test_client()
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from flask import Flask

from conf import config_for

from .domain.accounts import PasswordHasher
from .flask_app import Pkyx, replace_hook
from .json import OrjsonProvider
from .repositories import Repositories
from .services import Accounts, Admin, Categories, Definitions, Names, Reads, Wiki
from .store import open_store

__all__ = ["create_app"]

log = logging.getLogger(__name__)

#: "-" stands for the request id of lines logged outside a request.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def create_app(env: str | None = None, overrides: Mapping[str, object] | None = None) -> Flask:
    """Build the app for ``env`` (default ``PKYX_ENV``), with optional setting overrides."""
    app = Pkyx(__name__, instance_path=os.environ.get("PKYX_INSTANCE_PATH") or None,
                instance_relative_config=True)
    app.config.from_mapping(config_for(env, app.instance_path).as_dict())
    if overrides:
        app.config.from_mapping(overrides)
    app.json = OrjsonProvider(app)
    configure_logging(app)
    register_proxy(app)
    register_store(app)
    register_health(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure_logging(app: Flask) -> None:
    """Log to stderr at INFO (gunicorn and supervisor collect it), naming the request."""
    from .request_ids import RequestIdFilter

    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
        for handler in root.handlers:
            handler.addFilter(RequestIdFilter())


def register_proxy(app: Flask) -> None:
    """Behind nginx: take the client's address, scheme and host from X-Forwarded-*.

    Only ``PROXY_COUNT`` hops are trusted; with 0 the headers are ignored, so a client
    talking to the app directly cannot choose the address the rate limits count.
    """
    hops = app.config["PROXY_COUNT"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=0)


def register_store(app: Flask) -> None:
    """Open the store, build the repositories and services, load or seed demo data."""
    store = open_store(app)
    repos = Repositories(store)
    app.extensions["pkyx.repos"] = repos
    hasher = PasswordHasher(app.config["ARGON2_MEMORY_KIB"], app.config["ARGON2_TIME_COST"],
                            app.config["ARGON2_PARALLELISM"])
    app.extensions["pkyx.reads"] = Reads(repos)
    app.extensions["pkyx.wiki"] = wiki = Wiki(repos)
    app.extensions["pkyx.names"] = Names(repos, wiki.suggestions)
    app.extensions["pkyx.categories"] = Categories(repos, wiki)
    app.extensions["pkyx.definitions"] = Definitions(repos, wiki)
    app.extensions["pkyx.accounts"] = accounts = Accounts(repos, hasher)
    app.extensions["pkyx.admin"] = Admin(repos, wiki)
    register_mail(app, repos, accounts)
    app.context_processor(lambda: {"store_description": store.description,
                                   "store_database": store.db.name,
                                   "store_embedded": store.embedded,
                                   "store_read_only": bool(store.read_only)})
    if not store.embedded:  # the embedded store makes its indexes as it loads
        app.before_request(lambda: store.build_indexes())
    else:
        log.warning("pkyx runs on %s: data lives in this process and in %s", store.description,
                    store.snapshot_path or "memory only")
        try:
            _load_or_seed(app, store)
        except BaseException:
            store.abandon()
            raise


def register_mail(app: Flask, repos: Repositories, accounts: Accounts) -> None:
    """Account mail: signed links, and the postman that writes and queues the mail."""
    from .mail import init_mail
    from .services.account_mail import AccountMail
    from .services.links import AccountLinks

    links = AccountLinks(app.secret_key, confirm_seconds=app.config["CONFIRM_LINK_SECONDS"],
                         reset_seconds=app.config["RESET_LINK_SECONDS"])
    accounts.mail = AccountMail(repos, accounts, links, init_mail(app))
    app.extensions["pkyx.account_mail"] = accounts.mail


def _load_or_seed(app: Flask, store) -> None:
    """Load the embedded store's snapshot, or start it with indexes and demo data."""
    if not store.load_snapshot():
        from .repositories.indexes import create_indexes

        create_indexes(store.db)
        if app.config["SEED_DEMO_DATA"]:
            from .seed import seed_demo

            with app.app_context():
                seed_demo(app)
            store.save_snapshot()


def register_health(app: Flask) -> None:
    """Request ids and the store's circuit breaker, before any other per-request hook."""
    from .health import init_health
    from .request_ids import init_request_ids

    init_request_ids(app)
    init_health(app)


def register_extensions(app: Flask) -> None:
    """Sessions, CSRF protection, languages, security headers, versioned static URLs."""
    from .assets import init_asset_versions
    from .extensions import csrf
    from .i18n import init_i18n
    from .security import init_security_headers
    from .web.filters import register_filters
    from .web.session import init_sessions
    from .web.values_html import register_value_html

    register_filters(app)
    register_value_html(app)
    init_sessions(app)
    csrf.init_app(app)
    _csrf_only_on_unsafe_methods(app)
    init_i18n(app)
    init_security_headers(app)
    init_asset_versions(app)


def _csrf_only_on_unsafe_methods(app: Flask) -> None:
    """Flask-WTF's hook asks whether the view is exempt before whether the method needs a
    token at all; a GET needs none, so ask that first (what it decides is the same)."""
    from flask import request

    def guard(protect):
        def csrf_protect():
            if request.method in app.config["WTF_CSRF_METHODS"]:
                return protect()
            return None
        return csrf_protect

    replace_hook(app.before_request_funcs,
                 lambda f: getattr(f, "__qualname__", "") == "CSRFProtect.init_app.<locals>."
                                                              "csrf_protect", guard)


def register_blueprints(app: Flask) -> None:
    """Attach the pages and the REST API (which takes no cookies, so no CSRF)."""
    from .api import init_api
    from .extensions import csrf
    from .web import (
        account,
        admin,
        auth,
        categories,
        compare,
        definitions,
        docs,
        entries,
        main,
        users,
    )

    for blueprint in (main.bp, auth.bp, account.bp, entries.bp, categories.bp, definitions.bp,
                      compare.bp, users.bp, docs.bp, admin.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(init_api(app))


def register_errorhandlers(app: Flask) -> None:
    """Turn every error into problem+json (API) or a page (site)."""
    from .errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the operators' commands to ``flask``/``manage.py``."""
    from . import commands

    commands.register(app)
