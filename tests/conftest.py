"""Fixtures: app → client / runner / repos / wiki / accounts, and small factories."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from app import create_app

settings.register_profile(
    "pkyx", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile("pkyx")


@pytest.fixture
def app(tmp_path):
    """A fresh app on its own empty embedded store (no snapshot, no demo data)."""
    app = create_app("testing", {"PKYX_TEST_TMP": str(tmp_path)})
    yield app
    app.extensions["pkyx.store"].close()


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


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory):
    """An app with the demo data loaded (read-only use: shared by the session)."""
    app = create_app("testing", {"SEED_DEMO_DATA": True})
    yield app
    app.extensions["pkyx.store"].close()
