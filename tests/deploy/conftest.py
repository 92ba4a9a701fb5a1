"""Fixtures of the deployment tests: the real chain, started once per test module."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from .chain import ROOT, Chain

#: Seeds the demo into an instance folder; with ``damaged``, plus one entry whose stored
#: document is damaged (as a bad migration or a hand edit would leave it): reading it is
#: a bug → 500, which the tests of error answers need.
PREPARE = textwrap.dedent("""
    import copy, sys
    from app import create_app
    app = create_app("development")
    store = app.extensions["pkyx.store"]
    if sys.argv[1] == "clean":
        store.close()
        raise SystemExit
    damaged = copy.deepcopy(store.db.entries.find_one({}))
    del damaged["_id"]
    damaged.update(slug="damaged-entry", title="Damaged Entry", attributes={"weight": "bare"})
    store.db.entries.insert_one(damaged)
    store.changed()
    store.close()
""")


def prepare_instance(instance, *, damaged: bool = False) -> None:
    """Seed ``instance`` the way a first start does (plus the damaged entry)."""
    env = {"PKYX_INSTANCE_PATH": str(instance), "PKYX_ENV": "development",
           "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", PREPARE, "damaged" if damaged else "clean"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """nginx → supervisord → gunicorn on the embedded store with the demo data."""
    workdir = tmp_path_factory.mktemp("chain")
    prepare_instance(workdir / "instance")
    with Chain(workdir) as running:
        yield running
