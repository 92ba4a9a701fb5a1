"""Definitions are read once per change on the embedded store, and always on MongoDB."""

from __future__ import annotations

import dataclasses

import mongomock
import pytest

from app.repositories.definitions import DefinitionRepository


@pytest.fixture
def reads(phones, monkeypatch):
    """How many queries reach the attributes collection."""
    counted = []
    col = phones.definitions.col
    for name in ("find", "find_one"):
        original = getattr(col, name)

        def counting(*args, _original=original, **kwargs):
            counted.append(args)
            return _original(*args, **kwargs)

        monkeypatch.setattr(col, name, counting)
    return counted


def test_between_changes_the_definitions_are_read_once(phones, reads):
    definitions = phones.definitions
    assert [d.key for d in definitions.all()] == ["weight", "colors", "five_g", "screen"]
    assert set(definitions.many(["weight", "screen", "nothing"])) == {"weight", "screen"}
    assert definitions.find("five_g").label == "5G"
    assert definitions.find("nothing") is None
    assert definitions.get("colors").type == "list"
    assert len(reads) == 1


def test_every_change_is_seen_at_once(phones):
    definitions = phones.definitions
    assert definitions.find("weight").label == "Weight"
    renamed = dataclasses.replace(definitions.get("weight"), label="Mass")
    definitions.replace(renamed, "tester", expected_version=1)
    assert definitions.find("weight").label == "Mass"
    assert definitions.many(["weight"])["weight"].label == "Mass"
    definitions.delete("colors")
    assert definitions.find("colors") is None
    assert "colors" not in [d.key for d in definitions.all()]
    definitions.col.update_one({"key": "screen"}, {"$set": {"label": "Display"}})  # any path
    assert definitions.get("screen").label == "Display"


def test_a_caller_changing_the_list_changes_nothing_kept(phones):
    listed = phones.definitions.all()
    listed.clear()
    assert len(phones.definitions.all()) == 4


def test_without_a_data_version_every_call_reads(phones):
    """MongoDB's collections have no data_version: other workers write too."""
    plain = mongomock.MongoClient().db
    plain.attributes.insert_many(phones.definitions.col.find({}, {"_id": 0}))
    store = type("Store", (), {"db": plain})()
    definitions = DefinitionRepository(store)
    assert definitions.find("weight").label == "Weight"
    plain.attributes.update_one({"key": "weight"}, {"$set": {"label": "Mass"}})
    assert definitions.find("weight").label == "Mass"
    assert [d.label for d in definitions.all()][:1] == ["Mass"]
