"""The definition service the attribute page and ``/api/v1/attributes`` share: what may
change, versions, sections joined by name, the edit summary, deleting."""

from __future__ import annotations

import pytest

from app.domain.errors import Conflict, Forbidden, InvalidValue, NotFound, StaleVersion
from app.services import AttributeInput


def test_an_update_stores_every_editable_field_with_its_summary(definitions, phones):
    """Labels, descriptions and sections in both languages in one new version, with who
    and why."""
    changed, version = definitions.update("alice", "weight", 1, {
        "label": "Mass", "label_zh": "质量", "description": "Without a case.",
        "description_zh": "不含保护壳。", "group": "Build", "group_zh": "做工"},
        comment="  clearer  ")
    assert version == 2
    assert (changed.label, changed.label_zh, changed.description, changed.description_zh,
            changed.group, changed.group_zh) == ("Mass", "质量", "Without a case.",
                                                 "不含保护壳。", "Build", "做工")
    record = definitions.record("weight")
    assert (record.version, record.updated_by, record.comment) == (2, "alice", "clearer")
    assert record.definition == changed


def test_nothing_changed_stores_nothing(definitions, phones):
    """The same values again keep the version (no write, no summary)."""
    _definition, version = definitions.update("alice", "weight", 1, {"label": "Weight"},
                                              comment="no-op")
    assert version == 1 and definitions.record("weight").comment == ""


def test_key_type_and_unit_stay(definitions, phones):
    """They decided how stored values were read: a change is refused naming the field."""
    for field, value in (("type", "text"), ("unit", "kg"), ("key", "mass")):
        with pytest.raises(InvalidValue) as refused:
            definitions.update("alice", "weight", 1, {field: value})
        assert refused.value.field == field
    definitions.update("alice", "weight", 1, {"type": "number", "unit": "g"})  # unchanged: fine


def test_a_stale_version_is_refused_and_changes_nothing(definitions, phones):
    """Someone saved first: StaleVersion naming both versions; the value stays theirs."""
    definitions.update("bob", "weight", 1, {"description": "Bob's."})
    with pytest.raises(StaleVersion) as stale:
        definitions.update("alice", "weight", 1, {"description": "Alice's."})
    assert (stale.value.expected, stale.value.current) == (1, 2)
    assert "This attribute changed" in stale.value.message
    assert definitions.get("weight")[0].description == "Bob's."


def test_a_section_typed_by_another_name_joins_it_with_its_chinese_name(definitions, phones):
    """"机身" or "body" is the section "Body" once one of its attributes has that Chinese
    name; a moved attribute takes the section's Chinese name, and a new section drops the
    old one's."""
    definitions.update("alice", "weight", 1, {"group_zh": "机身"})
    screen, _version = definitions.update("alice", "screen", 1, {"group": "机身"})
    assert (screen.group, screen.group_zh) == ("Body", "机身")
    colors, _version = definitions.update("alice", "colors", 1, {"group": " body "})
    assert (colors.group, colors.group_zh) == ("Body", "机身")
    moved, _version = definitions.update("alice", "screen", 2, {"group": "Looks",
                                                                "group_zh": "机身"})
    assert (moved.group, moved.group_zh) == ("Looks", "")
    own, _version = definitions.update("alice", "screen", 3, {"group": "Body",
                                                              "group_zh": "外壳"})
    assert (own.group, own.group_zh) == ("Body", "外壳")


def test_bad_values_are_refused_naming_the_field(definitions, phones):
    """Every field is checked by the domain: the Chinese description too, and the summary."""
    cases = [({"label": ""}, "label"), ({"description_zh": "长" * 501}, "description_zh"),
             ({"description_zh": 5}, "description_zh")]
    for data, field in cases:
        with pytest.raises(InvalidValue) as refused:
            definitions.update("alice", "weight", 1, data)
        assert refused.value.field == field
    with pytest.raises(InvalidValue) as refused:
        definitions.update("alice", "weight", 1, {"label": "Mass"}, comment="x" * 501)
    assert refused.value.field == "comment"
    assert definitions.get("weight")[1] == 1


def test_deleting_is_for_admins_and_for_unused_attributes(definitions, wiki, phones):
    """An editor is refused; an attribute an entry uses is a Conflict; else it goes."""
    wiki.create_entry("alice", title="Pixel 8", category="phones",
                      attributes=[AttributeInput("weight", "187 g")])
    with pytest.raises(Forbidden):
        definitions.delete("alice", "screen", 1, admin=False)
    with pytest.raises(Conflict, match="1 entries still use 'weight'"):
        definitions.delete("boss", "weight", 1, admin=True)
    with pytest.raises(StaleVersion):
        definitions.delete("boss", "screen", 7, admin=True)
    definitions.delete("boss", "screen", 1, admin=True)
    with pytest.raises(NotFound):
        definitions.get("screen")
