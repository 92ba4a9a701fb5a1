"""Fixtures: app → client / runner / repos / wiki / accounts, and small factories.

**The store tier.** ``pytest --mongo-uri mongodb://host:27017`` (``make test-mongo``) runs
the repository, API and state-machine tests (:data:`STORE_TIER`) against that server:
the ``app`` fixture gives each test a database of its own on it, creates the indexes as
production does, and drops the database after the test. Without the option the same
fixture runs every test on the embedded store through a ``mongomock://`` URI naming a
database of its own, so this path is exercised by ``make test`` too.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, settings

from app import create_app
from app.repositories.indexes import create_indexes

settings.register_profile(
    "pkyx", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile("pkyx")


#: Tests that ``--mongo-uri`` runs: repositories, services, the API and its state machine.
STORE_TIER = ("tests/api/", "tests/test_wiki.py", "tests/test_accounts.py",
              "tests/test_paging_order.py", "tests/test_indexes.py", "tests/test_integrity.py")


def pytest_addoption(parser):
    parser.addoption("--mongo-uri", default=None, metavar="URI",
                     help="run the store tier against this MongoDB server (mongodb://…); "
                          "each test gets a database of its own, dropped after it")


def pytest_collection_modifyitems(config, items):
    """With --mongo-uri, keep the store tier (the rest is about the embedded store, pages,
    browsers and deployment, which that server does not change)."""
    if not config.getoption("--mongo-uri"):
        return
    kept = [item for item in items if item.nodeid.startswith(STORE_TIER)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


def database_uri(base: str, name: str) -> str:
    """``base`` (a mongodb:// or mongodb+srv:// URI) naming the database ``name``."""
    return urlsplit(base)._replace(path="/" + name).geturl()


@pytest.fixture
def store_uri(request) -> str:
    """The MONGO_URI of this test's own database: on --mongo-uri's server, else embedded."""
    name = f"pkyx_test_{uuid.uuid4().hex[:12]}"
    base = request.config.getoption("--mongo-uri")
    return database_uri(base, name) if base else f"mongomock://localhost/{name}"


@pytest.fixture
def app(tmp_path, store_uri):
    """A fresh app on an empty store of its own (no snapshot, no demo data)."""
    app = create_app("testing", {"PKYX_TEST_TMP": str(tmp_path), "MONGO_URI": store_uri})
    store = app.extensions["pkyx.store"]
    if not store.embedded:
        create_indexes(store.db)  # what the start-up builder does, before the test begins
    yield app
    if not store.embedded:
        store.client.drop_database(store.db.name)
    store.close()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def repos(app):
    """The app's repositories."""
    return app.extensions["pkyx.repos"]


@pytest.fixture
def wiki(app):
    """The app's wiki service."""
    return app.extensions["pkyx.wiki"]


@pytest.fixture
def definitions(app):
    """The app's attribute definition service."""
    return app.extensions["pkyx.definitions"]


@pytest.fixture
def accounts(app):
    """The app's account service."""
    return app.extensions["pkyx.accounts"]


@pytest.fixture
def phones(repos):
    """A 'phones' category and a few definitions, as an editor would have made them."""
    from app.domain.definitions import validate_definition

    repos.categories.upsert("phones", "Phones", "Smartphones")
    repos.categories.upsert("laptops", "Laptops", "Notebook computers")
    for fields in (
        {"key": "weight", "label": "Weight", "type": "number", "unit": "g", "better": "lower",
         "group": "Body", "order": 310},
        {"key": "screen", "label": "Screen size", "type": "number", "unit": "in",
         "better": "higher", "group": "Display", "order": 110},
        {"key": "five_g", "label": "5G", "type": "boolean", "better": "higher",
         "group": "Connectivity", "order": 510},
        {"key": "colors", "label": "Colours", "type": "list", "group": "Body", "order": 320},
    ):
        repos.definitions.insert(validate_definition(fields), "tester")
    return repos


@pytest.fixture
def alice(accounts):
    """A registered user."""
    return accounts.register("alice", "alice@example.org", "correct horse battery")


@pytest.fixture
def clock(monkeypatch):
    """``time.time`` stands still unless the test moves it (``clock.move(seconds)``): rate
    limit windows pass without waiting for the wall clock."""
    import time

    class Clock:
        now = time.time()

        def move(self, seconds: float) -> None:
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(time, "time", lambda: fake.now)
    return fake


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory):
    """An app with the demo data loaded (read-only use: shared by the session)."""
    app = create_app("testing", {"SEED_DEMO_DATA": True})
    yield app
    app.extensions["pkyx.store"].close()
