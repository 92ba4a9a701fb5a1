"""Follow the API's own OpenAPI links in chains of calls (schemathesis, stateful).

The document links each create to reading, changing and deleting what it made, passing
on the ETag it answered as If-Match (writes) or If-None-Match (reads). Schemathesis turns
the links into a state machine: a scenario starts from a create (or another operation
that needs no earlier answer) and follows links from real answers, a few steps deep.
Every answer meets the five checks of the stateless run and the ones only chains can
make: schemathesis' ``use_after_free`` (what was deleted is gone) and
``ensure_resource_availability``, and two of ours that ask the scenario's history
directly: the ``Location`` a create answered leads to the resource, and the ETag an
answer carried is accepted as If-Match by the next write (no 412 unless someone wrote
in between). A stale If-Match stops a request before its body is read, so here a 412
also counts as refusing schema-violating data.

One app serves the whole run, as an admin with a Bearer token (so DELETE works too);
before each scenario its store is put back to the seeded state, so a scenario replays
the same way and earlier ones leave no taken slugs behind. Half the JSON bodies of the
positive cases are made plausible (an existing category, a title on one line…) so chains
get past validation to updates and deletes; the other half stay random. Only the
document's links are followed (schemathesis' link inference is off); the run is
derandomized and bounded, and must reach the successes listed in :data:`REACHED`.
The last tests break the server on purpose and expect the run to fail.
"""

from __future__ import annotations

import zlib
from collections import Counter
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from app.api.openapi_doc import build_document
from app.extensions import limiter

from .conftest import API, PASSWORD, auth_header, bearer

pytestmark = pytest.mark.slow


def run_settings(max_examples: int, steps: int) -> settings:
    """Bounded, repeatable Hypothesis settings for a state machine run."""
    return settings(max_examples=max_examples, stateful_step_count=steps, deadline=None,
                    derandomize=True, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))


#: About 40 s of CPU here (the category operations share the steps); every link is
#: followed, updates and deletes succeed many times.
SETTINGS = run_settings(max_examples=350, steps=12)

#: (operation, status) pairs the run must reach, so it cannot pass by stopping early
#: (at a 400, a 404 or a 428): creates, reads, guarded updates and deletes through links.
REACHED = {
    ("POST /entries", 201), ("GET /entries/{ident}", 304),
    ("PATCH /entries/{ident}", 200), ("PUT /entries/{ident}", 200),
    ("DELETE /entries/{ident}", 204), ("POST /entries/{ident}/attributes", 201),
    ("GET /entries/{ident}/attributes", 200), ("GET /entries/{ident}/revisions", 200),
    # PUT …/attributes/{key} is reached through its link, but a random value rarely fits
    # the attribute's type (400): test_wiki_state_machine.py drives its successes.
    ("GET /entries/{ident}/attributes/{key}", 304),
    ("DELETE /entries/{ident}/attributes/{key}", 204),
    ("POST /attributes", 201), ("PATCH /attributes/{key}", 200),
    ("DELETE /attributes/{key}", 204),
    ("POST /users", 201), ("GET /users/{ident}", 200), ("PATCH /users/{ident}", 200),
    ("DELETE /users/{ident}", 204), ("POST /tokens", 201), ("DELETE /tokens", 204),
    # Categories: a random PATCH or merge body rarely names a parent, attributes or a
    # category to merge into that exist (400); test_wiki_state_machine.py drives those.
    ("POST /categories", 201), ("GET /categories/{slug}", 304),
    ("DELETE /categories/{slug}", 204),
}

# Restoring needs a deleted entry, which no link can hand over (a DELETE answers no body,
# and schemathesis' use_after_free counts any later success on its path as a failure):
# as a scenario's start it is only refused, and spent a third of the steps on that. The
# stateless run fuzzes it and test_wiki_state_machine.py drives its successes.
schema = schemathesis.openapi.from_dict(build_document()).exclude(operation_id="restoreEntry")
schema.config.update(base_url="http://localhost" + API)
schema.config.phases.stateful.inference.algorithms = []  # the document's links only
#: The server checks If-Match before it reads the body, and in a chain the ETag a link
#: passes on may be stale (a sibling step wrote since): a 412 refuses bad data too.
REFUSALS = schema.config.checks.negative_data_rejection
REFUSALS.expected_statuses = [*REFUSALS.expected_statuses, "412"]
Workflow = schema.as_state_machine()


@schema.hook
def before_generate_path_parameters(context, strategy):
    """Half the time, aim an entry's path at the seeded entry instead of random text.

    Links put their own values over these; this helps the steps that start a scenario
    with a path parameter (adding an attribute to an entry) reach a real entry.
    """
    if not context.operation.path.startswith("/entries/"):
        return strategy
    seeded = strategy.map(lambda params: {**params, "ident": "pixel-8"}
                          if isinstance(params, dict) and "ident" in params else params)
    return st.one_of(strategy, seeded)


JSON = ("application/json", "application/merge-patch+json")


def plausible(body: dict, n: int) -> dict:
    """``body`` with fields that random text rarely gets right made valid (the ``n``-th)."""
    made = dict(body)
    for name, value in {"title": f"Phone {n}", "category": "phones", "label": f"Spec {n}",
                        "username": f"user{n}", "email": f"user{n}@example.org",
                        "password": PASSWORD}.items():
        if name in made:
            made[name] = value
    for name in ("slug", "unit", "better", "group", "order", "website", "current_password"):
        made.pop(name, None)
    if "attributes" in made:
        made["attributes"] = {"weight": f"{150 + n} g"}
    if "value" in made:
        made.update({"key": f"spec_{n}", "value": f"value {n}", "type": "text"}
                    if "key" in made else {"value": f"value {n}"})
        made.pop("label", None)
    return made


def snapshot(db) -> dict[str, list[dict]]:
    """Every document of every collection of ``db``."""
    return {name: list(db[name].find()) for name in db.list_collection_names()}


def restore(db, saved: dict[str, list[dict]]) -> None:
    """Put ``db`` back to ``saved`` (collections made since are emptied)."""
    for name in db.list_collection_names():
        db[name].delete_many({})
    for name, docs in saved.items():
        if docs:
            db[name].insert_many([dict(doc) for doc in docs])


def resource_path(url: str) -> str:
    """The resource a URL names below the API root: ``/entries/pixel-8`` for its
    attributes too."""
    path = unquote(urlsplit(url).path).removeprefix(API)
    return "/".join(path.split("/")[:3])


def answered_about(answer) -> str:
    """The resource an answer is about: its ``Location`` if it made one, else its own."""
    location = answer.headers.get("location", [answer.request.url])[0]
    return resource_path(location)


def written_since(ctx, parent, case, resource: str) -> bool:
    """Whether a step after ``parent`` (other than ``case``) wrote to ``resource``."""
    after = False
    for other in ctx.internals.find_all_cases():
        answer = ctx.internals.find_response(case_id=other.id)
        if (after and other.id != case.id and other.method.upper() != "GET"
                and answer is not None and 200 <= answer.status_code < 300
                and resource_path(answer.request.url) == resource):
            return True
        after = after or other.id == parent.id
    return False


def parent_and_answer(ctx, case):
    """The step whose answer ``case``'s link read, and that answer (or ``None``s)."""
    parent = ctx.internals.find_parent(case_id=case.id)
    if parent is None:
        return None, None
    return parent, ctx.internals.find_response(case_id=parent.id)


def created_resource_is_there(ctx, response, case) -> None:
    """A link from a create (201) to its ``Location`` finds the resource (no 404), unless
    a later step wrote to it (a write may have removed it).

    Schemathesis' own ``ensure_resource_availability`` only fires when it sees every
    parameter as supplied from outside, and it counts a path parameter a link fills in
    as generated: on its own it does not notice a created entry that cannot be read.
    """
    parent, created = parent_and_answer(ctx, case)
    if response.status_code != 404 or created is None or created.status_code != 201:
        return
    location = created.headers.get("location", [""])[0]
    if unquote(urlsplit(response.request.url).path) != unquote(urlsplit(location).path):
        return
    if not written_since(ctx, parent, case, answered_about(created)):
        raise AssertionError(f"{case.operation.label} answered 404 for {location}, the "
                             f"Location {parent.operation.label} had just answered with 201")


def linked_etag_is_current(ctx, response, case) -> None:
    """A write to the resource the step before just answered about, with the ETag it
    answered as If-Match, is not refused as stale (412) unless a later step wrote to it."""
    parent, answered = parent_and_answer(ctx, case)
    if response.status_code != 412 or answered is None or answered.status_code >= 300:
        return
    etag = answered.headers.get("etag", [None])[0]
    resource = answered_about(answered)
    if (etag is None or (case.headers or {}).get("If-Match") != etag
            or resource_path(response.request.url) != resource):
        return
    if not written_since(ctx, parent, case, resource):
        raise AssertionError(f"{case.operation.label} answered 412 to If-Match {etag}, the "
                             f"ETag {parent.operation.label} had just answered")


def available_unless_written(ctx, response, case):
    """Schemathesis' ``ensure_resource_availability``, unless a later step wrote to the
    resource: it knows a DELETE removes one, not that a merge (a POST to
    ``/categories/{slug}/merge``) removes the category merged away."""
    parent, created = parent_and_answer(ctx, case)
    if created is not None and written_since(ctx, parent, case, answered_about(created)):
        return None
    return ensure_resource_availability(ctx, response, case)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection,
          use_after_free, available_unless_written, created_resource_is_there,
          linked_etag_is_current]


def workflow_for(app, admin: dict[str, str], reached: Counter) -> type:
    """The document's state machine, run in-process against ``app`` as ``admin``."""
    db = app.extensions["pkyx.store"].db
    seeded = snapshot(db)

    class AppWorkflow(Workflow):
        """Calls ``app`` over WSGI; counts what each operation answered in ``reached``."""

        def setup(self):
            """Each scenario starts from the seeded store and fresh rate-limit counters."""
            restore(db, seeded)
            with app.app_context():
                limiter.reset()
            self.made = 0

        def before_call(self, case):
            """Make half the positive JSON bodies plausible (picked by a hash: runs repeat).

            Schemathesis checks a changed body against the schema again, so the case
            stays positive; only JSON, because it would misjudge a multipart file.
            """
            if (case.media_type in JSON and isinstance(case.body, dict)
                    and case.meta is not None and case.meta.generation.mode.is_positive
                    and zlib.crc32(repr(case.body).encode()) % 2 == 0):
                self.made += 1
                case.body = plausible(case.body, self.made)

        def get_call_kwargs(self, case):
            """The admin's Bearer token; Basic to get a token; the token itself to revoke it."""
            headers = admin
            if case.operation.label == "POST /tokens":
                headers = auth_header("alice", PASSWORD)
            elif case.operation.label == "DELETE /tokens":
                parent = self.recorder.find_parent(case_id=case.id)
                issued = parent and self.recorder.find_response(case_id=parent.id)
                if issued and issued.status_code == 201:
                    headers = bearer(issued.json()["token"])
            return {"app": app, "headers": dict(headers)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            """Run :data:`CHECKS`, the stateful ones with this scenario's history."""
            reached[case.operation.label, response.status_code] += 1
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs,
                                   recorder=self.recorder)

    return AppWorkflow


@pytest.fixture
def seeded(client, phones, repos):
    """An admin (registered through the API, promoted as create-admin does) with a Bearer
    header, and one entry, ``pixel-8``."""
    response = client.post(f"{API}/users", json={
        "username": "alice", "email": "alice@example.org", "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    repos.users.set_role(repos.users.get("alice")["_id"], "admin")
    response = client.post(f"{API}/tokens", headers=auth_header("alice", PASSWORD))
    assert response.status_code == 201, response.get_json()
    headers = bearer(response.get_json()["token"])
    response = client.post(f"{API}/entries", headers=headers, json={
        "title": "Pixel 8", "category": "phones", "attributes": {"weight": "187 g"}})
    assert response.status_code == 201, response.get_json()
    return headers


def test_links_lead_to_what_was_made(app, seeded):
    """Chains of create → read → update → delete keep the contract, statefully too."""
    reached = Counter()
    workflow_for(app, seeded, reached).run(settings=SETTINGS)
    missing = REACHED - set(reached)
    assert not missing, f"never reached: {sorted(missing)}; reached: {sorted(reached.items())}"


def test_a_lost_entry_fails_the_run(app, seeded, monkeypatch):
    """The run has teeth: an entry that cannot be read right after it was made fails it."""
    from app.api.entries import EntryItem
    from app.domain.errors import NotFound

    def lost(self, ident):
        raise NotFound("Entry", ident)

    monkeypatch.setattr(EntryItem, "get", lost)
    with pytest.raises(FailureGroup, match=r"GET /entries/\{ident\} answered 404"):
        workflow_for(app, seeded, Counter()).run(settings=SETTINGS)


def test_an_entry_that_outlives_its_delete_fails_the_run(app, seeded, monkeypatch):
    """The run has teeth: a DELETE that answers 204 but keeps the entry fails it."""
    from app.api.entries import EntryItem

    monkeypatch.setattr(EntryItem, "delete", lambda self, ident: ("", 204))
    with pytest.raises(FailureGroup, match="for a resource that was previously deleted"):
        workflow_for(app, seeded, Counter()).run(settings=SETTINGS)


def test_a_create_that_answers_a_stale_etag_fails_the_run(app, seeded, monkeypatch):
    """The run has teeth: a create whose ETag is not the entry's current one fails it."""
    from app.api import entries

    answer = entries.entry_response

    def stale(doc, status=200, headers=None):
        response = answer(doc, status, headers)
        if status == 201:
            response.set_etag("not-the-current-one")
        return response

    monkeypatch.setattr(entries, "entry_response", stale)
    with pytest.raises(FailureGroup, match='answered 412 to If-Match "not-the-current-one"'):
        workflow_for(app, seeded, Counter()).run(settings=SETTINGS)
