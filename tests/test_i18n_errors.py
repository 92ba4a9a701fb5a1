"""Domain and service errors carry a template and its parameters, translated when shown.

An error raised where no request is (a command, a worker, a test) reads in the language of
the page or API answer that shows it later; its English stays word for word what it was.
"""

from __future__ import annotations

import pytest

from app.domain.definitions import Definition
from app.domain.errors import BadLink, Conflict, InvalidValue, NotFound, StaleVersion
from app.domain.messages import M_, Label, Message, text
from app.domain.types import parse_value

ZH = {"Accept-Language": "zh-CN"}


def test_an_error_raised_outside_a_request_reads_in_the_language_it_is_shown_in(app):
    """Nothing is translated when the error is raised: a Chinese request reads Chinese,
    kinds and labels among the parameters included; English outside one."""
    missing = NotFound("Entry", "pixel-9")
    weight = Definition(key="weight", label="Weight", type="number", unit="g",
                        label_zh="重量")
    with pytest.raises(InvalidValue) as caught:
        parse_value(weight, "heavy")
    refused = caught.value
    with pytest.raises(InvalidValue) as caught:
        parse_value(weight, "3 in")
    measured = caught.value  # the words for what units measure are parameters too

    assert missing.message == "Entry 'pixel-9' does not exist."
    assert measured.message == 'Weight must be a mass, like "171 g"; "3 in" is a length.'
    assert refused.message == 'Weight must be a number, like "171 g"; "heavy" is not one.'
    with app.test_request_context(headers=ZH):
        assert missing.message == "条目 'pixel-9' 不存在。"
        assert str(missing) == missing.message
        assert refused.message == '重量必须是数字，例如 "171 g"；"heavy" 不是数字。'
        assert measured.message == '重量必须是质量，例如 "171 g"；"3 in" 是长度。'
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert refused.message == 'Weight must be a number, like "171 g"; "heavy" is not one.'
    assert missing.message == "Entry 'pixel-9' does not exist."
    assert measured.message == 'Weight must be a mass, like "171 g"; "3 in" is a length.'


def test_a_service_error_raised_outside_a_request_is_chinese_on_a_chinese_page(app, wiki,
                                                                               phones):
    """The services' sentences are templates too (they were English f-strings)."""
    with pytest.raises(InvalidValue) as twice:
        wiki.compare(["pixel-8", "pixel-8"])
    with pytest.raises(InvalidValue) as too_many:
        wiki.compare([f"e{n}" for n in range(9)])
    assert twice.value.message == "Compare each entry only once."
    assert too_many.value.message == "Compare 2 to 6 entries."
    with app.test_request_context(headers=ZH):
        assert twice.value.message == "每个条目只能对比一次。"
        assert too_many.value.message == "请对比 2 到 6 个条目。"


def test_every_domain_error_keeps_its_english_word_for_word():
    """API clients and tests read the English: it is what it was."""
    assert StaleVersion(3, 4).message == (
        "This entry changed since you read it (you had version 3, it is now at version 4). "
        "Reload, then apply your change again.")
    assert BadLink("expired").message == "This link has expired. Ask for a new one."
    assert Conflict("A plain sentence.").message == "A plain sentence."
    assert InvalidValue(M_("%(n)s left.") % {"n": 3}, "n").message == "3 left."


def test_a_message_translates_its_parameters_when_shown(app):
    """A parameter that is a Message (a word) or a Label is read in the shown language."""
    definition = Definition(key="weight", label="Weight", type="number", unit="g",
                            label_zh="重量")
    message = Message("%(what)s %(ident)s does not exist.",
                      {"what": M_("Attribute"), "ident": repr(Label(definition).definition.key)})
    labelled = M_("%(label)s must be text.") % {"label": Label(definition)}
    assert text(message) == "Attribute 'weight' does not exist."
    assert text(labelled) == "Weight must be text."
    with app.test_request_context(headers=ZH):
        assert text(message) == "属性 'weight' 不存在。"
        assert text(labelled).startswith("重量")
    assert text("already text") == "already text"


def test_a_weak_password_is_refused_with_advice_in_the_language_shown(app):
    """The password checker's advice sentences are parameters, each translated when shown."""
    import re

    from app.domain.accounts import check_password

    with pytest.raises(InvalidValue) as caught:
        check_password("password1", username="bob", email="bob@example.org")
    english = caught.value.message
    assert english.startswith("This password is too easy to guess. ")
    with app.test_request_context(headers=ZH):
        chinese = caught.value.message
    assert chinese != english
    assert not re.search(r"[A-Za-z]", chinese), chinese
    assert caught.value.message == english
