"""A write is several documents; it never half-happens (issue 16, item 3).

The wiki writes the revision first — its unique ``(entry_id, version)`` takes the version —
then the entry, then the counters. These tests make each step fail in turn and check that
the entry always equals the replay of its history (or that the write was refused whole),
that a lost reply counts as done, that a revision a dead process left behind is taken
back, and that ``manage.py check`` finds and ``--repair`` mends what is left: counters.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain import revisions
from app.domain.errors import StaleVersion
from app.services import AttributeInput
from app.services.maintenance import check_store


class Boom(RuntimeError):
    """The failure injected between two steps."""


@pytest.fixture
def pixel(wiki, phones, alice):
    return wiki.create_entry(alice, title="Pixel 8", category="phones",
                             attributes=[AttributeInput("weight", "187 g")])


def history(repos, entry_id) -> list[dict]:
    return repos.revisions.for_entry(entry_id)


def entry_of(repos, entry_id) -> dict | None:
    return repos.entries.by_ids([entry_id]).get(entry_id)


def assert_replays(repos, entry_id) -> None:
    """The entry is what its history rebuilds (or deleted by its last revision)."""
    assert revisions.replay_problem(history(repos, entry_id), entry_of(repos, entry_id)) is None


def fail(monkeypatch, target, name, *, after=False, times=1):
    """Make ``target.name`` raise Boom ``times`` times, before (or after) doing its work."""
    original = getattr(target, name)
    left = [times]

    def failing(*args, **kwargs):
        if left[0] <= 0:
            return original(*args, **kwargs)
        left[0] -= 1
        if after:
            original(*args, **kwargs)
        raise Boom(name)

    monkeypatch.setattr(target, name, failing)


def edit(wiki, alice, pixel, grams="180 g"):
    return wiki.set_attribute(alice, "pixel-8", pixel["version"],
                              AttributeInput("weight", grams))


# -- an edit ------------------------------------------------------------------------------


def test_an_edit_refused_at_its_revision_leaves_everything(wiki, repos, alice, pixel,
                                                             monkeypatch):
    fail(monkeypatch, repos.revisions, "add")
    with pytest.raises(Boom):
        edit(wiki, alice, pixel)
    assert entry_of(repos, pixel["_id"])["version"] == 1
    assert len(history(repos, pixel["_id"])) == 1


def test_an_edit_whose_entry_write_fails_is_refused_whole(wiki, repos, alice, pixel,
                                                         monkeypatch):
    fail(monkeypatch, repos.entries, "update")
    with pytest.raises(Boom):
        edit(wiki, alice, pixel)
    assert entry_of(repos, pixel["_id"])["attributes"]["weight"]["value"] == 187
    assert [r["version"] for r in history(repos, pixel["_id"])] == [1]  # taken back
    assert_replays(repos, pixel["_id"])
    assert edit(wiki, alice, pixel)["version"] == 2  # the version is free again


def test_an_edit_whose_reply_is_lost_counts_as_done(wiki, repos, alice, pixel, monkeypatch):
    fail(monkeypatch, repos.entries, "update", after=True)
    updated = edit(wiki, alice, pixel)
    assert updated["version"] == 2
    assert [r["version"] for r in history(repos, pixel["_id"])] == [1, 2]
    assert_replays(repos, pixel["_id"])


@pytest.mark.parametrize("counter", ["categories.add_entries", "users.count_contribution"])
def test_a_counter_that_fails_leaves_the_entry_whole_and_check_mends_it(
        wiki, repos, alice, pixel, monkeypatch, counter):
    repo, method = counter.split(".")
    fail(monkeypatch, getattr(repos, repo), method)
    with pytest.raises(Boom):
        wiki.edit_entry(alice, "pixel-8", 1, fields={"category": "laptops"},
                        set_attributes=[AttributeInput("weight", "180 g")])
    assert_replays(repos, pixel["_id"])
    found = check_store(repos, wiki=wiki)
    assert found.problems and all("counts" in problem for problem in found.problems)
    mended = check_store(repos, repair=True, wiki=wiki)
    assert mended.repairs
    assert check_store(repos, wiki=wiki).problems == []
    assert repos.categories.find("laptops")["entry_count"] == 1
    assert repos.categories.find("phones")["entry_count"] == 0
    assert repos.users.find("alice")["edit_count"] == 1


def test_a_store_that_goes_away_mid_write_leaves_the_revision_to_settle(
        wiki, repos, alice, pixel, monkeypatch):
    """The entry write fails and so does the look that would tell whether it landed: the
    writer's own error reaches the caller, and the revision stays for a later write (or
    check --repair) to settle once it is a minute old."""
    fail(monkeypatch, repos.entries, "update")
    fail(monkeypatch, repos.entries, "by_ids")
    with pytest.raises(Boom, match="update"):
        edit(wiki, alice, pixel)
    assert [r["version"] for r in history(repos, pixel["_id"])] == [1, 2]
    monkeypatch.setattr(wiki, "UNFINISHED_AFTER", timedelta(0))
    assert wiki.settle(pixel["_id"])
    assert_replays(repos, pixel["_id"])


# -- create, delete, restore, revert ----------------------------------------------------------


@pytest.mark.parametrize("after", [False, True])
def test_a_creation_whose_entry_write_fails(wiki, repos, alice, phones, monkeypatch, after):
    fail(monkeypatch, repos.entries, "insert", after=after)
    if after:  # the reply was lost: it is there
        entry = wiki.create_entry(alice, title="Galaxy", category="phones")
        assert_replays(repos, entry["_id"])
    else:
        with pytest.raises(Boom):
            wiki.create_entry(alice, title="Galaxy", category="phones")
        assert repos.entries.find_slug("galaxy") is None
        assert repos.revisions.col.count_documents({}) == 0
    assert check_store(repos, wiki=wiki).problems == []


@pytest.mark.parametrize("after", [False, True])
def test_a_deletion_whose_entry_write_fails(wiki, repos, alice, pixel, monkeypatch, after):
    fail(monkeypatch, repos.entries, "delete", after=after)
    if after:
        wiki.delete_entry(alice, "pixel-8", 1)
        assert entry_of(repos, pixel["_id"]) is None
        assert history(repos, pixel["_id"])[-1]["action"] == "delete"
    else:
        with pytest.raises(Boom):
            wiki.delete_entry(alice, "pixel-8", 1)
        assert entry_of(repos, pixel["_id"])["version"] == 1
        assert len(history(repos, pixel["_id"])) == 1
    assert_replays(repos, pixel["_id"])
    assert check_store(repos, wiki=wiki).problems == []


def test_a_restore_whose_entry_write_fails_is_refused_whole(wiki, repos, alice, pixel,
                                                           monkeypatch):
    wiki.delete_entry(alice, "pixel-8", 1)
    fail(monkeypatch, repos.entries, "restore")
    with pytest.raises(Boom):
        wiki.restore_entry(alice, str(pixel["_id"]))
    assert [r["action"] for r in history(repos, pixel["_id"])] == ["create", "delete"]
    assert_replays(repos, pixel["_id"])
    restored = wiki.restore_entry(alice, str(pixel["_id"]))
    assert restored["version"] == 3
    assert_replays(repos, pixel["_id"])


def test_a_revert_whose_entry_write_fails_is_refused_whole(wiki, repos, alice, pixel,
                                                          monkeypatch):
    edit(wiki, alice, pixel)
    fail(monkeypatch, repos.entries, "update")
    with pytest.raises(Boom):
        wiki.revert(alice, "pixel-8", 2, 1)
    assert [r["version"] for r in history(repos, pixel["_id"])] == [1, 2]
    assert_replays(repos, pixel["_id"])


# -- a process that dies between the revision and the entry -----------------------------------


@pytest.fixture
def orphan(wiki, repos, alice, pixel, monkeypatch):
    """Revision 2 recorded, the entry still at 1: the writer died before taking it back."""
    fail(monkeypatch, repos.entries, "update")
    fail(monkeypatch, repos.revisions, "take_back")
    with pytest.raises(Boom):
        edit(wiki, alice, pixel)
    assert [r["version"] for r in history(repos, pixel["_id"])] == [1, 2]
    assert entry_of(repos, pixel["_id"])["version"] == 1
    return pixel


def test_check_finds_a_revision_left_ahead_of_its_entry(wiki, repos, orphan):
    problems = check_store(repos, wiki=wiki).problems
    assert problems == ["entry pixel-8: version 2 (edit) never reached it (version 1)"]


def test_a_fresh_orphan_is_left_alone_as_a_write_in_flight(wiki, repos, alice, orphan):
    """Within a minute it may be a write still under way: the next writer is told the
    version is taken rather than undoing someone's write."""
    with pytest.raises(StaleVersion):
        edit(wiki, alice, orphan, "170 g")
    assert check_store(repos, repair=True, wiki=wiki).repairs == []


def test_an_old_orphan_is_taken_back_by_the_next_write(wiki, repos, alice, orphan,
                                                       monkeypatch):
    monkeypatch.setattr(wiki, "UNFINISHED_AFTER", timedelta(0))
    updated = edit(wiki, alice, orphan, "170 g")
    assert updated["version"] == 2 and updated["attributes"]["weight"]["value"] == 170
    assert history(repos, orphan["_id"])[-1]["changes"][0]["after"]["value"] == 170
    assert_replays(repos, orphan["_id"])


def test_check_repair_takes_back_an_old_orphan(wiki, repos, orphan, monkeypatch):
    monkeypatch.setattr(wiki, "UNFINISHED_AFTER", timedelta(0))
    mended = check_store(repos, repair=True, wiki=wiki)
    assert mended.repairs == ["entry pixel-8: took back version 2, a write that never finished"]
    assert check_store(repos, wiki=wiki).problems == []
    assert_replays(repos, orphan["_id"])


# -- check on a planted inconsistency ---------------------------------------------------------


def test_check_repair_puts_an_entry_back_to_its_history(wiki, repos, alice, pixel):
    repos.entries.col.update_one({"_id": pixel["_id"]},
                                 {"$set": {"title": "Tampered", "attributes.weight.value": 1}})
    problems = check_store(repos, wiki=wiki).problems
    assert problems == ["entry pixel-8: it differs from its history in attr.weight, title"]
    check_store(repos, repair=True, wiki=wiki)
    entry = entry_of(repos, pixel["_id"])
    assert entry["title"] == "Pixel 8" and entry["attributes"]["weight"]["value"] == 187
    assert entry["title_key"] == "pixel 8"
    assert check_store(repos, wiki=wiki).problems == []


def test_check_command_on_a_planted_inconsistency(app, runner, wiki, repos, alice, pixel):
    repos.entries.col.update_one({"_id": pixel["_id"]}, {"$set": {"version": 5}})
    found = runner.invoke(args=["check"])
    assert found.exit_code == 1
    assert "entry pixel-8: it is at version 5, its history ends at 1" in found.output
    mended = runner.invoke(args=["check", "--repair"])
    assert mended.exit_code == 0 and "The store is sound again." in mended.output
    assert runner.invoke(args=["check"]).output.strip().endswith("The store is sound.")
